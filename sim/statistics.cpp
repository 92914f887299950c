#include "sim/statistics.h"

#include <cassert>
#include <algorithm>
#include <cmath>

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
