// Estimators used by the engine.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "sim/results.h"

namespace plansim::sim {

inline constexpr double kZ95 = 1.959963984540054;  // standard normal 0.975 quantile

// Wilson score interval for a binomial proportion with `hits` successes in
// n trials, at normal quantile z:
//   centre = (p + z^2 / 2n) / (1 + z^2 / n)
//   half   = z / (1 + z^2 / n) * sqrt(p (1 - p) / n + z^2 / 4n^2)
// It stays inside [0, 1] and behaves at p = 0 or 1, unlike the Wald interval.
Interval wilson_interval(std::uint64_t hits, std::uint64_t n, double z = kZ95);

// The q-quantile of sorted values by linear interpolation between order
// statistics (Hyndman and Fan type 7, numpy's default): h = (n - 1) q,
// x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h]).
double quantile_sorted(std::span<const double> sorted, double q);

// The same type-7 quantiles of unsorted values for several levels at once,
// by selection (std::nth_element) rather than a full sort: O(n) per level.
// Reorders `values`; no value may be NaN. Returns one quantile per level,
// in the order given.
std::vector<double> quantiles(std::vector<double>& values, const std::vector<double>& levels);

// The ranks (0-based, into the sorted values) of the order statistics that
// bound the q-quantile with at least 95% confidence, whatever the
// distribution (the distribution-free binomial interval). With B ~
// binomial(n, q) the number of values at or below the true quantile xi_q,
// and F its CDF:
//   lower end x[lo], lo = max{k : F(k) <= 0.025}: P(x[lo] > xi_q) = F(lo) <= 0.025
//   upper end x[hi], hi = min{k : F(k) >= 0.975}: P(x[hi] < xi_q) <= 1 - F(hi) <= 0.025
// so [x[lo], x[hi]] holds xi_q with probability F(hi) - F(lo) >= 0.95
// (exactly that for continuous distributions, at least that for any). F is
// the exact binomial CDF, summed outward from the mode (O(sqrt n) terms),
// not a normal approximation. An end is nullopt when n is too small to
// bound the quantile on that side at 2.5% (say q = 0.95 with n < 72).
struct QuantileRanks {
  std::optional<std::uint64_t> lo, hi;
  double coverage = 0.0;  // F(hi) - F(lo), with F(-1) = 0 and F(n) = 1 for a missing end
};
QuantileRanks quantile_interval_ranks(std::uint64_t n, double q);

// The values at the given 0-based ranks of the sorted values, by selection
// (std::nth_element), in the order given. Reorders `values`.
std::vector<double> order_statistics(std::vector<double>& values, const std::vector<std::uint64_t>& ranks);

// The levels a measure with these values achieves at each confidence c:
// for an at_most target the level L with P(measure <= L) = c, the
// c-quantile; for at_least P(measure >= L) = c, the (1 - c)-quantile. The
// quantile is type 7 (as `quantiles`, so the plan's confidence gives exactly
// TargetResult::achievable) and ci95 the order statistics of
// quantile_interval_ranks (NaN for a missing end). Empty values: nothing is
// returned; any NaN value: every level and end is NaN. Reorders `values`.
std::vector<AchievableLevel> achievable_levels(std::vector<double>& values, graph::Direction direction,
                                               const std::vector<double>& confidences);

}  // namespace plansim::sim
