#include "store/history.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "report/run_info.h"
#include "tests/store/store_test_support.h"

namespace plansim::store {
namespace {

using testing::TempDir;

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}

std::unique_ptr<History> open_ok(const std::string& path) {
  std::string error;
  auto h = History::open(path, error);
  EXPECT_TRUE(h) << error;
  return h;
}

// Runs one statement on its own connection.
void raw_exec(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_close(db);
}

std::int64_t raw_int(History& h, const char* sql) {
  sqlite3_stmt* s = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(h.handle(), sql, -1, &s, nullptr), SQLITE_OK);
  std::int64_t v = -1;
  if (sqlite3_step(s) == SQLITE_ROW) v = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  return v;
}

RunRecord full_record() {
  RunRecord r;
  r.plan_title = "CPS Area business plan 2003/04 \xE2\x80\x93 justice";
  r.plan_file = "/home/ann/plans/cps.yaml";
  r.plan_text = "plan: CPS\n# a comment with a NUL ";
  r.plan_text += '\0';
  r.plan_text += " byte\nhorizon: {start: 2003-04, periods: 4}\n";
  r.plan_sha256 = report::sha256_hex(r.plan_text);
  r.scenarios = {{"fewer-hours", "/home/ann/plans/fewer.yaml", "scenario: fewer-hours\n"},
                 {"poor-files", "/home/ann/plans/poor.yaml", "scenario: poor-files\nextends: fewer.yaml\n"}};
  r.seed = 18446744073709551557ull;  // above 2^63: kept bit for bit
  r.samples = 100000;
  r.threads = 16;
  r.options_json = R"({"json":"out.json","quiet":false})";
  r.version = "0.1.0";
  r.started_at = "2026-11-23T05:10:00Z";
  r.finished_at = "2026-11-23T05:10:04Z";
  r.results_json = R"({"format":"plansim-run/1","scenarios":[{"name":"base","targets":[)"
                   R"({"id":"cut_cracked_trials","p_hit":0.427,"rag":"red"},)"
                   R"({"id":"effective_justice","p_hit":null,"rag":"red"}]}]})";
  return r;
}

RunRecord simple_record(const std::string& title, const std::string& text, const std::string& started_at,
                        const std::string& file = "/plans/p.yaml") {
  RunRecord r;
  r.plan_title = title;
  r.plan_file = file;
  r.plan_text = text;
  r.plan_sha256 = report::sha256_hex(text);
  r.started_at = started_at;
  r.finished_at = started_at;
  r.results_json = "{}";
  return r;
}

TEST(History, RoundTripKeepsEveryField) {
  TempDir dir("roundtrip");
  const RunRecord in = full_record();
  std::int64_t id = 0;
  {
    auto h = open_ok(dir.file("h.db"));
    id = h->record(in);
    EXPECT_EQ(id, 1);
  }
  auto h = open_ok(dir.file("h.db"));  // and across a reopen
  const std::optional<StoredRun> out = h->get(id);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->id, id);
  EXPECT_EQ(out->record, in);
  EXPECT_NE(out->record.plan_text.find('\0'), std::string::npos);
  EXPECT_EQ(out->plan_first_seen, in.started_at);
  ASSERT_EQ(out->headline.size(), 2u);
  EXPECT_EQ(out->headline[0].target, "cut_cracked_trials");
  EXPECT_DOUBLE_EQ(out->headline[0].p_hit, 0.427);
  EXPECT_EQ(out->headline[0].rag, "red");
  EXPECT_TRUE(std::isnan(out->headline[1].p_hit));

  const auto rows = h->list();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].id, id);
  EXPECT_EQ(rows[0].plan_title, in.plan_title);
  EXPECT_EQ(rows[0].plan_file, in.plan_file);
  EXPECT_EQ(rows[0].plan_sha256, in.plan_sha256);
  EXPECT_EQ(rows[0].plan_first_seen, in.started_at);
  EXPECT_EQ(rows[0].started_at, in.started_at);
  EXPECT_EQ(rows[0].finished_at, in.finished_at);
  EXPECT_EQ(rows[0].scenarios, (std::vector<std::string>{"fewer-hours", "poor-files"}));
  EXPECT_EQ(rows[0].seed, in.seed);
  EXPECT_EQ(rows[0].samples, in.samples);
  EXPECT_EQ(rows[0].version, in.version);
  ASSERT_EQ(rows[0].headline.size(), 2u);
  EXPECT_EQ(rows[0].headline[0], out->headline[0]);
  EXPECT_TRUE(h->check().empty());
}

