// Precision control (`plansim run --precision`): a run grows batch by batch
// until every target's P(hit) is known to within a given 95% half-width, or
// a sample ceiling is reached.
//
// Reproducible by construction: the batch is fixed (the first sample count,
// rounded up to whole blocks), and the decision to go on is taken only at
// batch ends, from hit counts, which do not depend on the thread count or
// on timing. Draws are keyed by sample index and statistics merged in block
// order, so the run that stops at N samples gives bitwise the results of a
// plain run of N samples (sim::RunOptions::extend).
#pragma once

#include <cstdint>
#include <string>

#include "graph/program.h"
#include "sim/engine.h"
#include "sim/results.h"

namespace plansim::analysis {

inline constexpr std::uint64_t kDefaultMaxSamples = 10'000'000;

struct PrecisionRule {
  double half_width = 0.0;        // stop once every target's 95% half-width of P(hit) is below this
  std::uint64_t batch = 0;        // samples per batch: a whole number of blocks (batch_for)
  std::uint64_t max_samples = 0;  // the ceiling; the run stops at the last whole batch within it
};

// The batch for a first sample count: rounded up to whole blocks of
// sim::kBlockSize (100,000 gives 100,352), so a run can be extended.
std::uint64_t batch_for(std::uint64_t samples);

// The most samples a rule can reach: max_samples rounded down to whole
// batches (0 when it is below one batch).
std::uint64_t ceiling(const PrecisionRule& rule);

// Half the width of the 95% Wilson interval of `hits` in n samples: the
// same interval `plansim run` reports as each target's ci95.
double half_width(std::uint64_t hits, std::uint64_t n);

enum class PrecisionStop { kReached, kMaxSamples, kNaN };
const char* to_string(PrecisionStop s);  // "precision_reached" | "max_samples_reached" | "nan"

struct PrecisionOutcome {
  PrecisionStop stop = PrecisionStop::kReached;
  std::uint64_t samples = 0;
  std::uint64_t batches = 0;
  double widest = 0.0;       // the widest target's half-width when the run stopped
  std::size_t variant = 0;   // ...which is ScenarioResult::targets[target] of scenarios[variant]
  std::size_t target = 0;
};

// What the rule says at the end of a batch: the widest half-width in the
// tally, and the samples to go on to (tally.samples to stop).
std::uint64_t next_samples(const sim::Tally& tally, const PrecisionRule& rule, PrecisionOutcome& outcome);

// Runs `program` with options.samples = rule.batch, extended batch by batch
// by the rule. options.max_samples is set to the ceiling. The caller checks
// memory and time for ceiling(rule), the largest run this can become.
sim::RunResult run_to_precision(const graph::Program& program, sim::RunOptions options, const PrecisionRule& rule,
                                PrecisionOutcome& outcome);

}  // namespace plansim::analysis
