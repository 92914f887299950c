#include "graph/field_reader.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "rules/functions.h"
#include "rules/parser.h"
#include "rules/suggest.h"

namespace plansim::graph {

using rules::SourcePos;

// Parses exactly "YYYY-MM" (four digits, '-', two digits, month 01..12).
bool parse_year_month(const YamlNode& n, int& year, int& month) {
  const std::string& s = n.scalar;
  auto digits = [&](std::size_t from, std::size_t count) {
    return std::all_of(s.begin() + static_cast<std::ptrdiff_t>(from),
                       s.begin() + static_cast<std::ptrdiff_t>(from + count),
                       [](char c) { return c >= '0' && c <= '9'; });
  };
  if (!n.is_scalar() || s.size() != 7 || s[4] != '-' || !digits(0, 4) || !digits(5, 2)) return false;
  year = std::stoi(s.substr(0, 4));
  month = std::stoi(s.substr(5, 2));
  return month >= 1 && month <= 12;
}

// Shortest text that reads back as the same number: messages quote values as written.
std::string number_text(double v) {
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, v);
  return std::string(buffer, result.ptr);
}

void FieldReader::check_keys(const YamlNode& map, const std::vector<std::string>& allowed,
                        std::string_view node, std::string_view where) {
  for (const auto& e : map.entries) {
    if (std::find(allowed.begin(), allowed.end(), e.key) != allowed.end()) continue;
    std::string hint = rules::did_you_mean(e.key, allowed);
    // `{value: normal(10, 2)}` splits at the comma inside a flow mapping.
    if (hint.empty() && e.key.find(')') != std::string::npos)
      hint = "inside { } a comma ends the value: quote expressions with commas, e.g. {value: \"normal(10, 2)\"}";
    if (hint.empty()) {
      hint = "allowed keys: ";
      for (std::size_t i = 0; i < allowed.size(); ++i) hint += (i ? ", " : "") + allowed[i];
    }
    error(e.key_pos, node, "unknown key '" + e.key + "' in " + std::string(where), hint);
  }
}

const YamlNode* FieldReader::require(const YamlNode& map, std::string_view key, std::string_view node,
                                std::string_view where) {
  const YamlNode* v = map.find(key);
  if (!v) error(map.pos, node, std::string(where) + " needs '" + std::string(key) + "'");
  return v;
}

bool FieldReader::expect_map(const YamlNode& n, std::string_view node, std::string_view what) {
  if (n.is_map()) return true;
  error(n.pos, node, std::string(what) + " must be a mapping (key: value lines), not " + n.kind_name());
  return false;
}

std::optional<double> FieldReader::number(const YamlNode& n, std::string_view node, std::string_view what) {
  if (n.is_scalar()) {
    if (is_nan_or_inf(n)) {
      error(n.pos, node, std::string(what) + " must be a finite number, not '" + n.scalar + "'");
      return std::nullopt;
    }
    if (auto v = parse_number(n)) return v;
  }
  error(n.pos, node,
        std::string(what) + " must be a number, not " +
            (n.is_scalar() ? "'" + n.scalar + "'" : std::string(n.kind_name())));
  return std::nullopt;
}

std::optional<std::uint64_t> FieldReader::count(const YamlNode& n, std::string_view node,
                                           std::string_view what, std::uint64_t min) {
  auto v = number(n, node, what);
  if (!v) return std::nullopt;
  if (*v < static_cast<double>(min) || *v != std::floor(*v) || *v > 9.0e18) {
    error(n.pos, node, std::string(what) + " must be a whole number >= " + std::to_string(min) +
                           " (got " + n.scalar + ")");
    return std::nullopt;
  }
  return static_cast<std::uint64_t>(*v);
}

std::optional<double> FieldReader::probability(const YamlNode& n, std::string_view node,
                                          std::string_view what) {
  auto v = number(n, node, what);
  if (v && (*v < 0.0 || *v > 1.0)) {
    error(n.pos, node, std::string(what) + " is a probability and must be in [0, 1] (got " + n.scalar + ")");
    return std::nullopt;
  }
  return v;
}

