// The comparison of a scenario with the base (sim/results.h, Comparison):
// the paired 95% interval for the difference in P(hit) covers the true
// difference at its nominal rate, and is narrower than the interval two
// independent runs would give.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <iomanip>
#include <iostream>
#include <string>

#include "graph/plan_loader.h"
#include "tests/scenarios/scenario_runner.h"
#include "tests/scenarios/statistical_bounds.h"

namespace plansim::scenarios::test {
namespace {

// m = a + e with a ~ N(10, 2) per plan and e ~ N(0, 1) fresh each period.
// The scenario makes a 0.5 a + 5.5 ~ N(10.5, 1), on the same draws:
//   base      m = 10 + 2 Z + E:  P(m <= 11) = Phi(1 / sqrt(5))
//   scenario  m = 10.5 + Z + E:  P(m <= 11) = Phi(0.5 / sqrt(2))
// Neither event contains the other, so samples where only one of them hits
// occur both ways (n10 > 0 and n01 > 0): the general case of the formula.
const std::string kPlan = R"yaml(
plan: paired difference
horizon: {start: 2003-04, periods: 4, step: quarter}
assumptions:
  a: normal(10, 2)
measures:
  m: {value: "a + normal(0, 1)"}
targets:
  m_low: {measure: m, at_most: 11}
)yaml";
const std::string kScenario = "scenario: narrower\nscale: {a: 0.5}\nshift: {a: 5.5}\n";

const double kBaseP = normal_cdf(1.0 / std::sqrt(5.0));
const double kScenarioP = normal_cdf(0.5 / std::sqrt(2.0));
const double kDelta = kScenarioP - kBaseP;  // -0.0344

TEST(Comparison, DeltaIsTheExactDifferenceInBothDirectionsOfChange) {
  // n = 200,000: |delta - exact| within 4.5 standard errors of the paired
  // difference, estimated by the reported interval's half-width / 1.96
  // (false-failure rate about 7e-6).
  constexpr std::uint64_t n = 200000;
  const auto r = run_scenarios(kPlan, {kScenario}, n, 301);
  EXPECT_TRUE(near_probability(target(scenario(r, "base"), "m_low").p_hit, kBaseP, n));
  EXPECT_TRUE(near_probability(target(scenario(r, "narrower"), "m_low").p_hit, kScenarioP, n));
  const sim::Comparison& c = comparison(r, "narrower", "m_low");
  const double se = (c.ci95.hi - c.ci95.lo) / 2.0 / 1.959963984540054;
  EXPECT_TRUE(within_bound(c.delta, kDelta, se, "delta"));
}

TEST(Comparison, PairedIntervalCoversTheTrueDifferenceAtTheNominalRate) {
  // 1,000 runs of n = 2,000 samples with seeds 1..1000. If the interval has
  // its nominal 95% coverage, the number of runs whose interval contains the
  // exact delta is Binomial(1000, 0.95): mean 950, sd 6.9. Accept a coverage
  // within 4.5 sd of 0.95, i.e. in [0.919, 0.981]: a correct interval fails
  // with probability about 7e-6 (normal approximation; the Wald interval's
  // own coverage at n = 2,000 differs from 0.95 by far less than the
  // bound's 0.031). Too narrow an interval (undercoverage) and too wide an
  // one (say the unpaired formula) both fail.
  constexpr int kRuns = 1000;
  constexpr std::uint64_t n = 2000;
  ScratchDir dir;
  Compiled c = compile_texts(dir, kPlan, {kScenario});
  ASSERT_TRUE(c.program) << c.diags.to_string();
  int covered = 0, covered_unpaired = 0;
  for (int seed = 1; seed <= kRuns; ++seed) {
    const auto r = run_program(*c.program, n, static_cast<std::uint64_t>(seed), 1);
    const sim::Comparison& cmp = comparison(r, "narrower", "m_low");
    covered += cmp.ci95.lo <= kDelta && kDelta <= cmp.ci95.hi;
    covered_unpaired += cmp.unpaired_ci95.lo <= kDelta && kDelta <= cmp.unpaired_ci95.hi;
  }
  const double coverage = static_cast<double>(covered) / kRuns;
  const double bound = kSigmas * std::sqrt(0.95 * 0.05 / kRuns);
  std::cout << "paired 95% interval: " << covered << " of " << kRuns << " runs cover the exact delta "
            << kDelta << " (unpaired: " << covered_unpaired << ")\n";
  EXPECT_GE(coverage, 0.95 - bound) << covered << " of " << kRuns;
  EXPECT_LE(coverage, 0.95 + bound) << covered << " of " << kRuns;
}

TEST(Comparison, PairedIntervalIsNarrowerThanUnpairedOnTheCpsExample) {
  // The CPS example with the CJU Head's hours cut by a fifth, at the
  // example's own settings (100,000 samples, seed 2003). The ratio of
  // widths is printed for the documentation.
  const std::string plan_path = std::string(PLANSIM_SOURCE_DIR) + "/examples/cps-area/plan.yaml";
  ScratchDir dir;
  const std::string scenario_path =
      dir.write("fewer-hours.yaml", "scenario: fewer-cju-hours\nscale: {cju_head_hours: 0.8}\n");
  rules::Diagnostics diags;
  Compiled c = compile_files(graph::load_plan_file(plan_path, diags), std::move(diags), {scenario_path});
  ASSERT_TRUE(c.program) << c.diags.to_string();
  constexpr std::uint64_t n = 100000;
  const auto r = run_program(*c.program, n, 2003, 2);
  ASSERT_EQ(r.comparison.size(), 3u);
  for (const sim::Comparison& cmp : r.comparison) {
    const double paired = cmp.ci95.hi - cmp.ci95.lo;
    const double unpaired = cmp.unpaired_ci95.hi - cmp.unpaired_ci95.lo;
    std::cout << std::setprecision(4) << "CPS, CJU Head hours x 0.8, " << cmp.target << ": delta " << cmp.delta
              << ", paired 95% width " << paired << ", unpaired " << unpaired << ", ratio " << paired / unpaired
              << "\n";
    EXPECT_NE(cmp.delta, 0.0) << cmp.target;  // the scenario does move every target
    EXPECT_LT(paired, unpaired) << cmp.target;
    // The unpaired interval is the two-independent-runs formula.
    const double p0 = target(scenario(r, "base"), cmp.target).p_hit, p1 = cmp.p_hit;
    const double half = 1.959963984540054 * std::sqrt(p0 * (1 - p0) / n + p1 * (1 - p1) / n);
    EXPECT_NEAR(unpaired, 2.0 * half, 1e-12) << cmp.target;
    EXPECT_NEAR((cmp.ci95.lo + cmp.ci95.hi) / 2.0, cmp.delta, 1e-12) << cmp.target;
  }
}

}  // namespace
}  // namespace plansim::scenarios::test