TEST(History, ListsRunsOldestFirstAndFiltersByTitleFileOrHashPrefix) {
  TempDir dir("list");
  auto h = open_ok(dir.file("h.db"));
  const std::string a = "plan: A\n", b = "plan: B\n";
  const auto id1 = h->record(simple_record("Plan A", a, "2026-01-01T00:00:00Z", "/p/a.yaml"));
  const auto id2 = h->record(simple_record("Plan B", b, "2026-01-02T00:00:00Z", "/p/b.yaml"));
  const auto id3 = h->record(simple_record("Plan A", a, "2026-01-03T00:00:00Z", "/elsewhere/a.yaml"));
  auto ids = [](const std::vector<RunRow>& rows) {
    std::vector<std::int64_t> v;
    for (const auto& r : rows) v.push_back(r.id);
    return v;
  };
  EXPECT_EQ(ids(h->list()), (std::vector<std::int64_t>{id1, id2, id3}));
  EXPECT_EQ(ids(h->list("Plan A")), (std::vector<std::int64_t>{id1, id3}));
  EXPECT_EQ(ids(h->list("/p/b.yaml")), (std::vector<std::int64_t>{id2}));
  const std::string sha_b = report::sha256_hex(b);
  EXPECT_EQ(ids(h->list(sha_b)), (std::vector<std::int64_t>{id2}));
  EXPECT_EQ(ids(h->list(sha_b.substr(0, 8))), (std::vector<std::int64_t>{id2}));
  EXPECT_TRUE(h->list(sha_b.substr(0, 3)).empty()) << "a prefix needs 6 hex digits at least";
  EXPECT_TRUE(h->list("Plan C").empty());
  EXPECT_TRUE(h->list("' OR 1=1 --").empty()) << "the filter is a bound value, not SQL";
}

TEST(History, GetOfAMissingIdIsNothing) {
  TempDir dir("missing");
  auto h = open_ok(dir.file("h.db"));
  EXPECT_FALSE(h->get(1));
  h->record(simple_record("A", "plan: A\n", "2026-01-01T00:00:00Z"));
  EXPECT_TRUE(h->get(1));
  EXPECT_FALSE(h->get(2));
  EXPECT_FALSE(h->get(0));
  EXPECT_FALSE(h->get(-1));
}

TEST(History, EachDistinctPlanTextIsOneVersionDatedByItsFirstRun) {
  TempDir dir("versions");
  auto h = open_ok(dir.file("h.db"));
  const std::string v1 = "plan: A\nhorizon: {start: 2024-01, periods: 4}\n";
  const std::string v2 = "plan: A\nhorizon: {start: 2024-01, periods: 8}\n";
  h->record(simple_record("A", v1, "2026-01-01T00:00:00Z"));
  h->record(simple_record("A", v1, "2026-01-02T00:00:00Z"));
  EXPECT_EQ(raw_int(*h, "SELECT count(*) FROM plans"), 1);
  const auto id3 = h->record(simple_record("A", v2, "2026-01-03T00:00:00Z"));
  h->record(simple_record("A", v1, "2026-01-04T00:00:00Z"));
  EXPECT_EQ(raw_int(*h, "SELECT count(*) FROM plans"), 2);
  const auto rows = h->list();
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[3].plan_first_seen, "2026-01-01T00:00:00Z");
  EXPECT_EQ(rows[2].plan_first_seen, "2026-01-03T00:00:00Z");
  EXPECT_EQ(h->get(id3)->record.plan_text, v2);
  EXPECT_EQ(h->get(4)->record.plan_text, v1);
}

TEST(History, OpenCreatesParentDirectoriesAndSetsWal) {
  TempDir dir("create");
  const std::string path = dir.file("a/b/c/history.db");
  auto h = open_ok(path);
  ASSERT_TRUE(h);
  EXPECT_TRUE(std::filesystem::exists(path));
  sqlite3_stmt* s = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(h->handle(), "PRAGMA journal_mode", -1, &s, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)), "wal");
  sqlite3_finalize(s);
  EXPECT_EQ(raw_int(*h, "PRAGMA user_version"), kSchemaVersion);
  EXPECT_EQ(raw_int(*h, "PRAGMA application_id"), kApplicationId);
  EXPECT_EQ(raw_int(*h, "PRAGMA busy_timeout"), kBusyTimeoutMs);
  EXPECT_EQ(raw_int(*h, "PRAGMA foreign_keys"), 1);
}

