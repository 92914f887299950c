#include "store/history.h"

#include <sqlite3.h>

#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <limits>
#include <thread>
#include <nlohmann/json.hpp>
#include <utility>

namespace plansim::store {
namespace {

namespace fs = std::filesystem;

// The schema, as an ordered list of migrations: migration i brings a
// database from version i to version i + 1. Released migrations are never
// edited; a change to the schema is a new entry at the end (and
// kSchemaVersion one higher). Each runs in the same transaction as the
// user_version update, so a database is always at exactly one version.
struct Migration {
  int to_version;
  const char* sql;
};

constexpr std::array kMigrations = {
    Migration{1, R"sql(
      CREATE TABLE plans (
        id         INTEGER PRIMARY KEY,
        sha256     TEXT NOT NULL UNIQUE,   -- of text: the plan version
        title      TEXT NOT NULL,
        text       TEXT NOT NULL,
        first_seen TEXT NOT NULL           -- started_at of its first run
      );
      CREATE TABLE runs (
        id             INTEGER PRIMARY KEY,
        plan_id        INTEGER NOT NULL REFERENCES plans(id),
        plan_file      TEXT NOT NULL,
        started_at     TEXT NOT NULL,
        finished_at    TEXT NOT NULL,
        seed           INTEGER NOT NULL,   -- the unsigned 64-bit seed's bits
        samples        INTEGER NOT NULL,
        threads        INTEGER NOT NULL,
        options_json   TEXT NOT NULL,
        version        TEXT NOT NULL,
        scenario_count INTEGER NOT NULL,   -- rows in run_scenarios
        results_json   TEXT NOT NULL,
        headline       TEXT NOT NULL       -- [{target, p_hit, rag}] of the base
      );
      CREATE INDEX runs_by_plan ON runs(plan_id);
      CREATE TABLE run_scenarios (
        run_id   INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        name     TEXT NOT NULL,
        file     TEXT NOT NULL,
        text     TEXT NOT NULL,
        PRIMARY KEY (run_id, position)
      ) WITHOUT ROWID;
    )sql"},
};
static_assert(kMigrations.size() == kSchemaVersion, "one migration per schema version");

std::string message(sqlite3* db, const std::string& path, const char* what) {
  std::string m = "history database ";
  m += path;
  m += ": ";
  m += what;
  m += ": ";
  m += sqlite3_errmsg(db);
  if (sqlite3_errcode(db) == SQLITE_BUSY)
    m += " (another plansim kept it locked for more than " + std::to_string(kBusyTimeoutMs / 1000) + " s)";
  return m;
}

// A prepared statement; binds by 1-based position.
class Statement {
 public:
  Statement(sqlite3* db, const std::string& path, const char* sql) : db_(db), path_(path) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) {
      const int code = sqlite3_errcode(db);
      std::string what = message(db, path, "cannot prepare a statement");
      sqlite3_finalize(stmt_);
      throw HistoryError(what, code);
    }
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  void bind(int i, const std::string& v) {
    check(sqlite3_bind_text64(stmt_, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
  }
  void bind(int i, std::int64_t v) { check(sqlite3_bind_int64(stmt_, i, v)); }
  void bind_null(int i) { check(sqlite3_bind_null(stmt_, i)); }

  // True while there is a row; false when done.
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw HistoryError(message(db_, path_, "cannot read or write"), sqlite3_errcode(db_));
  }
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  std::string text(int col) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    const int n = sqlite3_column_bytes(stmt_, col);
    return p ? std::string(p, static_cast<std::size_t>(n)) : std::string();
  }
  std::int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }

 private:
  void check(int rc) {
    if (rc != SQLITE_OK) throw HistoryError(message(db_, path_, "cannot bind a value"), sqlite3_errcode(db_));
  }
  sqlite3* db_;
  const std::string& path_;
  sqlite3_stmt* stmt_ = nullptr;
};

