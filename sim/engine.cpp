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
#include <optional>
#include <stdexcept>

#include "sim/block_evaluator.h"
#include "sim/simd_clones.h"
#include "sim/stratification.h"
#include "sim/statistics.h"

namespace plansim::sim {

using graph::Direction;
using graph::Program;

std::string RunOptions::validate() const {
  if (samples == 0) return "samples must be at least 1 (got 0)";
  if (threads < 0) return "threads must be 0 (all cores) or more (got " + std::to_string(threads) + ")";
  if (latin_hypercube && samples > std::numeric_limits<std::uint32_t>::max())
    return "Latin hypercube sampling takes at most 4,294,967,295 samples (got " + std::to_string(samples) + ")";
  for (double c : confidences)
    if (!(c > 0.0 && c < 1.0)) return "confidences must be between 0 and 1 (got " + std::to_string(c) + ")";
  if (latin_hypercube && extend)
    return "Latin hypercube sampling cannot be extended: its strata are fixed by the sample count";
  if (!collect.empty() && extend) return "a run that collects values per sample cannot be extended";
  return {};
}

static std::uint64_t local_values_bytes(const Program& program, std::uint64_t samples) {
  std::uint64_t targets = 0;
  for (const auto& v : program.variants)
    for (const auto& t : v.local_targets) targets += t.composite() ? 0 : 1;
  return targets * program.units.count() * samples * sizeof(double);
}

bool keeps_local_values(const Program& program, std::uint64_t samples, const RunOptions& options) {
  const std::uint64_t bytes = local_values_bytes(program, samples);
  return options.keep_quantiles && bytes > 0 && bytes <= options.local_quantile_bytes;
}

std::uint64_t estimate_memory(const Program& program, std::uint64_t samples, int threads) {
  std::uint64_t measures = 0, targets = 0;
  for (const auto& v : program.variants) {
    measures += v.measures.size();
    targets += v.targets.size();
  }
  std::uint64_t local_stats = 0;  // per unit: hit counts and measure sums, per partial block
  for (const auto& v : program.variants)
    local_stats += (v.local_targets.size() * 4 + v.local_measures.size() * static_cast<std::size_t>(program.periods)) *
                   program.units.count() * 8;
  std::uint64_t kept = measures * static_cast<std::uint64_t>(program.periods) * samples * sizeof(double);
  RunOptions keep;
  if (samples > 0 && keeps_local_values(program, samples, keep)) kept += local_values_bytes(program, samples);
  const std::uint64_t per_thread = program.arrays * kBlockSize * sizeof(double) + targets * kBlockSize * 5;
  const std::uint64_t t = static_cast<std::uint64_t>(std::max(threads, 1));
  return kept + per_thread * t + local_stats * (t * 9) + (16u << 20);
}

double estimate_seconds(const Program& program, std::uint64_t samples, int threads) {
  const int t = threads > 0 ? threads : tbb::info::default_concurrency();
  const BlockEvaluator eval(program, 1);
  Workspace ws(program);
  const auto start = std::chrono::steady_clock::now();
  eval.run(0, kBlockSize, ws);
  const double per_block = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double blocks = std::ceil(static_cast<double>(samples) / static_cast<double>(kBlockSize));
  return per_block * blocks / t;
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
  // Local targets, per target t and unit u at [t * units + u]; milestones
  // at local_milestones[t] + u * (t's milestones) + m.
  std::size_t local_hits = 0, local_nans = 0, local_paired = 0;
  std::vector<std::size_t> local_milestones;
  std::size_t unit_count = 0, unit_count_squares = 0;  // per local target: sums over samples
  std::size_t local_measure_sums = 0;                  // [(measure * units + u) * periods + period]
  std::size_t local_available_sums = 0, local_demand_sums = 0, local_shorts = 0;  // likewise per resource
  std::size_t first_target = 0, first_local_target = 0;  // flags in ThreadState, first_nan slots
  std::size_t local_kept = 0;  // first kept-values vector of a local target's measure (target x unit)
};

struct Layout {
  std::size_t periods = 0;
  std::size_t units = 0;
  std::vector<VariantLayout> variants;
  std::size_t counts = 0, sums = 0, kept = 0, targets = 0, local_targets = 0;

  bool keep_local = false;  // local targets' measures kept per unit (see RunOptions::local_quantile_bytes)

