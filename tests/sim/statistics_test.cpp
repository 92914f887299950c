// The engine's estimators: Wilson intervals and quantiles by selection.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/math/distributions/binomial.hpp>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "sim/statistics.h"

namespace plansim::sim {
namespace {

TEST(Statistics, QuantilesBySelectionEqualQuantilesOfTheSortedValues) {
  for (std::size_t n : {1u, 2u, 3u, 10u, 1001u, 4096u}) {
    std::vector<double> values;
    std::uint64_t x = 88172645463325252ull;  // xorshift64: any fixed, scrambled sequence will do
    for (std::size_t i = 0; i < n; ++i) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      values.push_back(static_cast<double>(x % 1000) / 7.0);  // with ties
    }
    std::vector<double> sorted = values;
    std::sort(sorted.begin(), sorted.end());
    const std::vector<double> levels = {0.9, 0.1, 0.5, 0.8, 0.2, 0.0, 1.0, 0.5};
    const std::vector<double> got = quantiles(values, levels);
    for (std::size_t i = 0; i < levels.size(); ++i)
      EXPECT_EQ(got[i], quantile_sorted(sorted, levels[i])) << "n " << n << " level " << levels[i];
  }
}

TEST(Statistics, QuantileInterpolatesBetweenOrderStatisticsLikeNumpy) {
  const std::vector<double> sorted = {1.0, 2.0, 4.0, 8.0};
  EXPECT_DOUBLE_EQ(quantile_sorted(sorted, 0.5), 3.0);  // h = 1.5
  EXPECT_DOUBLE_EQ(quantile_sorted(sorted, 0.0), 1.0);
  EXPECT_DOUBLE_EQ(quantile_sorted(sorted, 1.0), 8.0);
  EXPECT_DOUBLE_EQ(quantile_sorted(sorted, 0.9), 6.8);  // h = 2.7: 4 + 0.7 * 4
}

TEST(Statistics, WilsonIntervalMatchesItsFormulaAndContainsTheEstimate) {
  const Interval i = wilson_interval(40, 100);
  // centre (0.4 + z^2/200) / (1 + z^2/100), half z/(1 + z^2/100) sqrt(0.24/100 + z^2/40000)
  const double z2 = kZ95 * kZ95, denom = 1 + z2 / 100;
  const double centre = (0.4 + z2 / 200) / denom, half = kZ95 / denom * std::sqrt(0.0024 + z2 / 40000);
  EXPECT_NEAR(i.lo, centre - half, 1e-15);
  EXPECT_NEAR(i.hi, centre + half, 1e-15);
  for (std::uint64_t n : {1u, 7u, 1000u, 2000u, 5000u}) {
    EXPECT_EQ(wilson_interval(0, n).lo, 0.0) << n;
    EXPECT_EQ(wilson_interval(n, n).hi, 1.0) << n;
    EXPECT_GT(wilson_interval(0, n).hi, 0.0) << n;
    EXPECT_LT(wilson_interval(n, n).lo, 1.0) << n;
  }
}

// ---- quantile intervals from order statistics ---------------------------------

// The ranks are the binomial quantiles they are defined as, checked against
// Boost.Math's binomial CDF: F(lo) <= 0.025 < F(lo + 1), F(hi - 1) < 0.975 <= F(hi).
TEST(QuantileInterval, RanksAreTheBinomialQuantiles) {
  for (std::uint64_t n : {20u, 100u, 1000u, 4096u, 100000u, 10000000u})
    for (double q : {0.01, 0.05, 0.2, 0.5, 0.8, 0.9, 0.95, 0.99}) {
      const boost::math::binomial_distribution<double> b(static_cast<double>(n), q);
      auto F = [&](std::uint64_t k) { return boost::math::cdf(b, static_cast<double>(k)); };
      const QuantileRanks r = quantile_interval_ranks(n, q);
      if (r.lo) {
        EXPECT_LE(F(*r.lo), 0.025 + 1e-12) << n << " " << q;
        EXPECT_GT(F(*r.lo + 1), 0.025 - 1e-12) << n << " " << q;
      } else {
        EXPECT_GT(F(0), 0.025 - 1e-12) << n << " " << q;  // even x[0] is above xi_q too often
      }
      if (r.hi) {
        EXPECT_GE(F(*r.hi), 0.975 - 1e-12) << n << " " << q;
        if (*r.hi > 0) {
          EXPECT_LT(F(*r.hi - 1), 0.975 + 1e-12) << n << " " << q;
        }
        EXPECT_LT(*r.hi, n);
      } else {
        EXPECT_LT(F(n - 1), 0.975 + 1e-12) << n << " " << q;  // even x[n - 1] is below xi_q too often
      }
      const double f_lo = r.lo ? F(*r.lo) : 0.0, f_hi = r.hi ? F(*r.hi) : 1.0;
      EXPECT_NEAR(r.coverage, f_hi - f_lo, 1e-9) << n << " " << q;
      EXPECT_GE(r.coverage, 0.95 - 1e-12) << n << " " << q;
    }
}

TEST(QuantileInterval, LargeSamplesGiveTheNormalApproximation) {
  // n q -/+ 1.96 sqrt(n q (1 - q)), to within a rank or two.
  const std::uint64_t n = 1000000;
  for (double q : {0.5, 0.8, 0.95}) {
    const QuantileRanks r = quantile_interval_ranks(n, q);
    const double centre = static_cast<double>(n) * q, half = kZ95 * std::sqrt(centre * (1.0 - q));
    ASSERT_TRUE(r.lo && r.hi);
    EXPECT_NEAR(static_cast<double>(*r.lo), centre - half, 2.0) << q;
    EXPECT_NEAR(static_cast<double>(*r.hi), centre + half, 2.0) << q;
    EXPECT_NEAR(r.coverage, 0.95, 0.001) << q;
  }
}

TEST(QuantileInterval, TooFewSamplesLeaveAnEndOpen) {
  // P(all of n values are below the 0.95-quantile) = 0.95^n > 0.025 while n < 72.
  EXPECT_FALSE(quantile_interval_ranks(71, 0.95).hi);
  EXPECT_TRUE(quantile_interval_ranks(72, 0.95).hi);
  EXPECT_FALSE(quantile_interval_ranks(71, 0.05).lo);
  EXPECT_TRUE(quantile_interval_ranks(72, 0.05).lo);
  const QuantileRanks one = quantile_interval_ranks(1, 0.5);
  EXPECT_FALSE(one.lo);
  EXPECT_FALSE(one.hi);
  EXPECT_DOUBLE_EQ(one.coverage, 1.0);
  EXPECT_FALSE(quantile_interval_ranks(0, 0.5).lo);
}

TEST(QuantileInterval, OrderStatisticsBySelectionEqualTheSortedValues) {
  std::vector<double> values;
  std::uint64_t x = 88172645463325252ull;
  for (int i = 0; i < 5000; ++i) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    values.push_back(static_cast<double>(x % 977) / 3.0);  // with ties
  }
  std::vector<double> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  const std::vector<std::uint64_t> ranks = {4999, 0, 2500, 17, 2500, 4000, 1};
  const std::vector<double> got = order_statistics(values, ranks);
  for (std::size_t i = 0; i < ranks.size(); ++i) EXPECT_EQ(got[i], sorted[ranks[i]]) << ranks[i];
}