void exec(sqlite3* db, const std::string& path, const char* sql) {
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK)
    throw HistoryError(message(db, path, "cannot update"), sqlite3_errcode(db));
}

// A transaction rolled back unless committed. IMMEDIATE takes the write
// lock at once (waiting up to the busy timeout), so a writer never fails
// half-way on a lock another writer holds.
class Transaction {
 public:
  Transaction(sqlite3* db, const std::string& path, bool write) : db_(db), path_(path) {
    exec(db, path, write ? "BEGIN IMMEDIATE" : "BEGIN");
  }
  ~Transaction() {
    if (!done_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit() {
    exec(db_, path_, "COMMIT");
    done_ = true;
  }

 private:
  sqlite3* db_;
  const std::string& path_;
  bool done_ = false;
};

std::int64_t pragma_int(sqlite3* db, const std::string& path, const char* sql) {
  Statement s(db, path, sql);
  return s.step() ? s.int64(0) : 0;
}

std::string newer_message(const std::string& path, std::int64_t version) {
  std::string m = "history database ";
  m += path;
  m += " has schema version " + std::to_string(version) + ", newer than this plansim understands (" +
       std::to_string(kSchemaVersion) + "); use a newer plansim or --db another file";
  return m;
}

std::string not_ours_message(const std::string& path, const std::string& why) {
  std::string m = path;
  m += " is not a plansim history database (";
  m += why;
  m += "); use --db another file";
  return m;
}

// Whether the file starts as every SQLite database does. Empty files are
// fine: SQLite makes them a database.
bool looks_like_sqlite(const std::string& path, std::string& why) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec || size == 0) return true;
  std::ifstream in(path, std::ios::binary);
  std::array<char, 16> header{};
  in.read(header.data(), header.size());
  if (in.gcount() == static_cast<std::streamsize>(header.size()) &&
      std::memcmp(header.data(), "SQLite format 3", 16) == 0)
    return true;
  why = "not an SQLite file";
  return false;
}

// Switches the database to WAL (a no-op when it is already). The switch
// needs a moment alone with the file, and SQLite answers SQLITE_BUSY at
// once, without its busy handler, while another connection reads it; so
// retry until the busy timeout. A file system without shared memory keeps
// the rollback journal, which is slower for concurrent readers but as safe.
void enable_wal(sqlite3* db, const std::string& path) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kBusyTimeoutMs);
  for (;;) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1, &stmt, nullptr);
    if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    if (rc == SQLITE_ROW || rc == SQLITE_DONE) return;
    const int primary = rc & 0xff;
    if ((primary != SQLITE_BUSY && primary != SQLITE_LOCKED) || std::chrono::steady_clock::now() > deadline)
      throw HistoryError(message(db, path, "cannot switch to write-ahead logging"), primary);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

void apply_migrations(sqlite3* db, const std::string& path) {
  Transaction tx(db, path, true);
  // Read again under the write lock: another process may have migrated it.
  const std::int64_t version = pragma_int(db, path, "PRAGMA user_version");
  if (version > kSchemaVersion) throw HistoryError(newer_message(path, version));
  for (const Migration& m : kMigrations)
    if (m.to_version > version) exec(db, path, m.sql);
  char sql[96];
  std::snprintf(sql, sizeof sql, "PRAGMA user_version = %d", kSchemaVersion);
  exec(db, path, sql);
  std::snprintf(sql, sizeof sql, "PRAGMA application_id = %d", static_cast<int>(kApplicationId));
  exec(db, path, sql);
  tx.commit();
}

nlohmann::json number_or_null(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

std::string headline_json(const std::vector<Headline>& headline) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& h : headline)
    a.push_back({{"target", h.target}, {"p_hit", number_or_null(h.p_hit)}, {"rag", h.rag}});
  return a.dump();
}

