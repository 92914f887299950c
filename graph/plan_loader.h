// Loading a plan file into a Plan (plan-format.md sections 1-8).
//
// load_plan() checks the file's structure: sections and keys (unknown keys
// are errors, with suggestions), names, types, numbers (.nan and .inf are
// refused), months inside the horizon, probabilities in [0, 1], and parses
// every expression. References between nodes, same-period cycles and the
// parameters of distributions are checked when the plan is compiled
// (graph/plan_compiler.h), so one call to each reports every mistake.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "graph/field_reader.h"
#include "graph/plan.h"
#include "graph/yaml_tree.h"
#include "rules/diagnostic.h"

namespace plansim::graph {

// Limits on what a plan may contain, each reported with how to raise it.
inline constexpr int kMaxPeriods = 600;
inline constexpr std::size_t kMaxNodes = 100000;

// Reads and loads the plan at `path`. Returns nullptr only when the file
// cannot be read or parsed as YAML at all; otherwise a Plan, possibly with
// diagnostics added for the parts that were wrong.
std::unique_ptr<Plan> load_plan_file(const std::string& path, rules::Diagnostics& diags);

// The same from text already in memory; `file` names it in diagnostics.
std::unique_ptr<Plan> load_plan_text(std::string text, const std::string& file,
                                     rules::Diagnostics& diags);

// Reads a `responses:` list (of a plan or a scenario) and appends each to
// plan.responses and plan.index as "response#N".
void load_responses(const YamlNode& list, FieldReader& in, Plan& plan);

// Whether `name` is a valid node name: [a-z_][a-z0-9_]*, not a keyword,
// function or reserved name (t, funding).
bool valid_node_name(std::string_view name);

}  // namespace plansim::graph
