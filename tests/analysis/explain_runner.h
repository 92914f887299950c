// Runs `plansim explain` and `plansim seek` in-process on plans given as YAML
// text, as the command line does (analysis/explain.h, analysis/seek.h), for
// tests that check their answers against exact ones.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

#include "analysis/explain.h"
#include "analysis/seek.h"
#include "graph/plan_compiler.h"
#include "graph/plan_loader.h"
#include "sim/engine.h"

namespace plansim::testing_analysis {

inline std::unique_ptr<graph::Plan> load_text(const std::string& yaml) {
  rules::Diagnostics diags;
  auto plan = graph::load_plan_text(yaml, "test.yaml", diags);
  if (!plan || !diags.ok()) throw std::runtime_error("the plan does not load:\n" + diags.to_string());
  return plan;
}

struct Explained {
  std::unique_ptr<graph::Plan> plan;
  std::unique_ptr<graph::Program> program;
  analysis::ExplainSetup setup;
  sim::RunResult result;
  analysis::Drivers drivers;

  const analysis::Driver& driver(const std::string& node, analysis::InputKind kind) const {
    for (const auto& d : drivers.drivers)
      if (d.node == node && d.kind == kind) return d;
    throw std::out_of_range("no driver " + node);
  }
};

inline Explained explain_text(const std::string& yaml, const std::string& target, std::uint64_t samples,
                              std::uint64_t seed, int threads = 2, bool sobol = false) {
  Explained e;
  e.plan = load_text(yaml);
  std::string error;
  auto ep = analysis::explain_plan(*e.plan, target, error);
  if (!ep) throw std::runtime_error(error);
  rules::Diagnostics diags;
  e.program = graph::compile_variants(ep->variants, diags);
  if (!e.program || !diags.ok()) throw std::runtime_error("the plan does not compile:\n" + diags.to_string());
  e.setup = analysis::explain_setup(*e.program, *ep);
  sim::RunOptions options;
  options.samples = samples;
  options.seed = seed;
  options.threads = threads;
  options.keep_quantiles = false;
  options.collect = e.setup.collect();
  e.result = sim::run(*e.program, options);
  analysis::ExplainOptions eo;
  eo.sobol = sobol;
  eo.seed = seed;
  eo.threads = threads;
  e.drivers = analysis::drivers(*e.program, e.setup, e.result, eo);
  return e;
}

// An Evaluate for analysis::seek: the plan with `node` changed, run alone
// with the same seed each time (common random numbers).
inline analysis::Evaluate seek_evaluator(const graph::Plan& plan, const std::string& target, const std::string& node,
                                         analysis::SeekBy by, std::uint64_t samples, std::uint64_t seed,
                                         int threads = 2) {
  return [&plan, target, node, by, samples, seed, threads](double change) {
    auto changed = analysis::adjusted_plan(plan, node, by, change);
    rules::Diagnostics diags;
    auto program = graph::compile_plan(*changed, diags);
    analysis::SeekPoint p;
    p.change = change;
    if (!program || !diags.ok()) {
      p.valid = false;
      p.why = diags.to_string();
      return p;
    }
    sim::RunOptions options;
    options.samples = samples;
    options.seed = seed;
    options.threads = threads;
    options.keep_quantiles = false;
    const sim::RunResult r = sim::run(*program, options);
    if (r.nan) {
      p.valid = false;
      p.why = "NaN";
      return p;
    }
    for (const auto& t : r.base().targets)
      if (t.id == target) {
        p.p_hit = t.p_hit;
        p.ci95 = t.ci95;
      }
    return p;
  };
}

}  // namespace plansim::testing_analysis