TEST(History, AnEmptyFileBecomesADatabase) {
  TempDir dir("empty");
  write_bytes(dir.file("h.db"), "");
  auto h = open_ok(dir.file("h.db"));
  ASSERT_TRUE(h);
  EXPECT_EQ(h->record(simple_record("A", "plan: A\n", "2026-01-01T00:00:00Z")), 1);
}

TEST(History, ANewerSchemaIsRefusedAndTheFileIsLeftByteForByte) {
  TempDir dir("newer");
  const std::string path = dir.file("h.db");
  {
    auto h = open_ok(path);
    h->record(full_record());
  }
  raw_exec(path, "PRAGMA user_version = 7");
  const std::string before = read_bytes(path);
  ASSERT_FALSE(before.empty());
  std::string error;
  EXPECT_FALSE(History::open(path, error));
  EXPECT_EQ(error, "history database " + path +
                       " has schema version 7, newer than this plansim understands (1); use a newer plansim or "
                       "--db another file");
  EXPECT_EQ(read_bytes(path), before);
}

TEST(History, ANewerSchemaInRollbackModeIsNotTurnedIntoWal) {
  TempDir dir("newer-rollback");
  const std::string path = dir.file("h.db");
  raw_exec(path, "CREATE TABLE future (x); PRAGMA user_version = 2;");
  const std::string before = read_bytes(path);
  std::string error;
  EXPECT_FALSE(History::open(path, error));
  EXPECT_NE(error.find("schema version 2, newer than this plansim understands (1)"), std::string::npos) << error;
  EXPECT_EQ(read_bytes(path), before);
  EXPECT_FALSE(std::filesystem::exists(path + "-wal"));
}

TEST(History, AFileThatIsNotADatabaseIsRefusedAndLeftAlone) {
  TempDir dir("notadb");
  const std::string path = dir.file("notes.txt");
  const std::string text = "These are my notes, not a database. They are long enough to look like a header.\n";
  write_bytes(path, text);
  std::string error;
  EXPECT_FALSE(History::open(path, error));
  EXPECT_EQ(error, path + " is not a plansim history database (not an SQLite file); use --db another file");
  EXPECT_EQ(read_bytes(path), text);
  EXPECT_FALSE(std::filesystem::exists(path + "-wal"));
}

TEST(History, AnotherProgramsSqliteDatabaseIsRefusedAndLeftAlone) {
  TempDir dir("other");
  const std::string path = dir.file("other.db");
  raw_exec(path, "CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('Ann');");
  const std::string before = read_bytes(path);
  std::string error;
  EXPECT_FALSE(History::open(path, error));
  EXPECT_NE(error.find("is not a plansim history database"), std::string::npos) << error;
  EXPECT_EQ(read_bytes(path), before);

  const std::string path2 = dir.file("other2.db");
  raw_exec(path2, "PRAGMA application_id = 1234;");
  EXPECT_FALSE(History::open(path2, error));
  EXPECT_NE(error.find("application id 0x000004d2"), std::string::npos) << error;
}

TEST(History, ADirectoryIsRefused) {
  TempDir dir("dir");
  std::string error;
  EXPECT_FALSE(History::open(dir.path().string(), error));
  EXPECT_NE(error.find("is a directory"), std::string::npos) << error;
}

TEST(History, RecordWithoutAPlanHashIsRefused) {
  TempDir dir("nohash");
  auto h = open_ok(dir.file("h.db"));
  RunRecord r = simple_record("A", "plan: A\n", "2026-01-01T00:00:00Z");
  r.plan_sha256.clear();
  EXPECT_THROW(h->record(r), std::invalid_argument);
  EXPECT_TRUE(h->list().empty());
}

TEST(History, CheckFindsARunMissingAScenario) {
  TempDir dir("check");
  auto h = open_ok(dir.file("h.db"));
  h->record(full_record());
  EXPECT_TRUE(h->check().empty());
  ASSERT_EQ(sqlite3_exec(h->handle(), "DELETE FROM run_scenarios WHERE position = 1", nullptr, nullptr, nullptr),
            SQLITE_OK);
  const auto problems = h->check();
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0], "run 1 has 1 of its 2 scenarios");
}

