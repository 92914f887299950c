// `plansim seek` (analysis/seek.h): the change that lifts P(hit) to a
// confidence, on plans whose answer is known exactly, and the search's own
// logic on functions given directly.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "tests/analysis/explain_runner.h"

namespace plansim::testing_analysis {
namespace {

using analysis::SeekBy;
using analysis::SeekOutcome;

constexpr double kZ80 = 0.8416212335729143;  // standard normal 0.8 quantile

analysis::SeekResult seek_or_fail(const analysis::Evaluate& f, const analysis::SeekOptions& o) {
  std::string error;
  auto r = analysis::seek(f, o, error);
  EXPECT_TRUE(r.has_value()) << error;
  return r.value_or(analysis::SeekResult{});
}

analysis::SeekOptions options(SeekBy by, double lo, double hi, double confidence = 0.8) {
  analysis::SeekOptions o;
  o.by = by;
  o.lo = lo;
  o.hi = hi;
  o.confidence = confidence;
  return o;
}

// m = normal(1, 1) - s: P(m <= 0) = Phi(s - 1), which is 0.8 at s = 1 + z80 = 1.8416.
const std::string kAssumption = R"yaml(
plan: seek an assumption
horizon: {start: 2024-01, periods: 1, step: year}
assumptions:
  s: 0
measures:
  m: {value: "normal(1, 1) - s"}
targets:
  low_m: {measure: m, at_most: 0}
  high_m: {measure: m, at_least: 0}
)yaml";

const std::string kResource = R"yaml(
plan: seek a resource
horizon: {start: 2024-01, periods: 1, step: year}
resources:
  s: {available: 0, unit: hours}
measures:
  m: {value: "normal(1, 1) - s"}
targets:
  low_m: {measure: m, at_most: 0}
)yaml";

TEST(Seek, ShiftOfAnAssumptionFindsTheExactAnswerInsideItsInterval) {
  const auto plan = load_text(kAssumption);
  const auto r = seek_or_fail(seek_evaluator(*plan, "low_m", "s", SeekBy::kShift, 200000, 7),
                              options(SeekBy::kShift, -10, 10));
  ASSERT_EQ(r.outcome, SeekOutcome::kFound);
  EXPECT_TRUE(r.increasing);
  EXPECT_FALSE(r.already_met);
  const double exact = 1.0 + kZ80;
  EXPECT_LE(r.ci95.lo, exact);
  EXPECT_GE(r.ci95.hi, exact);
  EXPECT_NEAR(r.crossing, exact, 0.02);
  EXPECT_GE(r.answer.p_hit, 0.8);
  EXPECT_NEAR(r.answer.change, r.crossing, 0.1 * (r.ci95.hi - r.ci95.lo) + 1e-9);
  EXPECT_LT(r.ci95.hi - r.ci95.lo, 0.05);
  EXPECT_LE(r.runs, 40);
  EXPECT_EQ(r.runs, static_cast<int>(r.points.size()));
  EXPECT_FALSE(r.lo_clipped || r.hi_clipped);
}

TEST(Seek, ShiftOfAResourceFindsTheSameAnswer) {
  const auto plan = load_text(kResource);
  const auto r = seek_or_fail(seek_evaluator(*plan, "low_m", "s", SeekBy::kShift, 200000, 7),
                              options(SeekBy::kShift, -10, 10));
  ASSERT_EQ(r.outcome, SeekOutcome::kFound);
  EXPECT_LE(r.ci95.lo, 1.0 + kZ80);
  EXPECT_GE(r.ci95.hi, 1.0 + kZ80);
}

TEST(Seek, ScaleFindsTheFactorOnANonZeroValue) {
  // s = 0.5 as written: the factor that makes it 1.8416 is 3.683.
  std::string text = kAssumption;
  text.replace(text.find("s: 0"), 4, "s: 0.5");
  const auto plan = load_text(text);
  const auto r = seek_or_fail(seek_evaluator(*plan, "low_m", "s", SeekBy::kScale, 200000, 7),
                              options(SeekBy::kScale, 0, 10));
  ASSERT_EQ(r.outcome, SeekOutcome::kFound);
  EXPECT_LE(r.ci95.lo, (1.0 + kZ80) / 0.5);
  EXPECT_GE(r.ci95.hi, (1.0 + kZ80) / 0.5);
}

TEST(Seek, WhenTheChangeLowersPHitTheSearchGoesTheOtherWay) {
  // P(m >= 0) = Phi(1 - s): 0.841 as written (already met); it falls to 0.8 at s = 1 - z80.
  const auto plan = load_text(kAssumption);
  const auto r = seek_or_fail(seek_evaluator(*plan, "high_m", "s", SeekBy::kShift, 200000, 7),
                              options(SeekBy::kShift, -10, 10));
  ASSERT_EQ(r.outcome, SeekOutcome::kFound);
  EXPECT_FALSE(r.increasing);
  EXPECT_TRUE(r.already_met);
  EXPECT_LE(r.ci95.lo, 1.0 - kZ80);
  EXPECT_GE(r.ci95.hi, 1.0 - kZ80);
}

TEST(Seek, NotReachableSaysTheBestPHitFound) {
  const auto plan = load_text(kAssumption);
  const auto r = seek_or_fail(seek_evaluator(*plan, "low_m", "s", SeekBy::kShift, 50000, 7),
                              options(SeekBy::kShift, -1, 1));
  EXPECT_EQ(r.outcome, SeekOutcome::kNotReachable);
  EXPECT_EQ(r.best.change, 1.0);
  EXPECT_NEAR(r.best.p_hit, 0.5, 0.01);  // Phi(0)
  EXPECT_EQ(r.runs, 3);                  // the plan as written and the two ends
}