// Coverage: the interval holds the true quantile as often as the binomial
// says. Uniform(0, 1) values (the interval is distribution-free, so one
// continuous distribution stands for all), R = 4,000 replications of n
// values per case, true quantile q. The count of intervals holding q is
// binomial(R, C) with C the exact coverage (QuantileRanks::coverage, >=
// 0.95); each check allows 4.5 standard deviations, so a correct
// implementation fails one with probability 6.8e-6, about 1e-4 over the 15
// cases. The generator is seeded: a failure is reproducible, never noise.
TEST(QuantileInterval, CoverageIsTheBinomialCoverage) {
  constexpr int kReplications = 4000;
  std::mt19937_64 gen(20030401);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  for (std::uint64_t n : {100u, 500u, 2000u})
    for (double q : {0.05, 0.2, 0.5, 0.8, 0.95}) {
      const QuantileRanks r = quantile_interval_ranks(n, q);
      int held = 0;
      std::vector<double> values(n);
      for (int rep = 0; rep < kReplications; ++rep) {
        for (auto& v : values) v = uniform(gen);
        const std::vector<AchievableLevel> a = achievable_levels(values, graph::Direction::kAtMost, {q});
        const double lo = std::isfinite(a[0].ci95.lo) ? a[0].ci95.lo : -INFINITY;
        const double hi = std::isfinite(a[0].ci95.hi) ? a[0].ci95.hi : INFINITY;
        held += lo <= q && q <= hi;
      }
      const double expected = kReplications * r.coverage;
      const double sd = std::sqrt(kReplications * r.coverage * (1.0 - r.coverage));
      EXPECT_NEAR(held, expected, 4.5 * sd) << "n " << n << " q " << q << " coverage " << r.coverage;
      EXPECT_GE(r.coverage, 0.95);
      EXPECT_LT(r.coverage, n >= 500 ? 0.962 : 0.99) << "n " << n << " q " << q;  // not needlessly wide
    }
}

TEST(AchievableLevels, AtMostIsTheConfidenceQuantileAndAtLeastTheComplement) {
  std::vector<double> values;
  for (int i = 0; i < 1001; ++i) values.push_back(static_cast<double>((i * 7919) % 1001));  // 0..1000, shuffled
  std::vector<double> copy = values;
  const auto most = achievable_levels(values, graph::Direction::kAtMost, {0.8, 0.5});
  const auto least = achievable_levels(copy, graph::Direction::kAtLeast, {0.8});
  ASSERT_EQ(most.size(), 2u);
  EXPECT_EQ(most[0].confidence, 0.8);
  EXPECT_DOUBLE_EQ(most[0].level, 800.0);  // P(x <= 800) = 0.8
  EXPECT_DOUBLE_EQ(most[1].level, 500.0);
  EXPECT_DOUBLE_EQ(least[0].level, 200.0);  // P(x >= 200) = 0.8
  // The intervals are order statistics around the level.
  const QuantileRanks r = quantile_interval_ranks(1001, 0.8);
  EXPECT_EQ(most[0].ci95.lo, static_cast<double>(*r.lo));
  EXPECT_EQ(most[0].ci95.hi, static_cast<double>(*r.hi));
  EXPECT_LT(most[0].ci95.lo, 800.0);
  EXPECT_GT(most[0].ci95.hi, 800.0);
  EXPECT_LT(least[0].ci95.lo, 200.0);
  EXPECT_GT(least[0].ci95.hi, 200.0);
}

TEST(AchievableLevels, NoValuesGiveNothingAndNaNGivesNaN) {
  std::vector<double> none;
  EXPECT_TRUE(achievable_levels(none, graph::Direction::kAtMost, {0.8}).empty());
  std::vector<double> with_nan = {1.0, NAN, 2.0};
  const auto a = achievable_levels(with_nan, graph::Direction::kAtMost, {0.8});
  ASSERT_EQ(a.size(), 1u);
  EXPECT_TRUE(std::isnan(a[0].level));
  EXPECT_TRUE(std::isnan(a[0].ci95.lo));
}

}  // namespace
}  // namespace plansim::sim
