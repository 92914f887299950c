// `plansim explain` on plans whose answers are known exactly
// (analysis/explain.h): rank correlations, tornado swings, conditional
// P(hit) of actions and risks, forced re-runs and Sobol indices.
//
// Seeds are fixed, so every outcome is reproducible: a failure is a real
// discrepancy, never noise to retry away. Two kinds of check: the exact
// value lies inside the interval explain reports (as a user would read it),
// and within 4.5 standard errors of the estimate (as tests/e2e does), so a
// correct analysis fails one of them only by a rare draw of the fixed seed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "tests/analysis/explain_runner.h"

namespace plansim::testing_analysis {
namespace {

using analysis::InputKind;

constexpr double kZ90 = 1.2815515655446004;

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::numbers::sqrt2); }
double normal_pdf(double x) { return std::exp(-0.5 * x * x) / std::sqrt(2.0 * std::numbers::pi); }

void expect_inside(double exact, const sim::Interval& ci, const std::string& what) {
  EXPECT_LE(ci.lo, exact) << what << ": " << exact << " not in [" << ci.lo << ", " << ci.hi << "]";
  EXPECT_GE(ci.hi, exact) << what << ": " << exact << " not in [" << ci.lo << ", " << ci.hi << "]";
}

// ---- m = x + y: x drives, y barely does ---------------------------------------

const std::string kSum = R"yaml(
plan: sum of two normals
horizon: {start: 2024-01, periods: 1, step: year}
assumptions:
  x: normal(0, 1)
  y: normal(0, 0.1)
measures:
  m: {value: x + y}
targets:
  low_m: {measure: m, at_most: 0}
)yaml";

TEST(Explain, TheLargeInputRanksFirstWithItsExactRankCorrelation) {
  const Explained e = explain_text(kSum, "low_m", 200000, 11);
  ASSERT_EQ(e.drivers.drivers.size(), 2u);
  const analysis::Driver& x = e.drivers.drivers[0];
  const analysis::Driver& y = e.drivers.drivers[1];
  EXPECT_EQ(x.node, "x");
  EXPECT_EQ(x.rank, 1);
  EXPECT_EQ(y.node, "y");
  EXPECT_EQ(y.rank, 2);
  // Spearman of a bivariate normal with correlation r is (6 / pi) asin(r / 2).
  const double rx = 1.0 / std::sqrt(1.01), ry = 0.1 / std::sqrt(1.01);
  const double sx = 6.0 / std::numbers::pi * std::asin(rx / 2.0), sy = 6.0 / std::numbers::pi * std::asin(ry / 2.0);
  EXPECT_NEAR(sx, 0.9945, 5e-4);
  EXPECT_NEAR(x.spearman, sx, 0.002);
  EXPECT_NEAR(y.spearman, sy, 4.5 / std::sqrt(200000.0));
  EXPECT_FALSE(x.two_levels);
  EXPECT_EQ(x.low.samples, 20000u);
  EXPECT_EQ(x.high.samples, 20000u);
}

TEST(Explain, TornadoSwingsAreTheExactConditionalProbabilities) {
  const Explained e = explain_text(kSum, "low_m", 200000, 11);
  const analysis::Driver& x = e.driver("x", InputKind::kAssumption);
  const analysis::Driver& y = e.driver("y", InputKind::kAssumption);
  // x in its lowest decile almost surely hits, in its highest almost surely misses.
  EXPECT_LT(x.swing, -0.99);
  // y in its lowest decile (y = 0.1 z, z < -z90): P(hit) = E[Phi(-y)] = 10 int Phi(-0.1 z) phi(z) dz.
  double low = 0.0;
  const int steps = 200000;
  const double a = -9.0, b = -kZ90, h = (b - a) / steps;
  for (int i = 0; i <= steps; ++i) {
    const double z = a + h * i;
    low += (i == 0 || i == steps ? 0.5 : 1.0) * normal_cdf(-0.1 * z) * normal_pdf(z) * h;
  }
  low *= 10.0;
  const double high = 1.0 - low, swing = high - low;  // by symmetry
  EXPECT_NEAR(swing, -0.14, 0.01);
  EXPECT_LT(std::fabs(y.swing), 0.2);
  expect_inside(low, y.low.ci95, "P(hit | y low)");
  expect_inside(high, y.high.ci95, "P(hit | y high)");
  expect_inside(swing, y.swing_ci95, "y's swing");
  EXPECT_NEAR(y.swing, swing, 4.5 * std::sqrt(2 * 0.25 / 20000.0));
}

