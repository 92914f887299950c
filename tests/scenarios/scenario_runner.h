// Helpers shared by the scenario tests: run a plan given as YAML text with
// scenarios given as YAML text through the same in-process pipeline as the
// command line (apps/plansim/cli_support.cpp): the plan is loaded, each
// scenario is written to a file under ::testing::TempDir(), loaded with
// load_scenario_file (so `extends` and file positions are real), applied
// with apply_scenario, and the base and every scenario are compiled together
// with compile_variants and run with sim::run on common random numbers.
//
// run_scenarios throws std::runtime_error carrying every diagnostic when the
// plan or a scenario does not load, apply or compile, so the test that wrote
// it fails with the reason; diagnose returns the diagnostics instead, for the
// tests of error messages.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "graph/plan_compiler.h"
#include "graph/plan_loader.h"
#include "rules/diagnostic.h"
#include "scenarios/scenario.h"
#include "sim/engine.h"
#include "sim/results.h"

namespace plansim::scenarios::test {

// Every plan in these tests is called this in diagnostics.
inline constexpr const char* kPlanFile = "plan.yaml";

// A directory of its own under ::testing::TempDir() for each use (test name,
// process id and a counter), removed when it goes out of scope unless the
// test failed, so a failing test leaves its files to look at.
class ScratchDir {
 public:
  ScratchDir() {
    static std::atomic<int> counter{0};
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    const std::string test = info ? std::string(info->test_suite_name()) + "_" + info->name() : "none";
    path_ = std::filesystem::path(::testing::TempDir()) /
            ("plansim_scenarios_" + test + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    if (!::testing::Test::HasFailure()) std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  // Writes `text` to `name` in the directory and returns its path.
  std::string write(const std::string& name, const std::string& text) const {
    const std::string p = path(name);
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }
  std::string path(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// A plan with its scenarios applied and compiled into one Program.
struct Compiled {
  std::unique_ptr<graph::Plan> plan;
  std::vector<std::unique_ptr<graph::Plan>> variant_plans;
  std::unique_ptr<graph::Program> program;
  rules::Diagnostics diags;
};

// What the command line does with a plan and scenario files: load the plan,
// then load and apply each scenario, then compile base and scenarios
// together, stopping at the first stage that reports a mistake.
inline Compiled compile_files(std::unique_ptr<graph::Plan> plan, rules::Diagnostics diags,
                              const std::vector<std::string>& scenario_paths) {
  Compiled c;
  c.diags = std::move(diags);
  c.plan = std::move(plan);
  if (!c.plan || !c.diags.ok()) return c;
  std::vector<graph::VariantInput> inputs{{"base", c.plan.get(), {}}};
  for (const auto& path : scenario_paths) {
    auto scenario = load_scenario_file(path, c.diags);
    if (!scenario) continue;
    auto applied = apply_scenario(*c.plan, *scenario, c.diags);
    if (!applied) continue;
    inputs.push_back({applied->name, applied->plan.get(), applied->changed});
    c.variant_plans.push_back(std::move(applied->plan));
  }
  if (c.diags.ok()) c.program = graph::compile_variants(inputs, c.diags);
  return c;
}

// The same with the plan as text (called kPlanFile) and each scenario as
// text, written to scenario1.yaml, scenario2.yaml, ... in `dir`.
inline Compiled compile_texts(const ScratchDir& dir, const std::string& plan_yaml,
                              const std::vector<std::string>& scenario_yamls) {
  rules::Diagnostics diags;
  auto plan = graph::load_plan_text(plan_yaml, kPlanFile, diags);
  std::vector<std::string> paths;
  for (std::size_t i = 0; i < scenario_yamls.size(); ++i)
    paths.push_back(dir.write("scenario" + std::to_string(i + 1) + ".yaml", scenario_yamls[i]));
  return compile_files(std::move(plan), std::move(diags), paths);
}

inline sim::RunResult run_program(const graph::Program& program, std::uint64_t samples, std::uint64_t seed,
                                  int threads) {
  sim::RunOptions options;
  options.samples = samples;
  options.seed = seed;
  options.threads = threads;
  return sim::run(program, options);
}

// Runs the plan (scenario "base") and every scenario on common random numbers.
inline sim::RunResult run_scenarios(const std::string& plan_yaml, const std::vector<std::string>& scenario_yamls,
                                    std::uint64_t samples, std::uint64_t seed, int threads = 2) {
  ScratchDir dir;
  Compiled c = compile_texts(dir, plan_yaml, scenario_yamls);
  if (!c.program || !c.diags.ok())
    throw std::runtime_error("the plan or a scenario does not load:\n" + c.diags.to_string());
  return run_program(*c.program, samples, seed, threads);
}

// The diagnostics of a plan and scenarios, from whichever stage stopped.
inline rules::Diagnostics diagnose(const ScratchDir& dir, const std::string& plan_yaml,
                                   const std::vector<std::string>& scenario_yamls) {
  return compile_texts(dir, plan_yaml, scenario_yamls).diags;
}

// ---- looking results up by name ---------------------------------------------------

inline const sim::ScenarioResult& scenario(const sim::RunResult& r, std::string_view name) {
  for (const auto& s : r.scenarios)
    if (s.name == name) return s;
  throw std::out_of_range("no scenario '" + std::string(name) + "' in the results");
}

inline const sim::TargetResult& target(const sim::ScenarioResult& s, std::string_view id) {
  for (const auto& t : s.targets)
    if (t.id == id) return t;
  throw std::out_of_range("no target '" + std::string(id) + "' in scenario '" + s.name + "'");
}

inline const sim::MeasureResult& measure(const sim::ScenarioResult& s, std::string_view id) {
  for (const auto& m : s.measures)
    if (m.id == id) return m;
  throw std::out_of_range("no measure '" + std::string(id) + "' in scenario '" + s.name + "'");
}

inline const sim::ResourceResult& resource(const sim::ScenarioResult& s, std::string_view id) {
  for (const auto& x : s.resources)
    if (x.id == id) return x;
  throw std::out_of_range("no resource '" + std::string(id) + "' in scenario '" + s.name + "'");
}

inline const sim::ResponseResult& response(const sim::ScenarioResult& s, std::string_view label) {
  for (const auto& x : s.responses)
    if (x.label == label) return x;
  throw std::out_of_range("no response labelled '" + std::string(label) + "' in scenario '" + s.name + "'");
}

inline const sim::Comparison& comparison(const sim::RunResult& r, std::string_view scenario_name,
                                         std::string_view target_id) {
  for (const auto& c : r.comparison)
    if (c.scenario == scenario_name && c.target == target_id) return c;
  throw std::out_of_range("no comparison of target '" + std::string(target_id) + "' in scenario '" +
                          std::string(scenario_name) + "'");
}

// The first diagnostic whose message contains `words`, or null.
inline const rules::Diagnostic* find_diagnostic(const rules::Diagnostics& diags, std::string_view words) {
  for (const auto& d : diags.list())
    if (d.message.find(words) != std::string::npos) return &d;
  return nullptr;
}

}  // namespace plansim::scenarios::test
