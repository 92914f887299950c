// `plansim history`, run in-process against a database of recorded runs.
#include "apps/plansim/history_command.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "report/json_report.h"
#include "report/text_table.h"
#include "store/history.h"
#include "tests/store/store_test_support.h"

namespace plansim::cli {
namespace {

using store::testing::TempDir;

const char* const kPlanV1 = R"yaml(plan: Probation delivery plan
horizon: {start: 2024-04, periods: 4, step: quarter}
settings: {confidence: 0.8, rag: {green: 0.8, amber: 0.5}}
assumptions:
  growth: normal(0.03, 0.02)
measures:
  rate: {baseline: 0.5, value: 0.5 + growth}
targets:
  cut_rate: {measure: rate, at_most: 0.5, by: 2025-01}
  both: {all_of: [cut_rate]}
)yaml";

// v2: the measure changes, an assumption is added; comments do not count.
const char* const kPlanV2 = R"yaml(plan: Probation delivery plan
# more staff
horizon: {start: 2024-04, periods: 4, step: quarter}
settings: {confidence: 0.8, rag: {green: 0.8, amber: 0.5}}
assumptions:
  growth: normal(0.03, 0.02)
  staff: uniform(0, 0.05)
measures:
  rate: {baseline: 0.5, value: 0.5 + growth - staff}
targets:
  cut_rate: {measure: rate, at_most: 0.5, by: 2025-01}
  both: {all_of: [cut_rate]}
)yaml";

sim::TargetResult target(const std::string& id, double p, sim::Rag rag, bool composite = false) {
  sim::TargetResult t;
  t.id = id;
  t.composite = composite;
  t.measure = composite ? "" : "rate";
  t.threshold = 0.5;
  t.by = 3;
  t.p_hit = p;
  t.ci95 = {p - 0.01, p + 0.01};
  t.achievable = 0.5321;
  t.rag = rag;
  if (!composite) t.milestones.push_back({1, graph::Direction::kAtMost, 0.6, 0.9, {0.89, 0.91}});
  return t;
}

struct Made {
  report::RunInfo info;
  sim::RunResult result;
};

Made make_result(double p, bool with_scenario) {
  Made m;
  m.info.plan_title = "Probation delivery plan";
  m.info.seed = 7;
  m.info.samples = 10000;
  m.info.periods = {"2024-04", "2024-07", "2024-10", "2025-01"};
  sim::ScenarioResult base;
  base.targets = {target("cut_rate", p, p >= 0.8 ? sim::Rag::kGreen : sim::Rag::kAmber),
                  target("both", p, p >= 0.8 ? sim::Rag::kGreen : sim::Rag::kAmber, true)};
  m.result.scenarios.push_back(base);
  if (with_scenario) {
    sim::ScenarioResult cut = base;
    cut.name = "cut";
    cut.targets[0].p_hit = cut.targets[1].p_hit = p - 0.3;
    cut.targets[0].rag = cut.targets[1].rag = sim::Rag::kRed;
    cut.responses.push_back({"response#1", "Extra hours", 0.25, 2.0});
    m.result.scenarios[0].responses.push_back({"response#1", "Extra hours", 0.1, 2.5});
    m.result.scenarios.push_back(cut);
    m.result.comparison.push_back({"cut", "cut_rate", p - 0.3, -0.3, {-0.31, -0.29}, {-0.33, -0.27}, ""});
    m.result.comparison.push_back({"cut", "both", p - 0.3, -0.3, {-0.31, -0.29}, {-0.33, -0.27}, ""});
  }
  return m;
}

store::RunRecord record_of(const Made& m, const std::string& plan_text, const std::string& started_at) {
  store::RunRecord r;
  r.plan_title = m.info.plan_title;
  r.plan_file = "/plans/probation.yaml";
  r.plan_text = plan_text;
  r.plan_sha256 = report::sha256_hex(plan_text);
  if (m.result.scenarios.size() > 1) r.scenarios = {{"cut", "/plans/cut.yaml", "scenario: cut\n"}};
  r.seed = m.info.seed;
  r.samples = m.info.samples;
  r.threads = 4;
  r.version = "0.1.0";
  r.started_at = started_at;
  r.finished_at = started_at;
  report::RunInfo info = m.info;
  info.plan_sha256 = r.plan_sha256;
  r.results_json = report::run_json(info, m.result, 0.8).dump(2);
  return r;
}

