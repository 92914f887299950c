// Scenario results are a function of the plan, the scenario, the seed and
// the sample count only: bitwise identical for any number of threads, and
// whatever other scenarios run beside them (each variant's draws are keyed
// by node name, never by its place in the program). Run on the probation
// example with its own scenario files (a path set, a shift, a forced risk,
// and an extended scenario with a response of its own).
#include <gtest/gtest.h>

#include <oneapi/tbb/global_control.h>

#include <bit>
#include <cstdint>
#include <string>
#include <vector>

#include "graph/plan_loader.h"
#include "tests/e2e/plan_runner.h"
#include "tests/scenarios/scenario_runner.h"

namespace plansim::scenarios::test {
namespace {

using e2e::bits_of;

// Not a multiple of the block size (1024), so the last block is partial,
// and more blocks (69) than one chunk holds for 1 or 8 threads (8 or 64).
constexpr std::uint64_t kSamples = 70003;
constexpr std::uint64_t kSeed = 11;

std::string example(const std::string& file) {
  return std::string(PLANSIM_SOURCE_DIR) + "/examples/probation-trust/" + file;
}

Compiled compile_example(const std::vector<std::string>& scenario_files) {
  std::vector<std::string> paths;
  for (const auto& f : scenario_files) paths.push_back(example("scenarios/" + f));
  rules::Diagnostics diags;
  return compile_files(graph::load_plan_file(example("plan.yaml"), diags), std::move(diags), paths);
}

std::vector<std::uint64_t> bits_of(const sim::ResponseResult& r) {
  return {std::bit_cast<std::uint64_t>(r.p_triggered), std::bit_cast<std::uint64_t>(r.mean_first_period)};
}

std::vector<std::uint64_t> bits_of(const sim::Comparison& c) {
  std::vector<std::uint64_t> out;
  for (double x : {c.p_hit, c.delta, c.ci95.lo, c.ci95.hi, c.unpaired_ci95.lo, c.unpaired_ci95.hi})
    out.push_back(std::bit_cast<std::uint64_t>(x));
  return out;
}

// Every number a scenario reports, compared bit for bit.
void expect_same_scenario(const sim::ScenarioResult& a, const sim::ScenarioResult& b) {
  EXPECT_EQ(a.name, b.name);
  ASSERT_EQ(a.targets.size(), b.targets.size()) << a.name;
  for (std::size_t i = 0; i < a.targets.size(); ++i)
    EXPECT_EQ(bits_of(a.targets[i]), bits_of(b.targets[i])) << a.name << " " << a.targets[i].id;
  ASSERT_EQ(a.measures.size(), b.measures.size()) << a.name;
  for (std::size_t i = 0; i < a.measures.size(); ++i)
    EXPECT_EQ(bits_of(a.measures[i]), bits_of(b.measures[i])) << a.name << " " << a.measures[i].id;
  ASSERT_EQ(a.resources.size(), b.resources.size()) << a.name;
  for (std::size_t i = 0; i < a.resources.size(); ++i)
    EXPECT_EQ(bits_of(a.resources[i]), bits_of(b.resources[i])) << a.name << " " << a.resources[i].id;
  ASSERT_EQ(a.responses.size(), b.responses.size()) << a.name;
  for (std::size_t i = 0; i < a.responses.size(); ++i)
    EXPECT_EQ(bits_of(a.responses[i]), bits_of(b.responses[i])) << a.name << " " << a.responses[i].label;
}

// The comparisons of one scenario, in target order.
std::vector<const sim::Comparison*> comparisons_of(const sim::RunResult& r, const std::string& name) {
  std::vector<const sim::Comparison*> out;
  for (const auto& c : r.comparison)
    if (c.scenario == name) out.push_back(&c);
  return out;
}

void expect_same_comparisons(const sim::RunResult& a, const sim::RunResult& b, const std::string& name) {
  const auto ca = comparisons_of(a, name), cb = comparisons_of(b, name);
  ASSERT_EQ(ca.size(), cb.size()) << name;
  ASSERT_FALSE(ca.empty()) << name;
  for (std::size_t i = 0; i < ca.size(); ++i) {
    EXPECT_EQ(ca[i]->target, cb[i]->target);
    EXPECT_EQ(bits_of(*ca[i]), bits_of(*cb[i])) << name << " " << ca[i]->target;
  }
}

TEST(ScenarioDeterminism, ScenarioResultsAreBitwiseIdenticalForOneTwoAndEightThreads) {
  // TBB gives an arena no more workers than the machine has cores unless
  // told otherwise: allow 8, so that 8 threads really run on any machine.
  const tbb::global_control allow(tbb::global_control::max_allowed_parallelism, 8);
  const Compiled c = compile_example(
      {"sr10-four-years.yaml", "caseload-rise.yaml", "noms-contract-fails.yaml", "protect-community-payback.yaml"});
  ASSERT_TRUE(c.program) << c.diags.to_string();
  const auto one = run_program(*c.program, kSamples, kSeed, 1);
  const auto two = run_program(*c.program, kSamples, kSeed, 2);
  const auto eight = run_program(*c.program, kSamples, kSeed, 8);
  ASSERT_FALSE(one.nan.has_value());
  EXPECT_EQ(one.summary.threads, 1);
  EXPECT_EQ(eight.summary.threads, 8);
  ASSERT_EQ(one.scenarios.size(), 5u);
  for (const auto* other : {&two, &eight}) {
    ASSERT_EQ(other->scenarios.size(), one.scenarios.size());
    for (std::size_t v = 0; v < one.scenarios.size(); ++v) expect_same_scenario(one.scenarios[v], other->scenarios[v]);
    for (std::size_t v = 1; v < one.scenarios.size(); ++v)
      expect_same_comparisons(one, *other, one.scenarios[v].name);
  }
}

TEST(ScenarioDeterminism, ScenarioResultsDoNotDependOnTheOtherScenariosInTheRun) {
  // A = the Spending Review cut; B = an extension of it with a response of
  // its own, listed before A, so A's nodes are laid out after B's.
  const Compiled alone = compile_example({"sr10-four-years.yaml"});
  const Compiled beside = compile_example({"protect-community-payback.yaml", "sr10-four-years.yaml"});
  ASSERT_TRUE(alone.program) << alone.diags.to_string();
  ASSERT_TRUE(beside.program) << beside.diags.to_string();
  const auto a = run_program(*alone.program, kSamples, kSeed, 2);
  const auto b = run_program(*beside.program, kSamples, kSeed, 2);
  ASSERT_EQ(b.scenarios.size(), 3u);
  expect_same_scenario(scenario(a, "base"), scenario(b, "base"));
  expect_same_scenario(scenario(a, "sr10-four-years"), scenario(b, "sr10-four-years"));
  expect_same_comparisons(a, b, "sr10-four-years");
  // B does change things, so the equality above is not vacuous.
  EXPECT_NE(bits_of(target(scenario(b, "protect-community-payback"), "community_payback_hours")),
            bits_of(target(scenario(b, "sr10-four-years"), "community_payback_hours")));
}

TEST(ScenarioDeterminism, ScenarioThatChangesNothingGivesTheBasesResultsBitwise) {
  // A scale by 1 and a shift by 0 leave every value as it is; the scenario's
  // own arrays must then hold exactly the base's numbers, and every delta is 0.
  ScratchDir dir;
  const std::string path = dir.write("same.yaml", "scenario: same\nscale: {om_hours: 1}\nshift: {caseload_growth: 0}\n");
  rules::Diagnostics diags;
  const Compiled c = compile_files(graph::load_plan_file(example("plan.yaml"), diags), std::move(diags), {path});
  ASSERT_TRUE(c.program) << c.diags.to_string();
  const auto r = run_program(*c.program, 20000, kSeed, 2);
  sim::ScenarioResult same = scenario(r, "same");
  same.name = "base";
  expect_same_scenario(scenario(r, "base"), same);
  for (const auto* cmp : comparisons_of(r, "same")) {
    EXPECT_EQ(cmp->delta, 0.0) << cmp->target;
    EXPECT_EQ(cmp->ci95.lo, 0.0) << cmp->target;
    EXPECT_EQ(cmp->ci95.hi, 0.0) << cmp->target;
  }
}

}  // namespace
}  // namespace plansim::scenarios::test
