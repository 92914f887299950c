// The Monte Carlo engine: runs a compiled Program and returns its statistics.
//
// Samples are cut into blocks of kBlockSize; blocks are evaluated in
// parallel (tbb::parallel_for) in chunks, and each block's partial
// statistics (hit counts, sums) are merged in block order, so every number
// is bitwise identical for any thread count. Values that quantiles need are
// kept per sample (memory: measures x periods x samples doubles; see
// estimate_memory). A run holds no global state: several may run at once.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "graph/program.h"
#include "sim/results.h"

namespace plansim::sim {

// What a run has counted when its planned samples are done: the hits of
// every target of every variant, in the order of ScenarioResult::targets
// (plan-wide targets, then each local target once per unit), for a rule
// that decides whether to go on (RunOptions::extend).
struct Tally {
  std::uint64_t samples = 0;
  std::vector<std::vector<std::uint64_t>> hits;  // [variant][target]
  bool nan = false;  // some target's measure was NaN: the run will fail whatever follows
};

struct RunOptions {
  std::uint64_t samples = 100000;  // > 0
  std::uint64_t seed = 1;
  int threads = 0;                 // 0: all cores. Results never depend on it.
  // Called from the calling thread after each chunk with the fraction done.
  std::function<void(double)> progress;
  // When set and true, the run stops at the next chunk (StopReason::kCancelled).
  const std::atomic<bool>* cancel = nullptr;
  // Keep every measure's values for percentiles and achievable levels. A
  // sweep, which needs only P(hit), turns it off and runs in bounded memory.
  bool keep_quantiles = true;
  // Local targets' measures are kept per unit, for each unit's percentiles
  // and achievable level, while they take at most this many bytes (local
  // targets x units x samples x 8); beyond it those figures are not
  // reported (NaN), so memory stays bounded for any number of units.
  std::uint64_t local_quantile_bytes = std::uint64_t{256} << 20;
  // Latin hypercube sampling of the per: plan assumptions (sim/stratification.h)
  // instead of plain Monte Carlo.
  bool latin_hypercube = false;
  // Achievable levels at these confidences (each in (0, 1)), with their 95%
  // intervals, for every measure target whose values are kept
  // (TargetResult::achievable_levels). Empty: none.
  std::vector<double> confidences;
  // Extending a run: when set, called (from the calling thread) each time
  // the samples planned so far are done, with what they counted. It returns
  // the total number of samples to go on to, or Tally::samples to stop.
  // Samples are keyed by their index, so a run extended from N to M samples
  // gives bitwise the results of a run of M: to keep that, a run may only be
  // extended from a whole number of blocks (N a multiple of kBlockSize),
  // else run() throws std::logic_error. Nothing else changes: local
  // targets' values are dropped once the run outgrows local_quantile_bytes,
  // as a run of M would not keep them.
  std::function<std::uint64_t(const Tally&)> extend;
  // With `extend`: the most samples it will ask for. The kept values reserve
  // room for them once (address space; pages are touched as samples come).
  std::uint64_t max_samples = 0;
  // Per-sample values to keep for analyses (plansim explain): entry k is,
  // for every sample, the mean of the listed workspace arrays (one array:
  // its value) after the block's plan-wide code, in RunResult::collected[k].
  // Memory: entries x samples x 8 bytes. Empty for a plain run, which then
  // does no extra work.
  std::vector<std::vector<std::int32_t>> collect;

  // An empty string when valid, else what is wrong with which field.
  std::string validate() const;
};

// Bytes a run of `samples` will hold at its peak, roughly.
std::uint64_t estimate_memory(const graph::Program& program, std::uint64_t samples, int threads);

// Whether a run keeps local targets' values per unit (see RunOptions).
bool keeps_local_values(const graph::Program& program, std::uint64_t samples, const RunOptions& options);

// Seconds a run of `samples` would take on `threads` threads (0: all
// cores), from timing one block on this machine: a few milliseconds spent
// to refuse a run that would not end in any reasonable time.
double estimate_seconds(const graph::Program& program, std::uint64_t samples, int threads);

RunResult run(const graph::Program& program, const RunOptions& options);

}  // namespace plansim::sim