struct Output {
  int code;
  std::string out, err;
};

Output history(const std::vector<std::string>& args, const std::string& db) {
  std::ostringstream out, err;
  const int code = history_command(args, db, out, err);
  return {code, out.str(), err.str()};
}

class HistoryCommand : public ::testing::Test {
 protected:
  HistoryCommand() : dir_("command"), db_(dir_.file("h.db")) {
    std::string error;
    auto h = store::History::open(db_, error);
    EXPECT_TRUE(h) << error;
    v1_ = make_result(0.62, true);
    v2_ = make_result(0.85, true);
    h->record(record_of(v1_, kPlanV1, "2026-03-01T09:30:00Z"));
    h->record(record_of(v2_, kPlanV2, "2026-03-02T10:45:00Z"));
    h->record(record_of(make_result(0.63, false), kPlanV1, "2026-03-03T11:00:00Z"));
  }
  TempDir dir_;
  std::string db_;
  Made v1_, v2_;
};

TEST_F(HistoryCommand, ListsEveryRunWithItsVersionScenariosAndHeadline) {
  const Output o = history({}, db_);
  EXPECT_EQ(o.code, 0) << o.err;
  const std::string sha1 = report::sha256_hex(kPlanV1).substr(0, 8), sha2 = report::sha256_hex(kPlanV2).substr(0, 8);
  EXPECT_NE(o.out.find("id  date (UTC)"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find(" 1  2026-03-01 09:30  Probation delivery plan  " + sha1 + " 2026-03-01  cut        "
                       "cut_rate 0.620, both 0.620"),
            std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find(" 2  2026-03-02 10:45  Probation delivery plan  " + sha2 + " 2026-03-02  cut"),
            std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find(" 3  2026-03-03 11:00  Probation delivery plan  " + sha1 + " 2026-03-01  -"), std::string::npos)
      << o.out;
}

TEST_F(HistoryCommand, ListsTheRunsOfOnePlanByFileTitleOrHash) {
  const std::string other = dir_.file("other.yaml");
  std::ofstream(other) << "plan: Another plan\nhorizon: {start: 2024-04, periods: 4}\n";
  Output o = history({other}, db_);
  EXPECT_EQ(o.code, 0);
  EXPECT_NE(o.out.find("no runs of " + other), std::string::npos) << o.out;

  const std::string plan = dir_.file("plan.yaml");
  std::ofstream(plan) << kPlanV2;  // the file as it is now finds every version with its title
  o = history({plan}, db_);
  EXPECT_EQ(o.code, 0);
  EXPECT_NE(o.out.find("\n 3 "), std::string::npos) << o.out;
  o = history({report::sha256_hex(kPlanV2).substr(0, 10)}, db_);
  EXPECT_NE(o.out.find("\n 2 "), std::string::npos) << o.out;
  EXPECT_EQ(o.out.find("\n 1 "), std::string::npos) << o.out;
}

TEST_F(HistoryCommand, ShowReprintsTheRunAsPlansimRunPrintedIt) {
  const Output o = history({"show", "1"}, db_);
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_NE(o.out.find("run 1: started 2026-03-01T09:30:00Z"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("scenario:  cut (/plans/cut.yaml)"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("samples:   10,000, seed 7, threads 4"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find(report::targets_table(v1_.info, v1_.result.base(), 0.8)), std::string::npos) << o.out;
  EXPECT_NE(o.out.find(report::comparison_table(v1_.result, graph::RagThresholds{})), std::string::npos) << o.out;
}

TEST(HistoryShow, ReprintsAchievableLevelsAndHowAPrecisionRunStopped) {
  TempDir dir("negotiation");
  const std::string db = dir.file("h.db");
  Made m = make_result(0.62, false);
  m.info.confidences = {0.8, 0.95};
  m.result.scenarios[0].targets[0].achievable_levels = {{0.8, 0.5321, {0.5301, 0.5342}},
                                                        {0.95, 0.5712, {0.5688, 0.5741}}};
  report::RunInfo::Precision p;
  p.half_width = 0.005;
  p.batch = 10240;
  p.max_samples = 9994240;
  p.batches = 1;
  p.stopped = "precision_reached";
  p.widest = 0.0047;
  p.widest_scenario = "base";
  p.widest_target = "cut_rate";
  m.info.precision = p;
  {
    std::string error;
    auto h = store::History::open(db, error);
    ASSERT_TRUE(h) << error;
    h->record(record_of(m, kPlanV1, "2026-03-01T09:30:00Z"));
  }
  const Output o = history({"show", "1"}, db);
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_NE(o.out.find(report::targets_table(m.info, m.result.base(), 0.8)), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("precision reached: every target's P(hit) within +/-0.005"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("cut_rate  2025-01  at most           80%"), std::string::npos) << o.out;
}

TEST_F(HistoryCommand, DiffShowsHowPHitMovedAndWhichNodesChanged) {
  const Output o = history({"diff", "1", "2"}, db_);
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_NE(o.out.find("base      cut_rate      0.620      0.850  +0.230  AMBER -> GREEN\n"), std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("cut       cut_rate      0.320      0.550  +0.230  RED\n"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("  changed  measures: rate\n  added    assumptions: staff\n"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("scenario cut: same text"), std::string::npos) << o.out;
  EXPECT_EQ(o.out.find("sampling noise"), std::string::npos) << "same seed and samples";

  const Output same = history({"diff", "1", "3"}, db_);
  ASSERT_EQ(same.code, 0) << same.err;
  EXPECT_NE(same.out.find("plan: same plan text"), std::string::npos) << same.out;
  EXPECT_NE(same.out.find("cut       cut_rate      0.320          -          only in #1\n"), std::string::npos)
      << same.out;
  EXPECT_NE(same.out.find("scenario cut: only in run 1"), std::string::npos) << same.out;
}

TEST_F(HistoryCommand, AnUnknownRunIsExitCodeOne) {
  Output o = history({"show", "42"}, db_);
  EXPECT_EQ(o.code, 1);
  EXPECT_EQ(o.err, "error: no run 42 in " + db_ + "\n");
  o = history({"diff", "1", "42"}, db_);
  EXPECT_EQ(o.code, 1);
  EXPECT_EQ(o.err, "error: no run 42 in " + db_ + "\n");
}

TEST_F(HistoryCommand, BadArgumentsAreExitCodeTwo) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"show"}, {"show", "x"}, {"show", "0"}, {"show", "1", "2"}, {"diff", "1"}, {"diff", "1", "b"},
           {"a.yaml", "b.yaml"}, {"--bogus"}}) {
    const Output o = history(args, db_);
    EXPECT_EQ(o.code, 2) << args[0];
    EXPECT_NE(o.err.find("usage: plansim history"), std::string::npos) << o.err;
  }
}

TEST(HistoryCommandDatabase, AMissingDatabaseIsNotCreatedByLooking) {
  TempDir dir("command-missing");
  const std::string db = dir.file("sub/none.db");
  Output o = history({}, db);
  EXPECT_EQ(o.code, 0);
  EXPECT_NE(o.out.find("no runs recorded yet"), std::string::npos) << o.out;
  o = history({"show", "1"}, db);
  EXPECT_EQ(o.code, 1);
  EXPECT_FALSE(std::filesystem::exists(db));
}

TEST(HistoryCommandDatabase, ANewerDatabaseIsExitCodeOneWithTheReason) {
  TempDir dir("command-newer");
  const std::string db = dir.file("h.db");
  {
    std::string error;
    ASSERT_TRUE(store::History::open(db, error));
  }
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, "PRAGMA user_version = 9", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(raw);
  const Output o = history({}, db);
  EXPECT_EQ(o.code, 1);
  EXPECT_NE(o.err.find("has schema version 9, newer than this plansim understands"), std::string::npos) << o.err;
}

}  // namespace
}  // namespace plansim::cli
