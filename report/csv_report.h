// The `--csv DIR` output: the run's figures as five CSV files (six when the
// plan has local targets) that Excel and LibreOffice open directly.
//
//   targets.csv     scenario,target,unit,label,kind,measure,direction,threshold,by,p_hit,ci95_low,ci95_high,
//                   p10,p50,p90,achievable_confidence,achievable_level,rag
//   milestones.csv  scenario,target,unit,by,direction,threshold,p_hit,ci95_low,ci95_high
//   measures.csv    scenario,measure,unit,period,mean,p10,p25,p50,p75,p90
//   resources.csv   scenario,resource,unit,period,available,demand,p_short
//   comparison.csv  scenario,target,unit,p_hit,delta_vs_base,delta_ci95_low,delta_ci95_high
//   local_targets.csv  scenario,target,label,unit_name,units,expected_units_hitting,ci95_low,ci95_high,
//                   green,amber,red   (only when some scenario has local targets)
//
// One header row, then one row per scenario and item (and period), the base
// scenario first. Numbers use '.' and are written in the shortest form that
// reads back to the same double (std::to_chars); NaN, infinities and
// figures a row does not have (a composite target's threshold) are empty
// cells. Text fields are quoted per RFC 4180 when they hold a comma, quote,
// CR or LF, or start or end with a space. Lines end with CRLF (RFC 4180).
// Periods are "YYYY-MM" labels; directions "at_most" | "at_least"; rag
// "green" | "amber" | "red", as in the JSON output. `unit` is a local
// target's or local measure's unit id, one row per unit after the plan-wide
// rows, and empty for plan-wide items (the JSON writes null); a local
// measure keeps only its mean per unit, so its other figures are empty, as
// are a local target's quantiles and achievable level. resources.csv's
// unit is always empty. local_targets.csv has one row per scenario and local
// target: how many units are expected to hit it, with its 95% interval, and
// the units by RAG; `units`, `green`, `amber` and `red` are counts.
#pragma once

#include <string>

#include "report/run_info.h"
#include "sim/results.h"

namespace plansim::report {

// The file names, in the order they are written.
inline constexpr const char* kCsvFiles[] = {"targets.csv", "milestones.csv", "measures.csv", "resources.csv",
                                            "comparison.csv"};
// Written after them when some scenario has local targets (and removed from
// `dir` when none has, so the folder never mixes two runs).
inline constexpr const char* kLocalTargetsCsv = "local_targets.csv";

// The text of each file (exposed for tests).
std::string targets_csv(const RunInfo& info, const sim::RunResult& result);
std::string milestones_csv(const RunInfo& info, const sim::RunResult& result);
std::string measures_csv(const RunInfo& info, const sim::RunResult& result);
std::string resources_csv(const RunInfo& info, const sim::RunResult& result);
std::string comparison_csv(const sim::RunResult& result);
std::string local_targets_csv(const sim::RunResult& result);
bool has_local_targets(const sim::RunResult& result);

// Creates `dir` (and its parents) when needed and writes the files,
// each through a temporary file in `dir` and a rename, so a reader never
// sees half a file. Returns "" on success, else what went wrong (naming the
// file); files written before the failure are left in place.
std::string write_csv_dir(const std::string& dir, const RunInfo& info, const sim::RunResult& result);

// One CSV field: `s` quoted when RFC 4180 requires it (or it starts or ends
// with a space), else as it is.
std::string csv_field(const std::string& s);

// A number in the shortest text that reads back to the same double; "" when
// not finite.
std::string csv_number(double v);

}  // namespace plansim::report