TEST(History, AFailedRecordLeavesNothing) {
  TempDir dir("rollback");
  auto h = open_ok(dir.file("h.db"));
  // A trigger that fails on the second scenario: the plan and run rows of
  // the same transaction must go too.
  ASSERT_EQ(sqlite3_exec(h->handle(),
                         "CREATE TEMP TRIGGER fail BEFORE INSERT ON run_scenarios WHEN NEW.position = 1 "
                         "BEGIN SELECT RAISE(ABORT, 'disk on fire'); END;",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  try {
    h->record(full_record());
    ADD_FAILURE() << "record should have thrown";
  } catch (const HistoryError& e) {
    EXPECT_NE(std::string(e.what()).find("disk on fire"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(h->list().empty());
  EXPECT_EQ(raw_int(*h, "SELECT count(*) FROM plans"), 0);
  EXPECT_EQ(raw_int(*h, "SELECT count(*) FROM run_scenarios"), 0);
  ASSERT_EQ(sqlite3_exec(h->handle(), "DROP TRIGGER fail", nullptr, nullptr, nullptr), SQLITE_OK);
  EXPECT_EQ(h->record(full_record()), 1);
}

TEST(History, DefaultPathFollowsXdgDataHomeThenHome) {
  const char* old_xdg = std::getenv("XDG_DATA_HOME");
  const char* old_home = std::getenv("HOME");
  const std::string saved_xdg = old_xdg ? old_xdg : "", saved_home = old_home ? old_home : "";
  ::setenv("XDG_DATA_HOME", "/data/ann", 1);
  ::setenv("HOME", "/home/ann", 1);
  EXPECT_EQ(default_history_path(), "/data/ann/plansim/history.db");
  ::setenv("XDG_DATA_HOME", "relative/is/ignored", 1);
  EXPECT_EQ(default_history_path(), "/home/ann/.local/share/plansim/history.db");
  ::unsetenv("XDG_DATA_HOME");
  EXPECT_EQ(default_history_path(), "/home/ann/.local/share/plansim/history.db");
  if (old_xdg) ::setenv("XDG_DATA_HOME", saved_xdg.c_str(), 1);
  if (old_home) ::setenv("HOME", saved_home.c_str(), 1);
  else ::unsetenv("HOME");
}

TEST(History, UtcNowIsIso8601) {
  const std::string now = utc_now();
  ASSERT_EQ(now.size(), 20u);
  EXPECT_EQ(now[4], '-');
  EXPECT_EQ(now[10], 'T');
  EXPECT_EQ(now[19], 'Z');
}

TEST(History, HeadlineOfTextThatIsNotRunJsonIsEmpty) {
  EXPECT_TRUE(headline_of("").empty());
  EXPECT_TRUE(headline_of("not json").empty());
  EXPECT_TRUE(headline_of("[1,2]").empty());
  EXPECT_TRUE(headline_of(R"({"scenarios":[]})").empty());
}

}  // namespace
}  // namespace plansim::store

namespace plansim::store {
namespace {

TEST(History, AFileWithAnSqliteHeaderButGarbageAfterIsRefused) {
  TempDir dir("garbage");
  const std::string path = dir.file("h.db");
  std::string bytes("SQLite format 3", 16);  // with its NUL
  bytes += std::string(4080, '\x5a');
  write_bytes(path, bytes);
  std::string error;
  EXPECT_FALSE(History::open(path, error));
  EXPECT_EQ(error, path + " is not a plansim history database (not a readable SQLite database); use --db another file");
  EXPECT_EQ(read_bytes(path), bytes);
}

TEST(History, AnEmptyPlansimDatabaseIsMigratedToTheCurrentVersion) {
  TempDir dir("migrate");
  const std::string path = dir.file("h.db");
  raw_exec(path, "PRAGMA application_id = 1347179341;");  // "PLSM", user_version 0: before any migration
  auto h = open_ok(path);
  ASSERT_TRUE(h);
  EXPECT_EQ(raw_int(*h, "PRAGMA user_version"), kSchemaVersion);
  EXPECT_EQ(h->record(full_record()), 1);
}

}  // namespace
}  // namespace plansim::store
