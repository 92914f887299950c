// Reading typed fields out of a YamlNode tree, with a Diagnostic for every
// mistake: the shared vocabulary of the plan and scenario loaders.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "graph/plan.h"
#include "graph/yaml_tree.h"
#include "rules/diagnostic.h"

namespace plansim::graph {

// Parses exactly "YYYY-MM" (four digits, '-', two digits, month 01..12).
bool parse_year_month(const YamlNode& n, int& year, int& month);

// The shortest text that reads back as the same number: "0.7", not "0.700000".
std::string number_text(double v);

class FieldReader {
 public:
  FieldReader(std::string file, rules::Diagnostics& diags) : file_(std::move(file)), diags_(diags) {}

  void error(rules::SourcePos pos, std::string_view node, std::string message, std::string hint = {}) {
    diags_.error(file_, pos, std::string(node), std::move(message), std::move(hint));
  }

  // Reports keys of `map` not in `allowed`, suggesting the nearest allowed one.
  void check_keys(const YamlNode& map, const std::vector<std::string>& allowed, std::string_view node,
                  std::string_view where);
  const YamlNode* require(const YamlNode& map, std::string_view key, std::string_view node, std::string_view where);
  bool expect_map(const YamlNode& n, std::string_view node, std::string_view what);

  std::optional<double> number(const YamlNode& n, std::string_view node, std::string_view what);
  std::optional<std::uint64_t> count(const YamlNode& n, std::string_view node, std::string_view what,
                                     std::uint64_t min);
  std::optional<double> probability(const YamlNode& n, std::string_view node, std::string_view what);
  std::string text(const YamlNode& n, std::string_view node, std::string_view what);
  // The period of a month YYYY-MM (needs a horizon: see set_horizon).
  std::optional<int> month(const YamlNode& n, std::string_view node, std::string_view what);
  ExprPtr expression(const YamlNode& n, std::string_view node);
  // A constant expression (baselines, thresholds): numbers and arithmetic;
  // with a units table also its columns, for local nodes, and aggregations
  // of its columns, for plan-wide ones (plan-format.md section 8).
  ExprPtr constant_expression(const YamlNode& n, std::string_view node, std::string_view what,
                              const UnitTable* columns = nullptr, bool local = false);

  // The horizon months are read against; null until it is known to be valid.
  void set_horizon(const Horizon* h) { horizon_ = h; }
  const Horizon* horizon() const { return horizon_; }
  const std::string& file() const { return file_; }

 private:
  std::string file_;
  rules::Diagnostics& diags_;
  const Horizon* horizon_ = nullptr;
};

}  // namespace plansim::graph
