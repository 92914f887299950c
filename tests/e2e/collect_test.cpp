// RunOptions::collect: per-sample values of chosen arrays, kept for the
// analyses (plansim explain). They are the values the block computed, in
// sample order, the same for any thread count, and nothing is kept unless
// asked for.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "tests/e2e/plan_runner.h"

namespace plansim::e2e {
namespace {

const std::string kPlan = R"yaml(
plan: collect
horizon: {start: 2024-01, periods: 3, step: quarter}
assumptions:
  x: normal(0, 1)
  noise: {value: "uniform(0, 1)", per: period}
measures:
  m: {value: x + noise}
targets:
  low: {measure: m, at_most: 0.5}
)yaml";

const graph::NodeArrays& node(const graph::Program& p, const std::string& id) {
  return *std::find_if(p.base_nodes.begin(), p.base_nodes.end(), [&](const auto& n) { return n.id == id; });
}

TEST(Collect, KeepsTheArraysValuesPerSampleAndTheirMean) {
  const auto program = compile_text(kPlan);
  sim::RunOptions options = options_for(5000, 3, 2);
  const auto& noise = node(*program, "noise").value;
  ASSERT_EQ(noise.size(), 3u);
  options.collect = {{node(*program, "x").value[0]}, noise, {program->variants[0].targets[0].array}};
  const sim::RunResult r = sim::run(*program, options);
  ASSERT_EQ(r.collected.size(), 3u);
  std::size_t hits = 0;
  for (std::size_t i = 0; i < 5000; ++i) {
    const double x = r.collected[0][i], mean_noise = r.collected[1][i], m = r.collected[2][i];
    EXPECT_GE(mean_noise, 0.0);
    EXPECT_LE(mean_noise, 1.0);
    hits += m <= 0.5;
    EXPECT_GT(std::fabs(m - x), 0.0);  // m in the last period is x plus that period's noise
  }
  EXPECT_DOUBLE_EQ(static_cast<double>(hits) / 5000.0, r.base().targets[0].p_hit);
}

TEST(Collect, IsTheSameOnOneAndTwoThreadsAndAbsentUnlessAsked) {
  const auto program = compile_text(kPlan);
  sim::RunOptions one = options_for(3000, 8, 1), two = options_for(3000, 8, 2);
  one.collect = two.collect = {node(*program, "noise").value};
  EXPECT_EQ(sim::run(*program, one).collected, sim::run(*program, two).collected);
  EXPECT_TRUE(sim::run(*program, options_for(3000, 8, 2)).collected.empty());
}

}  // namespace
}  // namespace plansim::e2e
