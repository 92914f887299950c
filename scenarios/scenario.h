// Scenario files (plan-format.md section 11): what-if changes to a plan.
//
// A Scenario is loaded from YAML (following `extends` chains, whose cycles
// are errors) and applied to a Plan, giving a changed copy of the plan and
// the set of nodes it changes. The engine then runs the base and every
// scenario on the same keyed draws (common random numbers).
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "graph/plan.h"
#include "rules/diagnostic.h"

namespace plansim::scenarios {

// A change to one node, remembering where it was written.
struct Change {
  std::string node;
  std::string file;
  rules::SourcePos pos;
};

struct SetChange : Change {
  graph::ExprPtr value;              // an expression...
  std::vector<graph::ExprPtr> path;  // ...or one per period
};

struct AdjustChange : Change {
  double amount = 0.0;
};

// A risk forced to occur or never (`force` kNone for an action), or an
// action forced delivered or not (an extension; `action` kNone for a risk).
struct ForceChange : Change {
  graph::Force force = graph::Force::kNone;
  graph::ActionForce action = graph::ActionForce::kNone;
};

struct Scenario {
  std::string name;
  rules::SourcePos name_pos;  // of the name's value in `file`
  std::string label;
  std::string file;
  std::vector<std::string> files;  // this file and every file it extends, child first
  std::string text;                // the texts of those files, for the record
  std::vector<SetChange> set;
  std::vector<AdjustChange> scale;
  std::vector<AdjustChange> shift;
  std::vector<ForceChange> force;
  std::vector<graph::Response> responses;  // names given when applied
};

// Loads a scenario file and the files it extends (paths relative to the
// file that names them). Later files override what earlier ones say about
// the same node; responses accumulate. Returns nullptr after adding
// diagnostics when the file cannot be read or is invalid.
std::unique_ptr<Scenario> load_scenario_file(const std::string& path, rules::Diagnostics& diags);

// The plan with a scenario applied.
struct Applied {
  std::string name;
  std::unique_ptr<graph::Plan> plan;
  std::set<std::string> changed;  // nodes whose definition differs from the base (responses included)
};

// Applies `scenario` to `base`, reporting nodes the plan lacks (with
// suggestions), paths of the wrong length, scales of targets, forces of
// anything but a risk (occurs, never) or an action (delivered, not_delivered). Returns nullopt after adding diagnostics.
std::optional<Applied> apply_scenario(const graph::Plan& base, const Scenario& scenario, rules::Diagnostics& diags);

}  // namespace plansim::scenarios
