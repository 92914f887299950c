#include "graph/dependency_graph.h"

#include <algorithm>
#include <boost/graph/strong_components.hpp>
#include <boost/graph/topological_sort.hpp>
#include <cassert>
#include <sstream>

#include "rules/compiler.h"

namespace plansim::graph {

std::size_t DependencyGraph::vertex(const std::string& name) const {
  auto it = std::find(names.begin(), names.end(), name);
  assert(it != names.end());
  return static_cast<std::size_t>(it - names.begin());
}

namespace {

// Adds an edge from every node `e` reads in its own period to `to`.
void add_reads(DependencyGraph& g, const Plan& plan, const rules::Expr* e, std::size_t to) {
  if (!e) return;
  std::vector<const rules::Expr*> names;
  rules::same_period_names(*e, names);
  for (const rules::Expr* n : names) {
    auto it = plan.index.find(n->name);
    if (it == plan.index.end()) continue;
    std::size_t from = g.vertex(it->first);
    boost::add_edge(from, to, g.graph);
  }
}

void add_edge_to(DependencyGraph& g, const Plan& plan, const std::string& from, std::size_t to) {
  if (plan.index.count(from)) boost::add_edge(g.vertex(from), to, g.graph);
}

}  // namespace

DependencyGraph build_dependency_graph(const Plan& plan) {
  DependencyGraph g;
  auto add_vertex = [&](const NodeInfo& info) {
    g.names.push_back(info.name);
    g.kinds.push_back(info.kind);
    g.where.push_back(info.pos);
    boost::add_vertex(g.graph);
  };
  for (const auto& a : plan.assumptions) add_vertex(a.info);
  for (const auto& r : plan.resources) add_vertex(r.info);
  for (const auto& a : plan.actions) add_vertex(a.info);
  for (const auto& r : plan.risks) add_vertex(r.info);
  for (const auto& m : plan.measures) add_vertex(m.info);
  for (const auto& t : plan.targets) add_vertex(t.info);
  for (const auto& r : plan.responses) add_vertex(r.info);

  for (const auto& a : plan.assumptions) {
    std::size_t v = g.vertex(a.info.name);
    add_reads(g, plan, a.value.get(), v);
    for (const auto& p : a.path) add_reads(g, plan, p.get(), v);
  }
  for (const auto& r : plan.resources) add_reads(g, plan, r.available.get(), g.vertex(r.info.name));
  for (const auto& a : plan.actions) {
    std::size_t v = g.vertex(a.info.name);
    for (const auto& need : a.needs) {
      add_edge_to(g, plan, need.resource, v);
      // The resource's demand is computed from this need.
      auto it = plan.index.find(need.resource);
      if (it != plan.index.end() && it->second.kind == NodeKind::kResource)
        add_reads(g, plan, need.amount.get(), g.vertex(need.resource));
    }
    add_reads(g, plan, a.delivery.get(), v);
  }
  for (const auto& r : plan.risks) {
    std::size_t v = g.vertex(r.info.name);
    add_reads(g, plan, r.likelihood.get(), v);
    add_reads(g, plan, r.impact.get(), v);
  }
  for (const auto& m : plan.measures) add_reads(g, plan, m.value.get(), g.vertex(m.info.name));
  // A response reads its condition and amounts, and the nodes it changes read it.
  for (const auto& r : plan.responses) {
    std::size_t v = g.vertex(r.info.name);
    add_reads(g, plan, r.when.get(), v);
    for (const auto* effects : {&r.add, &r.scale})
      for (const auto& e : *effects) {
        add_reads(g, plan, e.amount.get(), v);
        if (plan.index.count(e.node)) boost::add_edge(v, g.vertex(e.node), g.graph);
      }
  }
  for (const auto& t : plan.targets) {
    std::size_t v = g.vertex(t.info.name);
    if (!t.composite()) add_edge_to(g, plan, t.measure, v);
    for (const auto& p : t.parts) add_edge_to(g, plan, p.name, v);
  }
  return g;
}

namespace {

// A cycle through `start` inside its strongly connected component, as a
// list of vertices in edge order (found by depth-first search).
std::vector<std::size_t> cycle_through(const DependencyGraph& g, std::size_t start,
                                       const std::vector<int>& component) {
  std::vector<std::size_t> path{start};
  std::vector<char> seen(boost::num_vertices(g.graph), 0);
  std::vector<std::pair<std::size_t, DependencyGraph::Graph::out_edge_iterator>> stack;
  auto edges = boost::out_edges(start, g.graph);
  stack.push_back({start, edges.first});
  seen[start] = 1;
  while (!stack.empty()) {
    auto& [v, it] = stack.back();
    auto end = boost::out_edges(v, g.graph).second;
    if (it == end) {
      stack.pop_back();
      path.pop_back();
      continue;
    }
    std::size_t w = boost::target(*it, g.graph);
    ++it;
    if (w == start) return path;
    if (seen[w] || component[w] != component[start]) continue;
    seen[w] = 1;
    path.push_back(w);
    stack.push_back({w, boost::out_edges(w, g.graph).first});
  }
  return {start};
}

}  // namespace

std::optional<std::vector<std::size_t>> evaluation_order(const DependencyGraph& g, const Plan& plan,
                                                         rules::Diagnostics& diags) {
  std::size_t n = boost::num_vertices(g.graph);
  std::vector<int> component(n);
  int count = boost::strong_components(g.graph, component.data());
  std::vector<int> size(static_cast<std::size_t>(count), 0);
  for (int c : component) ++size[static_cast<std::size_t>(c)];

  std::vector<char> reported(static_cast<std::size_t>(count), 0);
  bool cyclic = false;
  for (std::size_t v = 0; v < n; ++v) {
    auto c = static_cast<std::size_t>(component[v]);
    bool self_loop = boost::edge(v, v, g.graph).second;
    if ((size[c] < 2 && !self_loop) || reported[c]) continue;
    reported[c] = 1;
    cyclic = true;
    std::vector<std::size_t> cycle = cycle_through(g, v, component);
    // A response has no name in the file: show its label beside its number.
    auto describe = [&](std::size_t u) {
      const NodeInfo& info = plan.info(plan.index.at(g.names[u]));
      return g.kinds[u] == NodeKind::kResponse && !info.label.empty()
                 ? g.names[u] + " (\"" + info.label.substr(0, 60) + "\")"
                 : g.names[u];
    };
    std::string chain;
    for (std::size_t u : cycle) chain += describe(u) + " -> ";
    chain += g.names[cycle.front()];
    std::string message = self_loop && size[c] == 1
                              ? "'" + g.names[v] + "' depends on itself in the same period"
                              : "same-period cycle: " + chain;
    // Composite targets combine other targets' hits: time functions cannot
    // break a loop of them, only removing a part can.
    const bool only_targets = std::all_of(cycle.begin(), cycle.end(),
                                          [&](std::size_t u) { return g.kinds[u] == NodeKind::kTarget; });
    diags.error(plan.file, g.where[v], g.names[v], message,
                only_targets ? "a composite target combines other targets; remove '" + g.names[v] + "' from its parts"
                             : "break the loop with prev(x) (the previous period's value) or delay(x, k)");
  }
  if (cyclic) return std::nullopt;

  std::vector<std::size_t> reversed;
  boost::topological_sort(g.graph, std::back_inserter(reversed));
  return std::vector<std::size_t>(reversed.rbegin(), reversed.rend());
}

std::vector<std::string> longest_chain(const DependencyGraph& g, const std::vector<std::size_t>& order) {
  // Longest path by dynamic programming over the topological order,
  // starting only at assumptions.
  std::size_t n = order.size();
  std::vector<int> length(n, -1);
  std::vector<std::size_t> parent(n, n);
  for (std::size_t v : order)
    if (g.kinds[v] == NodeKind::kAssumption) length[v] = std::max(length[v], 1);
  for (std::size_t v : order) {
    if (length[v] < 0) continue;
    for (auto [it, end] = boost::out_edges(v, g.graph); it != end; ++it) {
      std::size_t w = boost::target(*it, g.graph);
      if (length[v] + 1 > length[w]) {
        length[w] = length[v] + 1;
        parent[w] = v;
      }
    }
  }
  std::size_t best = n;
  for (std::size_t v = 0; v < n; ++v)
    if (g.kinds[v] == NodeKind::kTarget && length[v] > 0 && (best == n || length[v] > length[best])) best = v;
  std::vector<std::string> chain;
  for (std::size_t v = best; v != n; v = parent[v]) chain.push_back(g.names[v]);
  std::reverse(chain.begin(), chain.end());
  return chain;
}

namespace {

std::string dot_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

std::string to_dot(const DependencyGraph& g, const Plan& plan) {
  std::ostringstream out;
  out << "// Dependency graph of \"" << dot_escape(plan.title) << "\" (plansim graph)\n";
  out << "digraph plan {\n  rankdir=BT;\n  node [fontname=\"Helvetica\", fontsize=10];\n";
  auto shape = [](NodeKind k) {
    switch (k) {
      case NodeKind::kAssumption: return "shape=parallelogram, style=filled, fillcolor=\"#e8eef7\"";
      case NodeKind::kResource: return "shape=box3d, style=filled, fillcolor=\"#eef7e8\"";
      case NodeKind::kAction: return "shape=box, style=\"rounded,filled\", fillcolor=\"#fff7e0\"";
      case NodeKind::kRisk: return "shape=octagon, style=filled, fillcolor=\"#fde8e8\"";
      case NodeKind::kMeasure: return "shape=ellipse, style=filled, fillcolor=\"#f0f0f0\"";
      case NodeKind::kTarget: return "shape=doubleoctagon, style=filled, fillcolor=\"#e0f0ff\"";
      case NodeKind::kResponse: return "shape=cds, style=filled, fillcolor=\"#f3e8fd\"";
    }
    return "shape=box";
  };
  for (std::size_t v = 0; v < g.names.size(); ++v) {
    const NodeInfo& info = plan.info(plan.index.at(g.names[v]));
    std::string label = g.names[v] + "\\n(" + to_string(g.kinds[v]) + ")";
    out << "  \"" << dot_escape(g.names[v]) << "\" [label=\"" << label << "\"";
    if (!info.label.empty()) out << ", tooltip=\"" << dot_escape(info.label) << "\"";
    out << ", " << shape(g.kinds[v]) << "];\n";
  }
  for (auto [it, end] = boost::edges(g.graph); it != end; ++it)
    out << "  \"" << dot_escape(g.names[boost::source(*it, g.graph)]) << "\" -> \""
        << dot_escape(g.names[boost::target(*it, g.graph)]) << "\";\n";
  // Mitigations and time references are not same-period edges; draw them dashed.
  for (const auto& r : plan.risks)
    for (const auto& m : r.mitigated_by)
      if (plan.index.count(m.action))
        out << "  \"" << dot_escape(m.action) << "\" -> \"" << dot_escape(r.info.name)
            << "\" [style=dashed, label=\"mitigates\"];\n";
  out << "}\n";
  return out.str();
}

}  // namespace plansim::graph
