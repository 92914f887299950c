// Benchmarks of roll-ups across units: one unit's pass through the local
// code of a block, and whole runs of a reference-model-like plan over
// Args({units, threads}). Items are area-samples (units x samples), the
// figure bench/compare_peers.py reports for whole processes.
#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <stdexcept>
#include <string>

#include "graph/plan_compiler.h"
#include "graph/plan_loader.h"
#include "sim/block_evaluator.h"
#include "sim/engine.h"

namespace {

using namespace plansim;

// R(n) of the reference model (../shared/bench/reference-model.md) with
// inline rows, so the benchmark needs no files.
std::string reference_plan(int units) {
  std::string rows;
  for (int i = 0; i < units; ++i) {
    double u = 0.6180339887 * (i + 1);
    u -= static_cast<double>(static_cast<long>(u));
    const double base = 0.55 + 0.20 * u, budget = 1000 * (1 + u);
    rows += "    u" + std::to_string(i) + ": {base: " + std::to_string(base) + ", target: " +
            std::to_string(base - 0.12) + ", budget: " + std::to_string(budget) + ", cost: " +
            std::to_string(0.97 * budget) + ", weight: " + std::to_string(1 + 2 * u) + "}\n";
  }
  return R"yaml(plan: Reference model
horizon: {start: 2026-04, periods: 1, step: year}
units:
  name: area
  rows:
)yaml" + rows + R"yaml(assumptions:
  cut: {value: "triangular(0, 0.05, 0.10)"}
  caseload: {value: "normal(0.03, 0.02)"}
  pay: {value: "triangular(0.01, 0.02, 0.04)"}
local:
  measures:
    capacity: {value: "min(1, budget / cost * real_funding)"}
    rate:
      value: "base + 0.5 * caseload - (0.05 * a0 + 0.04 * a1 + 0.03 * a2 + 0.02 * a3) + r0 + r1 + r2 + r3 + normal(0, 0.02)"
      range: [0, 1]
  actions:
    a0: {delivery: 0.9 * capacity}
    a1: {delivery: 0.8 * capacity}
    a2: {delivery: 0.7 * capacity}
    a3: {delivery: 0.6 * capacity}
  risks:
    r0: {likelihood: 0.5, impact: "lognormal(log(0.02), 0.5)"}
    r1: {likelihood: 0.3, impact: "lognormal(log(0.02), 0.5)"}
    r2: {likelihood: 0.2, impact: "lognormal(log(0.02), 0.5)"}
    r3: {likelihood: 0.1, impact: "lognormal(log(0.02), 0.5)"}
  targets:
    hit: {measure: rate, at_most: target}
measures:
  real_funding: {value: "(1 - cut) / ((1 + pay) * (1 + caseload))"}
  national: {value: "weighted(rate, weight)"}
  share_hit: {value: "share(rate <= target)"}
targets:
  national_target: {measure: national, at_most: "weighted(target, weight) + 0.02"}
)yaml";
}

const graph::Program& reference_program(int units) {
  static std::map<int, std::unique_ptr<graph::Program>> programs;
  auto& p = programs[units];
  if (!p) {
    rules::Diagnostics diags;
    auto plan = graph::load_plan_text(reference_plan(units), "reference.yaml", diags);
    p = plan ? graph::compile_plan(*plan, diags) : nullptr;
    if (!p) throw std::runtime_error("cannot compile the reference plan:\n" + diags.to_string());
  }
  return *p;
}

// One unit's local code over one block (kBlockSize samples); Arg: units in
// the table (the per-unit cost must not depend on it).
void BM_UnitPass(benchmark::State& state) {
  const graph::Program& p = reference_program(static_cast<int>(state.range(0)));
  sim::BlockEvaluator eval(p, 1);
  sim::Workspace ws(p);
  eval.before_units(0, sim::kBlockSize, ws);
  std::size_t unit = 0;
  for (auto _ : state) {
    eval.unit(0, sim::kBlockSize, unit, ws);
    unit = (unit + 1) % p.units.count();
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(sim::kBlockSize));
  state.counters["local_instructions"] = static_cast<double>(p.local_end - p.local_begin);
}
BENCHMARK(BM_UnitPass)->Arg(42)->Arg(4200);

// Whole runs, statistics included: Args({units, threads}), 20 blocks.
void BM_ReferenceRun(benchmark::State& state) {
  const graph::Program& p = reference_program(static_cast<int>(state.range(0)));
  sim::RunOptions options;
  options.samples = 20 * sim::kBlockSize;
  options.threads = static_cast<int>(state.range(1));
  for (auto _ : state) benchmark::DoNotOptimize(sim::run(p, options));
  state.SetItemsProcessed(state.iterations() * state.range(0) * static_cast<std::int64_t>(options.samples));
}
BENCHMARK(BM_ReferenceRun)
    ->Args({42, 1})
    ->Args({42, 2})
    ->Args({420, 1})
    ->Args({420, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
