// Negotiation analysis on the command line (issue #5): `run --confidence`,
// `plansim achievable` and `run --precision`, against the real binary. The
// bad command lines are in the bad-input catalogue (tests/bad_inputs/cli_
// confidence_*, cli_precision_*, cli_max_samples_*, cli_achievable_*);
// here is what the good ones print and write.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/cli/cli_fixture.h"

namespace plansim {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using nlohmann::json;

constexpr int kExitOk = 0;
constexpr int kExitUsage = 2;

// m ~ normal(10, 2): the level at confidence c is 10 + 2 z_c (at_most).
constexpr const char* kPlan = R"yaml(plan: Negotiation plan
horizon: {start: 2003-04, periods: 4, step: quarter}
settings: {samples: 20000, seed: 7, confidence: 0.75}
measures:
  m: {value: "normal(10, 2)"}
  k: {value: "normal(50, 5)"}
targets:
  below: {measure: m, at_most: 11, label: Keep m at 11 or less}
  above: {measure: k, at_least: 45}
  both: {all_of: [below, above]}
)yaml";

class NegotiationCli : public testing_cli::CliTest {
 protected:
  std::string plan() { return write("plan.yaml", kPlan); }
};

const json& target(const json& j, const std::string& id) {
  for (const auto& t : j["scenarios"][0]["targets"])
    if (t["id"] == id) return t;
  throw std::out_of_range(id);
}

// ---- run --confidence -------------------------------------------------------------

TEST_F(NegotiationCli, RunWithConfidencesAddsLevelsToTheJsonAndATableAfterTheTargets) {
  const std::string p = plan();
  Result r = plansim("run " + quote(p) + " --no-history --confidence 0.95,0.5,0.8 --json " + quote(path("out.json")));
  ASSERT_EQ(r.code, kExitOk) << r.err;
  const json j = json::parse(read(path("out.json")));
  const json& below = target(j, "below");
  ASSERT_TRUE(below["achievable_levels"].is_array());
  ASSERT_EQ(below["achievable_levels"].size(), 3u);
  // In increasing order, each with a bracketing interval.
  const double c[] = {0.5, 0.8, 0.95};
  const double z[] = {0.0, 0.8416212335729143, 1.6448536269514722};
  for (std::size_t i = 0; i < 3; ++i) {
    const json& a = below["achievable_levels"][i];
    EXPECT_DOUBLE_EQ(a["confidence"].get<double>(), c[i]);
    const double level = a["level"].get<double>();
    EXPECT_NEAR(level, 10.0 + 2.0 * z[i], 0.1);  // about 7 standard errors at 20,000 samples
    EXPECT_LE(a["ci95"][0].get<double>(), level);
    EXPECT_GE(a["ci95"][1].get<double>(), level);
  }
  // The plan's own 'achievable' is kept, with its meaning.
  EXPECT_EQ(below["achievable"]["confidence"], 0.75);
  EXPECT_FALSE(target(j, "both").contains("achievable_levels"));
  EXPECT_NEAR(target(j, "above")["achievable_levels"][1]["level"].get<double>(), 50.0 - 5.0 * z[1], 0.25);

  EXPECT_THAT(r.out, HasSubstr("achievable@75%"));
  EXPECT_THAT(r.out, HasSubstr("Achievable levels: the level each target reaches with each confidence"));
  EXPECT_THAT(r.out, HasSubstr("target  by       direction  confidence  achievable"));
  EXPECT_THAT(r.out, HasSubstr("below   2004-01  at most           50%"));
  EXPECT_THAT(r.out, HasSubstr("above   2004-01  at least          50%"));
}

