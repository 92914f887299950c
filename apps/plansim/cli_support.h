// What every plansim command shares: loading a plan with its scenarios,
// parsing counts, writing files safely, and running with progress, memory
// checks and Ctrl-C.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "graph/plan.h"
#include "graph/plan_compiler.h"
#include "graph/program.h"
#include "report/run_info.h"
#include "sim/engine.h"

namespace plansim::cli {

inline constexpr int kExitInvalidPlan = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitRunFailed = 3;
inline constexpr int kExitInterrupted = 130;

// A scenario file as it was read, for the run history.
struct ScenarioSource {
  std::string name;
  std::string file;
  std::string text;
};

// A plan and its variants, loaded and compiled.
struct Loaded {
  std::unique_ptr<graph::Plan> plan;
  std::vector<ScenarioSource> scenarios;
  std::vector<std::unique_ptr<graph::Plan>> variant_plans;  // one per scenario or sweep point
  std::unique_ptr<graph::Program> program;
};

// Extra variants built in code (a sweep's grid points): name, node, value.
struct SetPoint {
  std::string name;
  std::vector<std::pair<std::string, double>> set;
};

// Loads the plan and scenario files (and sweep points), prints every
// diagnostic on standard error, and returns nullopt when anything is invalid.
std::optional<Loaded> load(const std::string& plan_path, const std::vector<std::string>& scenario_paths,
                           const std::vector<SetPoint>& points = {});

// Parses a whole number option; prints why on standard error when it is not one.
std::optional<std::uint64_t> parse_count(const std::string& text, const char* name, std::uint64_t min);

// Writes through a temporary file and a rename: nothing half-written is left.
bool write_file(const std::string& path, const std::string& text);

struct RunRequest {
  std::string samples, seed, threads;  // as typed; empty: the plan's settings
  std::string method = "mc";           // --method: mc or lhs
  bool quiet = false;
  bool keep_quantiles = true;
  std::string confidence;              // --confidence LIST, as typed
  bool confidence_given = false;       // ...whether it was given at all ('' is a mistake, not "none")
  std::string precision, max_samples;  // --precision H [--max-samples N], as typed; empty: a plain run
  // For explain and seek: arrays kept per sample (sim::RunOptions::collect;
  // counted in the memory check), and a NaN left in RunResult::nan for the
  // caller to handle instead of failing the run.
  std::vector<std::vector<std::int32_t>> collect;
  bool allow_nan = false;
};

// Parses --confidence "0.5,0.8,0.9,0.95": numbers strictly between 0 and 1,
// none twice, at most kMaxConfidences; returns them in increasing order.
// Prints why on standard error and returns nullopt when the list is not one.
inline constexpr std::size_t kMaxConfidences = 20;
std::optional<std::vector<double>> parse_confidences(const std::string& text);

// Parses --precision: a 95% half-width of P(hit), strictly between 0 and 0.5.
std::optional<double> parse_precision(const std::string& text);

// Runs the loaded program. On success fills `result` and `info` and returns
// 0; otherwise prints why and returns the exit code (2, 3 or 130). With
// --precision the run grows batch by batch (analysis/precision.h); memory
// and time are checked for the largest run it may become.
int run(const Loaded& loaded, const RunRequest& request, sim::RunResult& result, report::RunInfo& info);

}  // namespace plansim::cli
