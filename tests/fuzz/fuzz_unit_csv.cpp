// Fuzzes the units CSV reader (graph/unit_table.h: parse_unit_csv) on
// arbitrary text. A table it accepts must be whole: one id per row, one
// value per column and unit, every value finite, ids unique.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>

#include "graph/unit_table.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  plansim::graph::UnitTable table;
  plansim::rules::Diagnostics diags;
  const bool ok = plansim::graph::parse_unit_csv(text, "units.csv", table, diags);
  const std::string messages = diags.to_string();
  if (!ok) {
    PLANSIM_FUZZ_CHECK(!diags.ok(), "a refused table says why");
    return 0;
  }
  PLANSIM_FUZZ_CHECK(diags.ok(), "an accepted table has no errors");
  PLANSIM_FUZZ_CHECK(!table.ids.empty(), "an accepted table has units");
  PLANSIM_FUZZ_CHECK(table.ids.size() <= plansim::graph::kMaxUnits, "the unit limit holds");
  PLANSIM_FUZZ_CHECK(table.values.size() == table.columns.size(), "one value list per column");
  for (const auto& column : table.values) {
    PLANSIM_FUZZ_CHECK(column.size() == table.ids.size(), "one value per unit in every column");
    for (double v : column) PLANSIM_FUZZ_CHECK(std::isfinite(v), "values are finite");
  }
  const std::set<std::string> distinct(table.ids.begin(), table.ids.end());
  PLANSIM_FUZZ_CHECK(distinct.size() == table.ids.size(), "unit ids are unique");
  for (const auto& id : table.ids) PLANSIM_FUZZ_CHECK(!id.empty(), "unit ids are not empty");
  return 0;
}
