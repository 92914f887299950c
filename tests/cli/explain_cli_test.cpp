// `plansim explain` and `plansim seek` through the real binary: tables,
// JSON shapes, exit codes and messages, and results that do not depend on
// the thread count.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/cli/cli_fixture.h"

namespace plansim {
namespace {

using ::testing::HasSubstr;
using testing_cli::CliTest;

constexpr int kExitUsage = 2;
constexpr int kExitRunFailed = 3;

std::string cps() { return std::string(PLANSIM_SOURCE_DIR) + "/examples/cps-area/plan.yaml"; }

// m = normal(1, 1) - s: P(m <= 0) reaches 0.8 at s = 1.8416.
constexpr const char* kSeekPlan = R"yaml(plan: Seek plan
horizon: {start: 2024-01, periods: 1, step: year}
settings: {samples: 100000, seed: 3, confidence: 0.8}
assumptions:
  s: 0
resources:
  budget: {available: 10, unit: GBP k}
measures:
  m: {value: "normal(1, 1) - s - 0 * budget"}
  other: {value: "normal(0, 1)"}
targets:
  low_m: {measure: m, at_most: 0}
  other_low: {measure: other, at_most: 0}
)yaml";

using ExplainCli = CliTest;

TEST_F(ExplainCli, RanksTheCpsExamplesDriversInATableAndInJson) {
  const auto r = plansim("explain " + quote(cps()) + " --target cut_cracked_trials --samples 20000 --json " +
                         quote(path("d.json")));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("What drives cut_cracked_trials (cracked_rate <= 0.5 by 2004-01)"));
  EXPECT_THAT(r.out, HasSubstr("rank  input"));
  EXPECT_THAT(r.out, HasSubstr("If it were certain, on the same random numbers"));
  const auto j = nlohmann::json::parse(read(path("d.json")));
  EXPECT_EQ(j.at("format"), "plansim-explain/1");
  EXPECT_EQ(j.at("samples"), 20000);
  const auto& d = j.at("drivers");
  EXPECT_EQ(d.at("target").at("id"), "cut_cracked_trials");
  EXPECT_EQ(d.at("target").at("by"), "2004-01");
  EXPECT_EQ(d.at("response"), "measure");
  EXPECT_EQ(d.at("per_period_inputs").at("to"), "2004-01");
  const auto& inputs = d.at("inputs");
  ASSERT_GE(inputs.size(), 8u);
  double last = 2.0;
  for (const auto& in : inputs) {
    if (in.at("kind") == "risk_impact") continue;
    const double s = std::fabs(in.at("spearman").get<double>());
    EXPECT_LE(s, last) << in.dump();
    last = s;
    if (in.at("kind") == "action") {
      EXPECT_EQ(in.at("forced").at("as"), "delivered");
    } else if (in.at("kind") == "risk") {
      EXPECT_EQ(in.at("forced").at("as"), "never");
    } else {
      EXPECT_TRUE(in.at("forced").is_null());
    }
  }
  EXPECT_TRUE(d.at("sobol").is_null());
}

TEST_F(ExplainCli, ACompositeIsExplainedOnItsHitAndSobolIsOptIn) {
  const auto r = plansim("explain " + quote(cps()) + " --target effective_justice --samples 20000 --sobol --json -");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);  // --json - prints only the JSON
  EXPECT_EQ(j.at("drivers").at("response"), "hit");
  EXPECT_EQ(j.at("drivers").at("target").at("kind"), "composite");
  EXPECT_EQ(j.at("drivers").at("sobol").at("bootstrap"), 200);
  bool any = false;
  for (const auto& in : j.at("drivers").at("inputs"))
    if (in.at("kind") == "assumption") {
      any = true;
      EXPECT_TRUE(in.at("sobol").at("ci95").is_array());
    }
  EXPECT_TRUE(any);
}

