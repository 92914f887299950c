#include "apps/plansim/explain_command.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <limits>

#include "analysis/explain.h"
#include "analysis/seek.h"
#include "graph/plan_compiler.h"
#include "report/explain_report.h"
#include "rules/suggest.h"

namespace plansim::cli {

namespace {

// Writes `text` to --json's file, or standard output for "-".
bool write_json(const std::string& path, const std::string& text) {
  if (path.empty()) return true;
  if (path == "-") {
    std::cout << text;
    return true;
  }
  return write_file(path, text);
}

// Stops a seek mid-way with the exit code of a run that could not be made.
struct RunStopped {
  int code;
};

}  // namespace

int explain(const ExplainArgs& args) {
  if (args.scenarios.size() > 1) {
    std::cerr << "error: explain takes at most one --scenario (the plan as that scenario changes it)\n";
    return kExitUsage;
  }
  auto loaded = load(args.plan, args.scenarios);
  if (!loaded) return kExitInvalidPlan;
  // With a scenario, the plan as the scenario changes it is explained.
  const graph::Plan& plan = loaded->variant_plans.empty() ? *loaded->plan : *loaded->variant_plans.back();
  std::string error;
  auto ep = analysis::explain_plan(plan, args.target, error);
  if (!ep) {
    std::cerr << "error: --target " << error << "\n";
    return kExitUsage;
  }
  if (!args.request.samples.empty()) {
    // Samples are indexed with 32 bits in the analysis.
    auto samples = parse_count(args.request.samples, "samples", 1);
    if (!samples) return kExitUsage;
    if (*samples > std::numeric_limits<std::uint32_t>::max()) {
      std::cerr << "error: explain takes at most " << std::numeric_limits<std::uint32_t>::max()
                << " samples\nhint: use fewer samples (--samples); 100,000 give P(hit) to within about +/-0.003\n";
      return kExitUsage;
    }
  }
  // The plan and its forced variants, compiled together: common random numbers.
  rules::Diagnostics diags;
  auto program = graph::compile_variants(ep->variants, diags);
  if (!program || !diags.ok()) {
    std::cerr << diags.to_string();
    return kExitInvalidPlan;
  }
  const analysis::ExplainSetup setup = analysis::explain_setup(*program, *ep);
  Loaded run_loaded;
  run_loaded.plan = std::move(loaded->plan);
  run_loaded.program = std::move(program);
  RunRequest request = args.request;
  request.keep_quantiles = false;  // only P(hit) and the kept inputs are needed
  request.collect = setup.collect();
  sim::RunResult result;
  report::RunInfo info;
  if (int code = run(run_loaded, request, result, info)) return code;

  analysis::ExplainOptions options;
  options.sobol = args.sobol;
  options.seed = info.seed;
  options.threads = result.summary.threads;
  const analysis::Drivers drivers = analysis::drivers(*run_loaded.program, setup, result, options);
  const sim::TargetResult& target = result.base().targets.at(setup.target);
  if (!write_json(args.json, report::explain_json(info, target, drivers).dump(2) + "\n")) return kExitRunFailed;
  if (!args.request.quiet && args.json != "-") std::cout << report::drivers_table(info, target, drivers);
  return 0;
}

int seek(const SeekArgs& args) {
  auto loaded = load(args.plan, {});
  if (!loaded) return kExitInvalidPlan;
  const graph::Plan& plan = *loaded->plan;
  std::string error;
  const graph::Target* target = analysis::find_target(plan, args.target, error);
  if (!target) {
    std::cerr << "error: --target " << error << "\n";
    return kExitUsage;
  }
  // The node: a resource, an assumption or an action that reaches the target.
  auto it = plan.index.find(args.node);
  const bool kind_ok = it != plan.index.end() &&
                       (it->second.kind == graph::NodeKind::kResource || it->second.kind == graph::NodeKind::kAssumption ||
                        it->second.kind == graph::NodeKind::kAction);
  if (!kind_ok) {
    std::vector<std::string> candidates;
    for (const auto& [name, ref] : plan.index)
      if (ref.kind == graph::NodeKind::kResource || ref.kind == graph::NodeKind::kAssumption ||
          ref.kind == graph::NodeKind::kAction)
        candidates.push_back(name);
    if (it == plan.index.end()) {
      const std::string guess = rules::did_you_mean(args.node, candidates);
      std::cerr << "error: --vary '" << args.node << "' is not a node of the plan" << (guess.empty() ? "" : "; " + guess)
                << "\n";
    } else {
      std::cerr << "error: --vary '" << args.node << "' is " << graph::with_article(it->second.kind)
                << "; seek varies a resource's available amount, an assumption or an action's delivery\n";
    }
    return kExitUsage;
  }
  if (!graph::upstream_of(plan, analysis::target_measures(plan, *target)).count(args.node)) {
    std::cerr << "error: --vary '" << args.node << "' does not reach target '" << args.target
              << "': changing it cannot move its P(hit)\n"
              << "hint: plansim explain " << args.plan << " --target " << args.target
              << " lists the inputs that reach it\n";
    return kExitUsage;
  }
  const graph::NodeKind kind = it->second.kind;
  analysis::SeekOptions options;
  if (args.by == "scale" || args.by == "shift") {
    options.by = args.by == "scale" ? analysis::SeekBy::kScale : analysis::SeekBy::kShift;
  } else {
    std::cerr << "error: --by must be 'scale' or 'shift' (got '" << args.by << "')\n";
    return kExitUsage;
  }
  options.confidence = loaded->program->confidence;
  if (!args.confidence.empty()) {
    char* end = nullptr;
    options.confidence = std::strtod(args.confidence.c_str(), &end);
    if (*end != '\0' || !(options.confidence > 0.0 && options.confidence < 1.0)) {
      std::cerr << "error: --confidence must be a number between 0 and 1, e.g. 0.8 (got '" << args.confidence
                << "')\n";
      return kExitUsage;
    }
  }
  std::optional<std::pair<double, double>> range;
  if (!args.range.empty()) {
    range = analysis::parse_range(args.range, error);
    if (!range) {
      std::cerr << "error: --range " << error << "\n";
      return kExitUsage;
    }
    const double x0 = analysis::identity(options.by);
    if (!(range->first <= x0 && x0 <= range->second)) {
      std::cerr << "error: --range must contain the plan as written (" << args.by << " " << x0 << "); got '"
                << args.range << "'\n";
      return kExitUsage;
    }
  }

  // One evaluation: the plan with the node changed, compiled alone and run
  // with the same seed (common random numbers), keeping the node's values.
  const std::size_t t = static_cast<std::size_t>(
      std::find_if(loaded->program->variants[0].targets.begin(), loaded->program->variants[0].targets.end(),
                   [&](const graph::TargetOutput& o) { return o.id == args.target; }) -
      loaded->program->variants[0].targets.begin());
  report::RunInfo info;
  const analysis::Evaluate evaluate = [&](double change) {
    analysis::SeekPoint p;
    p.change = change;
    p.node_mean = std::numeric_limits<double>::quiet_NaN();
    Loaded step;
    step.plan = analysis::adjusted_plan(plan, args.node, options.by, change);
    rules::Diagnostics diags;
    step.program = graph::compile_plan(*step.plan, diags);
    if (!step.program || !diags.ok()) {
      p.valid = false;
      p.why = diags.list().empty() ? "the plan does not compile" : diags.list()[0].message;
      return p;
    }
    RunRequest request = args.request;
    request.quiet = true;
    request.keep_quantiles = false;
    request.allow_nan = true;
    const auto& nodes = step.program->base_nodes;
    const auto node = std::find_if(nodes.begin(), nodes.end(), [&](const auto& n) { return n.id == args.node; });
    if (node != nodes.end() && !node->local) {
      if (node->raw >= 0)
        request.collect = {{node->raw}};
      else
        request.collect = {node->value};
    }
    sim::RunResult result;
    report::RunInfo step_info;
    if (int code = run(step, request, result, step_info)) throw RunStopped{code};
    if (info.samples == 0) info = step_info;
    if (result.nan) {
      p.valid = false;
      p.why = "NaN in target '" + result.nan->target + "', first from node '" + result.nan->node + "' in " +
              plan.horizon.label(result.nan->period);
      return p;
    }
    p.p_hit = result.base().targets.at(t).p_hit;
    p.ci95 = result.base().targets.at(t).ci95;
    if (!result.collected.empty()) {
      double sum = 0.0;
      for (double v : result.collected[0]) sum += v;
      p.node_mean = sum / static_cast<double>(result.collected[0].size());
    }
    return p;
  };

  std::optional<analysis::SeekResult> found;
  try {
    // The plan as written first: it checks the run options and gives the
    // node's scale for the default shift range.
    options.plan = evaluate(analysis::identity(options.by));
    if (!options.plan->valid) {
      std::cerr << "error: the plan as written fails: " << options.plan->why << "\n"
                << "hint: plansim run " << args.plan << " names the node and period\n";
      return kExitRunFailed;
    }
    if (range) {
      options.lo = range->first;
      options.hi = range->second;
    } else if (options.by == analysis::SeekBy::kScale) {
      options.lo = 0.0;
      options.hi = 10.0;
    } else {
      const double m = std::isfinite(options.plan->node_mean) ? std::fabs(options.plan->node_mean) : 0.0;
      const double half = kind == graph::NodeKind::kAction ? 1.0 : m > 0.0 ? 10.0 * m : 10.0;
      options.lo = -half;
      options.hi = half;
    }
    found = analysis::seek(evaluate, options, error);
  } catch (const RunStopped& stop) {
    return stop.code;
  }
  if (!found) {
    std::cerr << "error: " << error << "\n";
    return kExitUsage;
  }
  report::SeekRequest q;
  q.node = args.node;
  q.node_kind = graph::to_string(kind);
  q.node_unit = plan.info(it->second).unit;
  q.by = options.by;
  q.confidence = options.confidence;
  q.lo = options.lo;
  q.hi = options.hi;
  q.default_range = !range;
  // The target as the plan states it (its P(hit) is the plan's, from the first run).
  sim::TargetResult tr;
  tr.id = target->info.name;
  tr.composite = target->composite();
  tr.measure = target->measure;
  tr.direction = target->direction;
  const graph::TargetOutput& out = loaded->program->variants[0].targets[t];
  tr.threshold = out.threshold;
  tr.by = out.by;
  tr.p_hit = found->plan.p_hit;
  tr.ci95 = found->plan.ci95;
  if (!write_json(args.json, report::seek_json(info, tr, q, *found).dump(2) + "\n")) return kExitRunFailed;
  if (!args.request.quiet && args.json != "-") std::cout << report::seek_text(info, tr, q, *found);
  return 0;
}

}  // namespace plansim::cli
