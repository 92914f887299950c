#include "sim/engine.h"

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/enumerable_thread_specific.h>
#include <oneapi/tbb/info.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "sim/block_evaluator.h"
#include "sim/statistics.h"

namespace plansim::sim {

using graph::Direction;
using graph::Program;

std::string RunOptions::validate() const {
  if (samples == 0) return "samples must be at least 1 (got 0)";
  if (threads < 0) return "threads must be 0 (all cores) or more (got " + std::to_string(threads) + ")";
  return {};
}

std::uint64_t estimate_memory(const Program& program, std::uint64_t samples, int threads) {
  const std::uint64_t kept = static_cast<std::uint64_t>(program.measures.size()) *
                             static_cast<std::uint64_t>(program.periods) * samples * sizeof(double);
  const std::uint64_t per_thread = program.arrays * kBlockSize * sizeof(double) +
                                   program.targets.size() * kBlockSize;
  return kept + per_thread * static_cast<std::uint64_t>(std::max(threads, 1)) + (16u << 20);
}

namespace {

constexpr std::uint64_t kNoSample = std::numeric_limits<std::uint64_t>::max();

// Where each statistic lives in a block's partial sums and counts.
struct Layout {
  std::size_t targets = 0, periods = 0, measures = 0, resources = 0, milestones = 0;
  std::vector<std::size_t> milestone_begin;  // per target

  explicit Layout(const Program& p)
      : targets(p.targets.size()),
        periods(static_cast<std::size_t>(p.periods)),
        measures(p.measures.size()),
        resources(p.resources.size()) {
    for (const auto& t : p.targets) {
      milestone_begin.push_back(milestones);
      milestones += t.milestones.size();
    }
  }
  // counts
  std::size_t hits(std::size_t t) const { return t; }
  std::size_t nans(std::size_t t) const { return targets + t; }
  std::size_t milestone_hits(std::size_t t, std::size_t m) const { return 2 * targets + milestone_begin[t] + m; }
  std::size_t shorts(std::size_t r, std::size_t p) const { return 2 * targets + milestones + r * periods + p; }
  std::size_t count_size() const { return 2 * targets + milestones + resources * periods; }
  // sums
  std::size_t measure_sum(std::size_t m, std::size_t p) const { return m * periods + p; }
  std::size_t available_sum(std::size_t r, std::size_t p) const { return (measures + r) * periods + p; }
  std::size_t demand_sum(std::size_t r, std::size_t p) const { return (measures + resources + r) * periods + p; }
  std::size_t sum_size() const { return (measures + 2 * resources) * periods; }
};

struct BlockStats {
  std::vector<double> sums;
  std::vector<std::uint64_t> counts;
  std::vector<std::uint64_t> first_nan;  // per target: first sample where its measure was NaN

