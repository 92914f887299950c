#include "analysis/seek.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>

namespace plansim::analysis {

const char* to_string(SeekBy by) { return by == SeekBy::kScale ? "scale" : "shift"; }
double identity(SeekBy by) { return by == SeekBy::kScale ? 1.0 : 0.0; }

const char* to_string(SeekOutcome o) {
  switch (o) {
    case SeekOutcome::kFound: return "found";
    case SeekOutcome::kNotReachable: return "not_reachable";
    case SeekOutcome::kMetThroughout: return "met_throughout";
    case SeekOutcome::kPlanFails: return "plan_fails";
  }
  return "";
}

std::optional<std::pair<double, double>> parse_range(const std::string& text, std::string& error) {
  const auto colon = text.find(':');
  auto number = [](const std::string& s, double& v) {
    char* end = nullptr;
    v = std::strtod(s.c_str(), &end);
    return !s.empty() && *end == '\0' && std::isfinite(v);
  };
  double lo = 0.0, hi = 0.0;
  if (colon == std::string::npos || !number(text.substr(0, colon), lo) || !number(text.substr(colon + 1), hi)) {
    error = "expected LO:HI, e.g. 0:10 (got '" + text + "')";
    return std::nullopt;
  }
  if (!(lo < hi)) {
    error = "need LO < HI (got '" + text + "')";
    return std::nullopt;
  }
  return std::pair{lo, hi};
}

std::unique_ptr<graph::Plan> adjusted_plan(const graph::Plan& plan, const std::string& node, SeekBy by,
                                           double change) {
  std::unique_ptr<graph::Plan> p = plan.clone();
  graph::NodeInfo& info = p->info(p->index.at(node));
  if (by == SeekBy::kScale) {
    info.adjust.scale *= change;
    info.adjust.shift *= change;
  } else {
    info.adjust.shift += change;
  }
  return p;
}

namespace {

class Search {
 public:
  Search(const Evaluate& evaluate, const SeekOptions& options, SeekResult& result)
      : evaluate_(evaluate), options_(options), r_(result) {}

  const SeekPoint& at(double x) {
    auto it = cache_.find(x);
    if (it != cache_.end()) return it->second;
    SeekPoint p = evaluate_(x);
    p.change = x;
    ++r_.runs;
    r_.points.push_back(p);
    return cache_.emplace(x, p).first->second;
  }
  bool budget() const { return r_.runs < options_.max_runs; }

  // Pulls an end where the plan fails in toward `from` (where it runs), to
  // the last value where it runs, within `tol`.
  double last_valid(double from, double end, double tol) {
    while (std::fabs(end - from) > tol && budget()) {
      const double mid = 0.5 * (from + end);
      if (at(mid).valid)
        from = mid;
      else
        end = mid;
    }
    return from;
  }

  // Within [bad, good] (P(hit) rising from bad to good), the bracket of the
  // first crossing of the confidence by one of the curves, in u = (x - bad)
  // / (good - bad): below at ua, at or above at ub. A missing side means
  // the crossing lies beyond that end of the range.
  struct Bracket {
    std::optional<double> ua, ub;
    double ga = 0.0, gb = 0.0;
    double xa = 0.0, xb = 0.0;  // the changes evaluated at ua and ub
  };
  Bracket bracket(double bad, double good, double (*curve)(const SeekPoint&)) const {
    const double c = options_.confidence;
    struct Point {
      double u, g, x;
    };
    std::vector<Point> points;  // valid points in the range, by u
    for (const auto& [x, p] : cache_) {
      if (!p.valid) continue;
      const double u = (x - bad) / (good - bad);
      if (u < 0.0 || u > 1.0) continue;
      points.push_back({u, curve(p), x});
    }
    std::sort(points.begin(), points.end(), [](const Point& a, const Point& b) { return a.u < b.u; });
    Bracket b;
    for (const auto& p : points)
      if (p.g >= c) {
        b.ub = p.u;
        b.gb = p.g;
        b.xb = p.x;
        break;
      }
    for (const auto& p : points) {
      if (b.ub && p.u >= *b.ub) break;
      if (p.g < c) {
        b.ua = p.u;
        b.ga = p.g;
        b.xa = p.x;
      }
    }
    return b;
  }

  // Where the curve crosses the confidence, in u, interpolating linearly in
  // the bracket; the range's end when the crossing lies beyond it.
  double crossing(const Bracket& b, bool& clipped) const {
    clipped = false;
    if (!b.ub) {
      clipped = true;
      return 1.0;
    }
    if (!b.ua) {
      clipped = true;
      return 0.0;
    }
    if (b.gb == b.ga) return *b.ub;
    return *b.ua + (*b.ub - *b.ua) * (options_.confidence - b.ga) / (b.gb - b.ga);
  }