TEST(Seek, MetThroughoutWhenEvenTheWorseEndMeetsIt) {
  const auto plan = load_text(kAssumption);
  const auto r = seek_or_fail(seek_evaluator(*plan, "low_m", "s", SeekBy::kShift, 50000, 7),
                              options(SeekBy::kShift, -1, 1, 0.01));
  EXPECT_EQ(r.outcome, SeekOutcome::kMetThroughout);
  EXPECT_EQ(r.worst.change, -1.0);
}

TEST(Seek, EndsWhereThePlanFailsArePulledIn) {
  // P(hit) = the delivery probability, 0.5 as written; 0.8 needs a shift of
  // 0.3. Beyond a shift of 0.5 the probability leaves [0, 1] and the plan does
  // not compile.
  const std::string text = R"yaml(
plan: one action
horizon: {start: 2024-01, periods: 1, step: year}
actions:
  a: {delivery: 0.5}
measures:
  m: {value: a}
targets:
  done: {measure: m, at_least: 1}
)yaml";
  const auto plan = load_text(text);
  const auto r = seek_or_fail(seek_evaluator(*plan, "done", "a", SeekBy::kShift, 100000, 7),
                              options(SeekBy::kShift, -1, 1));
  ASSERT_EQ(r.outcome, SeekOutcome::kFound);
  EXPECT_NEAR(r.hi, 0.5, 0.01);
  EXPECT_LE(r.hi, 0.5);
  EXPECT_NEAR(r.lo, -0.5, 0.01);
  EXPECT_LE(r.ci95.lo, 0.3);
  EXPECT_GE(r.ci95.hi, 0.3);
}

TEST(Seek, RefusesARangeWithoutThePlanAndABadConfidence) {
  const analysis::Evaluate never = [](double) -> analysis::SeekPoint {
    ADD_FAILURE() << "no run expected";
    return {};
  };
  std::string error;
  EXPECT_FALSE(analysis::seek(never, options(SeekBy::kScale, 2, 5), error));
  EXPECT_THAT(error, ::testing::HasSubstr("must contain the plan as written (scale 1)"));
  EXPECT_FALSE(analysis::seek(never, options(SeekBy::kShift, -1, 1, 1.5), error));
  EXPECT_THAT(error, ::testing::HasSubstr("confidence"));
  EXPECT_FALSE(analysis::parse_range("3", error));
  EXPECT_FALSE(analysis::parse_range("5:1", error));
  EXPECT_TRUE(analysis::parse_range("-2.5:1e1", error));
}

TEST(Seek, TheSearchOnAGivenCurveBracketsItsCrossings) {
  // P(hit) = x / 10 with a half-width of 0.01: the crossing of 0.8 is at 8,
  // the interval's bounds cross at 7.9 and 8.1.
  const analysis::Evaluate line = [](double x) {
    analysis::SeekPoint p;
    p.p_hit = std::clamp(x / 10.0, 0.0, 1.0);
    p.ci95 = {p.p_hit - 0.01, p.p_hit + 0.01};
    return p;
  };
  const auto r = seek_or_fail(line, options(SeekBy::kScale, 0, 10));
  ASSERT_EQ(r.outcome, SeekOutcome::kFound);
  EXPECT_NEAR(r.crossing, 8.0, 1e-9);
  EXPECT_NEAR(r.ci95.lo, 7.9, 1e-9);
  EXPECT_NEAR(r.ci95.hi, 8.1, 1e-9);
  EXPECT_LE(r.runs, 30);
}

TEST(Seek, TheIntervalCoversTheExactAnswerAtAboutItsNominalRate) {
  // 200 seeds: a 95% interval should cover 1 + z80 about 190 times; fewer
  // than 180 would happen by chance with probability under 1e-3.
  const auto plan = load_text(kAssumption);
  int covered = 0;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    const auto r = seek_or_fail(seek_evaluator(*plan, "low_m", "s", SeekBy::kShift, 20000, seed),
                                options(SeekBy::kShift, -10, 10));
    ASSERT_EQ(r.outcome, SeekOutcome::kFound);
    covered += r.ci95.lo <= 1.0 + kZ80 && 1.0 + kZ80 <= r.ci95.hi;
  }
  EXPECT_GE(covered, 180);
  EXPECT_LE(covered, 200);
}

TEST(Seek, ResultsAreBitwiseIdenticalOnOneAndTwoThreads) {
  const auto plan = load_text(kAssumption);
  const auto one = seek_or_fail(seek_evaluator(*plan, "low_m", "s", SeekBy::kShift, 20000, 7, 1),
                                options(SeekBy::kShift, -10, 10));
  const auto two = seek_or_fail(seek_evaluator(*plan, "low_m", "s", SeekBy::kShift, 20000, 7, 2),
                                options(SeekBy::kShift, -10, 10));
  ASSERT_EQ(one.points.size(), two.points.size());
  for (std::size_t i = 0; i < one.points.size(); ++i) {
    EXPECT_EQ(one.points[i].change, two.points[i].change);
    EXPECT_EQ(one.points[i].p_hit, two.points[i].p_hit);
  }
  EXPECT_EQ(one.crossing, two.crossing);
}

}  // namespace
}  // namespace plansim::testing_analysis
