// Run history: every `plansim run` recorded in an SQLite database file.
//
// A History is one connection to one database file. Each distinct plan text
// is stored once (keyed by its SHA-256) and dated by the first run that used
// it: that is a plan "version". A run stores its plan version, the plan file
// it was read from, its scenarios' full texts, seed, samples, threads, the
// other options as JSON, plansim's version, when it started and finished,
// and the whole results JSON (`plansim-run/1`).
//
// Nothing is lost:
//   - the database is in WAL mode with synchronous=FULL; every run is
//     written in one transaction (BEGIN IMMEDIATE ... COMMIT), so a process
//     killed at any moment (kill -9, Ctrl-C, power cut after the commit's
//     fsync) leaves every earlier run intact and no part of its own;
//   - several processes may write at once: a writer waits up to
//     kBusyTimeoutMs for another's transaction instead of failing;
//   - the schema is versioned (PRAGMA user_version) and upgraded by an
//     ordered list of migrations, each in a transaction. A database whose
//     version is newer than this build knows, a file that is not an SQLite
//     database, or an SQLite database of another program is refused with a
//     clear message and never modified.
//
// Thread-safety: a History is used by one thread at a time; open one per
// thread or process (they coordinate through SQLite's file locks).
// Failures after open() (disk full, a lock held past the timeout) throw
// HistoryError with SQLite's message.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

struct sqlite3;

namespace plansim::store {

// The schema version this build writes; older databases are migrated up to it.
inline constexpr int kSchemaVersion = 1;
// PRAGMA application_id of a plansim history database ("PLSM").
inline constexpr std::int32_t kApplicationId = 0x504c534d;
// How long a writer waits for another process's transaction.
inline constexpr int kBusyTimeoutMs = 10000;

class HistoryError : public std::runtime_error {
 public:
  explicit HistoryError(const std::string& what, int sqlite_code = 0)
      : std::runtime_error(what), sqlite_code_(sqlite_code) {}
  // SQLite's primary result code (SQLITE_BUSY, SQLITE_FULL, ...), 0 when none.
  int sqlite_code() const { return sqlite_code_; }

 private:
  int sqlite_code_;
};

// A scenario of a run, as it was given on the command line.
struct ScenarioText {
  std::string name;  // the scenario's name (`scenario:` in the file)
  std::string file;  // the path it was read from
  std::string text;  // the file's full text
  bool operator==(const ScenarioText&) const = default;
};

// What record() stores for one run. Times are ISO 8601 UTC
// ("2026-11-23T05:10:00Z", see utc_now()).
struct RunRecord {
  std::string plan_title;   // the plan's `plan:` title
  std::string plan_file;    // the path the plan was read from (best absolute)
  std::string plan_text;    // the plan file's full text
  std::string plan_sha256;  // lower-case hex SHA-256 of plan_text (required)
  std::vector<ScenarioText> scenarios;  // in command-line order; the base is not one
  std::uint64_t seed = 0;
  std::uint64_t samples = 0;
  int threads = 0;
  std::string options_json = "{}";  // any other options, a JSON object as text
  std::string version;              // plansim's, e.g. "0.1.0"
  std::string started_at;
  std::string finished_at;
  std::string results_json;  // the run's `plansim-run/1` JSON, as text
  bool operator==(const RunRecord&) const = default;
};

// One base target's P(hit), kept beside each run for listings. Taken from
// results_json's first scenario when the run is recorded.
struct Headline {
  std::string target;
  double p_hit = 0.0;  // NaN when the results had none
  std::string rag;     // "green" | "amber" | "red" | ""
  bool operator==(const Headline&) const = default;
};

// A run as list() shows it: no texts, no results.
struct RunRow {
  std::int64_t id = 0;
  std::string started_at;
  std::string finished_at;
  std::string plan_title;
  std::string plan_file;
  std::string plan_sha256;      // the plan version...
  std::string plan_first_seen;  // ...and when it was first run (ISO 8601 UTC)
  std::vector<std::string> scenarios;  // names, in order
  std::uint64_t seed = 0;
  std::uint64_t samples = 0;
  std::string version;  // plansim's
  std::vector<Headline> headline;
};

// A run as get() returns it: everything that was recorded.
struct StoredRun {
  std::int64_t id = 0;
  std::int64_t plan_id = 0;
  std::string plan_first_seen;
  RunRecord record;
  std::vector<Headline> headline;
};

class History {
 public:
  // Opens (creating it and its parent directories when missing) the history
  // database at `path` and brings its schema up to kSchemaVersion. On
  // failure returns nullptr and sets `error` to a sentence naming the file.
  static std::unique_ptr<History> open(const std::string& path, std::string& error);

  ~History();
  History(const History&) = delete;
  History& operator=(const History&) = delete;

  const std::string& path() const { return path_; }

  // Stores a run in one transaction and returns its id (1, 2, ...). The plan
  // text is stored once per distinct plan_sha256; its first_seen is the
  // started_at of the first run that used it. Throws HistoryError (nothing
  // is stored then) or std::invalid_argument when plan_sha256 is empty.
  std::int64_t record(const RunRecord& run);

  // Runs in the order they were recorded (oldest first). With `plan`, only
  // runs whose plan title or plan file equals it, or whose plan SHA-256
  // starts with it (at least 6 hex digits).
  std::vector<RunRow> list(const std::optional<std::string>& plan = std::nullopt);

  // The run with this id, or nullopt.
  std::optional<StoredRun> get(std::int64_t id);

  // Checks the database: SQLite's integrity_check and foreign_key_check,
  // and that every run has all its scenarios. Returns the problems found,
  // empty when there are none.
  std::vector<std::string> check();

  // The underlying connection (tests).
  sqlite3* handle() const { return db_; }

 private:
  History(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;
  std::string path_;
};

// $XDG_DATA_HOME/plansim/history.db, else $HOME/.local/share/plansim/history.db,
// else "plansim-history.db" in the current directory.
std::string default_history_path();

// The current time, UTC, ISO 8601 to the second ("2026-11-23T05:10:00Z").
std::string utc_now();

// The base targets' P(hit) in a `plansim-run/1` results JSON text, in order;
// empty when the text is not such JSON.
std::vector<Headline> headline_of(const std::string& results_json);

}  // namespace plansim::store
