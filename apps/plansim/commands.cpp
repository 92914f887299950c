#include "apps/plansim/commands.h"

#include <cctype>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <cstdio>
#include <iostream>
#include <map>
#include <sstream>

#include "analysis/sweep.h"
#include "rules/suggest.h"
#include "graph/dependency_graph.h"
#include "store/history.h"
#include "report/csv_report.h"
#include "report/html_report.h"
#include "report/json_report.h"
#include "report/text_table.h"
#include "rules/suggest.h"

namespace plansim::cli {

int check(const std::string& plan_path, const std::vector<std::string>& scenarios) {
  auto loaded = load(plan_path, scenarios);
  if (!loaded) return kExitInvalidPlan;
  const graph::Plan& plan = *loaded->plan;
  const graph::Horizon& h = plan.horizon;
  const char* step = h.step == graph::Step::kMonth ? "month" : h.step == graph::Step::kQuarter ? "quarter" : "year";
  std::cout << "plan:    " << plan.title << "\n"
            << "periods: " << h.periods << " " << step << (h.periods == 1 ? "" : "s") << ", " << h.label(0) << " to "
            << h.end_label() << "\n"
            << "nodes:   " << plan.assumptions.size() << " assumptions, " << plan.resources.size() << " resources, "
            << plan.actions.size() << " actions, " << plan.risks.size() << " risks, " << plan.measures.size()
            << " measures, " << plan.targets.size() << " targets, " << plan.responses.size() << " responses\n";
  if (plan.units) {
    std::size_t local = 0;
    for (const auto& [name, ref] : plan.index) local += plan.info(ref).local ? 1 : 0;
    const graph::UnitTable& u = *plan.units;
    std::cout << "units:   " << u.ids.size() << " " << u.name << (u.ids.size() == 1 ? "" : "s") << " ("
              << (u.source.empty() ? "inline rows" : u.source) << ", " << u.columns.size() << " column"
              << (u.columns.size() == 1 ? "" : "s") << "), " << local << " local node" << (local == 1 ? "" : "s")
              << " each\n";
  } else {
    std::cout << "units:   none\n";
  }
  if (!plan.correlations.empty()) {
    std::cout << "correlations: " << plan.correlations.size() << " pair" << (plan.correlations.size() == 1 ? "" : "s")
              << " (";
    for (std::size_t i = 0; i < plan.correlations.size(); ++i) {
      const graph::Correlation& c = plan.correlations[i];
      std::cout << (i ? ", " : "") << c.a << " ~ " << c.b << " " << c.rank;
    }
    std::cout << ")\n";
  }
  for (std::size_t v = 1; v < loaded->program->variants.size(); ++v)
    std::cout << "scenario: " << loaded->program->variants[v].name << "\n";
  rules::Diagnostics diags;
  const graph::DependencyGraph g = graph::build_dependency_graph(plan);
  const auto order = graph::evaluation_order(g, plan, diags);
  const std::vector<std::string> chain = order ? graph::longest_chain(g, *order) : std::vector<std::string>{};
  std::cout << "longest chain from an assumption to a target: ";
  if (chain.empty()) {
    std::cout << "none\n";
  } else {
    std::cout << chain.size() << " nodes\n  ";
    for (std::size_t i = 0; i < chain.size(); ++i) std::cout << (i ? " -> " : "") << chain[i];
    std::cout << "\n";
  }
  std::cout << "ok\n";
  return 0;
}

int graph_dot(const std::string& plan_path, const std::vector<std::string>& scenarios, const std::string& dot) {
  auto loaded = load(plan_path, scenarios);
  if (!loaded) return kExitInvalidPlan;
  // With a scenario, draw the plan as that scenario changes it.
  const graph::Plan& plan = loaded->variant_plans.empty() ? *loaded->plan : *loaded->variant_plans.back();
  const std::string text = graph::to_dot(graph::build_dependency_graph(plan), plan);
  if (dot.empty() || dot == "-") {
    std::cout << text;
    return 0;
  }
  return write_file(dot, text) ? 0 : kExitRunFailed;
}

namespace {

// Keeps the run in the history database. A run whose figures are already
// printed is not failed for want of a history: a problem is a warning.
void record_history(const RunArgs& args, const Loaded& loaded, const report::RunInfo& info,
                    const sim::RunResult& result, const std::string& json) {
  const std::string path = args.db.empty() ? store::default_history_path() : args.db;
  std::string error;
  auto history = store::History::open(path, error);
  if (!history) {
    std::cerr << "warning: the run was not recorded in the history: " << error << "\n";
    return;
  }
  store::RunRecord r;
  r.plan_title = info.plan_title;
  std::error_code ec;
  const std::filesystem::path absolute = std::filesystem::absolute(info.plan_file, ec);
  r.plan_file = ec ? info.plan_file : absolute.string();
  r.plan_text = loaded.plan->text;
  r.plan_sha256 = info.plan_sha256;
  for (const auto& s : loaded.scenarios) r.scenarios.push_back({s.name, s.file, s.text});
  r.seed = info.seed;
  r.samples = info.samples;
  r.threads = result.summary.threads;
  nlohmann::json options{{"block_size", result.summary.block_size}, {"seconds", result.summary.seconds}};
  if (info.precision)
    options["precision"] = {{"half_width", info.precision->half_width},
                            {"batch_samples", info.precision->batch},
                            {"max_samples", info.precision->max_samples},
                            {"stopped", info.precision->stopped}};
  if (!info.confidences.empty()) options["confidences"] = info.confidences;
  r.options_json = options.dump();
  r.version = info.version;
  r.started_at = info.started_at;
  r.finished_at = store::utc_now();
  r.results_json = json;
  try {
    const std::int64_t id = history->record(r);
    if (!args.request.quiet) std::cerr << "recorded as run " << id << " in " << path << "\n";
  } catch (const std::exception& e) {
    std::cerr << "warning: the run was not recorded in the history: " << e.what() << "\n";
  }
}

}  // namespace

int run_plan(const RunArgs& args) {
  auto loaded = load(args.plan, args.scenarios);
  if (!loaded) return kExitInvalidPlan;
  sim::RunResult result;
  report::RunInfo info;
  if (int code = run(*loaded, args.request, result, info)) return code;
  const graph::Program& program = *loaded->program;
  const std::string json = report::run_json(info, result, program.confidence).dump(2) + "\n";
  if (!args.json.empty()) {
    if (args.json == "-") std::cout << json;
    else if (!write_file(args.json, json)) return kExitRunFailed;
  }
  if (!args.csv.empty()) {
    if (std::string error = report::write_csv_dir(args.csv, info, result); !error.empty()) {
      std::cerr << "error: --csv: " << error << "\n";
      return kExitRunFailed;
    }
  }
  if (!args.report.empty() &&
      !write_file(args.report, report::html_report({info, result, *loaded->plan, program.rag})))
    return kExitRunFailed;
  if (!args.no_history) record_history(args, *loaded, info, result, json);
  if (!args.request.quiet && args.json != "-") {
    std::cout << report::targets_table(info, result.base(), program.confidence);
    std::cout << report::comparison_table(result, program.rag);
  }
  return 0;
}

namespace {
std::string fixed(const char* format, double v);
}  // namespace

int achievable(const AchievableArgs& args) {
  auto loaded = load(args.plan, args.scenarios);
  if (!loaded) return kExitInvalidPlan;
  const graph::VariantOutputs& base = loaded->program->variants.at(0);
  // The target, checked before anything runs.
  std::vector<std::string> names;
  const graph::TargetOutput* found = nullptr;
  for (const auto* list : {&base.targets, &base.local_targets})
    for (const auto& t : *list) {
      names.push_back(t.id);
      if (t.id == args.target) found = &t;
    }
  if (!found) {
    const std::string guess = rules::did_you_mean(args.target, names);
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    std::cerr << "error: --target '" << args.target << "' is not a target of the plan"
              << (guess.empty() ? "" : " (" + guess + ")") << "\n"
              << "  its targets are " << (list.empty() ? "none" : list) << "\n";
    return kExitUsage;
  }
  if (found->composite()) {
    std::string parts;
    for (std::size_t part : found->parts) parts += (parts.empty() ? "" : ", ") + base.targets.at(part).id;
    std::cerr << "error: --target '" << args.target << "' combines other targets and has no measure to set a level "
              << "on; ask for one of its parts: " << parts << "\n";
    return kExitUsage;
  }
  RunRequest request = args.request;
  if (!request.confidence_given) {
    // The usual negotiating positions, and the plan's own confidence.
    request.confidence = "0.5,0.8,0.9,0.95";
    const double c = loaded->program->confidence;
    if (c != 0.5 && c != 0.8 && c != 0.9 && c != 0.95) request.confidence += "," + fixed("%.17g", c);
    request.confidence_given = true;
  }
  sim::RunResult result;
  report::RunInfo info;
  if (int code = run(*loaded, request, result, info)) return code;
  if (!args.json.empty()) {
    const std::string json = report::achievable_json(info, result, args.target).dump(2) + "\n";
    if (args.json == "-") {
      std::cout << json;
      return 0;
    }
    if (!write_file(args.json, json)) return kExitRunFailed;
  }
  std::cout << report::achievable_table(info, result, args.target);
  return 0;
}

namespace {

std::string fixed(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

// P(hit) of target t over a two-node grid: one row per value of the first
// node, one column per value of the second, each cell "0.713 A" (the RAG
// rating's initial).
std::string matrix_table(const std::vector<analysis::Vary>& varies, const sim::RunResult& result, std::size_t t) {
  const std::vector<double> rows = varies[0].values(), columns = varies[1].values();
  std::ostringstream out;
  const std::string corner = varies[0].node + " \\ " + varies[1].node;
  std::size_t first = corner.size();
  for (double r : rows) first = std::max(first, fixed("%g", r).size());
  out << "  " << corner << std::string(first - corner.size(), ' ');
  for (double c : columns) out << "  " << std::string(7 - std::min<std::size_t>(7, fixed("%g", c).size()), ' ') << fixed("%g", c);
  out << "\n";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const std::string label = fixed("%g", rows[i]);
    out << "  " << label << std::string(first - label.size(), ' ');
    for (std::size_t j = 0; j < columns.size(); ++j) {
      const sim::TargetResult& tr = result.scenarios[1 + i * columns.size() + j].targets[t];
      out << "  " << fixed("%.3f", tr.p_hit) << " " << static_cast<char>(std::toupper(sim::to_string(tr.rag)[0]));
    }
    out << "\n";
  }
  return out.str();
}

}  // namespace

int sweep(const SweepArgs& args) {
  std::vector<analysis::Vary> varies;
  for (const auto& spec : args.varies) {
    std::string why;
    auto v = analysis::parse_vary(spec, why);
    if (!v) {
      std::cerr << "error: --vary " << why << "\n";
      return kExitUsage;
    }
    varies.push_back(*v);
  }
  const std::vector<analysis::GridPoint> grid = analysis::grid(varies);
  if (grid.size() > analysis::kMaxGridPoints) {
    std::cerr << "error: the grid has " << grid.size() << " points, more than " << analysis::kMaxGridPoints
              << "; use larger steps or fewer --vary\n";
    return kExitUsage;
  }
  std::vector<SetPoint> points;
  for (const auto& g : grid) {
    SetPoint p{g.name, {}};
    for (std::size_t i = 0; i < varies.size(); ++i) p.set.push_back({varies[i].node, g.values[i]});
    points.push_back(std::move(p));
  }
  auto loaded = load(args.plan, {}, points);
  if (!loaded) return kExitInvalidPlan;
  // Before the sweep, which may take a while: a misspelt --target is a typo.
  std::vector<std::string> target_names;
  for (const auto& t : loaded->plan->targets) target_names.push_back(t.info.name);
  for (const auto& name : args.targets)
    if (std::find(target_names.begin(), target_names.end(), name) == target_names.end()) {
      std::cerr << "error: --target '" << name << "' is not a target of the plan\n";
      if (std::string hint = rules::did_you_mean(name, target_names); !hint.empty())
        std::cerr << "hint: " << hint << "\n";
      return kExitUsage;
    }
  RunRequest request = args.request;
  request.keep_quantiles = false;  // P(hit) only: memory stays bounded for any grid
  sim::RunResult result;
  report::RunInfo info;
  if (int code = run(*loaded, request, result, info)) return code;

  const graph::Program& program = *loaded->program;
  std::vector<std::size_t> targets;
  const auto& base_targets = result.base().targets;
  for (std::size_t t = 0; t < base_targets.size(); ++t)
    if (args.targets.empty() ||
        std::find(args.targets.begin(), args.targets.end(), base_targets[t].id) != args.targets.end())
      targets.push_back(t);

  std::ostringstream out, csv;
  csv << "point";
  for (const auto& v : varies) csv << "," << v.node;
  csv << ",target,p_hit,ci95_low,ci95_high,rag\n";
  out << info.plan_title << "\n"
      << info.samples << " samples per point, seed " << info.seed << ", " << grid.size()
      << " grid points on common random numbers\n";
  for (std::size_t t : targets) {
    const auto& bt = base_targets[t];
    out << "\n" << bt.id << (bt.label.empty() ? "" : " - " + bt.label) << "\n";
    out << "  base (plan as written): P(hit) " << fixed("%.3f", bt.p_hit) << " "
        << sim::to_string(bt.rag) << "\n";
    std::vector<double> x, p;
    std::vector<sim::Interval> ci;
    std::size_t width = 0;
    for (const auto& g : grid) width = std::max(width, g.name.size());
    const bool matrix = varies.size() == 2;  // rows: the first node's values; columns: the second's
    if (matrix) out << matrix_table(varies, result, t);
    for (std::size_t g = 0; g < grid.size(); ++g) {
      const sim::TargetResult& tr = result.scenarios[g + 1].targets[t];
      if (!matrix)
        out << "  " << grid[g].name << std::string(width - grid[g].name.size(), ' ') << "  "
            << fixed("%.3f", tr.p_hit) << "  [" << fixed("%.3f", tr.ci95.lo) << ", " << fixed("%.3f", tr.ci95.hi)
            << "]  " << sim::to_string(tr.rag) << "\n";
      csv << '"' << grid[g].name << '"';
      for (double v : grid[g].values) csv << "," << v;
      csv << "," << bt.id << "," << tr.p_hit << "," << tr.ci95.lo << "," << tr.ci95.hi << ","
          << sim::to_string(tr.rag) << "\n";
      x.push_back(grid[g].values[0]);
      p.push_back(tr.p_hit);
      ci.push_back(tr.ci95);
    }
    if (varies.size() == 1) {
      for (const auto& c : analysis::rag_crossings(x, p, ci, program.rag)) {
        out << "  P(hit) crosses " << fixed("%.2f", c.threshold) << " (turns " << c.turns << ")";
        if (c.at)
          out << " at " << varies[0].node << " = " << fixed("%.4g", *c.at) << "  (95% interval " << fixed("%.4g", c.lo)
              << " to " << fixed("%.4g", c.hi) << ")\n";
        else
          out << ": not between " << fixed("%.4g", x.front()) << " and " << fixed("%.4g", x.back()) << "\n";
      }
    }
  }
  if (!args.csv.empty() && !write_file(args.csv, csv.str())) return kExitRunFailed;
  if (!args.request.quiet) std::cout << out.str();
  return 0;
}

}  // namespace plansim::cli
