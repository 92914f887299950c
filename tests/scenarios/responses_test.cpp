// Management responses (plan-format.md section 12) with exact answers: when
// they trigger, for how long, what they change, and the probability and
// mean first period the engine reports for them.
//
// Statistical checks use n = 200,000 samples and a fixed seed, and accept an
// estimate within 4.5 standard errors of the exact value (a correct engine
// fails one check with probability 6.8e-6; over the 30 or so checks here,
// about 2e-4 for these seeds). The mean first period is a ratio (sum of
// first periods / number of samples that trigger); its standard error is
// taken as sd(F | triggered) / sqrt(n P(triggered)), the delta-method value,
// as the number of triggering samples is in the tens of thousands.
// Quantities with no randomness are compared exactly.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>

#include "tests/scenarios/scenario_runner.h"
#include "tests/scenarios/statistical_bounds.h"

namespace plansim::scenarios::test {
namespace {

constexpr std::uint64_t kSamples = 200000;

// x is a fresh N(0, 1) draw in every period. Each response turns on in
// period t >= 1 exactly when x_{t-1} > 1 (prev(x) at t = 0 is x's baseline,
// 0), independently from period to period, with probability
// q = 1 - Phi(1). They change y (add 1), v (times 3) and k, a per-plan
// assumption (add 1).
const std::string kPlan = R"yaml(
plan: responses
horizon: {start: 2003-04, periods: 4, step: quarter}
assumptions:
  k: 5
measures:
  x: {value: "normal(0, 1)"}
  y: {baseline: 0}
  z: {baseline: 0}
  v: {baseline: 2}
  km: {value: k}
targets:
  y_zero: {measure: y, at_most: 0}
  z_zero: {measure: z, at_most: 0}
responses:
  - label: y on for a period after a high x
    when: prev(x) > 1
    add: {y: 1}
  - label: v tripled for a period after a high x
    when: prev(x) > 1
    scale: {v: 3}
  - label: k up for a period after a high x
    when: prev(x) > 1
    add: {k: 1}
)yaml";

// The same trigger, latched, in a scenario: z is 1 from the period after the
// first high x on.
const std::string kLatched = R"yaml(
scenario: latched
responses:
  - label: z on for good after a high x
    when: prev(x) > 1
    add: {z: 1}
    latch: true
)yaml";

const double kQ = 1.0 - normal_cdf(1.0);  // P(x > 1)

// The first period F in {1, 2, 3} in which a response with trigger
// probability q per period turns on: P(F = f) = (1 - q)^(f - 1) q.
struct FirstPeriod {
  double p_triggered = 0.0;
  double mean = 0.0;  // given it triggers
  double sd = 0.0;    // given it triggers
};

FirstPeriod first_period(double q) {
  double p = 0.0, m1 = 0.0, m2 = 0.0;
  for (int f = 1; f <= 3; ++f) {
    const double pf = std::pow(1.0 - q, f - 1) * q;
    p += pf;
    m1 += f * pf;
    m2 += f * f * pf;
  }
  const double mean = m1 / p;
  return {p, mean, std::sqrt(m2 / p - mean * mean)};
}

testing::AssertionResult near_first_period(const sim::ResponseResult& r, const FirstPeriod& exact) {
  auto p = near_probability(r.p_triggered, exact.p_triggered, kSamples);
  if (!p) return p;
  return within_bound(r.mean_first_period, exact.mean,
                      exact.sd / std::sqrt(static_cast<double>(kSamples) * exact.p_triggered), "mean first period");
}

TEST(Responses, TriggerProbabilityAndMeanFirstPeriodAreExact) {
  const auto r = run_scenarios(kPlan, {}, kSamples, 201);
  const sim::ScenarioResult& base = scenario(r, "base");
  const FirstPeriod exact = first_period(kQ);  // P(triggered) = 1 - Phi(1)^3
  ASSERT_EQ(base.responses.size(), 3u);
  EXPECT_TRUE(near_first_period(response(base, "y on for a period after a high x"), exact));
  // The three responses share their trigger, so they report the same numbers.
  for (const auto& other : base.responses) {
    EXPECT_EQ(other.p_triggered, base.responses[0].p_triggered) << other.label;
    EXPECT_EQ(other.mean_first_period, base.responses[0].mean_first_period) << other.label;
  }
}

