// The HTML report's charts of the plan itself: the risk register as a
// likelihood x impact heat map, and the dependency graph drawn as layers
// from targets (top) down to resources and assumptions (bottom).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "graph/plan.h"
#include "rules/ast.h"

namespace plansim::report {

// A risk as the heat map places it.
struct RiskPoint {
  std::string id;
  std::string label;
  std::string owner;
  std::optional<double> likelihood;  // over the horizon; nullopt when it is not a constant
  std::string band;                  // the plan's likelihood label nearest to it ("H"); "" when it varies
  std::optional<double> impact;      // representative impact; nullopt: "varies"
  std::string impact_how;            // "constant", "mean of triangular(...)", "varies"
  std::vector<std::pair<std::string, double>> mitigated_by;
};

// The value an expression stands for on a chart: its value when constant,
// the mean of a distribution whose parameters are constant (normal: mean;
// lognormal: exp(mu + sigma^2 / 2); uniform: (a + b) / 2; triangular:
// (min + mode + max) / 3; PERT: (min + 4 mode + max) / 6; beta: a / (a +
// b); bernoulli: p; poisson: lambda), and sums, differences, negations and
// constant multiples of those (means are linear). nullopt for anything that
// reads a node, `t` or a time function. `random` is set when a
// distribution was involved.
std::optional<double> representative_value(const rules::Expr& e, bool& random);

// The plan's risks with their likelihoods (banded by the plan's likelihood
// scale) and representative impacts (an absent impact is 1).
std::vector<RiskPoint> risk_points(const graph::Plan& plan);

// Likelihood bands (the plan's scale, VL at the bottom) against impact
// (columns from 0 to the largest representative impact, plus a "varies"
// column when some impact is not constant), cells shaded from green to red
// by likelihood x impact, each risk a numbered dot (number i is risks[i-1])
// labelled with its id where there is room. Risks whose likelihood is not
// a constant are left off (the table beside the chart says so). Returns ""
// when `risks` is empty.
std::string risk_heat_map_svg(const std::string& id, const graph::Plan& plan, const std::vector<RiskPoint>& risks);

// Plans with more nodes than this are not drawn (the report says so).
inline constexpr std::size_t kMaxGraphNodes = 150;

// The dependency graph (graph::build_dependency_graph): nodes as boxes
// shaped and coloured by kind, in layers by longest path from the nodes
// that read nothing, sources placed just below their first reader, targets
// in the top layers; within a layer, ordered by the barycentre of their
// neighbours to reduce crossings; layers too wide for one row wrap onto
// several. Edges are straight arrows from what is read to what reads it;
// mitigations are dashed. Returns "" with `why_not` set when the plan has
// more than kMaxGraphNodes nodes.
std::string dependency_graph_svg(const std::string& id, const graph::Plan& plan, std::string& why_not);

}  // namespace plansim::report
