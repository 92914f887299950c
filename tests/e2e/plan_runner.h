// Helpers shared by the end-to-end tests: run a plan given as YAML text
// through the whole in-process pipeline (load, compile, simulate) and look
// up its results by id.
//
// A plan that does not load or compile throws std::runtime_error carrying
// every diagnostic, so the test that wrote it fails with the reason.
#pragma once

#include <bit>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "graph/plan_compiler.h"
#include "graph/plan_loader.h"
#include "report/json_report.h"
#include "report/run_info.h"
#include "sim/engine.h"
#include "sim/results.h"

namespace plansim::e2e {

// Compiles a loaded plan, or throws with the diagnostics of either step.
inline std::unique_ptr<graph::Program> compile_or_throw(const std::unique_ptr<graph::Plan>& plan,
                                                        rules::Diagnostics& diags) {
  if (!plan || !diags.ok()) throw std::runtime_error("the plan does not load:\n" + diags.to_string());
  auto program = graph::compile_plan(*plan, diags);
  if (!program || !diags.ok()) throw std::runtime_error("the plan does not compile:\n" + diags.to_string());
  return program;
}

inline std::unique_ptr<graph::Program> compile_text(const std::string& yaml) {
  rules::Diagnostics diags;
  auto plan = graph::load_plan_text(yaml, "test.yaml", diags);
  return compile_or_throw(plan, diags);
}

inline sim::RunOptions options_for(std::uint64_t samples, std::uint64_t seed, int threads) {
  sim::RunOptions options;
  options.samples = samples;
  options.seed = seed;
  options.threads = threads;
  return options;
}

// Loads and compiles `yaml`, then runs it with the given options.
inline sim::RunResult run_plan(const std::string& yaml, std::uint64_t samples, std::uint64_t seed,
                               int threads = 2) {
  return sim::run(*compile_text(yaml), options_for(samples, seed, threads));
}

// The same for a plan file (one that reads a units table beside it, say).
inline sim::RunResult run_plan_file(const std::string& path, std::uint64_t samples, std::uint64_t seed,
                                    int threads = 2) {
  rules::Diagnostics diags;
  auto plan = graph::load_plan_file(path, diags);
  return sim::run(*compile_or_throw(plan, diags), options_for(samples, seed, threads));
}

// The run as `plansim run --json` would write it, as text.
inline std::string run_json_text(const sim::RunResult& r, const std::vector<std::string>& periods) {
  report::RunInfo info;
  info.plan_title = "test";
  info.plan_file = "test.yaml";
  info.seed = r.summary.seed;
  info.samples = r.summary.samples;
  info.periods = periods;
  return report::run_json(info, r, 0.8).dump();
}

inline const sim::TargetResult& target(const sim::RunResult& r, std::string_view id) {
  for (const auto& t : r.base().targets)
    if (t.id == id) return t;
  throw std::out_of_range("no target '" + std::string(id) + "' in the results");
}

inline const sim::MeasureResult& measure(const sim::RunResult& r, std::string_view id) {
  for (const auto& m : r.base().measures)
    if (m.id == id) return m;
  throw std::out_of_range("no measure '" + std::string(id) + "' in the results");
}

inline const sim::ResourceResult& resource(const sim::RunResult& r, std::string_view id) {
  for (const auto& x : r.base().resources)
    if (x.id == id) return x;
  throw std::out_of_range("no resource '" + std::string(id) + "' in the results");
}

// Every number a target reports, as bit patterns, so that == means bitwise
// identical (and a NaN equals the same NaN).
inline std::vector<std::uint64_t> bits_of(const sim::TargetResult& t) {
  std::vector<double> v = {t.p_hit, t.ci95.lo, t.ci95.hi, t.p10, t.p50, t.p90, t.achievable, t.threshold};
  for (const auto& m : t.milestones) {
    v.push_back(m.p_hit);
    v.push_back(m.ci95.lo);
    v.push_back(m.ci95.hi);
    v.push_back(m.threshold);
  }
  std::vector<std::uint64_t> out;
  for (double x : v) out.push_back(std::bit_cast<std::uint64_t>(x));
  return out;
}

inline std::vector<std::uint64_t> bits_of(const sim::MeasureResult& m) {
  std::vector<std::uint64_t> out;
  for (const auto& p : m.periods)
    for (double x : {p.mean, p.p10, p.p50, p.p90}) out.push_back(std::bit_cast<std::uint64_t>(x));
  return out;
}

inline std::vector<std::uint64_t> bits_of(const sim::ResourceResult& r) {
  std::vector<std::uint64_t> out;
  for (const auto& p : r.periods)
    for (double x : {p.available, p.demand, p.p_short}) out.push_back(std::bit_cast<std::uint64_t>(x));
  return out;
}

}  // namespace plansim::e2e
