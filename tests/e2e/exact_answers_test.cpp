// End-to-end runs of small plans whose answers are known exactly.
//
// Each plan is YAML text inline in its test; it is loaded, compiled and
// simulated in-process with n = 200,000 samples and a fixed seed, and every
// probability it reports is checked against the exact value p:
//
//   |p_hit - p| <= 4.5 * sqrt(p (1 - p) / n)       (4.5 binomial standard errors)
//
// With n = 200,000 the estimate is normal to a very good approximation, so a
// correct engine fails one such check with probability 2 (1 - Phi(4.5)) =
// 6.8e-6; over the 80 or so statistical checks in this file that is about
// 5e-4 per choice of seeds. The seeds are fixed, so the outcome is
// reproducible: a failure is a real discrepancy to investigate, never noise
// to retry away. Where p is 0 or 1 the bound is 0 and the answer must be
// exact. Means use the same bound with the standard error sd / sqrt(n), and
// quantiles the asymptotic standard error of a sample quantile,
// sqrt(c (1 - c) / n) / f(x_c) with f the density at the exact quantile x_c.
// Values that involve no randomness (paths, cum, delay, constants) are
// compared exactly.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <iomanip>
#include <numbers>
#include <sstream>
#include <string>
#include <vector>

#include "tests/e2e/plan_runner.h"

namespace plansim::e2e {
namespace {

constexpr std::uint64_t kSamples = 200000;
constexpr double kSigmas = 4.5;
constexpr double kZ80 = 0.8416212335729143;  // standard normal 0.8 quantile
constexpr double kZ90 = 1.2815515655446004;  // standard normal 0.9 quantile

// Four quarters from 2003-04: periods 2003-04, 2003-07, 2003-10, 2004-01.
const std::string kHeader = R"yaml(
plan: exact answer
horizon: {start: 2003-04, periods: 4, step: quarter}
)yaml";

// The share of all samples that `count` is.
double fraction(std::uint64_t count) { return static_cast<double>(count) / static_cast<double>(kSamples); }

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::numbers::sqrt2); }
double normal_pdf(double x) { return std::exp(-0.5 * x * x) / std::sqrt(2.0 * std::numbers::pi); }

testing::AssertionResult within_bound(double got, double exact, double se, const char* what) {
  const double err = std::abs(got - exact);
  if (err <= kSigmas * se) return testing::AssertionSuccess();
  std::ostringstream out;
  out << std::setprecision(17) << what << " " << got << ", exact " << exact << ": off by " << err
      << " = " << err / se << " standard errors of " << se << " (bound " << kSigmas << ")";
  return testing::AssertionFailure() << out.str();
}

// |p - p_exact| <= 4.5 sqrt(p_exact (1 - p_exact) / n).
testing::AssertionResult near_probability(double p, double p_exact, std::uint64_t n = kSamples) {
  return within_bound(p, p_exact, std::sqrt(p_exact * (1.0 - p_exact) / static_cast<double>(n)),
                      "probability");
}

// A sample mean of a variable with standard deviation sd.
testing::AssertionResult near_mean(double mean, double exact, double sd, std::uint64_t n = kSamples) {
  return within_bound(mean, exact, sd / std::sqrt(static_cast<double>(n)), "mean");
}

// The sample c-quantile of a variable whose density at the exact quantile is `density`.
testing::AssertionResult near_quantile(double q, double exact, double c, double density,
                                       std::uint64_t n = kSamples) {
  return within_bound(q, exact, std::sqrt(c * (1.0 - c) / static_cast<double>(n)) / density, "quantile");
}

// ---- a. a normal measure against thresholds ---------------------------------

TEST(ExactAnswers, NormalMeasureHitsThresholdsWithNormalProbabilities) {
  const auto r = run_plan(kHeader + R"yaml(
measures:
  m: {value: "normal(10, 2)"}
targets:
  below: {measure: m, at_most: 11, milestones: [{at_most: 7, by: 2003-07}]}
  above: {measure: m, at_least: 13}
)yaml",
                          kSamples, 11);
  const auto& below = target(r, "below");
  const auto& above = target(r, "above");
  EXPECT_TRUE(near_probability(below.p_hit, normal_cdf(0.5)));
  EXPECT_TRUE(near_probability(above.p_hit, 1.0 - normal_cdf(1.5)));
  ASSERT_EQ(below.milestones.size(), 1u);
  EXPECT_EQ(below.milestones[0].by, 1);
  EXPECT_TRUE(near_probability(below.milestones[0].p_hit, normal_cdf(-1.5)));
  // A 95% interval around the estimate contains it.
  EXPECT_LE(below.ci95.lo, below.p_hit);
  EXPECT_GE(below.ci95.hi, below.p_hit);
  EXPECT_FALSE(r.nan.has_value());
  for (const auto& p : measure(r, "m").periods) EXPECT_TRUE(near_mean(p.mean, 10.0, 2.0));
}

