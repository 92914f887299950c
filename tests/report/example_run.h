// Runs a bundled example in process, the way `plansim run` does (load the
// plan, load and apply each scenario file, compile base and scenarios
// together, run), and fills the RunInfo the command line would. Shared by
// the report tests and by the browser test's driver (tests/browser).
//
// A plan or scenario that does not load throws std::runtime_error carrying
// every diagnostic.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "graph/plan.h"
#include "graph/plan_compiler.h"
#include "graph/plan_loader.h"
#include "graph/program.h"
#include "report/run_info.h"
#include "rules/diagnostic.h"
#include "scenarios/scenario.h"
#include "sim/engine.h"
#include "sim/results.h"

namespace plansim::report::test {

struct ExampleRun {
  std::unique_ptr<graph::Plan> plan;
  std::vector<std::unique_ptr<graph::Plan>> variant_plans;
  std::unique_ptr<graph::Program> program;
  sim::RunResult result;
  RunInfo info;
};

// `samples` 0: the plan's settings (else 100,000). `started_at` is written
// into the RunInfo as given.
inline ExampleRun run_example(const std::string& plan_path, const std::vector<std::string>& scenario_paths,
                              std::uint64_t samples = 0, const std::string& started_at = "2026-01-01T00:00:00Z",
                              const std::string& version = "test") {
  ExampleRun run;
  rules::Diagnostics diags;
  run.plan = graph::load_plan_file(plan_path, diags);
  if (!run.plan || !diags.ok()) throw std::runtime_error("the plan does not load:\n" + diags.to_string());
  std::vector<graph::VariantInput> inputs{{"base", run.plan.get(), {}}};
  for (const auto& path : scenario_paths) {
    auto scenario = scenarios::load_scenario_file(path, diags);
    if (!scenario) continue;
    auto applied = scenarios::apply_scenario(*run.plan, *scenario, diags);
    if (!applied) continue;
    inputs.push_back({applied->name, applied->plan.get(), applied->changed});
    run.variant_plans.push_back(std::move(applied->plan));
  }
  if (diags.ok()) run.program = graph::compile_variants(inputs, diags);
  if (!run.program || !diags.ok()) throw std::runtime_error("the plan or a scenario does not load:\n" + diags.to_string());

  sim::RunOptions options;
  options.samples = samples ? samples : run.plan->settings.samples.value_or(100000);
  options.seed = run.plan->settings.seed.value_or(1);
  run.result = sim::run(*run.program, options);
  if (run.result.summary.stop != sim::StopReason::kCompleted) throw std::runtime_error("the run did not complete");

  run.info.plan_title = run.plan->title;
  run.info.plan_file = plan_path;
  run.info.plan_sha256 = sha256_hex(run.plan->text);
  run.info.seed = options.seed;
  run.info.samples = options.samples;
  run.info.periods = run.program->period_labels;
  run.info.version = version;
  run.info.started_at = started_at;
  run.info.confidence = run.program->confidence;
  return run;
}

}  // namespace plansim::report::test
