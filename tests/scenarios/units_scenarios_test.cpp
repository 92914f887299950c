// Scenarios on plans with local units (plan-format.md sections 9 and 11): a
// scenario that changes a local node changes it in every unit, on common
// random numbers, and the comparison is reported per unit.
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <string>
#include <vector>

#include "tests/scenarios/scenario_runner.h"

namespace plansim::scenarios::test {
namespace {

constexpr std::uint64_t kSamples = 50000;
const std::vector<std::string> kUnits = {"north", "south", "east"};

const std::string kPlan = R"yaml(plan: units and scenarios
horizon: {start: 2003-04, periods: 4, step: quarter}
units:
  name: area
  rows:
    north: {base: 0.6, volume: 10}
    south: {base: 0.5, volume: 20}
    east: {base: 0.7, volume: 30}
assumptions:
  growth: normal(0.02, 0.01)
local:
  measures:
    rate:
      value: normal(base, 0.1) + growth
  targets:
    low: {measure: rate, at_most: base}
measures:
  nat:
    value: weighted(rate, volume)
targets:
  nat_low: {measure: nat, at_most: 0.62}
)yaml";

const sim::TargetResult& unit_target(const sim::ScenarioResult& s, std::string_view id, std::string_view unit) {
  for (const auto& t : s.targets)
    if (t.id == id && t.unit == unit) return t;
  throw std::out_of_range("no target '" + std::string(id) + "' of unit '" + std::string(unit) + "'");
}

const sim::MeasureResult& unit_measure(const sim::ScenarioResult& s, std::string_view id, std::string_view unit) {
  for (const auto& m : s.measures)
    if (m.id == id && m.unit == unit) return m;
  throw std::out_of_range("no measure '" + std::string(id) + "' of unit '" + std::string(unit) + "'");
}

TEST(UnitsScenarios, ScalingALocalNodeChangesItInEveryUnitOnCommonRandomNumbers) {
  const auto r = run_scenarios(kPlan, {"scenario: double\nscale: {rate: 2}\n"}, kSamples, 31);
  ASSERT_EQ(r.scenarios.size(), 2u);
  const auto& base = scenario(r, "base");
  const auto& doubled = scenario(r, "double");
  for (const auto& u : kUnits) {
    SCOPED_TRACE(u);
    const auto& b = unit_measure(base, "rate", u);
    const auto& d = unit_measure(doubled, "rate", u);
    ASSERT_EQ(b.periods.size(), d.periods.size());
    // Same draws, each value doubled (exactly, in binary): so is every mean.
    for (std::size_t t = 0; t < b.periods.size(); ++t)
      EXPECT_EQ(std::bit_cast<std::uint64_t>(d.periods[t].mean), std::bit_cast<std::uint64_t>(2.0 * b.periods[t].mean));
    // A rate near base + 0.02 is at most base about 42% of the time; doubled, almost never.
    EXPECT_GT(unit_target(base, "low", u).p_hit, 0.3);
    EXPECT_LT(unit_target(doubled, "low", u).p_hit, 0.01);
    const sim::Comparison* c = nullptr;
    for (const auto& x : r.comparison)
      if (x.scenario == "double" && x.target == "low" && x.unit == u) c = &x;
    ASSERT_NE(c, nullptr);
    EXPECT_DOUBLE_EQ(c->delta, unit_target(doubled, "low", u).p_hit - unit_target(base, "low", u).p_hit);
    EXPECT_LT(c->ci95.hi, 0.0);
  }
  // The roll-up doubles too: weighted(2 x, w) = 2 weighted(x, w).
  EXPECT_NEAR(measure(doubled, "nat").periods[3].mean, 2.0 * measure(base, "nat").periods[3].mean, 1e-12);
  ASSERT_EQ(doubled.local_targets.size(), 1u);
  EXPECT_LT(doubled.local_targets[0].expected_hits, base.local_targets[0].expected_hits);
}

TEST(UnitsScenarios, AScenarioBesideOthersGivesTheSameUnitResultsAsAlone) {
  const std::string shift = "scenario: shifted\nshift: {rate: -0.05}\n";
  const std::string cut = "scenario: slower\nset: {growth: 0.05}\n";
  const auto alone = run_scenarios(kPlan, {shift}, kSamples, 32);
  const auto together = run_scenarios(kPlan, {cut, shift}, kSamples, 32);
  for (const auto& u : kUnits) {
    SCOPED_TRACE(u);
    EXPECT_EQ(std::bit_cast<std::uint64_t>(unit_target(scenario(alone, "shifted"), "low", u).p_hit),
              std::bit_cast<std::uint64_t>(unit_target(scenario(together, "shifted"), "low", u).p_hit));
    // Shifting down helps every unit; a faster growth hurts every unit.
    EXPECT_GT(unit_target(scenario(together, "shifted"), "low", u).p_hit,
              unit_target(scenario(together, "base"), "low", u).p_hit);
    EXPECT_LT(unit_target(scenario(together, "slower"), "low", u).p_hit,
              unit_target(scenario(together, "base"), "low", u).p_hit);
  }
}

TEST(UnitsScenarios, AScenarioNamingAnUnknownLocalNodeIsAnErrorThatNamesIt) {
  ScratchDir dir;
  const auto diags = diagnose(dir, kPlan, {"scenario: typo\nscale: {rat: 2}\n"});
  ASSERT_FALSE(diags.ok());
  EXPECT_NE(diags.to_string().find("rat"), std::string::npos) << diags.to_string();
}

}  // namespace
}  // namespace plansim::scenarios::test