TEST(ExactAnswers, AchievableLevelIsTheConfidenceQuantileOfANormalMeasure) {
  const auto r = run_plan(kHeader + R"yaml(
measures:
  m: {value: "normal(10, 2)"}
targets:
  below: {measure: m, at_most: 11}
  above: {measure: m, at_least: 9}
)yaml",
                          kSamples, 12);
  const double density80 = normal_pdf(kZ80) / 2.0;
  const double density90 = normal_pdf(kZ90) / 2.0;
  // at_most: the 0.8-quantile; at_least: the 0.2-quantile (default confidence 0.8).
  EXPECT_TRUE(near_quantile(target(r, "below").achievable, 10.0 + 2.0 * kZ80, 0.8, density80));
  EXPECT_TRUE(near_quantile(target(r, "above").achievable, 10.0 - 2.0 * kZ80, 0.2, density80));
  const auto& t = target(r, "below");
  EXPECT_TRUE(near_quantile(t.p10, 10.0 - 2.0 * kZ90, 0.1, density90));
  EXPECT_TRUE(near_quantile(t.p50, 10.0, 0.5, normal_pdf(0.0) / 2.0));
  EXPECT_TRUE(near_quantile(t.p90, 10.0 + 2.0 * kZ90, 0.9, density90));
}

TEST(ExactAnswers, AchievableLevelFollowsThePlansConfidence) {
  const auto r = run_plan(R"yaml(
plan: exact answer
horizon: {start: 2003-04, periods: 4, step: quarter}
settings: {confidence: 0.9}
measures:
  m: {value: "normal(10, 2)"}
targets:
  below: {measure: m, at_most: 11}
  above: {measure: m, at_least: 9}
)yaml",
                          kSamples, 13);
  const double density = normal_pdf(kZ90) / 2.0;
  EXPECT_TRUE(near_quantile(target(r, "below").achievable, 10.0 + 2.0 * kZ90, 0.9, density));
  EXPECT_TRUE(near_quantile(target(r, "above").achievable, 10.0 - 2.0 * kZ90, 0.1, density));
}

// ---- b. a Poisson-binomial count of independent actions --------------------

// P(at least k of the independent events with probabilities p happen), by
// enumerating every outcome.
double at_least_k_of(const std::vector<double>& p, int k) {
  double total = 0.0;
  const unsigned outcomes = 1u << p.size();
  for (unsigned mask = 0; mask < outcomes; ++mask) {
    double prob = 1.0;
    int count = 0;
    for (std::size_t i = 0; i < p.size(); ++i) {
      const bool happens = (mask >> i) & 1u;
      prob *= happens ? p[i] : 1.0 - p[i];
      count += happens;
    }
    if (count >= k) total += prob;
  }
  return total;
}

TEST(ExactAnswers, CountOfIndependentActionsIsPoissonBinomial) {
  const auto r = run_plan(kHeader + R"yaml(
actions:
  a1: {delivery: 0.9}
  a2: {delivery: 0.8}
  a3: {delivery: 0.7}
  a4: {delivery: 0.6}
measures:
  delivered: {value: a1 + a2 + a3 + a4}
targets:
  three: {measure: delivered, at_least: 3, milestones: [{at_least: 1, by: 2003-10}]}
  one: {measure: delivered, at_least: 1}
  all_four: {measure: delivered, at_least: 4}
  none: {measure: delivered, at_most: 0}
)yaml",
                          kSamples, 21);
  const std::vector<double> p = {0.9, 0.8, 0.7, 0.6};
  EXPECT_TRUE(near_probability(target(r, "three").p_hit, at_least_k_of(p, 3)));
  EXPECT_TRUE(near_probability(target(r, "one").p_hit, at_least_k_of(p, 1)));
  EXPECT_TRUE(near_probability(target(r, "all_four").p_hit, 0.9 * 0.8 * 0.7 * 0.6));
  EXPECT_TRUE(near_probability(target(r, "none").p_hit, 0.1 * 0.2 * 0.3 * 0.4));
  // The actions are due in the last period, so before it none is delivered.
  ASSERT_EQ(target(r, "three").milestones.size(), 1u);
  EXPECT_EQ(target(r, "three").milestones[0].p_hit, 0.0);
  EXPECT_TRUE(near_mean(measure(r, "delivered").periods[3].mean, 0.9 + 0.8 + 0.7 + 0.6,
                        std::sqrt(0.9 * 0.1 + 0.8 * 0.2 + 0.7 * 0.3 + 0.6 * 0.4)));
}

