// The command line (cli.md): commands, exit codes and messages, run against
// the real binary with plans written to temporary files.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/cli/cli_fixture.h"
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
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
using ::testing::StartsWith;

constexpr int kExitOk = 0;
constexpr int kExitInvalidPlan = 1;
constexpr int kExitUsage = 2;
constexpr int kExitRunFailed = 3;

constexpr const char* kValidPlan = R"(plan: Test plan
horizon: {start: 2003-04, periods: 4, step: quarter}
assumptions:
  growth: normal(0.03, 0.02)
resources:
  hours: {available: 100}
actions:
  meet: {needs: {hours: 10}, due: 2003-06}
risks:
  bad_files: {likelihood: M, impact: 0.05, mitigated_by: {meet: 0.5}}
measures:
  rate:
    baseline: 0.6
    value: prev(rate) + growth - 0.05 * meet + bad_files
    range: [0, 1]
targets:
  low_rate: {measure: rate, at_most: 0.6}
)";

// The same plan with a typo on line 14, column 25 ('growht').
constexpr const char* kTypoPlan = R"(plan: Test plan
horizon: {start: 2003-04, periods: 4, step: quarter}
assumptions:
  growth: normal(0.03, 0.02)
resources:
  hours: {available: 100}
actions:
  meet: {needs: {hours: 10}, due: 2003-06}
risks:
  bad_files: {likelihood: M, impact: 0.05, mitigated_by: {meet: 0.5}}
measures:
  rate:
    baseline: 0.6
    value: prev(rate) + growht - 0.05 * meet + bad_files
    range: [0, 1]
targets:
  low_rate: {measure: rate, at_most: 0.6}
)";

class Cli : public testing_cli::CliTest {};

// ---- version and usage -----------------------------------------------------------

TEST_F(Cli, VersionPrintsTheNameAndVersion) {
  Result r = plansim("--version");
  EXPECT_EQ(r.code, kExitOk) << r.err;
  EXPECT_THAT(r.out, StartsWith("plansim "));
}

TEST_F(Cli, NoCommandIsAUsageError) {
  Result r = plansim("");
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_FALSE(r.err.empty());
}

TEST_F(Cli, UnknownOptionIsAUsageError) {
  const std::string plan = write("plan.yaml", kValidPlan);
  Result r = plansim("run " + quote(plan) + " --frobnicate");
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("--frobnicate"));
  EXPECT_EQ(r.out, "");
}

TEST_F(Cli, UnknownCommandIsAUsageError) {
  Result r = plansim("simulate plan.yaml");
  EXPECT_EQ(r.code, kExitUsage);
}

// ---- check ------------------------------------------------------------------------

