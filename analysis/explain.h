// `plansim explain`: which uncertain inputs drive a target (issue #5, part 2).
//
// Three steps around one run of the engine:
//   1. explain_plan finds the plan-wide assumptions, actions and risks that
//      reach the target (by any route: same period, prev, needs,
//      mitigations, responses), and builds the plan's variants to run beside
//      it on common random numbers: each action due by the target's period
//      forced delivered, each risk forced never to occur;
//   2. explain_setup says which arrays of the compiled program to keep per
//      sample (RunOptions::collect): each input, summarised per sample, and
//      the measure at `by` of the target (of each part, for a composite);
//   3. drivers ranks the inputs from those samples and the variants' P(hit).
//
// Per-sample summaries of the inputs:
//   assumption      its value; one drawn every period (`per: period`, or a
//                   path) is summarised by its mean over the periods 0..by,
//                   the periods that can reach the target;
//   action          delivered (1) or not (0), for actions due by `by`
//                   (a later one cannot move the target);
//   risk            occurred by `by` (1) or not (0);
//   risk impact     the impact drawn, over the samples where the risk
//                   occurred by `by` only (elsewhere it has none). Listed
//                   under its risk, with the risk's rank.
// The response is the target's measure at `by`; for a composite target it
// is the target's hit indicator (1 when the composite is hit), since a
// composite has no measure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "graph/plan.h"
#include "graph/plan_compiler.h"
#include "graph/program.h"
#include "sim/results.h"

namespace plansim::analysis {

enum class InputKind { kAssumption, kAction, kRisk, kRiskImpact };
const char* to_string(InputKind k);  // "assumption", "action", "risk", "risk_impact"

// A node that reaches the target but is not ranked, and why.
struct NotRanked {
  std::string node;
  std::string why;
};

// Step 1. The plan must outlive it (variants[0] points to it).
struct ExplainPlan {
  std::string target;
  bool composite = false;
  int by = 0;  // the target's period; a composite's: the latest of its parts'
  std::vector<std::string> assumptions, actions, risks;  // plan-wide, reaching the target, by name
  std::vector<NotRanked> not_ranked;
  // variants[0] is the plan; then one per action (forced delivered), then
  // one per risk (forced never), in the order of `actions` and `risks`.
  // Each recomputes only the nodes the target rests on (VariantInput::
  // needed): only its P(hit) of this target is meaningful.
  std::vector<std::unique_ptr<graph::Plan>> forced;
  std::vector<graph::VariantInput> variants;
};

// Names the variant that forces `node` (unique: node names cannot hold ':').
std::string forced_variant_name(const std::string& node);

// The plan-wide target named `target`, or null with why in `error` (with a
// "did you mean", or the list of targets) when the plan has no such target
// or it is local (one per unit).
const graph::Target* find_target(const graph::Plan& plan, const std::string& target, std::string& error);

// The measures a target rests on (a composite's parts', recursively); `by`,
// when given, is raised to the latest period among them.
std::set<std::string> target_measures(const graph::Plan& plan, const graph::Target& target, int* by = nullptr);

// nullopt, with why in `error` (and a "did you mean"), when the plan has no
// such target or it is local (one per unit).
std::optional<ExplainPlan> explain_plan(const graph::Plan& plan, const std::string& target, std::string& error);

// Step 2.
struct ExplainInput {
  static constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();
  std::string node;
  InputKind kind = InputKind::kAssumption;
  std::vector<std::int32_t> arrays;  // kept per sample: their mean
  std::size_t condition = kNone;     // kRiskImpact: the index of its risk's input
  std::size_t variant = 0;           // actions and risks: the variant with it forced
};

struct ExplainSetup {
  std::size_t target = 0;  // in program.variants[0].targets
  bool composite = false;
  int by = 0;
  std::vector<ExplainInput> inputs;
  std::vector<std::size_t> leaves;  // measure targets whose measure at `by` is kept
  std::vector<std::int32_t> leaf_arrays;  // their measures' arrays in period `by`
  std::vector<NotRanked> not_ranked;

