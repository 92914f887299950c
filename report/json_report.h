// The `--json` output of `plansim run` (cli.md, format "plansim-run/1").
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "report/run_info.h"
#include "sim/results.h"

namespace plansim::report {

// One JSON object per cli.md: every scenario (the base first) and the
// comparison of each other scenario with the base. Non-finite numbers (a
// measure that was NaN, the first period of a response that never
// triggered) are written as null. Comparisons also carry
// "delta_ci95_unpaired", what two independent runs would have given.
//
// With --confidence (info.confidences not empty) every measure target also
// carries "achievable_levels": [{confidence, level, ci95}] (null where the
// values were not kept); with --precision the object carries "precision"
// (docs/cli.md describes both).
nlohmann::ordered_json run_json(const RunInfo& info, const sim::RunResult& result, double confidence);

// The `--json` output of `plansim achievable` ("plansim-achievable/1"):
// the target's levels at each confidence and the confidence its threshold
// carries, per scenario (and per unit for a local target).
nlohmann::ordered_json achievable_json(const RunInfo& info, const sim::RunResult& result, const std::string& target);

}  // namespace plansim::report