TEST(ExactAnswers, ActionIsZeroBeforeDueAndHoldsItsDeliveryFromDueOn) {
  const auto r = run_plan(kHeader + R"yaml(
actions:
  early: {delivery: 0.7, due: 2003-07}
measures:
  done: {value: early}
  changed: {value: abs(early - prev(early))}
targets:
  done_at_end: {measure: done, at_least: 1,
                milestones: [{at_least: 1, by: 2003-04}, {at_least: 1, by: 2003-07}, {at_least: 1, by: 2003-10}]}
  steady_after_due: {measure: changed, at_most: 0, milestones: [{at_most: 0, by: 2003-10}]}
)yaml",
                          kSamples, 22);
  const auto& t = target(r, "done_at_end");
  EXPECT_TRUE(near_probability(t.p_hit, 0.7));
  ASSERT_EQ(t.milestones.size(), 3u);
  EXPECT_EQ(t.milestones[0].p_hit, 0.0);
  EXPECT_TRUE(near_probability(t.milestones[1].p_hit, 0.7));
  EXPECT_TRUE(near_probability(t.milestones[2].p_hit, 0.7));
  // Once delivered (or not) at due, the value never changes.
  EXPECT_EQ(target(r, "steady_after_due").p_hit, 1.0);
  EXPECT_EQ(target(r, "steady_after_due").milestones[0].p_hit, 1.0);
}

// ---- c. resources shared between actions -------------------------------------

TEST(ExactAnswers, TwoActionsSharingAResourceThatCoversHalfAreEachDeliveredHalfTheTime) {
  const auto r = run_plan(kHeader + R"yaml(
resources:
  staff: {available: 10}
actions:
  x: {needs: {staff: 10}}
  y: {needs: {staff: 10}}
measures:
  both: {value: x * y}
  either: {value: "max(x, y)"}
  x_only: {value: x}
targets:
  both_delivered: {measure: both, at_least: 1}
  either_delivered: {measure: either, at_least: 1}
  x_delivered: {measure: x_only, at_least: 1}
)yaml",
                          kSamples, 31);
  EXPECT_TRUE(near_probability(target(r, "x_delivered").p_hit, 0.5));
  EXPECT_TRUE(near_probability(target(r, "both_delivered").p_hit, 0.25));
  EXPECT_TRUE(near_probability(target(r, "either_delivered").p_hit, 0.75));
  const auto& staff = resource(r, "staff");
  ASSERT_EQ(staff.periods.size(), 4u);
  for (const auto& p : staff.periods) {
    EXPECT_EQ(p.available, 10.0);
    EXPECT_EQ(p.demand, 20.0);
    EXPECT_EQ(p.p_short, 1.0);
  }
}

// Staff: x, y, u active in every period, w from 2003-10, so demand 30, 30,
// 40, 40 and cover 1/3, 1/3, 1/4, 1/4. Rooms: 1, 1, 3, 3 available for a
// demand of 6 (u 2, v 4), cover 1/6, 1/6, 1/2, 1/2. Funding is the mean over
// the active periods of the smallest cover in each period:
//   x, y: 7/24;  w: 1/4;  v: 1/3 (delivery 0.9 * funding = 0.3);
//   u: (1/6 + 1/6 + 1/4 + 1/4) / 4 = 5/24, which is not the smaller of the
//      two means (staff 7/24, rooms 1/3).
TEST(ExactAnswers, FundingIsTheMeanOverActivePeriodsOfTheSmallestCover) {
  const auto r = run_plan(kHeader + R"yaml(
resources:
  staff: {available: 10}
  rooms: {available: "if(t < 2, 1, 3)"}
actions:
  x: {needs: {staff: 10}}
  y: {needs: {staff: 10}}
  w: {needs: {staff: 10}, from: 2003-10}
  u: {needs: {staff: 10, rooms: 2}}
  v: {needs: {rooms: 4}, delivery: 0.9 * funding}
measures:
  xy: {value: x * y}
  wm: {value: w}
  um: {value: u}
  vm: {value: v}
targets:
  x_and_y: {measure: xy, at_least: 1}
  w_delivered: {measure: wm, at_least: 1}
  u_delivered: {measure: um, at_least: 1}
  v_delivered: {measure: vm, at_least: 1}
)yaml",
                          kSamples, 32);
  EXPECT_TRUE(near_probability(target(r, "x_and_y").p_hit, (7.0 / 24.0) * (7.0 / 24.0)));
  EXPECT_TRUE(near_probability(target(r, "w_delivered").p_hit, 0.25));
  EXPECT_TRUE(near_probability(target(r, "u_delivered").p_hit, 5.0 / 24.0));
  EXPECT_TRUE(near_probability(target(r, "v_delivered").p_hit, 0.3));
  const auto& staff = resource(r, "staff");
  const auto& rooms = resource(r, "rooms");
  const double staff_demand[] = {30, 30, 40, 40};
  const double rooms_available[] = {1, 1, 3, 3};
  for (std::size_t t = 0; t < 4; ++t) {
    SCOPED_TRACE("period " + std::to_string(t));
    EXPECT_EQ(staff.periods[t].available, 10.0);
    EXPECT_EQ(staff.periods[t].demand, staff_demand[t]);
    EXPECT_EQ(staff.periods[t].p_short, 1.0);
    EXPECT_EQ(rooms.periods[t].available, rooms_available[t]);
    EXPECT_EQ(rooms.periods[t].demand, 6.0);
    EXPECT_EQ(rooms.periods[t].p_short, 1.0);
  }
}

