// Nothing is lost: writers running at once all succeed, and a writer killed
// at any moment leaves every run it committed whole and nothing half-written.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "store/history.h"
#include "tests/store/store_test_support.h"

extern char** environ;

namespace plansim::store {
namespace {

using testing::TempDir;

// Starts history_writer with standard output to `out_file`.
pid_t start_writer(const std::string& db, const std::string& tag, long count, std::size_t payload_bytes,
                   const std::string& out_file) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const std::string count_text = std::to_string(count), bytes_text = std::to_string(payload_bytes);
  std::vector<char*> argv = {const_cast<char*>(HISTORY_WRITER), const_cast<char*>(db.c_str()),
                             const_cast<char*>(tag.c_str()), const_cast<char*>(count_text.c_str()),
                             const_cast<char*>(bytes_text.c_str()), nullptr};
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, HISTORY_WRITER, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  EXPECT_EQ(rc, 0) << "cannot start " << HISTORY_WRITER;
  return rc == 0 ? pid : -1;
}

int wait_for(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

// The run ids a writer said it committed.
std::vector<std::int64_t> committed_ids(const std::string& out_file) {
  std::ifstream in(out_file);
  std::vector<std::int64_t> ids;
  std::string line;
  while (std::getline(in, line))
    if (!line.empty() && !in.eof()) ids.push_back(std::stoll(line));  // a last line without '\n' was cut
  return ids;
}

std::unique_ptr<History> open_ok(const std::string& path) {
  std::string error;
  auto h = History::open(path, error);
  EXPECT_TRUE(h) << error;
  return h;
}

// Every run is whole: its plan, every scenario, results that parse and match their checksum.
void expect_every_run_whole(History& h) {
  const auto problems = h.check();
  EXPECT_TRUE(problems.empty()) << problems.front();
  for (const auto& row : h.list()) {
    const auto run = h.get(row.id);
    ASSERT_TRUE(run) << row.id;
    EXPECT_EQ(run->record.plan_sha256, report::sha256_hex(run->record.plan_text)) << "run " << row.id;
    EXPECT_EQ(run->record.scenarios.size(), 2u) << "run " << row.id;
    EXPECT_TRUE(testing::results_whole(run->record.results_json)) << "run " << row.id;
  }
}

TEST(HistoryDurability, TwoProcessesWritingAtOnceBothSucceed) {
  TempDir dir("concurrent");
  const std::string db = dir.file("h.db");  // both writers also race to create it
  const pid_t a = start_writer(db, "a", 50, 20000, dir.file("a.out"));
  const pid_t b = start_writer(db, "b", 50, 20000, dir.file("b.out"));
  ASSERT_GT(a, 0);
  ASSERT_GT(b, 0);
  const int sa = wait_for(a), sb = wait_for(b);
  ASSERT_TRUE(WIFEXITED(sa) && WEXITSTATUS(sa) == 0) << "writer a failed";
  ASSERT_TRUE(WIFEXITED(sb) && WEXITSTATUS(sb) == 0) << "writer b failed";

  auto h = open_ok(db);
  const auto rows = h->list();
  EXPECT_EQ(rows.size(), 100u);
  std::set<std::int64_t> ids;
  for (const auto& id : committed_ids(dir.file("a.out"))) ids.insert(id);
  for (const auto& id : committed_ids(dir.file("b.out"))) ids.insert(id);
  EXPECT_EQ(ids.size(), 100u) << "each run its own id";
  int from_a = 0, from_b = 0;
  for (const auto& r : rows) {
    ASSERT_EQ(r.scenarios.size(), 2u);
    from_a += r.scenarios[1] == "tag-a";
    from_b += r.scenarios[1] == "tag-b";
  }
  EXPECT_EQ(from_a, 50);
  EXPECT_EQ(from_b, 50);
  EXPECT_EQ(h->list("Writer test plan").size(), 100u);
  expect_every_run_whole(*h);
}

TEST(HistoryDurability, WritersKilledAtRandomMomentsLoseNoCommittedRunAndLeaveNoHalfRun) {
  TempDir dir("kill9");
  const std::string db = dir.file("h.db");
  constexpr int kKills = 30;
#ifdef NDEBUG
  constexpr std::size_t kPayload = 1 << 20;  // 1 MiB of results per run
#else
  constexpr std::size_t kPayload = 1 << 18;  // unoptimised (and sanitised) JSON is slow: 256 KiB
#endif
  std::uint64_t lcg = 20260101;  // fixed: the same kill times every run of the test
  std::set<std::int64_t> committed;
  int killed_mid_run = 0;
  for (int k = 0; k < kKills; ++k) {
    lcg = lcg * 6364136223846793005ull + 1442695040888963407ull;
    const auto delay_ms = static_cast<int>((lcg >> 33) % 80);  // a run takes some 40 ms
    std::string tag = "k";  // built with += : GCC 12 warns falsely (-Wrestrict) on "k" + std::string
    tag += std::to_string(k);
    const std::string out = dir.file(tag + ".out");
    const pid_t pid = start_writer(db, tag, 0, kPayload, out);
    ASSERT_GT(pid, 0);
    // Most writers are killed a random moment after their first commit, so
    // that the kill falls anywhere in a later run whatever the machine's
    // speed; every fifth is killed a random moment after it starts (while
    // it opens, creates or migrates the database, or writes its first run).
    if (k % 5 != 0) {
      const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
      while (committed_ids(out).empty() && std::chrono::steady_clock::now() < give_up)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      EXPECT_FALSE(committed_ids(out).empty()) << "writer " << k << " committed nothing in 20 s";
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    const int status = wait_for(pid);
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) ++killed_mid_run;
    else ADD_FAILURE() << "writer " << k << " ended before it was killed (status " << status << ")";
    for (auto id : committed_ids(out)) committed.insert(id);

    // After every kill: the database opens, and every run committed so far is there.
    auto h = open_ok(db);
    ASSERT_TRUE(h);
    std::set<std::int64_t> present;
    for (const auto& r : h->list()) present.insert(r.id);
    for (auto id : committed) ASSERT_TRUE(present.count(id)) << "run " << id << " lost after kill " << k;
  }
  EXPECT_EQ(killed_mid_run, kKills);
  EXPECT_GE(committed.size(), static_cast<std::size_t>(kKills * 4 / 5));

  auto h = open_ok(db);
  ASSERT_TRUE(h);
  sqlite3_stmt* s = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(h->handle(), "PRAGMA integrity_check", -1, &s, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)), "ok");
  sqlite3_finalize(s);
  expect_every_run_whole(*h);
  RecordProperty("runs_committed", static_cast<int>(h->list().size()));
}

}  // namespace
}  // namespace plansim::store
