// What identifies a run in every output: the plan, its hash, seed and samples.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace plansim::report {

struct RunInfo {
  std::string plan_title;
  std::string plan_file;
  std::string plan_sha256;           // of the plan file's bytes
  std::uint64_t seed = 0;
  std::uint64_t samples = 0;
  std::vector<std::string> periods;  // "YYYY-MM" of each period's first month
  std::string version;               // plansim's, e.g. "0.1.0"
  std::string started_at;            // when the run started, UTC, ISO 8601 ("2026-11-23T05:10:00Z")
  double confidence = 0.8;           // the plan's, for achievable levels
  // How the samples were drawn: "monte_carlo", or "latin_hypercube" (--method lhs).
  std::string method = "monte_carlo";
  std::vector<double> confidences;   // --confidence: achievable levels at each (empty: not asked for)
  // --precision: how the run chose its sample count (`samples` is the count it stopped at).
  struct Precision {
    double half_width = 0.0;        // asked for
    std::uint64_t batch = 0;        // samples per batch
    std::uint64_t max_samples = 0;  // the ceiling (whole batches)
    std::uint64_t batches = 0;      // batches run
    std::string stopped;            // "precision_reached" | "max_samples_reached"
    double widest = 0.0;            // the widest target's 95% half-width of P(hit) at the end
    std::string widest_scenario, widest_target, widest_unit;
  };
  std::optional<Precision> precision;
};

// Lower-case hex SHA-256 of `bytes` (OpenSSL).
std::string sha256_hex(const std::string& bytes);

}  // namespace plansim::report
