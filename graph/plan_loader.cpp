#include "graph/plan_loader.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <set>

#include "rules/functions.h"
#include "rules/parser.h"
#include "rules/suggest.h"

namespace plansim::graph {
namespace {

using rules::Diagnostics;
using rules::SourcePos;

const std::map<std::string, double> kDefaultLikelihood = {
    {"VL", 0.05}, {"L", 0.15}, {"M", 0.35}, {"H", 0.6}, {"VH", 0.85}};

// Loads one file's worth of plan; holds the diagnostics sink and file name so
// that every check below reads as one line.
class Loader {
 public:
  Loader(Plan& plan, Diagnostics& diags) : plan_(plan), diags_(diags) {}

  void load(const YamlNode& root);

 private:
  void error(SourcePos pos, std::string_view node, std::string message, std::string hint = {}) {
    diags_.error(plan_.file, pos, std::string(node), std::move(message), std::move(hint));
  }

  // Reports keys of `map` not in `allowed`, suggesting the nearest allowed one.
  void check_keys(const YamlNode& map, const std::vector<std::string>& allowed,
                  std::string_view node, std::string_view where);
  const YamlNode* require(const YamlNode& map, std::string_view key, std::string_view node,
                          std::string_view where);
  bool expect_map(const YamlNode& n, std::string_view node, std::string_view what);

  std::optional<double> number(const YamlNode& n, std::string_view node, std::string_view what);
  std::optional<std::uint64_t> count(const YamlNode& n, std::string_view node,
                                     std::string_view what, std::uint64_t min);
  std::optional<double> probability(const YamlNode& n, std::string_view node, std::string_view what);
  std::string text(const YamlNode& n, std::string_view node, std::string_view what);
  std::optional<int> month(const YamlNode& n, std::string_view node, std::string_view what);
  ExprPtr expression(const YamlNode& n, std::string_view node);
  // A constant expression of numbers only (baselines, thresholds).
  ExprPtr constant_expression(const YamlNode& n, std::string_view node, std::string_view what);

  void load_horizon(const YamlNode& n);
  void load_settings(const YamlNode& n);
  void load_scales(const YamlNode& n);
  bool declare(NodeInfo& info, const YamlNode::Entry& e, NodeKind kind);
  void load_common(NodeInfo& info, const YamlNode& n);
  template <typename Fn>
  void for_each_node(const YamlNode* section, NodeKind kind, Fn&& fn);

  void load_assumption(Assumption& a, const YamlNode& n);
  void load_resource(Resource& r, const YamlNode& n);
  void load_action(Action& a, const YamlNode& n);
  void load_risk(Risk& r, const YamlNode& n);
  void load_measure(Measure& m, const YamlNode& n);
  void load_target(Target& t, const YamlNode& n);
  std::optional<Direction> direction(const YamlNode& n, std::string_view node, ExprPtr& threshold);

