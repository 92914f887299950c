// Benchmarks of the engine's hot path on the bundled CPS example:
// one block's evaluation (per sample), and whole runs over samples x threads.
#include <benchmark/benchmark.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "graph/plan_compiler.h"
#include "graph/plan_loader.h"
#include "sim/block_evaluator.h"
#include "sim/engine.h"

namespace {

using namespace plansim;

// The CPS example, loaded and compiled once for all benchmarks.
const graph::Program& cps_program() {
  static const std::unique_ptr<graph::Program> program = [] {
    const std::string path = std::string(PLANSIM_SOURCE_DIR) + "/examples/cps-area/plan.yaml";
    rules::Diagnostics diags;
    auto plan = graph::load_plan_file(path, diags);
    std::unique_ptr<graph::Program> p = plan ? graph::compile_plan(*plan, diags) : nullptr;
    if (!p) throw std::runtime_error("cannot load " + path + ":\n" + diags.to_string());
    return p;
  }();
  return *program;
}

void BM_BlockEvaluation(benchmark::State& state) {
  const graph::Program& p = cps_program();
  sim::BlockEvaluator eval(p, 1);
  sim::Workspace ws(p);
  std::uint64_t block = 0;
  for (auto _ : state) {
    eval.run(block++, sim::kBlockSize, ws);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(sim::kBlockSize));
  state.counters["instructions"] = static_cast<double>(p.code.size());
}
BENCHMARK(BM_BlockEvaluation);

// Whole runs: Args({samples, threads}); items are samples.
void BM_Run(benchmark::State& state) {
  const graph::Program& p = cps_program();
  sim::RunOptions options;
  options.samples = static_cast<std::uint64_t>(state.range(0));
  options.threads = static_cast<int>(state.range(1));
  for (auto _ : state) benchmark::DoNotOptimize(sim::run(p, options));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Run)->Args({100000, 1})->Args({100000, 2})->Args({1000000, 1})->Args({1000000, 2})
    ->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
