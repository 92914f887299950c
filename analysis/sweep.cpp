#include "analysis/sweep.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <tuple>

namespace plansim::analysis {

std::vector<double> Vary::values() const {
  std::vector<double> out;
  const double span = (to - from) / step;
  const auto n = static_cast<std::size_t>(std::floor(span + 1e-9)) + 1;
  for (std::size_t i = 0; i < n; ++i) out.push_back(from + static_cast<double>(i) * step);
  return out;
}

std::optional<Vary> parse_vary(const std::string& spec, std::string& error) {
  const auto eq = spec.find('=');
  Vary v;
  v.node = spec.substr(0, eq);
  std::vector<double> parts;
  if (eq != std::string::npos) {
    std::stringstream in(spec.substr(eq + 1));
    std::string item;
    while (std::getline(in, item, ':')) {
      char* end = nullptr;
      const double d = std::strtod(item.c_str(), &end);
      if (item.empty() || *end != '\0' || !std::isfinite(d)) {
        error = "'" + item + "' is not a number";
        return std::nullopt;
      }
      parts.push_back(d);
    }
  }
  if (eq == std::string::npos || v.node.empty() || parts.size() != 3) {
    error = "expected NODE=FROM:TO:STEP, e.g. cut=0:0.2:0.025 (got '" + spec + "')";
    return std::nullopt;
  }
  v.from = parts[0];
  v.to = parts[1];
  v.step = parts[2];
  if (!(v.step > 0.0) || v.to < v.from) {
    error = "need FROM <= TO and STEP > 0 (got '" + spec + "')";
    return std::nullopt;
  }
  if ((v.to - v.from) / v.step + 1 > static_cast<double>(kMaxGridPoints)) {
    error = "'" + spec + "' has more than " + std::to_string(kMaxGridPoints) + " points; use a larger step";
    return std::nullopt;
  }
  return v;
}

std::vector<GridPoint> grid(const std::vector<Vary>& varies) {
  std::vector<GridPoint> points{GridPoint{}};
  for (const auto& v : varies) {
    std::vector<GridPoint> next;
    for (const auto& p : points)
      for (double x : v.values()) {
        GridPoint q = p;
        q.values.push_back(x);
        char buf[64];
        std::snprintf(buf, sizeof buf, "%s=%g", v.node.c_str(), x);
        if (!q.name.empty()) q.name += ' ';
        q.name += buf;
        next.push_back(std::move(q));
      }
    points = std::move(next);
  }
  return points;
}

namespace {

// The first x where y(x) - threshold changes sign, interpolating linearly.
std::optional<double> first_crossing(const std::vector<double>& x, const std::vector<double>& y, double threshold) {
  for (std::size_t i = 0; i + 1 < x.size(); ++i) {
    const double a = y[i] - threshold, b = y[i + 1] - threshold;
    if (a == 0.0) return x[i];
    if ((a > 0.0) != (b > 0.0) && b != 0.0) return x[i] + (x[i + 1] - x[i]) * a / (a - b);
    if (b == 0.0) return x[i + 1];
  }
  return std::nullopt;
}

}  // namespace

std::vector<Crossing> rag_crossings(const std::vector<double>& x, const std::vector<double>& p_hit,
                                    const std::vector<sim::Interval>& ci95, const graph::RagThresholds& rag) {
  std::vector<double> lo, hi;
  for (const auto& c : ci95) {
    lo.push_back(c.lo);
    hi.push_back(c.hi);
  }
  const bool falling = !p_hit.empty() && p_hit.back() < p_hit.front();
  std::vector<Crossing> out;
  for (auto [threshold, below, above] : {std::tuple{rag.green, "amber", "green"}, std::tuple{rag.amber, "red", "amber"}}) {
    Crossing c;
    c.threshold = threshold;
    c.turns = falling ? below : above;
    c.at = first_crossing(x, p_hit, threshold);
    if (c.at) {
      // Where the interval's bounds cross: the crossing is no earlier and no
      // later than these, up to the grid's ends.
      const auto a = first_crossing(x, lo, threshold), b = first_crossing(x, hi, threshold);
      const double first = x.front(), last = x.back();
      double u = a ? *a : (falling ? first : last), v = b ? *b : (falling ? last : first);
      c.lo = std::min({u, v, *c.at});
      c.hi = std::max({u, v, *c.at});
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace plansim::analysis
