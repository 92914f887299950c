// `plansim history`: the runs recorded in the history database.
//
//   plansim history [PLAN]        the runs (of PLAN: a plan file, a plan title
//                                 or a SHA-256 prefix of a plan version)
//   plansim history show ID       reprint a run: what ran, and its tables
//   plansim history diff ID1 ID2  per target how P(hit) moved, and which
//                                 nodes of the plan changed between the runs
//
// Exit codes: 0 done; 1 no such run, or the database cannot be read (newer
// schema, not a history database); 2 the arguments are wrong.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace plansim::cli {

// `args` are the words after `history`; `db_path` the history database
// (the default path or --db). Prints on standard output and standard error.
int history_command(const std::vector<std::string>& args, const std::string& db_path);

// The same, printing on `out` and `err` (tests).
int history_command(const std::vector<std::string>& args, const std::string& db_path, std::ostream& out,
                    std::ostream& err);

}  // namespace plansim::cli
