// The `--json` output of `plansim run` (cli.md, format "plansim-run/1").
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "report/run_info.h"
#include "sim/results.h"

namespace plansim::report {

// One JSON object per cli.md: every scenario (the base first) and the
// comparison of each other scenario with the base. Non-finite numbers (a
// measure that was NaN, the first period of a response that never
// triggered) are written as null. Comparisons also carry
// "delta_ci95_unpaired", what two independent runs would have given.
nlohmann::ordered_json run_json(const RunInfo& info, const sim::RunResult& result, double confidence);

}  // namespace plansim::report