TEST_F(ExplainCli, UnknownTargetSuggestsTheNearestAndRunsNothing) {
  for (const char* command : {"explain", "seek"}) {
    const auto r = plansim(std::string(command) + " " + quote(cps()) + " --target cut_craked_trials" +
                           (std::string(command) == "seek" ? " --vary cju_head_hours" : ""));
    EXPECT_EQ(r.code, kExitUsage) << command;
    EXPECT_THAT(r.err, HasSubstr("'cut_craked_trials' is not a target of the plan"));
    EXPECT_THAT(r.err, HasSubstr("did you mean 'cut_cracked_trials'?"));
    EXPECT_EQ(r.out, "");
  }
}

TEST_F(ExplainCli, ResultsAreIdenticalOnOneAndTwoThreads) {
  // Names built by appending: GCC 12 warns falsely (-Wrestrict) on "e" + std::string.
  auto out = [&](const char* stem, int t) {
    std::string name = stem;
    name += std::to_string(t);
    name += ".json";
    return path(name);
  };
  const std::string plan = write("seek.yaml", kSeekPlan);
  for (int t : {1, 2}) {
    const std::string threads = " --threads " + std::to_string(t) + " --json ";
    ASSERT_EQ(plansim("explain " + quote(cps()) + " --target effective_justice --samples 10000 --sobol --quiet" +
                      threads + quote(out("e", t)))
                  .code,
              0);
    ASSERT_EQ(plansim("seek " + quote(plan) + " --target low_m --vary s --by shift --samples 20000 --quiet" + threads +
                      quote(out("s", t)))
                  .code,
              0);
  }
  EXPECT_EQ(read(out("e", 1)), read(out("e", 2)));
  EXPECT_EQ(read(out("s", 1)), read(out("s", 2)));
}

TEST_F(ExplainCli, SeekFindsTheExactShiftInsideItsInterval) {
  const std::string plan = write("seek.yaml", kSeekPlan);
  // Seed 1 (a 95% interval misses now and then: tests/analysis checks its coverage).
  const auto r = plansim("seek " + quote(plan) + " --target low_m --vary s --by shift --seed 1 --json " +
                         quote(path("s.json")));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("P(hit) reaches 0.80 at shift 1.84"));
  EXPECT_THAT(r.out, HasSubstr("95% interval for the shift"));
  const auto s = nlohmann::json::parse(read(path("s.json"))).at("seek");
  EXPECT_EQ(s.at("outcome"), "found");
  EXPECT_EQ(s.at("direction"), "increase");
  EXPECT_EQ(s.at("by"), "shift");
  EXPECT_EQ(s.at("target").at("direction"), "at_most");
  EXPECT_EQ(s.at("range"), nlohmann::json({-10.0, 10.0}));  // s is 0: the default shift range is +/-10
  EXPECT_LE(s.at("ci95")[0].get<double>(), 1.8416);
  EXPECT_GE(s.at("ci95")[1].get<double>(), 1.8416);
  EXPECT_GE(s.at("answer").at("p_hit").get<double>(), 0.8);
  EXPECT_EQ(s.at("runs").get<std::size_t>(), s.at("points").size());
}

TEST_F(ExplainCli, SeekThatCannotReachSaysSoAndExitsZero) {
  const std::string plan = write("seek.yaml", kSeekPlan);
  const auto r = plansim("seek " + quote(plan) + " --target low_m --vary s --by shift --range -1:1 --json " +
                         quote(path("s.json")));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Not reachable: no shift of s from -1 to 1 lifts P(hit) to 0.80; the best found is 0.5"));
  EXPECT_THAT(r.out, HasSubstr("hint: widen --range"));
  const auto s = nlohmann::json::parse(read(path("s.json"))).at("seek");
  EXPECT_EQ(s.at("outcome"), "not_reachable");
  EXPECT_TRUE(s.at("answer").is_null());
  EXPECT_EQ(s.at("best").at("change"), 1.0);
}