// ---- a count of independently delivered actions, and a risk -------------------

// delivered = a + b + c + d - r, at least 3: a Poisson binomial less a risk.
const std::string kCount = R"yaml(
plan: count of deliveries
horizon: {start: 2024-01, periods: 2, step: quarter}
actions:
  a: {delivery: 0.3}
  b: {delivery: 0.5}
  c: {delivery: 0.7}
  d: {delivery: 0.9}
risks:
  r: {likelihood: 0.4}
measures:
  delivered: {value: a + b + c + d - r}
targets:
  enough: {measure: delivered, at_least: 3}
)yaml";

struct Exact {
  // P(hit) with action i's delivery fixed to 0/1 (-1: as drawn) and the risk's occurrence fixed (-1: as drawn).
  double p(int action, int delivered, int risk) const {
    const double q[4] = {0.3, 0.5, 0.7, 0.9};
    double total = 0.0;
    for (int mask = 0; mask < 16; ++mask)
      for (int occurs = 0; occurs < 2; ++occurs) {
        double w = 1.0;
        int count = 0;
        for (int i = 0; i < 4; ++i) {
          const int on = (mask >> i) & 1;
          if (i == action)
            w *= on == delivered ? 1.0 : 0.0;
          else
            w *= on ? q[i] : 1.0 - q[i];
          count += on;
        }
        w *= risk >= 0 ? (occurs == risk ? 1.0 : 0.0) : (occurs ? 0.4 : 0.6);
        if (count - occurs >= 3) total += w;
      }
    return total;
  }
};

TEST(Explain, ActionsGiveTheExactConditionalAndForcedProbabilities) {
  const Explained e = explain_text(kCount, "enough", 200000, 5);
  const Exact exact;
  EXPECT_NEAR(e.drivers.p_hit, exact.p(-1, 0, -1), 4.5 * std::sqrt(0.25 / 200000.0));
  const char* names[4] = {"a", "b", "c", "d"};
  for (int i = 0; i < 4; ++i) {
    const analysis::Driver& d = e.driver(names[i], InputKind::kAction);
    SCOPED_TRACE(names[i]);
    EXPECT_TRUE(d.two_levels);
    EXPECT_EQ(d.low.value, 0.0);
    EXPECT_EQ(d.high.value, 1.0);
    const double p1 = exact.p(i, 1, -1), p0 = exact.p(i, 0, -1);
    expect_inside(p1, d.high.ci95, "P(hit | delivered)");
    expect_inside(p0, d.low.ci95, "P(hit | not delivered)");
    expect_inside(p1 - p0, d.swing_ci95, "P(hit | delivered) - P(hit | not)");
    // Delivered for certain, on the same random numbers: P(hit) = P(hit | delivered), as deliveries are independent.
    ASSERT_TRUE(d.forced.has_value());
    EXPECT_EQ(d.forced->as, "delivered");
    expect_inside(p1, d.forced->ci95, "P(hit) if delivered");
    EXPECT_NEAR(d.forced->p_hit, p1, 4.5 * std::sqrt(p1 * (1 - p1) / 200000.0));
    expect_inside(p1 - exact.p(-1, 0, -1), d.forced->delta_ci95, "change if delivered");
  }
}

TEST(Explain, RisksGiveTheExactConditionalAndNeverOccurredProbabilities) {
  const Explained e = explain_text(kCount, "enough", 200000, 5);
  const Exact exact;
  const analysis::Driver& r = e.driver("r", InputKind::kRisk);
  EXPECT_TRUE(r.two_levels);
  const double occurred = exact.p(-1, 0, 1), not_occurred = exact.p(-1, 0, 0);
  expect_inside(occurred, r.high.ci95, "P(hit | occurred)");
  expect_inside(not_occurred, r.low.ci95, "P(hit | not occurred)");
  expect_inside(occurred - not_occurred, r.swing_ci95, "the risk's swing");
  EXPECT_NEAR(static_cast<double>(r.high.samples) / 200000.0, 0.4, 4.5 * std::sqrt(0.24 / 200000.0));
  ASSERT_TRUE(r.forced.has_value());
  EXPECT_EQ(r.forced->as, "never");
  expect_inside(not_occurred, r.forced->ci95, "P(hit) if it never occurred");
  EXPECT_NEAR(r.forced->p_hit, not_occurred, 4.5 * std::sqrt(not_occurred * (1 - not_occurred) / 200000.0));
  // A constant impact (1) is not an input.
  for (const auto& d : e.drivers.drivers) EXPECT_NE(d.kind, InputKind::kRiskImpact);
}

