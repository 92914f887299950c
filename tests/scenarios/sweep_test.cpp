// The spending-review sweep's pure parts (analysis/sweep.h): parsing
// --vary, the grid's values, order and names, and where P(hit) crosses the
// RAG thresholds.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "analysis/sweep.h"

namespace plansim::analysis {
namespace {

using ::testing::HasSubstr;

Vary parsed(const std::string& spec) {
  std::string error;
  auto v = parse_vary(spec, error);
  EXPECT_TRUE(v.has_value()) << spec << ": " << error;
  return v.value_or(Vary{});
}

std::string parse_error(const std::string& spec) {
  std::string error;
  auto v = parse_vary(spec, error);
  EXPECT_FALSE(v.has_value()) << spec << " was accepted";
  EXPECT_FALSE(error.empty()) << spec;
  return error;
}

// ---- parse_vary ----------------------------------------------------------------

TEST(ParseVary, ReadsNodeFromToAndStep) {
  const Vary v = parsed("cut=0:0.2:0.025");
  EXPECT_EQ(v.node, "cut");
  EXPECT_EQ(v.from, 0.0);
  EXPECT_EQ(v.to, 0.2);
  EXPECT_EQ(v.step, 0.025);
}

TEST(ParseVary, AcceptsNegativeAndExponentNumbers) {
  const Vary v = parsed("caseload_growth=-0.02:1e-1:5e-3");
  EXPECT_EQ(v.node, "caseload_growth");
  EXPECT_EQ(v.from, -0.02);
  EXPECT_EQ(v.to, 0.1);
  EXPECT_EQ(v.step, 0.005);
}

TEST(ParseVary, AcceptsASinglePointWhenFromEqualsTo) {
  const Vary v = parsed("cut=0.1:0.1:0.05");
  EXPECT_EQ(v.values(), std::vector<double>{0.1});
}

TEST(ParseVary, MissingStepIsRefusedWithTheExpectedForm) {
  EXPECT_THAT(parse_error("cut=0:1"), HasSubstr("NODE=FROM:TO:STEP"));
}

TEST(ParseVary, MissingNodeOrEqualsIsRefused) {
  EXPECT_THAT(parse_error("=0:1:0.5"), HasSubstr("NODE=FROM:TO:STEP"));
  EXPECT_THAT(parse_error("cut"), HasSubstr("NODE=FROM:TO:STEP"));
  EXPECT_THAT(parse_error("cut=0:1:0.5:2"), HasSubstr("NODE=FROM:TO:STEP"));
}

TEST(ParseVary, NonNumbersAreQuoted) {
  EXPECT_THAT(parse_error("cut=0:x:0.1"), HasSubstr("'x' is not a number"));
  EXPECT_THAT(parse_error("cut=0::0.1"), HasSubstr("'' is not a number"));
  EXPECT_THAT(parse_error("cut=0:inf:0.1"), HasSubstr("'inf' is not a number"));
  EXPECT_THAT(parse_error("cut=nan:1:0.1"), HasSubstr("'nan' is not a number"));
  EXPECT_THAT(parse_error("cut=0:1abc:0.1"), HasSubstr("'1abc'"));
}

TEST(ParseVary, NonPositiveStepOrFromAboveToIsRefused) {
  EXPECT_THAT(parse_error("cut=0:1:0"), HasSubstr("STEP > 0"));
  EXPECT_THAT(parse_error("cut=0:1:-0.1"), HasSubstr("STEP > 0"));
  EXPECT_THAT(parse_error("cut=1:0:0.1"), HasSubstr("FROM <= TO"));
}

TEST(ParseVary, TooManyPointsIsRefused) {
  EXPECT_THAT(parse_error("cut=0:1:1e-5"), HasSubstr("more than 10000 points"));
  // 10,000 points exactly is allowed.
  EXPECT_EQ(parsed("cut=0:9999:1").values().size(), kMaxGridPoints);
}

// ---- Vary::values ----------------------------------------------------------------

TEST(VaryValues, QuarterPercentStepsToTwentyPercentGiveNinePointsEndingExactlyOnTheEnd) {
  const std::vector<double> v = parsed("cut=0:0.2:0.025").values();
  ASSERT_EQ(v.size(), 9u);
  for (std::size_t i = 0; i < v.size(); ++i) EXPECT_NEAR(v[i], 0.025 * static_cast<double>(i), 1e-12) << i;
  EXPECT_EQ(v.front(), 0.0);
  EXPECT_NEAR(v.back(), 0.2, 1e-12);
}

TEST(VaryValues, StepsThatDoNotAccumulateErrorKeepTheLastPoint) {
  // 0.1 added ten times is 0.9999999999999999; i * step keeps 1.
  const std::vector<double> v = parsed("x=0:1:0.1").values();
  ASSERT_EQ(v.size(), 11u);
  EXPECT_NEAR(v.back(), 1.0, 1e-12);
  // 0.3 / 0.1 is 2.9999999999999996 in binary: still four points.
  EXPECT_EQ(parsed("x=0:0.3:0.1").values().size(), 4u);
}

TEST(VaryValues, EndOffTheGridIsNotIncluded) {
  EXPECT_EQ(parsed("x=0:1:0.3").values(), (std::vector<double>{0.0, 0.3, 0.6, 0.8999999999999999}));
  EXPECT_EQ(parsed("x=0:1:0.4").values().size(), 3u);  // 0, 0.4, 0.8
  EXPECT_EQ(parsed("x=-1:1:1").values(), (std::vector<double>{-1.0, 0.0, 1.0}));
}

// ---- grid ---------------------------------------------------------------------------

TEST(Grid, OneVaryGivesItsValuesNamedNodeEqualsValue) {
  const auto g = grid({parsed("cut=0:0.2:0.05")});
  ASSERT_EQ(g.size(), 5u);
  const char* names[] = {"cut=0", "cut=0.05", "cut=0.1", "cut=0.15", "cut=0.2"};
  for (std::size_t i = 0; i < g.size(); ++i) {
    EXPECT_EQ(g[i].name, names[i]);
    ASSERT_EQ(g[i].values.size(), 1u);
    EXPECT_NEAR(g[i].values[0], 0.05 * static_cast<double>(i), 1e-12);
  }
}

TEST(Grid, EveryCombinationWithTheFirstVaryVaryingSlowest) {
  const auto g = grid({parsed("cut=0:0.1:0.05"), parsed("growth=0.01:0.02:0.01")});
  ASSERT_EQ(g.size(), 6u);
  const std::vector<std::vector<double>> values = {{0.0, 0.01}, {0.0, 0.02},  {0.05, 0.01},
                                                   {0.05, 0.02}, {0.1, 0.01}, {0.1, 0.02}};
  for (std::size_t i = 0; i < g.size(); ++i) {
    ASSERT_EQ(g[i].values.size(), 2u);
    EXPECT_NEAR(g[i].values[0], values[i][0], 1e-12) << i;
    EXPECT_NEAR(g[i].values[1], values[i][1], 1e-12) << i;
  }
  EXPECT_EQ(g[0].name, "cut=0 growth=0.01");
  EXPECT_EQ(g[3].name, "cut=0.05 growth=0.02");
  EXPECT_EQ(g[5].name, "cut=0.1 growth=0.02");
}

TEST(Grid, NoVaryIsOnePointWithNoValues) {
  const auto g = grid({});
  ASSERT_EQ(g.size(), 1u);
  EXPECT_TRUE(g[0].values.empty());
  EXPECT_EQ(g[0].name, "");
}

// ---- rag_crossings ---------------------------------------------------------------------

const graph::RagThresholds kRag{0.8, 0.5};

// Intervals of +/- half around each p.
std::vector<sim::Interval> band(const std::vector<double>& p, double half) {
  std::vector<sim::Interval> out;
  for (double x : p) out.push_back({x - half, x + half});
  return out;
}

TEST(RagCrossings, FallingCurveCrossesGreenAndAmberWhereLinearInterpolationSays) {
  // P(hit) falls 0.9, 0.7, 0.4 at x = 0, 0.1, 0.2: 0.8 is crossed half way
  // between 0 and 0.1; 0.5 two thirds of the way from 0.1 to 0.2.
  const std::vector<double> x = {0.0, 0.1, 0.2}, p = {0.9, 0.7, 0.4};
  const auto c = rag_crossings(x, p, band(p, 0.02), kRag);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].threshold, 0.8);
  EXPECT_STREQ(c[0].turns, "amber");
  ASSERT_TRUE(c[0].at.has_value());
  EXPECT_NEAR(*c[0].at, 0.05, 1e-12);
  EXPECT_EQ(c[1].threshold, 0.5);
  EXPECT_STREQ(c[1].turns, "red");
  ASSERT_TRUE(c[1].at.has_value());
  EXPECT_NEAR(*c[1].at, 0.1 + 0.1 * 2.0 / 3.0, 1e-12);
}