  Layout(const Program& p, bool keep, bool keep_local_values)
      : periods(static_cast<std::size_t>(p.periods)), units(p.units.count()), keep_local(keep_local_values) {
    for (std::size_t v = 0; v < p.variants.size(); ++v) {
      const VariantOutputs& o = p.variants[v];
      VariantLayout l;
      const std::size_t T = o.targets.size();
      l.hits = counts, counts += T;
      l.nans = counts, counts += T;
      l.paired = counts, counts += v == 0 ? 0 : 2 * T;  // n10, n01 against the base
      for (const auto& t : o.targets) l.milestones.push_back(counts), counts += t.milestones.size();
      const std::size_t L = o.local_targets.size();
      l.local_hits = counts, counts += L * units;
      l.local_nans = counts, counts += L * units;
      l.local_paired = counts, counts += v == 0 ? 0 : 2 * L * units;
      for (const auto& t : o.local_targets) l.local_milestones.push_back(counts), counts += t.milestones.size() * units;
      l.unit_count = counts, counts += L;
      l.unit_count_squares = counts, counts += L;
      l.local_measure_sums = sums, sums += o.local_measures.size() * units * periods;
      l.local_available_sums = sums, sums += o.local_resources.size() * units * periods;
      l.local_demand_sums = sums, sums += o.local_resources.size() * units * periods;
      l.local_shorts = counts, counts += o.local_resources.size() * units * periods;
      l.first_target = targets;
      l.first_local_target = local_targets;
      local_targets += L;
      l.shorts = counts, counts += o.resources.size() * periods;
      l.triggered = counts, counts += o.responses.size();
      l.first_on = counts, counts += o.responses.size();
      l.measure_sums = sums, sums += o.measures.size() * periods;
      l.available_sums = sums, sums += o.resources.size() * periods;
      l.demand_sums = sums, sums += o.resources.size() * periods;
      l.kept = kept, kept += keep ? o.measures.size() * periods : 0;
      l.local_kept = kept, kept += keep_local ? o.local_targets.size() * units : 0;
      targets += T;
      variants.push_back(std::move(l));
    }
  }
};

struct BlockStats {
  std::vector<double> sums;
  std::vector<std::uint64_t> counts;
  // Per variant x target, then per variant x local target: the first sample
  // where its measure was NaN (for local ones, sample * units + unit).
  std::vector<std::uint64_t> first_nan;

