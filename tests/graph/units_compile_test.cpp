// The plan compiler with units (plan-format.md section 9): where local and
// plan-wide nodes may meet, each mistake reported at its line and column
// with the node and what is wrong; and what a correct units plan compiles
// to (local targets, column thresholds, aggregations of columns folded).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "graph/plan_compiler.h"
#include "graph/program.h"
#include "rules/diagnostic.h"
#include "tests/graph/plan_test_support.h"

namespace plansim::graph {
namespace {

using test::Expected;
using test::expect_diagnostic;
using test::expect_only;
using test::load_and_compile;
using test::with_head;

// Two areas, lines 3 to 5; a body appended to it starts on line 6.
std::string with_units(std::string_view body) {
  if (!body.empty() && body.front() == '\n') body.remove_prefix(1);
  return with_head(R"y(
units:
  name: area
  rows: {north: {base: 0.6, volume: 10}, south: {base: 0.5, volume: 20}}
)y") + std::string(body);
}

TEST(UnitsCompile, APlanWideNodeReadingALocalNodeNeedsAnAggregation) {
  auto r = load_and_compile(with_units(R"y(
local:
  measures:
    rate:
      value: normal(base, 0.1)
measures:
  nat:
    value: 2 * rate + 1
)y"));
  EXPECT_FALSE(r.program);
  expect_only(r.diags, {12, 16, "nat", {"'rate' is local (one per area)", "only through an aggregation"},
                        {"average(rate)", "weighted(rate"}});
}

TEST(UnitsCompile, APlanWideNodeCannotReadAColumnDirectly) {
  auto r = load_and_compile(with_units(R"y(
measures:
  nat:
    value: normal(0, 1) + volume
)y"));
  EXPECT_FALSE(r.program);
  expect_only(r.diags, {8, 27, "nat", {"'volume' is a column of the units table", "only local nodes and aggregations"},
                        {"total(volume)"}});
}

TEST(UnitsCompile, ALocalNodeCannotAggregate) {
  auto r = load_and_compile(with_units(R"y(
local:
  measures:
    rate:
      value: base + average(base)
)y"));
  EXPECT_FALSE(r.program);
  expect_only(r.diags, {9, 21, "rate", {"a local node cannot aggregate", "'average'"}, {"plan-wide"}});
}

TEST(UnitsCompile, AggregationsCannotBeNested) {
  auto r = load_and_compile(with_units(R"y(
local:
  measures:
    rate:
      value: normal(base, 0.1)
measures:
  nat:
    value: total(average(rate))
)y"));
  EXPECT_FALSE(r.program);
  expect_only(r.diags, {12, 18, "nat", {"cannot be nested", "'average'"}, {"plan-wide measure of its own"}});
}

TEST(UnitsCompile, AnAggregationInAPlanWithoutUnitsIsAnError) {
  auto r = load_and_compile(with_head(R"y(
assumptions:
  x: normal(0, 1)
measures:
  nat:
    value: 1 + share(x > 0)
)y"));
  EXPECT_FALSE(r.program);
  expect_only(r.diags, {7, 16, "nat", {"'share' aggregates over local units", "this plan has none"},
                        {"units:"}});
}

TEST(UnitsCompile, AnUnknownNameInALocalExpressionSuggestsTheNearestColumn) {
  auto r = load_and_compile(with_units(R"y(
local:
  measures:
    rate:
      value: normal(base, 0.1) * volumes
)y"));
  EXPECT_FALSE(r.program);
  expect_only(r.diags, {9, 34, "rate", {"unknown name 'volumes'", "nor a column of the area table"},
                        {"did you mean 'volume'?"}});
}

TEST(UnitsCompile, AnUnknownNameInsideAnAggregationSuggestsTheNearestColumn) {
  auto r = load_and_compile(with_units(R"y(
measures:
  nat:
    value: total(volumme)
)y"));
  EXPECT_FALSE(r.program);
  expect_only(r.diags, {8, 18, "nat", {"unknown name 'volumme'"}, {"did you mean 'volume'?"}});
}

TEST(UnitsCompile, ALocalNodeCannotReadAPlanWideNodeComputedFromAnAggregation) {
  auto r = load_and_compile(with_units(R"y(
local:
  measures:
    rate:
      value: normal(base, 0.1)
    gap:
      value: rate - doubled
measures:
  nat:
    value: average(rate)
  doubled:
    value: 2 * nat
)y"));
  EXPECT_FALSE(r.program);
  expect_only(r.diags, {10, 5, "gap", {"local measure 'gap' reads 'doubled'", "every area", "aggregation"},
                        {"do not depend on local ones"}});
}

TEST(UnitsCompile, ALocalNodeReadingAnAggregationOfItselfIsACycle) {
  auto r = load_and_compile(with_units(R"y(
local:
  measures:
    rate:
      value: normal(base, 0.1) + nat
measures:
  nat:
    value: average(rate)
)y"));
  EXPECT_FALSE(r.program);
  ASSERT_FALSE(r.diags.ok());
  bool cycle = false;
  for (const auto& d : r.diags.list()) cycle = cycle || d.message.find("cycle") != std::string::npos;
  EXPECT_TRUE(cycle) << r.diags.to_string();
}

TEST(UnitsCompile, ALocalNodeMayReadAPlanWideNodeThatDoesNotDependOnUnits) {
  auto r = load_and_compile(with_units(R"y(
assumptions:
  growth: normal(0.03, 0.01)
local:
  measures:
    rate:
      value: base * (1 + growth)
measures:
  nat:
    value: weighted(rate, volume)
)y"));
  EXPECT_TRUE(r.diags.ok()) << r.diags.to_string();
  ASSERT_TRUE(r.program);
}

TEST(UnitsCompile, APlanWideTargetOnALocalMeasureIsAnError) {
  auto r = load_and_compile(with_units(R"y(
local:
  measures:
    rate:
      value: normal(base, 0.1)
targets:
  low: {measure: rate, at_most: 0.5}
)y"));
  EXPECT_FALSE(r.program);
  expect_only(r.diags, {11, 18, "low", {"plan-wide target is on the measure 'rate'", "which is local"}});
}

TEST(UnitsCompile, ALocalTargetOnAPlanWideMeasureIsAnError) {
  auto r = load_and_compile(with_units(R"y(
measures:
  nat:
    value: normal(0.5, 0.1)
local:
  targets:
    low: {measure: nat, at_most: base}
)y"));
  EXPECT_FALSE(r.program);
  expect_only(r.diags, {11, 20, "low", {"local target is on the measure 'nat'", "which is plan-wide"}});
}

TEST(UnitsCompile, ALocalCompositeTargetCannotCombinePlanWideTargets) {
  auto r = load_and_compile(with_units(R"y(
measures:
  nat:
    value: normal(0.5, 0.1)
targets:
  nat_low: {measure: nat, at_most: 0.5}
local:
  measures:
    rate:
      value: normal(base, 0.1)
  targets:
    low: {measure: rate, at_most: base}
    both: {all_of: [low, nat_low]}
)y"));
  EXPECT_FALSE(r.program);
  expect_only(r.diags, {17, 26, "both", {"local target combines 'nat_low'", "plan-wide"}});
}

TEST(UnitsCompile, ALocalActionCannotNeedAPlanWideResource) {
  auto r = load_and_compile(with_units(R"y(
resources:
  hours: {available: 100}
local:
  actions:
    visit: {needs: {hours: 10}}
)y"));
  EXPECT_FALSE(r.program);
  expect_only(r.diags, {10, 21, "visit", {"local action needs 'hours'", "which is plan-wide"}});
}

TEST(UnitsCompile, ALocalActionMayNeedALocalResourceSizedByAColumn) {
  auto r = load_and_compile(with_units(R"y(
local:
  resources:
    hours: {available: volume * 2}
  actions:
    visit: {needs: {hours: 10}}
  measures:
    rate:
      value: base - 0.05 * visit
)y"));
  EXPECT_TRUE(r.diags.ok()) << r.diags.to_string();
  EXPECT_TRUE(r.program);
}

// ---- what a units plan compiles to ----------------------------------------------

TEST(UnitsCompile, LocalTargetsAreSeparateAndColumnThresholdsStayPerUnit) {
  auto r = load_and_compile(with_units(R"y(
local:
  measures:
    rate:
      value: normal(base, 0.1)
  targets:
    low: {measure: rate, at_most: base - 0.12}
    fixed: {measure: rate, at_least: 0.25}
measures:
  nat:
    value: weighted(rate, volume)
targets:
  nat_low: {measure: nat, at_most: "weighted(base, volume) + 0.02"}
)y"));
  ASSERT_TRUE(r.program) << r.diags.to_string();
  const Program& p = *r.program;
  EXPECT_EQ(p.units.name, "area");
  EXPECT_EQ(p.units.ids, (std::vector<std::string>{"north", "south"}));
  ASSERT_EQ(p.units.keys.size(), 2u);
  EXPECT_NE(p.units.keys[0], p.units.keys[1]);
  EXPECT_LT(p.local_begin, p.local_end);
  EXPECT_LE(p.local_end, p.code.size());

  const VariantOutputs& o = p.variants[0];
  ASSERT_EQ(o.targets.size(), 1u);
  EXPECT_EQ(o.targets[0].id, "nat_low");
  EXPECT_EQ(o.targets[0].threshold_column, -1);
  // (0.6 * 10 + 0.5 * 20) / (10 + 20) + 0.02, folded at compile time in unit order.
  EXPECT_EQ(o.targets[0].threshold, (0.6 * 10.0 + 0.5 * 20.0) / (10.0 + 20.0) + 0.02);

  ASSERT_EQ(o.local_targets.size(), 2u);
  EXPECT_EQ(o.local_targets[0].id, "low");
  ASSERT_GE(o.local_targets[0].threshold_column, 0);
  const auto column = static_cast<std::size_t>(o.local_targets[0].threshold_column);
  ASSERT_LT(column, p.units.columns);
  EXPECT_EQ(p.units.row(0)[column], 0.6 - 0.12);
  EXPECT_EQ(p.units.row(1)[column], 0.5 - 0.12);
  EXPECT_EQ(o.local_targets[1].id, "fixed");
  EXPECT_EQ(o.local_targets[1].threshold_column, -1);
  EXPECT_EQ(o.local_targets[1].threshold, 0.25);

  ASSERT_EQ(o.measures.size(), 1u);
  EXPECT_EQ(o.measures[0].id, "nat");
  ASSERT_EQ(o.local_measures.size(), 1u);
  EXPECT_EQ(o.local_measures[0].id, "rate");
}

TEST(UnitsCompile, APlanWithoutUnitsHasAnEmptyLocalStage) {
  auto r = load_and_compile(with_head(R"y(
measures:
  nat:
    value: normal(0.5, 0.1)
)y"));
  ASSERT_TRUE(r.program) << r.diags.to_string();
  EXPECT_EQ(r.program->units.count(), 0u);
  EXPECT_EQ(r.program->local_begin, r.program->local_end);
  EXPECT_TRUE(r.program->variants[0].local_targets.empty());
}

}  // namespace
}  // namespace plansim::graph