// ---- d. risks ------------------------------------------------------------------

// A risk of likelihood L over 4 periods occurs in each period with
// probability q = 1 - (1 - L)^(1/4), so P(not occurred by period k) =
// (1 - L)^((k + 1) / 4). Mitigation by an action delivered in period 0
// halves L from period 1 on.
TEST(ExactAnswers, RiskOccursAtTheRateImpliedByItsLikelihoodAndMitigation) {
  const auto r = run_plan(kHeader + R"yaml(
actions:
  fix: {delivery: 1, due: 2003-04}
  maybe_fix: {delivery: 0.6, due: 2003-04}
risks:
  plain: {likelihood: 0.5}
  mitigated: {likelihood: 0.5, mitigated_by: {fix: 0.5}}
  partly: {likelihood: 0.5, mitigated_by: {maybe_fix: 0.5}}
  high: {likelihood: H}
measures:
  plain_m: {value: plain}
  mitigated_m: {value: mitigated}
  partly_m: {value: partly}
  high_m: {value: high}
targets:
  plain_absent: {measure: plain_m, at_most: 0,
                 milestones: [{at_most: 0, by: 2003-04}, {at_most: 0, by: 2003-07}, {at_most: 0, by: 2003-10}]}
  mitigated_absent: {measure: mitigated_m, at_most: 0,
                     milestones: [{at_most: 0, by: 2003-04}, {at_most: 0, by: 2003-07}, {at_most: 0, by: 2003-10}]}
  partly_absent: {measure: partly_m, at_most: 0,
                  milestones: [{at_most: 0, by: 2003-04}, {at_most: 0, by: 2003-07}, {at_most: 0, by: 2003-10}]}
  high_absent: {measure: high_m, at_most: 0}
  plain_occurred: {measure: plain_m, at_least: 1}
)yaml",
                          kSamples, 41);
  auto check = [&](const char* id, auto p_absent_by) {
    SCOPED_TRACE(id);
    const auto& t = target(r, id);
    ASSERT_EQ(t.milestones.size(), 3u);
    for (int k = 0; k < 3; ++k) {
      SCOPED_TRACE("period " + std::to_string(k));
      EXPECT_TRUE(near_probability(t.milestones[static_cast<std::size_t>(k)].p_hit, p_absent_by(k)));
    }
    EXPECT_TRUE(near_probability(t.p_hit, p_absent_by(3)));
  };
  check("plain_absent", [](int k) { return std::pow(0.5, (k + 1) / 4.0); });
  check("mitigated_absent", [](int k) { return std::pow(0.5, 0.25) * std::pow(0.75, k / 4.0); });
  check("partly_absent", [](int k) {
    return std::pow(0.5, 0.25) * (0.6 * std::pow(0.75, k / 4.0) + 0.4 * std::pow(0.5, k / 4.0));
  });
  EXPECT_TRUE(near_probability(target(r, "plain_occurred").p_hit, 0.5));
  // H is 0.6 on the default likelihood scale.
  EXPECT_TRUE(near_probability(target(r, "high_absent").p_hit, 0.4));
}