 private:
  const Evaluate& evaluate_;
  const SeekOptions& options_;
  SeekResult& r_;
  std::map<double, SeekPoint> cache_;
};

double p_of(const SeekPoint& p) { return p.p_hit; }
double upper_of(const SeekPoint& p) { return p.ci95.hi; }
double lower_of(const SeekPoint& p) { return p.ci95.lo; }

}  // namespace

std::optional<SeekResult> seek(const Evaluate& evaluate, const SeekOptions& options, std::string& error) {
  const double x0 = identity(options.by);
  if (!(options.confidence > 0.0 && options.confidence < 1.0)) {
    error = "the confidence must be between 0 and 1 (got " + std::to_string(options.confidence) + ")";
    return std::nullopt;
  }
  if (!(options.lo <= x0 && x0 <= options.hi && options.lo < options.hi)) {
    error = std::string("the range must contain the plan as written (") + to_string(options.by) + " " +
            (options.by == SeekBy::kScale ? "1" : "0") + ")";
    return std::nullopt;
  }
  SeekResult r;
  const double c = options.confidence;
  // The plan as written may have been evaluated already (it is still counted as a run).
  const Evaluate with_plan = [&](double x) { return x == x0 && options.plan ? *options.plan : evaluate(x); };
  Search search(with_plan, options, r);
  r.plan = search.at(x0);
  if (!r.plan.valid) {
    r.outcome = SeekOutcome::kPlanFails;
    return r;
  }
  r.already_met = r.plan.p_hit >= c;
  const double tol = 1e-6 * (options.hi - options.lo);
  double lo = options.lo, hi = options.hi;
  if (lo != x0 && !search.at(lo).valid) lo = search.last_valid(x0, lo, 1e-3 * (options.hi - options.lo));
  if (hi != x0 && !search.at(hi).valid) hi = search.last_valid(x0, hi, 1e-3 * (options.hi - options.lo));
  r.lo = lo;
  r.hi = hi;
  const SeekPoint p_lo = search.at(lo), p_hi = search.at(hi);
  r.increasing = p_hi.p_hit >= p_lo.p_hit;
  r.best = r.plan;
  r.worst = r.plan;
  for (const auto& p : r.points)
    if (p.valid) {
      if (p.p_hit > r.best.p_hit) r.best = p;
      if (p.p_hit < r.worst.p_hit) r.worst = p;
    }
  const double good = r.increasing ? hi : lo, bad = r.increasing ? lo : hi;
  const SeekPoint p_good = search.at(good), p_bad = search.at(bad);
  if (p_good.p_hit < c) {
    r.outcome = SeekOutcome::kNotReachable;
    return r;
  }
  if (p_bad.p_hit >= c) {
    r.outcome = SeekOutcome::kMetThroughout;
    return r;
  }
  r.outcome = SeekOutcome::kFound;
  double (*const curves[])(const SeekPoint&) = {p_of, upper_of, lower_of};
  auto x_of = [&](double u) { return bad + u * (good - bad); };
  const double span = std::fabs(good - bad);
  std::vector<double> dead;  // midpoints where the plan failed: not tried again
  while (search.budget()) {
    bool clipped_early = false, clipped_late = false;
    const double early = x_of(search.crossing(search.bracket(bad, good, upper_of), clipped_early));
    const double late = x_of(search.crossing(search.bracket(bad, good, lower_of), clipped_late));
    const double width = std::fabs(late - early);
    const double want = std::max(tol, 0.2 * width) / span;  // in u
    // Bisect the widest bracket still wider than wanted: early points serve all three.
    std::optional<double> next;
    double widest = want;
    for (auto* curve : curves) {
      const auto b = search.bracket(bad, good, curve);
      if (!b.ua || !b.ub || *b.ub - *b.ua <= widest) continue;
      const double mid = x_of(0.5 * (*b.ua + *b.ub));
      if (std::find(dead.begin(), dead.end(), mid) != dead.end()) continue;
      next = mid;
      widest = *b.ub - *b.ua;
    }
    if (!next) break;
    if (!search.at(*next).valid) dead.push_back(*next);
  }
  const auto main = search.bracket(bad, good, p_of);
  bool clipped = false;
  r.crossing = x_of(search.crossing(main, clipped));
  r.answer = search.at(main.xb);  // evaluated already: no run
  bool clipped_early = false, clipped_late = false;
  const double early = x_of(search.crossing(search.bracket(bad, good, upper_of), clipped_early));
  const double late = x_of(search.crossing(search.bracket(bad, good, lower_of), clipped_late));
  r.ci95 = {std::min({early, late, r.crossing}), std::max({early, late, r.crossing})};
  // Which end of the interval is which depends on the direction.
  if (r.increasing) {
    r.lo_clipped = clipped_early;
    r.hi_clipped = clipped_late;
  } else {
    r.lo_clipped = clipped_late;
    r.hi_clipped = clipped_early;
  }
  for (const auto& p : r.points)
    if (p.valid) {
      if (p.p_hit > r.best.p_hit) r.best = p;
      if (p.p_hit < r.worst.p_hit) r.worst = p;
    }
  return r;
}

}  // namespace plansim::analysis
