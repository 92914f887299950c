#include "graph/correlations.h"

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <map>
#include <numbers>
#include <optional>

#include "rules/functions.h"
#include "rules/suggest.h"

namespace plansim::graph {
namespace {

// Rank correlation r to the normal correlation that gives it under a
// Gaussian copula.
double normal_correlation(double rank) { return 2.0 * std::sin(std::numbers::pi * rank / 6.0); }

// Eigenvalues below this (relative to the matrix's size) count as negative:
// rounding alone gives about 1e-16 on a valid matrix.
constexpr double kPsdTolerance = 1e-10;

bool positive_semidefinite(const Eigen::MatrixXd& m) {
  if (m.rows() == 0) return true;
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(m, Eigen::EigenvaluesOnly);
  return eig.eigenvalues().minCoeff() >= -kPsdTolerance * static_cast<double>(m.rows());
}

// F with F F^T = m for a positive semi-definite m, from m = P^T L D L^T P:
// F = P^T L D^(1/2). LDLT rather than Cholesky, so that singular matrices
// (a correlation of 1, or three assumptions that determine each other) work.
Eigen::MatrixXd factor_of(const Eigen::MatrixXd& m) {
  const Eigen::LDLT<Eigen::MatrixXd> ldlt(m);
  const Eigen::MatrixXd l = ldlt.matrixL();
  const Eigen::VectorXd d = ldlt.vectorD().cwiseMax(0.0).cwiseSqrt();
  Eigen::MatrixXd f = l * d.asDiagonal();
  return ldlt.transpositionsP().transpose() * f;
}

std::string quoted(const std::string& name) { return "'" + name + "'"; }

std::string names_list(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " and " : ", ";
    out += quoted(names[i]);
  }
  return out;
}

}  // namespace

bool correlatable(const Assumption& a) {
  return !a.info.local && !a.per_period && a.path.empty() && a.value &&
         a.value->kind == rules::ExprKind::kCall && rules::find_distribution(a.value->name).has_value();
}

void load_correlations(const YamlNode& list, FieldReader& in, Plan& plan) {
  if (list.is_null()) return;
  if (!list.is_seq()) {
    in.error(list.pos, "", std::string("correlations must be a list of [assumption, assumption, r], not ") +
                               list.kind_name(),
             "e.g. correlations:\n  - [caseload_growth, sickness, 0.4]");
    return;
  }
  for (const auto& item : list.items) {
    if (!item->is_seq() || item->items.size() != 3 || !item->items[0]->is_scalar() ||
        !item->items[1]->is_scalar() || !item->items[2]->is_scalar()) {
      in.error(item->pos, "", "a correlation is a list of two assumption names and a rank correlation",
               "e.g. - [caseload_growth, sickness, 0.4]");
      continue;
    }
    Correlation c;
    c.a = item->items[0]->scalar;
    c.b = item->items[1]->scalar;
    c.pos_a = item->items[0]->pos;
    c.pos_b = item->items[1]->pos;
    c.pos = item->pos;
    const std::optional<double> r = in.number(*item->items[2], "", "a rank correlation");
    if (!r) continue;
    if (!(*r >= -1.0 && *r <= 1.0)) {
      in.error(item->items[2]->pos, "", "a rank correlation must be between -1 and 1 (got " + item->items[2]->scalar + ")");
      continue;
    }
    c.rank = *r;
    plan.correlations.push_back(std::move(c));
  }
}