TEST(ExactAnswers, RiskImpactIsDrawnOnceAndHeldFromTheOccurrenceOn) {
  const auto r = run_plan(kHeader + R"yaml(
risks:
  sure: {likelihood: 1, impact: "normal(3, 1)"}
measures:
  size: {value: sure}
  change: {value: "abs(sure - prev(sure, sure))"}
targets:
  small: {measure: size, at_most: 4, milestones: [{at_most: 2, by: 2003-04}]}
  held: {measure: change, at_most: 0,
         milestones: [{at_most: 0, by: 2003-04}, {at_most: 0, by: 2003-07}, {at_most: 0, by: 2003-10}]}
)yaml",
                          kSamples, 42);
  EXPECT_TRUE(near_probability(target(r, "small").p_hit, normal_cdf(1.0)));
  EXPECT_TRUE(near_probability(target(r, "small").milestones[0].p_hit, normal_cdf(-1.0)));
  EXPECT_EQ(target(r, "held").p_hit, 1.0);
  for (const auto& m : target(r, "held").milestones) EXPECT_EQ(m.p_hit, 1.0);
}

// ---- e. time functions: prev, cum, delay --------------------------------------------

TEST(ExactAnswers, RandomWalkBuiltWithPrevHasVarianceGrowingByOneEachPeriod) {
  const auto r = run_plan(kHeader + R"yaml(
measures:
  walk: {baseline: 0, value: "prev(walk) + normal(0, 1)"}
  walk_total: {value: cum(walk)}
targets:
  walk_low: {measure: walk, at_most: 1, milestones: [{at_most: 1, by: 2003-04}, {at_most: 1, by: 2003-07}]}
  total_low: {measure: walk_total, at_most: 3}
)yaml",
                          kSamples, 51);
  const auto& t = target(r, "walk_low");
  // walk at period k ~ N(0, k + 1).
  EXPECT_TRUE(near_probability(t.p_hit, normal_cdf(0.5)));
  EXPECT_TRUE(near_probability(t.milestones[0].p_hit, normal_cdf(1.0)));
  EXPECT_TRUE(near_probability(t.milestones[1].p_hit, normal_cdf(1.0 / std::numbers::sqrt2)));
  EXPECT_TRUE(near_quantile(t.p90, 2.0 * kZ90, 0.9, normal_pdf(kZ90) / 2.0));
  // cum(walk) at period 3 = 4 e0 + 3 e1 + 2 e2 + e3 ~ N(0, 30).
  EXPECT_TRUE(near_probability(target(r, "total_low").p_hit, normal_cdf(3.0 / std::sqrt(30.0))));
  for (std::size_t k = 0; k < 4; ++k)
    EXPECT_TRUE(near_mean(measure(r, "walk").periods[k].mean, 0.0, std::sqrt(static_cast<double>(k) + 1.0)));
}

TEST(ExactAnswers, CumDelayAndPrevOfConstantsGiveExactValues) {
  const auto r = run_plan(kHeader + R"yaml(
measures:
  counter: {value: cum(1)}
  step: {value: t + 1}
  lagged: {value: "delay(step, 2)"}
  from_five: {baseline: 5, value: prev(from_five) + 1}
  from_seven: {value: "prev(step, 7)"}
targets:
  counter_t: {measure: counter, at_least: 4}
)yaml",
                          kSamples, 52);
  const double counter[] = {1, 2, 3, 4};
  const double lagged[] = {0, 0, 1, 2};
  const double from_five[] = {6, 7, 8, 9};
  const double from_seven[] = {7, 1, 2, 3};
  auto exact = [&](const char* id, const double* want) {
    const auto& m = measure(r, id);
    ASSERT_EQ(m.periods.size(), 4u);
    for (std::size_t k = 0; k < 4; ++k) {
      SCOPED_TRACE(std::string(id) + " in period " + std::to_string(k));
      EXPECT_EQ(m.periods[k].mean, want[k]);
      EXPECT_EQ(m.periods[k].p10, want[k]);
      EXPECT_EQ(m.periods[k].p50, want[k]);
      EXPECT_EQ(m.periods[k].p90, want[k]);
    }
  };
  exact("counter", counter);
  exact("lagged", lagged);
  exact("from_five", from_five);
  exact("from_seven", from_seven);
  EXPECT_EQ(target(r, "counter_t").p_hit, 1.0);
}

// ---- f. composite targets ----------------------------------------------------------

