// Golden runs: the bundled examples at fixed seeds, compared with stored
// JSON. Numbers are compared with tolerances, not as text: another compiler
// or libm may move a value in its last bits, and with it a sample across a
// threshold. Probabilities may differ by a few samples (kProbabilityTol);
// every other number by kRelativeTol. Structure and strings must match
// exactly.
//
// To refresh after an intended change of results, run
//   PLANSIM_UPDATE_GOLDEN=1 build/release/tests/golden_tests
// and review the diff of tests/golden/*.json like any other change.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <unistd.h>
#include <sstream>
#include <string>

namespace {

using nlohmann::json;

constexpr double kProbabilityTol = 5e-5;  // 5 samples in 100,000
constexpr double kRelativeTol = 1e-6;

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// ctest runs the golden tests in parallel: each writes its own file.
json run_plansim(const std::string& plan, const std::string& extra, const std::string& name) {
  const std::string out = ::testing::TempDir() + "golden_out_" + name + "_" + std::to_string(::getpid()) + ".json";
  const std::string cmd = std::string(PLANSIM_BINARY) + " run " + plan + " --quiet --json " + out + " " + extra;
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  return json::parse(read(out));
}

bool is_probability_key(const std::string& key) {
  return key == "p_hit" || key == "p_short" || key == "ci95" || key == "delta_vs_base" || key == "delta_ci95";
}

void compare(const json& want, const json& got, const std::string& where, bool probability) {
  ASSERT_EQ(want.type(), got.type()) << where;
  if (want.is_object()) {
    ASSERT_EQ(want.size(), got.size()) << where;
    for (auto it = want.begin(); it != want.end(); ++it) {
      ASSERT_TRUE(got.contains(it.key())) << where << "." << it.key();
      compare(it.value(), got.at(it.key()), where + "." + it.key(), probability || is_probability_key(it.key()));
    }
  } else if (want.is_array()) {
    ASSERT_EQ(want.size(), got.size()) << where;
    for (std::size_t i = 0; i < want.size(); ++i)
      compare(want[i], got[i], where + "[" + std::to_string(i) + "]", probability);
  } else if (want.is_number_float() || (want.is_number() && got.is_number_float())) {
    const double w = want.get<double>(), g = got.get<double>();
    const double tol = probability ? kProbabilityTol : kRelativeTol * std::max(1.0, std::fabs(w));
    EXPECT_NEAR(w, g, tol) << where;
  } else if (where != ".plan_sha256") {
    EXPECT_EQ(want, got) << where;
  }
}

void check_golden(const std::string& example, const std::string& golden, const std::string& extra) {
  const std::string src = PLANSIM_SOURCE_DIR;
  json got = run_plansim(src + "/" + example, extra, golden);
  const std::string golden_path = src + "/tests/golden/" + golden;
  if (std::getenv("PLANSIM_UPDATE_GOLDEN")) {
    std::ofstream(golden_path) << got.dump(2) << "\n";
    std::cout << "refreshed " << golden_path << "\n";
    return;
  }
  compare(json::parse(read(golden_path)), got, "", false);
}

TEST(Golden, CpsAreaExampleMatchesStoredResults) {
  check_golden("examples/cps-area/plan.yaml", "cps-area.json", "--seed 2003 --samples 100000");
}

TEST(Golden, CpsAreaScenarioComparisonMatchesStoredResults) {
  const std::string dir = std::string(PLANSIM_SOURCE_DIR) + "/examples/cps-area/scenarios/";
  check_golden("examples/cps-area/plan.yaml", "cps-area-scenarios.json",
               "--seed 2003 --samples 100000 --scenario " + dir + "fewer-cju-hours.yaml --scenario " + dir +
                   "police-files-stay-poor.yaml");
}

TEST(Golden, ProbationExampleWithResponsesMatchesStoredResults) {
  check_golden("examples/probation-trust/plan.yaml", "probation-trust.json", "--seed 2011 --samples 50000");
}

}  // namespace