std::vector<Headline> parse_headline(const std::string& text) {
  std::vector<Headline> out;
  const nlohmann::json a = nlohmann::json::parse(text, nullptr, false);
  if (!a.is_array()) return out;
  for (const auto& h : a) {
    if (!h.is_object()) continue;
    Headline x;
    x.target = h.value("target", "");
    const auto p = h.find("p_hit");
    x.p_hit = (p != h.end() && p->is_number()) ? p->get<double>() : std::numeric_limits<double>::quiet_NaN();
    x.rag = h.value("rag", "");
    out.push_back(std::move(x));
  }
  return out;
}

std::vector<std::string> scenario_names(Statement& s, std::int64_t run_id) {
  s.reset();
  s.bind(1, run_id);
  std::vector<std::string> names;
  while (s.step()) names.push_back(s.text(0));
  return names;
}

}  // namespace

std::unique_ptr<History> History::open(const std::string& path, std::string& error) {
  error.clear();
  if (path.empty()) {
    error = "no history database given (an empty path)";
    return nullptr;
  }
  std::error_code ec;
  const fs::path p(path);
  if (p.has_parent_path() && !fs::exists(p.parent_path(), ec)) {
    fs::create_directories(p.parent_path(), ec);
    if (ec) {
      error = "cannot create the directory " + p.parent_path().string() + " for the history database: " + ec.message();
      return nullptr;
    }
  }
  if (fs::is_directory(p, ec)) {
    error = not_ours_message(path, "it is a directory");
    return nullptr;
  }
  std::string why;
  if (!looks_like_sqlite(path, why)) {
    error = not_ours_message(path, why);
    return nullptr;
  }

  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  std::unique_ptr<History> h(new History(raw, path));  // closes the handle, even a failed one
  if (rc != SQLITE_OK) {
    error = raw ? message(raw, path, "cannot open") : "history database " + path + ": cannot open: out of memory";
    return nullptr;
  }
  sqlite3_busy_timeout(raw, kBusyTimeoutMs);

  try {
    // Look before changing anything: these reads never write to the file.
    // One snapshot, so that another process creating the database at the
    // same moment is seen either before or after, never half-way.
    std::int64_t version = 0, app_id = 0, objects = 0;
    {
      Transaction snapshot(raw, path, false);
      version = pragma_int(raw, path, "PRAGMA user_version");
      app_id = pragma_int(raw, path, "PRAGMA application_id");
      objects = pragma_int(raw, path, "SELECT count(*) FROM sqlite_master");
      snapshot.commit();
    }
    if (version > kSchemaVersion) {
      error = newer_message(path, version);
      return nullptr;
    }
    if (app_id != kApplicationId && (app_id != 0 || version != 0 || objects != 0)) {
      char buf[96];
      std::snprintf(buf, sizeof buf, "an SQLite database of another program, application id 0x%08llx",
                    static_cast<unsigned long long>(static_cast<std::uint32_t>(app_id)));
      error = not_ours_message(path, app_id != 0 ? buf : "an SQLite database with tables of another program");
      return nullptr;
    }

    enable_wal(raw, path);
    exec(raw, path, "PRAGMA synchronous = FULL");
    exec(raw, path, "PRAGMA foreign_keys = ON");
    if (version < kSchemaVersion) apply_migrations(raw, path);
  } catch (const HistoryError& e) {
    error = e.what();
    if (e.sqlite_code() == SQLITE_NOTADB) error = not_ours_message(path, "not a readable SQLite database");
    return nullptr;
  }
  return h;
}

History::~History() { sqlite3_close_v2(db_); }

