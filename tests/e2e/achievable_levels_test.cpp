// Achievable levels at several confidences (RunOptions::confidences, `plansim
// run --confidence`, `plansim achievable`), end to end, against exact answers.
//
// A measure normal(10, 2) has the level L with P(m <= L) = c at
// 10 + 2 z_c (an at_most target's achievable level) and the level with
// P(m >= L) = c at 10 - 2 z_c (at_least). With n = 200,000 samples the
// estimate is checked as in exact_answers_test.cpp: within 4.5 asymptotic
// standard errors of a sample quantile, sqrt(q (1 - q) / n) / f(x_q) (a
// correct engine fails one such check with probability 6.8e-6).
//
// Its reported 95% interval is checked three ways. It brackets the estimate
// and has the width theory gives, 2 x 1.96 standard errors, to within
// 4.5 / sqrt(ranks between its ends) relatively (the spacing of that many
// order statistics). The exact level itself lies inside each interval only
// 95% of the time, so a single fixed-seed containment check would fail for
// 1 seed in 20; instead IntervalsHoldTheExactLevelAtTheirCoverage runs 1,000
// seeds and checks the share of intervals holding the exact level against
// their binomial coverage, with a 4.5-standard-deviation bound.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <string>
#include <vector>

#include <oneapi/tbb/global_control.h>

#include "report/json_report.h"
#include "sim/statistics.h"
#include "tests/e2e/plan_runner.h"

