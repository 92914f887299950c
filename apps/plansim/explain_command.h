// `plansim explain` and `plansim seek` (issue #5, parts 2 and 3): what drives
// a target, and the change to one node that lifts it to a confidence. The
// analysis is in analysis/explain.* and analysis/seek.*, the output in
// report/explain_report.*; docs/explain-and-seek.md is the user's page.
#pragma once

#include <string>
#include <vector>

#include "apps/plansim/cli_support.h"

namespace plansim::cli {

struct ExplainArgs {
  std::string plan;
  std::vector<std::string> scenarios;  // at most one: explain the plan as it changes it
  std::string target;
  RunRequest request;
  std::string json;  // --json FILE ("-": standard output)
  bool sobol = false;
};
int explain(const ExplainArgs& args);

struct SeekArgs {
  std::string plan;
  std::string target;
  std::string node;        // --vary NODE
  std::string by = "scale";  // --by scale|shift
  std::string confidence;  // as typed; empty: the plan's
  std::string range;       // LO:HI as typed; empty: the default for the node and --by
  RunRequest request;
  std::string json;
};
int seek(const SeekArgs& args);

}  // namespace plansim::cli
