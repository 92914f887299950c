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
