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
  std::uint64_t measures = 0, targets = 0;
  for (const auto& v : program.variants) {
    measures += v.measures.size();
    targets += v.targets.size();
  }
  const std::uint64_t kept = measures * static_cast<std::uint64_t>(program.periods) * samples * sizeof(double);
  const std::uint64_t per_thread = program.arrays * kBlockSize * sizeof(double) + targets * kBlockSize;
  return kept + per_thread * static_cast<std::uint64_t>(std::max(threads, 1)) + (16u << 20);
}

namespace {

constexpr std::uint64_t kNoSample = std::numeric_limits<std::uint64_t>::max();
using graph::VariantOutputs;

// Where each statistic of one variant lives in a block's partial counts and
// sums (offsets into BlockStats). Counts are exact integers; sums are
// compensated.
struct VariantLayout {
  std::size_t hits = 0, nans = 0, paired = 0, shorts = 0, triggered = 0, first_on = 0;
  std::vector<std::size_t> milestones;  // per target: first milestone's count
  std::size_t measure_sums = 0, available_sums = 0, demand_sums = 0;
  std::size_t kept = 0;  // first kept-values vector (measure x period), when quantiles are kept
};

struct Layout {
  std::size_t periods = 0;
  std::vector<VariantLayout> variants;
  std::size_t counts = 0, sums = 0, kept = 0, targets = 0;

  Layout(const Program& p, bool keep) : periods(static_cast<std::size_t>(p.periods)) {
    for (std::size_t v = 0; v < p.variants.size(); ++v) {
      const VariantOutputs& o = p.variants[v];
      VariantLayout l;
      const std::size_t T = o.targets.size();
      l.hits = counts, counts += T;
      l.nans = counts, counts += T;
      l.paired = counts, counts += v == 0 ? 0 : 2 * T;  // n10, n01 against the base
      for (const auto& t : o.targets) l.milestones.push_back(counts), counts += t.milestones.size();
      l.shorts = counts, counts += o.resources.size() * periods;
      l.triggered = counts, counts += o.responses.size();
      l.first_on = counts, counts += o.responses.size();
      l.measure_sums = sums, sums += o.measures.size() * periods;
      l.available_sums = sums, sums += o.resources.size() * periods;
      l.demand_sums = sums, sums += o.resources.size() * periods;
      l.kept = kept, kept += keep ? o.measures.size() * periods : 0;
      targets += T;
      variants.push_back(std::move(l));
    }
  }
};

struct BlockStats {
  std::vector<double> sums;
  std::vector<std::uint64_t> counts;
  std::vector<std::uint64_t> first_nan;  // per variant x target: first sample where its measure was NaN