TEST_F(Cli, CheckOnAValidPlanPrintsTheSummary) {
  const std::string plan = write("plan.yaml", kValidPlan);
  Result r = plansim("check " + quote(plan));
  EXPECT_EQ(r.code, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Test plan"));
  EXPECT_THAT(r.out, HasSubstr("4 quarters, 2003-04 to 2004-03"));
  EXPECT_THAT(r.out, HasSubstr("1 assumptions, 1 resources, 1 actions, 1 risks, 1 measures, 1 targets"));
  EXPECT_THAT(r.out, HasSubstr("longest chain from an assumption to a target: 3 nodes"));
  EXPECT_THAT(r.out, HasSubstr("growth -> rate -> low_rate"));
  EXPECT_EQ(r.err, "");
}

TEST_F(Cli, CheckOnAnInvalidPlanPrintsFileLineColumnNodeAndExitsOne) {
  const std::string plan = write("plan.yaml", kTypoPlan);
  Result r = plansim("check " + quote(plan));
  EXPECT_EQ(r.code, kExitInvalidPlan);
  EXPECT_THAT(r.err, HasSubstr(plan + ":14:25: error: node 'rate': unknown name 'growht' (did you mean 'growth'?)"));
  EXPECT_THAT(r.err, HasSubstr("1 error in " + plan));
  EXPECT_EQ(r.out, "");
}

TEST_F(Cli, CheckReportsEveryMistakeAndCountsThem) {
  const std::string plan = write("plan.yaml", R"(plan: Test plan
horizon: {start: 2003-04, periods: 4, step: quarter}
assumptions:
  Growth: 0.1
measures:
  rate: {baseline: 0.5, valeu: 1}
targets:
  low: {measure: rate, at_most: 0.5, by: 2005-01}
)");
  Result r = plansim("check " + quote(plan));
  EXPECT_EQ(r.code, kExitInvalidPlan);
  EXPECT_THAT(r.err, HasSubstr(plan + ":4:3: error: node 'Growth': "));
  EXPECT_THAT(r.err, HasSubstr(plan + ":6:25: error: node 'rate': unknown key 'valeu'"));
  EXPECT_THAT(r.err, HasSubstr(plan + ":8:42: error: node 'low': by 2005-01 is outside the horizon"));
  EXPECT_THAT(r.err, HasSubstr("3 errors in " + plan));
}

TEST_F(Cli, CheckOnAMissingFileExitsOne) {
  const std::string plan = path("no_such_plan.yaml");
  Result r = plansim("check " + quote(plan));
  EXPECT_EQ(r.code, kExitInvalidPlan);
  EXPECT_THAT(r.err, HasSubstr(plan));
  EXPECT_THAT(r.err, HasSubstr("cannot read"));
}

TEST_F(Cli, CheckOnMalformedYamlExitsOne) {
  const std::string plan = write("plan.yaml", "plan: [unclosed\n");
  Result r = plansim("check " + quote(plan));
  EXPECT_EQ(r.code, kExitInvalidPlan);
  EXPECT_THAT(r.err, HasSubstr(plan + ":"));
  EXPECT_THAT(r.err, HasSubstr("error"));
}

// ---- run: options -------------------------------------------------------------------

TEST_F(Cli, RunRefusesSamplesThatAreNotAPositiveWholeNumber) {
  const std::string plan = write("plan.yaml", kValidPlan);
  for (std::string bad : {"0", "-5", "abc", "1.5", "10x", "99999999999999999999999"}) {
    SCOPED_TRACE(bad);
    Result r = plansim("run " + quote(plan) + " --samples " + bad);
    EXPECT_EQ(r.code, kExitUsage);
    EXPECT_THAT(r.err, HasSubstr("--samples"));
    EXPECT_THAT(r.err, HasSubstr("'" + bad + "'"));
    EXPECT_EQ(r.out, "");
  }
}

TEST_F(Cli, RunRefusesASeedThatIsNotAWholeNumber) {
  const std::string plan = write("plan.yaml", kValidPlan);
  Result r = plansim("run " + quote(plan) + " --seed x");
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("--seed"));
  EXPECT_THAT(r.err, HasSubstr("'x'"));
}

TEST_F(Cli, RunRefusesZeroThreads) {
  const std::string plan = write("plan.yaml", kValidPlan);
  Result r = plansim("run " + quote(plan) + " --threads 0");
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("--threads"));
}

TEST_F(Cli, RunRefusesSamplesThatWouldNotFitInMemoryWithAnEstimate) {
  const std::string plan = write("plan.yaml", kValidPlan);
  const auto start = std::chrono::steady_clock::now();
  Result r = plansim("run " + quote(plan) + " --samples 100000000000000");
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("100000000000000 samples would need about"));
  EXPECT_THAT(r.err, HasSubstr("MiB"));
  EXPECT_LT(seconds, 10.0) << "refusing must not start the run";
  EXPECT_EQ(r.out, "");
}

// ---- run: output ----------------------------------------------------------------------

TEST_F(Cli, RunPrintsTheTargetsTable) {
  const std::string plan = write("plan.yaml", kValidPlan);
  Result r = plansim("run " + quote(plan) + " --samples 2000");
  EXPECT_EQ(r.code, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("low_rate"));
  EXPECT_THAT(r.out, HasSubstr("P(hit)"));
  EXPECT_THAT(r.out, HasSubstr("2,000 samples, seed 1"));
}