TEST(Responses, UnlatchedResponseIsOnOnlyInPeriodsWhoseTriggerHolds) {
  const auto r = run_scenarios(kPlan, {}, kSamples, 202);
  const sim::ScenarioResult& base = scenario(r, "base");
  const double sd = std::sqrt(kQ * (1.0 - kQ));
  // Off in period 0; then on with probability q in each period.
  EXPECT_EQ(measure(base, "y").periods[0].mean, 0.0);
  EXPECT_EQ(measure(base, "v").periods[0].mean, 2.0);
  EXPECT_EQ(measure(base, "km").periods[0].mean, 5.0);
  for (std::size_t t = 1; t < 4; ++t) {
    EXPECT_TRUE(near_mean(measure(base, "y").periods[t].mean, kQ, sd, kSamples)) << "period " << t;
    EXPECT_TRUE(near_mean(measure(base, "v").periods[t].mean, 2.0 + 4.0 * kQ, 4.0 * sd, kSamples)) << "period " << t;
    EXPECT_TRUE(near_mean(measure(base, "km").periods[t].mean, 5.0 + kQ, sd, kSamples)) << "period " << t;
  }
  // y in the last period is 0 unless x was high in period 2.
  EXPECT_TRUE(near_probability(target(base, "y_zero").p_hit, normal_cdf(1.0), kSamples));
}

TEST(Responses, LatchedResponseStaysOnOnceTriggered) {
  const auto r = run_scenarios(kPlan, {kLatched}, kSamples, 203);
  const sim::ScenarioResult& s = scenario(r, "latched");
  // z_t = 1 when any of x_0 .. x_{t-1} was high: mean 1 - Phi(1)^t.
  EXPECT_EQ(measure(s, "z").periods[0].mean, 0.0);
  for (std::size_t t = 1; t < 4; ++t) {
    const double p = 1.0 - std::pow(normal_cdf(1.0), static_cast<double>(t));
    EXPECT_TRUE(near_mean(measure(s, "z").periods[t].mean, p, std::sqrt(p * (1.0 - p)), kSamples)) << "period " << t;
  }
  EXPECT_TRUE(near_probability(target(s, "z_zero").p_hit, std::pow(normal_cdf(1.0), 3.0), kSamples));
  EXPECT_EQ(target(scenario(r, "base"), "z_zero").p_hit, 1.0);
  // A latch changes how long a response stays on, not when it first turns
  // on: the same first periods as the unlatched responses, sample by sample.
  ASSERT_EQ(s.responses.size(), 4u);  // the plan's three, then the scenario's
  const sim::ResponseResult& latched = response(s, "z on for good after a high x");
  EXPECT_TRUE(near_first_period(latched, first_period(kQ)));
  EXPECT_EQ(latched.p_triggered, s.responses[0].p_triggered);
  EXPECT_EQ(latched.mean_first_period, s.responses[0].mean_first_period);
  // The plan's responses report the same in the scenario as in the base.
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(s.responses[i].p_triggered, scenario(r, "base").responses[i].p_triggered);
    EXPECT_EQ(s.responses[i].mean_first_period, scenario(r, "base").responses[i].mean_first_period);
  }
}

TEST(Responses, ResponseThatNeverTriggersReportsZeroAndNoFirstPeriod) {
  const auto r = run_scenarios(kPlan,
                               {"scenario: never\nresponses:\n  - {label: never, when: prev(x) > 100, add: {z: 1}}\n"},
                               kSamples, 204);
  const sim::ResponseResult& never = response(scenario(r, "never"), "never");
  EXPECT_EQ(never.p_triggered, 0.0);
  EXPECT_TRUE(std::isnan(never.mean_first_period));
  EXPECT_EQ(target(scenario(r, "never"), "z_zero").p_hit, 1.0);
}

TEST(Responses, WhenMayReadAnUnchangedNodeInTheSamePeriod) {
  // x does not depend on z, so `when: x > 1` in the same period is no loop:
  // z_t = 1{x_t > 1}, period 0 included.
  const auto r = run_scenarios(kPlan, {"scenario: now\nresponses:\n  - {label: now, when: x > 1, add: {z: 1}}\n"},
                               kSamples, 205);
  const sim::ScenarioResult& s = scenario(r, "now");
  for (std::size_t t = 0; t < 4; ++t)
    EXPECT_TRUE(near_mean(measure(s, "z").periods[t].mean, kQ, std::sqrt(kQ * (1.0 - kQ)), kSamples)) << "period " << t;
  const sim::ResponseResult& now = response(s, "now");
  EXPECT_TRUE(near_probability(now.p_triggered, 1.0 - std::pow(normal_cdf(1.0), 4.0), kSamples));
}

