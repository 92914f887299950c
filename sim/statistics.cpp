#include "sim/statistics.h"

#include <cassert>
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

}  // namespace plansim::sim
