// plansim with correlated assumptions and --method lhs, as a user runs it.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/cli/cli_fixture.h"

namespace plansim::testing_cli {
namespace {

const char* kPlan = R"yaml(plan: Correlated
horizon: {start: 2026-04, periods: 1, step: year}
assumptions:
  caseload_growth: {value: "normal(0.03, 0.02)"}
  sickness: {value: "triangular(0.02, 0.04, 0.08)"}
measures:
  pressure: {value: "caseload_growth + sickness"}
targets:
  manageable: {measure: pressure, at_most: 0.1}
correlations:
  - [caseload_growth, sickness, 0.4]
)yaml";

class CorrelationsCli : public CliTest {};

TEST_F(CorrelationsCli, CheckListsTheCorrelations) {
  const std::string plan = write("plan.yaml", kPlan);
  const Result r = plansim("check '" + plan + "'");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("correlations: 1 pair (caseload_growth ~ sickness 0.4)"), std::string::npos) << r.out;
}

TEST_F(CorrelationsCli, LatinHypercubeIsNamedInTheTableAndTheJson) {
  const std::string plan = write("plan.yaml", kPlan);
  const Result r = plansim("run '" + plan + "' --no-history --samples 5000 --method lhs --json '" + path("out.json") + "'");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("5,000 samples (Latin hypercube), seed 1"), std::string::npos) << r.out;
  EXPECT_EQ(nlohmann::json::parse(read(path("out.json")))["method"], "latin_hypercube");
  const Result mc = plansim("run '" + plan + "' --no-history --samples 5000 --json '" + path("mc.json") + "' --quiet");
  ASSERT_EQ(mc.code, 0) << mc.err;
  EXPECT_EQ(nlohmann::json::parse(read(path("mc.json")))["method"], "monte_carlo");
}

}  // namespace
}  // namespace plansim::testing_cli
