// The engine's estimators: Wilson intervals and quantiles by selection.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
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

}  // namespace
}  // namespace plansim::sim
