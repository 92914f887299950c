// Correlated assumptions (Gaussian copula, plan-format.md section 10) and
// Latin hypercube sampling (--method lhs), against exact answers.
//
// Probabilities are compared with their exact values within 4.4 standard
// errors: a false failure about once in 10^5 checks.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "tests/e2e/plan_runner.h"

namespace plansim::e2e {
namespace {

constexpr double kZ = 4.4;

// P(X <= median and Y <= median) under a Gaussian copula with rank
// correlation r: 1/4 + asin(rho) / (2 pi), rho = 2 sin(pi r / 6).
double both_below_median(double rank) {
  const double rho = 2.0 * std::sin(std::numbers::pi * rank / 6.0);
  return 0.25 + std::asin(rho) / (2.0 * std::numbers::pi);
}

void expect_probability(double got, double exact, std::uint64_t samples) {
  const double se = std::sqrt(exact * (1.0 - exact) / static_cast<double>(samples));
  EXPECT_NEAR(got, exact, kZ * se);
}

// x and y with the given distributions and rank correlation; the target
// hits when both are at or below their medians.
std::string pair_plan(const std::string& x, const std::string& y, double rank, double x_median, double y_median) {
  return "plan: copula\nhorizon: {start: 2026-04, periods: 1, step: year}\n"
         "assumptions:\n  x: {value: \"" + x + "\"}\n  y: {value: \"" + y + "\"}\n"
         "measures:\n  both: {value: \"(x <= " + std::to_string(x_median) + ") * (y <= " +
         std::to_string(y_median) + ")\"}\n"
         "targets:\n  both_low: {measure: both, at_least: 1}\n"
         "correlations:\n  - [x, y, " + std::to_string(rank) + "]\n";
}

TEST(Correlations, BivariateNormalQuadrantProbability) {
  constexpr std::uint64_t kSamples = 200000;
  for (const double rank : {0.6, -0.5, 0.95}) {
    SCOPED_TRACE(rank);
    const auto r = run_plan(pair_plan("normal(0, 1)", "normal(5, 2)", rank, 0.0, 5.0), kSamples, 11);
    expect_probability(target(r, "both_low").p_hit, both_below_median(rank), kSamples);
  }
}

// The copula does not care about the margins: the same quadrant
// probability for a triangular and a lognormal, at their medians.
TEST(Correlations, QuadrantProbabilityHoldsForAnyMargins) {
  constexpr std::uint64_t kSamples = 200000;
  const auto r = run_plan(pair_plan("triangular(0, 1, 2)", "lognormal(0, 1)", 0.7, 1.0, 1.0), kSamples, 12);
  expect_probability(target(r, "both_low").p_hit, both_below_median(0.7), kSamples);
}

// Each correlated assumption keeps its own distribution, including those
// otherwise drawn by rejection (beta, pert, poisson with a large mean),
// which the copula draws by inversion.
TEST(Correlations, MarginsAreUnchanged) {
  constexpr std::uint64_t kSamples = 100000;
  const std::string plan = R"yaml(plan: margins
horizon: {start: 2026-04, periods: 1, step: year}
assumptions:
  b: {value: "beta(2, 5)"}
  p: {value: "pert(0, 1, 4)"}
  k: {value: "poisson(15)"}
  tri: {value: "triangular(0, 1, 2)"}
measures:
  mb: {value: b}
  mp: {value: p}
  mk: {value: k}
  mt: {value: tri}
targets:
  k_at_most_12: {measure: mk, at_most: 12}
correlations:
  - [b, p, 0.5]
  - [p, k, -0.4]
  - [k, tri, 0.3]
)yaml";
  const auto r = run_plan(plan, kSamples, 13);
  auto expect_mean = [&](const char* id, double mean, double sd) {
    SCOPED_TRACE(id);
    EXPECT_NEAR(measure(r, id).periods[0].mean, mean, kZ * sd / std::sqrt(static_cast<double>(kSamples)));
  };
  expect_mean("mb", 2.0 / 7.0, std::sqrt(10.0 / (49.0 * 8.0)));
  // PERT(0, 1, 4): Beta(2, 4) scaled by 4.
  expect_mean("mp", 4.0 / 3.0, 4.0 * std::sqrt(8.0 / (36.0 * 7.0)));
  expect_mean("mk", 15.0, std::sqrt(15.0));
  expect_mean("mt", 1.0, std::sqrt(1.0 / 6.0));
  // P(Poisson(15) <= 12), summed exactly.
  double term = std::exp(-15.0), cdf = term;
  for (int k = 1; k <= 12; ++k) cdf += term *= 15.0 / k;
  expect_probability(target(r, "k_at_most_12").p_hit, cdf, kSamples);
}

TEST(Correlations, BitwiseIdenticalForAnyThreadCount) {
  const auto program = compile_text(pair_plan("normal(0, 1)", "beta(2, 3)", 0.4, 0.0, 0.4));
  for (const bool lhs : {false, true}) {
    auto options = options_for(20000, 3, 1);
    options.latin_hypercube = lhs;
    const auto one = sim::run(*program, options);
    options.threads = 3;
    const auto three = sim::run(*program, options);
    EXPECT_EQ(bits_of(target(one, "both_low")), bits_of(target(three, "both_low"))) << "lhs " << lhs;
    EXPECT_EQ(bits_of(measure(one, "both")), bits_of(measure(three, "both"))) << "lhs " << lhs;
  }
}

// An empty correlations section changes no draw.
TEST(Correlations, UncorrelatedPlanIsUnchangedByTheCopulaMachinery) {
  const std::string plain = R"yaml(plan: plain
horizon: {start: 2026-04, periods: 1, step: year}
assumptions:
  x: {value: "normal(0, 1)"}
measures:
  m: {value: x}
targets:
  low: {measure: m, at_most: 0}
)yaml";
  const auto a = run_plan(plain, 20000, 5, 1);
  const auto b = run_plan(plain + "correlations: []\n", 20000, 5, 2);
  EXPECT_EQ(bits_of(target(a, "low")), bits_of(target(b, "low")));
}

