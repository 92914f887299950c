// Correlated planning assumptions (plan-format.md section 10): reading the
// `correlations` section, checking it, and the Gaussian copula it defines.
//
// Each group of assumptions linked by correlations gets one copula: its
// members' normal scores are z = F e, where e holds one independent standard
// normal per member (drawn with that member's own key) and F F^T is the
// normal correlation matrix, rho = 2 sin(pi r / 6) for rank correlation r.
// A member's value is its distribution's quantile at Phi(z), so every
// assumption keeps its own distribution and the pairs get the stated rank
// correlations.
#pragma once

#include <string>
#include <vector>

#include "graph/field_reader.h"
#include "graph/plan.h"
#include "graph/yaml_tree.h"
#include "rules/diagnostic.h"

namespace plansim::graph {

// Reads `correlations:` (a list of [assumption, assumption, r]) into
// plan.correlations, reporting malformed entries. Names are checked later,
// by copula_groups, once every node is known.
void load_correlations(const YamlNode& list, FieldReader& in, Plan& plan);

struct CopulaGroup {
  std::vector<std::string> members;  // in order of first mention
  // Row-major members x members: member i's score is sum_j factor[i][j] e_j.
  std::vector<double> factor;
  double at(std::size_t i, std::size_t j) const { return factor[i * members.size() + j]; }
};

// Checks every correlation (the names are per: plan assumptions whose
// value is a single distribution, no pair twice, no assumption with itself)
// and that each group's matrix is positive semi-definite; reports what is
// wrong, naming the assumptions involved. Returns the groups (empty when
// there is an error).
std::vector<CopulaGroup> copula_groups(const Plan& plan, rules::Diagnostics& diags);

// True when `a` can be correlated: a plan-wide, once-per-sample assumption
// whose value is one call of a distribution.
bool correlatable(const Assumption& a);

}  // namespace plansim::graph