TEST(ExactAnswers, CompositeTargetsCombineIndependentPartsAsProductsAndComplements) {
  const auto r = run_plan(kHeader + R"yaml(
actions:
  a: {delivery: 0.9}
  b: {delivery: 0.6}
  c: {delivery: 0.3}
measures:
  am: {value: a}
  bm: {value: b}
  cm: {value: c}
targets:
  ta: {measure: am, at_least: 1}
  tb: {measure: bm, at_least: 1}
  tc: {measure: cm, at_least: 1}
  every: {all_of: [ta, tb, tc]}
  some: {any_of: [ta, tb, tc]}
  two: {at_least_of: {count: 2, of: [ta, tb, tc]}}
  a_and_b: {all_of: [ta, tb]}
  nested: {any_of: [a_and_b, tc]}
)yaml",
                          kSamples, 61);
  const double pa = 0.9, pb = 0.6, pc = 0.3;
  EXPECT_TRUE(near_probability(target(r, "ta").p_hit, pa));
  EXPECT_TRUE(near_probability(target(r, "every").p_hit, pa * pb * pc));
  EXPECT_TRUE(near_probability(target(r, "some").p_hit, 1.0 - (1 - pa) * (1 - pb) * (1 - pc)));
  EXPECT_TRUE(near_probability(target(r, "two").p_hit, at_least_k_of({pa, pb, pc}, 2)));
  EXPECT_TRUE(near_probability(target(r, "nested").p_hit, 1.0 - (1 - pa * pb) * (1 - pc)));
  EXPECT_TRUE(target(r, "every").composite);
}

// ---- g. per: plan holds a draw, per: period draws afresh ------------------------------

TEST(ExactAnswers, PerPlanAssumptionHoldsItsDrawWhilePerPeriodDrawsAfresh) {
  const auto r = run_plan(kHeader + R"yaml(
assumptions:
  held: normal(0, 1)
  fresh: {value: "normal(0, 1)", per: period}
measures:
  held_level: {value: held}
  held_change: {value: "abs(held - prev(held, held))"}
  fresh_change: {value: "fresh - prev(fresh, fresh)"}
  fresh_change_sq: {value: "(fresh - prev(fresh, fresh)) ^ 2"}
targets:
  held_low: {measure: held_level, at_most: 1}
  held_constant: {measure: held_change, at_most: 0,
                  milestones: [{at_most: 0, by: 2003-04}, {at_most: 0, by: 2003-07}, {at_most: 0, by: 2003-10}]}
  fresh_small: {measure: fresh_change, at_most: 1, milestones: [{at_most: 1, by: 2003-07}]}
)yaml",
                          kSamples, 71);
  EXPECT_TRUE(near_probability(target(r, "held_low").p_hit, normal_cdf(1.0)));
  EXPECT_EQ(target(r, "held_constant").p_hit, 1.0);
  for (const auto& m : target(r, "held_constant").milestones) EXPECT_EQ(m.p_hit, 1.0);
  // Two independent N(0, 1) draws differ by N(0, 2).
  const auto& fresh = target(r, "fresh_small");
  EXPECT_TRUE(near_probability(fresh.p_hit, normal_cdf(1.0 / std::numbers::sqrt2)));
  EXPECT_TRUE(near_probability(fresh.milestones[0].p_hit, normal_cdf(1.0 / std::numbers::sqrt2)));
  // E[(e1 - e0)^2] = 2, and (e1 - e0)^2 = 2 chi2(1) has standard deviation sqrt(8).
  const auto& sq = measure(r, "fresh_change_sq");
  for (std::size_t k = 1; k < 4; ++k) EXPECT_TRUE(near_mean(sq.periods[k].mean, 2.0, std::sqrt(8.0)));
  EXPECT_EQ(sq.periods[0].mean, 0.0);
  EXPECT_EQ(sq.periods[0].p90, 0.0);
}

// ---- h. paths -----------------------------------------------------------------

TEST(ExactAnswers, PathAssumptionGivesItsListedValueInEachPeriod) {
  const auto r = run_plan(kHeader + R"yaml(
assumptions:
  cut: [0, 0.03, 0.06, 0.10]
  ramp: [1, 2 * 1.5, t * 10, 4 + t]
  coin: ["uniform(0, 1)", "uniform(0, 1)", 0.5, 0.5]
measures:
  cut_m: {value: cut}
  budget: {value: 100 * (1 - cut)}
  ramp_m: {value: ramp}
  both_heads: {value: (coin < 0.5) * prev(coin < 0.5)}
targets:
  budget_ok: {measure: budget, at_least: 90, milestones: [{at_least: 95, by: 2003-10}]}
  heads_twice: {measure: both_heads, at_least: 1, by: 2003-07}
)yaml",
                          kSamples, 81);
  const double cut[] = {0, 0.03, 0.06, 0.10};
  const double ramp[] = {1, 3, 20, 7};
  for (std::size_t k = 0; k < 4; ++k) {
    SCOPED_TRACE("period " + std::to_string(k));
    const auto& c = measure(r, "cut_m").periods[k];
    const auto& b = measure(r, "budget").periods[k];
    const auto& p = measure(r, "ramp_m").periods[k];
    // The mean of n equal values, summed with compensation: equal to within rounding.
    EXPECT_DOUBLE_EQ(c.mean, cut[k]);
    EXPECT_EQ(c.p10, cut[k]);
    EXPECT_EQ(c.p50, cut[k]);
    EXPECT_EQ(c.p90, cut[k]);
    EXPECT_EQ(b.p50, 100.0 * (1.0 - cut[k]));
    EXPECT_DOUBLE_EQ(p.mean, ramp[k]);
    EXPECT_EQ(p.p10, ramp[k]);
    EXPECT_EQ(p.p90, ramp[k]);
  }
  EXPECT_EQ(target(r, "budget_ok").p_hit, 1.0);
  EXPECT_EQ(target(r, "budget_ok").milestones[0].p_hit, 0.0);  // 94 in 2003-10
  // Each entry of a path draws on its own: two fair coins.
  EXPECT_TRUE(near_probability(target(r, "heads_twice").p_hit, 0.25));
}

