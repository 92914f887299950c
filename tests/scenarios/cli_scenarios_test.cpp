// Scenarios and the sweep through the real command line (cli.md): the
// comparison in `run --json`, the sweep's CSV, and the exit codes and
// messages for mistakes, run on the probation example.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/scenarios/scenario_runner.h"

namespace plansim::scenarios::test {
namespace {

using ::testing::HasSubstr;

constexpr int kExitOk = 0;
constexpr int kExitInvalidPlan = 1;
constexpr int kExitUsage = 2;

const std::string kExample = std::string(PLANSIM_SOURCE_DIR) + "/examples/probation-trust/";
const std::string kPlan = kExample + "plan.yaml";
const std::string kSr10 = kExample + "scenarios/sr10-four-years.yaml";
const std::string kCaseload = kExample + "scenarios/caseload-rise.yaml";

std::string quote(const std::string& s) { return "'" + s + "'"; }

std::string read(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class CliScenarios : public ::testing::Test {
 protected:
  struct Result {
    int code = -1;
    std::string out;
    std::string err;
  };

  // Runs `plansim ARGS` (ARGS already quoted for the shell) and captures both streams.
  Result plansim(const std::string& args) const {
    const std::string out = dir_.path("stdout.txt"), err = dir_.path("stderr.txt");
    const std::string command =
        quote(PLANSIM_BINARY) + " " + args + " >" + quote(out) + " 2>" + quote(err) + " </dev/null";
    const int status = std::system(command.c_str());
    Result r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = read(out);
    r.err = read(err);
    return r;
  }

  ScratchDir dir_;
};

TEST_F(CliScenarios, RunWithScenariosWritesOneComparisonPerScenarioAndTarget) {
  const std::string json = dir_.path("out.json");
  const Result r = plansim("run " + quote(kPlan) + " --scenario " + quote(kSr10) + " --scenario " + quote(kCaseload) +
                           " --samples 20000 --threads 2 --quiet --json " + quote(json));
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_EQ(r.out, "");
  const nlohmann::json j = nlohmann::json::parse(read(json));
  ASSERT_EQ(j["scenarios"].size(), 3u);
  EXPECT_EQ(j["scenarios"][0]["name"], "base");
  EXPECT_EQ(j["scenarios"][1]["name"], "sr10-four-years");
  EXPECT_EQ(j["scenarios"][2]["name"], "caseload-rise");
  const auto& base_targets = j["scenarios"][0]["targets"];
  const auto& comparison = j["comparison"];
  ASSERT_TRUE(comparison.is_array());
  ASSERT_EQ(comparison.size(), 2 * base_targets.size());
  std::set<std::string> scenarios;
  for (const auto& c : comparison) {
    const std::string name = c["scenario"];
    scenarios.insert(name);
    const double delta = c["delta_vs_base"], p = c["p_hit"];
    const auto& ci = c["delta_ci95"];
    ASSERT_EQ(ci.size(), 2u);
    const double lo = ci[0], hi = ci[1];
    EXPECT_GE(lo, -1.0) << c;
    EXPECT_LE(hi, 1.0) << c;
    EXPECT_LE(lo, delta) << c;
    EXPECT_GE(hi, delta) << c;
    EXPECT_GE(p, 0.0) << c;
    EXPECT_LE(p, 1.0) << c;
    double base_p = -1.0;
    for (const auto& t : base_targets)
      if (t["id"] == c["target"]) base_p = t["p_hit"];
    ASSERT_GE(base_p, 0.0) << "no base target for " << c;
    EXPECT_NEAR(delta, p - base_p, 1e-12) << c;
  }
  EXPECT_EQ(scenarios, (std::set<std::string>{"sr10-four-years", "caseload-rise"}));
}

TEST_F(CliScenarios, RunWithoutScenariosHasAnEmptyComparison) {
  const std::string json = dir_.path("out.json");
  const Result r = plansim("run " + quote(kPlan) + " --samples 5000 --quiet --json " + quote(json));
  ASSERT_EQ(r.code, kExitOk) << r.err;
  const nlohmann::json j = nlohmann::json::parse(read(json));
  EXPECT_EQ(j["scenarios"].size(), 1u);
  ASSERT_TRUE(j["comparison"].is_array());
  EXPECT_TRUE(j["comparison"].empty());
}

TEST_F(CliScenarios, TwoScenariosWithTheSameNameAreAnError) {
  const std::string copy = dir_.write("copy.yaml", read(kSr10));
  const Result r = plansim("run " + quote(kPlan) + " --scenario " + quote(kSr10) + " --scenario " + quote(copy) +
                           " --samples 1000 --quiet");
  EXPECT_EQ(r.code, kExitInvalidPlan);
  EXPECT_THAT(r.err, HasSubstr("two scenarios are named 'sr10-four-years'"));
  EXPECT_THAT(r.err, HasSubstr(copy));
}

TEST_F(CliScenarios, ScenarioNamedBaseIsAnError) {
  const std::string base = dir_.write("base.yaml", "scenario: base\nshift: {caseload_growth: 0.01}\n");
  const Result r = plansim("run " + quote(kPlan) + " --scenario " + quote(base) + " --samples 1000 --quiet");
  EXPECT_EQ(r.code, kExitInvalidPlan);
  EXPECT_THAT(r.err, HasSubstr("two scenarios are named 'base'"));
}

TEST_F(CliScenarios, InvalidScenarioExitsOneWithFileLineColumnAndNode) {
  const std::string bad = dir_.write("bad.yaml", "scenario: bad\nshift:\n  caseload_growht: 0.01\n");
  const Result r = plansim("run " + quote(kPlan) + " --scenario " + quote(bad) + " --samples 1000");
  EXPECT_EQ(r.code, kExitInvalidPlan);
  EXPECT_THAT(r.err, HasSubstr(bad + ":3:3: error: node 'caseload_growht'"));
  EXPECT_THAT(r.err, HasSubstr("did you mean 'caseload_growth'?"));
  EXPECT_EQ(r.out, "");
}

TEST_F(CliScenarios, MissingScenarioFileExitsOne) {
  const std::string missing = dir_.path("missing.yaml");
  const Result r = plansim("run " + quote(kPlan) + " --scenario " + quote(missing) + " --samples 1000");
  EXPECT_EQ(r.code, kExitInvalidPlan);
  EXPECT_THAT(r.err, HasSubstr(missing));
}

// ---- sweep ---------------------------------------------------------------------------

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::vector<std::string> fields_of(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  for (std::string f; std::getline(in, f, ',');) out.push_back(f);
  return out;
}

TEST_F(CliScenarios, SweepWritesACsvWithFiveRowsPerTarget) {
  const std::string csv = dir_.path("sweep.csv");
  const Result r =
      plansim("sweep " + quote(kPlan) + " --vary cut=0:0.2:0.05 --samples 5000 --threads 2 --csv " + quote(csv));
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("P(hit) crosses"));
  const std::vector<std::string> lines = lines_of(read(csv));
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[0], "point,cut,target,p_hit,ci95_low,ci95_high,rag");
  const std::vector<std::string> targets = {"orders_completed", "fast_delivery_reports", "community_payback_hours",
                                            "staff_equipped_80", "balanced_scorecard"};
  ASSERT_EQ(lines.size(), 1 + 5 * targets.size());
  std::map<std::string, std::vector<double>> cuts;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const auto f = fields_of(lines[i]);
    ASSERT_EQ(f.size(), 7u) << lines[i];
    EXPECT_EQ(f[0], "\"cut=" + f[1] + "\"") << lines[i];
    cuts[f[2]].push_back(std::stod(f[1]));
    const double p = std::stod(f[3]), lo = std::stod(f[4]), hi = std::stod(f[5]);
    EXPECT_LE(lo, p) << lines[i];
    EXPECT_GE(hi, p) << lines[i];
    EXPECT_GE(lo, 0.0) << lines[i];
    EXPECT_LE(hi, 1.0) << lines[i];
    EXPECT_TRUE(f[6] == "green" || f[6] == "amber" || f[6] == "red") << lines[i];
  }
  ASSERT_EQ(cuts.size(), targets.size());
  for (const auto& t : targets) {
    ASSERT_EQ(cuts[t].size(), 5u) << t;
    for (std::size_t k = 0; k < 5; ++k) EXPECT_NEAR(cuts[t][k], 0.05 * static_cast<double>(k), 1e-12) << t;
  }
}

TEST_F(CliScenarios, SweepWithoutAStepIsAUsageError) {
  const Result r = plansim("sweep " + quote(kPlan) + " --vary cut=0:1 --samples 1000");
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("NODE=FROM:TO:STEP"));
}

TEST_F(CliScenarios, SweepOfANodeThePlanLacksIsAnInvalidPlanNamingIt) {
  const Result r = plansim("sweep " + quote(kPlan) + " --vary nosuch=0:1:0.5 --samples 1000");
  EXPECT_EQ(r.code, kExitInvalidPlan);
  EXPECT_THAT(r.err, HasSubstr("'nosuch'"));
}

}  // namespace
}  // namespace plansim::scenarios::test
