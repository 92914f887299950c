// The plan's dependency graph (Boost.Graph) over same-period references.
//
// Vertices are the plan's nodes, targets included; an edge u -> v says v
// reads u in the same period (so u is evaluated first). References through
// prev, delay(x, k >= 1) and risk mitigations read earlier periods and are
// not edges. A target depends on its measure, a composite on its parts, a
// resource on the needs of the actions that use it, an action on the
// resources it needs.
#pragma once

#include <boost/graph/adjacency_list.hpp>
#include <optional>
#include <string>
#include <vector>

#include "graph/plan.h"
#include "rules/diagnostic.h"

namespace plansim::graph {

struct DependencyGraph {
  using Graph = boost::adjacency_list<boost::setS, boost::vecS, boost::bidirectionalS>;
  Graph graph;
  std::vector<std::string> names;       // by vertex
  std::vector<NodeKind> kinds;          // by vertex
  std::vector<rules::SourcePos> where;  // by vertex

  std::size_t vertex(const std::string& name) const;  // asserts the name exists
};

// Builds the graph. Unknown references are skipped here (the plan compiler
// reports them).
DependencyGraph build_dependency_graph(const Plan& plan);

// Vertices in an order where every edge goes forward, or nullopt after
// reporting each same-period cycle (naming every node on it, in order).
std::optional<std::vector<std::size_t>> evaluation_order(const DependencyGraph& g, const Plan& plan,
                                                         rules::Diagnostics& diags);

// The longest chain of nodes from an assumption to a target (empty when there is none).
std::vector<std::string> longest_chain(const DependencyGraph& g, const std::vector<std::size_t>& order);

// Graphviz DOT, ranked from targets (top) down to resources and assumptions.
std::string to_dot(const DependencyGraph& g, const Plan& plan);

}  // namespace plansim::graph