  explicit BlockStats(const Layout& l)
      : sums(l.sums), counts(l.counts), first_nan(l.targets + l.local_targets, kNoSample) {}
  void clear() {
    std::fill(sums.begin(), sums.end(), 0.0);
    std::fill(counts.begin(), counts.end(), 0);
    std::fill(first_nan.begin(), first_nan.end(), kNoSample);
  }
};

struct ThreadState {
  Workspace ws;
  std::vector<std::uint8_t> hit;        // variants x targets x kBlockSize flags
  std::vector<std::uint8_t> local_hit;  // variants x local targets x kBlockSize flags, of the current unit
  std::vector<std::uint32_t> units_hitting;  // variants x local targets x kBlockSize counts
  ThreadState(const Program& p, const Layout& l)
      : ws(p), hit(l.targets * kBlockSize), local_hit(l.local_targets * kBlockSize),
        units_hitting(l.local_targets * kBlockSize) {}
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

// A block's sum in a fixed order: eight interleaved compensated sums, then
// added up compensated. Blocks are merged with CompensatedSum in block
// order. The lanes carry the rounding error of each addition by Knuth's
// TwoSum, which needs no comparison: it is the same exact error that
// Neumaier's branch computes, so the bits are those of CompensatedSum, for
// fewer operations. Also compiled for AVX2 (the same operations in the same
// order).
PLANSIM_SIMD_CLONES
double sum_of(const double* x, std::size_t n) {
  std::array<double, 8> sum{}, carry{};
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (std::size_t l = 0; l < 8; ++l) {
      const double v = x[i + l], t = sum[l] + v, v_part = t - sum[l];
      carry[l] += (sum[l] - (t - v_part)) + (v - v_part);
      sum[l] = t;
    }
  CompensatedSum s;
  for (std::size_t l = 0; l < 8; ++l) s.add(sum[l]);
  for (std::size_t l = 0; l < 8; ++l) s.add(carry[l]);
  for (; i < n; ++i) s.add(x[i]);
  return s.value();
}

double threshold_of(double value, std::int32_t column, const double* unit_values) {
  return column >= 0 ? unit_values[column] : value;
}

// Where one target's counts go in BlockStats.
struct TargetSlots {
  std::size_t hits = 0, nans = 0, milestones = 0;  // milestone m at milestones + m
};

// Hit flags of one target in a block (parts' flags at flags + part *
// kBlockSize), its hits, NaNs and milestone hits. Returns the first sample
// of the block whose measure is NaN, or n.
PLANSIM_SIMD_CLONES
std::size_t count_target(const graph::TargetOutput& target, const Workspace& ws, const double* unit_values,
                         const std::uint8_t* flags, std::size_t n, std::uint8_t* hit, const TargetSlots& at,
                         BlockStats& out) {
  std::size_t first_nan = n;
  if (!target.composite()) {
    const double* x = ws.array(target.array);
    const double thr = threshold_of(target.threshold, target.threshold_column, unit_values);
    if (target.direction == Direction::kAtMost)
      for (std::size_t i = 0; i < n; ++i) hit[i] = x[i] <= thr;
    else
      for (std::size_t i = 0; i < n; ++i) hit[i] = x[i] >= thr;
    std::uint64_t nans = 0;
    for (std::size_t i = 0; i < n; ++i) nans += std::isnan(x[i]);
    if (nans) {
      out.counts[at.nans] = nans;
      first_nan = static_cast<std::size_t>(std::find_if(x, x + n, [](double v) { return std::isnan(v); }) - x);
    }
    for (std::size_t m = 0; m < target.milestones.size(); ++m) {
      const auto& ms = target.milestones[m];
      const double* y = ws.array(ms.array);
      const double mt = threshold_of(ms.threshold, ms.threshold_column, unit_values);
      std::uint64_t mh = 0;
      if (ms.direction == Direction::kAtMost)
        for (std::size_t i = 0; i < n; ++i) mh += y[i] <= mt;
      else
        for (std::size_t i = 0; i < n; ++i) mh += y[i] >= mt;
      out.counts[at.milestones + m] = mh;
    }
  } else {
    const int need = target.combine == graph::Combine::kAllOf   ? static_cast<int>(target.parts.size())
                     : target.combine == graph::Combine::kAnyOf ? 1
                                                                : target.at_least_count;
    for (std::size_t i = 0; i < n; ++i) {
      int got = 0;
      for (std::size_t part : target.parts) got += flags[part * kBlockSize + i];
      hit[i] = got >= need;
    }
  }
  std::uint64_t hits = 0;
  for (std::size_t i = 0; i < n; ++i) hits += hit[i];
  out.counts[at.hits] = hits;
  return first_nan;
}

// Samples where only the variant hits (n10) and where only the base does (n01).
void count_paired(const std::uint8_t* h1, const std::uint8_t* h0, std::size_t n, std::uint64_t& n10,
                  std::uint64_t& n01) {
  n10 = n01 = 0;
  for (std::size_t i = 0; i < n; ++i) {
    n10 += h1[i] & (h0[i] ^ 1u);
    n01 += h0[i] & (h1[i] ^ 1u);
  }
}

// After the local stage of unit u: every variant's local targets and measures for that unit.
void count_unit(const Program& p, const Layout& layout, std::size_t u, std::uint64_t first, std::size_t n,
                ThreadState& ts, BlockStats& out, std::vector<std::vector<double>>& kept) {
  const std::size_t U = layout.units, P = layout.periods;
  const double* unit_values = p.units.row(u);
  for (std::size_t v = 0; v < p.variants.size(); ++v) {
    const VariantOutputs& o = p.variants[v];
    const VariantLayout& l = layout.variants[v];
    std::uint8_t* flags = ts.local_hit.data() + l.first_local_target * kBlockSize;
    for (std::size_t t = 0; t < o.local_targets.size(); ++t) {
      const graph::TargetOutput& target = o.local_targets[t];
      const std::size_t k = t * U + u;
      const TargetSlots at{l.local_hits + k, l.local_nans + k, l.local_milestones[t] + u * target.milestones.size()};
      std::uint8_t* hit = flags + t * kBlockSize;
      const std::size_t nan_at = count_target(target, ts.ws, unit_values, flags, n, hit, at, out);
      if (layout.keep_local && !target.composite()) {
        const double* x = ts.ws.array(target.array);
        std::copy(x, x + n, kept[l.local_kept + k].begin() + static_cast<std::ptrdiff_t>(first));
      }
      std::uint64_t& first_nan = out.first_nan[layout.targets + l.first_local_target + t];
      if (nan_at < n) first_nan = std::min<std::uint64_t>(first_nan, (first + nan_at) * U + u);
      std::uint32_t* count = ts.units_hitting.data() + (l.first_local_target + t) * kBlockSize;
      for (std::size_t i = 0; i < n; ++i) count[i] += hit[i];
      if (v > 0) {
        const std::uint8_t* h0 = ts.local_hit.data() + t * kBlockSize;  // the base's flags come first
        count_paired(hit, h0, n, out.counts[l.local_paired + 2 * k], out.counts[l.local_paired + 2 * k + 1]);
      }
    }
    for (std::size_t m = 0; m < o.local_measures.size(); ++m)
      for (std::size_t q = 0; q < P; ++q)
        out.sums[l.local_measure_sums + (m * U + u) * P + q] = sum_of(ts.ws.array(o.local_measures[m].arrays[q]), n);
    for (std::size_t r = 0; r < o.local_resources.size(); ++r)
      for (std::size_t q = 0; q < P; ++q) {
        const std::size_t k = (r * U + u) * P + q;
        const double* avail = ts.ws.array(o.local_resources[r].available[q]);
        const double* demand = ts.ws.array(o.local_resources[r].demand[q]);
        out.sums[l.local_available_sums + k] = sum_of(avail, n);
        out.sums[l.local_demand_sums + k] = sum_of(demand, n);
        std::uint64_t shorts = 0;
        for (std::size_t i = 0; i < n; ++i) shorts += demand[i] > avail[i];
        out.counts[l.local_shorts + k] = shorts;
      }
  }
}

// Evaluates block b and fills its partial statistics and kept values.
void evaluate_block(const Program& p, const Layout& layout, const BlockEvaluator& eval, std::uint64_t b,
                    std::size_t n, ThreadState& ts, BlockStats& out, std::vector<std::vector<double>>& kept) {
  out.clear();
  const std::uint64_t first = b * kBlockSize;
  const std::size_t P = layout.periods;
  eval.before_units(b, n, ts.ws);
  if (layout.units > 0) {
    std::fill(ts.units_hitting.begin(), ts.units_hitting.end(), 0u);
    for (std::size_t u = 0; u < layout.units; ++u) {
      eval.unit(b, n, u, ts.ws);
      count_unit(p, layout, u, first, n, ts, out, kept);
    }
    for (std::size_t v = 0; v < p.variants.size(); ++v) {
      const VariantLayout& l = layout.variants[v];
      for (std::size_t t = 0; t < p.variants[v].local_targets.size(); ++t) {
        const std::uint32_t* count = ts.units_hitting.data() + (l.first_local_target + t) * kBlockSize;
        std::uint64_t sum = 0, squares = 0;
        for (std::size_t i = 0; i < n; ++i) {
          sum += count[i];
          squares += static_cast<std::uint64_t>(count[i]) * count[i];
        }
        out.counts[l.unit_count + t] = sum;
        out.counts[l.unit_count_squares + t] = squares;
      }
    }
  }
  eval.after_units(b, n, ts.ws);

  for (std::size_t v = 0; v < p.variants.size(); ++v) {
    const VariantOutputs& o = p.variants[v];
    const VariantLayout& l = layout.variants[v];
    const std::size_t first_target = l.first_target;
    std::uint8_t* flags = ts.hit.data() + first_target * kBlockSize;
    for (std::size_t t = 0; t < o.targets.size(); ++t) {
      const TargetSlots at{l.hits + t, l.nans + t, o.targets[t].milestones.empty() ? 0 : l.milestones[t]};
      const std::size_t nan_at = count_target(o.targets[t], ts.ws, nullptr, flags, n, flags + t * kBlockSize, at, out);
      if (nan_at < n) out.first_nan[first_target + t] = first + nan_at;
      if (v > 0)  // paired outcomes against the base (variant 0, whose flags come first)
        count_paired(flags + t * kBlockSize, ts.hit.data() + t * kBlockSize, n, out.counts[l.paired + 2 * t],
                     out.counts[l.paired + 2 * t + 1]);
    }

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

// RunOptions::collect for the n samples of a block from `first`: each
// entry's arrays added in order and divided by their count (a copy for one).
void collect_block(const std::vector<std::vector<std::int32_t>>& collect, const Workspace& ws, std::uint64_t first,
                   std::size_t n, std::vector<std::vector<double>>& out) {
  for (std::size_t k = 0; k < collect.size(); ++k) {
    double* y = out[k].data() + first;
    const auto& arrays = collect[k];
    if (arrays.empty()) continue;
    const double* x = ws.array(arrays[0]);
    std::copy(x, x + n, y);
    if (arrays.size() == 1) continue;
    for (std::size_t a = 1; a < arrays.size(); ++a) {
      x = ws.array(arrays[a]);
      for (std::size_t i = 0; i < n; ++i) y[i] += x[i];
    }
    const double inv = 1.0 / static_cast<double>(arrays.size());
    for (std::size_t i = 0; i < n; ++i) y[i] *= inv;
  }
}

// A measure's summary in one period, and its quantiles at the plan's
// confidence c and at 1 - c (the achievable levels of at_most and at_least
// targets), by selection over the kept values. NaNs make every figure NaN.
struct Summary {
  PeriodSummary period;
  double at_c = 0.0, at_one_minus_c = 0.0;
  std::vector<double> distribution;  // only for the measures of targets at `by`
  // At RunOptions::confidences, for the directions of the targets on this measure and period.
  std::vector<AchievableLevel> at_most_levels, at_least_levels;
};

// Which directions' achievable levels a measure's summary in one period needs.
enum : std::uint8_t { kWantsAtMost = 1, kWantsAtLeast = 2 };
std::uint8_t wants(Direction d) { return d == Direction::kAtMost ? kWantsAtMost : kWantsAtLeast; }

Summary summarise(std::vector<double>& values, double sum, std::uint64_t samples, double c, bool distribution) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double mean = sum / static_cast<double>(samples);
  if (values.empty()) return {{mean, nan, nan, nan, nan, nan}, nan, nan, {}, {}, {}};
  if (std::any_of(values.begin(), values.end(), [](double v) { return std::isnan(v); }))
    return {{nan, nan, nan, nan, nan, nan}, nan, nan, {}, {}, {}};
  std::vector<double> levels = {0.1, 0.5, 0.9, 0.25, 0.75, c, 1.0 - c};
  if (distribution)
    for (int i = 0; i < kDistributionLevels; ++i) levels.push_back((2.0 * i + 1.0) / (2.0 * kDistributionLevels));
  const std::vector<double> q = quantiles(values, levels);
  return {{mean, q[0], q[1], q[2], q[3], q[4]}, q[5], q[6], std::vector<double>(q.begin() + 7, q.end()), {}, {}};
}

Interval around(double centre, double half) { return {centre - half, centre + half}; }

// The paired comparison of a variant's P(hit) against the base's p0 (see Comparison).
Comparison compare(const std::string& scenario, const std::string& target, double p1, double p0, double n10,
                   double n01, double n) {
  Comparison c{scenario, target, p1, (n10 - n01) / n, {}, {}, {}};
  const double var = std::max(0.0, (n10 + n01) / n - c.delta * c.delta);
  c.ci95 = around(c.delta, kZ95 * std::sqrt(var / n));
  c.unpaired_ci95 = around(c.delta, kZ95 * std::sqrt(p0 * (1.0 - p0) / n + p1 * (1.0 - p1) / n));
  return c;
}

// Variant v's local targets (per unit, and their summaries across units)
// and local measures (the mean per unit and period).
void add_local_results(const Program& p, const Layout& layout, std::size_t v, const std::vector<std::uint64_t>& counts,
                       const std::vector<CompensatedSum>& sums, std::vector<std::vector<double>>& kept,
                       std::uint64_t samples, const std::vector<double>& confidences, RunResult& result,
                       ScenarioResult& sc) {
  const VariantOutputs& o = p.variants[v];
  const VariantLayout& l = layout.variants[v];
  const std::size_t U = layout.units, P = layout.periods;
  const double n = static_cast<double>(samples);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (std::size_t t = 0; t < o.local_targets.size(); ++t) {
    const graph::TargetOutput& target = o.local_targets[t];
    LocalTargetSummary summary{target.id, target.label, p.units.name, U, 0.0, {}, 0, 0, 0, {}};
    std::vector<std::pair<double, std::size_t>> by_p_hit;
    for (std::size_t u = 0; u < U; ++u) {
      const std::size_t k = t * U + u;
      const double* row = p.units.row(u);
      TargetResult tr;
      tr.id = target.id;
      tr.unit = p.units.ids[u];
      tr.label = target.label;
      tr.composite = target.composite();
      const std::uint64_t hits = counts[l.local_hits + k];
      tr.p_hit = static_cast<double>(hits) / n;
      tr.ci95 = wilson_interval(hits, samples);
      tr.rag = rate(tr.p_hit, p.rag);
      if (!tr.composite) {
        tr.measure = target.measure;
        tr.direction = target.direction;
        tr.threshold = threshold_of(target.threshold, target.threshold_column, row);
        tr.by = target.by;
        tr.p10 = tr.p50 = tr.p90 = tr.achievable = nan;
        if (layout.keep_local) {
          const Summary q = summarise(kept[l.local_kept + k], 0.0, samples, p.confidence, false);
          tr.p10 = q.period.p10;
          tr.p50 = q.period.p50;
          tr.p90 = q.period.p90;
          tr.achievable = target.direction == Direction::kAtMost ? q.at_c : q.at_one_minus_c;
          tr.achievable_levels = achievable_levels(kept[l.local_kept + k], target.direction, confidences);
          std::vector<double>().swap(kept[l.local_kept + k]);  // done with it
        }
        for (std::size_t m = 0; m < target.milestones.size(); ++m) {
          const auto& ms = target.milestones[m];
          const std::uint64_t mh = counts[l.local_milestones[t] + u * target.milestones.size() + m];
          tr.milestones.push_back({ms.by, ms.direction, threshold_of(ms.threshold, ms.threshold_column, row),
                                   static_cast<double>(mh) / n, wilson_interval(mh, samples)});
        }
      }
      (tr.rag == Rag::kGreen ? summary.green : tr.rag == Rag::kAmber ? summary.amber : summary.red) += 1;
      by_p_hit.emplace_back(tr.p_hit, u);
      if (v > 0) {
        // The base's local targets come after its plan-wide ones, unit by unit.
        const double p0 = result.scenarios[0].targets[p.variants[0].targets.size() + k].p_hit;
        Comparison c = compare(o.name, target.id, tr.p_hit, p0, static_cast<double>(counts[l.local_paired + 2 * k]),
                               static_cast<double>(counts[l.local_paired + 2 * k + 1]), n);
        c.unit = tr.unit;
        result.comparison.push_back(std::move(c));
      }
      sc.targets.push_back(std::move(tr));
    }
    // E[count] and its interval from the per-sample count's mean and variance.
    const double mean = static_cast<double>(counts[l.unit_count + t]) / n;
    const double var = std::max(0.0, static_cast<double>(counts[l.unit_count_squares + t]) / n - mean * mean);
    summary.expected_hits = mean;
    summary.ci95 = around(mean, kZ95 * std::sqrt(var / n));
    std::stable_sort(by_p_hit.begin(), by_p_hit.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (std::size_t i = 0; i < by_p_hit.size() && i < 5; ++i) summary.least_likely.push_back(p.units.ids[by_p_hit[i].second]);
    sc.local_targets.push_back(std::move(summary));
  }
  for (std::size_t m = 0; m < o.local_measures.size(); ++m)
    for (std::size_t u = 0; u < U; ++u) {
      MeasureResult mr{o.local_measures[m].id, o.local_measures[m].label, {}, p.units.ids[u]};
      for (std::size_t q = 0; q < P; ++q)
        mr.periods.push_back({sums[l.local_measure_sums + (m * U + u) * P + q].value() / n, nan, nan, nan, nan, nan});
      sc.measures.push_back(std::move(mr));
    }
  for (std::size_t r = 0; r < o.local_resources.size(); ++r)
    for (std::size_t u = 0; u < U; ++u) {
      ResourceResult rr{o.local_resources[r].id, o.local_resources[r].label, {}, p.units.ids[u]};
      for (std::size_t q = 0; q < P; ++q) {
        const std::size_t k = (r * U + u) * P + q;
        rr.periods.push_back({sums[l.local_available_sums + k].value() / n, sums[l.local_demand_sums + k].value() / n,
                              static_cast<double>(counts[l.local_shorts + k]) / n});
      }
      sc.resources.push_back(std::move(rr));
    }
}

// Sizes `values` to n a slice at a time: zeroing the kept values of
// hundreds of millions of samples takes seconds, and a run told to stop
// meanwhile must stop within a slice. Returns false when cancelled.
bool grow(std::vector<double>& values, std::size_t n, const std::atomic<bool>* cancel) {
  constexpr std::size_t kSlice = std::size_t{1} << 23;  // 64 MiB of doubles
  values.reserve(std::max(values.capacity(), n));
  while (values.size() < n) {
    if (cancel && cancel->load()) return false;
    values.resize(std::min(n, values.size() + kSlice));
  }
  return true;
}

}  // namespace

RunResult run(const Program& p, const RunOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  const int threads = options.threads > 0 ? options.threads : tbb::info::default_concurrency();
  std::uint64_t samples = options.samples;  // grows only when options.extend asks for more
  std::uint64_t blocks = (samples + kBlockSize - 1) / kBlockSize;
  Layout layout(p, options.keep_quantiles, keeps_local_values(p, samples, options));
  const std::size_t P = layout.periods;
  std::optional<Stratification> strata;
  if (options.latin_hypercube) strata.emplace(p, options.seed, samples);
  const BlockEvaluator eval(p, options.seed, strata ? strata->by_instruction() : std::vector<const double*>{});

  std::vector<std::vector<double>> kept(layout.kept);  // nothing per sample unless values are kept
  std::vector<char> local_kept(layout.kept, 0);        // which of them are a local target's, per unit
  if (layout.keep_local)
    for (std::size_t v = 0; v < p.variants.size(); ++v)
      for (std::size_t k = 0; k < p.variants[v].local_targets.size() * layout.units; ++k)
        local_kept[layout.variants[v].local_kept + k] = 1;
  std::vector<CompensatedSum> sums(layout.sums);
  std::vector<std::uint64_t> counts(layout.counts, 0);
  std::vector<std::uint64_t> first_nan(layout.targets + layout.local_targets, kNoSample);

  tbb::task_arena arena(threads);
  tbb::enumerable_thread_specific<ThreadState> states(std::cref(p), std::cref(layout));
  // A chunk is a few blocks per thread: enough to balance the load, small
  // enough for prompt progress and cancellation.
  const std::uint64_t chunk = static_cast<std::uint64_t>(threads) * 8;
  std::vector<BlockStats> partial(static_cast<std::size_t>(std::min<std::uint64_t>(chunk, blocks)),
                                  BlockStats(layout));

  RunResult result;
  result.collected.assign(options.collect.size(), std::vector<double>(options.collect.empty() ? 0 : samples));
  result.summary.seed = options.seed;
  result.summary.block_size = kBlockSize;
  result.summary.threads = threads;
  for (std::size_t k = 0; k < kept.size(); ++k) {
    if (options.extend && !local_kept[k]) kept[k].reserve(std::max(samples, options.max_samples));
    if (!grow(kept[k], samples, options.cancel)) {
      result.summary.stop = StopReason::kCancelled;
      return result;
    }
  }

  // Blocks [0, done) are evaluated and merged. Merging is in block order
  // whatever the chunks, so a run extended from N samples to M merges
  // exactly what a run of M does.
  for (std::uint64_t done = 0;;) {
    while (done < blocks) {
      if (options.cancel && options.cancel->load()) {
        result.summary.samples = samples;
        result.summary.stop = StopReason::kCancelled;
        return result;
      }
      const std::uint64_t begin = done, end = std::min(blocks, begin + chunk);
      arena.execute([&] {
        tbb::parallel_for(tbb::blocked_range<std::uint64_t>(begin, end, 1), [&](const auto& range) {
          ThreadState& ts = states.local();
          for (std::uint64_t b = range.begin(); b != range.end(); ++b) {
            // A chunk of blocks of thousands of units takes seconds: a stop
            // is seen before each block (the chunk's statistics are dropped).
            if (options.cancel && options.cancel->load()) return;
            const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(kBlockSize, samples - b * kBlockSize));
            evaluate_block(p, layout, eval, b, n, ts, partial[b - begin], kept);
            if (!options.collect.empty()) collect_block(options.collect, ts.ws, b * kBlockSize, n, result.collected);
          }
        });
      });
      if (options.cancel && options.cancel->load()) continue;  // caught at the top of the loop
      // Merge in block order: the sums do not depend on which thread ran what.
      for (std::uint64_t b = begin; b < end; ++b) {
        const BlockStats& s = partial[b - begin];
        for (std::size_t k = 0; k < sums.size(); ++k) sums[k].add(s.sums[k]);
        for (std::size_t k = 0; k < counts.size(); ++k) counts[k] += s.counts[k];
        for (std::size_t t = 0; t < first_nan.size(); ++t) first_nan[t] = std::min(first_nan[t], s.first_nan[t]);
      }
      done = end;
      if (options.progress) options.progress(static_cast<double>(end) / static_cast<double>(blocks));
    }
    if (!options.extend) break;
    Tally tally;
    tally.samples = samples;
    for (std::size_t v = 0; v < p.variants.size(); ++v) {
      const VariantOutputs& o = p.variants[v];
      const VariantLayout& l = layout.variants[v];
      std::vector<std::uint64_t>& hits = tally.hits.emplace_back();
      for (std::size_t t = 0; t < o.targets.size(); ++t) {
        hits.push_back(counts[l.hits + t]);
        tally.nan = tally.nan || counts[l.nans + t] > 0;
      }
      for (std::size_t k = 0; k < o.local_targets.size() * layout.units; ++k) {
        hits.push_back(counts[l.local_hits + k]);
        tally.nan = tally.nan || counts[l.local_nans + k] > 0;
      }
    }
    const std::uint64_t more = options.extend(tally);
    if (more <= samples) break;
    if (samples % kBlockSize != 0)
      throw std::logic_error("a run of " + std::to_string(samples) + " samples, not a whole number of blocks of " +
                             std::to_string(kBlockSize) + ", cannot be extended");
    samples = more;
    blocks = (samples + kBlockSize - 1) / kBlockSize;
    if (layout.keep_local && !keeps_local_values(p, samples, options)) {
      layout.keep_local = false;  // as a run of `samples` would have it
      for (std::size_t k = 0; k < kept.size(); ++k)
        if (local_kept[k]) std::vector<double>().swap(kept[k]);
    }
    for (std::size_t k = 0; k < kept.size(); ++k)
      if (!local_kept[k] || layout.keep_local) kept[k].resize(samples);
    partial.resize(static_cast<std::size_t>(std::min<std::uint64_t>(chunk, blocks)), BlockStats(layout));
  }
  result.summary.samples = samples;

  const double n = static_cast<double>(samples);
  auto probability = [&](std::uint64_t k) { return static_cast<double>(k) / n; };

  for (std::size_t v = 0; v < p.variants.size(); ++v) {
    const VariantOutputs& o = p.variants[v];
    const VariantLayout& l = layout.variants[v];
    ScenarioResult sc;
    sc.name = o.name;
    std::vector<Summary> summaries(o.measures.size() * P);
    std::vector<char> wants_distribution(summaries.size(), 0);
    std::vector<std::uint8_t> wants_levels(summaries.size(), 0);
    for (const auto& target : o.targets)
      if (!target.composite())
        for (std::size_t m = 0; m < o.measures.size(); ++m)
          if (o.measures[m].id == target.measure) {
            wants_distribution[m * P + static_cast<std::size_t>(target.by)] = 1;
            wants_levels[m * P + static_cast<std::size_t>(target.by)] |= wants(target.direction);
          }
    arena.execute([&] {
      tbb::parallel_for(std::size_t{0}, summaries.size(), [&](std::size_t k) {
        std::vector<double> none;
        std::vector<double>& values = kept.empty() ? none : kept[l.kept + k];
        summaries[k] =
            summarise(values, sums[l.measure_sums + k].value(), samples, p.confidence, wants_distribution[k] != 0);
        if (wants_levels[k] & kWantsAtMost)
          summaries[k].at_most_levels = achievable_levels(values, Direction::kAtMost, options.confidences);
        if (wants_levels[k] & kWantsAtLeast)
          summaries[k].at_least_levels = achievable_levels(values, Direction::kAtLeast, options.confidences);
      });
    });
    for (std::size_t m = 0; m < o.measures.size(); ++m) {
      MeasureResult mr{o.measures[m].id, o.measures[m].label, {}, {}};
      for (std::size_t q = 0; q < P; ++q) mr.periods.push_back(summaries[m * P + q].period);
      sc.measures.push_back(std::move(mr));
    }
    for (std::size_t r = 0; r < o.resources.size(); ++r) {
      ResourceResult rr{o.resources[r].id, o.resources[r].label, {}, {}};
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
        tr.achievable_levels = target.direction == Direction::kAtMost ? s.at_most_levels : s.at_least_levels;
        for (std::size_t k = 0; k < target.milestones.size(); ++k) {
          const auto& ms = target.milestones[k];
          const std::uint64_t mh = counts[l.milestones[t] + k];
          tr.milestones.push_back({ms.by, ms.direction, ms.threshold, probability(mh), wilson_interval(mh, samples)});
        }
      }
      if (v > 0)
        result.comparison.push_back(compare(o.name, target.id, tr.p_hit, result.scenarios[0].targets[t].p_hit,
                                            static_cast<double>(counts[l.paired + 2 * t]),
                                            static_cast<double>(counts[l.paired + 2 * t + 1]), n));
      sc.targets.push_back(std::move(tr));
    }
    add_local_results(p, layout, v, counts, sums, kept, samples, options.confidences, result, sc);
    result.scenarios.push_back(std::move(sc));
  }

