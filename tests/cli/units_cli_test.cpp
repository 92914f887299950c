// The command line with local units (plan-format.md section 9), run against
// the real binary with plans and tables written to temporary files.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/cli/cli_fixture.h"
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace plansim {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int kExitOk = 0;
constexpr int kExitInvalidPlan = 1;

constexpr const char* kAreasCsv =
    "area,base,volume\n"
    "north,0.62,1200\n"
    "south,0.58,900\n"
    "east,0.66,400\n";

constexpr const char* kUnitsPlan = R"(plan: Units plan
horizon: {start: 2003-04, periods: 4, step: quarter}
settings: {samples: 20000, seed: 5}
units:
  name: area
  table: areas.csv
assumptions:
  growth: normal(0.01, 0.01)
local:
  measures:
    rate:
      baseline: base
      value: prev(rate) - 0.03 + growth + normal(0, 0.02)
  targets:
    local_trials: {measure: rate, at_most: base - 0.05, label: Five points down}
measures:
  national:
    value: weighted(rate, volume)
  hitting:
    value: share(rate <= base - 0.05)
targets:
  national_trials:
    measure: national
    at_most: "weighted(base, volume) - 0.04"
)";

class UnitsCli : public testing_cli::CliTest {};

TEST_F(UnitsCli, CheckOnAUnitsPlanSucceeds) {
  write("areas.csv", kAreasCsv);
  const std::string plan = write("plan.yaml", kUnitsPlan);
  const auto r = plansim("check " + quote(plan));
  EXPECT_EQ(r.code, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("plan:    Units plan"));
  EXPECT_THAT(r.out, HasSubstr("ok"));
}

TEST_F(UnitsCli, CheckOnAUnitsPlanPrintsTheNumberOfUnits) {
  write("areas.csv", kAreasCsv);
  const std::string plan = write("plan.yaml", kUnitsPlan);
  const auto r = plansim("check " + quote(plan));
  EXPECT_EQ(r.code, kExitOk) << r.err;
  EXPECT_THAT(r.out, Not(HasSubstr("units:   none")));
  EXPECT_THAT(r.out, HasSubstr("units:   3 areas (areas.csv, 2 columns)"));
}

TEST_F(UnitsCli, RunJsonShowsTargetsPerUnitAndTheLocalTargetsSummary) {
  write("areas.csv", kAreasCsv);
  const std::string plan = write("plan.yaml", kUnitsPlan);
  const auto r = plansim("run " + quote(plan) + " --no-history --quiet --json -");
  ASSERT_EQ(r.code, kExitOk) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["scenarios"].size(), 1u);
  const auto& s = j["scenarios"][0];

  int national = 0;
  std::vector<std::string> units;
  for (const auto& t : s["targets"]) {
    if (t["id"] == "national_trials") {
      ++national;
      EXPECT_TRUE(t["unit"].is_null());
    } else {
      EXPECT_EQ(t["id"], "local_trials");
      ASSERT_TRUE(t["unit"].is_string()) << t.dump();
      units.push_back(t["unit"].get<std::string>());
      EXPECT_EQ(t["label"], "Five points down");
      EXPECT_GE(t["p_hit"].get<double>(), 0.0);
      EXPECT_LE(t["p_hit"].get<double>(), 1.0);
    }
  }
  EXPECT_EQ(national, 1);
  EXPECT_EQ(units, (std::vector<std::string>{"north", "south", "east"}));

  ASSERT_TRUE(s.contains("local_targets")) << s.dump();
  ASSERT_EQ(s["local_targets"].size(), 1u);
  const auto& l = s["local_targets"][0];
  EXPECT_EQ(l["id"], "local_trials");
  EXPECT_EQ(l["label"], "Five points down");
  EXPECT_EQ(l["units"], 3);
  double sum = 0.0;
  for (const auto& t : s["targets"])
    if (t["id"] == "local_trials") sum += t["p_hit"].get<double>();
  EXPECT_NEAR(l["expected_units_hitting"].get<double>(), sum, 1e-9);
  ASSERT_EQ(l["ci95"].size(), 2u);
  EXPECT_LE(l["ci95"][0].get<double>(), l["expected_units_hitting"].get<double>());
  EXPECT_GE(l["ci95"][1].get<double>(), l["expected_units_hitting"].get<double>());
  const auto& rag = l["rag_counts"];
  EXPECT_EQ(rag["green"].get<int>() + rag["amber"].get<int>() + rag["red"].get<int>(), 3);
  EXPECT_EQ(l["least_likely"].size(), 3u);

  // Local measures carry their unit, plan-wide ones none.
  int rates = 0;
  for (const auto& m : s["measures"]) {
    if (m["id"] == "rate") {
      ++rates;
      EXPECT_TRUE(m["unit"].is_string());
    } else {
      EXPECT_TRUE(m["unit"].is_null()) << m["id"];
    }
  }
  EXPECT_EQ(rates, 3);
}

TEST_F(UnitsCli, RunPrintsALocalTargetsParagraphNotARowPerUnit) {
  write("areas.csv", kAreasCsv);
  const std::string plan = write("plan.yaml", kUnitsPlan);
  const auto r = plansim("run " + quote(plan) + " --no-history");
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("national_trials"));
  EXPECT_THAT(r.out, HasSubstr("local target local_trials (Five points down), one per area:"));
  EXPECT_THAT(r.out, HasSubstr("of 3 areas"));
  EXPECT_THAT(r.out, HasSubstr("least likely: "));
}

TEST_F(UnitsCli, ABadNumberInTheCsvExitsOneWithFileLineAndColumn) {
  write("areas.csv", "area,base,volume\nnorth,0.62,1200\nsouth,0.58,9OO\n");
  const std::string plan = write("plan.yaml", kUnitsPlan);
  for (const std::string command : {"check ", "run --no-history "}) {
    SCOPED_TRACE(command);
    const auto r = plansim(command + quote(plan));
    EXPECT_EQ(r.code, kExitInvalidPlan);
    EXPECT_THAT(r.err, HasSubstr(path("areas.csv") + ":3:12: error: column 'volume' of unit 'south': '9OO' is not a number"));
    EXPECT_THAT(r.out, Not(HasSubstr("P(hit)")));
  }
}

TEST_F(UnitsCli, AMissingTableExitsOneNamingThePath) {
  const std::string plan = write("plan.yaml", kUnitsPlan);
  const auto r = plansim("check " + quote(plan));
  EXPECT_EQ(r.code, kExitInvalidPlan);
  EXPECT_THAT(r.err, HasSubstr(path("plan.yaml") + ":6:10: error: cannot read units table 'areas.csv'"));
  EXPECT_THAT(r.err, HasSubstr(path("areas.csv")));
}

TEST_F(UnitsCli, AScenarioScalingALocalMeasureIsComparedPerUnit) {
  write("areas.csv", kAreasCsv);
  const std::string plan = write("plan.yaml", kUnitsPlan);
  const std::string sc = write("worse.yaml", "scenario: worse\nshift: {rate: 0.05}\n");
  const auto r = plansim("run " + quote(plan) + " --scenario " + quote(sc) + " --no-history --json " +
                         quote(path("out.json")));
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("units expected to hit"));
  const auto j = nlohmann::json::parse(read(path("out.json")));
  int per_unit = 0;
  for (const auto& c : j["comparison"])
    if (c["target"] == "local_trials") {
      ++per_unit;
      EXPECT_TRUE(c["unit"].is_string());
      EXPECT_LT(c["delta_vs_base"].get<double>(), 0.0);
    }
  EXPECT_EQ(per_unit, 3);
}

}  // namespace
}  // namespace plansim
