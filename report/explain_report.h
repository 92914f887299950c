// What `plansim explain` and `plansim seek` print and write as JSON
// (docs/explain-and-seek.md has the shapes, with examples).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "analysis/explain.h"
#include "analysis/seek.h"
#include "report/run_info.h"
#include "sim/results.h"

namespace plansim::report {

// {"format": "plansim-explain/1", plan, plan_sha256, seed, samples, periods, "drivers": {...}}.
nlohmann::ordered_json explain_json(const RunInfo& info, const sim::TargetResult& target,
                                    const analysis::Drivers& drivers);

// A header, the ranked table of inputs, the forced re-runs, the Sobol
// indices when computed, and what was not ranked.
std::string drivers_table(const RunInfo& info, const sim::TargetResult& target, const analysis::Drivers& drivers);

// What was asked of seek, for its report.
struct SeekRequest {
  std::string node;
  std::string node_kind;  // "resource", "assumption", "action"
  std::string node_unit;  // the node's unit ("hours"), may be empty
  analysis::SeekBy by = analysis::SeekBy::kScale;
  double confidence = 0.8;
  double lo = 0.0, hi = 0.0;  // the range asked for
  bool default_range = true;
};

// {"format": "plansim-seek/1", plan, plan_sha256, seed, samples, periods, "seek": {...}}.
nlohmann::ordered_json seek_json(const RunInfo& info, const sim::TargetResult& target, const SeekRequest& request,
                                 const analysis::SeekResult& result);

// A header and a short paragraph: the plan as written, the change needed
// (or why none in the range), its 95% interval and the runs it took.
std::string seek_text(const RunInfo& info, const sim::TargetResult& target, const SeekRequest& request,
                      const analysis::SeekResult& result);

}  // namespace plansim::report
