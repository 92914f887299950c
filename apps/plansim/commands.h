// The plansim commands (cli.md). Each returns the process's exit code.
#pragma once

#include <string>
#include <vector>

#include "apps/plansim/cli_support.h"

namespace plansim::cli {

int check(const std::string& plan, const std::vector<std::string>& scenarios);
int graph_dot(const std::string& plan, const std::vector<std::string>& scenarios, const std::string& dot);

struct RunArgs {
  std::string plan;
  std::vector<std::string> scenarios;
  RunRequest request;
  std::string json;     // --json FILE ("-": standard output)
  std::string csv;      // --csv DIR
  std::string report;   // --report FILE.html
  std::string db;       // --db FILE (default: store::default_history_path())
  bool no_history = false;
};
int run_plan(const RunArgs& args);

struct AchievableArgs {
  std::string plan;
  std::string target;
  std::vector<std::string> scenarios;
  RunRequest request;  // --confidence (default 0.5,0.8,0.9,0.95 and the plan's), --samples, --seed, --threads
  std::string json;    // --json FILE ("-": standard output)
};
// The target is checked before anything runs: an unknown one is a usage
// error (2) with a suggestion, as is a composite target (it has no level).
int achievable(const AchievableArgs& args);

struct SweepArgs {
  std::string plan;
  std::vector<std::string> varies;   // NODE=FROM:TO:STEP
  std::vector<std::string> targets;  // empty: all
  RunRequest request;
  std::string csv;
};
int sweep(const SweepArgs& args);

}  // namespace plansim::cli