TEST_F(NegotiationCli, RunWithoutConfidencesIsUnchanged) {
  const std::string p = plan();
  Result r = plansim("run " + quote(p) + " --no-history --json " + quote(path("out.json")));
  ASSERT_EQ(r.code, kExitOk) << r.err;
  const json j = json::parse(read(path("out.json")));
  EXPECT_FALSE(target(j, "below").contains("achievable_levels"));
  EXPECT_FALSE(j.contains("precision"));
  EXPECT_THAT(r.out, Not(HasSubstr("Achievable levels")));
  EXPECT_THAT(r.out, Not(HasSubstr("precision")));
}

// ---- achievable ---------------------------------------------------------------------

TEST_F(NegotiationCli, AchievablePrintsLevelsByConfidenceAndTheThresholdsConfidence) {
  const std::string p = plan();
  Result r = plansim("achievable " + quote(p) + " --target below");
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_THAT(r.out, HasSubstr("20,000 samples, seed 7"));
  EXPECT_THAT(r.out, HasSubstr("below: Keep m at 11 or less\nm in 2004-01 to be at most the level; scenario base"));
  EXPECT_THAT(r.out, HasSubstr("confidence  achievable level"));
  // The default confidences and the plan's own (0.75), in order.
  const std::size_t at50 = r.out.find("\n       50%"), at75 = r.out.find("\n       75%"),
                    at80 = r.out.find("\n       80%"), at90 = r.out.find("\n       90%"),
                    at95 = r.out.find("\n       95%");
  ASSERT_NE(at50, std::string::npos) << r.out;
  EXPECT_LT(at50, at75);
  EXPECT_LT(at75, at80);
  EXPECT_LT(at80, at90);
  EXPECT_LT(at90, at95);
  EXPECT_NE(at95, std::string::npos) << r.out;
  // P(m <= 11) = Phi(0.5) = 0.691.
  EXPECT_THAT(r.out, HasSubstr("proposed threshold <= 11 carries confidence 0.6"));
  EXPECT_THAT(r.out, HasSubstr("(its P(hit)): AMBER"));
}

TEST_F(NegotiationCli, AchievableJsonMatchesTheRunsFigures) {
  const std::string p = plan();
  Result a = plansim("achievable " + quote(p) + " --target above --confidence 0.8,0.9 --json -");
  ASSERT_EQ(a.code, kExitOk) << a.err;
  const json j = json::parse(a.out);
  EXPECT_EQ(j["format"], "plansim-achievable/1");
  EXPECT_EQ(j["target"], "above");
  EXPECT_EQ(j["samples"], 20000);
  ASSERT_EQ(j["results"].size(), 1u);
  const json& row = j["results"][0];
  EXPECT_EQ(row["scenario"], "base");
  EXPECT_EQ(row["direction"], "at_least");
  EXPECT_EQ(row["by"], "2004-01");
  ASSERT_EQ(row["levels"].size(), 2u);

  Result r = plansim("run " + quote(p) + " --no-history --quiet --confidence 0.8,0.9 --json -");
  ASSERT_EQ(r.code, kExitOk) << r.err;
  const json run = json::parse(r.out);
  const json& t = target(run, "above");
  EXPECT_EQ(row["levels"], t["achievable_levels"]);  // the same seed and samples: the same figures
  EXPECT_EQ(row["threshold_confidence"]["p_hit"], t["p_hit"]);
  EXPECT_EQ(row["threshold_confidence"]["ci95"], t["ci95"]);
}

TEST_F(NegotiationCli, AchievableChecksTheTargetBeforeRunning) {
  const std::string p = plan();
  // A run of 100 million samples would take minutes: the error must come first.
  Result r = plansim("achievable " + quote(p) + " --target belwo --samples 100000000");
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("error: --target 'belwo' is not a target of the plan (did you mean 'below'?)"));
  EXPECT_THAT(r.err, HasSubstr("its targets are below, above, both"));
  EXPECT_EQ(r.out, "");
}

TEST_F(NegotiationCli, AchievableUnderAScenarioShowsBothOnCommonRandomNumbers) {
  const std::string p = plan();
  const std::string s = write("worse.yaml", "scenario: worse\nscale:\n  m: 1.05\n");
  Result r = plansim("achievable " + quote(p) + " --target below --scenario " + quote(s) + " --confidence 0.8");
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("scenario base"));
  EXPECT_THAT(r.out, HasSubstr("scenario worse"));
}