  // RunOptions::collect: the inputs, then the leaves' measures.
  std::vector<std::vector<std::int32_t>> collect() const;
};

ExplainSetup explain_setup(const graph::Program& program, const ExplainPlan& plan);

// Step 3.
struct Level {
  double value = 0.0;       // the input's mean in this group (its level, for 0/1 inputs)
  double p_hit = 0.0;
  sim::Interval ci95;       // Wilson
  std::uint64_t samples = 0;
};

// The target's P(hit) when the run forces the input (an action delivered,
// a risk never), on the same random numbers as the plan, and the change
// against the plan with the paired 95% interval (sim::Comparison).
struct Forced {
  std::string as;  // "delivered" | "never"
  double p_hit = 0.0;
  sim::Interval ci95;
  double delta = 0.0;
  sim::Interval delta_ci95;
};

struct SobolIndex {
  double first_order = 0.0;
  sim::Interval ci95;  // bootstrap percentile interval
};

struct Driver {
  std::string node;
  InputKind kind = InputKind::kAssumption;
  int rank = 0;             // 1: the largest |Spearman|; an impact shares its risk's
  double spearman = 0.0;    // with the response (NaN when the response does not vary)
  bool two_levels = false;  // a 0/1 input: low and high are its two levels, not deciles
  Level low, high;          // P(hit) in the lowest and highest decile of the input
  double swing = 0.0;       // high.p_hit - low.p_hit
  sim::Interval swing_ci95; // Newcombe's hybrid score interval for a difference of proportions
  std::uint64_t samples = 0;  // samples used (for an impact: where its risk occurred)
  std::optional<Forced> forced;
  std::optional<SobolIndex> sobol;  // assumptions, with ExplainOptions::sobol
};

struct Drivers {
  std::string target;
  bool composite = false;
  int by = 0;
  double p_hit = 0.0;
  sim::Interval ci95;
  std::vector<Driver> drivers;        // in rank order
  std::vector<std::string> constant;  // inputs that did not vary in this run: not ranked
  std::vector<NotRanked> not_ranked;
  bool sobol = false;
  std::size_t sobol_bins = 0, bootstrap = 0;
};

struct ExplainOptions {
  bool sobol = false;
  std::uint64_t seed = 1;        // the run's seed: the bootstrap's resamples are keyed by it
  int threads = 0;               // 0: all cores. Results never depend on it.
  std::size_t bootstrap = 200;   // resamples for the Sobol indices' intervals
};

// Fewer samples than this in a group (an impact's risk that rarely occurs)
// and the input is listed as not ranked.
inline constexpr std::uint64_t kMinExplainSamples = 20;

Drivers drivers(const graph::Program& program, const ExplainSetup& setup, const sim::RunResult& result,
                const ExplainOptions& options);

// ---- the estimators, for tests --------------------------------------------

// Spearman's rank correlation (Pearson's of mid-ranks; ties share their
// average rank). NaN when either side is constant.
double spearman(const std::vector<double>& x, const std::vector<double>& y);

// First-order Sobol index Var(E[Y|X]) / Var(Y) from one sample, by binning:
// X's samples cut by rank into `bins` groups of (nearly) equal size, and the
// between-group sum of squares corrected for its noise (ANOVA's expected
// mean squares): S = (SSB - (bins - 1) SSW / (n - bins)) / SST. `weights`
// (bootstrap multiplicities) may be empty. `raw`, when given, receives the
// uncorrected ratio SSB / SST.
double sobol_first_order(const std::vector<double>& y, const std::vector<std::uint32_t>& bin, std::size_t bins,
                         const std::vector<std::uint32_t>& weights = {}, double* raw = nullptr);

// Newcombe's hybrid score interval for p1 - p0 from the two Wilson intervals.
sim::Interval difference_interval(double p1, sim::Interval ci1, double p0, sim::Interval ci0);

}  // namespace plansim::analysis