  // The first target (variant by variant, in program order; plan-wide
  // targets, then local ones) whose measure was NaN, its first such sample,
  // and where that NaN came from.
  for (std::size_t v = 0; v < p.variants.size() && !result.nan; ++v) {
    const VariantOutputs& o = p.variants[v];
    const VariantLayout& l = layout.variants[v];
    auto report = [&](const graph::TargetOutput& target, std::uint64_t nans, std::uint64_t sample,
                      std::optional<std::size_t> unit) {
      NanReport nan;
      nan.scenario = o.name;
      nan.target = target.id;
      nan.samples = nans;
      nan.first_sample = sample;
      const std::uint64_t b = sample / kBlockSize;
      ThreadState ts(p, layout);
      const auto nb = static_cast<std::size_t>(std::min<std::uint64_t>(kBlockSize, samples - b * kBlockSize));
      auto source = eval.nan_origin(b, nb, static_cast<std::size_t>(sample % kBlockSize), target.array, unit, ts.ws);
      if (source) {
        const rules::Instruction& in = p.code[source->instruction];
        nan.node = p.owners[in.owner];
        nan.period = static_cast<int>(in.period);
        if (source->local) nan.unit = p.units.ids[source->unit];
      }
      result.nan = nan;
      result.summary.stop = StopReason::kNaN;
    };
    for (std::size_t t = 0; t < o.targets.size() && !result.nan; ++t)
      if (const std::uint64_t nans = counts[l.nans + t])
        report(o.targets[t], nans, first_nan[l.first_target + t], std::nullopt);
    for (std::size_t t = 0; t < o.local_targets.size() && !result.nan; ++t) {
      std::uint64_t nans = 0;
      for (std::size_t u = 0; u < layout.units; ++u) nans += counts[l.local_nans + t * layout.units + u];
      if (!nans) continue;
      const std::uint64_t code = first_nan[layout.targets + l.first_local_target + t];
      report(o.local_targets[t], nans, code / layout.units, static_cast<std::size_t>(code % layout.units));
    }
  }
  result.summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace plansim::sim
