// Compiling a Plan into a Program (plan-format.md sections 2-8).
//
// Checks every reference (unknown names with suggestions, a name of the
// wrong kind, `funding` outside an action's delivery), orders the nodes by
// their same-period dependencies (reporting cycles), and compiles each node's
// expressions for each period in that order. The semantics of each kind:
//   assumption  `per: plan` evaluated once (period 0) and held; `per: period`
//               and paths evaluated in every period;
//   resource    available[t]; demand[t] = sum of the needs of the actions
//               active in t; cover[t] = min(1, available / demand), 1 when
//               there is no demand;
//   action      at `due`: funding = mean over from..due of the smallest cover
//               among its resources (1 with no needs); delivered ~
//               Bernoulli(delivery), delivery defaulting to funding; the value
//               is 0 before due and `delivered` from due on;
//   risk        per period q = 1 - (1 - L)^(1/periods) with L the likelihood
//               times each mitigation factor whose action was delivered by
//               the previous period; it occurs at most once; its value is 0
//               before it occurs and the impact (drawn once) from then on;
//   measure     the value expression (default: the baseline), clamped to range;
//   response    on[t] = (when != 0), or with latch on[t-1] or (when != 0);
//               while on it adds to (or scales) the nodes it names.
// A scenario's scale and shift, then responses, apply to the value as the
// node's expression computes it (an action's delivery probability, a
// resource's available amount, a risk's value), before a measure's range.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "graph/dependency_graph.h"
#include "graph/plan.h"
#include "graph/program.h"
#include "rules/diagnostic.h"

namespace plansim::graph {

// Returns nullptr after adding diagnostics when the plan cannot be compiled.
std::unique_ptr<Program> compile_plan(const Plan& plan, rules::Diagnostics& diags);

// A variant of the plan to run beside it on the same draws: the plan with a
// scenario applied (scenarios/), or a sweep point. `changed` names the nodes
// whose definitions differ from the base (responses included); they and
// every node that reads them, directly or through others, get arrays of
// their own; everything else is shared with the base.
//
// `needed`, when not empty, limits that to the nodes it names (which must
// include everything they read: upstream_of gives such a set): a variant
// built to answer for one target (plansim explain's forced re-runs) then
// computes only what that target rests on. Its figures for every other node
// and target are the base's, not its own, and it reports no resources,
// responses or measures other than its targets'.
struct VariantInput {
  std::string name;
  const Plan* plan = nullptr;
  std::set<std::string> changed;
  std::set<std::string> needed = {};  // (an initializer: callers that list three fields stay warning-free)
};

// Compiles the base (variants[0], whose `changed` is ignored) and the other
// variants into one Program.
std::unique_ptr<Program> compile_variants(const std::vector<VariantInput>& variants, rules::Diagnostics& diags);

// The nodes whose values `names` can depend on, by any route (same-period
// reads, prev, delay and cum, an action's needs, a risk's mitigations,
// responses), `names` included. Names the plan lacks are skipped.
std::set<std::string> upstream_of(const Plan& plan, const std::set<std::string>& names);

}  // namespace plansim::graph
