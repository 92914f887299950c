#include "graph/plan.h"

#include <cstdio>
#include <utility>

namespace plansim::graph {

int Horizon::months_per_period() const {
  switch (step) {
    case Step::kMonth: return 1;
    case Step::kQuarter: return 3;
    case Step::kYear: return 12;
  }
  return 1;
}

int Horizon::period_of(int year, int month) const {
  int offset = (year - start_year) * 12 + (month - start_month);
  if (offset < 0) return -1;
  int t = offset / months_per_period();
  return t < periods ? t : -1;
}

std::string Horizon::label(int t) const {
  int m = start_month - 1 + t * months_per_period();
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d", (start_year + m / 12) % 10000, m % 12 + 1);
  return buf;
}

std::string Horizon::end_label() const {
  int m = start_month - 1 + periods * months_per_period() - 1;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d", (start_year + m / 12) % 10000, m % 12 + 1);
  return buf;
}

const char* to_string(NodeKind k) {
  switch (k) {
    case NodeKind::kAssumption: return "assumption";
    case NodeKind::kResource: return "resource";
    case NodeKind::kAction: return "action";
    case NodeKind::kRisk: return "risk";
    case NodeKind::kMeasure: return "measure";
    case NodeKind::kTarget: return "target";
    case NodeKind::kResponse: return "response";
  }
  return "?";
}

std::string with_article(NodeKind k) {
  const std::string name = to_string(k);
  return (name[0] == 'a' ? "an " : "a ") + name;
}

const char* section_name(NodeKind k) {
  switch (k) {
    case NodeKind::kAssumption: return "assumptions";
    case NodeKind::kResource: return "resources";
    case NodeKind::kAction: return "actions";
    case NodeKind::kRisk: return "risks";
    case NodeKind::kMeasure: return "measures";
    case NodeKind::kTarget: return "targets";
    case NodeKind::kResponse: return "responses";
  }
  return "?";
}

const char* to_string(Direction d) { return d == Direction::kAtMost ? "at_most" : "at_least"; }

const NodeInfo& Plan::info(const Ref& r) const {
  switch (r.kind) {
    case NodeKind::kAssumption: return assumptions[r.index].info;
    case NodeKind::kResource: return resources[r.index].info;
    case NodeKind::kAction: return actions[r.index].info;
    case NodeKind::kRisk: return risks[r.index].info;
    case NodeKind::kMeasure: return measures[r.index].info;
    case NodeKind::kTarget: return targets[r.index].info;
    case NodeKind::kResponse: return responses[r.index].info;
  }
  return assumptions.at(r.index).info;
}

NodeInfo& Plan::info(const Ref& r) { return const_cast<NodeInfo&>(std::as_const(*this).info(r)); }

std::vector<std::string> Plan::node_names() const {
  std::vector<std::string> names;
  names.reserve(index.size());
  for (const auto& [name, ref] : index)
    if (ref.kind != NodeKind::kTarget && ref.kind != NodeKind::kResponse) names.push_back(name);
  return names;
}

namespace {

ExprPtr copy(const ExprPtr& e) { return e ? e->clone() : nullptr; }

std::vector<ExprPtr> copy(const std::vector<ExprPtr>& list) {
  std::vector<ExprPtr> out;
  for (const auto& e : list) out.push_back(copy(e));
  return out;
}

std::vector<ResponseEffect> copy(const std::vector<ResponseEffect>& list) {
  std::vector<ResponseEffect> out;
  for (const auto& e : list) out.push_back({e.node, e.pos, copy(e.amount)});
  return out;
}

}  // namespace

int UnitTable::column(std::string_view wanted) const {
  for (std::size_t c = 0; c < columns.size(); ++c)
    if (columns[c] == wanted) return static_cast<int>(c);
  return -1;
}

std::unique_ptr<Plan> Plan::clone() const {
  auto p = std::make_unique<Plan>();
  p->file = file;
  p->text = text;
  p->title = title;
  p->horizon = horizon;
  p->settings = settings;
  p->likelihood_scale = likelihood_scale;
  p->units = units;
  p->correlations = correlations;
  for (const auto& a : assumptions) p->assumptions.push_back({a.info, a.per_period, copy(a.value), copy(a.path)});
  for (const auto& r : resources) p->resources.push_back({r.info, copy(r.available)});
  for (const auto& a : actions) {
    Action c{a.info, {}, a.from, a.due, copy(a.delivery), a.force};
    for (const auto& n : a.needs) c.needs.push_back({n.resource, n.pos, copy(n.amount)});
    p->actions.push_back(std::move(c));
  }
  for (const auto& r : risks) p->risks.push_back({r.info, r.force, copy(r.likelihood), copy(r.impact), r.mitigated_by});
  for (const auto& m : measures) p->measures.push_back({m.info, copy(m.baseline), copy(m.value), m.range});
  for (const auto& t : targets) {
    Target c;
    c.info = t.info;
    c.measure = t.measure;
    c.measure_pos = t.measure_pos;
    c.direction = t.direction;
    c.threshold = copy(t.threshold);
    c.by = t.by;
    for (const auto& m : t.milestones) c.milestones.push_back({m.pos, m.direction, copy(m.threshold), m.by});
    c.combine = t.combine;
    c.at_least_count = t.at_least_count;
    c.parts = t.parts;
    p->targets.push_back(std::move(c));
  }
  for (const auto& r : responses)
    p->responses.push_back({r.info, copy(r.when), copy(r.add), copy(r.scale), r.latch});
  p->index = index;
  return p;
}

}  // namespace plansim::graph