// ---- i. NaN reaching a target -----------------------------------------------------

TEST(ExactAnswers, LogOfANegativeDrawIsReportedAtTheMeasureAndPeriodThatMadeIt) {
  const auto r = run_plan(kHeader + R"yaml(
assumptions:
  a: normal(0, 1)
measures:
  l: {value: log(a)}
targets:
  l_ok: {measure: l, at_least: 0}
)yaml",
                          kSamples, 91);
  ASSERT_TRUE(r.nan.has_value());
  EXPECT_EQ(r.summary.stop, sim::StopReason::kNaN);
  EXPECT_EQ(r.nan->target, "l_ok");
  EXPECT_EQ(r.nan->node, "l");
  EXPECT_EQ(r.nan->period, 0);
  EXPECT_TRUE(near_probability(fraction(r.nan->samples), 0.5));
  EXPECT_LT(r.nan->first_sample, kSamples);
}

TEST(ExactAnswers, DivisionByZeroIsReportedAtTheMeasureThatDivided) {
  const auto r = run_plan(kHeader + R"yaml(
assumptions:
  b: bernoulli(0.5)
measures:
  q: {value: 1 / b}
targets:
  q_ok: {measure: q, at_most: 2}
)yaml",
                          kSamples, 92);
  ASSERT_TRUE(r.nan.has_value());
  EXPECT_EQ(r.nan->target, "q_ok");
  EXPECT_EQ(r.nan->node, "q");
  EXPECT_EQ(r.nan->period, 0);
  EXPECT_TRUE(near_probability(fraction(r.nan->samples), 0.5));
}

TEST(ExactAnswers, NanIsTracedToTheUpstreamNodeAndLaterPeriodWhereItFirstAppeared) {
  // a - t is negative from period 2 on, in every sample; the target reads
  // period 2, so the NaN it sees first appeared in `root` in period 2.
  const auto r = run_plan(kHeader + R"yaml(
assumptions:
  a: uniform(1, 1.5)
measures:
  root: {value: sqrt(a - t)}
  downstream: {value: root + 1}
targets:
  downstream_ok: {measure: downstream, at_least: 0, by: 2003-10}
)yaml",
                          kSamples, 93);
  ASSERT_TRUE(r.nan.has_value());
  EXPECT_EQ(r.nan->target, "downstream_ok");
  EXPECT_EQ(r.nan->node, "root");
  EXPECT_EQ(r.nan->period, 2);
  EXPECT_EQ(r.nan->samples, kSamples);
  EXPECT_EQ(r.nan->first_sample, 0u);
}

TEST(ExactAnswers, DrawWithVaryingParametersOutsideTheirDomainIsNan) {
  // sd = s - 1 is negative in half the samples.
  const auto r = run_plan(kHeader + R"yaml(
assumptions:
  s: uniform(0, 2)
measures:
  k: {value: "normal(0, s - 1)"}
targets:
  k_ok: {measure: k, at_most: 1}
)yaml",
                          kSamples, 94);
  ASSERT_TRUE(r.nan.has_value());
  EXPECT_EQ(r.nan->target, "k_ok");
  EXPECT_EQ(r.nan->node, "k");
  EXPECT_EQ(r.nan->period, 0);
  EXPECT_TRUE(near_probability(fraction(r.nan->samples), 0.5));
}