// ---- run --precision --------------------------------------------------------------------

TEST_F(NegotiationCli, PrecisionReportsSamplesUsedAndWhyItStopped) {
  const std::string p = plan();
  Result r = plansim("run " + quote(p) + " --no-history --precision 0.004 --samples 10000 --json " +
                     quote(path("out.json")));
  ASSERT_EQ(r.code, kExitOk) << r.err;
  const json j = json::parse(read(path("out.json")));
  ASSERT_TRUE(j.contains("precision"));
  const json& pr = j["precision"];
  EXPECT_EQ(pr["half_width"], 0.004);
  EXPECT_EQ(pr["batch_samples"], 10240);  // 10,000 rounded up to whole blocks
  EXPECT_EQ(pr["max_samples"], 10000000 / 10240 * 10240);
  EXPECT_EQ(pr["stopped"], "precision_reached");
  const std::uint64_t samples = j["samples"];
  EXPECT_EQ(pr["samples"], samples);
  EXPECT_EQ(samples % 10240, 0u);
  EXPECT_EQ(pr["batches"], samples / 10240);
  EXPECT_LT(pr["widest_half_width"].get<double>(), 0.004);
  EXPECT_EQ(pr["widest_target"]["scenario"], "base");
  for (const auto& t : j["scenarios"][0]["targets"])
    EXPECT_LT((t["ci95"][1].get<double>() - t["ci95"][0].get<double>()) / 2, 0.004) << t["id"];
  EXPECT_THAT(r.out, HasSubstr("precision reached: every target's P(hit) within +/-0.004 (95%; widest +/-"));
  EXPECT_THAT(r.out, HasSubstr(" batches of 10,240\n"));

  // A plain run of the samples it used writes the same figures.
  Result plain = plansim("run " + quote(p) + " --no-history --quiet --samples " + std::to_string(samples) +
                         " --json " + quote(path("plain.json")));
  ASSERT_EQ(plain.code, kExitOk) << plain.err;
  json a = j;
  a.erase("precision");
  EXPECT_EQ(a, json::parse(read(path("plain.json"))));
}

TEST_F(NegotiationCli, PrecisionIsTheSameForAnyThreadCount) {
  const std::string p = plan();
  std::string first;
  for (const char* threads : {"1", "2", "3"}) {
    Result r = plansim("run " + quote(p) + " --no-history --quiet --precision 0.005 --samples 4096 --threads " +
                       threads + " --json -");
    ASSERT_EQ(r.code, kExitOk) << r.err;
    if (first.empty()) first = r.out;
    EXPECT_EQ(r.out, first) << threads << " threads";
  }
}

TEST_F(NegotiationCli, PrecisionStopsAtMaxSamplesAndSaysSo) {
  const std::string p = plan();
  Result r = plansim("run " + quote(p) + " --no-history --precision 0.001 --samples 2048 --max-samples 7000 " +
                     "--json " + quote(path("out.json")));
  ASSERT_EQ(r.code, kExitOk) << r.err;
  const json j = json::parse(read(path("out.json")));
  EXPECT_EQ(j["samples"], 6144);  // three whole batches of 2,048 fit under 7,000
  EXPECT_EQ(j["precision"]["stopped"], "max_samples_reached");
  EXPECT_EQ(j["precision"]["max_samples"], 6144);
  EXPECT_EQ(j["precision"]["batches"], 3);
  EXPECT_GE(j["precision"]["widest_half_width"].get<double>(), 0.001);
  EXPECT_THAT(r.out, HasSubstr("max samples reached: 6,144 samples"));
  EXPECT_THAT(r.out, HasSubstr("above the precision +/-0.001"));
}

}  // namespace
}  // namespace plansim