std::string FieldReader::text(const YamlNode& n, std::string_view node, std::string_view what) {
  if (n.is_scalar()) return n.scalar;
  if (!n.is_null()) error(n.pos, node, std::string(what) + " must be text, not " + n.kind_name());
  return {};
}

std::optional<int> FieldReader::month(const YamlNode& n, std::string_view node, std::string_view what) {
  int year = 0, mon = 0;
  if (!parse_year_month(n, year, mon)) {
    error(n.pos, node, std::string(what) + " must be a month written YYYY-MM, not '" + n.scalar + "'");
    return std::nullopt;
  }
  if (!horizon_) return std::nullopt;
  int t = horizon_->period_of(year, mon);
  if (t < 0) {
    const Horizon& h = *horizon_;
    error(n.pos, node,
          std::string(what) + " " + n.scalar + " is outside the horizon " + h.label(0) + " .. " + h.end_label());
    return std::nullopt;
  }
  return t;
}

ExprPtr FieldReader::expression(const YamlNode& n, std::string_view node) {
  if (!n.is_scalar()) {
    error(n.pos, node, std::string("expected an expression (a number or text such as 'normal(0, 1)'), not ") +
                           n.kind_name());
    return nullptr;
  }
  if (is_nan_or_inf(n)) {
    error(n.pos, node, "'" + n.scalar + "' is not a finite number");
    return nullptr;
  }
  rules::ParseContext ctx{file_, std::string(node), n.pos, false, {}};
  if (n.style == ScalarStyle::kQuoted) ctx.origin.col += 1;
  if (n.style == ScalarStyle::kLiteral || n.style == ScalarStyle::kFolded) ctx.origin.col = 0;
  ctx.positions = n.char_pos;
  return rules::parse_expression(n.scalar, ctx, diags_);
}

// True when the tree is made of numbers, arithmetic and, where `columns`
// is given, the table's columns (in local nodes, or inside aggregations).
static bool constant_only(const rules::Expr& e, const UnitTable* columns, bool local, bool in_aggregation,
                          const rules::Expr*& culprit) {
  if (e.kind == rules::ExprKind::kName) {
    const bool ok = columns && columns->column(e.name) >= 0 && (local || in_aggregation);
    if (!ok && !culprit) culprit = &e;
    return ok;
  }
  if (e.kind == rules::ExprKind::kCall) {
    const auto* f = rules::find_function(e.name);
    if (!f) return false;
    if (f->kind == rules::FunctionKind::kAggregate) {
      if (!columns || local || in_aggregation) return false;
      in_aggregation = true;
    } else if (f->kind != rules::FunctionKind::kMath) {
      return false;
    }
  }
  for (const auto& a : e.args)
    if (!constant_only(*a, columns, local, in_aggregation, culprit)) return false;
  return true;
}

ExprPtr FieldReader::constant_expression(const YamlNode& n, std::string_view node, std::string_view what,
                                         const UnitTable* columns, bool local) {
  ExprPtr e = expression(n, node);
  const rules::Expr* culprit = nullptr;
  if (e && !constant_only(*e, columns, local, false, culprit)) {
    // A name close to a column is a misspelt column, not a wish for a variable baseline.
    if (culprit && columns && (local || !columns->columns.empty())) {
      const std::string guess = rules::did_you_mean(culprit->name, columns->columns);
      if (!guess.empty() && columns->column(culprit->name) < 0) {
        error(culprit->pos, node, "unknown name '" + culprit->name + "' in " + std::string(what), guess);
        return nullptr;
      }
    }
    error(n.pos, node,
          std::string(what) + " must be a constant (numbers and arithmetic" +
              (!columns ? ")" : local ? ", and columns of the units table)" : ", and aggregations of table columns)"),
          "move uncertainty into the measure's value or an assumption");
    return nullptr;
  }
  return e;
}

}  // namespace plansim::graph
