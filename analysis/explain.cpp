#include "analysis/explain.h"

#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <set>

#include "rules/stable_hash.h"
#include "rules/suggest.h"
#include "sim/random_stream.h"
#include "sim/statistics.h"

namespace plansim::analysis {

using graph::NodeKind;

const char* to_string(InputKind k) {
  switch (k) {
    case InputKind::kAssumption: return "assumption";
    case InputKind::kAction: return "action";
    case InputKind::kRisk: return "risk";
    case InputKind::kRiskImpact: return "risk_impact";
  }
  return "";
}

std::string forced_variant_name(const std::string& node) { return "explain:" + node; }

// ---- step 1 -------------------------------------------------------------------

const graph::Target* find_target(const graph::Plan& plan, const std::string& target, std::string& error) {
  auto it = plan.index.find(target);
  if (it == plan.index.end() || it->second.kind != NodeKind::kTarget) {
    std::vector<std::string> targets;
    for (const auto& t : plan.targets) targets.push_back(t.info.name);
    error = "'" + target + "' is not a target of the plan";
    if (it != plan.index.end()) error += " (it is " + graph::with_article(it->second.kind) + ")";
    const std::string guess = rules::did_you_mean(target, targets);
    if (!guess.empty()) {
      error += "; " + guess;
    } else {
      error += "; the targets are ";
      for (std::size_t i = 0; i < targets.size(); ++i) error += (i ? ", " : "") + targets[i];
    }
    return nullptr;
  }
  const graph::Target& t = plan.targets[it->second.index];
  if (t.info.local) {
    error = "'" + target + "' is a local target (one per " + (plan.units ? plan.units->name : std::string("unit")) +
            "); explain and seek work on plan-wide targets";
    return nullptr;
  }
  return &t;
}

std::set<std::string> target_measures(const graph::Plan& plan, const graph::Target& target, int* by) {
  std::set<std::string> measures;
  std::function<void(const graph::Target&)> walk = [&](const graph::Target& x) {
    if (!x.composite()) {
      measures.insert(x.measure);
      if (by) *by = std::max(*by, x.by);
      return;
    }
    for (const auto& part : x.parts) walk(plan.targets[plan.index.at(part.name).index]);
  };
  walk(target);
  return measures;
}

std::optional<ExplainPlan> explain_plan(const graph::Plan& plan, const std::string& target, std::string& error) {
  const graph::Target* found = find_target(plan, target, error);
  if (!found) return std::nullopt;
  const graph::Target& t = *found;
  ExplainPlan out;
  out.target = target;
  out.composite = t.composite();
  const std::set<std::string> measures = target_measures(plan, t, &out.by);
  const std::string unit_name = plan.units ? plan.units->name : std::string("unit");
  const std::set<std::string> upstream = graph::upstream_of(plan, measures);
  for (const auto& name : upstream) {
    const graph::Plan::Ref& ref = plan.index.at(name);
    if (ref.kind != NodeKind::kAssumption && ref.kind != NodeKind::kAction && ref.kind != NodeKind::kRisk) continue;
    if (plan.info(ref).local) {
      out.not_ranked.push_back({name, "local (one per " + unit_name + "): its values differ by " + unit_name});
      continue;
    }
    if (ref.kind == NodeKind::kAction) {
      const int due = plan.actions[ref.index].due;
      if (due > out.by) {
        out.not_ranked.push_back({name, "due in " + plan.horizon.label(due) + ", after the target's period"});
        continue;
      }
      out.actions.push_back(name);
    } else if (ref.kind == NodeKind::kRisk) {
      out.risks.push_back(name);
    } else {
      out.assumptions.push_back(name);
    }
  }
  out.variants.push_back({"base", &plan, {}});
  auto add = [&](const std::string& node, auto&& force) {
    std::unique_ptr<graph::Plan> p = plan.clone();
    p->text.clear();  // only the base's text is ever read (hashing, history)
    p->text.shrink_to_fit();
    force(*p, p->index.at(node).index);
    // Only what the target rests on is recomputed: its P(hit) is all explain reads.
    out.variants.push_back({forced_variant_name(node), p.get(), {node}, upstream});
    out.forced.push_back(std::move(p));
  };
  for (const auto& a : out.actions)
    add(a, [](graph::Plan& p, std::size_t i) { p.actions[i].force = graph::ActionForce::kDelivered; });
  for (const auto& r : out.risks)
    add(r, [](graph::Plan& p, std::size_t i) { p.risks[i].force = graph::Force::kNever; });
  return out;
}

// ---- step 2 -------------------------------------------------------------------

std::vector<std::vector<std::int32_t>> ExplainSetup::collect() const {
  std::vector<std::vector<std::int32_t>> out;
  for (const auto& in : inputs) out.push_back(in.arrays);
  for (std::int32_t a : leaf_arrays) out.push_back({a});
  return out;
}

ExplainSetup explain_setup(const graph::Program& program, const ExplainPlan& plan) {
  ExplainSetup s;
  s.composite = plan.composite;
  s.by = plan.by;
  s.not_ranked = plan.not_ranked;
  const auto& targets = program.variants.at(0).targets;
  while (targets[s.target].id != plan.target) ++s.target;
  std::function<void(std::size_t)> leaves = [&](std::size_t t) {
    if (!targets[t].composite()) {
      if (std::find(s.leaves.begin(), s.leaves.end(), t) == s.leaves.end()) s.leaves.push_back(t);
      return;
    }
    for (std::size_t part : targets[t].parts) leaves(part);
  };
  leaves(s.target);
  auto node = [&](const std::string& id) -> const graph::NodeArrays& {
    auto at = std::lower_bound(program.base_nodes.begin(), program.base_nodes.end(), id,
                               [](const graph::NodeArrays& a, const std::string& b) { return a.id < b; });
    return *at;
  };
  const auto by = static_cast<std::size_t>(plan.by);
  for (const auto& name : plan.assumptions) {
    const graph::NodeArrays& a = node(name);
    ExplainInput in{name, InputKind::kAssumption, {}, ExplainInput::kNone, 0};
    if (a.raw >= 0)
      in.arrays = {a.raw};
    else if (a.value.size() == 1)
      in.arrays = {a.value[0]};
    else
      in.arrays.assign(a.value.begin(), a.value.begin() + static_cast<std::ptrdiff_t>(by + 1));
    s.inputs.push_back(std::move(in));
  }
  std::size_t variant = 1;
  for (const auto& name : plan.actions)
    s.inputs.push_back({name, InputKind::kAction, {node(name).value.at(0)}, ExplainInput::kNone, variant++});
  for (const auto& name : plan.risks) {
    const graph::NodeArrays& r = node(name);
    const std::size_t occurs = s.inputs.size();
    s.inputs.push_back({name, InputKind::kRisk, {r.occurred.at(by)}, ExplainInput::kNone, variant++});
    s.inputs.push_back({name, InputKind::kRiskImpact, {r.impact}, occurs, 0});
  }
  for (std::size_t leaf : s.leaves) s.leaf_arrays.push_back(targets[leaf].array);
  return s;
}

// ---- the estimators -----------------------------------------------------------

namespace {

// Indices 0..n-1 sorted by x, ties by index: the same order on every run.
// Sorted as (value, index) pairs, which is kinder to the cache than
// comparing through the indices.
std::vector<std::uint32_t> order_of(const std::vector<double>& x) {
  struct Entry {
    double v;
    std::uint32_t i;
  };
  std::vector<Entry> e(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) e[i] = {x[i], static_cast<std::uint32_t>(i)};
  std::sort(e.begin(), e.end(), [](const Entry& a, const Entry& b) { return a.v < b.v || (a.v == b.v && a.i < b.i); });
  std::vector<std::uint32_t> order(x.size());
  for (std::size_t k = 0; k < e.size(); ++k) order[k] = e[k].i;
  return order;
}

// Mid-ranks (1-based; tied values share their average rank).
std::vector<double> ranks_of(const std::vector<double>& x, const std::vector<std::uint32_t>& order) {
  std::vector<double> r(x.size());
  std::size_t i = 0;
  while (i < order.size()) {
    std::size_t j = i + 1;
    while (j < order.size() && x[order[j]] == x[order[i]]) ++j;
    const double mid = 0.5 * (static_cast<double>(i + 1) + static_cast<double>(j));
    for (std::size_t k = i; k < j; ++k) r[order[k]] = mid;
    i = j;
  }
  return r;
}

double pearson(const std::vector<double>& a, const std::vector<double>& b) {
  const double n = static_cast<double>(a.size());
  double ma = 0.0, mb = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  double sab = 0.0, saa = 0.0, sbb = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double da = a[i] - ma, db = b[i] - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  if (!(saa > 0.0) || !(sbb > 0.0)) return std::numeric_limits<double>::quiet_NaN();
  return sab / std::sqrt(saa * sbb);
}

Level level_of(const std::vector<double>& x, const std::vector<std::uint8_t>& hit,
               const std::vector<std::uint32_t>& members) {
  Level l;
  std::uint64_t hits = 0;
  double sum = 0.0;
  for (std::uint32_t i : members) {
    hits += hit[i];
    sum += x[i];
  }
  l.samples = members.size();
  l.value = sum / static_cast<double>(members.size());
  l.p_hit = static_cast<double>(hits) / static_cast<double>(members.size());
  l.ci95 = sim::wilson_interval(hits, members.size());
  return l;
}

// What one input's samples say. nullopt: the input did not vary; `why` is
// set instead when it varied but too rarely to rank.
struct InputStats {
  Driver driver;
  std::vector<std::uint32_t> order;  // kept for the Sobol bins
};

std::optional<InputStats> analyse(const std::vector<double>& x, const std::vector<double>& y,
                                  const std::vector<double>& y_ranks, const std::vector<std::uint8_t>& hit,
                                  std::string& why) {
  const std::size_t n = x.size();
  if (n == 0) return std::nullopt;
  const auto [lo, hi] = std::minmax_element(x.begin(), x.end());
  if (!(*lo < *hi)) return std::nullopt;
  InputStats s;
  Driver& d = s.driver;
  d.samples = n;
  d.two_levels = std::all_of(x.begin(), x.end(), [&](double v) { return v == *lo || v == *hi; });
  (void)y;
  std::vector<std::uint32_t> low, high;
  if (d.two_levels) {
    // Two levels: their mid-ranks directly, no sort.
    for (std::uint32_t i = 0; i < n; ++i) (x[i] == *lo ? low : high).push_back(i);
    const double low_rank = 0.5 * (1.0 + static_cast<double>(low.size()));
    const double high_rank = static_cast<double>(low.size()) + 0.5 * (1.0 + static_cast<double>(high.size()));
    std::vector<double> r(n);
    for (std::size_t i = 0; i < n; ++i) r[i] = x[i] == *lo ? low_rank : high_rank;
    d.spearman = pearson(r, y_ranks);
  } else {
    s.order = order_of(x);
    d.spearman = pearson(ranks_of(x, s.order), y_ranks);
    const std::size_t k = std::max<std::size_t>(1, n / 10);
    low.assign(s.order.begin(), s.order.begin() + static_cast<std::ptrdiff_t>(k));
    high.assign(s.order.end() - static_cast<std::ptrdiff_t>(k), s.order.end());
  }
  if (low.size() < kMinExplainSamples || high.size() < kMinExplainSamples) {
    why = "too few samples at one end (" + std::to_string(std::min(low.size(), high.size())) + ") to rank";
    return std::nullopt;
  }
  d.low = level_of(x, hit, low);
  d.high = level_of(x, hit, high);
  d.swing = d.high.p_hit - d.low.p_hit;
  d.swing_ci95 = difference_interval(d.high.p_hit, d.high.ci95, d.low.p_hit, d.low.ci95);
  return s;
}

std::vector<std::uint32_t> bins_of(const std::vector<std::uint32_t>& order, std::size_t bins) {
  std::vector<std::uint32_t> bin(order.size());
  const std::size_t n = order.size();
  for (std::size_t j = 0; j < n; ++j) bin[order[j]] = static_cast<std::uint32_t>(j * bins / n);
  return bin;
}

}  // namespace

double spearman(const std::vector<double>& x, const std::vector<double>& y) {
  return pearson(ranks_of(x, order_of(x)), ranks_of(y, order_of(y)));
}

double sobol_first_order(const std::vector<double>& y, const std::vector<std::uint32_t>& bin, std::size_t bins,
                         const std::vector<std::uint32_t>& weights, double* raw) {
  // One pass of sums about a centre (the plain mean), so that sums of
  // squares do not cancel: per bin the weight and the weighted sum, and the
  // weighted sum of squares.
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (raw) *raw = nan;
  if (y.empty()) return nan;
  double centre = 0.0;
  for (double v : y) centre += v;
  centre /= static_cast<double>(y.size());
  std::vector<double> count(bins, 0.0), sum(bins, 0.0);
  double squares = 0.0;
  if (weights.empty()) {
    for (std::size_t i = 0; i < y.size(); ++i) {
      const double d = y[i] - centre;
      count[bin[i]] += 1.0;
      sum[bin[i]] += d;
      squares += d * d;
    }
  } else {
    for (std::size_t i = 0; i < y.size(); ++i) {
      if (weights[i] == 0) continue;
      const double w = static_cast<double>(weights[i]), d = y[i] - centre;
      count[bin[i]] += w;
      sum[bin[i]] += w * d;
      squares += w * d * d;
    }
  }
  double n = 0.0, total = 0.0, between = 0.0, groups = 0.0;
  for (std::size_t b = 0; b < bins; ++b) {
    if (count[b] == 0.0) continue;
    n += count[b];
    total += sum[b];
    between += sum[b] * sum[b] / count[b];
    groups += 1.0;
  }
  const double sst = squares - total * total / n, ssb = between - total * total / n;
  if (!(sst > 0.0)) return nan;
  if (raw) *raw = ssb / sst;
  if (n <= groups) return nan;
  const double ssw = std::max(0.0, sst - ssb);
  return (ssb - (groups - 1.0) * ssw / (n - groups)) / sst;
}

sim::Interval difference_interval(double p1, sim::Interval ci1, double p0, sim::Interval ci0) {
  const double d = p1 - p0;
  return {d - std::sqrt((p1 - ci1.lo) * (p1 - ci1.lo) + (ci0.hi - p0) * (ci0.hi - p0)),
          d + std::sqrt((ci1.hi - p1) * (ci1.hi - p1) + (p0 - ci0.lo) * (p0 - ci0.lo))};
}

// ---- step 3 -------------------------------------------------------------------

Drivers drivers(const graph::Program& program, const ExplainSetup& setup, const sim::RunResult& result,
                const ExplainOptions& options) {
  const auto& targets = program.variants.at(0).targets;
  const std::size_t n = result.summary.samples;
  const std::size_t I = setup.inputs.size();
  const auto& kept = result.collected;

  // Each target's hit per sample: the leaves' from their measures, a
  // composite's from its parts' (as the engine combines them).
  std::vector<std::vector<std::uint8_t>> hit_of(targets.size());
  for (std::size_t k = 0; k < setup.leaves.size(); ++k) {
    const graph::TargetOutput& t = targets[setup.leaves[k]];
    const std::vector<double>& x = kept.at(I + k);
    auto& h = hit_of[setup.leaves[k]];
    h.resize(n);
    for (std::size_t i = 0; i < n; ++i)
      h[i] = t.direction == graph::Direction::kAtMost ? x[i] <= t.threshold : x[i] >= t.threshold;
  }
  std::function<const std::vector<std::uint8_t>&(std::size_t)> hits = [&](std::size_t t) -> const std::vector<std::uint8_t>& {
    auto& h = hit_of[t];
    if (!h.empty() || !targets[t].composite()) return h;
    const graph::TargetOutput& c = targets[t];
    const int need = c.combine == graph::Combine::kAllOf   ? static_cast<int>(c.parts.size())
                     : c.combine == graph::Combine::kAnyOf ? 1
                                                           : c.at_least_count;
    std::vector<const std::vector<std::uint8_t>*> parts;
    for (std::size_t part : c.parts) parts.push_back(&hits(part));
    std::vector<std::uint8_t> out(n);
    for (std::size_t i = 0; i < n; ++i) {
      int got = 0;
      for (const auto* p : parts) got += (*p)[i];
      out[i] = got >= need;
    }
    h = std::move(out);
    return h;
  };
  const std::vector<std::uint8_t>& hit = hits(setup.target);
  std::vector<double> y;
  if (setup.composite) {
    y.assign(hit.begin(), hit.end());
  } else {
    const auto leaf = static_cast<std::size_t>(
        std::find(setup.leaves.begin(), setup.leaves.end(), setup.target) - setup.leaves.begin());
    y = kept.at(I + leaf);
  }
  const std::vector<double> y_ranks = ranks_of(y, order_of(y));

  Drivers out;
  out.target = targets[setup.target].id;
  out.composite = setup.composite;
  out.by = setup.by;
  out.p_hit = result.base().targets.at(setup.target).p_hit;
  out.ci95 = result.base().targets.at(setup.target).ci95;
  out.not_ranked = setup.not_ranked;
  out.sobol = options.sobol;

  std::vector<std::optional<InputStats>> stats(I);
  std::vector<std::string> why(I);
  tbb::task_arena arena(options.threads > 0 ? options.threads : tbb::task_arena::automatic);
  arena.execute([&] {
    tbb::parallel_for(std::size_t{0}, I, [&](std::size_t k) {
      const ExplainInput& in = setup.inputs[k];
      if (in.condition == ExplainInput::kNone) {
        stats[k] = analyse(kept[k], y, y_ranks, hit, why[k]);
        return;
      }
      // An impact: only where its risk occurred.
      const std::vector<double>& occurred = kept[in.condition];
      std::vector<double> x1, y1;
      std::vector<std::uint8_t> h1;
      for (std::size_t i = 0; i < n; ++i)
        if (occurred[i] != 0.0) {
          x1.push_back(kept[k][i]);
          y1.push_back(y[i]);
          h1.push_back(hit[i]);
        }
      const std::vector<double> r1 = ranks_of(y1, order_of(y1));
      stats[k] = analyse(x1, y1, r1, h1, why[k]);
    });
  });

  // Forced re-runs: the variant's P(hit) and its paired change.
  for (std::size_t k = 0; k < I; ++k) {
    const ExplainInput& in = setup.inputs[k];
    if (!stats[k]) {
      if (!why[k].empty())
        out.not_ranked.push_back({in.node + (in.kind == InputKind::kRiskImpact ? " (impact)" : ""), why[k]});
      else if (in.kind != InputKind::kRiskImpact)  // an impact that does not vary is simply a constant impact
        out.constant.push_back(in.node);
      continue;
    }
    Driver& d = stats[k]->driver;
    d.node = in.node;
    d.kind = in.kind;
    if (in.variant == 0) continue;
    const sim::ScenarioResult& sc = result.scenarios.at(in.variant);
    Forced f;
    f.as = in.kind == InputKind::kAction ? "delivered" : "never";
    f.p_hit = sc.targets.at(setup.target).p_hit;
    f.ci95 = sc.targets.at(setup.target).ci95;
    for (const auto& c : result.comparison)
      if (c.scenario == sc.name && c.target == out.target && c.unit.empty()) {
        f.delta = c.delta;
        f.delta_ci95 = c.ci95;
      }
    d.forced = f;
  }

  // Sobol indices of the assumptions: bins by rank, bootstrap resamples
  // keyed by the seed and the resample's number (the same on any thread).
  if (options.sobol) {
    std::vector<std::size_t> assumptions;
    for (std::size_t k = 0; k < I; ++k)
      if (stats[k] && setup.inputs[k].kind == InputKind::kAssumption) assumptions.push_back(k);
    const std::size_t bins = std::clamp<std::size_t>(static_cast<std::size_t>(std::sqrt(static_cast<double>(n))), 2,
                                                     std::max<std::size_t>(2, std::min<std::size_t>(1000, n / 2)));
    out.sobol_bins = bins;
    out.bootstrap = options.bootstrap;
    std::vector<std::vector<std::uint32_t>> bin(assumptions.size());
    for (std::size_t a = 0; a < assumptions.size(); ++a) {
      const std::size_t k = assumptions[a];
      // A two-level assumption was not sorted for its ranks: sort it now.
      bin[a] = bins_of(stats[k]->order.empty() ? order_of(kept[k]) : stats[k]->order, bins);
    }
    std::vector<double> boot(options.bootstrap * assumptions.size());
    const std::uint64_t key = rules::stable_hash("plansim explain: bootstrap");
    arena.execute([&] {
      tbb::parallel_for(std::size_t{0}, options.bootstrap, [&](std::size_t r) {
        std::vector<std::uint32_t> w(n, 0u);
        std::vector<double> u(sim::kBlockSize);
        for (std::uint64_t b = 0; b * sim::kBlockSize < n; ++b) {
          const auto m = static_cast<std::size_t>(std::min<std::uint64_t>(sim::kBlockSize, n - b * sim::kBlockSize));
          sim::UniformStream stream(options.seed, {key, 0, 0, static_cast<std::uint32_t>(r)}, b);
          stream.fill(u.data(), m);
          for (std::size_t j = 0; j < m; ++j)
            ++w[std::min(n - 1, static_cast<std::size_t>(u[j] * static_cast<double>(n)))];
        }
        for (std::size_t a = 0; a < assumptions.size(); ++a)
          boot[r * assumptions.size() + a] = sobol_first_order(y, bin[a], bins, w);
      });
    });
    for (std::size_t a = 0; a < assumptions.size(); ++a) {
      std::vector<double> s;
      for (std::size_t r = 0; r < options.bootstrap; ++r)
        if (!std::isnan(boot[r * assumptions.size() + a])) s.push_back(boot[r * assumptions.size() + a]);
      std::sort(s.begin(), s.end());
      SobolIndex index;
      double raw = 0.0;
      index.first_order = sobol_first_order(y, bin[a], bins, {}, &raw);
      const double nan = std::numeric_limits<double>::quiet_NaN();
      // The basic bootstrap interval. A resample's estimate scatters around
      // the plug-in value of the sample it was drawn from, the uncorrected
      // ratio SSB / SST (its bins' means are that sample's "truth"), as the
      // estimate scatters around the true index: S lies in
      // [S^ - (q97.5 - raw), S^ - (q2.5 - raw)].
      index.ci95 = s.empty() ? sim::Interval{nan, nan}
                             : sim::Interval{index.first_order - (sim::quantile_sorted(s, 0.975) - raw),
                                             index.first_order - (sim::quantile_sorted(s, 0.025) - raw)};
      stats[assumptions[a]]->driver.sobol = index;
    }
  }

  // Rank by |Spearman| (NaN last); an impact follows its risk, with its rank.
  std::vector<std::size_t> ranked;
  for (std::size_t k = 0; k < I; ++k)
    if (stats[k] && setup.inputs[k].kind != InputKind::kRiskImpact) ranked.push_back(k);
  auto strength = [&](std::size_t k) {
    const double s = stats[k]->driver.spearman;
    return std::isnan(s) ? -1.0 : std::fabs(s);
  };
  std::stable_sort(ranked.begin(), ranked.end(), [&](std::size_t a, std::size_t b) { return strength(a) > strength(b); });
  int rank = 0;
  for (std::size_t k : ranked) {
    Driver d = stats[k]->driver;
    d.rank = ++rank;
    out.drivers.push_back(d);
    if (setup.inputs[k].kind == InputKind::kRisk && k + 1 < I && setup.inputs[k + 1].condition == k &&
        stats[k + 1]) {
      Driver impact = stats[k + 1]->driver;
      impact.rank = rank;
      out.drivers.push_back(impact);
    }
  }
  return out;
}

}  // namespace plansim::analysis