  explicit BlockStats(const Layout& l) : sums(l.sums), counts(l.counts), first_nan(l.targets, kNoSample) {}
  void clear() {
    std::fill(sums.begin(), sums.end(), 0.0);
    std::fill(counts.begin(), counts.end(), 0);
    std::fill(first_nan.begin(), first_nan.end(), kNoSample);
  }
};

struct ThreadState {
  Workspace ws;
  std::vector<std::uint8_t> hit;  // variants x targets x kBlockSize flags
  ThreadState(const Program& p, const Layout& l) : ws(p), hit(l.targets * kBlockSize) {}
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

// Hit flags and counts of one variant's targets in a block.
void count_targets(const VariantOutputs& o, const VariantLayout& l, std::size_t first_target, std::uint64_t first,
                   std::size_t n, ThreadState& ts, BlockStats& out) {
  for (std::size_t t = 0; t < o.targets.size(); ++t) {
    const graph::TargetOutput& target = o.targets[t];
    std::uint8_t* hit = ts.hit.data() + (first_target + t) * kBlockSize;
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
        out.counts[l.nans + t] = nans;
        for (std::size_t i = 0; i < n; ++i)
          if (std::isnan(x[i])) {
            out.first_nan[first_target + t] = first + i;
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
        out.counts[l.milestones[t] + m] = mh;
      }
    } else {
      const int need = target.combine == graph::Combine::kAllOf   ? static_cast<int>(target.parts.size())
                       : target.combine == graph::Combine::kAnyOf ? 1
                                                                  : target.at_least_count;
      for (std::size_t i = 0; i < n; ++i) {
        int got = 0;
        for (std::size_t part : target.parts) got += ts.hit[(first_target + part) * kBlockSize + i];
        hit[i] = got >= need;
      }
    }
    std::uint64_t hits = 0;
    for (std::size_t i = 0; i < n; ++i) hits += hit[i];
    out.counts[l.hits + t] = hits;
  }
}

// Evaluates block b and fills its partial statistics and kept values.
void evaluate_block(const Program& p, const Layout& layout, const BlockEvaluator& eval, std::uint64_t b,
                    std::size_t n, ThreadState& ts, BlockStats& out, std::vector<std::vector<double>>& kept) {
  out.clear();
  eval.run(b, n, ts.ws);
  const std::uint64_t first = b * kBlockSize;
  const std::size_t P = layout.periods;

  std::size_t first_target = 0;
  for (std::size_t v = 0; v < p.variants.size(); ++v) {
    const VariantOutputs& o = p.variants[v];
    const VariantLayout& l = layout.variants[v];
    count_targets(o, l, first_target, first, n, ts, out);
    if (v > 0) {
      // Paired outcomes against the base (variant 0, whose flags come first).
      for (std::size_t t = 0; t < o.targets.size(); ++t) {
        const std::uint8_t* h1 = ts.hit.data() + (first_target + t) * kBlockSize;
        const std::uint8_t* h0 = ts.hit.data() + t * kBlockSize;
        std::uint64_t n10 = 0, n01 = 0;
        for (std::size_t i = 0; i < n; ++i) {
          n10 += h1[i] & (h0[i] ^ 1u);
          n01 += h0[i] & (h1[i] ^ 1u);
        }
        out.counts[l.paired + 2 * t] = n10;
        out.counts[l.paired + 2 * t + 1] = n01;
      }
    }
    first_target += o.targets.size();

    for (std::size_t m = 0; m < o.measures.size(); ++m)
      for (std::size_t q = 0; q < P; ++q) {
        const double* x = ts.ws.array(o.measures[m].arrays[q]);
        out.sums[l.measure_sums + m * P + q] = sum_of(x, n);
        if (!kept.empty())
          std::copy(x, x + n, kept[l.kept + m * P + q].begin() + static_cast<std::ptrdiff_t>(first));
      }
    for (std::size_t r = 0; r < o.resources.size(); ++r)
      for (std::size_t q = 0; q < P; ++q) {
        const double* avail = ts.ws.array(o.resources[r].available[q]);
        const double* demand = ts.ws.array(o.resources[r].demand[q]);
        out.sums[l.available_sums + r * P + q] = sum_of(avail, n);
        out.sums[l.demand_sums + r * P + q] = sum_of(demand, n);
        std::uint64_t shorts = 0;
        for (std::size_t i = 0; i < n; ++i) shorts += demand[i] > avail[i];
        out.counts[l.shorts + r * P + q] = shorts;
      }
    for (std::size_t r = 0; r < o.responses.size(); ++r) {
      std::uint64_t triggered = 0, first_on = 0;
      for (std::size_t i = 0; i < n; ++i)
        for (std::size_t q = 0; q < P; ++q)
          if (ts.ws.array(o.responses[r].on[q])[i] != 0.0) {
            ++triggered;
            first_on += q;
            break;
          }
      out.counts[l.triggered + r] = triggered;
      out.counts[l.first_on + r] = first_on;
    }
  }
}

// A measure's summary in one period, and its quantiles at the plan's
// confidence c and at 1 - c (the achievable levels of at_most and at_least
// targets), by selection over the kept values. NaNs make every figure NaN.
struct Summary {
  PeriodSummary period;
  double at_c = 0.0, at_one_minus_c = 0.0;
  std::vector<double> distribution;  // only for the measures of targets at `by`
};

Summary summarise(std::vector<double>& values, double sum, std::uint64_t samples, double c, bool distribution) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double mean = sum / static_cast<double>(samples);
  if (values.empty()) return {{mean, nan, nan, nan, nan, nan}, nan, nan, {}};
  if (std::any_of(values.begin(), values.end(), [](double v) { return std::isnan(v); }))
    return {{nan, nan, nan, nan, nan, nan}, nan, nan, {}};
  std::vector<double> levels = {0.1, 0.5, 0.9, 0.25, 0.75, c, 1.0 - c};
  if (distribution)
    for (int i = 0; i < kDistributionLevels; ++i) levels.push_back((2.0 * i + 1.0) / (2.0 * kDistributionLevels));
  const std::vector<double> q = quantiles(values, levels);
  return {{mean, q[0], q[1], q[2], q[3], q[4]}, q[5], q[6], std::vector<double>(q.begin() + 7, q.end())};
}

