// The human-readable targets table `plansim run` prints on standard output.
#pragma once

#include <string>

#include "report/run_info.h"
#include "sim/results.h"

namespace plansim::report {

// A header line (plan, samples, seed) and one row per target and milestone:
// P(hit), its 95% interval, the achievable level at the plan's confidence,
// and the RAG rating in words. `confidence` labels the achievable column.
// With --precision (info.precision) a line under the header says why the
// run stopped; with --confidence (info.confidences) the achievable levels
// follow the table (achievable_levels_table), which keeps its width.
std::string targets_table(const RunInfo& info, const sim::ScenarioResult& scenario, double confidence);

// "precision reached: ..." or "max samples reached: ...", with a newline;
// empty without --precision.
std::string precision_line(const RunInfo& info);

// Each plan-wide measure target's achievable level at each of
// info.confidences with its 95% interval, one row per confidence; empty
// when no confidences were asked for. Local targets' levels are in the JSON.
std::string achievable_levels_table(const RunInfo& info, const sim::ScenarioResult& scenario);

// `plansim achievable`: for each scenario (and unit) of `target`, its
// achievable level at each confidence with the 95% interval, then the
// confidence its proposed threshold carries (its P(hit), with interval).
std::string achievable_table(const RunInfo& info, const sim::RunResult& result, const std::string& target);

// When scenarios ran: a scenario-by-target table of P(hit) with RAG and the
// change against the base with its paired 95% interval; then each
// response's probability of triggering, per scenario.
std::string comparison_table(const sim::RunResult& result, const graph::RagThresholds& rag);

}  // namespace plansim::report
