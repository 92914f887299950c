#include "graph/plan_loader.h"

#include "graph/correlations.h"
#include "graph/field_reader.h"
#include "graph/unit_table.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
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
const std::vector<std::string> kCommonKeys = {"label", "owner", "unit", "notes"};

std::vector<std::string> with_common(std::vector<std::string> keys) {
  keys.insert(keys.end(), kCommonKeys.begin(), kCommonKeys.end());
  return keys;
}

class Loader : private FieldReader {
 public:
  Loader(Plan& plan, Diagnostics& diags) : FieldReader(plan.file, diags), plan_(plan), diags_(diags) {}

  void load(const YamlNode& root);

 private:
  void load_horizon(const YamlNode& n);
  void load_settings(const YamlNode& n);
  void load_scales(const YamlNode& n);
  bool declare(NodeInfo& info, const YamlNode::Entry& e, NodeKind kind);
  void load_common(NodeInfo& info, const YamlNode& n);
  template <typename Fn>
  void for_each_node(const YamlNode* section, NodeKind kind, bool local, Fn&& fn);
  void load_nodes(const YamlNode& sections, bool local);
  void check_columns();

  void load_assumption(Assumption& a, const YamlNode& n);
  void load_resource(Resource& r, const YamlNode& n);
  void load_action(Action& a, const YamlNode& n);
  void load_risk(Risk& r, const YamlNode& n);
  void load_measure(Measure& m, const YamlNode& n);
  void load_target(Target& t, const YamlNode& n);
  std::optional<Direction> direction(const YamlNode& n, std::string_view node, bool local, ExprPtr& threshold);
  const UnitTable* columns() const { return plan_.units ? &*plan_.units : nullptr; }
  // A baseline or threshold; while the units table is broken (reported),
  // names in it are not reported again as non-constant.
  ExprPtr fixed_expression(const YamlNode& n, std::string_view node, const char* what, bool local) {
    return units_broken_ ? expression(n, node) : constant_expression(n, node, what, columns(), local);
  }
  bool units_broken_ = false;

  Plan& plan_;
  Diagnostics& diags_;
};

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

  if (const YamlNode* c = root.find("correlations")) load_correlations(*c, *this, plan_);
  if (const YamlNode* u = root.find("units")) {
    load_units(*u, *this, plan_, diags_);
    units_broken_ = !plan_.units;
  }

  load_nodes(root, false);
  if (const YamlNode::Entry* local = root.find_entry("local")) {
    const YamlNode& l = *local->value;
    if (!plan_.units && diags_.ok())
      error(local->key_pos, "", "section 'local' needs a 'units' section: local nodes exist once per unit",
            "add units: {name: area, table: areas.csv} (plan-format.md section 9)");
    if (!l.is_null() && expect_map(l, "", "local")) {
      check_keys(l, {"assumptions", "resources", "actions", "risks", "measures", "targets"}, "",
                 "local (its sections are those of the plan's nodes)");
      load_nodes(l, true);
    }
  }
  check_columns();
  if (const YamlNode* r = root.find("responses")) load_responses(*r, *this, plan_);
}

void Loader::load_nodes(const YamlNode& sections, bool local) {
  for_each_node(sections.find("assumptions"), NodeKind::kAssumption, local, [&](NodeInfo info, const YamlNode& n) {
    plan_.assumptions.emplace_back().info = std::move(info);
    load_assumption(plan_.assumptions.back(), n);
  });
  for_each_node(sections.find("resources"), NodeKind::kResource, local, [&](NodeInfo info, const YamlNode& n) {
    plan_.resources.emplace_back().info = std::move(info);
    load_resource(plan_.resources.back(), n);
  });
  for_each_node(sections.find("actions"), NodeKind::kAction, local, [&](NodeInfo info, const YamlNode& n) {
    plan_.actions.emplace_back().info = std::move(info);
    load_action(plan_.actions.back(), n);
  });
  for_each_node(sections.find("risks"), NodeKind::kRisk, local, [&](NodeInfo info, const YamlNode& n) {
    plan_.risks.emplace_back().info = std::move(info);
    load_risk(plan_.risks.back(), n);
  });
  for_each_node(sections.find("measures"), NodeKind::kMeasure, local, [&](NodeInfo info, const YamlNode& n) {
    plan_.measures.emplace_back().info = std::move(info);
    load_measure(plan_.measures.back(), n);
  });
  for_each_node(sections.find("targets"), NodeKind::kTarget, local, [&](NodeInfo info, const YamlNode& n) {
    plan_.targets.emplace_back().info = std::move(info);
    load_target(plan_.targets.back(), n);
  });
}

