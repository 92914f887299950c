#include "graph/plan_compiler.h"
#include "graph/correlations.h"

#include "graph/field_reader.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <functional>
#include <set>
#include <tuple>

#include "rules/compiler.h"
#include "rules/stable_hash.h"
#include "rules/suggest.h"

namespace plansim::graph {
namespace {

using rules::CodeBuilder;
using rules::Diagnostics;
using rules::Expr;
using rules::Instruction;
using rules::Op;
using rules::Operand;

// Draw sites inside a node: each expression of the node gets its own range.
constexpr std::uint32_t kFieldStride = 1u << 16;
constexpr std::uint32_t kDeliverySite = 0xFFFF0001u;  // an action's Bernoulli(delivery)
constexpr std::uint32_t kOccurSite = 0xFFFF0002u;     // a risk's per-period occurrence
// The argument of a node's j-th aggregation is compiled on its own, so its
// draws are numbered from kAggregateSite + j * kFieldStride.
constexpr std::uint32_t kAggregateSite = 0x8000u * kFieldStride;

// Which part of the code computes a node (see Program): plan-wide nodes that
// local ones may read, local nodes (once per unit), or plan-wide nodes that
// read aggregations of local ones.
enum class Stage { kBeforeUnits, kLocal, kAfterUnits };

// Where a node's values live in the block workspace.
struct Slots {
  NodeKind kind = NodeKind::kAssumption;
  std::size_t index = 0;   // in its section
  std::uint32_t owner = 0;
  std::vector<std::int32_t> value;  // per period, or one array held for all periods
  std::vector<std::int32_t> demand, cover;  // resources
  std::vector<std::int32_t> occurred;       // risks
  std::int32_t impact = -1;                 // risks
  std::int32_t occurs_now = -1;             // risks: 1 in the period the risk occurs
  std::int32_t funding = -1;                // actions
  std::int32_t raw = -1;                    // per-plan assumptions that responses change
  int due = 0;                              // actions

  std::int32_t at(int period) const {
    return value.size() == 1 ? value[0] : value[static_cast<std::size_t>(period)];
  }
};

using SlotMap = std::map<std::string, Slots, std::less<>>;

// A response's effect on one node, as the node's compiler applies it.
struct Effect {
  const Response* response;
  const Expr* amount;
  bool add;  // else scale
};

// An aggregation of local values whose argument varies by sample: it is
// accumulated over the units, per period, in arrays of its own.
struct Aggregation {
  const Expr* call = nullptr;
  const NodeInfo* node = nullptr;  // the plan-wide node it is part of
  std::uint32_t owner = 0;
  std::uint32_t site = 0;
  std::vector<std::int32_t> sum;     // per period: the running sum (or smallest, largest)
  std::vector<std::int32_t> weight;  // weighted(): the running sum of weights
  std::int32_t unit_weight = -1;     // weighted(): this unit's weight, read twice
  bool fixed_weight = false;         // weighted() by columns: the weights' total is a constant
};

// One variant being compiled: its plan, its node arrays, its order.
struct Variant {
  std::string name;
  const Plan* plan = nullptr;
  SlotMap slots;
  std::vector<std::string> order;  // nodes in same-period dependency order
  std::set<std::string> own;       // nodes with arrays of their own (all, for the base)
  std::map<std::string, std::vector<Effect>> effects;  // by node changed
  std::set<std::string> after_units;                   // plan-wide nodes that read aggregations
  std::vector<Aggregation> aggregations;               // of the nodes it owns
  bool trimmed = false;  // VariantInput::needed: outputs only what its targets read
};

using Readers = std::map<std::string, std::set<std::string>>;

class PlanCompiler : public rules::NameResolver {
 public:
  explicit PlanCompiler(Diagnostics& diags) : diags_(diags), code_(&columns_) {}

  std::unique_ptr<Program> compile(const std::vector<VariantInput>& inputs);

  // NameResolver
  std::optional<Operand> value(const Expr& name, int period) override;
  Operand initial(const Expr& name) override;
  std::optional<Operand> aggregate(const Expr& call, int period) override;

 private:
  void error(rules::SourcePos pos, const NodeInfo& node, std::string message, std::string hint = {}) {
    diags_.error(node.file.empty() ? plan_->file : node.file, pos, node.name, std::move(message), std::move(hint));
  }
  const std::string& file_of(const NodeInfo& node) const { return node.file.empty() ? plan_->file : node.file; }
  void use(Variant& v) {
    variant_ = &v;
    plan_ = v.plan;
  }

  // Pass 1: every reference names a node of the right kind.
  void check_references();
  void check_expression(const Expr* e, const NodeInfo& owner, bool funding_allowed);
  void check_names(const Expr& e, const NodeInfo& owner, bool funding_allowed, bool in_aggregation);
  void check_same_locality(const NodeInfo& a, const std::string& b, rules::SourcePos pos, const char* relation);
  bool is_column(const std::string& name) const { return plan_->units && plan_->units->column(name) >= 0; }
  void check_kind(const std::string& name, rules::SourcePos pos, const NodeInfo& owner, NodeKind want,
                  const char* role);

  void lay_out(const std::string& name, Slots& s);
  void find_effects(Variant& v);
  std::set<std::string> readers_closure(const Plan& plan, const std::set<std::string>& changed);
  void find_stages(Variant& v);
  bool varies(const Expr& e) const;
  Stage stage_of(const Variant& v, const std::string& name) const;
  void add_aggregations(Variant& v, const std::string& name);
  void start_aggregations();
  void compile_contributions(int period);
  std::optional<Operand> fixed_aggregate(const Expr& call, int period);
  std::vector<double> unit_values(const Expr& e, int period);
  std::int32_t new_array() { return static_cast<std::int32_t>(prog_->node_arrays++); }
  const Slots& slots(const std::string& name) const { return variant_->slots.at(name); }

  // Pass 2: code for one period.
  void compile_assumption(const Assumption& a, const Slots& s, int period);
  void compile_resource(const Resource& r, const Slots& s, int period);
  void compile_action(const Action& a, const Slots& s, int period);
  void compile_risk(const Risk& r, const Slots& s, int period);
  void compile_measure(const Measure& m, const Slots& s, int period);
  void compile_response(const Response& r, const Slots& s, int period);
  void compile_node(const std::string& name, int period);
  // The scenario's adjustment and the responses' effects on a node's value.
  Operand finish(const NodeInfo& node, Operand value, int period);
  VariantOutputs compile_outputs();

  Operand expr(const Expr& e, int period, const NodeInfo& node, std::uint32_t site_base,
               std::optional<std::uint32_t> draw_period, std::int32_t draw_mask = -1);
  rules::CompileContext context(const NodeInfo& node, std::uint32_t site_base,
                                std::optional<std::uint32_t> draw_period) const;
  // A per: plan assumption's value, drawn once per sample.
  Operand once_per_sample(const Assumption& a);
  // The array of a correlated assumption's copula scores (emitting the
  // whole group's the first time), or -1 when it is not correlated.
  std::int32_t copula_scores(const Assumption& a);
  Operand emit(Op op, Operand a, Operand b = {}, Operand c = {});
  Operand draw(rules::Distribution d, Operand p, const NodeInfo& node, std::uint32_t site, int period);
  void store(Operand result, std::int32_t dst);
  double constant(const Expr* e, const NodeInfo& node, const char* what);
  // A constant, or for local nodes a column (a constant per unit).
  Operand unit_constant(const Expr* e, const NodeInfo& node, const char* what);
  ProgramUnits program_units() const;

