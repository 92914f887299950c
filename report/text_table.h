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

// When scenarios ran: a scenario-by-target table of P(hit) with RAG and the
// change against the base with its paired 95% interval; then each
// response's probability of triggering, per scenario.
std::string comparison_table(const sim::RunResult& result, const graph::RagThresholds& rag);

}  // namespace plansim::report
