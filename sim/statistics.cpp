#include "sim/statistics.h"

#include <cassert>
#include <algorithm>
#include <cmath>
#include <limits>

namespace plansim::sim {

const char* to_string(Rag r) {
  switch (r) {
    case Rag::kGreen: return "green";
    case Rag::kAmber: return "amber";
    case Rag::kRed: return "red";
  }
  return "red";
}

Rag rate(double p_hit, const graph::RagThresholds& t) {
  if (p_hit >= t.green) return Rag::kGreen;
  if (p_hit >= t.amber) return Rag::kAmber;
  return Rag::kRed;
}

Interval wilson_interval(std::uint64_t hits, std::uint64_t n, double z) {
  if (n == 0) return {0.0, 1.0};
  const double nn = static_cast<double>(n);
  const double p = static_cast<double>(hits) / nn;
  const double z2 = z * z;
  const double denom = 1.0 + z2 / nn;
  const double centre = (p + z2 / (2.0 * nn)) / denom;
  const double half = z / denom * std::sqrt(p * (1.0 - p) / nn + z2 / (4.0 * nn * nn));
  // At p = 0 or 1 the bound is exactly 0 or 1; rounding must not move it
  // off the estimate.
  return {hits == 0 ? 0.0 : std::max(0.0, centre - half), hits == n ? 1.0 : std::min(1.0, centre + half)};
}

double quantile_sorted(std::span<const double> sorted, double q) {
  assert(!sorted.empty());
  const double h = static_cast<double>(sorted.size() - 1) * q;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  if (lo + 1 >= sorted.size()) return sorted.back();
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[lo + 1] - sorted[lo]);
}

std::vector<double> quantiles(std::vector<double>& values, const std::vector<double>& levels) {
  assert(!values.empty());
  std::vector<std::size_t> order(levels.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return levels[a] < levels[b]; });
  std::vector<double> out(levels.size());
  auto from = values.begin();  // everything before `from` is <= what follows
  for (std::size_t i : order) {
    const double h = static_cast<double>(values.size() - 1) * levels[i];
    const auto k = static_cast<std::size_t>(std::floor(h));
    const auto kth = values.begin() + static_cast<std::ptrdiff_t>(k);
    if (kth >= from) std::nth_element(from, kth, values.end());
    from = kth;
    const double lo = *kth;
    if (k + 1 >= values.size()) {
      out[i] = lo;
      continue;
    }
    const double hi = *std::min_element(kth + 1, values.end());
    out[i] = lo + (h - static_cast<double>(k)) * (hi - lo);
  }
  return out;
}

}  // namespace plansim::sim

namespace plansim::sim {

QuantileRanks quantile_interval_ranks(std::uint64_t n, double q) {
  QuantileRanks out;
  if (n == 0) return out;
  constexpr double kTail = 0.025;
  // Degenerate levels: B is 0 (q <= 0) or n (q >= 1) for sure.
  if (!(q > 0.0)) {
    out.hi = 0;
    out.coverage = 1.0;
    return out;
  }
  if (!(q < 1.0)) {
    out.lo = n - 1;
    out.coverage = 1.0;
    return out;
  }
  // The binomial(n, q) probabilities relative to the mode's, outward from
  // the mode (where they only fall) until they are below 1e-20 of it: the
  // mass left out is far below anything that could move a 2.5% tail.
  const double nn = static_cast<double>(n);
  const auto mode = std::min<std::uint64_t>(n, static_cast<std::uint64_t>(std::floor((nn + 1.0) * q)));
  const double odds = q / (1.0 - q);
  constexpr double kNegligible = 1e-20;
  std::vector<double> below;  // w(mode - 1), w(mode - 2), ...
  double w = 1.0;
  for (std::uint64_t k = mode; k > 0; --k) {
    w *= static_cast<double>(k) / (static_cast<double>(n - k + 1) * odds);
    if (w < kNegligible) break;
    below.push_back(w);
  }
  std::vector<double> weights(below.rbegin(), below.rend());
  const std::uint64_t first = mode - below.size();
  weights.push_back(1.0);
  w = 1.0;
  for (std::uint64_t k = mode; k < n; ++k) {
    w *= static_cast<double>(n - k) / static_cast<double>(k + 1) * odds;
    if (w < kNegligible) break;
    weights.push_back(w);
  }
  double total = 0.0;
  for (double x : weights) total += x;
  // F(first - 1) is negligible: lo is at least first - 1.
  double cdf = 0.0, f_lo = 0.0, f_hi = 1.0;
  bool lo_found = false, hi_found = false;
  for (std::size_t i = 0; i < weights.size() && !hi_found; ++i) {
    const std::uint64_t k = first + i;
    const double next = cdf + weights[i] / total;
    if (!lo_found && next > kTail) {
      lo_found = true;
      if (k > 0) out.lo = k - 1, f_lo = cdf;  // F(k - 1) <= 0.025 < F(k)
    }
    if (next >= 1.0 - kTail) {
      hi_found = true;
      if (k < n) out.hi = k, f_hi = next;  // F(k - 1) < 0.975 <= F(k); rank n does not exist
    }
    cdf = next;
  }
  out.coverage = f_hi - f_lo;
  return out;
}

std::vector<double> order_statistics(std::vector<double>& values, const std::vector<std::uint64_t>& ranks) {
  std::vector<std::size_t> order(ranks.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return ranks[a] < ranks[b]; });
  std::vector<double> out(ranks.size());
  auto from = values.begin();  // everything before `from` is <= what follows
  for (std::size_t i : order) {
    assert(ranks[i] < values.size());
    const auto kth = values.begin() + static_cast<std::ptrdiff_t>(ranks[i]);
    if (kth >= from) std::nth_element(from, kth, values.end());
    from = kth;
    out[i] = *kth;
  }
  return out;
}

std::vector<AchievableLevel> achievable_levels(std::vector<double>& values, graph::Direction direction,
                                               const std::vector<double>& confidences) {
  std::vector<AchievableLevel> out;
  if (values.empty() || confidences.empty()) return out;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (std::any_of(values.begin(), values.end(), [](double v) { return std::isnan(v); })) {
    for (double c : confidences) out.push_back({c, nan, {nan, nan}});
    return out;
  }
  std::vector<double> levels;
  for (double c : confidences) levels.push_back(direction == graph::Direction::kAtMost ? c : 1.0 - c);
  const std::vector<double> points = quantiles(values, levels);
  std::vector<std::uint64_t> ranks;
  std::vector<QuantileRanks> bounds;
  for (double q : levels) {
    bounds.push_back(quantile_interval_ranks(values.size(), q));
    if (bounds.back().lo) ranks.push_back(*bounds.back().lo);
    if (bounds.back().hi) ranks.push_back(*bounds.back().hi);
  }
  const std::vector<double> ends = order_statistics(values, ranks);
  std::size_t next = 0;
  for (std::size_t i = 0; i < levels.size(); ++i) {
    AchievableLevel a{confidences[i], points[i], {nan, nan}};
    if (bounds[i].lo) a.ci95.lo = ends[next++];
    if (bounds[i].hi) a.ci95.hi = ends[next++];
    out.push_back(a);
  }
  return out;
}

}  // namespace plansim::sim
