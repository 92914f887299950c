// Throughput of the random streams and the inversion samplers, per element
// (items_per_second is elements per second; ns/element = 1e9 / that).
// Arg: block size in elements.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include <oneapi/tbb/enumerable_thread_specific.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/task_arena.h>

#include "sim/random_stream.h"
#include "sim/samplers.h"

namespace plansim::sim {
namespace {

const DrawKey kKey{.node = 0x1234, .unit = 0, .site = 0, .period = 0};

void BM_UniformStreamFill(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  std::vector<double> out(n);
  std::uint64_t block = 0;
  for (auto _ : state) {
    UniformStream stream(1, kKey, block++);  // seeding (8 Philox calls) included
    stream.fill(out.data(), n);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_UniformStreamFill)->Arg(256)->Arg(1024)->Arg(4096);

// Keyed generation on several threads: Args({elements per block, threads});
// 256 blocks per iteration, each keyed by its index as in a run.
void BM_UniformStreamThreads(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const int threads = static_cast<int>(state.range(1));
  constexpr std::uint64_t kBlocks = 256;
  tbb::task_arena arena(threads);
  tbb::enumerable_thread_specific<std::vector<double>> out([n] { return std::vector<double>(n); });
  for (auto _ : state) {
    arena.execute([&] {
      tbb::parallel_for(std::uint64_t{0}, kBlocks, [&](std::uint64_t b) {
        auto& o = out.local();
        UniformStream(1, kKey, b).fill(o.data(), n);
        benchmark::DoNotOptimize(o.data());
      });
    });
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kBlocks) * state.range(0));
}
BENCHMARK(BM_UniformStreamThreads)->Args({1024, 1})->Args({1024, 2})->Args({4096, 1})->Args({4096, 2})->UseRealTime();

void BM_ElementStreamNext(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  std::uint64_t sample = 0;
  double sum = 0.0;
  for (auto _ : state) {
    for (std::size_t i = 0; i < n; ++i) {
      ElementStream stream(1, kKey, sample++);
      sum += stream.next();
    }
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_ElementStreamNext)->Arg(1024);

// sample_block with scalar parameters. Blocks are at most kBlockSize, so
// 4096 elements are four consecutive blocks.
void sample(benchmark::State& state, rules::Distribution d, std::vector<double> scalars) {
  const auto n = static_cast<std::size_t>(state.range(0));
  std::vector<Param> params;
  for (const double& p : scalars) params.push_back(Param{.data = &p, .stride = 0});
  std::vector<double> out(n);
  std::vector<double> scratch(kBlockSize);
  std::uint64_t block = 0;
  for (auto _ : state) {
    for (std::size_t start = 0; start < n; start += kBlockSize) {
      const BlockDraw where{
          .seed = 1, .key = kKey, .block = block++, .n = std::min(kBlockSize, n - start)};
      sample_block(d, params, where, out.data() + start, scratch.data());
    }
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}

void BM_SampleNormal(benchmark::State& state) {
  sample(state, rules::Distribution::kNormal, {10.0, 2.0});
}
void BM_SampleLognormal(benchmark::State& state) {
  sample(state, rules::Distribution::kLognormal, {0.0, 0.5});
}
void BM_SampleBernoulli(benchmark::State& state) {
  sample(state, rules::Distribution::kBernoulli, {0.3});
}
void BM_SampleTriangular(benchmark::State& state) {
  sample(state, rules::Distribution::kTriangular, {0.0, 1.0, 3.0});
}
void BM_SamplePoissonSmall(benchmark::State& state) {
  sample(state, rules::Distribution::kPoisson, {3.0});
}
void BM_SamplePoissonLarge(benchmark::State& state) {
  sample(state, rules::Distribution::kPoisson, {100.0});
}
void BM_SamplePert(benchmark::State& state) {
  sample(state, rules::Distribution::kPert, {1.0, 2.0, 6.0});
}

BENCHMARK(BM_SampleNormal)->Arg(256)->Arg(1024)->Arg(4096);
BENCHMARK(BM_SampleLognormal)->Arg(256)->Arg(1024)->Arg(4096);
BENCHMARK(BM_SampleBernoulli)->Arg(256)->Arg(1024)->Arg(4096);
BENCHMARK(BM_SampleTriangular)->Arg(1024);
BENCHMARK(BM_SamplePoissonSmall)->Arg(1024);
BENCHMARK(BM_SamplePoissonLarge)->Arg(1024);
BENCHMARK(BM_SamplePert)->Arg(1024);

}  // namespace
}  // namespace plansim::sim
