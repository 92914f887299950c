// What the store's tests and the history_writer helper share: runs to
// record, with results that carry a checksum of their own payload so that a
// half-written run would show.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <unistd.h>

#include "report/run_info.h"
#include "store/history.h"

namespace plansim::store::testing {

inline std::string fnv1a_hex(const std::string& s) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

// Three versions of one plan: the runs cycle through them.
inline std::string plan_text(int version) {
  std::string t = "plan: Writer test plan\nhorizon: {start: 2024-04, periods: 4, step: quarter}\n";
  t += "assumptions:\n  growth: normal(0.03, 0.02)\n";
  t += "measures:\n  rate:\n    baseline: 0.5\n    value: 0.5 + growth + " + std::to_string(version) + " * 0.01\n";
  t += "targets:\n  cut_rate: {measure: rate, at_most: 0.5}\n";
  return t;
}

// `payload_bytes` of letters that depend on (tag, i).
inline std::string payload(const std::string& tag, long i, std::size_t payload_bytes) {
  std::uint64_t x = std::hash<std::string>{}(tag) ^ (static_cast<std::uint64_t>(i) * 0x9e3779b97f4a7c15ull);
  std::string p(payload_bytes, 'a');
  for (auto& c : p) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    c = static_cast<char>('a' + x % 26);
  }
  return p;
}

// A run whose results_json is plansim-run-shaped and carries its payload's checksum.
inline RunRecord writer_record(const std::string& tag, long i, std::size_t payload_bytes) {
  RunRecord r;
  r.plan_text = plan_text(static_cast<int>(i % 3));
  r.plan_sha256 = report::sha256_hex(r.plan_text);
  r.plan_title = "Writer test plan";
  r.plan_file = "/plans/writer.yaml";
  r.scenarios = {{"cut", "/plans/cut.yaml", "scenario: cut\nset: {growth: 0}\n"},
                 {"tag-" + tag, "/plans/" + tag + ".yaml", "scenario: tag-" + tag + "\n"}};
  r.seed = static_cast<std::uint64_t>(i);
  r.samples = 1000;
  r.threads = 2;
  r.options_json = R"({"writer":")" + tag + "\"}";
  r.version = "0.1.0";
  r.started_at = "2026-01-01T00:00:00Z";
  r.finished_at = "2026-01-01T00:00:01Z";
  nlohmann::ordered_json j;
  j["format"] = "plansim-run/1";
  j["plan"] = r.plan_title;
  j["tag"] = tag;
  j["i"] = i;
  j["scenarios"] = {{{"name", "base"}, {"targets", {{{"id", "cut_rate"}, {"p_hit", 0.5}, {"rag", "amber"}}}}}};
  const std::string p = payload(tag, i, payload_bytes);
  j["checksum"] = fnv1a_hex(p);
  j["payload"] = p;
  r.results_json = j.dump();
  return r;
}

// Whether a stored results_json is whole: it parses and its checksum matches.
inline bool results_whole(const std::string& results_json) {
  const auto j = nlohmann::json::parse(results_json, nullptr, false);
  if (!j.is_object() || !j.contains("payload") || !j.contains("checksum")) return false;
  return fnv1a_hex(j["payload"].get<std::string>()) == j["checksum"].get<std::string>();
}

// A fresh directory under the system's temporary directory, removed on destruction.
class TempDir {
 public:
  explicit TempDir(const std::string& name) {
    path_ = std::filesystem::temp_directory_path() /
            ("plansim-store-" + name + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace plansim::store::testing