TEST_F(Cli, RunWritesJsonInTheDocumentedFormatAndStillPrintsTheTable) {
  const std::string plan = write("plan.yaml", kValidPlan);
  const std::string json = path("out.json");
  Result r = plansim("run " + quote(plan) + " --samples 2000 --seed 7 --json " + quote(json));
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("low_rate"));

  const nlohmann::json j = nlohmann::json::parse(read(json));  // throws if invalid
  EXPECT_EQ(j.at("format"), "plansim-run/1");
  EXPECT_EQ(j.at("plan"), "Test plan");
  EXPECT_EQ(j.at("seed"), 7);
  EXPECT_EQ(j.at("samples"), 2000);
  EXPECT_EQ(j.at("plan_sha256").get<std::string>().size(), 64u);
  EXPECT_EQ(j.at("periods"), nlohmann::json({"2003-04", "2003-07", "2003-10", "2004-01"}));
  ASSERT_EQ(j.at("scenarios").size(), 1u);
  const auto& base = j.at("scenarios")[0];
  EXPECT_EQ(base.at("name"), "base");
  ASSERT_EQ(base.at("targets").size(), 1u);
  const auto& target = base.at("targets")[0];
  EXPECT_EQ(target.at("id"), "low_rate");
  EXPECT_EQ(target.at("kind"), "measure");
  EXPECT_EQ(target.at("measure"), "rate");
  EXPECT_EQ(target.at("direction"), "at_most");
  EXPECT_EQ(target.at("by"), "2004-01");
  const double p = target.at("p_hit").get<double>();
  EXPECT_GE(p, 0.0);
  EXPECT_LE(p, 1.0);
  EXPECT_TRUE(j.at("comparison").empty());

  // Written through a temporary and a rename: nothing else is left behind.
  for (const auto& entry : fs::directory_iterator(dir_))
    EXPECT_THAT(entry.path().filename().string(), Not(HasSubstr(".tmp")));
}

TEST_F(Cli, QuietPrintsNoTable) {
  const std::string plan = write("plan.yaml", kValidPlan);
  const std::string json = path("out.json");
  Result r = plansim("run " + quote(plan) + " --samples 1000 --quiet --json " + quote(json));
  EXPECT_EQ(r.code, kExitOk) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_TRUE(fs::exists(json));
}

TEST_F(Cli, SamplesAndSeedDefaultToThePlansSettings) {
  std::string text = kValidPlan;
  text += "settings: {samples: 500, seed: 3}\n";
  const std::string plan = write("plan.yaml", text);
  const std::string json = path("out.json");
  Result r = plansim("run " + quote(plan) + " --quiet --json " + quote(json));
  ASSERT_EQ(r.code, kExitOk) << r.err;
  const nlohmann::json j = nlohmann::json::parse(read(json));
  EXPECT_EQ(j.at("samples"), 500);
  EXPECT_EQ(j.at("seed"), 3);

  Result overridden = plansim("run " + quote(plan) + " --quiet --samples 600 --seed 4 --json " + quote(json));
  ASSERT_EQ(overridden.code, kExitOk) << overridden.err;
  const nlohmann::json k = nlohmann::json::parse(read(json));
  EXPECT_EQ(k.at("samples"), 600);
  EXPECT_EQ(k.at("seed"), 4);
}

TEST_F(Cli, ResultsDoNotDependOnTheNumberOfThreads) {
  const std::string plan = write("plan.yaml", kValidPlan);
  const std::string one = path("one.json"), four = path("four.json");
  ASSERT_EQ(plansim("run " + quote(plan) + " --quiet --samples 5000 --threads 1 --json " + quote(one)).code, kExitOk);
  ASSERT_EQ(plansim("run " + quote(plan) + " --quiet --samples 5000 --threads 4 --json " + quote(four)).code, kExitOk);
  EXPECT_EQ(nlohmann::json::parse(read(one)).at("scenarios"), nlohmann::json::parse(read(four)).at("scenarios"));
}

TEST_F(Cli, RunOnAnInvalidPlanExitsOneAndWritesNothing) {
  const std::string plan = write("plan.yaml", kTypoPlan);
  const std::string json = path("out.json");
  Result r = plansim("run " + quote(plan) + " --samples 100 --json " + quote(json));
  EXPECT_EQ(r.code, kExitInvalidPlan);
  EXPECT_THAT(r.err, HasSubstr(plan + ":14:25: error: node 'rate': unknown name 'growht'"));
  EXPECT_EQ(r.out, "");
  EXPECT_FALSE(fs::exists(json));
}

TEST_F(Cli, NanReachingATargetExitsThreeNamingTheNodeAndPeriod) {
  // `cut` is negative in the third period only, so sqrt(cut) is NaN there.
  const std::string plan = write("plan.yaml", R"(plan: NaN plan
horizon: {start: 2003-04, periods: 4, step: quarter}
assumptions:
  cut: [1, 1, -1, 1]
measures:
  source:
    value: sqrt(cut) + uniform(0, 1)
  downstream:
    value: source * 2
targets:
  hit: {measure: downstream, at_least: 0, by: 2003-12}
)");
  const std::string json = path("out.json");
  Result r = plansim("run " + quote(plan) + " --samples 1000 --json " + quote(json));
  EXPECT_EQ(r.code, kExitRunFailed);
  EXPECT_THAT(r.err, HasSubstr("'hit'"));
  EXPECT_THAT(r.err, HasSubstr("NaN"));
  EXPECT_THAT(r.err, HasSubstr("1000 of 1000 samples"));
  EXPECT_THAT(r.err, HasSubstr("node 'source' in period 2003-10"));
  EXPECT_EQ(r.out, "");
  EXPECT_FALSE(fs::exists(json));
}