TEST_F(ExplainCli, SeekRefusesBadOptionsAndNodesThatCannotMoveTheTarget) {
  const std::string plan = write("seek.yaml", kSeekPlan);
  const std::string base = "seek " + quote(plan) + " --target low_m ";
  struct Case {
    std::string args, message;
  } cases[] = {
      {"--vary ss", "did you mean 's'?"},
      {"--vary m", "'m' is a measure; seek varies"},
      {"--vary s --by double", "--by must be 'scale' or 'shift'"},
      {"--vary s --confidence 1.5", "--confidence must be a number between 0 and 1"},
      {"--vary s --range 2:5", "--range must contain the plan as written"},
      {"--vary s --range 5", "expected LO:HI"},
  };
  for (const auto& c : cases) {
    const auto r = plansim(base + c.args);
    EXPECT_EQ(r.code, kExitUsage) << c.args;
    EXPECT_THAT(r.err, HasSubstr(c.message)) << c.args;
  }
  const auto r = plansim("seek " + quote(plan) + " --target other_low --vary s");
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("does not reach target 'other_low'"));
}

TEST_F(ExplainCli, SeekOnAResourceReportsItsUnits) {
  const std::string plan = write("seek.yaml", R"yaml(plan: Seek a budget
horizon: {start: 2024-01, periods: 1, step: year}
settings: {samples: 50000, seed: 3}
resources:
  budget: {available: 1, unit: GBP k}
measures:
  m: {value: "normal(1, 1) - budget"}
targets:
  low_m: {measure: m, at_most: 0}
)yaml");
  const auto r = plansim("seek " + quote(plan) + " --target low_m --vary budget");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("scaling budget (resource)"));
  EXPECT_THAT(r.out, HasSubstr("budget 1.83"));
  EXPECT_THAT(r.out, HasSubstr("instead of 1 ("));
  EXPECT_THAT(r.out, HasSubstr("GBP k on average"));
}

TEST_F(ExplainCli, ExplainRefusesWhatItCannotHold) {
  const auto r = plansim("explain " + quote(cps()) + " --target cut_cracked_trials --samples 4000000000");
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("inputs kept per sample"));
  EXPECT_THAT(r.err, HasSubstr("hint: use fewer samples (--samples)"));
  const auto two = plansim("explain " + quote(cps()) + " --target cut_cracked_trials --scenario a.yaml --scenario b.yaml");
  EXPECT_EQ(two.code, kExitUsage);
  EXPECT_THAT(two.err, HasSubstr("at most one --scenario"));
}

TEST_F(ExplainCli, ExplainWithAScenarioExplainsThePlanAsItChangesIt) {
  const std::string scenario = write("s.yaml", "scenario: certain\nforce: {meet_police_cju: delivered}\n");
  const auto r = plansim("explain " + quote(cps()) + " --target cut_cracked_trials --samples 10000 --scenario " +
                         quote(scenario) + " --json -");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.at("drivers").at("constant"), nlohmann::json({"meet_police_cju"}));
}

TEST_F(ExplainCli, LocalTargetsAreRefusedWithAReason) {
  const auto r = plansim("explain " + quote(std::string(PLANSIM_SOURCE_DIR) + "/examples/national-roll-up/plan.yaml") +
                         " --target area_trials");
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("is a local target (one per area)"));
}

TEST_F(ExplainCli, APlanThatFailsAsWrittenFailsTheSeek) {
  const std::string plan = write("nan.yaml", R"yaml(plan: NaN
horizon: {start: 2024-01, periods: 1, step: year}
assumptions:
  s: "uniform(-1, 1)"
measures:
  m: {value: log(s)}
targets:
  low_m: {measure: m, at_most: 0}
)yaml");
  const auto r = plansim("seek " + quote(plan) + " --target low_m --vary s --samples 2000");
  EXPECT_EQ(r.code, kExitRunFailed);
  EXPECT_THAT(r.err, HasSubstr("the plan as written fails"));
}

}  // namespace
}  // namespace plansim