// A column and a node of one name would make `name` ambiguous in local expressions.
void Loader::check_columns() {
  if (!plan_.units) return;
  for (const auto& column : plan_.units->columns) {
    auto it = plan_.index.find(column);
    if (it == plan_.index.end()) continue;
    const NodeInfo& node = plan_.info(it->second);
    error(node.pos, node.name, "'" + column + "' is both a node and a column of the units table",
          "rename the node or the column, so that expressions can tell them apart");
  }
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
  set_horizon(ok ? &plan_.horizon : nullptr);
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
  info.file = plan_.file;
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
void Loader::for_each_node(const YamlNode* section, NodeKind kind, bool local, Fn&& fn) {
  if (!section || section->is_null()) return;
  if (!expect_map(*section, "", section_name(kind))) return;
  for (const auto& e : section->entries) {
    NodeInfo info;
    if (!declare(info, e, kind)) continue;
    info.local = local;
    load_common(info, *e.value);
    std::size_t index = 0;
    switch (kind) {
      case NodeKind::kAssumption: index = plan_.assumptions.size(); break;
      case NodeKind::kResource: index = plan_.resources.size(); break;
      case NodeKind::kAction: index = plan_.actions.size(); break;
      case NodeKind::kRisk: index = plan_.risks.size(); break;
      case NodeKind::kMeasure: index = plan_.measures.size(); break;
      case NodeKind::kTarget: index = plan_.targets.size(); break;
      case NodeKind::kResponse: index = plan_.responses.size(); break;
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
    if (horizon() && static_cast<int>(value->items.size()) != plan_.horizon.periods) {
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
      // A label in lower case ("vh") would otherwise read as an unknown node name.
      std::string upper_case = l->is_scalar() ? l->scalar : std::string();
      for (char& c : upper_case) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (!upper && plan_.likelihood_scale.count(upper_case)) {
        error(l->pos, name, "likelihood '" + l->scalar + "' is not a label: labels are written in capitals",
              "write '" + upper_case + "' (probability " + number_text(plan_.likelihood_scale.at(upper_case)) + ")");
      } else if (upper) {
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
  if (const YamlNode* b = n.find("baseline")) m.baseline = fixed_expression(*b, name, "baseline", m.info.local);
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

std::optional<Direction> Loader::direction(const YamlNode& n, std::string_view node, bool local,
                                          ExprPtr& threshold) {
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
  threshold = fixed_expression(most ? *most : *least, node, "a threshold", local);
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
  if (auto d = direction(n, name, t.info.local, t.threshold)) t.direction = *d;
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
      auto d = direction(*item, name, t.info.local, m.threshold);
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

void load_responses(const YamlNode& list, FieldReader& in, Plan& plan) {
  if (list.is_null()) return;
  if (!list.is_seq()) {
    in.error(list.pos, "", "responses must be a list, each entry starting with '- label: ...'");
    return;
  }
  auto effects = [&](const YamlNode* map, const std::string& name, std::vector<ResponseEffect>& out) {
    if (!map || !in.expect_map(*map, name, map == nullptr ? "" : "add or scale")) return;
    for (const auto& e : map->entries) out.push_back({e.key, e.key_pos, in.expression(*e.value, name)});
  };
  for (const auto& item : list.items) {
    Response r;
    r.info.kind = NodeKind::kResponse;
    r.info.file = in.file();
    r.info.pos = item->pos;
    r.info.name = "response#" + std::to_string(plan.responses.size() + 1);
    if (!in.expect_map(*item, r.info.name, "a response")) continue;
    in.check_keys(*item, {"label", "when", "add", "scale", "latch", "owner", "notes"}, r.info.name, "a response");
    if (const YamlNode* v = item->find("label")) r.info.label = in.text(*v, r.info.name, "label");
    if (const YamlNode* v = item->find("owner")) r.info.owner = in.text(*v, r.info.name, "owner");
    if (const YamlNode* v = item->find("notes")) r.info.notes = in.text(*v, r.info.name, "notes");
    if (const YamlNode* w = in.require(*item, "when", r.info.name, "a response")) r.when = in.expression(*w, r.info.name);
    effects(item->find("add"), r.info.name, r.add);
    effects(item->find("scale"), r.info.name, r.scale);
    if (r.add.empty() && r.scale.empty())
      in.error(item->pos, r.info.name, "a response needs 'add' or 'scale' (what it changes while it is on)",
               "e.g. add: {cju_head_hours: 60}");
    if (const YamlNode* l = item->find("latch")) {
      if (l->scalar == "true") r.latch = true;
      else if (l->scalar != "false") in.error(l->pos, r.info.name, "latch must be true or false, not '" + l->scalar + "'");
    }
    plan.index.emplace(r.info.name, Plan::Ref{NodeKind::kResponse, plan.responses.size()});
    plan.responses.push_back(std::move(r));
  }
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
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    diags.error(path, {}, "", "the plan path is a directory, not a file", "name the plan's .yaml file");
    return nullptr;
  }
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
