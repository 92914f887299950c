// What a run reports (cli.md, `--json`): per target and milestone P(hit)
// with a 95% Wilson interval, percentiles and the achievable level; per
// measure and period the mean and percentiles; per resource and period the
// mean available, mean demand and P(short).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "graph/plan.h"

namespace plansim::sim {

struct Interval {
  double lo = 0.0;
  double hi = 0.0;
};

enum class Rag { kGreen, kAmber, kRed };
const char* to_string(Rag r);  // "green" | "amber" | "red"
Rag rate(double p_hit, const graph::RagThresholds& t);

// A level a target's measure achieves with a given confidence (see
// sim::achievable_levels), with the 95% interval of that quantile from
// order statistics. An end the samples cannot bound is NaN.
struct AchievableLevel {
  double confidence = 0.0;
  double level = 0.0;
  Interval ci95;
};

struct MilestoneResult {
  int by = 0;
  graph::Direction direction = graph::Direction::kAtMost;
  double threshold = 0.0;
  double p_hit = 0.0;
  Interval ci95;
};

struct TargetResult {
  std::string id;
  std::string unit;  // a local target's unit id; empty for plan-wide targets
  std::string label;
  bool composite = false;
  // Measure targets only
  std::string measure;
  graph::Direction direction = graph::Direction::kAtMost;
  double threshold = 0.0;
  int by = 0;
  double p10 = 0.0, p50 = 0.0, p90 = 0.0;  // the measure in period `by`
  double achievable = 0.0;                 // at the plan's confidence
  // (per-unit values are not kept: for local targets these are NaN)
  std::vector<double> distribution;        // kDistributionLevels quantiles, when values were kept
  std::vector<MilestoneResult> milestones;
  // All targets
  double p_hit = 0.0;
  Interval ci95;
  Rag rag = Rag::kRed;
  // Measure targets, when RunOptions::confidences asked for them: the
  // achievable level at each of those confidences. Empty when the values
  // were not kept (a sweep; a local target beyond the per-unit budget).
  std::vector<AchievableLevel> achievable_levels;
};

struct PeriodSummary {
  double mean = 0.0, p10 = 0.0, p50 = 0.0, p90 = 0.0;
  double p25 = 0.0, p75 = 0.0;  // for fan charts
};

// The distribution of a target's measure at `by`: its quantiles at
// kDistributionLevels (1%, 3%, ..., 99%), enough to draw its CDF.
inline constexpr int kDistributionLevels = 50;

struct MeasureResult {
  std::string id;
  std::string label;
  std::vector<PeriodSummary> periods;
  std::string unit;  // a local measure's unit id (only the mean is kept per unit)
};

struct ResourcePeriod {
  double available = 0.0;  // mean
  double demand = 0.0;     // mean
  double p_short = 0.0;    // P(demand > available)
};

struct ResourceResult {
  std::string id;
  std::string label;
  std::vector<ResourcePeriod> periods;
  std::string unit;  // a local resource's unit id
};

struct ResponseResult {
  std::string id;
  std::string label;
  double p_triggered = 0.0;        // P(on in some period)
  double mean_first_period = 0.0;  // mean first period on, given it triggers (NaN if it never does)
};

// A local target across the units: how many are expected to hit it.
struct LocalTargetSummary {
  std::string id;
  std::string label;
  std::string unit_name;  // what one unit is called ("area")
  std::size_t units = 0;
  double expected_hits = 0.0;  // E[units hitting] = the sum of the units' P(hit)
  Interval ci95;               // of that expectation, from the per-sample count's variance
  std::size_t green = 0, amber = 0, red = 0;  // units by RAG
  std::vector<std::string> least_likely;      // up to five unit ids, lowest P(hit) first
};

struct ScenarioResult {
  std::string name = "base";
  // Plan-wide targets, then each local target once per unit (in unit order).
  std::vector<TargetResult> targets;
  std::vector<LocalTargetSummary> local_targets;
  std::vector<MeasureResult> measures;
  std::vector<ResourceResult> resources;
  std::vector<ResponseResult> responses;
};

// A scenario's P(hit) against the base's, from the paired outcomes of the
// same samples (common random numbers). With d_i = hit_i(scenario) -
// hit_i(base) in {-1, 0, 1}, n10 samples where only the scenario hits and
// n01 where only the base does:
//   delta = (n10 - n01) / n,  var(d) = (n10 + n01) / n - delta^2,
//   ci95 = delta -/+ 1.96 sqrt(var(d) / n).
// unpaired_ci95 is what two independent runs would give,
//   delta -/+ 1.96 sqrt(p0 (1 - p0) / n + p1 (1 - p1) / n),
// shown to make the gain from pairing visible.
struct Comparison {
  std::string scenario;
  std::string target;
  double p_hit = 0.0;
  double delta = 0.0;
  Interval ci95;
  Interval unpaired_ci95;
  std::string unit;  // for local targets
};

// A NaN reached a target: where it first appeared, so the user can fix it.
struct NanReport {
  std::string scenario;     // the variant it happened in
  std::string target;       // the first target whose measure was NaN
  std::string node;         // the node whose computation first produced NaN
  std::string unit;         // ...in this unit, when it is local
  int period = 0;
  std::uint64_t samples = 0;       // samples in which that target's measure was NaN
  std::uint64_t first_sample = 0;  // replay this sample to see it
};

enum class StopReason { kCompleted, kCancelled, kNaN };

// How a run went: everything needed to reproduce it.
struct RunSummary {
  StopReason stop = StopReason::kCompleted;
  std::uint64_t seed = 0;
  std::uint64_t samples = 0;
  std::size_t block_size = 0;
  int threads = 0;
  double seconds = 0.0;
};

struct RunResult {
  std::vector<ScenarioResult> scenarios;  // [0] is the base
  std::vector<Comparison> comparison;     // every other scenario against the base
  RunSummary summary;
  std::optional<NanReport> nan;
  // RunOptions::collect's values: [entry][sample]. Empty unless asked for.
  std::vector<std::vector<double>> collected;

  const ScenarioResult& base() const { return scenarios.at(0); }
};

}  // namespace plansim::sim