TEST(RagCrossings, IntervalContainsTheCrossingAndComesFromWhereTheBoundsCross) {
  // The bounds are p -/+ 0.02: the lower bound 0.88, 0.68 crosses 0.8 at
  // 0.1 * 0.08 / 0.2 = 0.04, the upper 0.92, 0.72 at 0.1 * 0.12 / 0.2 = 0.06.
  const std::vector<double> x = {0.0, 0.1, 0.2}, p = {0.9, 0.7, 0.4};
  const auto c = rag_crossings(x, p, band(p, 0.02), kRag);
  ASSERT_TRUE(c[0].at.has_value());
  EXPECT_NEAR(c[0].lo, 0.04, 1e-12);
  EXPECT_NEAR(c[0].hi, 0.06, 1e-12);
  for (const auto& k : c) {
    ASSERT_TRUE(k.at.has_value());
    EXPECT_LE(k.lo, *k.at);
    EXPECT_GE(k.hi, *k.at);
    EXPECT_GE(k.lo, x.front());
    EXPECT_LE(k.hi, x.back());
  }
}

TEST(RagCrossings, RisingCurveTurnsGreenAndAmberAsXGrows) {
  const std::vector<double> x = {1, 2, 3, 4}, p = {0.2, 0.4, 0.6, 0.9};
  const auto c = rag_crossings(x, p, band(p, 0.01), kRag);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_STREQ(c[0].turns, "green");
  ASSERT_TRUE(c[0].at.has_value());
  EXPECT_NEAR(*c[0].at, 3.0 + 0.2 / 0.3, 1e-12);
  EXPECT_STREQ(c[1].turns, "amber");
  ASSERT_TRUE(c[1].at.has_value());
  EXPECT_NEAR(*c[1].at, 2.5, 1e-12);
  for (const auto& k : c) {
    EXPECT_LE(k.lo, *k.at);
    EXPECT_GE(k.hi, *k.at);
  }
}