  explicit BlockStats(const Layout& l)
      : sums(l.sum_size()), counts(l.count_size()), first_nan(l.targets, kNoSample) {}
  void clear() {
    std::fill(sums.begin(), sums.end(), 0.0);
    std::fill(counts.begin(), counts.end(), 0);
    std::fill(first_nan.begin(), first_nan.end(), kNoSample);
  }
};

struct ThreadState {
  Workspace ws;
  std::vector<std::uint8_t> hit;  // targets x kBlockSize flags
  explicit ThreadState(const Program& p) : ws(p), hit(p.targets.size() * kBlockSize) {}
};

// Neumaier's compensated sum: the rounding error of each addition is
// carried in c, so a mean of 10^6 equal values comes out exact rather than
// drifting in the 15th digit.
struct CompensatedSum {
  double sum = 0.0;
  double c = 0.0;
  void add(double x) {
    const double t = sum + x;
    c += std::fabs(sum) >= std::fabs(x) ? (sum - t) + x : (x - t) + sum;
    sum = t;
  }
  double value() const { return sum + c; }
};

double sum_of(const double* x, std::size_t n) {
  CompensatedSum s;
  for (std::size_t i = 0; i < n; ++i) s.add(x[i]);
  return s.value();
}

// Evaluates block b and fills its partial statistics and kept values.
void evaluate_block(const Program& p, const Layout& l, const BlockEvaluator& eval, std::uint64_t b,
                    std::size_t n, ThreadState& ts, BlockStats& out, std::vector<std::vector<double>>& kept) {
  out.clear();
  eval.run(b, n, ts.ws);
  const std::uint64_t first = b * kBlockSize;

  for (std::size_t t = 0; t < p.targets.size(); ++t) {
    const graph::TargetOutput& target = p.targets[t];
    std::uint8_t* hit = ts.hit.data() + t * kBlockSize;
    std::uint64_t hits = 0;
    if (!target.composite()) {
      const double* x = ts.ws.array(target.array);
      const double thr = target.threshold;
      if (target.direction == Direction::kAtMost)
        for (std::size_t i = 0; i < n; ++i) hit[i] = x[i] <= thr;
      else
        for (std::size_t i = 0; i < n; ++i) hit[i] = x[i] >= thr;
      std::uint64_t nans = 0;
      for (std::size_t i = 0; i < n; ++i) nans += std::isnan(x[i]);
      if (nans) {
        out.counts[l.nans(t)] = nans;
        for (std::size_t i = 0; i < n; ++i)
          if (std::isnan(x[i])) {
            out.first_nan[t] = first + i;
            break;
          }
      }
      for (std::size_t m = 0; m < target.milestones.size(); ++m) {
        const auto& ms = target.milestones[m];
        const double* y = ts.ws.array(ms.array);
        std::uint64_t mh = 0;
        if (ms.direction == Direction::kAtMost)
          for (std::size_t i = 0; i < n; ++i) mh += y[i] <= ms.threshold;
        else
          for (std::size_t i = 0; i < n; ++i) mh += y[i] >= ms.threshold;
        out.counts[l.milestone_hits(t, m)] = mh;
      }
    } else {
      const int need = target.combine == graph::Combine::kAllOf   ? static_cast<int>(target.parts.size())
                       : target.combine == graph::Combine::kAnyOf ? 1
                                                                  : target.at_least_count;
      for (std::size_t i = 0; i < n; ++i) {
        int got = 0;
        for (std::size_t part : target.parts) got += ts.hit[part * kBlockSize + i];
        hit[i] = got >= need;
      }
    }
    for (std::size_t i = 0; i < n; ++i) hits += hit[i];
    out.counts[l.hits(t)] = hits;
  }

  for (std::size_t m = 0; m < l.measures; ++m)
    for (std::size_t q = 0; q < l.periods; ++q) {
      const double* x = ts.ws.array(p.measures[m].arrays[q]);
      out.sums[l.measure_sum(m, q)] = sum_of(x, n);
      std::copy(x, x + n, kept[m * l.periods + q].begin() + static_cast<std::ptrdiff_t>(first));
    }
  for (std::size_t r = 0; r < l.resources; ++r)
    for (std::size_t q = 0; q < l.periods; ++q) {
      const double* avail = ts.ws.array(p.resources[r].available[q]);
      const double* demand = ts.ws.array(p.resources[r].demand[q]);
      out.sums[l.available_sum(r, q)] = sum_of(avail, n);
      out.sums[l.demand_sum(r, q)] = sum_of(demand, n);
      std::uint64_t shorts = 0;
      for (std::size_t i = 0; i < n; ++i) shorts += demand[i] > avail[i];
      out.counts[l.shorts(r, q)] = shorts;
    }
}

// Sorts the kept values of a measure in one period; NaNs make every summary NaN.
PeriodSummary summarise(std::vector<double>& values, double sum, std::uint64_t samples) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (std::any_of(values.begin(), values.end(), [](double v) { return std::isnan(v); }))
    return {nan, nan, nan, nan};
  std::sort(values.begin(), values.end());
  return {sum / static_cast<double>(samples), quantile_sorted(values, 0.1), quantile_sorted(values, 0.5),
          quantile_sorted(values, 0.9)};
}

}  // namespace

