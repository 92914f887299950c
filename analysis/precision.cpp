#include "analysis/precision.h"

#include <algorithm>

#include "sim/random_stream.h"
#include "sim/statistics.h"

namespace plansim::analysis {

std::uint64_t batch_for(std::uint64_t samples) {
  const std::uint64_t block = sim::kBlockSize;
  return std::max<std::uint64_t>(1, (samples + block - 1) / block) * block;
}

std::uint64_t ceiling(const PrecisionRule& rule) {
  return rule.batch == 0 ? 0 : rule.max_samples / rule.batch * rule.batch;
}

double half_width(std::uint64_t hits, std::uint64_t n) {
  const sim::Interval ci = sim::wilson_interval(hits, n);
  return (ci.hi - ci.lo) / 2.0;
}

const char* to_string(PrecisionStop s) {
  switch (s) {
    case PrecisionStop::kReached: return "precision_reached";
    case PrecisionStop::kMaxSamples: return "max_samples_reached";
    case PrecisionStop::kNaN: return "nan";
  }
  return "";
}

std::uint64_t next_samples(const sim::Tally& tally, const PrecisionRule& rule, PrecisionOutcome& outcome) {
  outcome.samples = tally.samples;
  outcome.batches = rule.batch ? tally.samples / rule.batch : 0;
  outcome.widest = 0.0;
  outcome.variant = outcome.target = 0;
  for (std::size_t v = 0; v < tally.hits.size(); ++v)
    for (std::size_t t = 0; t < tally.hits[v].size(); ++t) {
      const double h = half_width(tally.hits[v][t], tally.samples);
      if (h > outcome.widest) outcome.widest = h, outcome.variant = v, outcome.target = t;
    }
  if (tally.nan) {
    outcome.stop = PrecisionStop::kNaN;  // the run fails; more samples would not mend it
    return tally.samples;
  }
  if (outcome.widest < rule.half_width) {
    outcome.stop = PrecisionStop::kReached;
    return tally.samples;
  }
  if (tally.samples + rule.batch > ceiling(rule)) {
    outcome.stop = PrecisionStop::kMaxSamples;
    return tally.samples;
  }
  return tally.samples + rule.batch;
}

sim::RunResult run_to_precision(const graph::Program& program, sim::RunOptions options, const PrecisionRule& rule,
                                PrecisionOutcome& outcome) {
  options.samples = rule.batch;
  options.max_samples = ceiling(rule);
  options.extend = [&](const sim::Tally& tally) { return next_samples(tally, rule, outcome); };
  return sim::run(program, options);
}

}  // namespace plansim::analysis