Interval around(double centre, double half) { return {centre - half, centre + half}; }

}  // namespace

RunResult run(const Program& p, const RunOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  const int threads = options.threads > 0 ? options.threads : tbb::info::default_concurrency();
  const std::uint64_t samples = options.samples;
  const std::uint64_t blocks = (samples + kBlockSize - 1) / kBlockSize;
  const Layout layout(p, options.keep_quantiles);
  const std::size_t P = layout.periods;
  const BlockEvaluator eval(p, options.seed);

  std::vector<std::vector<double>> kept(layout.kept, std::vector<double>(samples));
  std::vector<CompensatedSum> sums(layout.sums);
  std::vector<std::uint64_t> counts(layout.counts, 0);
  std::vector<std::uint64_t> first_nan(layout.targets, kNoSample);

  tbb::task_arena arena(threads);
  tbb::enumerable_thread_specific<ThreadState> states(std::cref(p), std::cref(layout));
  // A chunk is a few blocks per thread: enough to balance the load, small
  // enough for prompt progress and cancellation.
  const std::uint64_t chunk = static_cast<std::uint64_t>(threads) * 8;
  std::vector<BlockStats> partial(static_cast<std::size_t>(std::min<std::uint64_t>(chunk, blocks)),
                                  BlockStats(layout));

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
          evaluate_block(p, layout, eval, b, n, ts, partial[b - begin], kept);
        }
      });
    });
    // Merge in block order: the sums do not depend on which thread ran what.
    for (std::uint64_t b = begin; b < end; ++b) {
      const BlockStats& s = partial[b - begin];
      for (std::size_t k = 0; k < sums.size(); ++k) sums[k].add(s.sums[k]);
      for (std::size_t k = 0; k < counts.size(); ++k) counts[k] += s.counts[k];
      for (std::size_t t = 0; t < first_nan.size(); ++t) first_nan[t] = std::min(first_nan[t], s.first_nan[t]);
    }
    if (options.progress) options.progress(static_cast<double>(end) / static_cast<double>(blocks));
  }

  const double n = static_cast<double>(samples);
  auto probability = [&](std::uint64_t k) { return static_cast<double>(k) / n; };

  for (std::size_t v = 0; v < p.variants.size(); ++v) {
    const VariantOutputs& o = p.variants[v];
    const VariantLayout& l = layout.variants[v];
    ScenarioResult sc;
    sc.name = o.name;
    std::vector<Summary> summaries(o.measures.size() * P);
    std::vector<char> wants_distribution(summaries.size(), 0);
    for (const auto& target : o.targets)
      if (!target.composite())
        for (std::size_t m = 0; m < o.measures.size(); ++m)
          if (o.measures[m].id == target.measure) wants_distribution[m * P + static_cast<std::size_t>(target.by)] = 1;
    arena.execute([&] {
      tbb::parallel_for(std::size_t{0}, summaries.size(), [&](std::size_t k) {
        std::vector<double> none;
        std::vector<double>& values = kept.empty() ? none : kept[l.kept + k];
        summaries[k] =
            summarise(values, sums[l.measure_sums + k].value(), samples, p.confidence, wants_distribution[k] != 0);
      });
    });
    for (std::size_t m = 0; m < o.measures.size(); ++m) {
      MeasureResult mr{o.measures[m].id, o.measures[m].label, {}};
      for (std::size_t q = 0; q < P; ++q) mr.periods.push_back(summaries[m * P + q].period);
      sc.measures.push_back(std::move(mr));
    }
    for (std::size_t r = 0; r < o.resources.size(); ++r) {
      ResourceResult rr{o.resources[r].id, o.resources[r].label, {}};
      for (std::size_t q = 0; q < P; ++q)
        rr.periods.push_back({sums[l.available_sums + r * P + q].value() / n,
                              sums[l.demand_sums + r * P + q].value() / n, probability(counts[l.shorts + r * P + q])});
      sc.resources.push_back(std::move(rr));
    }
    for (std::size_t r = 0; r < o.responses.size(); ++r) {
      const std::uint64_t triggered = counts[l.triggered + r];
      sc.responses.push_back({o.responses[r].id, o.responses[r].label, probability(triggered),
                              triggered ? static_cast<double>(counts[l.first_on + r]) / static_cast<double>(triggered)
                                        : std::numeric_limits<double>::quiet_NaN()});
    }
    for (std::size_t t = 0; t < o.targets.size(); ++t) {
      const graph::TargetOutput& target = o.targets[t];
      TargetResult tr;
      tr.id = target.id;
      tr.label = target.label;
      tr.composite = target.composite();
      const std::uint64_t hits = counts[l.hits + t];
      tr.p_hit = probability(hits);
      tr.ci95 = wilson_interval(hits, samples);
      tr.rag = rate(tr.p_hit, p.rag);
      if (!tr.composite) {
        tr.measure = target.measure;
        tr.direction = target.direction;
        tr.threshold = target.threshold;
        tr.by = target.by;
        std::size_t m = 0;
        while (o.measures[m].id != target.measure) ++m;
        const Summary& s = summaries[m * P + static_cast<std::size_t>(target.by)];
        tr.p10 = s.period.p10;
        tr.p50 = s.period.p50;
        tr.p90 = s.period.p90;
        tr.achievable = target.direction == Direction::kAtMost ? s.at_c : s.at_one_minus_c;
        tr.distribution = s.distribution;
        for (std::size_t k = 0; k < target.milestones.size(); ++k) {
          const auto& ms = target.milestones[k];
          const std::uint64_t mh = counts[l.milestones[t] + k];
          tr.milestones.push_back({ms.by, ms.direction, ms.threshold, probability(mh), wilson_interval(mh, samples)});
        }
      }
      if (v > 0) {
        const double p0 = result.scenarios[0].targets[t].p_hit;
        const double n10 = static_cast<double>(counts[l.paired + 2 * t]);
        const double n01 = static_cast<double>(counts[l.paired + 2 * t + 1]);
        Comparison c{o.name, target.id, tr.p_hit, (n10 - n01) / n, {}, {}};
        const double var = std::max(0.0, (n10 + n01) / n - c.delta * c.delta);
        c.ci95 = around(c.delta, kZ95 * std::sqrt(var / n));
        c.unpaired_ci95 =
            around(c.delta, kZ95 * std::sqrt(p0 * (1.0 - p0) / n + tr.p_hit * (1.0 - tr.p_hit) / n));
        result.comparison.push_back(std::move(c));
      }
      sc.targets.push_back(std::move(tr));
    }
    result.scenarios.push_back(std::move(sc));
  }

  // The first target (variant by variant, in program order) whose measure
  // was NaN, its first such sample, and where that NaN came from.
  std::size_t first_target = 0;
  for (std::size_t v = 0; v < p.variants.size() && !result.nan; ++v) {
    const VariantOutputs& o = p.variants[v];
    for (std::size_t t = 0; t < o.targets.size() && !result.nan; ++t) {
      const std::uint64_t nans = counts[layout.variants[v].nans + t];
      if (!nans) continue;
      NanReport nan;
      nan.scenario = o.name;
      nan.target = o.targets[t].id;
      nan.samples = nans;
      nan.first_sample = first_nan[first_target + t];
      const std::uint64_t b = nan.first_sample / kBlockSize;
      ThreadState ts(p, layout);
      const auto nb = static_cast<std::size_t>(std::min<std::uint64_t>(kBlockSize, samples - b * kBlockSize));
      const std::size_t k = eval.nan_origin(b, nb, static_cast<std::size_t>(nan.first_sample % kBlockSize),
                                            o.targets[t].array, ts.ws);
      if (k < p.code.size()) {
        nan.node = p.owners[p.code[k].owner];
        nan.period = static_cast<int>(std::upper_bound(p.period_begin.begin(), p.period_begin.end(), k) -
                                      p.period_begin.begin()) -
                     1;
      }
      result.nan = nan;
      result.summary.stop = StopReason::kNaN;
    }
    first_target += o.targets.size();
  }
  result.summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace plansim::sim
