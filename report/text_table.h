// The human-readable targets table `plansim run` prints on standard output.
#pragma once

#include <string>

#include "report/run_info.h"
#include "sim/results.h"

namespace plansim::report {

// A header line (plan, samples, seed) and one row per target and milestone:
// P(hit), its 95% interval, the achievable level at the plan's confidence,
// and the RAG rating in words. `confidence` labels the achievable column.
std::string targets_table(const RunInfo& info, const sim::ScenarioResult& scenario, double confidence);

}  // namespace plansim::report