std::int64_t History::record(const RunRecord& run) {
  if (run.plan_sha256.empty()) throw std::invalid_argument("History::record: the plan's SHA-256 is empty");
  // Parse the results before taking the write lock: other writers wait less.
  const std::string headline = headline_json(headline_of(run.results_json));

  Transaction tx(db_, path_, true);
  {
    Statement s(db_, path_,
                "INSERT INTO plans (sha256, title, text, first_seen) VALUES (?1, ?2, ?3, ?4) "
                "ON CONFLICT (sha256) DO NOTHING");
    s.bind(1, run.plan_sha256);
    s.bind(2, run.plan_title);
    s.bind(3, run.plan_text);
    s.bind(4, run.started_at);
    s.step();
  }
  std::int64_t plan_id = 0;
  {
    Statement s(db_, path_, "SELECT id FROM plans WHERE sha256 = ?1");
    s.bind(1, run.plan_sha256);
    if (!s.step()) throw HistoryError("history database " + path_ + ": the plan row vanished");
    plan_id = s.int64(0);
  }
  std::int64_t run_id = 0;
  {
    Statement s(db_, path_,
                "INSERT INTO runs (plan_id, plan_file, started_at, finished_at, seed, samples, threads, "
                "options_json, version, scenario_count, results_json, headline) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
    s.bind(1, plan_id);
    s.bind(2, run.plan_file);
    s.bind(3, run.started_at);
    s.bind(4, run.finished_at);
    s.bind(5, static_cast<std::int64_t>(run.seed));
    s.bind(6, static_cast<std::int64_t>(run.samples));
    s.bind(7, static_cast<std::int64_t>(run.threads));
    s.bind(8, run.options_json);
    s.bind(9, run.version);
    s.bind(10, static_cast<std::int64_t>(run.scenarios.size()));
    s.bind(11, run.results_json);
    s.bind(12, headline);
    s.step();
    run_id = sqlite3_last_insert_rowid(db_);
  }
  {
    Statement s(db_, path_,
                "INSERT INTO run_scenarios (run_id, position, name, file, text) VALUES (?1, ?2, ?3, ?4, ?5)");
    for (std::size_t i = 0; i < run.scenarios.size(); ++i) {
      s.reset();
      s.bind(1, run_id);
      s.bind(2, static_cast<std::int64_t>(i));
      s.bind(3, run.scenarios[i].name);
      s.bind(4, run.scenarios[i].file);
      s.bind(5, run.scenarios[i].text);
      s.step();
    }
  }
  tx.commit();
  return run_id;
}

std::vector<RunRow> History::list(const std::optional<std::string>& plan) {
  Transaction tx(db_, path_, false);  // one consistent snapshot
  Statement s(db_, path_,
              "SELECT r.id, r.started_at, r.finished_at, p.title, r.plan_file, p.sha256, p.first_seen, "
              "       r.seed, r.samples, r.version, r.headline "
              "FROM runs r JOIN plans p ON p.id = r.plan_id "
              "WHERE ?1 IS NULL OR p.title = ?1 OR r.plan_file = ?1 "
              "   OR (length(?1) >= 6 AND substr(p.sha256, 1, length(?1)) = lower(?1)) "
              "ORDER BY r.id");
  if (plan) s.bind(1, *plan);
  else s.bind_null(1);
  Statement names(db_, path_, "SELECT name FROM run_scenarios WHERE run_id = ?1 ORDER BY position");
  std::vector<RunRow> rows;
  while (s.step()) {
    RunRow r;
    r.id = s.int64(0);
    r.started_at = s.text(1);
    r.finished_at = s.text(2);
    r.plan_title = s.text(3);
    r.plan_file = s.text(4);
    r.plan_sha256 = s.text(5);
    r.plan_first_seen = s.text(6);
    r.seed = static_cast<std::uint64_t>(s.int64(7));
    r.samples = static_cast<std::uint64_t>(s.int64(8));
    r.version = s.text(9);
    r.headline = parse_headline(s.text(10));
    rows.push_back(std::move(r));
  }
  for (auto& r : rows) r.scenarios = scenario_names(names, r.id);
  tx.commit();
  return rows;
}

std::optional<StoredRun> History::get(std::int64_t id) {
  Transaction tx(db_, path_, false);
  Statement s(db_, path_,
              "SELECT r.plan_id, p.first_seen, p.title, r.plan_file, p.text, p.sha256, r.seed, r.samples, "
              "       r.threads, r.options_json, r.version, r.started_at, r.finished_at, r.results_json, "
              "       r.headline "
              "FROM runs r JOIN plans p ON p.id = r.plan_id WHERE r.id = ?1");
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  StoredRun out;
  out.id = id;
  out.plan_id = s.int64(0);
  out.plan_first_seen = s.text(1);
  RunRecord& r = out.record;
  r.plan_title = s.text(2);
  r.plan_file = s.text(3);
  r.plan_text = s.text(4);
  r.plan_sha256 = s.text(5);
  r.seed = static_cast<std::uint64_t>(s.int64(6));
  r.samples = static_cast<std::uint64_t>(s.int64(7));
  r.threads = static_cast<int>(s.int64(8));
  r.options_json = s.text(9);
  r.version = s.text(10);
  r.started_at = s.text(11);
  r.finished_at = s.text(12);
  r.results_json = s.text(13);
  out.headline = parse_headline(s.text(14));
  Statement sc(db_, path_, "SELECT name, file, text FROM run_scenarios WHERE run_id = ?1 ORDER BY position");
  sc.bind(1, id);
  while (sc.step()) r.scenarios.push_back({sc.text(0), sc.text(1), sc.text(2)});
  tx.commit();
  return out;
}

std::vector<std::string> History::check() {
  std::vector<std::string> problems;
  {
    Statement s(db_, path_, "PRAGMA integrity_check");
    while (s.step())
      if (std::string row = s.text(0); row != "ok") problems.push_back("integrity_check: " + row);
  }
  {
    Statement s(db_, path_, "PRAGMA foreign_key_check");
    while (s.step())
      problems.push_back("table " + s.text(0) + " row " + std::to_string(s.int64(1)) + " refers to a missing row of " +
                         s.text(2));
  }
  {
    Statement s(db_, path_,
                "SELECT r.id, r.scenario_count, count(s.run_id) FROM runs r "
                "LEFT JOIN run_scenarios s ON s.run_id = r.id GROUP BY r.id "
                "HAVING count(s.run_id) != r.scenario_count");
    while (s.step())
      problems.push_back("run " + std::to_string(s.int64(0)) + " has " + std::to_string(s.int64(2)) + " of its " +
                         std::to_string(s.int64(1)) + " scenarios");
  }
  return problems;
}

std::string default_history_path() {
  const char* xdg = std::getenv("XDG_DATA_HOME");
  if (xdg && xdg[0] == '/') return (fs::path(xdg) / "plansim" / "history.db").string();
  const char* home = std::getenv("HOME");
  if (home && home[0] != '\0') return (fs::path(home) / ".local" / "share" / "plansim" / "history.db").string();
  return "plansim-history.db";
}

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::vector<Headline> headline_of(const std::string& results_json) {
  std::vector<Headline> out;
  const nlohmann::json j = nlohmann::json::parse(results_json, nullptr, false);
  if (!j.is_object()) return out;
  const auto sc = j.find("scenarios");
  if (sc == j.end() || !sc->is_array() || sc->empty() || !(*sc)[0].is_object()) return out;
  const auto targets = (*sc)[0].find("targets");
  if (targets == (*sc)[0].end() || !targets->is_array()) return out;
  for (const auto& t : *targets) {
    if (!t.is_object()) continue;
    Headline h;
    const auto id = t.find("id");
    if (id != t.end() && id->is_string()) h.target = id->get<std::string>();
    const auto p = t.find("p_hit");
    h.p_hit = (p != t.end() && p->is_number()) ? p->get<double>() : std::numeric_limits<double>::quiet_NaN();
    const auto rag = t.find("rag");
    if (rag != t.end() && rag->is_string()) h.rag = rag->get<std::string>();
    out.push_back(std::move(h));
  }
  return out;
}

}  // namespace plansim::store