  Plan& plan_;
  Diagnostics& diags_;
  bool horizon_ok_ = false;
};

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

const std::vector<std::string> kCommonKeys = {"label", "owner", "unit", "notes"};

std::vector<std::string> with_common(std::vector<std::string> keys) {
  keys.insert(keys.end(), kCommonKeys.begin(), kCommonKeys.end());
  return keys;
}

void Loader::check_keys(const YamlNode& map, const std::vector<std::string>& allowed,
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

const YamlNode* Loader::require(const YamlNode& map, std::string_view key, std::string_view node,
                                std::string_view where) {
  const YamlNode* v = map.find(key);
  if (!v) error(map.pos, node, std::string(where) + " needs '" + std::string(key) + "'");
  return v;
}

bool Loader::expect_map(const YamlNode& n, std::string_view node, std::string_view what) {
  if (n.is_map()) return true;
  error(n.pos, node, std::string(what) + " must be a mapping (key: value lines), not " + n.kind_name());
  return false;
}

std::optional<double> Loader::number(const YamlNode& n, std::string_view node, std::string_view what) {
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

std::optional<std::uint64_t> Loader::count(const YamlNode& n, std::string_view node,
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

std::optional<double> Loader::probability(const YamlNode& n, std::string_view node,
                                          std::string_view what) {
  auto v = number(n, node, what);
  if (v && (*v < 0.0 || *v > 1.0)) {
    error(n.pos, node, std::string(what) + " is a probability and must be in [0, 1] (got " + n.scalar + ")");
    return std::nullopt;
  }
  return v;
}

std::string Loader::text(const YamlNode& n, std::string_view node, std::string_view what) {
  if (n.is_scalar()) return n.scalar;
  if (!n.is_null()) error(n.pos, node, std::string(what) + " must be text, not " + n.kind_name());
  return {};
}

std::optional<int> Loader::month(const YamlNode& n, std::string_view node, std::string_view what) {
  int year = 0, mon = 0;
  if (!parse_year_month(n, year, mon)) {
    error(n.pos, node, std::string(what) + " must be a month written YYYY-MM, not '" + n.scalar + "'");
    return std::nullopt;
  }
  if (!horizon_ok_) return std::nullopt;
  int t = plan_.horizon.period_of(year, mon);
  if (t < 0) {
    const Horizon& h = plan_.horizon;
    error(n.pos, node,
          std::string(what) + " " + n.scalar + " is outside the horizon " + h.label(0) + " .. " + h.end_label());
    return std::nullopt;
  }
  return t;
}

ExprPtr Loader::expression(const YamlNode& n, std::string_view node) {
  if (!n.is_scalar()) {
    error(n.pos, node, std::string("expected an expression (a number or text such as 'normal(0, 1)'), not ") +
                           n.kind_name());
    return nullptr;
  }
  if (is_nan_or_inf(n)) {
    error(n.pos, node, "'" + n.scalar + "' is not a finite number");
    return nullptr;
  }
  rules::ParseContext ctx{plan_.file, std::string(node), n.pos, false};
  if (n.style == ScalarStyle::kQuoted) ctx.origin.col += 1;
  if (n.style == ScalarStyle::kLiteral || n.style == ScalarStyle::kFolded) ctx.origin.col = 0;
  return rules::parse_expression(n.scalar, ctx, diags_);
}

// True when the tree uses nothing but numbers and arithmetic.
bool numbers_only(const rules::Expr& e) {
  if (e.kind == rules::ExprKind::kName) return false;
  if (e.kind == rules::ExprKind::kCall) {
    const auto* f = rules::find_function(e.name);
    if (!f || f->kind != rules::FunctionKind::kMath) return false;
  }
  for (const auto& a : e.args)
    if (!numbers_only(*a)) return false;
  return true;
}

ExprPtr Loader::constant_expression(const YamlNode& n, std::string_view node, std::string_view what) {
  ExprPtr e = expression(n, node);
  if (e && !numbers_only(*e)) {
    error(n.pos, node, std::string(what) + " must be a constant (numbers and arithmetic only)",
          "move uncertainty into the measure's value or an assumption");
    return nullptr;
  }
  return e;
}

void Loader::load(const YamlNode& root) {
  if (!root.is_map()) {
    error(root.pos, "", std::string("a plan must be a mapping of sections (plan:, horizon:, ...), not ") +
                            root.kind_name());
    return;
  }
  static const std::vector<std::string> kSections = {
      "plan",  "horizon",  "settings", "scales",       "assumptions", "resources", "actions",
      "risks", "measures", "targets",  "correlations", "responses",   "units",     "local"};
  check_keys(root, kSections, "", "the plan (sections are plan, horizon, settings, ...)");

  if (const YamlNode* title = require(root, "plan", "", "the plan")) {
    plan_.title = text(*title, "", "plan (the title)");
    if (title->is_scalar() && plan_.title.empty()) error(title->pos, "", "the plan's title is empty");
  }
  if (const YamlNode* h = require(root, "horizon", "", "the plan")) load_horizon(*h);
  if (const YamlNode* s = root.find("settings")) load_settings(*s);
  plan_.likelihood_scale = kDefaultLikelihood;
  if (const YamlNode* s = root.find("scales")) load_scales(*s);

  for (const char* later : {"correlations", "responses", "units", "local"}) {
    const YamlNode::Entry* e = root.find_entry(later);
    if (!e) continue;
    const YamlNode& v = *e->value;
    bool empty = v.is_null() || (v.is_map() && v.entries.empty()) || (v.is_seq() && v.items.empty());
    if (!empty)
      error(e->key_pos, "", std::string("section '") + later + "' is not supported by this version of plansim yet",
            "remove it to run the rest of the plan");
  }

  for_each_node(root.find("assumptions"), NodeKind::kAssumption, [&](NodeInfo info, const YamlNode& n) {
    plan_.assumptions.emplace_back().info = std::move(info);
    load_assumption(plan_.assumptions.back(), n);
  });
  for_each_node(root.find("resources"), NodeKind::kResource, [&](NodeInfo info, const YamlNode& n) {
    plan_.resources.emplace_back().info = std::move(info);
    load_resource(plan_.resources.back(), n);
  });
  for_each_node(root.find("actions"), NodeKind::kAction, [&](NodeInfo info, const YamlNode& n) {
    plan_.actions.emplace_back().info = std::move(info);
    load_action(plan_.actions.back(), n);
  });
  for_each_node(root.find("risks"), NodeKind::kRisk, [&](NodeInfo info, const YamlNode& n) {
    plan_.risks.emplace_back().info = std::move(info);
    load_risk(plan_.risks.back(), n);
  });
  for_each_node(root.find("measures"), NodeKind::kMeasure, [&](NodeInfo info, const YamlNode& n) {
    plan_.measures.emplace_back().info = std::move(info);
    load_measure(plan_.measures.back(), n);
  });
  for_each_node(root.find("targets"), NodeKind::kTarget, [&](NodeInfo info, const YamlNode& n) {
    plan_.targets.emplace_back().info = std::move(info);
    load_target(plan_.targets.back(), n);
  });
}

void Loader::load_horizon(const YamlNode& n) {
  if (!expect_map(n, "", "horizon")) return;
  check_keys(n, {"start", "periods", "step"}, "", "horizon");
  Horizon& h = plan_.horizon;
  bool ok = true;
  if (const YamlNode* s = require(n, "start", "", "horizon")) {
    int year = 0, mon = 0;
    if (parse_year_month(*s, year, mon)) {
      h.start_year = year;
      h.start_month = mon;
    } else {
      error(s->pos, "", "horizon start must be a month written YYYY-MM, not '" + s->scalar + "'");
      ok = false;
    }
  } else {
    ok = false;
  }
  if (const YamlNode* p = require(n, "periods", "", "horizon")) {
    auto v = count(*p, "", "horizon periods", 1);
    if (v && *v > static_cast<std::uint64_t>(kMaxPeriods)) {
      error(p->pos, "", "horizon periods " + p->scalar + " exceeds the limit of " +
                            std::to_string(kMaxPeriods),
            "use a longer step (quarter or year) or raise kMaxPeriods in graph/plan_loader.h");
      v.reset();
    }
    if (v) h.periods = static_cast<int>(*v);
    ok = ok && v.has_value();
  } else {
    ok = false;
  }
  if (const YamlNode* s = require(n, "step", "", "horizon")) {
    if (s->scalar == "month") h.step = Step::kMonth;
    else if (s->scalar == "quarter") h.step = Step::kQuarter;
    else if (s->scalar == "year") h.step = Step::kYear;
    else {
      error(s->pos, "", "horizon step must be month, quarter or year, not '" + s->scalar + "'",
            rules::did_you_mean(s->scalar, {"month", "quarter", "year"}));
      ok = false;
    }
  } else {
    ok = false;
  }
  horizon_ok_ = ok;
}

void Loader::load_settings(const YamlNode& n) {
  if (!expect_map(n, "", "settings")) return;
  check_keys(n, {"samples", "seed", "confidence", "rag"}, "", "settings");
  Settings& s = plan_.settings;
  if (const YamlNode* v = n.find("samples")) s.samples = count(*v, "", "settings samples", 1);
  if (const YamlNode* v = n.find("seed")) s.seed = count(*v, "", "settings seed", 0);
  if (const YamlNode* v = n.find("confidence")) {
    auto c = number(*v, "", "settings confidence");
    if (c && (*c <= 0.0 || *c >= 1.0))
      error(v->pos, "", "settings confidence must be strictly between 0 and 1 (got " + v->scalar + ")");
    else if (c)
      s.confidence = *c;
  }
  if (const YamlNode* r = n.find("rag")) {
    if (!expect_map(*r, "", "settings rag")) return;
    check_keys(*r, {"green", "amber"}, "", "settings rag");
    if (const YamlNode* g = r->find("green"))
      if (auto p = probability(*g, "", "settings rag green")) s.rag.green = *p;
    if (const YamlNode* a = r->find("amber"))
      if (auto p = probability(*a, "", "settings rag amber")) s.rag.amber = *p;
    if (s.rag.amber > s.rag.green)
      error(r->pos, "", "settings rag: amber (" + number_text(s.rag.amber) +
                            ") must not be above green (" + number_text(s.rag.green) + ")");
  }
}

void Loader::load_scales(const YamlNode& n) {
  if (!expect_map(n, "", "scales")) return;
  check_keys(n, {"likelihood"}, "", "scales");
  const YamlNode* l = n.find("likelihood");
  if (!l || !expect_map(*l, "", "scales likelihood")) return;
  for (const auto& e : l->entries)
    if (auto p = probability(*e.value, "", "likelihood label '" + e.key + "'"))
      plan_.likelihood_scale[e.key] = *p;
}

bool Loader::declare(NodeInfo& info, const YamlNode::Entry& e, NodeKind kind) {
  info.name = e.key;
  info.kind = kind;
  info.pos = e.key_pos;
  if (!valid_node_name(e.key)) {
    error(e.key_pos, e.key,
          "'" + e.key + "' is not a valid node name",
          "names are lower-case letters, digits and '_', starting with a letter or '_', and not a "
          "function name, keyword, 't' or 'funding'");
    return false;
  }
  if (plan_.index.size() >= kMaxNodes) {
    error(e.key_pos, e.key, "the plan has more than " + std::to_string(kMaxNodes) + " nodes",
          "split the plan, or raise kMaxNodes in graph/plan_loader.h");
    return false;
  }
  auto it = plan_.index.find(e.key);
  if (it != plan_.index.end()) {
    const NodeInfo& first = plan_.info(it->second);
    error(e.key_pos, e.key,
          "node name '" + e.key + "' is already used by the " + to_string(first.kind) + " at line " +
              std::to_string(first.pos.line),
          "node names are unique across all sections");
    return false;
  }
  return true;
}

void Loader::load_common(NodeInfo& info, const YamlNode& n) {
  if (!n.is_map()) return;
  if (const YamlNode* v = n.find("label")) info.label = text(*v, info.name, "label");
  if (const YamlNode* v = n.find("owner")) info.owner = text(*v, info.name, "owner");
  if (const YamlNode* v = n.find("unit")) info.unit = text(*v, info.name, "unit");
  if (const YamlNode* v = n.find("notes")) info.notes = text(*v, info.name, "notes");
}

template <typename Fn>
void Loader::for_each_node(const YamlNode* section, NodeKind kind, Fn&& fn) {
  if (!section || section->is_null()) return;
  if (!expect_map(*section, "", section_name(kind))) return;
  for (const auto& e : section->entries) {
    NodeInfo info;
    if (!declare(info, e, kind)) continue;
    load_common(info, *e.value);
    std::size_t index = 0;
    switch (kind) {
      case NodeKind::kAssumption: index = plan_.assumptions.size(); break;
      case NodeKind::kResource: index = plan_.resources.size(); break;
      case NodeKind::kAction: index = plan_.actions.size(); break;
      case NodeKind::kRisk: index = plan_.risks.size(); break;
      case NodeKind::kMeasure: index = plan_.measures.size(); break;
      case NodeKind::kTarget: index = plan_.targets.size(); break;
    }
    plan_.index.emplace(info.name, Plan::Ref{kind, index});
    fn(std::move(info), *e.value);
  }
}

void Loader::load_assumption(Assumption& a, const YamlNode& n) {
  const std::string& name = a.info.name;
  const YamlNode* value = &n;  // short form: the value itself
  if (n.is_map()) {
    check_keys(n, with_common({"value", "per"}), name, "an assumption");
    value = require(n, "value", name, "an assumption");
    if (const YamlNode* per = n.find("per")) {
      if (per->scalar == "period") a.per_period = true;
      else if (per->scalar != "plan")
        error(per->pos, name, "per must be 'plan' or 'period', not '" + per->scalar + "'",
              rules::did_you_mean(per->scalar, {"plan", "period"}));
    }
  }
  if (!value) return;
  if (value->is_seq()) {
    if (horizon_ok_ && static_cast<int>(value->items.size()) != plan_.horizon.periods) {
      error(value->pos, name,
            "a path needs one value per period: " + std::to_string(plan_.horizon.periods) + " expected, " +
                std::to_string(value->items.size()) + " given");
    }
    for (const auto& item : value->items) a.path.push_back(expression(*item, name));
    return;
  }
  a.value = expression(*value, name);
}

void Loader::load_resource(Resource& r, const YamlNode& n) {
  const std::string& name = r.info.name;
  if (!expect_map(n, name, "a resource")) return;
  check_keys(n, with_common({"available"}), name, "a resource");
  if (const YamlNode* v = require(n, "available", name, "a resource")) r.available = expression(*v, name);
}

void Loader::load_action(Action& a, const YamlNode& n) {
  const std::string& name = a.info.name;
  if (!expect_map(n, name, "an action")) return;
  check_keys(n, with_common({"needs", "from", "due", "delivery"}), name, "an action");
  if (const YamlNode* needs = n.find("needs")) {
    if (expect_map(*needs, name, "needs")) {
      for (const auto& e : needs->entries)
        a.needs.push_back({e.key, e.key_pos, expression(*e.value, name)});
    }
  }
  a.from = 0;
  a.due = plan_.horizon.periods - 1;
  const YamlNode* from = n.find("from");
  const YamlNode* due = n.find("due");
  if (from)
    if (auto t = month(*from, name, "from")) a.from = *t;
  if (due)
    if (auto t = month(*due, name, "due")) a.due = *t;
  if (a.from > a.due)
    error((from ? from : &n)->pos, name,
          "the action starts (from " + (from ? from->scalar : plan_.horizon.label(a.from)) +
              ") after it is due (" + (due ? due->scalar : plan_.horizon.label(a.due)) + ")");
  if (const YamlNode* d = n.find("delivery")) a.delivery = expression(*d, name);
}

void Loader::load_risk(Risk& r, const YamlNode& n) {
  const std::string& name = r.info.name;
  if (!expect_map(n, name, "a risk")) return;
  check_keys(n, with_common({"likelihood", "impact", "mitigated_by"}), name, "a risk");
  if (const YamlNode* l = require(n, "likelihood", name, "a risk")) {
    auto label = plan_.likelihood_scale.find(l->scalar);
    if (l->is_scalar() && l->style == ScalarStyle::kPlain && label != plan_.likelihood_scale.end()) {
      r.likelihood = rules::Expr::make_number(label->second, l->pos);
    } else if (auto v = l->is_scalar() ? parse_number(*l) : std::nullopt) {
      if (*v < 0.0 || *v > 1.0)
        error(l->pos, name, "likelihood is a probability and must be in [0, 1] (got " + l->scalar + ")");
      else
        r.likelihood = rules::Expr::make_number(*v, l->pos);
    } else {
      bool upper = l->is_scalar() && !l->scalar.empty() &&
                   std::all_of(l->scalar.begin(), l->scalar.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
      if (upper) {
        std::vector<std::string> labels;
        for (const auto& [k, _] : plan_.likelihood_scale) labels.push_back(k);
        std::string hint = rules::did_you_mean(l->scalar, labels);
        if (hint.empty()) {
          hint = "labels on the likelihood scale:";
          for (const auto& k : labels) hint += " " + k;
        }
        error(l->pos, name, "unknown likelihood label '" + l->scalar + "'", hint);
      } else {
        r.likelihood = expression(*l, name);
      }
    }
  }
  if (const YamlNode* i = n.find("impact")) r.impact = expression(*i, name);
  if (const YamlNode* m = n.find("mitigated_by")) {
    if (expect_map(*m, name, "mitigated_by")) {
      for (const auto& e : m->entries) {
        auto f = number(*e.value, name, "mitigation factor for '" + e.key + "'");
        if (f && *f < 0.0) {
          error(e.value->pos, name, "mitigation factor must be >= 0 (got " + e.value->scalar + ")",
                "it multiplies the likelihood when the action is delivered: 0.5 halves it");
          continue;
        }
        if (f) r.mitigated_by.push_back({e.key, e.key_pos, *f});
      }
    }
  }
}

void Loader::load_measure(Measure& m, const YamlNode& n) {
  const std::string& name = m.info.name;
  if (!expect_map(n, name, "a measure")) return;
  check_keys(n, with_common({"baseline", "value", "range"}), name, "a measure");
  if (const YamlNode* b = n.find("baseline")) m.baseline = constant_expression(*b, name, "baseline");
  if (const YamlNode* v = n.find("value")) m.value = expression(*v, name);
  if (!n.find("baseline") && !n.find("value"))
    error(n.pos, name, "a measure needs a 'value' or a 'baseline'");
  if (const YamlNode* r = n.find("range")) {
    if (!r->is_seq() || r->items.size() != 2) {
      error(r->pos, name, "range must be a list of two numbers: [low, high]");
    } else {
      auto lo = number(*r->items[0], name, "range low");
      auto hi = number(*r->items[1], name, "range high");
      if (lo && hi && *lo > *hi)
        error(r->pos, name, "range low must not be above range high");
      else if (lo && hi)
        m.range = std::make_pair(*lo, *hi);
    }
  }
}

std::optional<Direction> Loader::direction(const YamlNode& n, std::string_view node, ExprPtr& threshold) {
  const YamlNode* most = n.find("at_most");
  const YamlNode* least = n.find("at_least");
  if (most && least) {
    error(least->pos, node, "give either at_most or at_least, not both");
    return std::nullopt;
  }
  if (!most && !least) {
    error(n.pos, node, "needs a threshold: at_most or at_least");
    return std::nullopt;
  }
  threshold = constant_expression(most ? *most : *least, node, "a threshold");
  return most ? Direction::kAtMost : Direction::kAtLeast;
}

void Loader::load_target(Target& t, const YamlNode& n) {
  const std::string& name = t.info.name;
  if (!expect_map(n, name, "a target")) return;
  check_keys(n, with_common({"measure", "at_most", "at_least", "by", "milestones", "all_of", "any_of", "at_least_of"}),
             name, "a target");
  auto parts = [&](const YamlNode& list) {
    if (!list.is_seq() || list.items.empty()) {
      error(list.pos, name, "expected a list of target names, e.g. [target_a, target_b]");
      return;
    }
    for (const auto& item : list.items) {
      if (!item->is_scalar()) error(item->pos, name, "expected a target name");
      else t.parts.push_back({item->scalar, item->pos});
    }
  };
  int forms = 0;
  if (const YamlNode* a = n.find("all_of")) { t.combine = Combine::kAllOf; parts(*a); ++forms; }
  if (const YamlNode* a = n.find("any_of")) { t.combine = Combine::kAnyOf; parts(*a); ++forms; }
  if (const YamlNode* a = n.find("at_least_of")) {
    t.combine = Combine::kAtLeastOf;
    ++forms;
    if (expect_map(*a, name, "at_least_of")) {
      check_keys(*a, {"count", "of"}, name, "at_least_of");
      if (const YamlNode* c = require(*a, "count", name, "at_least_of"))
        if (auto k = count(*c, name, "at_least_of count", 1)) t.at_least_count = static_cast<int>(*k);
      if (const YamlNode* of = require(*a, "of", name, "at_least_of")) parts(*of);
      if (t.at_least_count > static_cast<int>(t.parts.size()) && !t.parts.empty())
        error(a->pos, name, "at_least_of count " + std::to_string(t.at_least_count) + " is more than the " +
                                std::to_string(t.parts.size()) + " targets listed");
    }
  }
  if (const YamlNode* m = n.find("measure")) {
    ++forms;
    t.measure = text(*m, name, "measure");
    t.measure_pos = m->pos;
  }
  if (forms == 0) {
    error(n.pos, name, "a target needs a 'measure' with at_most or at_least, or all_of, any_of or at_least_of");
    return;
  }
  if (forms > 1) {
    error(n.pos, name, "a target is either a measure target or one composite (all_of, any_of, at_least_of), not several");
    return;
  }
  if (t.composite()) {
    for (const char* k : {"at_most", "at_least", "by", "milestones"})
      if (const YamlNode::Entry* e = n.find_entry(k))
        error(e->key_pos, name, std::string("a composite target has no '") + k + "'",
              "set it on the targets it combines");
    return;
  }
  if (auto d = direction(n, name, t.threshold)) t.direction = *d;
  t.by = plan_.horizon.periods - 1;
  if (const YamlNode* by = n.find("by"))
    if (auto p = month(*by, name, "by")) t.by = *p;
  if (const YamlNode* ms = n.find("milestones")) {
    if (!ms->is_seq()) {
      error(ms->pos, name, "milestones must be a list, e.g. - {at_most: 0.6, by: 2003-10}");
      return;
    }
    for (const auto& item : ms->items) {
      if (!expect_map(*item, name, "a milestone")) continue;
      check_keys(*item, {"at_most", "at_least", "by", "label"}, name, "a milestone");
      Milestone m;
      m.pos = item->pos;
      auto d = direction(*item, name, m.threshold);
      if (!d) continue;
      m.direction = *d;
      const YamlNode* by = require(*item, "by", name, "a milestone");
      if (!by) continue;
      auto p = month(*by, name, "milestone by");
      if (!p) continue;
      m.by = *p;
      t.milestones.push_back(std::move(m));
    }
  }
}

}  // namespace

bool valid_node_name(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  auto lower_or_us = [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; };
  if (!lower_or_us(name[0])) return false;
  for (char c : name)
    if (!lower_or_us(c) && !(c >= '0' && c <= '9')) return false;
  if (name == "t" || name == "funding" || name == "and" || name == "or" || name == "not") return false;
  return rules::find_function(name) == nullptr;
}

std::unique_ptr<Plan> load_plan_text(std::string text, const std::string& file, Diagnostics& diags) {
  std::unique_ptr<YamlNode> root = parse_yaml(text, file, diags);
  if (!root) return nullptr;
  auto plan = std::make_unique<Plan>();
  plan->file = file;
  plan->text = std::move(text);
  Loader(*plan, diags).load(*root);
  return plan;
}

std::unique_ptr<Plan> load_plan_file(const std::string& path, Diagnostics& diags) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diags.error(path, {}, "", "cannot read the plan file: " + std::string(std::strerror(errno)),
                "check the path");
    return nullptr;
  }
  in.seekg(0, std::ios::end);
  auto size = static_cast<std::size_t>(in.tellg());
  if (size > kMaxFileBytes) {
    diags.error(path, {}, "",
                "the file is " + std::to_string(size >> 20) + " MiB, over the limit of " +
                    std::to_string(kMaxFileBytes >> 20) + " MiB",
                "a plan is normally a few kilobytes; check that this is the right file");
    return nullptr;
  }
  in.seekg(0);
  std::string text(size, '\0');
  in.read(text.data(), static_cast<std::streamsize>(size));
  return load_plan_text(std::move(text), path, diags);
}

}  // namespace plansim::graph
