#include "rules/suggest.h"
#include "scenarios/scenario.h"

namespace plansim::scenarios {
namespace {

using graph::NodeKind;
using graph::Plan;

class Applier {
 public:
  Applier(Plan& plan, rules::Diagnostics& diags) : plan_(plan), diags_(diags) {}

  // The node a change names, or null after reporting that the plan lacks it.
  graph::NodeInfo* find(const Change& c, const char* what);
  void set(const SetChange& c, std::set<std::string>& changed);
  void adjust(const AdjustChange& c, bool scale, std::set<std::string>& changed);
  void force(const ForceChange& c, std::set<std::string>& changed);

 private:
  void error(const Change& c, std::string message, std::string hint = {}) {
    diags_.error(c.file, c.pos, c.node, std::move(message), std::move(hint));
  }

  Plan& plan_;
  rules::Diagnostics& diags_;
};

graph::NodeInfo* Applier::find(const Change& c, const char* what) {
  auto it = plan_.index.find(c.node);
  if (it == plan_.index.end()) {
    error(c, std::string(what) + ": the plan has no node '" + c.node + "'",
          rules::did_you_mean(c.node, plan_.node_names()));
    return nullptr;
  }
  return &plan_.info(it->second);
}

void Applier::set(const SetChange& c, std::set<std::string>& changed) {
  graph::NodeInfo* info = find(c, "set");
  if (!info) return;
  const std::size_t index = plan_.index.at(c.node).index;
  if (!c.path.empty()) {
    if (info->kind != NodeKind::kAssumption) {
      error(c, "only an assumption can be set to a path (one value per period); '" + c.node + "' is " +
                   graph::with_article(info->kind));
      return;
    }
    if (static_cast<int>(c.path.size()) != plan_.horizon.periods) {
      error(c, "a path needs one value per period: " + std::to_string(plan_.horizon.periods) + " expected, " +
                   std::to_string(c.path.size()) + " given");
      return;
    }
  }
  auto copy = [](const graph::ExprPtr& e) { return e ? e->clone() : nullptr; };
  switch (info->kind) {
    case NodeKind::kAssumption: {
      graph::Assumption& a = plan_.assumptions[index];
      a.value = copy(c.value);
      a.path.clear();
      for (const auto& p : c.path) a.path.push_back(copy(p));
      break;
    }
    case NodeKind::kResource: plan_.resources[index].available = copy(c.value); break;
    case NodeKind::kAction: plan_.actions[index].delivery = copy(c.value); break;
    case NodeKind::kRisk: {
      graph::Risk& r = plan_.risks[index];
      // A likelihood label (H, M, ...) means its number on the plan's scale.
      const rules::Expr* e = c.value.get();
      auto label = e && e->kind == rules::ExprKind::kName ? plan_.likelihood_scale.find(e->name)
                                                          : plan_.likelihood_scale.end();
      r.likelihood = label != plan_.likelihood_scale.end() ? rules::Expr::make_number(label->second, e->pos)
                                                            : copy(c.value);
      break;
    }
    case NodeKind::kMeasure: plan_.measures[index].value = copy(c.value); break;
    case NodeKind::kTarget:
    case NodeKind::kResponse:
      error(c, "a target cannot be set", "set its measure, or the nodes the measure depends on");
      return;
  }
  // The node's value is now written in the scenario: messages about it point there.
  info->file = c.file;
  info->pos = c.pos;
  changed.insert(c.node);
}

void Applier::adjust(const AdjustChange& c, bool scale, std::set<std::string>& changed) {
  graph::NodeInfo* info = find(c, scale ? "scale" : "shift");
  if (!info) return;
  if (info->kind == NodeKind::kTarget) {
    error(c, std::string("a target cannot be ") + (scale ? "scaled" : "shifted"),
          "change its measure, or the nodes the measure depends on");
    return;
  }
  if (scale) {
    // (v * s1 + h) * s2 = v * (s1 s2) + h s2: a scale applies to what came before.
    info->adjust.scale *= c.amount;
    info->adjust.shift *= c.amount;
  } else {
    info->adjust.shift += c.amount;
  }
  changed.insert(c.node);
}

void Applier::force(const ForceChange& c, std::set<std::string>& changed) {
  graph::NodeInfo* info = find(c, "force");
  if (!info) return;
  const bool action_force = c.action != graph::ActionForce::kNone;
  if (action_force && info->kind != NodeKind::kAction) {
    error(c, "only an action can be forced delivered or not_delivered; '" + c.node + "' is " +
                 graph::with_article(info->kind),
          info->kind == NodeKind::kRisk ? "force a risk with 'occurs' or 'never'" : "use set, scale or shift for other nodes");
    return;
  }
  if (!action_force && info->kind != NodeKind::kRisk) {
    error(c, "only a risk can be forced to occur or never; '" + c.node + "' is " + graph::with_article(info->kind),
          info->kind == NodeKind::kAction ? "force an action with 'delivered' or 'not_delivered'"
                                          : "use set, scale or shift for other nodes");
    return;
  }
  if (action_force)
    plan_.actions[plan_.index.at(c.node).index].force = c.action;
  else
    plan_.risks[plan_.index.at(c.node).index].force = c.force;
  changed.insert(c.node);
}

}  // namespace

std::optional<Applied> apply_scenario(const graph::Plan& base, const Scenario& scenario, rules::Diagnostics& diags) {
  const std::size_t before = diags.size();
  Applied out;
  out.name = scenario.name;
  out.plan = base.clone();
  Applier applier(*out.plan, diags);
  for (const auto& c : scenario.set) applier.set(c, out.changed);
  // Scales before shifts: the value becomes v * scale + shift.
  for (const auto& c : scenario.scale) applier.adjust(c, true, out.changed);
  for (const auto& c : scenario.shift) applier.adjust(c, false, out.changed);
  for (const auto& c : scenario.force) applier.force(c, out.changed);
  for (const auto& r : scenario.responses) {
    graph::Response copy{r.info, r.when ? r.when->clone() : nullptr, {}, {}, r.latch};
    for (const auto& e : r.add) copy.add.push_back({e.node, e.pos, e.amount ? e.amount->clone() : nullptr});
    for (const auto& e : r.scale) copy.scale.push_back({e.node, e.pos, e.amount ? e.amount->clone() : nullptr});
    copy.info.name = "response#" + std::to_string(out.plan->responses.size() + 1);
    out.plan->index.emplace(copy.info.name, Plan::Ref{NodeKind::kResponse, out.plan->responses.size()});
    out.changed.insert(copy.info.name);
    out.plan->responses.push_back(std::move(copy));
  }
  if (diags.size() != before) return std::nullopt;
  return out;
}

}  // namespace plansim::scenarios