TEST(RagCrossings, CurveThatStaysOnOneSideHasNoCrossing) {
  const std::vector<double> x = {0, 1, 2}, p = {0.95, 0.9, 0.85};
  const auto c = rag_crossings(x, p, band(p, 0.01), kRag);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_FALSE(c[0].at.has_value());
  EXPECT_FALSE(c[1].at.has_value());
}

TEST(RagCrossings, PointExactlyOnTheThresholdIsTheCrossing) {
  const std::vector<double> x = {0, 1, 2}, p = {0.9, 0.8, 0.7};
  const auto c = rag_crossings(x, p, band(p, 0.0), kRag);
  ASSERT_TRUE(c[0].at.has_value());
  EXPECT_EQ(*c[0].at, 1.0);
  EXPECT_FALSE(c[1].at.has_value());
}

TEST(RagCrossings, IntervalIsClippedToTheGridWhenABoundNeverCrosses) {
  // The upper bound stays above 0.8 over the whole grid, so the interval
  // runs to the grid's end.
  const std::vector<double> x = {0, 1, 2}, p = {0.9, 0.85, 0.78};
  const std::vector<sim::Interval> ci = {{0.88, 0.92}, {0.83, 0.87}, {0.76, 0.81}};
  const auto c = rag_crossings(x, p, ci, kRag);
  ASSERT_TRUE(c[0].at.has_value());
  EXPECT_NEAR(*c[0].at, 1.0 + 0.05 / 0.07, 1e-12);
  EXPECT_EQ(c[0].hi, 2.0);
  EXPECT_LE(c[0].lo, *c[0].at);
  EXPECT_GE(c[0].lo, 0.0);
}

}  // namespace
}  // namespace plansim::analysis