// ---- graph -------------------------------------------------------------------------

TEST_F(Cli, GraphWritesADigraphToTheDotFile) {
  const std::string plan = write("plan.yaml", kValidPlan);
  const std::string dot = path("plan.dot");
  Result r = plansim("graph " + quote(plan) + " --dot " + quote(dot));
  EXPECT_EQ(r.code, kExitOk) << r.err;
  const std::string text = read(dot);
  EXPECT_THAT(text, HasSubstr("digraph"));
  EXPECT_THAT(text, HasSubstr("\"growth\" -> \"rate\";"));
  EXPECT_THAT(text, HasSubstr("\"rate\" -> \"low_rate\";"));
  EXPECT_THAT(text, HasSubstr("\"meet\" -> \"bad_files\" [style=dashed"));
}

TEST_F(Cli, GraphWithoutDotFileWritesToStandardOutput) {
  const std::string plan = write("plan.yaml", kValidPlan);
  Result r = plansim("graph " + quote(plan));
  EXPECT_EQ(r.code, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("digraph"));
  EXPECT_THAT(r.out, HasSubstr("\"hours\" -> \"meet\";"));
}

TEST_F(Cli, GraphOfAnInvalidPlanExitsOne) {
  const std::string plan = write("plan.yaml", kTypoPlan);
  const std::string dot = path("plan.dot");
  Result r = plansim("graph " + quote(plan) + " --dot " + quote(dot));
  EXPECT_EQ(r.code, kExitInvalidPlan);
  EXPECT_THAT(r.err, HasSubstr("unknown name 'growht'"));
  EXPECT_FALSE(fs::exists(dot));
}

}  // namespace
}  // namespace plansim

namespace plansim {
namespace {

// ---- outputs and history -----------------------------------------------------------

TEST_F(Cli, RunWritesTheHtmlReportAndTheCsvFolder) {
  const std::string plan = write("plan.yaml", kValidPlan);
  Result r = plansim("run " + quote(plan) + " --samples 2000 --no-history --report " + quote(path("r.html")) +
                     " --csv " + quote(path("csv")));
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_THAT(read(path("r.html")), StartsWith("<!DOCTYPE html>"));
  for (const char* f : {"targets.csv", "milestones.csv", "measures.csv", "resources.csv", "comparison.csv"})
    EXPECT_TRUE(fs::exists(path(std::string("csv/") + f))) << f;
}

TEST_F(Cli, RunsAreRecordedInTheHistoryAndCanBeListedShownAndCompared) {
  const std::string plan = write("plan.yaml", kValidPlan);
  const std::string db = quote(path("h.db"));
  ASSERT_EQ(plansim("run " + quote(plan) + " --samples 2000 --db " + db).code, kExitOk);
  ASSERT_EQ(plansim("run " + quote(plan) + " --samples 3000 --db " + db).code, kExitOk);
  Result list = plansim("history --db " + db);
  EXPECT_EQ(list.code, kExitOk) << list.err;
  EXPECT_THAT(list.out, HasSubstr("Test plan"));
  Result show = plansim("history show 2 --db " + db);
  EXPECT_EQ(show.code, kExitOk) << show.err;
  EXPECT_THAT(show.out, HasSubstr("3,000"));
  Result diff = plansim("history diff 1 2 --db " + db);
  EXPECT_EQ(diff.code, kExitOk) << diff.err;
  EXPECT_THAT(diff.out, HasSubstr("same plan text"));
  Result missing = plansim("history show 99 --db " + db);
  EXPECT_EQ(missing.code, kExitInvalidPlan);
  EXPECT_THAT(missing.err, HasSubstr("99"));
}

TEST_F(Cli, NoHistoryLeavesNoDatabase) {
  const std::string plan = write("plan.yaml", kValidPlan);
  ASSERT_EQ(plansim("run " + quote(plan) + " --samples 2000 --no-history --db " + quote(path("h.db"))).code,
            kExitOk);
  EXPECT_FALSE(fs::exists(path("h.db")));
}

}  // namespace
}  // namespace plansim