namespace plansim::e2e {
namespace {

constexpr std::uint64_t kSamples = 200000;
constexpr double kSigmas = 4.5;

struct Level {
  double c, z;  // confidence and the standard normal c-quantile
};
const std::vector<Level> kLevels = {
    {0.5, 0.0}, {0.8, 0.8416212335729143}, {0.9, 1.2815515655446004}, {0.95, 1.6448536269514722}};

std::vector<double> confidences() {
  std::vector<double> c;
  for (const auto& l : kLevels) c.push_back(l.c);
  return c;
}

const std::string kNormalPlan = R"yaml(
plan: achievable levels
horizon: {start: 2003-04, periods: 4, step: quarter}
measures:
  m: {value: "normal(10, 2)"}
targets:
  below: {measure: m, at_most: 11}
  above: {measure: m, at_least: 9}
  both: {all_of: [below, above]}
)yaml";

double normal_pdf(double x) { return std::exp(-0.5 * x * x) / std::sqrt(2.0 * std::numbers::pi); }

sim::RunResult run_with(const std::string& yaml, std::uint64_t samples, std::uint64_t seed, int threads,
                        const std::vector<double>& levels) {
  sim::RunOptions options = options_for(samples, seed, threads);
  options.confidences = levels;
  return sim::run(*compile_text(yaml), options);
}

// Level L of a normal(10, 2) measure at confidence c, the quantile q it is,
// and the standard error of its estimate.
void check_level(const sim::AchievableLevel& a, const Level& l, bool at_most, std::uint64_t n) {
  SCOPED_TRACE("confidence " + std::to_string(l.c) + (at_most ? " at_most" : " at_least"));
  const double exact = at_most ? 10.0 + 2.0 * l.z : 10.0 - 2.0 * l.z;
  const double q = at_most ? l.c : 1.0 - l.c;
  const double se = std::sqrt(q * (1.0 - q) / static_cast<double>(n)) / (normal_pdf(l.z) / 2.0);
  EXPECT_EQ(a.confidence, l.c);
  EXPECT_LE(std::abs(a.level - exact), kSigmas * se) << a.level << " vs exact " << exact << ", se " << se;
  EXPECT_LE(a.ci95.lo, a.level);
  EXPECT_GE(a.ci95.hi, a.level);
  const sim::QuantileRanks r = sim::quantile_interval_ranks(n, q);
  ASSERT_TRUE(r.lo && r.hi);
  const double width = a.ci95.hi - a.ci95.lo, expected = 2.0 * sim::kZ95 * se;
  EXPECT_NEAR(width / expected, 1.0, kSigmas / std::sqrt(static_cast<double>(*r.hi - *r.lo)))
      << "width " << width << ", theory " << expected;
}

TEST(AchievableLevels, NormalMeasureAtSeveralConfidences) {
  const auto r = run_with(kNormalPlan, kSamples, 21, 2, confidences());
  ASSERT_FALSE(r.nan.has_value());
  const auto& below = target(r, "below");
  const auto& above = target(r, "above");
  ASSERT_EQ(below.achievable_levels.size(), kLevels.size());
  ASSERT_EQ(above.achievable_levels.size(), kLevels.size());
  for (std::size_t i = 0; i < kLevels.size(); ++i) {
    check_level(below.achievable_levels[i], kLevels[i], true, kSamples);
    check_level(above.achievable_levels[i], kLevels[i], false, kSamples);
  }
  // Higher confidence, a less ambitious level.
  for (std::size_t i = 1; i < kLevels.size(); ++i) {
    EXPECT_GT(below.achievable_levels[i].level, below.achievable_levels[i - 1].level);
    EXPECT_LT(above.achievable_levels[i].level, above.achievable_levels[i - 1].level);
  }
  EXPECT_TRUE(target(r, "both").achievable_levels.empty());  // a composite has no level
}

TEST(AchievableLevels, ThePlansConfidenceGivesExactlyTheAchievableField) {
  const auto plain = run_with(kNormalPlan, 50000, 22, 2, {});
  const auto asked = run_with(kNormalPlan, 50000, 22, 2, {0.5, 0.8, 0.9});
  for (const char* id : {"below", "above"}) {
    const auto& t = target(asked, id);
    ASSERT_EQ(t.achievable_levels.size(), 3u);
    EXPECT_EQ(std::bit_cast<std::uint64_t>(t.achievable_levels[1].level), std::bit_cast<std::uint64_t>(t.achievable))
        << id;
    // Asking for levels changes no other figure.
    EXPECT_EQ(bits_of(t), bits_of(target(plain, id))) << id;
    EXPECT_TRUE(target(plain, id).achievable_levels.empty());
  }
  EXPECT_EQ(bits_of(measure(asked, "m")), bits_of(measure(plain, "m")));
}

// The engine's intervals, end to end: 1,000 runs of n = 2,048 samples with
// seeds 1..1000 (independent keyed streams). The count of runs whose
// interval holds the exact level is binomial(1000, C), C the interval's
// exact coverage from quantile_interval_ranks (>= 0.95); a correct engine
// fails the 4.5-standard-deviation bound with probability 6.8e-6 per check.
TEST(AchievableLevels, IntervalsHoldTheExactLevelAtTheirCoverage) {
  constexpr int kRuns = 1000;
  constexpr std::uint64_t kN = 2048;
  const auto program = compile_text(kNormalPlan);
  const Level at80 = kLevels[1], at95 = kLevels[3];
  int held_most = 0, held_least = 0;
  for (int seed = 1; seed <= kRuns; ++seed) {
    sim::RunOptions options = options_for(kN, static_cast<std::uint64_t>(seed), 1);
    options.confidences = {at80.c, at95.c};
    const sim::RunResult r = sim::run(*program, options);
    const sim::AchievableLevel& most = target(r, "below").achievable_levels.at(0);    // 0.8-quantile
    const sim::AchievableLevel& least = target(r, "above").achievable_levels.at(1);  // 0.05-quantile
    const double x_most = 10.0 + 2.0 * at80.z, x_least = 10.0 - 2.0 * at95.z;
    held_most += most.ci95.lo <= x_most && x_most <= most.ci95.hi;
    held_least += least.ci95.lo <= x_least && x_least <= least.ci95.hi;
  }
  for (const auto& [held, q] : {std::pair{held_most, 0.8}, std::pair{held_least, 0.05}}) {
    const double c = sim::quantile_interval_ranks(kN, q).coverage;
    EXPECT_GE(c, 0.95);
    EXPECT_NEAR(held, kRuns * c, kSigmas * std::sqrt(kRuns * c * (1.0 - c))) << "q " << q << ", coverage " << c;
  }
}

// Local targets: each unit's levels from its own kept values, while they
// fit in RunOptions::local_quantile_bytes; none beyond it.
const std::string kUnitsPlan = R"yaml(
plan: achievable levels per unit
horizon: {start: 2003-04, periods: 4, step: quarter}
units:
  name: area
  rows:
    north: {mu: 1.0, sd: 0.5}
    south: {mu: 2.0, sd: 1.0}
local:
  measures:
    x: {value: "normal(mu, sd)"}
  targets:
    low: {measure: x, at_most: mu}
    high: {measure: x, at_least: mu}
)yaml";