  Diagnostics& diags_;
  rules::UnitColumns columns_;  // the units table's columns, then derived ones
  std::unique_ptr<Program> prog_;
  std::vector<Variant> variants_;
  Variant* variant_ = nullptr;  // the one being compiled
  const Plan* plan_ = nullptr;  // its plan
  std::map<std::string, std::uint32_t> owner_of_;
  CodeBuilder code_;
  Diagnostics period_diags_;  // deduplicated into diags_ after each period
  std::optional<Operand> funding_;
  std::uint32_t owner_ = 0;
  bool local_context_ = false;  // compiling code that runs once per unit
  bool references_ok_ = true;   // pass 1 found no mistake
  std::vector<CopulaGroup> copulas_;  // section 10, from the base plan
  std::map<std::string, std::pair<std::size_t, std::size_t>> copula_member_;  // name -> (group, member)
  std::map<std::string, std::int32_t> copula_scores_;  // name -> its scores' array, once emitted
};

// ---- pass 1 ---------------------------------------------------------------

void PlanCompiler::check_kind(const std::string& name, rules::SourcePos pos, const NodeInfo& owner,
                              NodeKind want, const char* role) {
  auto it = plan_->index.find(name);
  if (it == plan_->index.end()) {
    std::vector<std::string> same_kind;
    for (const auto& [n, ref] : plan_->index)
      if (ref.kind == want) same_kind.push_back(n);
    error(pos, owner, std::string(role) + " '" + name + "' is not " + with_article(want) + " of the plan",
          rules::did_you_mean(name, same_kind));
    return;
  }
  if (it->second.kind != want)
    error(pos, owner,
          std::string(role) + " '" + name + "' is " + with_article(it->second.kind) + ", not " + with_article(want));
}

void PlanCompiler::check_expression(const Expr* e, const NodeInfo& owner, bool funding_allowed) {
  if (e) check_names(*e, owner, funding_allowed, false);
}

void PlanCompiler::check_names(const Expr& e, const NodeInfo& owner, bool funding_allowed, bool in_aggregation) {
  const bool reads_columns = owner.local || in_aggregation;
  if (e.kind == rules::ExprKind::kCall) {
    const rules::FunctionInfo* f = rules::find_function(e.name);
    if (f && f->kind == rules::FunctionKind::kAggregate) {
      if (!plan_->units) {
        error(e.pos, owner, "'" + e.name + "' aggregates over local units, and this plan has none",
              "aggregations need a units: table and a local: section (plan-format.md section 9)");
        return;
      }
      if (owner.local) {
        error(e.pos, owner, "a local node cannot aggregate over the units ('" + e.name + "')",
              "aggregations belong in plan-wide nodes; a local node reads its own unit's values");
        return;
      }
      if (in_aggregation) {
        error(e.pos, owner, "aggregations cannot be nested ('" + e.name + "' inside another)",
              "compute the inner aggregation in a plan-wide measure of its own");
        return;
      }
      for (const auto& a : e.args) check_names(*a, owner, funding_allowed, true);
      return;
    }
  }
  for (const auto& a : e.args) check_names(*a, owner, funding_allowed, in_aggregation);
  if (e.kind != rules::ExprKind::kName || e.name == "t") return;
  if (e.name == "funding") {
    if (!funding_allowed)
      error(e.pos, owner, "'funding' can only be used in an action's delivery",
            "it is the share of the action's needs that its resources cover");
    return;
  }
  if (is_column(e.name)) {
    if (!reads_columns)
      error(e.pos, owner,
            "'" + e.name + "' is a column of the units table; only local nodes and aggregations read columns",
            "e.g. total(" + e.name + ") is its sum over the units");
    return;
  }
  auto it = plan_->index.find(e.name);
  if (it == plan_->index.end()) {
    std::vector<std::string> candidates = plan_->node_names();
    candidates.push_back("t");
    if (funding_allowed) candidates.push_back("funding");
    if (reads_columns && plan_->units)
      candidates.insert(candidates.end(), plan_->units->columns.begin(), plan_->units->columns.end());
    const bool columns = reads_columns && plan_->units;
    error(e.pos, owner,
          "unknown name '" + e.name + "'" +
              (columns ? " (not a node, nor a column of the " + plan_->units->name + " table)" : ""),
          rules::did_you_mean(e.name, candidates));
    return;
  }
  if (it->second.kind == NodeKind::kTarget) {
    error(e.pos, owner, "'" + e.name + "' is a target; expressions can read measures, not targets",
          "use the target's measure");
    return;
  }
  if (plan_->info(it->second).local && !reads_columns)
    error(e.pos, owner,
          "'" + e.name + "' is local (one per " + plan_->units->name +
              "); a plan-wide node reads local nodes only through an aggregation",
          "e.g. average(" + e.name + "), total(" + e.name + ") or weighted(" + e.name + ", weight)");
}

// Local and plan-wide nodes may meet only in the ways section 9 allows.
void PlanCompiler::check_same_locality(const NodeInfo& a, const std::string& b, rules::SourcePos pos,
                                       const char* relation) {
  auto it = plan_->index.find(b);
  if (it == plan_->index.end()) return;
  const NodeInfo& other = plan_->info(it->second);
  if (other.local == a.local) return;
  error(pos, a,
        std::string(a.local ? "a local " : "a plan-wide ") + to_string(a.kind) + " " + relation + " '" + b +
            "', which is " + (other.local ? "local" : "plan-wide"),
        "both must be local (under local:) or both plan-wide");
}

void PlanCompiler::check_references() {
  for (const auto& a : plan_->assumptions) {
    check_expression(a.value.get(), a.info, false);
    for (const auto& p : a.path) check_expression(p.get(), a.info, false);
  }
  for (const auto& r : plan_->resources) check_expression(r.available.get(), r.info, false);
  for (const auto& a : plan_->actions) {
    for (const auto& n : a.needs) {
      check_kind(n.resource, n.pos, a.info, NodeKind::kResource, "needs");
      check_same_locality(a.info, n.resource, n.pos, "needs");
      check_expression(n.amount.get(), a.info, false);
    }
    check_expression(a.delivery.get(), a.info, true);
  }
  for (const auto& r : plan_->risks) {
    check_expression(r.likelihood.get(), r.info, false);
    check_expression(r.impact.get(), r.info, false);
    for (const auto& m : r.mitigated_by) {
      check_kind(m.action, m.pos, r.info, NodeKind::kAction, "mitigated_by");
      // A local risk may be mitigated by a plan-wide action, not the reverse.
      auto it = plan_->index.find(m.action);
      if (!r.info.local && it != plan_->index.end() && plan_->info(it->second).local)
        check_same_locality(r.info, m.action, m.pos, "is mitigated by");
    }
  }
  for (const auto& m : plan_->measures) check_expression(m.value.get(), m.info, false);
  for (const auto& r : plan_->responses) {
    check_expression(r.when.get(), r.info, false);
    for (const auto* effects : {&r.add, &r.scale})
      for (const auto& e : *effects) {
        check_expression(e.amount.get(), r.info, false);
        auto it = plan_->index.find(e.node);
        if (it == plan_->index.end())
          error(e.pos, r.info, "a response changes '" + e.node + "', which is not a node of the plan",
                rules::did_you_mean(e.node, plan_->node_names()));
        else if (it->second.kind == NodeKind::kTarget || it->second.kind == NodeKind::kResponse)
          error(e.pos, r.info, "a response cannot change " + with_article(it->second.kind) + " ('" + e.node + "')",
                "change the measure or the nodes it depends on");
      }
  }
  for (const auto& t : plan_->targets) {
    if (!t.composite()) {
      check_kind(t.measure, t.measure_pos, t.info, NodeKind::kMeasure, "measure");
      check_same_locality(t.info, t.measure, t.measure_pos, "is on the measure");
      if (t.threshold) check_expression(t.threshold.get(), t.info, false);
      for (const auto& m : t.milestones) check_expression(m.threshold.get(), t.info, false);
    } else {
      std::set<std::string> seen;
      for (const auto& p : t.parts) {
        check_kind(p.name, p.pos, t.info, NodeKind::kTarget, "part");
        check_same_locality(t.info, p.name, p.pos, "combines");
        if (!seen.insert(p.name).second) error(p.pos, t.info, "'" + p.name + "' is listed twice");
      }
    }
  }
}

// ---- layout -----------------------------------------------------------------

void PlanCompiler::lay_out(const std::string& name, Slots& s) {
  const int periods = plan_->horizon.periods;
  auto per_period = [&] {
    std::vector<std::int32_t> v;
    for (int t = 0; t < periods; ++t) v.push_back(new_array());
    return v;
  };
  const Plan::Ref& ref = plan_->index.at(name);
  s = Slots{};
  s.kind = ref.kind;
  s.index = ref.index;
  auto owner = owner_of_.find(name);
  if (owner == owner_of_.end()) {
    owner = owner_of_.emplace(name, static_cast<std::uint32_t>(prog_->owners.size())).first;
    prog_->owners.push_back(name);
  }
  s.owner = owner->second;
  switch (ref.kind) {
    case NodeKind::kAssumption: {
      const Assumption& a = plan_->assumptions[ref.index];
      const bool changed_by_responses = variant_->effects.count(name) > 0;
      s.value = (a.per_period || !a.path.empty() || changed_by_responses) ? per_period()
                                                                         : std::vector<std::int32_t>{new_array()};
      if (changed_by_responses && !a.per_period && a.path.empty()) s.raw = new_array();
      break;
    }
    case NodeKind::kResource:
      s.value = per_period();
      s.demand = per_period();
      s.cover = per_period();
      break;
    case NodeKind::kAction:
      s.value = {new_array()};
      s.funding = new_array();
      s.due = plan_->actions[ref.index].due;
      break;
    case NodeKind::kRisk:
      s.occurred = per_period();
      s.impact = new_array();
      s.occurs_now = new_array();
      s.value = per_period();
      break;
    case NodeKind::kMeasure:
    case NodeKind::kResponse:
      s.value = per_period();
      break;
    case NodeKind::kTarget:
      break;
  }
}

void PlanCompiler::find_effects(Variant& v) {
  for (const auto& r : v.plan->responses) {
    for (const auto& e : r.add) v.effects[e.node].push_back({&r, e.amount.get(), true});
    for (const auto& e : r.scale) v.effects[e.node].push_back({&r, e.amount.get(), false});
  }
}

// readers[x]: the nodes that read x in any period, by any route.
Readers readers_of(const Plan& plan) {
  Readers readers;
  auto reads = [&](const std::string& reader, const Expr* e) {
    if (!e) return;
    std::vector<const Expr*> names;
    rules::all_names(*e, names);
    for (const Expr* n : names) readers[n->name].insert(reader);
  };
  for (const auto& a : plan.assumptions) {
    reads(a.info.name, a.value.get());
    for (const auto& p : a.path) reads(a.info.name, p.get());
  }
  for (const auto& r : plan.resources) reads(r.info.name, r.available.get());
  for (const auto& a : plan.actions) {
    for (const auto& n : a.needs) {
      readers[n.resource].insert(a.info.name);
      reads(n.resource, n.amount.get());  // demand
    }
    reads(a.info.name, a.delivery.get());
  }
  for (const auto& r : plan.risks) {
    reads(r.info.name, r.likelihood.get());
    reads(r.info.name, r.impact.get());
    for (const auto& m : r.mitigated_by) readers[m.action].insert(r.info.name);
  }
  for (const auto& m : plan.measures) reads(m.info.name, m.value.get());
  for (const auto& r : plan.responses) {
    reads(r.info.name, r.when.get());
    for (const auto* effects : {&r.add, &r.scale})
      for (const auto& e : *effects) {
        reads(r.info.name, e.amount.get());
        readers[r.info.name].insert(e.node);
      }
  }
  return readers;
}

std::set<std::string> PlanCompiler::readers_closure(const Plan& plan, const std::set<std::string>& changed) {
  const Readers readers = readers_of(plan);
  std::set<std::string> affected;
  std::vector<std::string> pending(changed.begin(), changed.end());
  while (!pending.empty()) {
    std::string n = pending.back();
    pending.pop_back();
    if (!plan.index.count(n) || !affected.insert(n).second) continue;
    auto it = readers.find(n);
    if (it != readers.end())
      for (const auto& r : it->second) pending.push_back(r);
  }
  return affected;
}

// Whether an expression varies from sample to sample: it reads a node or
// draws. An aggregation of one that does not (of columns) is a constant.
bool PlanCompiler::varies(const Expr& e) const {
  if (e.kind == rules::ExprKind::kName) return e.name != "t" && plan_->index.count(e.name) > 0;
  if (e.kind == rules::ExprKind::kCall && rules::find_distribution(e.name)) return true;
  for (const auto& a : e.args)
    if (varies(*a)) return true;
  return false;
}

// Every expression a node is computed from, for walking them all.
template <typename Fn>
void for_each_expression(const Plan& plan, const Plan::Ref& ref, Fn&& fn) {
  auto visit = [&](const ExprPtr& e) {
    if (e) fn(*e);
  };
  switch (ref.kind) {
    case NodeKind::kAssumption:
      visit(plan.assumptions[ref.index].value);
      for (const auto& p : plan.assumptions[ref.index].path) visit(p);
      break;
    case NodeKind::kResource: visit(plan.resources[ref.index].available); break;
    case NodeKind::kAction:
      visit(plan.actions[ref.index].delivery);
      for (const auto& n : plan.actions[ref.index].needs) visit(n.amount);
      break;
    case NodeKind::kRisk:
      visit(plan.risks[ref.index].likelihood);
      visit(plan.risks[ref.index].impact);
      break;
    case NodeKind::kMeasure: visit(plan.measures[ref.index].value); break;
    case NodeKind::kResponse:
      visit(plan.responses[ref.index].when);
      for (const auto& e : plan.responses[ref.index].add) visit(e.amount);
      for (const auto& e : plan.responses[ref.index].scale) visit(e.amount);
      break;
    case NodeKind::kTarget: break;
  }
}

template <typename Fn>
void for_each_aggregation(const Expr& e, Fn&& fn) {
  if (e.kind == rules::ExprKind::kCall) {
    const rules::FunctionInfo* f = rules::find_function(e.name);
    if (f && f->kind == rules::FunctionKind::kAggregate) {
      fn(e);
      return;
    }
  }
  for (const auto& a : e.args) for_each_aggregation(*a, fn);
}

// The plan-wide nodes that read aggregations of varying local values, and
// every plan-wide node that reads those, are computed after the units. A
// local node reading one of them would need every unit before its own.
void PlanCompiler::find_stages(Variant& v) {
  if (!v.plan->units) return;
  std::vector<std::string> pending;
  for (const auto& [name, ref] : v.plan->index) {
    if (v.plan->info(ref).local) continue;
    bool reads = false;
    for_each_expression(*v.plan, ref, [&](const Expr& e) {
      for_each_aggregation(e, [&](const Expr& call) { reads = reads || varies(call); });
    });
    if (reads) pending.push_back(name);
  }
  const Readers readers = readers_of(*v.plan);
  while (!pending.empty()) {
    std::string n = pending.back();
    pending.pop_back();
    if (!v.after_units.insert(n).second) continue;
    auto it = readers.find(n);
    if (it == readers.end()) continue;
    for (const auto& r : it->second) {
      auto ref = v.plan->index.find(r);
      if (ref == v.plan->index.end()) continue;
      const NodeInfo& reader = v.plan->info(ref->second);
      if (!reader.local) {
        pending.push_back(r);
        continue;
      }
      error(reader.pos, reader,
            "local " + std::string(to_string(reader.kind)) + " '" + r + "' reads '" + n +
                "', which is computed from the local nodes of every " + v.plan->units->name +
                " (through an aggregation)",
            "a local node may read plan-wide nodes that do not depend on local ones");
    }
  }
  // An aggregation's argument runs with the units too, so the same holds for it.
  for (const auto& [name, ref] : v.plan->index) {
    const NodeInfo& node = v.plan->info(ref);
    if (node.local) continue;
    for_each_expression(*v.plan, ref, [&](const Expr& e) {
      for_each_aggregation(e, [&](const Expr& call) {
        std::vector<const Expr*> names;
        for (const auto& a : call.args) rules::all_names(*a, names);
        for (const Expr* read : names)
          if (v.after_units.count(read->name))
            error(read->pos, node,
                  "'" + call.name + "(...)' reads '" + read->name + "', which is itself computed from every " +
                      v.plan->units->name + "'s local nodes",
                  "an aggregation's argument is evaluated in each " + v.plan->units->name +
                      ", before such roll-ups exist; aggregate the local values directly");
      });
    });
  }
}

Stage PlanCompiler::stage_of(const Variant& v, const std::string& name) const {
  if (v.plan->info(v.plan->index.at(name)).local) return Stage::kLocal;
  return v.after_units.count(name) ? Stage::kAfterUnits : Stage::kBeforeUnits;
}

// The varying aggregations of a node the variant compiles get running
// sums of their own, one per period.
void PlanCompiler::add_aggregations(Variant& v, const std::string& name) {
  const Plan::Ref& ref = v.plan->index.at(name);
  const NodeInfo& node = v.plan->info(ref);
  if (node.local) return;
  std::uint32_t j = 0;
  for_each_expression(*v.plan, ref, [&](const Expr& e) {
    for_each_aggregation(e, [&](const Expr& call) {
      if (!varies(call)) return;
      Aggregation a;
      a.call = &call;
      a.node = &node;
      a.owner = v.slots.at(name).owner;
      a.site = kAggregateSite + j++ * kFieldStride;
      a.fixed_weight = call.name == "weighted" && !varies(*call.args[1]);
      const bool running_weight = call.name == "weighted" && !a.fixed_weight;
      for (int t = 0; t < v.plan->horizon.periods; ++t) {
        a.sum.push_back(new_array());
        if (running_weight) a.weight.push_back(new_array());
      }
      if (running_weight) a.unit_weight = new_array();
      v.aggregations.push_back(std::move(a));
    });
  });
}

// Before the units: every running sum starts empty.
void PlanCompiler::start_aggregations() {
  for (auto& var : variants_)
    for (const Aggregation& a : var.aggregations) {
      owner_ = a.owner;
      const double empty = a.call->name == "smallest"  ? std::numeric_limits<double>::infinity()
                           : a.call->name == "largest" ? -std::numeric_limits<double>::infinity()
                                                       : 0.0;
      for (std::int32_t sum : a.sum) store(Operand::constant(empty), sum);
      for (std::int32_t w : a.weight) store(Operand::constant(0.0), w);
    }
}

// In the units' stage: each aggregation's argument for this unit, added to
// its running sum.
void PlanCompiler::compile_contributions(int period) {
  const auto t = static_cast<std::size_t>(period);
  for (const Aggregation& a : variant_->aggregations) {
    owner_ = a.owner;
    const std::string& f = a.call->name;
    Operand x = expr(*a.call->args[0], period, *a.node, a.site, std::nullopt);
    auto accumulate = [&](Op op, std::int32_t sum, Operand value) {
      Instruction in;
      in.op = op;
      in.dst = sum;
      in.a = Operand::at(sum);
      in.b = value;
      in.owner = owner_;
      code_.release(value);
      code_.emit(in);
    };
    if (f == "weighted") {
      Operand w = expr(*a.call->args[1], period, *a.node, a.site + kFieldStride / 2, std::nullopt);
      if (a.fixed_weight) {
        accumulate(Op::kAdd, a.sum[t], emit(Op::kMul, x, w));
        continue;
      }
      if (!w.is_const() && !w.is_column()) {
        store(w, a.unit_weight);
        w = Operand::at(a.unit_weight);
      }
      accumulate(Op::kAdd, a.sum[t], emit(Op::kMul, x, w));
      accumulate(Op::kAdd, a.weight[t], w);
    } else if (f == "share" || f == "count") {
      // A comparison's result is already 0 or 1.
      const auto& code = code_.code();
      const bool boolean = !x.is_const() && !x.is_column() && !code.empty() && code.back().dst == x.array &&
                           code.back().op >= Op::kLt && code.back().op <= Op::kOr;
      accumulate(Op::kAdd, a.sum[t], boolean ? x : emit(Op::kNe, x, Operand::constant(0.0)));
    } else if (f == "smallest" || f == "largest") {
      accumulate(f == "smallest" ? Op::kMin : Op::kMax, a.sum[t], x);
    } else {
      accumulate(Op::kAdd, a.sum[t], x);
    }
  }
}

// ---- NameResolver -------------------------------------------------------------

std::optional<Operand> PlanCompiler::value(const Expr& name, int period) {
  if (name.name == "funding" && funding_) return *funding_;
  if (plan_->units) {
    const int column = plan_->units->column(name.name);
    if (column >= 0) return local_context_ ? Operand::column_of(column) : Operand::at(0);  // else reported in pass 1
  }
  auto it = variant_->slots.find(name.name);
  if (it == variant_->slots.end() || it->second.kind == NodeKind::kTarget) {
    // Reported in pass 1. A stand-in that is not a constant keeps the mistake
    // from being reported again (as a NaN distribution parameter, say); the
    // program is discarded.
    if (!references_ok_) return Operand::at(0);
    return std::nullopt;
  }
  const Slots& s = it->second;
  if (s.kind == NodeKind::kAction && period < s.due) return Operand::constant(0.0);
  return Operand::at(s.at(period));
}

Operand PlanCompiler::initial(const Expr& name) {
  auto it = plan_->index.find(name.name);
  if (it != plan_->index.end() && it->second.kind == NodeKind::kMeasure) {
    const Measure& m = plan_->measures[it->second.index];
    return unit_constant(m.baseline.get(), m.info, "baseline");
  }
  return Operand::constant(0.0);
}

std::optional<Operand> PlanCompiler::aggregate(const Expr& call, int period) {
  if (!plan_->units || local_context_) return std::nullopt;  // reported in pass 1
  if (!varies(call)) return fixed_aggregate(call, period);
  for (const Aggregation& a : variant_->aggregations) {
    if (a.call != &call) continue;
    const auto t = static_cast<std::size_t>(period);
    const Operand sum = Operand::at(a.sum[t]);
    const double units = static_cast<double>(plan_->units->ids.size());
    if (call.name == "average" || call.name == "share") return emit(Op::kMul, sum, Operand::constant(1.0 / units));
    if (call.name == "weighted" && a.fixed_weight) {
      double total = 0.0;
      for (double w : unit_values(*call.args[1], period)) total += w;
      return emit(Op::kDiv, sum, Operand::constant(total));
    }
    if (call.name == "weighted") return emit(Op::kDiv, sum, Operand::at(a.weight[t]));
    return sum;
  }
  return std::nullopt;  // a node compiled outside its stage: reported in pass 1
}

// The per-unit values of an expression of columns and constants.
std::vector<double> PlanCompiler::unit_values(const Expr& e, int period) {
  rules::CodeBuilder scratch(&columns_);
  rules::CompileContext ctx{plan_->file, prog_->owners[owner_], owner_, 0, 0, std::nullopt};
  Diagnostics local;
  const bool saved = local_context_;
  local_context_ = true;
  const Operand o = rules::compile(e, period, ctx, rules::number_draw_sites(e), *this, scratch, local);
  local_context_ = saved;
  period_diags_.append(local);
  if (o.is_column()) return columns_.values[static_cast<std::size_t>(o.column)];
  return std::vector<double>(plan_->units->ids.size(), o.is_const() ? o.value : rules::kNaN);
}

// An aggregation of columns and constants: a constant, computed here.
std::optional<Operand> PlanCompiler::fixed_aggregate(const Expr& call, int period) {
  const std::vector<double> x = unit_values(*call.args[0], period);
  const std::vector<double> w = call.name == "weighted" ? unit_values(*call.args[1], period) : std::vector<double>{};
  double sum = 0.0, weights = 0.0;
  double smallest = std::numeric_limits<double>::infinity(), largest = -smallest;
  for (std::size_t u = 0; u < x.size(); ++u) {
    sum += call.name == "weighted" ? x[u] * w[u] : (call.name == "share" || call.name == "count") ? (x[u] != 0.0) : x[u];
    if (!w.empty()) weights += w[u];
    smallest = rules::apply<Op::kMin>(smallest, x[u], 0.0);
    largest = rules::apply<Op::kMax>(largest, x[u], 0.0);
  }
  const double n = static_cast<double>(x.size());
  if (call.name == "average" || call.name == "share") return Operand::constant(sum / n);
  if (call.name == "weighted") return Operand::constant(rules::apply<Op::kDiv>(sum, weights, 0.0));
  if (call.name == "smallest") return Operand::constant(smallest);
  if (call.name == "largest") return Operand::constant(largest);
  return Operand::constant(sum);
}

// ---- pass 2 ---------------------------------------------------------------------

rules::CompileContext PlanCompiler::context(const NodeInfo& node, std::uint32_t site_base,
                                            std::optional<std::uint32_t> draw_period) const {
  rules::CompileContext ctx;
  ctx.file = file_of(node);
  ctx.node = node.name;
  ctx.owner = owner_;
  ctx.key_node = rules::stable_hash(node.name);
  ctx.site_base = site_base;
  ctx.draw_period = draw_period;
  return ctx;
}

Operand PlanCompiler::expr(const Expr& e, int period, const NodeInfo& node, std::uint32_t site_base,
                           std::optional<std::uint32_t> draw_period, std::int32_t draw_mask) {
  rules::CompileContext ctx = context(node, site_base, draw_period);
  ctx.draw_mask = draw_mask;
  auto sites = rules::number_draw_sites(e);
  return rules::compile(e, period, ctx, sites, *this, code_, period_diags_);
}

// Its draws are the ones Latin hypercube sampling stratifies (plan-wide
// ones: a local assumption's would need a table per unit), and a correlated
// one's distribution turns its copula scores into its value.
Operand PlanCompiler::once_per_sample(const Assumption& a) {
  rules::CompileContext ctx = context(a.info, 0, 0u);
  ctx.stratify = !a.info.local;
  if (const std::int32_t scores = copula_scores(a); scores >= 0) {
    ctx.scored_call = a.value.get();
    ctx.draw_scores = scores;
  }
  auto sites = rules::number_draw_sites(*a.value);
  return rules::compile(*a.value, 0, ctx, sites, *this, code_, period_diags_);
}

// Each member's standard normal e_j is drawn with the key its own
// distribution call would use (site 0, period 0), so an edit elsewhere
// changes no draw; the scores z = F e are computed once, by the base plan,
// and a scenario that changes a member's distribution reads the same
// scores (common random numbers).
std::int32_t PlanCompiler::copula_scores(const Assumption& a) {
  auto member = copula_member_.find(a.info.name);
  if (member == copula_member_.end()) return -1;
  if (!correlatable(a)) {
    error(a.info.pos, a.info, "'" + a.info.name + "' is correlated with other assumptions (correlations: in " +
                                  plan_->file + "), so its value must stay a single distribution",
          "give it a distribution such as normal(0.06, 0.02), or remove its correlations");
    return -1;
  }
  if (auto it = copula_scores_.find(a.info.name); it != copula_scores_.end()) return it->second;
  const CopulaGroup& group = copulas_[member->second.first];
  std::vector<std::int32_t> normals;
  for (const std::string& name : group.members) {
    Instruction in;
    in.op = Op::kDraw;
    in.dist = rules::Distribution::kNormal;
    in.dst = new_array();
    in.a = Operand::constant(0.0);
    in.b = Operand::constant(1.0);
    in.key_node = rules::stable_hash(name);
    in.owner = owner_of_.at(name);
    in.stratify = true;
    code_.emit(in);
    normals.push_back(in.dst);
  }
  for (std::size_t i = 0; i < group.members.size(); ++i) {
    Operand z = Operand::constant(0.0);
    for (std::size_t j = 0; j < group.members.size(); ++j)
      if (group.at(i, j) != 0.0)
        z = emit(Op::kAdd, z, emit(Op::kMul, Operand::constant(group.at(i, j)), Operand::at(normals[j])));
    const std::int32_t scores = new_array();
    store(z, scores);
    copula_scores_[group.members[i]] = scores;
  }
  return copula_scores_.at(a.info.name);
}

Operand PlanCompiler::emit(Op op, Operand a, Operand b, Operand c) { return code_.op(op, a, b, c, owner_); }

Operand PlanCompiler::draw(rules::Distribution d, Operand p, const NodeInfo& node, std::uint32_t site,
                           int period) {
  Instruction in;
  in.op = Op::kDraw;
  in.dist = d;
  in.dst = code_.new_temp();  // before releasing p: samplers must not write over their parameters
  code_.release(p);
  in.a = p;
  in.key_node = rules::stable_hash(node.name);
  in.key_site = site;
  in.key_period = static_cast<std::uint32_t>(period);
  in.owner = owner_;
  code_.emit(in);
  return Operand::at(in.dst);
}

void PlanCompiler::store(Operand result, std::int32_t dst) {
  auto& code = code_.code();
  if (!result.is_const() && result.array >= rules::kTempBase && !code.empty() &&
      code.back().dst == result.array) {
    code.back().dst = dst;  // write straight into the node's array
    code_.release(result);
    return;
  }
  code_.release(result);
  Instruction in;
  in.op = Op::kCopy;
  in.dst = dst;
  in.a = result;
  in.owner = owner_;
  code_.emit(in);
}

double PlanCompiler::constant(const Expr* e, const NodeInfo& node, const char* what) {
  const Operand v = unit_constant(e, node, what);
  return v.is_const() ? v.value : rules::kNaN;
}

Operand PlanCompiler::unit_constant(const Expr* e, const NodeInfo& node, const char* what) {
  if (!e) return Operand::constant(0.0);
  rules::CodeBuilder scratch(&columns_);
  rules::CompileContext ctx{file_of(node), node.name, owner_, 0, 0, std::nullopt};
  auto sites = rules::number_draw_sites(*e);
  Diagnostics local;
  const bool saved = local_context_;
  local_context_ = node.local;
  Operand v = rules::compile(*e, 0, ctx, sites, *this, scratch, local);
  local_context_ = saved;
  const bool finite = v.is_column() ? std::all_of(columns_.values[static_cast<std::size_t>(v.column)].begin(),
                                                  columns_.values[static_cast<std::size_t>(v.column)].end(),
                                                  [](double x) { return std::isfinite(x); })
                                    : v.is_const() && std::isfinite(v.value);
  if (!finite) {
    if (local.ok())
      period_diags_.error(file_of(node), e->pos, node.name,
                          std::string(what) + (node.local ? " must be a finite constant in every unit"
                                                          : " must be a finite constant"),
                          node.local ? "use numbers, arithmetic and columns of the units table"
                                     : "use numbers, arithmetic and aggregations of the units table's columns");
    period_diags_.append(local);
    return Operand::constant(rules::kNaN);
  }
  return v;
}

Operand PlanCompiler::finish(const NodeInfo& node, Operand value, int period) {
  if (!node.adjust.identity())
    value = emit(Op::kAdd, emit(Op::kMul, value, Operand::constant(node.adjust.scale)),
                 Operand::constant(node.adjust.shift));
  auto it = variant_->effects.find(node.name);
  if (it == variant_->effects.end()) return value;
  for (const Effect& e : it->second) {
    const Slots& r = slots(e.response->info.name);
    const Operand on = Operand::at(r.at(period));
    const std::uint32_t saved = owner_;
    owner_ = r.owner;
    // Each effect's amount is its own expression of the response (own draw sites).
    const auto site = static_cast<std::uint32_t>(1 + (&e - it->second.data())) * kFieldStride;
    Operand amount = e.amount ? expr(*e.amount, period, e.response->info, site, std::nullopt)
                              : Operand::constant(e.add ? 0.0 : 1.0);
    owner_ = saved;
    if (e.add) {
      value = emit(Op::kAdd, value, emit(Op::kMul, on, amount));  // value + on * amount
    } else {
      Operand factor = emit(Op::kAdd, Operand::constant(1.0),
                            emit(Op::kMul, on, emit(Op::kSub, amount, Operand::constant(1.0))));
      value = emit(Op::kMul, value, factor);  // value * (1 + on * (amount - 1))
    }
  }
  return value;
}

void PlanCompiler::compile_assumption(const Assumption& a, const Slots& s, int period) {
  const auto t = static_cast<std::size_t>(period);
  if (!a.path.empty()) {
    if (t < a.path.size() && a.path[t])
      store(finish(a.info,
                   expr(*a.path[t], period, a.info, static_cast<std::uint32_t>(t + 1) * kFieldStride,
                        static_cast<std::uint32_t>(period)),
                   period),
            s.value[t]);
    return;
  }
  if (!a.value) return;
  if (a.per_period) {
    store(finish(a.info, expr(*a.value, period, a.info, 0, static_cast<std::uint32_t>(period)), period), s.at(period));
    return;
  }
  // Drawn once per sample. When responses change it, the draw is kept in
  // `raw` and each period applies the responses that are on.
  if (s.raw >= 0) {
    if (period == 0) store(once_per_sample(a), s.raw);
    store(finish(a.info, Operand::at(s.raw), period), s.value[t]);
  } else if (period == 0) {
    store(finish(a.info, once_per_sample(a), 0), s.value[0]);
  }
}

void PlanCompiler::compile_resource(const Resource& r, const Slots& s, int period) {
  auto t = static_cast<std::size_t>(period);
  Operand available = r.available ? expr(*r.available, period, r.info, 0, std::nullopt) : Operand::constant(0.0);
  store(finish(r.info, available, period), s.value[t]);
  Operand demand = Operand::constant(0.0);
  for (const auto& a : plan_->actions) {
    if (period < a.from || period > a.due) continue;
    for (std::size_t i = 0; i < a.needs.size(); ++i) {
      const Need& need = a.needs[i];
      if (need.resource != r.info.name || !need.amount) continue;
      std::uint32_t saved = owner_;
      owner_ = slots(a.info.name).owner;
      Operand amount = expr(*need.amount, period, a.info, static_cast<std::uint32_t>(i + 1) * kFieldStride,
                            std::nullopt);
      owner_ = saved;
      demand = emit(Op::kAdd, demand, amount);
    }
  }
  store(demand, s.demand[t]);
  store(emit(Op::kCover, Operand::at(s.value[t]), Operand::at(s.demand[t])), s.cover[t]);
}

void PlanCompiler::compile_action(const Action& a, const Slots& s, int period) {
  if (period != a.due) return;
  if (a.force != ActionForce::kNone) {
    // Forced: delivered (or not) whatever its probability. No draw is made;
    // every other draw keeps its key, so the rest of the plan sees the same
    // random numbers (common random numbers).
    store(Operand::constant(a.force == ActionForce::kDelivered ? 1.0 : 0.0), s.value[0]);
    return;
  }
  // funding: mean over the active periods of the smallest cover among the needed resources.
  Operand funding = Operand::constant(1.0);
  if (!a.needs.empty()) {
    Operand sum = Operand::constant(0.0);
    for (int p = a.from; p <= a.due; ++p) {
      Operand smallest = Operand::constant(1.0);
      for (const auto& need : a.needs) {
        auto it = variant_->slots.find(need.resource);
        if (it == variant_->slots.end() || it->second.kind != NodeKind::kResource) continue;
        smallest = emit(Op::kMin, smallest, Operand::at(it->second.cover[static_cast<std::size_t>(p)]));
      }
      sum = emit(Op::kAdd, sum, smallest);
    }
    funding = emit(Op::kDiv, sum, Operand::constant(a.due - a.from + 1));
  }
  Operand p = funding;
  if (a.delivery) {
    // `funding` may be read several times in the delivery expression, so it
    // lives in the action's own array rather than in a temporary.
    if (!funding.is_const()) {
      store(funding, s.funding);
      funding = Operand::at(s.funding);
    }
    funding_ = funding;
    p = expr(*a.delivery, period, a.info, 0, 0u);
    funding_.reset();
  }
  p = finish(a.info, p, period);
  if (p.is_const() && !(p.value >= 0.0 && p.value <= 1.0)) {
    period_diags_.error(file_of(a.info), a.delivery ? a.delivery->pos : a.info.pos, a.info.name,
                        "delivery is a probability and must be in [0, 1] (got " + number_text(p.value) + ")");
    return;
  }
  store(draw(rules::Distribution::kBernoulli, p, a.info, kDeliverySite, 0), s.value[0]);
}

void PlanCompiler::compile_risk(const Risk& r, const Slots& s, int period) {
  auto t = static_cast<std::size_t>(period);
  if (r.force != Force::kNone) {
    // A scenario's force: the risk occurs in period 0, or never.
    const double occurred = r.force == Force::kOccurs ? 1.0 : 0.0;
    if (period == 0) {
      Operand impact = r.impact ? expr(*r.impact, 0, r.info, kFieldStride, 0u) : Operand::constant(1.0);
      store(emit(Op::kMul, Operand::constant(occurred), impact), s.impact);
    }
    store(Operand::constant(occurred), s.occurred[t]);
    store(finish(r.info, Operand::at(s.impact), period), s.value[t]);
    return;
  }
  Operand likelihood = r.likelihood ? expr(*r.likelihood, period, r.info, 0, std::nullopt)
                                    : Operand::constant(0.0);
  if (likelihood.is_const() && !(likelihood.value >= 0.0 && likelihood.value <= 1.0)) {
    period_diags_.error(file_of(r.info), r.likelihood ? r.likelihood->pos : r.info.pos, r.info.name,
                        "likelihood is a probability and must be in [0, 1] (got " +
                            number_text(likelihood.value) + ")");
    return;
  }
  // Each mitigation counts once its action was delivered by the previous period.
  for (const auto& m : r.mitigated_by) {
    auto it = variant_->slots.find(m.action);
    if (it == variant_->slots.end() || it->second.kind != NodeKind::kAction) continue;
    if (period - 1 < it->second.due) continue;
    Operand delivered = Operand::at(it->second.value[0]);
    Operand factor = emit(Op::kSub, Operand::constant(1.0),
                          emit(Op::kMul, Operand::constant(1.0 - m.factor), delivered));
    likelihood = emit(Op::kMul, likelihood, factor);
  }
  // P(occurs in this period) = 1 - (1 - L)^(1 / periods)
  const double inv_periods = 1.0 / plan_->horizon.periods;
  Operand q = emit(Op::kSub, Operand::constant(1.0),
                   emit(Op::kPow, emit(Op::kSub, Operand::constant(1.0), likelihood),
                        Operand::constant(inv_periods)));
  Operand occurs = draw(rules::Distribution::kBernoulli, q, r.info, kOccurSite, period);
  std::int32_t occurs_now = s.occurred[t];
  if (period > 0) {
    occurs = emit(Op::kMax, Operand::at(s.occurred[t - 1]), occurs);
    store(occurs, s.occurred[t]);
    store(emit(Op::kSub, Operand::at(s.occurred[t]), Operand::at(s.occurred[t - 1])), s.occurs_now);
    occurs_now = s.occurs_now;
  } else {
    store(occurs, s.occurred[t]);
  }
  // The impact is drawn once per sample (keyed to period 0, from the
  // values of period 0), but only computed for the samples where the risk
  // occurs now: elsewhere it keeps its value, 0 before the risk occurs.
  // Skipping a draw changes nothing, as every draw has its own key.
  Operand impact = r.impact ? expr(*r.impact, 0, r.info, kFieldStride, 0u, occurs_now) : Operand::constant(1.0);
  // A bare distribution, masked, is already 0 where the risk does not occur.
  const bool bare_draw = r.impact && r.impact->kind == rules::ExprKind::kCall && rules::find_distribution(r.impact->name);
  if (period == 0 && bare_draw)
    store(impact, s.impact);
  else
    store(emit(Op::kIf, Operand::at(occurs_now), impact,
               period == 0 ? Operand::constant(0.0) : Operand::at(s.impact)),
          s.impact);
  store(finish(r.info, emit(Op::kMul, Operand::at(s.occurred[t]), Operand::at(s.impact)), period), s.value[t]);
}

void PlanCompiler::compile_measure(const Measure& m, const Slots& s, int period) {
  auto t = static_cast<std::size_t>(period);
  Operand v = m.value ? expr(*m.value, period, m.info, 0, std::nullopt)
                      : Operand::constant(constant(m.baseline.get(), m.info, "baseline"));
  v = finish(m.info, v, period);
  if (m.range) v = emit(Op::kClamp, v, Operand::constant(m.range->first), Operand::constant(m.range->second));
  store(v, s.value[t]);
}

void PlanCompiler::compile_response(const Response& r, const Slots& s, int period) {
  const auto t = static_cast<std::size_t>(period);
  Operand when = r.when ? expr(*r.when, period, r.info, 0, std::nullopt) : Operand::constant(0.0);
  Operand on = emit(Op::kNe, when, Operand::constant(0.0));
  if (r.latch && period > 0) on = emit(Op::kMax, Operand::at(s.value[t - 1]), on);
  store(on, s.value[t]);
}

void PlanCompiler::compile_node(const std::string& name, int period) {
  const Plan::Ref& ref = plan_->index.at(name);
  const Slots& s = slots(name);
  owner_ = s.owner;
  switch (ref.kind) {
    case NodeKind::kAssumption: compile_assumption(plan_->assumptions[ref.index], s, period); break;
    case NodeKind::kResource: compile_resource(plan_->resources[ref.index], s, period); break;
    case NodeKind::kAction: compile_action(plan_->actions[ref.index], s, period); break;
    case NodeKind::kRisk: compile_risk(plan_->risks[ref.index], s, period); break;
    case NodeKind::kMeasure: compile_measure(plan_->measures[ref.index], s, period); break;
    case NodeKind::kResponse: compile_response(plan_->responses[ref.index], s, period); break;
    case NodeKind::kTarget: break;
  }
}

VariantOutputs PlanCompiler::compile_outputs() {
  VariantOutputs out;
  out.name = variant_->name;
  // A trimmed variant (VariantInput::needed) reports its targets and their
  // measures only: no statistics are spent on what nobody reads.
  std::set<std::string> target_measures;
  for (const auto& t : plan_->targets) target_measures.insert(t.measure);
  for (const auto& m : plan_->measures)
    if (!variant_->trimmed || target_measures.count(m.info.name))
      (m.info.local ? out.local_measures : out.measures).push_back({m.info.name, m.info.label, slots(m.info.name).value});
  for (const auto& r : plan_->resources) {
    if (variant_->trimmed) break;
    const Slots& s = slots(r.info.name);
    (r.info.local ? out.local_resources : out.resources).push_back({r.info.name, r.info.label, s.value, s.demand});
  }
  if (!variant_->trimmed)
    for (const auto& r : plan_->responses) out.responses.push_back({r.info.name, r.info.label, slots(r.info.name).value});
  // Targets in file order, except that a composite follows its parts (the
  // engine combines the parts' hits). The graph is acyclic, so this ends.
  std::vector<const Target*> ordered;
  std::set<std::string> placed;
  std::function<void(const Target&)> place = [&](const Target& t) {
    if (placed.count(t.info.name)) return;
    for (const auto& part : t.parts) place(plan_->targets[plan_->index.at(part.name).index]);
    placed.insert(t.info.name);
    ordered.push_back(&t);
  };
  for (const auto& t : plan_->targets) place(t);

  std::map<std::string, std::size_t> target_index;  // in targets or local_targets, as the target is
  auto unit_constant_of = [&](const Expr* e, const NodeInfo& node, double& value, std::int32_t& column) {
    const Operand o = unit_constant(e, node, "a threshold");
    value = o.value;
    column = o.column;
  };
  for (const Target* target : ordered) {
    const Target& t = *target;
    TargetOutput o;
    o.id = t.info.name;
    o.label = t.info.label;
    owner_ = owner_of_.at(t.info.name);
    auto& list = t.info.local ? out.local_targets : out.targets;
    if (t.composite()) {
      o.combine = t.combine;
      o.at_least_count = t.at_least_count;
      for (const auto& part : t.parts) o.parts.push_back(target_index.at(part.name));
    } else {
      const Slots& m = slots(t.measure);
      o.measure = t.measure;
      o.direction = t.direction;
      unit_constant_of(t.threshold.get(), t.info, o.threshold, o.threshold_column);
      o.by = t.by;
      o.array = m.at(t.by);
      for (const auto& ms : t.milestones) {
        MilestoneOutput mo{ms.by, ms.direction, 0.0, -1, m.at(ms.by)};
        unit_constant_of(ms.threshold.get(), t.info, mo.threshold, mo.threshold_column);
        o.milestones.push_back(mo);
      }
    }
    target_index[o.id] = list.size();
    list.push_back(std::move(o));
  }
  return out;
}

std::unique_ptr<Program> PlanCompiler::compile(const std::vector<VariantInput>& inputs) {
  const Plan& base = *inputs.at(0).plan;
  variants_.reserve(inputs.size());
  for (const auto& in : inputs) variants_.push_back(Variant{in.name, in.plan, {}, {}, {}, {}, {}, {}, !in.needed.empty()});
  if (base.units) {
    columns_.units = base.units->ids.size();
    columns_.values = base.units->values;
  }

  // Pass 1, and the evaluation order, for every variant: a scenario can
  // introduce a wrong name or a cycle of its own. The base is checked first
  // and alone, so its mistakes are reported once.
  for (std::size_t v = 0; v < variants_.size(); ++v) {
    Variant& var = variants_[v];
    use(var);
    check_references();
    if (v == 0) {
      copulas_ = copula_groups(base, diags_);
      for (std::size_t g = 0; g < copulas_.size(); ++g)
        for (std::size_t i = 0; i < copulas_[g].members.size(); ++i) copula_member_[copulas_[g].members[i]] = {g, i};
      references_ok_ = diags_.ok();
    }
    DependencyGraph g = build_dependency_graph(*var.plan);
    auto order = evaluation_order(g, *var.plan, diags_);
    if (!order) return nullptr;
    for (std::size_t vertex : *order)
      if (g.kinds[vertex] != NodeKind::kTarget) var.order.push_back(g.names[vertex]);
    find_stages(var);
    if (v == 0 && !references_ok_) break;  // compile the base's expressions for their own errors
  }
  if (references_ok_ && !diags_.ok()) return nullptr;  // a scenario's mistake

  prog_ = std::make_unique<Program>();
  Program& p = *prog_;
  p.title = base.title;
  p.periods = base.horizon.periods;
  for (int t = 0; t < p.periods; ++t) p.period_labels.push_back(base.horizon.label(t));
  p.confidence = base.settings.confidence;
  p.rag = base.settings.rag;

  // Arrays: every node of the base; in a variant, only the nodes it changes
  // and those that read them get their own, the rest are the base's.
  for (std::size_t v = 0; v < variants_.size(); ++v) {
    Variant& var = variants_[v];
    use(var);
    find_effects(var);
    if (v == 0) {
      for (const auto& [name, ref] : base.index) var.own.insert(name);
    } else {
      var.own = readers_closure(*var.plan, inputs[v].changed);
      if (!inputs[v].needed.empty())
        std::erase_if(var.own, [&](const std::string& n) { return !inputs[v].needed.count(n); });
      var.slots = variants_[0].slots;
    }
    for (const auto& name : var.own) lay_out(name, var.slots[name]);
    if (references_ok_ && diags_.ok())
      for (const auto& name : var.own) add_aggregations(var, name);
  }

  // The three stages of Program, each period by period.
  std::set<std::int32_t> invariant;  // arrays that hold the same values for every unit
  for (Stage stage : {Stage::kBeforeUnits, Stage::kLocal, Stage::kAfterUnits}) {
    if (stage == Stage::kLocal) {
      p.local_begin = code_.code().size();
      for (const auto& var : variants_)
        for (const auto& [name, slots] : var.slots)
          if (var.plan->index.count(name) && stage_of(var, name) == Stage::kBeforeUnits)
            for (const auto* arrays : {&slots.value, &slots.demand, &slots.cover, &slots.occurred})
              invariant.insert(arrays->begin(), arrays->end());
      code_.start_hoisting([&](std::int32_t a) { return invariant.count(a) > 0; },
                           [&] { return *invariant.insert(new_array()).first; });
    }
    if (stage == Stage::kAfterUnits) {
      // The hoisted operations join the end of the first stage.
      code_.stop_hoisting();
      auto& code = code_.code();
      const auto& hoisted = code_.hoisted();
      code.insert(code.begin() + static_cast<std::ptrdiff_t>(p.local_begin), hoisted.begin(), hoisted.end());
      p.local_begin += hoisted.size();
      p.local_end = code.size();
    }
    local_context_ = stage == Stage::kLocal;
    for (int period = 0; period < p.periods; ++period) {
      code_.set_period(period);
      for (auto& var : variants_) {
        if (&var != &variants_[0] && !references_ok_) break;
        use(var);
        for (const auto& name : var.order)
          if (var.own.count(name) && stage_of(var, name) == stage) compile_node(name, period);
        if (stage == Stage::kLocal) compile_contributions(period);
      }
    }
    if (stage == Stage::kBeforeUnits) start_aggregations();
  }
  local_context_ = false;
  if (references_ok_)
    for (auto& var : variants_) {
      use(var);
      p.variants.push_back(compile_outputs());
    }
  use(variants_[0]);
  for (const auto& [name, slots] : variants_[0].slots) {
    if (slots.kind == NodeKind::kTarget || slots.kind == NodeKind::kResponse || !base.index.count(name)) continue;
    const NodeInfo& info = base.info(base.index.at(name));
    p.base_nodes.push_back({name, slots.kind, info.local, slots.value, slots.occurred, slots.impact, slots.raw, slots.due});
  }
  p.units = program_units();  // after the outputs, whose thresholds may add derived columns
  // The same mistake compiles once per period and variant; report it once,
  // and in the order of each file (nodes compile in dependency order).
  std::set<std::tuple<std::string, int, int, std::string>> reported;
  std::vector<rules::Diagnostic> found;
  for (const auto& d : period_diags_.list())
    if (reported.emplace(d.file, d.pos.line, d.pos.col, d.message).second) found.push_back(d);
  std::vector<std::string> files;  // in order of first report
  for (const auto& d : found)
    if (std::find(files.begin(), files.end(), d.file) == files.end()) files.push_back(d.file);
  auto file_rank = [&](const std::string& f) { return std::find(files.begin(), files.end(), f) - files.begin(); };
  std::stable_sort(found.begin(), found.end(), [&](const rules::Diagnostic& a, const rules::Diagnostic& b) {
    return std::tuple(file_rank(a.file), a.pos.line, a.pos.col) < std::tuple(file_rank(b.file), b.pos.line, b.pos.col);
  });
  for (auto& d : found) diags_.add(std::move(d));
  if (!diags_.ok()) return nullptr;

  // Temporaries go after the node arrays.
  p.code = std::move(code_.code());
  auto relocate = [&](std::int32_t& a) {
    if (a >= rules::kTempBase) a = static_cast<std::int32_t>(p.node_arrays) + (a - rules::kTempBase);
  };
  for (auto& in : p.code) {
    relocate(in.dst);
    relocate(in.mask);
    relocate(in.scores);
    relocate(in.a.array);
    relocate(in.b.array);
    relocate(in.c.array);
  }
  p.arrays = p.node_arrays + static_cast<std::size_t>(code_.temps_used());
  return std::move(prog_);
}

ProgramUnits PlanCompiler::program_units() const {
  ProgramUnits u;
  if (!plan_->units) return u;
  u.name = plan_->units->name;
  u.ids = plan_->units->ids;
  for (const auto& id : u.ids) u.keys.push_back(rules::stable_hash(id));
  u.columns = columns_.values.size();
  u.values.resize(u.ids.size() * u.columns);
  for (std::size_t c = 0; c < u.columns; ++c)
    for (std::size_t i = 0; i < u.ids.size(); ++i) u.values[i * u.columns + c] = columns_.values[c][i];
  return u;
}

}  // namespace

std::set<std::string> upstream_of(const Plan& plan, const std::set<std::string>& names) {
  std::map<std::string, std::set<std::string>> reads;  // node -> the nodes it reads
  for (const auto& [read, readers] : readers_of(plan))
    for (const auto& reader : readers) reads[reader].insert(read);
  std::set<std::string> out;
  std::vector<std::string> pending(names.begin(), names.end());
  while (!pending.empty()) {
    std::string n = pending.back();
    pending.pop_back();
    if (!plan.index.count(n) || !out.insert(n).second) continue;
    auto it = reads.find(n);
    if (it != reads.end())
      for (const auto& r : it->second) pending.push_back(r);
  }
  return out;
}

std::unique_ptr<Program> compile_plan(const Plan& plan, Diagnostics& diags) {
  return compile_variants({VariantInput{"base", &plan, {}}}, diags);
}

std::unique_ptr<Program> compile_variants(const std::vector<VariantInput>& variants, Diagnostics& diags) {
  return PlanCompiler(diags).compile(variants);
}

}  // namespace plansim::graph
