// Scenarios whose answers are known exactly (plan-format.md section 11).
//
// One small plan, run with n = 200,000 samples and a fixed seed beside one
// scenario at a time (on common random numbers), and every probability it
// reports checked against the exact value p:
//
//   |p_hit - p| <= 4.5 * sqrt(p (1 - p) / n)       (4.5 binomial standard errors)
//
// With n = 200,000 the estimate is normal to a very good approximation, so a
// correct engine fails one such check with probability 2 (1 - Phi(4.5)) =
// 6.8e-6; over the 40 or so statistical checks in this file that is about
// 3e-4 for this choice of seeds. The seeds are fixed, so the outcome is
// reproducible: a failure is a real discrepancy to investigate. Where p is
// 0 or 1 the bound is 0 and the answer must be exact; so must values that
// involve no randomness (paths, constants, a forced risk with a constant
// impact). Means use the same bound with the standard error sd / sqrt(n).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>

#include "tests/scenarios/scenario_runner.h"
#include "tests/scenarios/statistical_bounds.h"

namespace plansim::scenarios::test {
namespace {

constexpr std::uint64_t kSamples = 200000;

// a ~ N(10, 2) and m = a, so P(m <= 11) = Phi(0.5). A path assumption, a
// resource fully covering one action, an action delivered with probability
// 0.8, and a risk that occurs with probability 0.3 over the horizon with a
// constant impact of 2, each with a measure that shows it.
const std::string kPlan = R"yaml(
plan: scenario exact answers
horizon: {start: 2003-04, periods: 4, step: quarter}
assumptions:
  a: normal(10, 2)
  cut: [0, 0, 0, 0]
resources:
  hours: {available: 10}
actions:
  funded: {needs: {hours: 10}}
  chancy: {delivery: 0.8}
risks:
  r: {likelihood: 0.3, impact: 2}
measures:
  m: {value: a}
  path_m: {value: cut}
  risk_m: {value: r}
  funded_m: {value: funded}
  chancy_m: {value: chancy}
targets:
  m_low: {measure: m, at_most: 11}
  no_risk: {measure: risk_m, at_most: 0}
  funded_done: {measure: funded_m, at_least: 1}
  chancy_done: {measure: chancy_m, at_least: 1}
)yaml";

const double kBaseP = normal_cdf(0.5);  // P(N(10, 2) <= 11)

// The base and one scenario named "s".
sim::RunResult run_with(const std::string& scenario_yaml, std::uint64_t seed) {
  return run_scenarios(kPlan, {"scenario: s\n" + scenario_yaml}, kSamples, seed);
}

// The base is the plan as written, whatever scenario runs beside it.
void expect_base_unchanged(const sim::RunResult& r) {
  const sim::ScenarioResult& base = scenario(r, "base");
  EXPECT_TRUE(near_probability(target(base, "m_low").p_hit, kBaseP, kSamples));
  EXPECT_TRUE(near_mean(measure(base, "m").periods[3].mean, 10.0, 2.0, kSamples));
  EXPECT_EQ(target(base, "funded_done").p_hit, 1.0);
  EXPECT_TRUE(near_probability(target(base, "chancy_done").p_hit, 0.8, kSamples));
  EXPECT_TRUE(near_probability(target(base, "no_risk").p_hit, 0.7, kSamples));
}

TEST(ScenarioExactAnswers, ShiftAddsToTheValue) {
  // a + 1 ~ N(11, 2): P(<= 11) = Phi(0) = 1/2.
  const auto r = run_with("shift: {a: 1}\n", 101);
  expect_base_unchanged(r);
  const sim::ScenarioResult& s = scenario(r, "s");
  EXPECT_TRUE(near_probability(target(s, "m_low").p_hit, 0.5, kSamples));
  EXPECT_TRUE(near_mean(measure(s, "m").periods[3].mean, 11.0, 2.0, kSamples));
  // Untouched nodes give the base's answers.
  EXPECT_EQ(target(s, "chancy_done").p_hit, target(scenario(r, "base"), "chancy_done").p_hit);
}

TEST(ScenarioExactAnswers, ShiftsDeltaIsTheExactDifferenceWithinItsPairedStandardError) {
  // On common random numbers the scenario hits only where the base does
  // (a + 1 <= 11 implies a <= 11), so d = hit_s - hit_b is -1 with
  // probability q = P(10 < a <= 11) = Phi(0.5) - Phi(0) and 0 otherwise:
  // delta = -q exactly, with standard error sqrt(q (1 - q) / n).
  const auto r = run_with("shift: {a: 1}\n", 102);
  const double q = normal_cdf(0.5) - normal_cdf(0.0);
  const sim::Comparison& c = comparison(r, "s", "m_low");
  EXPECT_TRUE(within_bound(c.delta, -q, std::sqrt(q * (1.0 - q) / kSamples), "delta"));
  EXPECT_EQ(c.p_hit, target(scenario(r, "s"), "m_low").p_hit);
  // Delta is exactly the difference of the two P(hit)s (both are counts / n).
  EXPECT_DOUBLE_EQ(c.delta, c.p_hit - target(scenario(r, "base"), "m_low").p_hit);
  EXPECT_LT(c.ci95.lo, c.delta);
  EXPECT_GT(c.ci95.hi, c.delta);
}

TEST(ScenarioExactAnswers, ScaleMultipliesTheValue) {
  // 1.1 a ~ N(11, 2.2): P(<= 11) = 1/2.
  const auto r = run_with("scale: {a: 1.1}\n", 103);
  expect_base_unchanged(r);
  const sim::ScenarioResult& s = scenario(r, "s");
  EXPECT_TRUE(near_probability(target(s, "m_low").p_hit, 0.5, kSamples));
  EXPECT_TRUE(near_mean(measure(s, "m").periods[3].mean, 11.0, 2.2, kSamples));
}

TEST(ScenarioExactAnswers, ScaleAppliesBeforeShift) {
  // 0.5 a + 6 ~ N(11, 1): P(<= 11) = 1/2. Shift first, (a + 6) 0.5 ~ N(8, 1),
  // would give Phi(3) = 0.9987.
  const auto r = run_with("scale: {a: 0.5}\nshift: {a: 6}\n", 104);
  const sim::ScenarioResult& s = scenario(r, "s");
  EXPECT_TRUE(near_probability(target(s, "m_low").p_hit, 0.5, kSamples));
  EXPECT_TRUE(near_mean(measure(s, "m").periods[3].mean, 11.0, 1.0, kSamples));
}

TEST(ScenarioExactAnswers, SetReplacesTheValueExpression) {
  // a ~ N(9, 1): P(<= 11) = Phi(2).
  const auto r = run_with("set:\n  a: normal(9, 1)\n", 105);
  expect_base_unchanged(r);
  const sim::ScenarioResult& s = scenario(r, "s");
  EXPECT_TRUE(near_probability(target(s, "m_low").p_hit, normal_cdf(2.0), kSamples));
  EXPECT_TRUE(near_mean(measure(s, "m").periods[3].mean, 9.0, 1.0, kSamples));
}

TEST(ScenarioExactAnswers, SetOfAPathGivesItsValueInEachPeriod) {
  const auto r = run_with("set: {cut: [0.025, 0.05, 0.075, 0.1]}\n", 106);
  const double path[] = {0.025, 0.05, 0.075, 0.1};
  const sim::MeasureResult& m = measure(scenario(r, "s"), "path_m");
  ASSERT_EQ(m.periods.size(), 4u);
  for (std::size_t t = 0; t < 4; ++t) {
    EXPECT_EQ(m.periods[t].p10, path[t]) << "period " << t;
    EXPECT_EQ(m.periods[t].p50, path[t]) << "period " << t;
    EXPECT_EQ(m.periods[t].p90, path[t]) << "period " << t;
    EXPECT_NEAR(m.periods[t].mean, path[t], 1e-15) << "period " << t;
    EXPECT_EQ(measure(scenario(r, "base"), "path_m").periods[t].mean, 0.0) << "period " << t;
  }
}

TEST(ScenarioExactAnswers, SetOfAPathReplacesAScalarAssumption) {
  // a becomes 10, 11, 12, 13: the target (last period) is certainly missed
  // and m is exactly the path.
  const auto r = run_with("set: {a: [10, 11, 12, 13]}\n", 107);
  const sim::ScenarioResult& s = scenario(r, "s");
  EXPECT_EQ(target(s, "m_low").p_hit, 0.0);
  for (std::size_t t = 0; t < 4; ++t) EXPECT_EQ(measure(s, "m").periods[t].p50, 10.0 + static_cast<double>(t));
}

TEST(ScenarioExactAnswers, ForcedOccursRiskTakesItsImpactFromPeriodZero) {
  const auto r = run_with("force: {r: occurs}\n", 108);
  expect_base_unchanged(r);
  const sim::ScenarioResult& s = scenario(r, "s");
  EXPECT_EQ(target(s, "no_risk").p_hit, 0.0);
  // The 95% interval of a P(hit) of exactly 0 starts at 0.
  EXPECT_EQ(target(s, "no_risk").ci95.lo, 0.0);
  for (std::size_t t = 0; t < 4; ++t) {
    EXPECT_EQ(measure(s, "risk_m").periods[t].mean, 2.0) << "period " << t;
    EXPECT_EQ(measure(s, "risk_m").periods[t].p10, 2.0) << "period " << t;
  }
  // Paired: every sample where the base hits, the scenario misses.
  const sim::Comparison& c = comparison(r, "s", "no_risk");
  EXPECT_EQ(c.delta, -target(scenario(r, "base"), "no_risk").p_hit);
}

TEST(ScenarioExactAnswers, ForcedNeverRiskNeverOccurs) {
  const auto r = run_with("force: {r: never}\n", 109);
  const sim::ScenarioResult& s = scenario(r, "s");
  EXPECT_EQ(target(s, "no_risk").p_hit, 1.0);
  // The 95% interval of a P(hit) of exactly 1 ends at 1.
  EXPECT_EQ(target(s, "no_risk").ci95.hi, 1.0);
  for (std::size_t t = 0; t < 4; ++t) EXPECT_EQ(measure(s, "risk_m").periods[t].mean, 0.0) << "period " << t;
  // The base: occurred by period t with probability 1 - 0.7^((t + 1) / 4).
  const sim::ScenarioResult& base = scenario(r, "base");
  for (std::size_t t = 0; t < 4; ++t) {
    const double p = 1.0 - std::pow(0.7, static_cast<double>(t + 1) / 4.0);
    EXPECT_TRUE(near_mean(measure(base, "risk_m").periods[t].mean, 2.0 * p, 2.0 * std::sqrt(p * (1.0 - p)), kSamples))
        << "period " << t;
  }
}

TEST(ScenarioExactAnswers, ForcedDeliveredActionIsDeliveredAndTheRestKeepTheirDraws) {
  // An extension: chancy (0.8) delivered for certain; not_delivered for funded (1).
  const auto r = run_with("force: {chancy: delivered, funded: not_delivered}\n", 114);
  expect_base_unchanged(r);
  const sim::ScenarioResult& s = scenario(r, "s");
  EXPECT_EQ(target(s, "chancy_done").p_hit, 1.0);
  EXPECT_EQ(target(s, "funded_done").p_hit, 0.0);
  // Common random numbers: every other node is the base's, draw for draw.
  EXPECT_EQ(target(s, "m_low").p_hit, target(scenario(r, "base"), "m_low").p_hit);
  EXPECT_EQ(target(s, "no_risk").p_hit, target(scenario(r, "base"), "no_risk").p_hit);
  // Paired: only the samples where the base missed change.
  const sim::Comparison& c = comparison(r, "s", "chancy_done");
  EXPECT_DOUBLE_EQ(c.delta, 1.0 - target(scenario(r, "base"), "chancy_done").p_hit);
}

TEST(ScenarioExactAnswers, IntervalOfACertainMissOrHitContainsItsProbability) {
  // A forced risk makes P(hit) exactly 0 (occurs) or 1 (never); the 95%
  // interval must then start at 0 or end at 1, whatever the sample count.
  // 2,000 samples is a count where the Wilson formula's two terms, equal in
  // exact arithmetic at 0 hits, round apart.
  constexpr std::uint64_t n = 2000;
  const auto occurs = run_scenarios(kPlan, {"scenario: s\nforce: {r: occurs}\n"}, n, 113);
  const sim::TargetResult& miss = target(scenario(occurs, "s"), "no_risk");
  EXPECT_EQ(miss.p_hit, 0.0);
  EXPECT_EQ(miss.ci95.lo, 0.0) << "interval [" << miss.ci95.lo << ", " << miss.ci95.hi << "] excludes 0";
  const auto never = run_scenarios(kPlan, {"scenario: s\nforce: {r: never}\n"}, n, 113);
  const sim::TargetResult& hit = target(scenario(never, "s"), "no_risk");
  EXPECT_EQ(hit.p_hit, 1.0);
  EXPECT_EQ(hit.ci95.hi, 1.0) << "interval [" << hit.ci95.lo << ", " << hit.ci95.hi << "] excludes 1";
}

TEST(ScenarioExactAnswers, ScaledResourceCoversHalfAndTheActionIsDeliveredHalfTheTime) {
  // available 5 against a demand of 10: cover 0.5 in every active period,
  // funding 0.5, delivery (= funding) 0.5.
  const auto r = run_with("scale: {hours: 0.5}\n", 110);
  expect_base_unchanged(r);
  const sim::ScenarioResult& s = scenario(r, "s");
  EXPECT_TRUE(near_probability(target(s, "funded_done").p_hit, 0.5, kSamples));
  const sim::ResourceResult& hours = resource(s, "hours");
  for (std::size_t t = 0; t < 4; ++t) {
    EXPECT_EQ(hours.periods[t].available, 5.0) << "period " << t;
    EXPECT_EQ(hours.periods[t].demand, 10.0) << "period " << t;
    EXPECT_EQ(hours.periods[t].p_short, 1.0) << "period " << t;
    EXPECT_EQ(resource(scenario(r, "base"), "hours").periods[t].p_short, 0.0) << "period " << t;
  }
}

TEST(ScenarioExactAnswers, ScaledActionHasItsDeliveryProbabilityScaled) {
  // chancy: 0.8 x 0.5 = 0.4; funded: funding 1 x 0.5 = 0.5.
  const auto r = run_with("scale: {chancy: 0.5, funded: 0.5}\n", 111);
  expect_base_unchanged(r);
  const sim::ScenarioResult& s = scenario(r, "s");
  EXPECT_TRUE(near_probability(target(s, "chancy_done").p_hit, 0.4, kSamples));
  EXPECT_TRUE(near_probability(target(s, "funded_done").p_hit, 0.5, kSamples));
}

TEST(ScenarioExactAnswers, ExtendedScenarioOverridesItsParentNodeByNode) {
  // Parent: 1.1 a + 1, and cut set to a path. Child: its own shift of a
  // (-1) replaces the parent's (+1); the parent's scale and set remain. So
  // the value is 1.1 a - 1 ~ N(10, 2.2) and P(<= 11) = Phi(1 / 2.2).
  ScratchDir dir;
  dir.write("parent.yaml", "scenario: parent\nscale: {a: 1.1}\nshift: {a: 1}\nset: {cut: [1, 2, 3, 4]}\n");
  const std::string child = dir.write("child.yaml", "scenario: child\nextends: parent.yaml\nshift: {a: -1}\n");
  rules::Diagnostics diags;
  Compiled c = compile_files(graph::load_plan_text(kPlan, kPlanFile, diags), std::move(diags), {child});
  ASSERT_TRUE(c.program) << c.diags.to_string();
  const auto r = run_program(*c.program, kSamples, 112, 2);
  const sim::ScenarioResult& s = scenario(r, "child");
  EXPECT_TRUE(near_probability(target(s, "m_low").p_hit, normal_cdf(1.0 / 2.2), kSamples));
  EXPECT_TRUE(near_mean(measure(s, "m").periods[3].mean, 10.0, 2.2, kSamples));
  EXPECT_EQ(measure(s, "path_m").periods[2].p50, 3.0);
}

}  // namespace
}  // namespace plansim::scenarios::test