TEST(AchievableLevels, LocalTargetsCarryTheirLevelsPerUnitWhileKept) {
  const auto r = run_with(kUnitsPlan, kSamples, 23, 2, confidences());
  const std::vector<std::pair<std::string, std::pair<double, double>>> areas = {{"north", {1.0, 0.5}},
                                                                                  {"south", {2.0, 1.0}}};
  for (const auto& [unit, ms] : areas) {
    for (const auto& t : r.base().targets) {
      if (t.unit != unit) continue;
      SCOPED_TRACE(t.id + " " + unit);
      ASSERT_EQ(t.achievable_levels.size(), kLevels.size());
      for (std::size_t i = 0; i < kLevels.size(); ++i) {
        const bool at_most = t.direction == graph::Direction::kAtMost;
        const double exact = ms.first + (at_most ? 1.0 : -1.0) * kLevels[i].z * ms.second;
        const double q = at_most ? kLevels[i].c : 1.0 - kLevels[i].c;
        const double se = ms.second * std::sqrt(q * (1 - q) / static_cast<double>(kSamples)) / normal_pdf(kLevels[i].z);
        EXPECT_LE(std::abs(t.achievable_levels[i].level - exact), kSigmas * se);
      }
      EXPECT_EQ(std::bit_cast<std::uint64_t>(t.achievable_levels[1].level), std::bit_cast<std::uint64_t>(t.achievable));
    }
  }
  sim::RunOptions options = options_for(20000, 23, 2);
  options.confidences = confidences();
  options.local_quantile_bytes = 1000;  // far less than 2 targets x 2 units x 20,000 samples x 8 bytes
  const sim::RunResult small = sim::run(*compile_text(kUnitsPlan), options);
  for (const auto& t : small.base().targets) EXPECT_TRUE(t.achievable_levels.empty()) << t.id << " " << t.unit;
}

std::string json_with_levels(const sim::RunResult& r) {
  report::RunInfo info;
  info.plan_title = "test";
  info.seed = r.summary.seed;
  info.samples = r.summary.samples;
  info.periods = {"2003-04", "2003-07", "2003-10", "2004-01"};
  info.confidences = confidences();
  return report::run_json(info, r, 0.8).dump();
}

TEST(AchievableLevels, BitwiseIdenticalForOneTwoAndThreeThreads) {
  const tbb::global_control allow(tbb::global_control::max_allowed_parallelism, 3);
  for (const std::string& yaml : {kNormalPlan, kUnitsPlan}) {
    const std::string one = json_with_levels(run_with(yaml, 30001, 24, 1, confidences()));
    EXPECT_NE(one.find("\"achievable_levels\":[{\"confidence\":0.5"), std::string::npos) << one;
    EXPECT_EQ(json_with_levels(run_with(yaml, 30001, 24, 2, confidences())), one);
    EXPECT_EQ(json_with_levels(run_with(yaml, 30001, 24, 3, confidences())), one);
  }
}

}  // namespace
}  // namespace plansim::e2e
