// Precision control (analysis/precision.h, `plansim run --precision`) and the
// engine's extension of a run that it rests on (RunOptions::extend).
//
// Draws are keyed by (seed, node, unit, site, period, block), so the blocks
// after N are the same whether a run is extended to them or runs them from
// the start, and statistics are merged in block order: a run of N samples
// extended to M must give bitwise the results of one run of M. Every check
// of that here is on bit patterns (and the JSON text, numbers printed to
// round-trip), never with a tolerance.
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <oneapi/tbb/global_control.h>

#include "analysis/precision.h"
#include "graph/plan_compiler.h"
#include "graph/plan_loader.h"
#include "report/json_report.h"
#include "sim/random_stream.h"
#include "sim/statistics.h"
#include "tests/e2e/plan_runner.h"
#include "tests/e2e/reference_plan.h"

namespace plansim::e2e {
namespace {

const std::vector<std::string> kPeriods = {"2003-04", "2003-07", "2003-10", "2004-01"};

// Every figure of every scenario, the achievable levels included, as JSON
// text: numbers print to round-trip, so equal text is equal bits.
std::string all_json(const sim::RunResult& r) {
  report::RunInfo info;
  info.plan_title = "test";
  info.seed = r.summary.seed;
  info.samples = r.summary.samples;
  info.periods = kPeriods;
  info.confidences = {0.5, 0.8, 0.95};
  return report::run_json(info, r, 0.8).dump();
}

void expect_bitwise_equal(const sim::RunResult& a, const sim::RunResult& b) {
  EXPECT_EQ(a.summary.samples, b.summary.samples);
  ASSERT_EQ(a.scenarios.size(), b.scenarios.size());
  for (std::size_t s = 0; s < a.scenarios.size(); ++s) {
    const auto& x = a.scenarios[s];
    const auto& y = b.scenarios[s];
    ASSERT_EQ(x.targets.size(), y.targets.size());
    for (std::size_t i = 0; i < x.targets.size(); ++i) {
      EXPECT_EQ(bits_of(x.targets[i]), bits_of(y.targets[i])) << x.name << " " << x.targets[i].id;
      ASSERT_EQ(x.targets[i].achievable_levels.size(), y.targets[i].achievable_levels.size());
      for (std::size_t k = 0; k < x.targets[i].achievable_levels.size(); ++k) {
        const auto& p = x.targets[i].achievable_levels[k];
        const auto& q = y.targets[i].achievable_levels[k];
        EXPECT_EQ(std::bit_cast<std::uint64_t>(p.level), std::bit_cast<std::uint64_t>(q.level));
        EXPECT_EQ(std::bit_cast<std::uint64_t>(p.ci95.lo), std::bit_cast<std::uint64_t>(q.ci95.lo));
        EXPECT_EQ(std::bit_cast<std::uint64_t>(p.ci95.hi), std::bit_cast<std::uint64_t>(q.ci95.hi));
      }
    }
    ASSERT_EQ(x.measures.size(), y.measures.size());
    for (std::size_t i = 0; i < x.measures.size(); ++i) EXPECT_EQ(bits_of(x.measures[i]), bits_of(y.measures[i]));
    ASSERT_EQ(x.resources.size(), y.resources.size());
    for (std::size_t i = 0; i < x.resources.size(); ++i) EXPECT_EQ(bits_of(x.resources[i]), bits_of(y.resources[i]));
  }
  EXPECT_EQ(all_json(a), all_json(b));
}

// The reference plan with a scenario beside it (a lower hours budget), so
// that paired comparisons are extended too.
struct TwoVariants {
  std::unique_ptr<graph::Plan> base, scenario;
  std::unique_ptr<graph::Program> program;
};

TwoVariants reference_with_scenario() {
  TwoVariants v;
  rules::Diagnostics diags;
  v.base = graph::load_plan_text(kReferencePlan, "test.yaml", diags);
  std::string changed = kReferencePlan;
  const std::string from = "available: 170 * (1 - sickness)";
  changed.replace(changed.find(from), from.size(), "available: 150 * (1 - sickness)");
  v.scenario = graph::load_plan_text(changed, "test.yaml", diags);
  if (!v.base || !v.scenario || !diags.ok()) throw std::runtime_error(diags.to_string());
  v.program = graph::compile_variants({{"base", v.base.get(), {}}, {"fewer-hours", v.scenario.get(), {"hours"}}}, diags);
  if (!v.program || !diags.ok()) throw std::runtime_error(diags.to_string());
  return v;
}

sim::RunOptions options(std::uint64_t samples, int threads) {
  sim::RunOptions o = options_for(samples, 2003, threads);
  o.confidences = {0.5, 0.8, 0.95};
  return o;
}

// ---- extending a run ------------------------------------------------------------

TEST(Extending, ARunExtendedBatchByBatchEqualsOneRunOfTheFinalSize) {
  const tbb::global_control allow(tbb::global_control::max_allowed_parallelism, 3);
  const TwoVariants v = reference_with_scenario();
  ASSERT_EQ(v.program->variants.size(), 2u);
  // 10 blocks, then 20, then 50,003 samples (a partial last block is fine at the end).
  const std::vector<std::uint64_t> steps = {20 * sim::kBlockSize, 50003};
  for (int threads : {1, 2, 3}) {
    SCOPED_TRACE("threads " + std::to_string(threads));
    sim::RunOptions o = options(10 * sim::kBlockSize, threads);
    std::vector<std::uint64_t> seen;
    o.extend = [&](const sim::Tally& t) {
      seen.push_back(t.samples);
      return seen.size() <= steps.size() ? steps[seen.size() - 1] : t.samples;
    };
    const sim::RunResult extended = sim::run(*v.program, o);
    EXPECT_EQ(seen, (std::vector<std::uint64_t>{10 * sim::kBlockSize, 20 * sim::kBlockSize, 50003}));
    const sim::RunResult plain = sim::run(*v.program, options(50003, threads));
    ASSERT_FALSE(plain.nan.has_value());
    EXPECT_FALSE(plain.comparison.empty());
    expect_bitwise_equal(extended, plain);
    EXPECT_EQ(extended.comparison.size(), plain.comparison.size());
  }
}

TEST(Extending, TheTallyHoldsTheHitsOfAPlainRunOfThatSize) {
  const TwoVariants v = reference_with_scenario();
  sim::RunOptions o = options(4 * sim::kBlockSize, 2);
  std::vector<sim::Tally> tallies;
  o.extend = [&](const sim::Tally& t) {
    tallies.push_back(t);
    return tallies.size() == 1 ? 9 * sim::kBlockSize : t.samples;
  };
  sim::run(*v.program, o);
  ASSERT_EQ(tallies.size(), 2u);
  for (const sim::Tally& t : tallies) {
    const sim::RunResult plain = sim::run(*v.program, options(t.samples, 2));
    ASSERT_EQ(t.hits.size(), plain.scenarios.size());
    for (std::size_t s = 0; s < plain.scenarios.size(); ++s) {
      ASSERT_EQ(t.hits[s].size(), plain.scenarios[s].targets.size());
      for (std::size_t i = 0; i < t.hits[s].size(); ++i)
        EXPECT_EQ(static_cast<double>(t.hits[s][i]) / static_cast<double>(t.samples), plain.scenarios[s].targets[i].p_hit);
    }
    EXPECT_FALSE(t.nan);
  }
}

// Local targets keep their values per unit while they fit in the budget: a
// run that outgrows it drops them, as a plain run of its final size would
// not have kept them; one that stays within keeps them, bitwise equal.
const std::string kUnitsPlan = R"yaml(
plan: extension with units
horizon: {start: 2003-04, periods: 4, step: quarter}
units:
  name: area
  rows:
    north: {mu: 1.0, sd: 0.5}
    south: {mu: 2.0, sd: 1.0}
    east: {mu: 0.5, sd: 0.25}
local:
  measures:
    x: {value: "normal(mu, sd)"}
  targets:
    low: {measure: x, at_most: mu}
measures:
  tot: {value: total(x)}
targets:
  t_tot: {measure: tot, at_most: 3.6}
)yaml";

TEST(Extending, LocalValuesAreKeptOrDroppedAsAPlainRunOfTheFinalSizeWould) {
  const auto program = compile_text(kUnitsPlan);
  for (std::uint64_t budget : {std::uint64_t{1} << 30, std::uint64_t{3} * 30 * sim::kBlockSize * 8}) {
    SCOPED_TRACE("budget " + std::to_string(budget));
    sim::RunOptions o = options(20 * sim::kBlockSize, 2);
    o.local_quantile_bytes = budget;  // the second fits 30 blocks x 3 units, not 60
    o.extend = [](const sim::Tally& t) { return t.samples < 60 * sim::kBlockSize ? t.samples + 20 * sim::kBlockSize : t.samples; };
    const sim::RunResult extended = sim::run(*program, o);
    sim::RunOptions p = options(60 * sim::kBlockSize, 2);
    p.local_quantile_bytes = budget;
    const sim::RunResult plain = sim::run(*program, p);
    expect_bitwise_equal(extended, plain);
    const bool kept = budget > (std::uint64_t{1} << 29);
    for (const auto& t : extended.base().targets) {
      if (!t.unit.empty()) {
        EXPECT_EQ(t.achievable_levels.empty(), !kept) << t.unit;
      }
    }
  }
}

TEST(Extending, FromAPartialBlockIsRefused) {
  const auto program = compile_text(kUnitsPlan);
  sim::RunOptions o = options(1000, 1);
  o.extend = [](const sim::Tally& t) { return t.samples + sim::kBlockSize; };
  EXPECT_THROW(sim::run(*program, o), std::logic_error);
}

// ---- precision control -------------------------------------------------------------

TEST(Precision, BatchesAreWholeBlocksAndTheCeilingWholeBatches) {
  EXPECT_EQ(analysis::batch_for(100000), 100352u);  // 98 blocks
  EXPECT_EQ(analysis::batch_for(1024), 1024u);
  EXPECT_EQ(analysis::batch_for(1), 1024u);
  analysis::PrecisionRule rule{0.005, 100352, 10000000};
  EXPECT_EQ(analysis::ceiling(rule), 99u * 100352u);
  rule.max_samples = 100351;
  EXPECT_EQ(analysis::ceiling(rule), 0u);
  EXPECT_DOUBLE_EQ(analysis::half_width(50, 100),
                   (sim::wilson_interval(50, 100).hi - sim::wilson_interval(50, 100).lo) / 2);
}

// Runs the reference plan with its scenario to a precision.
sim::RunResult to_precision(const TwoVariants& v, const analysis::PrecisionRule& rule, int threads,
                            analysis::PrecisionOutcome& outcome) {
  return analysis::run_to_precision(*v.program, options(rule.batch, threads), rule, outcome);
}

double widest_half_width(const sim::RunResult& r) {
  double widest = 0.0;
  for (const auto& s : r.scenarios)
    for (const auto& t : s.targets) widest = std::max(widest, (t.ci95.hi - t.ci95.lo) / 2);
  return widest;
}

TEST(Precision, StopsAtTheFirstBatchWhereEveryHalfWidthIsBelowThePrecision) {
  const TwoVariants v = reference_with_scenario();
  const analysis::PrecisionRule rule{0.006, 8 * sim::kBlockSize, 1000000};
  analysis::PrecisionOutcome outcome;
  const sim::RunResult r = to_precision(v, rule, 2, outcome);
  EXPECT_EQ(outcome.stop, analysis::PrecisionStop::kReached);
  EXPECT_EQ(r.summary.samples, outcome.samples);
  EXPECT_EQ(r.summary.samples % rule.batch, 0u);  // a whole number of batches
  EXPECT_EQ(outcome.batches, r.summary.samples / rule.batch);
  EXPECT_GT(outcome.batches, 2u);  // the plan needs several: the rule really went on
  EXPECT_LT(widest_half_width(r), rule.half_width);
  EXPECT_EQ(outcome.widest, widest_half_width(r));
  const auto& widest = r.scenarios.at(outcome.variant).targets.at(outcome.target);
  EXPECT_EQ((widest.ci95.hi - widest.ci95.lo) / 2, outcome.widest);
  // One batch fewer was not enough.
  const sim::RunResult before = sim::run(*v.program, options(r.summary.samples - rule.batch, 2));
  EXPECT_GE(widest_half_width(before), rule.half_width);
}

TEST(Precision, BitwiseIdenticalForOneTwoAndThreeThreadsAndToAPlainRunOfTheFinalSize) {
  const tbb::global_control allow(tbb::global_control::max_allowed_parallelism, 3);
  const TwoVariants v = reference_with_scenario();
  const analysis::PrecisionRule rule{0.008, 5 * sim::kBlockSize, 1000000};
  analysis::PrecisionOutcome one_outcome;
  const sim::RunResult one = to_precision(v, rule, 1, one_outcome);
  const sim::RunResult plain = sim::run(*v.program, options(one.summary.samples, 2));
  expect_bitwise_equal(one, plain);
  for (int threads : {2, 3}) {
    analysis::PrecisionOutcome outcome;
    const sim::RunResult r = to_precision(v, rule, threads, outcome);
    EXPECT_EQ(outcome.samples, one_outcome.samples) << threads;
    EXPECT_EQ(outcome.batches, one_outcome.batches) << threads;
    EXPECT_EQ(std::bit_cast<std::uint64_t>(outcome.widest), std::bit_cast<std::uint64_t>(one_outcome.widest));
    expect_bitwise_equal(r, one);
  }
}

TEST(Precision, MaxSamplesStopsARunThatCannotReachThePrecision) {
  const TwoVariants v = reference_with_scenario();
  // 3.5 batches allowed: the run stops at 3, the last whole batch within it.
  const analysis::PrecisionRule rule{0.0005, 4 * sim::kBlockSize, 14 * sim::kBlockSize};
  analysis::PrecisionOutcome outcome;
  const sim::RunResult r = to_precision(v, rule, 2, outcome);
  EXPECT_EQ(outcome.stop, analysis::PrecisionStop::kMaxSamples);
  EXPECT_EQ(r.summary.samples, 12 * sim::kBlockSize);
  EXPECT_EQ(outcome.batches, 3u);
  EXPECT_GE(outcome.widest, rule.half_width);
  expect_bitwise_equal(r, sim::run(*v.program, options(12 * sim::kBlockSize, 2)));
}

TEST(Precision, NaNStopsAfterTheFirstBatch) {
  const auto program = compile_text(R"yaml(
plan: nan
horizon: {start: 2003-04, periods: 4, step: quarter}
assumptions:
  a: uniform(-1, 1)
measures:
  m: {value: "log(a)"}
targets:
  tgt: {measure: m, at_most: 0}
)yaml");
  const analysis::PrecisionRule rule{0.001, sim::kBlockSize, 100 * sim::kBlockSize};
  analysis::PrecisionOutcome outcome;
  const sim::RunResult r = analysis::run_to_precision(*program, options_for(1, 1, 1), rule, outcome);
  EXPECT_EQ(outcome.stop, analysis::PrecisionStop::kNaN);
  EXPECT_EQ(r.summary.samples, sim::kBlockSize);
  ASSERT_TRUE(r.nan.has_value());
  EXPECT_EQ(r.nan->node, "m");
}

}  // namespace
}  // namespace plansim::e2e