// The report names the node where the NaN that reached the target first
// appeared: not a NaN elsewhere in the sample that never reached it.
TEST(ExactAnswers, NanReportIgnoresANanInANodeNoTargetReads) {
  // `orphan` is NaN in every sample from period 0 but feeds nothing; `bad`
  // divides by zero from period 1 on in the samples where b is 0, and the
  // target reads it in period 1.
  const auto r = run_plan(kHeader + R"yaml(
assumptions:
  a: uniform(0, 1)
  b: bernoulli(0.5)
measures:
  orphan: {value: log(a - 2)}
  bad: {value: "1 / (b + 1 - min(t, 1))"}
targets:
  bad_ok: {measure: bad, at_most: 1, by: 2003-07}
)yaml",
                          kSamples, 96);
  ASSERT_TRUE(r.nan.has_value());
  EXPECT_EQ(r.nan->target, "bad_ok");
  EXPECT_EQ(r.nan->node, "bad");
  EXPECT_EQ(r.nan->period, 1);
  EXPECT_TRUE(near_probability(fraction(r.nan->samples), 0.5));
}

TEST(ExactAnswers, NanReportIgnoresTheBranchAnIfDidNotTake) {
  // `guarded` computes sqrt(a) of a negative a in every sample but if()
  // discards it; `late` takes the square root of -1 from period 2 on, and
  // the target reads it in period 2.
  const auto r = run_plan(kHeader + R"yaml(
assumptions:
  a: normal(-5, 1)
measures:
  guarded: {value: "if(a > 0, sqrt(a), 0)"}
  late: {value: "sqrt(guarded + 1 - t)"}
targets:
  late_ok: {measure: late, at_least: 0, by: 2003-10}
)yaml",
                          kSamples, 97);
  ASSERT_TRUE(r.nan.has_value());
  EXPECT_EQ(r.nan->target, "late_ok");
  EXPECT_EQ(r.nan->node, "late");
  EXPECT_EQ(r.nan->period, 2);
  EXPECT_EQ(r.nan->samples, kSamples);
}

TEST(ExactAnswers, NanCarriedForwardByPrevIsReportedInThePeriodItAppeared) {
  // log(a - 2) is NaN in every period, but only period 2's is used; prev()
  // carries it to the target in period 3.
  const auto r = run_plan(kHeader + R"yaml(
assumptions:
  a: uniform(0, 1)
measures:
  acc: {baseline: 0, value: "prev(acc) + if(t == 2, log(a - 2), 0)"}
targets:
  acc_ok: {measure: acc, at_most: 1}
)yaml",
                          kSamples, 99);
  ASSERT_TRUE(r.nan.has_value());
  EXPECT_EQ(r.nan->target, "acc_ok");
  EXPECT_EQ(r.nan->node, "acc");
  EXPECT_EQ(r.nan->period, 2);
  EXPECT_EQ(r.nan->samples, kSamples);
  EXPECT_EQ(r.nan->first_sample, 0u);
}

TEST(ExactAnswers, NanReportNamesTheNodeAndCountOfTheTargetItReports) {
  // Two targets go NaN: `rare` in about 0.1% of samples, `always` in all.
  // Whichever target the report names, its node and count must be that
  // target's.
  const auto r = run_plan(kHeader + R"yaml(
assumptions:
  a: uniform(0, 1)
  b: bernoulli(0.001)
measures:
  rare: {value: 1 / (1 - b)}
  always: {value: log(a - 2)}
targets:
  aa_rare: {measure: rare, at_most: 2}
  zz_always: {measure: always, at_most: 0}
)yaml",
                          kSamples, 98);
  ASSERT_TRUE(r.nan.has_value());
  if (r.nan->target == "aa_rare") {
    EXPECT_EQ(r.nan->node, "rare");
    EXPECT_TRUE(near_probability(fraction(r.nan->samples), 0.001));
  } else {
    EXPECT_EQ(r.nan->target, "zz_always");
    EXPECT_EQ(r.nan->node, "always");
    EXPECT_EQ(r.nan->samples, kSamples);
    EXPECT_EQ(r.nan->first_sample, 0u);
  }
  EXPECT_EQ(r.nan->period, 0);
}

TEST(ExactAnswers, NanThatReachesNoTargetIsNotAnError) {
  const auto r = run_plan(kHeader + R"yaml(
assumptions:
  a: normal(0, 1)
measures:
  orphan: {value: log(a)}
  fine: {value: a}
targets:
  fine_ok: {measure: fine, at_most: 0}
)yaml",
                          kSamples, 95);
  EXPECT_FALSE(r.nan.has_value());
  EXPECT_EQ(r.summary.stop, sim::StopReason::kCompleted);
  EXPECT_TRUE(near_probability(target(r, "fine_ok").p_hit, 0.5));
  EXPECT_TRUE(std::isnan(measure(r, "orphan").periods[0].mean));
}

}  // namespace
}  // namespace plansim::e2e
