// The `--json` output of `plansim run` (cli.md, format "plansim-run/1").
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "report/run_info.h"
#include "sim/results.h"

namespace plansim::report {

// One JSON object per cli.md. Non-finite numbers (a measure that was NaN)
// are written as null.
nlohmann::ordered_json run_json(const RunInfo& info, const std::vector<sim::ScenarioResult>& scenarios,
                        double confidence);

}  // namespace plansim::report