TEST(Explain, ACompositeIsExplainedOnItsHitIndicator) {
  const std::string plan = kCount + R"yaml(
  some: {measure: delivered, at_least: 1}
  both: {all_of: [enough, some]}
)yaml";
  const Explained e = explain_text(plan, "both", 50000, 5);
  EXPECT_TRUE(e.drivers.composite);
  // both = enough here (enough implies some): the same P(hit).
  const Explained alone = explain_text(kCount, "enough", 50000, 5);
  EXPECT_EQ(e.drivers.p_hit, alone.drivers.p_hit);
  EXPECT_EQ(e.driver("d", InputKind::kAction).swing, alone.driver("d", InputKind::kAction).swing);
}

// ---- Sobol indices --------------------------------------------------------------

const std::string kSobol = R"yaml(
plan: x + 2y
horizon: {start: 2024-01, periods: 1, step: year}
assumptions:
  x: normal(0, 1)
  y: normal(0, 1)
  unused: normal(0, 1)
measures:
  m: {value: x + 2 * y}
targets:
  low_m: {measure: m, at_most: 1}
)yaml";

TEST(Explain, SobolIndicesOfXPlusTwoYAreOneFifthAndFourFifths) {
  const Explained e = explain_text(kSobol, "low_m", 200000, 3, 2, true);
  const analysis::Driver& x = e.driver("x", InputKind::kAssumption);
  const analysis::Driver& y = e.driver("y", InputKind::kAssumption);
  ASSERT_TRUE(x.sobol && y.sobol);
  EXPECT_NEAR(x.sobol->first_order, 0.2, 0.01);
  EXPECT_NEAR(y.sobol->first_order, 0.8, 0.01);
  expect_inside(0.2, x.sobol->ci95, "S_x");
  expect_inside(0.8, y.sobol->ci95, "S_y");
  EXPECT_LT(x.sobol->ci95.hi - x.sobol->ci95.lo, 0.02);
  // `unused` does not reach the target: it is not an input at all.
  for (const auto& d : e.drivers.drivers) EXPECT_NE(d.node, "unused");
  EXPECT_EQ(e.drivers.sobol_bins, 447u);
}

TEST(Explain, SobolOfAnIrrelevantInputIsNearZero) {
  const std::string plan = R"yaml(
plan: x + noise
horizon: {start: 2024-01, periods: 1, step: year}
assumptions:
  x: normal(0, 1)
  z: normal(0, 1)
measures:
  m: {value: x + 0 * z}
targets:
  low_m: {measure: m, at_most: 1}
)yaml";
  const Explained e = explain_text(plan, "low_m", 100000, 3, 2, true);
  const analysis::Driver& z = e.driver("z", InputKind::kAssumption);
  ASSERT_TRUE(z.sobol);
  expect_inside(0.0, z.sobol->ci95, "S_z");
  EXPECT_NEAR(e.driver("x", InputKind::kAssumption).sobol->first_order, 1.0, 0.005);
}

TEST(Explain, SobolBinningRecoversAKnownIndexWithoutARun) {
  // y = x exactly: S = 1; y independent of x: S = 0 (on average).
  std::vector<double> y(10000);
  std::vector<std::uint32_t> bin(10000);
  for (std::size_t i = 0; i < y.size(); ++i) {
    y[i] = static_cast<double>(i);
    bin[i] = static_cast<std::uint32_t>(i / 100);
  }
  EXPECT_NEAR(analysis::sobol_first_order(y, bin, 100), 1.0, 1e-3);
  for (std::size_t i = 0; i < y.size(); ++i) bin[i] = static_cast<std::uint32_t>(i % 100);  // unrelated to y's order
  EXPECT_NEAR(analysis::sobol_first_order(y, bin, 100), 0.0, 0.02);
}

// ---- the estimators and the plumbing --------------------------------------------