RunResult run(const Program& p, const RunOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  const int threads = options.threads > 0 ? options.threads : tbb::info::default_concurrency();
  const std::uint64_t samples = options.samples;
  const std::uint64_t blocks = (samples + kBlockSize - 1) / kBlockSize;
  const Layout l(p);
  const BlockEvaluator eval(p, options.seed);

  std::vector<std::vector<double>> kept(l.measures * l.periods, std::vector<double>(samples));
  std::vector<CompensatedSum> sums(l.sum_size());
  std::vector<std::uint64_t> counts(l.count_size(), 0);
  std::vector<std::uint64_t> first_nan(l.targets, kNoSample);

  tbb::task_arena arena(threads);
  tbb::enumerable_thread_specific<ThreadState> states(std::cref(p));
  // A chunk is a few blocks per thread: enough to balance the load, small
  // enough for prompt progress and cancellation.
  const std::uint64_t chunk = static_cast<std::uint64_t>(threads) * 8;
  std::vector<BlockStats> partial(static_cast<std::size_t>(std::min<std::uint64_t>(chunk, blocks)), BlockStats(l));

  RunResult result;
  result.summary.seed = options.seed;
  result.summary.samples = samples;
  result.summary.block_size = kBlockSize;
  result.summary.threads = threads;

  for (std::uint64_t begin = 0; begin < blocks; begin += chunk) {
    if (options.cancel && options.cancel->load()) {
      result.summary.stop = StopReason::kCancelled;
      return result;
    }
    const std::uint64_t end = std::min(blocks, begin + chunk);
    arena.execute([&] {
      tbb::parallel_for(tbb::blocked_range<std::uint64_t>(begin, end, 1), [&](const auto& range) {
        ThreadState& ts = states.local();
        for (std::uint64_t b = range.begin(); b != range.end(); ++b) {
          const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(kBlockSize, samples - b * kBlockSize));
          evaluate_block(p, l, eval, b, n, ts, partial[b - begin], kept);
        }
      });
    });
    // Merge in block order: the sums do not depend on which thread ran what.
    for (std::uint64_t b = begin; b < end; ++b) {
      const BlockStats& s = partial[b - begin];
      for (std::size_t k = 0; k < sums.size(); ++k) sums[k].add(s.sums[k]);
      for (std::size_t k = 0; k < counts.size(); ++k) counts[k] += s.counts[k];
      for (std::size_t t = 0; t < l.targets; ++t) first_nan[t] = std::min(first_nan[t], s.first_nan[t]);
    }
    if (options.progress) options.progress(static_cast<double>(end) / static_cast<double>(blocks));
  }

  const double n = static_cast<double>(samples);
  ScenarioResult& sc = result.scenario;
  std::vector<std::vector<PeriodSummary>> measure_periods(l.measures, std::vector<PeriodSummary>(l.periods));
  arena.execute([&] {
    tbb::parallel_for(std::size_t{0}, l.measures * l.periods, [&](std::size_t k) {
      std::size_t m = k / l.periods, q = k % l.periods;
      measure_periods[m][q] = summarise(kept[k], sums[l.measure_sum(m, q)].value(), samples);
    });
  });
  for (std::size_t m = 0; m < l.measures; ++m)
    sc.measures.push_back({p.measures[m].id, p.measures[m].label, measure_periods[m]});
  for (std::size_t r = 0; r < l.resources; ++r) {
    ResourceResult rr{p.resources[r].id, p.resources[r].label, {}};
    for (std::size_t q = 0; q < l.periods; ++q)
      rr.periods.push_back({sums[l.available_sum(r, q)].value() / n, sums[l.demand_sum(r, q)].value() / n,
                            static_cast<double>(counts[l.shorts(r, q)]) / n});
    sc.resources.push_back(std::move(rr));
  }

  for (std::size_t t = 0; t < l.targets; ++t) {
    const graph::TargetOutput& target = p.targets[t];
    TargetResult tr;
    tr.id = target.id;
    tr.label = target.label;
    tr.composite = target.composite();
    const std::uint64_t hits = counts[l.hits(t)];
    tr.p_hit = static_cast<double>(hits) / n;
    tr.ci95 = wilson_interval(hits, samples);
    tr.rag = rate(tr.p_hit, p.rag);
    if (!tr.composite) {
      tr.measure = target.measure;
      tr.direction = target.direction;
      tr.threshold = target.threshold;
      tr.by = target.by;
      // The measure's kept values in period `by`, sorted above.
      std::size_t m = 0;
      while (p.measures[m].id != target.measure) ++m;
      const std::vector<double>& sorted = kept[m * l.periods + static_cast<std::size_t>(target.by)];
      const PeriodSummary& s = measure_periods[m][static_cast<std::size_t>(target.by)];
      tr.p10 = s.p10;
      tr.p50 = s.p50;
      tr.p90 = s.p90;
      const double c = target.direction == Direction::kAtMost ? p.confidence : 1.0 - p.confidence;
      tr.achievable = std::isnan(s.mean) ? s.mean : quantile_sorted(sorted, c);
      for (std::size_t k = 0; k < target.milestones.size(); ++k) {
        const auto& ms = target.milestones[k];
        const std::uint64_t mh = counts[l.milestone_hits(t, k)];
        tr.milestones.push_back(
            {ms.by, ms.direction, ms.threshold, static_cast<double>(mh) / n, wilson_interval(mh, samples)});
      }
    }
    sc.targets.push_back(std::move(tr));
  }

  // The first target (in program order) whose measure was NaN, its first
  // such sample, and where that NaN came from.
  std::size_t nan_target = l.targets;
  for (std::size_t t = 0; t < l.targets && nan_target == l.targets; ++t)
    if (counts[l.nans(t)]) nan_target = t;
  if (nan_target < l.targets) {
    NanReport nan;
    nan.target = p.targets[nan_target].id;
    nan.samples = counts[l.nans(nan_target)];
    nan.first_sample = first_nan[nan_target];
    const std::uint64_t b = nan.first_sample / kBlockSize;
    ThreadState ts(p);
    const auto nb = static_cast<std::size_t>(std::min<std::uint64_t>(kBlockSize, samples - b * kBlockSize));
    const std::size_t k = eval.nan_origin(b, nb, static_cast<std::size_t>(nan.first_sample % kBlockSize),
                                          p.targets[nan_target].array, ts.ws);
    if (k < p.code.size()) {
      nan.node = p.owners[p.code[k].owner];
      nan.period = static_cast<int>(std::upper_bound(p.period_begin.begin(), p.period_begin.end(), k) -
                                    p.period_begin.begin()) - 1;
    }
    result.nan = nan;
    result.summary.stop = StopReason::kNaN;
  }
  result.summary.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace plansim::sim
