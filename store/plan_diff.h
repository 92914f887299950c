// Which nodes of a plan changed between two versions of its text.
//
// Both texts are parsed with graph::parse_yaml (no plan validation: an old
// version need not load with today's rules) and compared as trees, so
// comments, blank lines, indentation, flow versus block style, quoting of
// text, key order within a mapping and the spelling of numbers (0.50, 5e-1)
// make no difference; the order of list items does. Runs of whitespace
// inside text count as one space. A plain number and the same digits quoted
// differ (YAML reads one as a number, the other as text).
//
// Nodes are compared one by one within each node section (assumptions,
// resources, actions, risks, measures, targets); every other top-level
// section (plan, horizon, settings, scales, responses, ...) is compared as a
// whole and reported by its name.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "graph/yaml_tree.h"

namespace plansim::store {

struct NodeChange {
  std::string section;  // "assumptions", ...
  std::string name;     // the node's name
  bool operator==(const NodeChange&) const = default;
};

struct PlanDiff {
  std::vector<NodeChange> added;    // in the new text only (in its order)
  std::vector<NodeChange> removed;  // in the old text only (in its order)
  std::vector<NodeChange> changed;  // in both, with a different subtree (new text's order)
  std::vector<std::string> sections;  // other top-level sections changed, added or removed
  std::vector<std::string> errors;    // why a text could not be compared (its YAML errors)

  bool same() const {
    return added.empty() && removed.empty() && changed.empty() && sections.empty() && errors.empty();
  }
};

// The node sections, in the order plans write them.
inline constexpr std::string_view kNodeSections[] = {"assumptions", "resources", "actions",
                                                     "risks",       "measures",  "targets"};

PlanDiff diff_plans(std::string_view old_text, std::string_view new_text);

// A canonical, unambiguous string for a YAML subtree: equal for trees that
// differ only in what the header comment says makes no difference.
std::string canonical_form(const graph::YamlNode& node);

// Whether two YAML documents are the same by canonical_form (false when
// either does not parse).
bool same_document(std::string_view a, std::string_view b);

}  // namespace plansim::store