TEST(Explain, SpearmanUsesMidRanksForTies) {
  EXPECT_DOUBLE_EQ(analysis::spearman({1, 2, 3, 4}, {10, 20, 30, 40}), 1.0);
  EXPECT_DOUBLE_EQ(analysis::spearman({1, 2, 3, 4}, {4, 3, 2, 1}), -1.0);
  EXPECT_DOUBLE_EQ(analysis::spearman({0, 0, 1, 1}, {1, 2, 3, 4}), std::sqrt(0.8));
  EXPECT_TRUE(std::isnan(analysis::spearman({1, 1, 1}, {1, 2, 3})));
}

TEST(Explain, NewcombeIntervalContainsTheDifference) {
  const sim::Interval i = analysis::difference_interval(0.6, {0.55, 0.65}, 0.4, {0.35, 0.45});
  EXPECT_NEAR(i.lo, 0.2 - std::sqrt(2 * 0.05 * 0.05), 1e-12);
  EXPECT_NEAR(i.hi, 0.2 + std::sqrt(2 * 0.05 * 0.05), 1e-12);
}

std::vector<std::uint64_t> bits_of(const analysis::Drivers& d) {
  std::vector<double> v{d.p_hit, d.ci95.lo, d.ci95.hi};
  for (const auto& x : d.drivers) {
    for (double f : {x.spearman, x.low.p_hit, x.low.value, x.high.p_hit, x.high.value, x.swing, x.swing_ci95.lo,
                     x.swing_ci95.hi})
      v.push_back(f);
    if (x.forced) v.insert(v.end(), {x.forced->p_hit, x.forced->delta, x.forced->delta_ci95.lo});
    if (x.sobol) v.insert(v.end(), {x.sobol->first_order, x.sobol->ci95.lo, x.sobol->ci95.hi});
  }
  std::vector<std::uint64_t> out;
  for (double f : v) out.push_back(std::bit_cast<std::uint64_t>(f));
  return out;
}

TEST(Explain, ResultsAreBitwiseIdenticalOnOneAndTwoThreads) {
  for (const std::string* plan : {&kCount, &kSobol}) {
    const std::string target = plan == &kCount ? "enough" : "low_m";
    const Explained one = explain_text(*plan, target, 30000, 9, 1, true);
    const Explained two = explain_text(*plan, target, 30000, 9, 2, true);
    EXPECT_EQ(bits_of(one.drivers), bits_of(two.drivers));
    EXPECT_FALSE(one.drivers.drivers.empty());
  }
}

TEST(Explain, PerPeriodAssumptionsAreSummarisedByTheirMeanUpToTheTargetsPeriod) {
  const std::string plan = R"yaml(
plan: per period
horizon: {start: 2024-01, periods: 4, step: quarter}
assumptions:
  noise: {value: "normal(0, 1)", per: period}
measures:
  running: {value: cum(noise)}
targets:
  mid: {measure: running, at_most: 0, by: 2024-04}
)yaml";
  const Explained e = explain_text(plan, "mid", 20000, 4);
  ASSERT_EQ(e.setup.inputs.size(), 1u);
  EXPECT_EQ(e.setup.inputs[0].arrays.size(), 2u);  // periods 2024-01 and 2024-04
  // running at `by` = 2 x the mean of the two draws: rank correlation 1.
  EXPECT_NEAR(e.drivers.drivers[0].spearman, 1.0, 1e-12);
}

TEST(Explain, ActionsDueAfterTheTargetAndUnknownTargetsAreSaidSo) {
  const std::string plan = R"yaml(
plan: late action
horizon: {start: 2024-01, periods: 4, step: quarter}
actions:
  early: {delivery: 0.5, due: 2024-01}
  late: {delivery: 0.5, due: 2024-10}
measures:
  m: {value: early + late}
targets:
  mid: {measure: m, at_least: 1, by: 2024-04}
)yaml";
  const Explained e = explain_text(plan, "mid", 10000, 4);
  ASSERT_EQ(e.drivers.not_ranked.size(), 1u);
  EXPECT_EQ(e.drivers.not_ranked[0].node, "late");
  EXPECT_THAT(e.drivers.not_ranked[0].why, ::testing::HasSubstr("after the target's period"));
  const auto loaded = load_text(plan);
  std::string error;
  EXPECT_FALSE(analysis::explain_plan(*loaded, "mdi", error));
  EXPECT_THAT(error, ::testing::HasSubstr("did you mean 'mid'"));
  EXPECT_FALSE(analysis::explain_plan(*loaded, "m", error));
  EXPECT_THAT(error, ::testing::HasSubstr("it is a measure"));
}

}  // namespace
}  // namespace plansim::testing_analysis
