// Benchmarks of scenarios on common random numbers, on the probation
// example: k scenarios compiled into one program beside the base and run
// together, against k separate runs of the base with one scenario each (what
// k invocations of `plansim run --scenario` would do). Args({k}); 20,000
// samples per run, all cores. Items are scenario-samples (k x samples), so
// items_per_second compares the two directly; compiling is done once,
// outside the timed loop.
#include <benchmark/benchmark.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "graph/plan_compiler.h"
#include "graph/plan_loader.h"
#include "scenarios/scenario.h"
#include "sim/engine.h"

namespace {

using namespace plansim;

constexpr std::uint64_t kSamples = 20000;

const graph::Plan& probation_plan() {
  static const std::unique_ptr<graph::Plan> plan = [] {
    const std::string path = std::string(PLANSIM_SOURCE_DIR) + "/examples/probation-trust/plan.yaml";
    rules::Diagnostics diags;
    auto p = graph::load_plan_file(path, diags);
    if (!p || !diags.ok()) throw std::runtime_error("cannot load " + path + ":\n" + diags.to_string());
    return p;
  }();
  return *plan;
}

// Scenario i of k: the cut reaches 20% (i + 1) / k by the last year in equal
// steps, and the caseload grows a little faster with i.
scenarios::Scenario cut_scenario(int i, int k) {
  scenarios::Scenario s;
  s.name = "cut-" + std::to_string(i);
  const double last = 0.2 * (i + 1) / k;
  scenarios::SetChange set;
  set.node = "cut";
  set.file = "bench";
  for (int t = 1; t <= 4; ++t) set.path.push_back(rules::Expr::make_number(last * t / 4.0, {}));
  s.set.push_back(std::move(set));
  s.shift.push_back({{"caseload_growth", "bench", {}}, 0.002 * i});
  return s;
}

// The base and the given scenarios, applied and compiled into one program.
struct Compiled {
  std::vector<scenarios::Applied> applied;
  std::unique_ptr<graph::Program> program;
};

std::unique_ptr<Compiled> compile(const std::vector<scenarios::Scenario>& list) {
  auto out = std::make_unique<Compiled>();
  rules::Diagnostics diags;
  const graph::Plan& base = probation_plan();
  std::vector<graph::VariantInput> inputs{{"base", &base, {}}};
  for (const auto& s : list) {
    auto a = scenarios::apply_scenario(base, s, diags);
    if (!a) throw std::runtime_error("cannot apply " + s.name + ":\n" + diags.to_string());
    out->applied.push_back(std::move(*a));
  }
  for (const auto& a : out->applied) inputs.push_back({a.name, a.plan.get(), a.changed});
  out->program = graph::compile_variants(inputs, diags);
  if (!out->program) throw std::runtime_error("cannot compile:\n" + diags.to_string());
  return out;
}

// k scenarios in one run beside the base.
void BM_ScenariosTogether(benchmark::State& state) {
  const int k = static_cast<int>(state.range(0));
  std::vector<scenarios::Scenario> list;
  for (int i = 0; i < k; ++i) list.push_back(cut_scenario(i, k));
  const auto c = compile(list);
  sim::RunOptions options;
  options.samples = kSamples;
  for (auto _ : state) benchmark::DoNotOptimize(sim::run(*c->program, options));
  state.SetItemsProcessed(state.iterations() * k * static_cast<std::int64_t>(kSamples));
  state.counters["variants"] = static_cast<double>(c->program->variants.size());
  state.counters["instructions"] = static_cast<double>(c->program->code.size());
}
BENCHMARK(BM_ScenariosTogether)->Arg(1)->Arg(4)->Arg(16)->Unit(benchmark::kMillisecond)->UseRealTime();

// k runs, each of the base with one scenario.
void BM_ScenariosSeparately(benchmark::State& state) {
  const int k = static_cast<int>(state.range(0));
  std::vector<std::unique_ptr<Compiled>> runs;
  for (int i = 0; i < k; ++i) {
    std::vector<scenarios::Scenario> one;
    one.push_back(cut_scenario(i, k));
    runs.push_back(compile(one));
  }
  sim::RunOptions options;
  options.samples = kSamples;
  for (auto _ : state)
    for (const auto& c : runs) benchmark::DoNotOptimize(sim::run(*c->program, options));
  state.SetItemsProcessed(state.iterations() * k * static_cast<std::int64_t>(kSamples));
}
BENCHMARK(BM_ScenariosSeparately)->Arg(1)->Arg(4)->Arg(16)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
