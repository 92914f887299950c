// A reference plan for the determinism and keying tests: every node kind,
// assumptions per plan, per period and as a path, every distribution,
// resources shared by actions with needs, actions with and without needs and
// with explicit and default delivery, risks with likelihood labels, numbers
// and expressions, with and without mitigation, measures using prev, cum,
// delay and range, targets with milestones, and every kind of composite.
// Its resources are short in some periods and samples, so covers and
// funding vary.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace plansim::e2e {

inline const std::string kReferencePlan = R"yaml(
plan: Determinism reference plan
horizon:
  start: 2003-04
  periods: 4
  step: quarter
settings:
  confidence: 0.8
  rag: {green: 0.8, amber: 0.5}
assumptions:
  growth: normal(0.03, 0.02)
  pay:
    value: triangular(0.01, 0.025, 0.04)
    label: Pay settlement
  sickness:
    value: uniform(0.04, 0.07)
    per: period
  cut: [0, 0.03, 0.06, 0.10]
  demand_shift: pert(0.9, 1, 1.3)
  quality: beta(2, 5)
resources:
  hours:
    unit: hours
    available: 170 * (1 - sickness)
  budget:
    unit: GBP_k
    available: 2366 * (1 - cut)
actions:
  meet:
    needs: {hours: 9}
    from: 2003-04
    due: 2003-07
    delivery: 0.9 * funding
  review:
    needs:
      hours: 150 * demand_shift
      budget: 600
    due: 2003-10
  train:
    needs:
      budget: 1650 * (1 + pay)
    from: 2003-07
  quick:
    delivery: beta(8, 2)
risks:
  poor_files:
    likelihood: H
    impact: lognormal(log(0.03), 0.5)
    mitigated_by: {review: 0.5}
  strike:
    likelihood: 0.1 + pay
    impact: pert(0.01, 0.02, 0.05)
    mitigated_by: {meet: 0.7, train: 0.5}
  outage:
    likelihood: VL
measures:
  cracked_rate:
    baseline: 0.67
    value: prev(cracked_rate) + 0.1 * growth / 4 - 0.05 * meet + poor_files + strike - 0.03 * quick
    range: [0, 1]
  cases:
    baseline: 1000
    value: prev(cases) * (1 + growth / 4) + poisson(20) - 30 * train + normal(0, 10)
  late:
    baseline: 0.2
    value: clamp(0.2 + sickness - 0.05 * review + bernoulli(0.1) * 0.02, 0, 1) + 0.1 * outage - 0.05 * quality
  spend:
    value: cum(budget) / 1000 + delay(cases, 1) / 1000
  backlog:
    baseline: 50
    value: max(0, prev(backlog) + cases / 100 - 10 + uniform(-2, 2) + 5 * strike)
targets:
  cut_cracked:
    measure: cracked_rate
    at_most: 0.6
    milestones:
      - {at_most: 0.65, by: 2003-10}
  cases_up:
    measure: cases
    at_least: 1050
    by: 2004-01
  late_down:
    measure: late
    at_most: 0.25
  spend_ok:
    measure: spend
    at_most: 10.07
  backlog_ok:
    measure: backlog
    at_most: 54.5
    milestones:
      - {at_most: 51.5, by: 2003-07}
  effective:
    all_of: [cut_cracked, late_down]
  any_good:
    any_of: [cases_up, spend_ok]
  two_of_three:
    at_least_of: {count: 2, of: [cut_cracked, cases_up, backlog_ok]}
)yaml";

// `text` with its one occurrence of `from` replaced by `to`; throws when
// `from` does not occur exactly once, so an edit cannot silently miss.
inline std::string replaced_once(std::string text, std::string_view from, std::string_view to) {
  const auto at = text.find(from);
  if (at == std::string::npos || text.find(from, at + 1) != std::string::npos)
    throw std::invalid_argument("'" + std::string(from) + "' does not occur exactly once in the plan");
  text.replace(at, from.size(), to);
  return text;
}

}  // namespace plansim::e2e