std::vector<CopulaGroup> copula_groups(const Plan& plan, rules::Diagnostics& diags) {
  const std::size_t errors_before = diags.size();
  auto error = [&](rules::SourcePos pos, std::string message, std::string hint = {}) {
    diags.error(plan.file, pos, "", std::move(message), std::move(hint));
  };
  std::vector<std::string> assumption_names;
  for (const auto& a : plan.assumptions) assumption_names.push_back(a.info.name);

  // One name of an entry: a plan-wide, once-per-sample assumption drawn from one distribution.
  auto check_name = [&](const std::string& name, rules::SourcePos pos) {
    auto it = plan.index.find(name);
    if (it == plan.index.end()) {
      error(pos, quoted(name) + " in correlations is not an assumption of the plan",
            rules::did_you_mean(name, assumption_names));
      return false;
    }
    if (it->second.kind != NodeKind::kAssumption) {
      error(pos, quoted(name) + " in correlations is " + with_article(it->second.kind) + ", not an assumption",
            "correlations link planning assumptions (section 10)");
      return false;
    }
    const Assumption& a = plan.assumptions[it->second.index];
    if (correlatable(a)) return true;
    if (a.info.local)
      error(pos, quoted(name) + " is a local assumption; correlations link plan-wide assumptions",
            "correlate the plan-wide assumptions the local ones read");
    else if (a.per_period || !a.path.empty())
      error(pos, quoted(name) + " is drawn every period (per: period or a path); only per: plan assumptions can be correlated",
            "correlate assumptions drawn once per sample");
    else
      error(pos, quoted(name) + " must be a single distribution such as normal(0.03, 0.02) to be correlated",
            "give it a distribution, or move the arithmetic into a measure that reads it");
    return false;
  };

  std::map<std::pair<std::string, std::string>, const Correlation*> seen;
  std::vector<const Correlation*> valid;
  for (const Correlation& c : plan.correlations) {
    const bool a_ok = check_name(c.a, c.pos_a);
    const bool b_ok = check_name(c.b, c.pos_b);
    if (!a_ok || !b_ok) continue;
    if (c.a == c.b) {
      error(c.pos, quoted(c.a) + " is correlated with itself", "a correlation links two different assumptions");
      continue;
    }
    const auto key = std::minmax(c.a, c.b);
    auto [it, fresh] = seen.emplace(std::pair{key.first, key.second}, &c);
    if (!fresh) {
      error(c.pos, "the correlation of " + quoted(c.a) + " and " + quoted(c.b) + " is given twice (first on line " +
                       std::to_string(it->second->pos.line) + ")",
            "keep one entry per pair");
      continue;
    }
    valid.push_back(&c);
  }
  if (diags.size() > errors_before) return {};

  // Groups: assumptions linked by correlations, in order of first mention.
  std::vector<std::string> order;
  std::map<std::string, std::size_t> group_of;
  std::vector<std::size_t> parent;
  auto find = [&](std::size_t g) {
    while (parent[g] != g) g = parent[g] = parent[parent[g]];
    return g;
  };
  auto node = [&](const std::string& name) {
    auto [it, fresh] = group_of.emplace(name, order.size());
    if (fresh) {
      order.push_back(name);
      parent.push_back(parent.size());
    }
    return it->second;
  };
  for (const Correlation* c : valid) {
    const std::size_t a = find(node(c->a)), b = find(node(c->b));
    parent[std::max(a, b)] = std::min(a, b);
  }

  std::vector<CopulaGroup> groups;
  std::map<std::size_t, std::size_t> group_index;  // root -> index in groups
  for (std::size_t i = 0; i < order.size(); ++i) {
    auto [it, fresh] = group_index.emplace(find(i), groups.size());
    if (fresh) groups.emplace_back();
    groups[it->second].members.push_back(order[i]);
  }
  for (CopulaGroup& g : groups) {
    const auto k = static_cast<Eigen::Index>(g.members.size());
    auto index_of = [&](const std::string& name) {
      return static_cast<Eigen::Index>(std::find(g.members.begin(), g.members.end(), name) - g.members.begin());
    };
    Eigen::MatrixXd m = Eigen::MatrixXd::Identity(k, k);
    const Correlation* last = nullptr;
    for (const Correlation* c : valid) {
      const Eigen::Index i = index_of(c->a);
      if (i == k) continue;
      const Eigen::Index j = index_of(c->b);
      m(i, j) = m(j, i) = normal_correlation(c->rank);
      last = c;
    }
    if (!positive_semidefinite(m)) {
      // Name the smallest set that cannot hold together: three assumptions
      // when some three do (the usual case), else the whole group.
      std::vector<std::string> involved = g.members;
      for (Eigen::Index a = 0; a < k && involved.size() == g.members.size(); ++a)
        for (Eigen::Index b = a + 1; b < k && involved.size() == g.members.size(); ++b)
          for (Eigen::Index c = b + 1; c < k; ++c) {
            const Eigen::Index idx[3] = {a, b, c};
            Eigen::Matrix3d sub;
            for (int r = 0; r < 3; ++r)
              for (int s = 0; s < 3; ++s) sub(r, s) = m(idx[r], idx[s]);
            if (!positive_semidefinite(sub)) {
              involved = {g.members[static_cast<std::size_t>(a)], g.members[static_cast<std::size_t>(b)],
                          g.members[static_cast<std::size_t>(c)]};
              break;
            }
          }
      error(last ? last->pos : rules::SourcePos{},
            "the correlations between " + names_list(involved) +
                " cannot all hold: their correlation matrix is not positive semi-definite",
            "weaken one of these correlations (e.g. if two assumptions both move strongly with a third, they must "
            "move together too)");
      continue;
    }
    const Eigen::MatrixXd f = factor_of(m);
    g.factor.resize(static_cast<std::size_t>(k * k));
    for (Eigen::Index i = 0; i < k; ++i)
      for (Eigen::Index j = 0; j < k; ++j) g.factor[static_cast<std::size_t>(i * k + j)] = f(i, j);
  }
  if (diags.size() > errors_before) return {};
  return groups;
}

}  // namespace plansim::graph