const std::string kLhsPlan = R"yaml(plan: lhs
horizon: {start: 2026-04, periods: 1, step: year}
assumptions:
  u: {value: "uniform(0, 1)"}
  x: {value: "normal(10, 2)"}
  y: {value: "triangular(0, 1, 4)"}
measures:
  mu: {value: u}
  output: {value: "x + 2 * y"}
targets:
  enough: {measure: output, at_least: 13}
)yaml";

// Every stratum of (0, 1) holds exactly one sample, so the mean of a
// uniform is 1/2 to within 1 / (2n), for any n (here not a whole number of
// blocks).
TEST(LatinHypercube, EveryStratumOnce) {
  const auto program = compile_text(kLhsPlan);
  for (const std::uint64_t n : {1u, 7u, 3000u, 4096u}) {
    auto options = options_for(n, 9, 2);
    options.latin_hypercube = true;
    const auto r = sim::run(*program, options);
    EXPECT_NEAR(measure(r, "mu").periods[0].mean, 0.5, 0.5 / static_cast<double>(n)) << n;
  }
}

// The estimate of a mean varies much less from seed to seed than plain
// Monte Carlo's: for an additive function LHS removes nearly all of it.
TEST(LatinHypercube, LowerVarianceThanMonteCarloAcrossSeeds) {
  const auto program = compile_text(kLhsPlan);
  auto spread = [&](bool lhs) {
    std::vector<double> means;
    for (std::uint64_t seed = 1; seed <= 30; ++seed) {
      auto options = options_for(2000, seed, 2);
      options.latin_hypercube = lhs;
      means.push_back(measure(sim::run(*program, options), "output").periods[0].mean);
    }
    double mean = 0.0, var = 0.0;
    for (double m : means) mean += m / static_cast<double>(means.size());
    for (double m : means) var += (m - mean) * (m - mean) / static_cast<double>(means.size() - 1);
    return var;
  };
  const double mc = spread(false), lhs = spread(true);
  // Exact MC variance of the mean: (4 + 4 * 13/18) / 2000; LHS's is orders
  // of magnitude lower. A factor of 20 leaves room for the 30-seed estimate.
  EXPECT_LT(lhs * 20.0, mc);
}

// LHS keeps each margin: P(output >= 13) against plain Monte Carlo's.
TEST(LatinHypercube, SameAnswerAsMonteCarlo) {
  const auto program = compile_text(kLhsPlan);
  auto options = options_for(200000, 4, 2);
  const double mc = target(sim::run(*program, options), "enough").p_hit;
  options.latin_hypercube = true;
  const double lhs = target(sim::run(*program, options), "enough").p_hit;
  const double se = std::sqrt(mc * (1.0 - mc) / 200000.0);
  EXPECT_NEAR(lhs, mc, kZ * std::sqrt(2.0) * se);
}

}  // namespace
}  // namespace plansim::e2e