TEST(Responses, WhenMayReadThePreviousValueOfTheNodeItChanges) {
  // A random walk w_t = w_{t-1} + N(0, 1) from w = 0, over two years. The
  // response is on in year 1 exactly when w_0 = Z_0 > 1, and then pulls w
  // down by 100: w_1 = Z_0 + Z_1 - 100 I with I = 1{Z_0 > 1}, P(I) = q.
  //   E[w_1] = -100 q
  //   Var(w_1) = 2 + 100^2 q (1 - q) - 2 * 100 * Cov(Z_0, I),  Cov(Z_0, I) = phi(1).
  const std::string plan = R"yaml(
plan: walk
horizon: {start: 2003-04, periods: 2, step: year}
measures:
  w: {baseline: 0, value: "prev(w) + normal(0, 1)"}
targets:
  w_low: {measure: w, at_most: 0}
responses:
  - label: pull back
    when: prev(w) > 1
    add: {w: -100}
)yaml";
  const auto r = run_scenarios(plan, {}, kSamples, 206);
  const sim::ScenarioResult& base = scenario(r, "base");
  const sim::ResponseResult& pull = response(base, "pull back");
  EXPECT_TRUE(near_probability(pull.p_triggered, kQ, kSamples));
  EXPECT_EQ(pull.mean_first_period, 1.0);
  EXPECT_TRUE(near_mean(measure(base, "w").periods[0].mean, 0.0, 1.0, kSamples));
  const double var = 2.0 + 1e4 * kQ * (1.0 - kQ) - 200.0 * normal_pdf(1.0);
  EXPECT_TRUE(near_mean(measure(base, "w").periods[1].mean, -100.0 * kQ, std::sqrt(var), kSamples));
}

// A response whose `when` reads, in the same period, the node it changes.
constexpr const char* kLoopResponse = R"yaml(  - label: loop
    when: y > 0
    add: {y: 1}
)yaml";

TEST(Responses, SamePeriodLoopThroughAPlanResponseIsAnErrorNamingItsNodes) {
  ScratchDir dir;
  const rules::Diagnostics diags = diagnose(dir, kPlan + kLoopResponse, {});
  const rules::Diagnostic* d = find_diagnostic(diags, "cycle");
  ASSERT_NE(d, nullptr) << diags.to_string();
  EXPECT_EQ(d->file, kPlanFile);
  EXPECT_GT(d->pos.line, 0) << diags.to_string();
  EXPECT_GT(d->pos.col, 0) << diags.to_string();
  EXPECT_NE(d->message.find("y"), std::string::npos) << d->message;
  EXPECT_NE(d->message.find("response#4"), std::string::npos) << d->message;
}

TEST(Responses, SamePeriodLoopThroughAScenarioResponseIsAnErrorNamingItsNodes) {
  ScratchDir dir;
  const rules::Diagnostics diags =
      diagnose(dir, kPlan, {std::string("scenario: loop\nresponses:\n") + kLoopResponse});
  const rules::Diagnostic* d = find_diagnostic(diags, "cycle");
  ASSERT_NE(d, nullptr) << diags.to_string();
  EXPECT_GT(d->pos.line, 0) << diags.to_string();
  EXPECT_GT(d->pos.col, 0) << diags.to_string();
  EXPECT_NE(d->message.find("y"), std::string::npos) << d->message;
  EXPECT_NE(d->message.find("response#4"), std::string::npos) << d->message;
  // The position is in the file that holds the node it names.
  const std::string scenario_file = dir.path("scenario1.yaml");
  if (d->node == "response#4") {
    EXPECT_EQ(d->file, scenario_file) << diags.to_string();
    EXPECT_EQ(d->pos.line, 3) << diags.to_string();  // "- label: loop" (responses: is line 2)
  } else {
    EXPECT_EQ(d->node, "y") << diags.to_string();
    EXPECT_EQ(d->file, kPlanFile) << diags.to_string();
  }
}

}  // namespace
}  // namespace plansim::scenarios::test
