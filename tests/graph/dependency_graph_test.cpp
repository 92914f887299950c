// The dependency graph (graph/dependency_graph.h): which same-period edges a
// plan has, an evaluation order that respects them, the longest chain from
// an assumption to a target, and the DOT output.
#include "graph/dependency_graph.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tests/graph/plan_test_support.h"

namespace plansim::graph {
namespace {

using test::with_head;

// Every kind of node and edge. The sections' order is fixed (assumptions
// first, targets last), so `summary` and `both`, written before what they
// read, make the vertex order differ from any evaluation order.
constexpr std::string_view kPlanBody = R"(
assumptions:
  growth: normal(0.03, 0.02)
  sickness: {value: 'uniform(0.04, 0.07)', per: period}
resources:
  hours: {available: 400 * (1 - sickness)}
actions:
  meet: {needs: {hours: 9 + 100 * growth}, due: 2003-06}
  review: {due: 2004-03}
risks:
  poor_files: {likelihood: M, impact: growth, mitigated_by: {review: 0.5}}
measures:
  summary:
    value: spend + rate
  rate:
    baseline: 0.67
    value: prev(rate) + growth - 0.05 * meet + poor_files
  spend:
    value: hours * 2 + delay(rate, 1)
targets:
  both: {all_of: [low, cheap]}
  low: {measure: rate, at_most: 0.6}
  cheap: {measure: spend, at_most: 1000}
)";

struct Built {
  std::unique_ptr<Plan> plan;
  DependencyGraph graph;
  std::vector<std::size_t> order;
};

Built build(std::string_view body) {
  Built b;
  rules::Diagnostics diags;
  b.plan = load_plan_text(with_head(body), test::kFile, diags);
  EXPECT_TRUE(b.plan && diags.ok()) << diags.to_string();
  if (!b.plan) return b;
  b.graph = build_dependency_graph(*b.plan);
  auto order = evaluation_order(b.graph, *b.plan, diags);
  EXPECT_TRUE(order.has_value()) << diags.to_string();
  if (order) b.order = *order;
  return b;
}

bool has_edge(const DependencyGraph& g, const std::string& from, const std::string& to) {
  return boost::edge(g.vertex(from), g.vertex(to), g.graph).second;
}

TEST(DependencyGraph, HasAnEdgeForEverySamePeriodRead) {
  Built b = build(kPlanBody);
  const DependencyGraph& g = b.graph;
  EXPECT_EQ(g.names.size(), 12u);
  EXPECT_EQ(g.kinds[g.vertex("hours")], NodeKind::kResource);
  EXPECT_EQ(g.where[g.vertex("growth")].line, 4);

  EXPECT_TRUE(has_edge(g, "sickness", "hours"));    // available reads sickness
  EXPECT_TRUE(has_edge(g, "growth", "hours"));      // hours' demand reads meet's need
  EXPECT_TRUE(has_edge(g, "hours", "meet"));        // an action reads its resources' cover
  EXPECT_TRUE(has_edge(g, "growth", "poor_files"));  // impact
  EXPECT_TRUE(has_edge(g, "growth", "rate"));
  EXPECT_TRUE(has_edge(g, "meet", "rate"));
  EXPECT_TRUE(has_edge(g, "poor_files", "rate"));
  EXPECT_TRUE(has_edge(g, "hours", "spend"));
  EXPECT_TRUE(has_edge(g, "spend", "summary"));
  EXPECT_TRUE(has_edge(g, "rate", "summary"));
  EXPECT_TRUE(has_edge(g, "rate", "low"));    // a target reads its measure
  EXPECT_TRUE(has_edge(g, "spend", "cheap"));
  EXPECT_TRUE(has_edge(g, "low", "both"));    // a composite reads its parts
  EXPECT_TRUE(has_edge(g, "cheap", "both"));

  // Earlier periods and mitigations are not same-period edges.
  EXPECT_FALSE(has_edge(g, "rate", "rate"));          // prev(rate)
  EXPECT_FALSE(has_edge(g, "rate", "spend"));         // delay(rate, 1)
  EXPECT_FALSE(has_edge(g, "review", "poor_files"));  // mitigated_by
  EXPECT_FALSE(has_edge(g, "meet", "hours"));
}

TEST(DependencyGraph, EvaluationOrderPutsEveryNodeAfterItsSamePeriodInputs) {
  Built b = build(kPlanBody);
  const DependencyGraph& g = b.graph;
  const std::size_t n = g.names.size();
  ASSERT_EQ(b.order.size(), n);
  std::vector<std::size_t> position(n, n);
  for (std::size_t i = 0; i < n; ++i) position[b.order[i]] = i;
  for (std::size_t v = 0; v < n; ++v) EXPECT_LT(position[v], n) << g.names[v] << " is missing from the order";

  std::size_t edges = 0;
  for (auto [it, end] = boost::edges(g.graph); it != end; ++it, ++edges) {
    std::size_t from = boost::source(*it, g.graph), to = boost::target(*it, g.graph);
    EXPECT_LT(position[from], position[to]) << g.names[from] << " must come before " << g.names[to];
  }
  EXPECT_GE(edges, 14u);
  // Written before what they read, yet evaluated after it.
  EXPECT_GT(position[g.vertex("summary")], position[g.vertex("spend")]);
  EXPECT_GT(position[g.vertex("both")], position[g.vertex("cheap")]);
}

TEST(DependencyGraph, LongestChainRunsFromAnAssumptionToATarget) {
  Built b = build(R"(
assumptions:
  growth: normal(0.03, 0.02)
  flat: 1
measures:
  a: {value: growth * 2}
  b: {value: a + 1}
  c: {value: flat}
targets:
  tb: {measure: b, at_most: 1}
  tc: {measure: c, at_most: 1}
)");
  EXPECT_EQ(longest_chain(b.graph, b.order), (std::vector<std::string>{"growth", "a", "b", "tb"}));

  Built composite = build(R"(
assumptions:
  growth: normal(0.03, 0.02)
measures:
  a: {value: growth * 2}
  b: {value: a + 1}
targets:
  all: {all_of: [tb, ta]}
  ta: {measure: a, at_most: 1}
  tb: {measure: b, at_most: 1}
)");
  EXPECT_EQ(longest_chain(composite.graph, composite.order),
            (std::vector<std::string>{"growth", "a", "b", "tb", "all"}));
}

TEST(DependencyGraph, LongestChainIsEmptyWithoutAnAssumption) {
  Built b = build(R"(
measures:
  rate: {baseline: 0.5}
targets:
  low: {measure: rate, at_most: 0.4}
)");
  EXPECT_TRUE(longest_chain(b.graph, b.order).empty());
}

TEST(DependencyGraph, DotHasEveryNodeAndEveryEdge) {
  Built b = build(kPlanBody);
  const DependencyGraph& g = b.graph;
  const std::string dot = to_dot(g, *b.plan);
  EXPECT_NE(dot.find("digraph plan {"), std::string::npos) << dot;
  EXPECT_EQ(dot.substr(dot.size() - 2), "}\n");
  for (std::size_t v = 0; v < g.names.size(); ++v) {
    const std::string node = "\"" + g.names[v] + "\" [label=\"" + g.names[v] + "\\n(" + to_string(g.kinds[v]) + ")\"";
    EXPECT_NE(dot.find(node), std::string::npos) << node << "\n" << dot;
  }
  for (auto [it, end] = boost::edges(g.graph); it != end; ++it) {
    const std::string edge =
        "\"" + g.names[boost::source(*it, g.graph)] + "\" -> \"" + g.names[boost::target(*it, g.graph)] + "\";";
    EXPECT_NE(dot.find(edge), std::string::npos) << edge << "\n" << dot;
  }
  EXPECT_NE(dot.find("\"review\" -> \"poor_files\" [style=dashed"), std::string::npos) << dot;
}

TEST(DependencyGraph, DotEscapesQuotesInTitlesAndLabels) {
  rules::Diagnostics diags;
  auto plan = load_plan_text(R"(plan: 'The "big" plan'
horizon: {start: 2003-04, periods: 4, step: quarter}
measures:
  rate: {baseline: 0.5, label: 'Rate "as reported"'}
)",
                             test::kFile, diags);
  ASSERT_TRUE(plan && diags.ok()) << diags.to_string();
  const std::string dot = to_dot(build_dependency_graph(*plan), *plan);
  EXPECT_NE(dot.find("The \\\"big\\\" plan"), std::string::npos) << dot;
  EXPECT_NE(dot.find("tooltip=\"Rate \\\"as reported\\\"\""), std::string::npos) << dot;
}

}  // namespace
}  // namespace plansim::graph
