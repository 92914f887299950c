// The units of plan-format.md section 9: a table with one row per unit (its
// id, then numeric columns), read from a CSV file or from inline `rows`.
//
// Every mistake in the data is a Diagnostic at the file, line and column of
// the cell (a bad number, an empty or repeated id, a row of the wrong
// length, a header name that expressions could not spell), so a spreadsheet
// export can be fixed from the message alone.
#pragma once

#include <cstddef>
#include <string>

#include "graph/field_reader.h"
#include "graph/plan.h"
#include "graph/yaml_tree.h"
#include "rules/diagnostic.h"

namespace plansim::graph {

// Limits on a units table, each reported with how to raise it.
inline constexpr std::size_t kMaxUnits = 100000;
inline constexpr std::size_t kMaxUnitColumns = 1000;
inline constexpr std::size_t kMaxUnitTableBytes = 64u << 20;  // 64 MiB

// Parses CSV text (header row first; RFC 4180 quoting; a UTF-8 byte order
// mark and CRLF line ends accepted) into `out`'s columns, ids and values.
// `file` names the text in diagnostics. Returns false after reporting.
bool parse_unit_csv(const std::string& text, const std::string& file, UnitTable& out,
                    rules::Diagnostics& diags);

// Reads the `units:` section (`name`, and `table` or `rows`) into plan.units.
// A table path is relative to the directory of the plan file.
void load_units(const YamlNode& section, FieldReader& in, Plan& plan, rules::Diagnostics& diags);

}  // namespace plansim::graph
