// Estimators used by the engine.
#pragma once

#include <cstdint>
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

}  // namespace plansim::sim
