// plansim: the command line (cli.md). Parses arguments and hands them to the
// commands; everything else lives in the modules.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <iostream>
#include <new>
#include <string>

#include "apps/plansim/commands.h"
#include "apps/plansim/explain_command.h"
#include "apps/plansim/history_command.h"
#include "rules/suggest.h"
#include "store/history.h"

int main(int argc, char** argv) {
  using namespace plansim::cli;
  CLI::App app{"plansim: Monte Carlo simulation of business plans - how likely is each target?"};
  app.set_version_flag("--version", std::string("plansim ") + PLANSIM_VERSION);
  app.require_subcommand(1);

  std::string check_plan;
  std::vector<std::string> check_scenarios;
  auto* check_cmd = app.add_subcommand("check", "Load and validate a plan (and scenarios), and print a summary");
  check_cmd->add_option("PLAN", check_plan, "the plan file (YAML)")->required();
  check_cmd->add_option("--scenario", check_scenarios, "a scenario file (repeatable)");

  RunArgs run_args;
  auto* run_cmd = app.add_subcommand("run", "Simulate a plan and report each target's probability of being hit");
  run_cmd->add_option("PLAN", run_args.plan, "the plan file (YAML)")->required();
  run_cmd->add_option("--scenario", run_args.scenarios,
                      "a scenario file (repeatable); each runs beside the base on common random numbers");
  run_cmd->add_option("--samples", run_args.request.samples, "Monte Carlo samples (default: the plan's settings, else 100000)");
  run_cmd->add_option("--seed", run_args.request.seed, "random seed (default: the plan's settings, else 1)");
  run_cmd->add_option("--threads", run_args.request.threads, "worker threads (default: all cores; results never depend on it)");
  run_cmd->add_option("--method", run_args.request.method,
                      "mc (plain Monte Carlo, the default) or lhs (Latin hypercube sampling of per: plan assumptions)");
  run_cmd->add_option("--json", run_args.json, "write the results as JSON to this file ('-' for standard output)");
  run_cmd->add_option("--csv", run_args.csv, "write targets, milestones, measures, resources and comparison CSVs to this folder");
  run_cmd->add_option("--report", run_args.report, "write a self-contained HTML report with charts to this file");
  run_cmd->add_option("--db", run_args.db, "the run history database (default: ~/.local/share/plansim/history.db)");
  run_cmd->add_flag("--no-history", run_args.no_history, "do not record this run in the history");
  run_cmd->add_flag("--quiet", run_args.request.quiet, "print no table");
  auto* run_confidence = run_cmd->add_option(
      "--confidence", run_args.request.confidence,
      "also report each target's achievable level at these confidences, e.g. 0.5,0.8,0.9,0.95");
  run_cmd->add_option("--precision", run_args.request.precision,
                      "add batches of --samples until every target's P(hit) is within this 95% half-width, "
                      "e.g. 0.005");
  run_cmd->add_option("--max-samples", run_args.request.max_samples,
                      "with --precision: stop at this many samples (default 10000000)");

  AchievableArgs achievable_args;
  auto* achievable_cmd = app.add_subcommand(
      "achievable", "The level a target reaches at each confidence, and the confidence its threshold carries");
  achievable_cmd->add_option("PLAN", achievable_args.plan, "the plan file (YAML)")->required();
  achievable_cmd->add_option("--target", achievable_args.target, "the target (a measure target)")->required();
  achievable_cmd->add_option("--scenario", achievable_args.scenarios,
                             "also under this scenario, on common random numbers (repeatable)");
  auto* achievable_confidence = achievable_cmd->add_option(
      "--confidence", achievable_args.request.confidence,
      "confidences, e.g. 0.5,0.8,0.9,0.95 (the default, with the plan's confidence)");
  achievable_cmd->add_option("--samples", achievable_args.request.samples,
                             "Monte Carlo samples (default: the plan's settings, else 100000)");
  achievable_cmd->add_option("--seed", achievable_args.request.seed, "random seed (default: the plan's settings, else 1)");
  achievable_cmd->add_option("--threads", achievable_args.request.threads, "worker threads (results never depend on it)");
  achievable_cmd->add_option("--json", achievable_args.json, "write the table as JSON to this file ('-' for standard output)");

  SweepArgs sweep_args;
  auto* sweep_cmd = app.add_subcommand("sweep", "P(hit) over a grid of values of one or more nodes (spending-review sweep)");
  sweep_cmd->add_option("PLAN", sweep_args.plan, "the plan file (YAML)")->required();
  sweep_cmd->add_option("--vary", sweep_args.varies, "NODE=FROM:TO:STEP, e.g. cut=0:0.2:0.025 (repeatable: a grid)")
      ->required();
  sweep_cmd->add_option("--target", sweep_args.targets, "report only this target (repeatable; default: all)");
  sweep_cmd->add_option("--csv", sweep_args.csv, "also write every grid point's P(hit) to this CSV file");
  sweep_cmd->add_option("--samples", sweep_args.request.samples, "Monte Carlo samples per grid point");
  sweep_cmd->add_option("--seed", sweep_args.request.seed, "random seed");
  sweep_cmd->add_option("--threads", sweep_args.request.threads, "worker threads");
  sweep_cmd->add_option("--method", sweep_args.request.method, "mc (the default) or lhs (Latin hypercube)");
  sweep_cmd->add_flag("--quiet", sweep_args.request.quiet, "print nothing (with --csv)");

  ExplainArgs explain_args;
  auto* explain_cmd = app.add_subcommand("explain", "Rank the uncertain inputs that drive a target (what most makes us miss?)");
  explain_cmd->add_option("PLAN", explain_args.plan, "the plan file (YAML)")->required();
  explain_cmd->add_option("--target", explain_args.target, "the target to explain")->required();
  explain_cmd->add_option("--scenario", explain_args.scenarios, "explain the plan as this scenario changes it");
  explain_cmd->add_option("--samples", explain_args.request.samples, "Monte Carlo samples");
  explain_cmd->add_option("--seed", explain_args.request.seed, "random seed");
  explain_cmd->add_option("--threads", explain_args.request.threads, "worker threads (results never depend on it)");
  explain_cmd->add_option("--json", explain_args.json, "write the drivers as JSON to this file ('-' for standard output)");
  explain_cmd->add_flag("--sobol", explain_args.sobol, "also estimate the assumptions' first-order Sobol indices");
  explain_cmd->add_flag("--quiet", explain_args.request.quiet, "print no table");

  SeekArgs seek_args;
  auto* seek_cmd = app.add_subcommand("seek", "Find the change to one node that lifts a target's P(hit) to a confidence");
  seek_cmd->add_option("PLAN", seek_args.plan, "the plan file (YAML)")->required();
  seek_cmd->add_option("--target", seek_args.target, "the target to lift")->required();
  seek_cmd->add_option("--vary", seek_args.node, "the resource, assumption or action to change")->required();
  seek_cmd->add_option("--by", seek_args.by, "scale (value x s, the default) or shift (value + s)");
  seek_cmd->add_option("--confidence", seek_args.confidence, "the P(hit) to reach (default: the plan's confidence)");
  seek_cmd->add_option("--range", seek_args.range, "LO:HI, the changes allowed (default: scale 0:10; shift +/-10x the node's mean)");
  seek_cmd->add_option("--samples", seek_args.request.samples, "Monte Carlo samples per run");
  seek_cmd->add_option("--seed", seek_args.request.seed, "random seed (the same for every run: common random numbers)");
  seek_cmd->add_option("--threads", seek_args.request.threads, "worker threads (results never depend on it)");
  seek_cmd->add_option("--json", seek_args.json, "write the result as JSON to this file ('-' for standard output)");
  seek_cmd->add_flag("--quiet", seek_args.request.quiet, "print nothing (with --json)");

  std::vector<std::string> history_args;
  std::string history_db;
  auto* history_cmd = app.add_subcommand("history", "Runs recorded so far: history [PLAN] | history show ID | history diff ID1 ID2");
  history_cmd->add_option("ARGS", history_args, "[PLAN] | show ID | diff ID1 ID2");
  history_cmd->add_option("--db", history_db, "the run history database (default: ~/.local/share/plansim/history.db)");

  std::string graph_plan, dot;
  std::vector<std::string> graph_scenarios;
  auto* graph_cmd = app.add_subcommand("graph", "Write the plan's dependency graph in Graphviz DOT");
  graph_cmd->add_option("PLAN", graph_plan, "the plan file (YAML)")->required();
  graph_cmd->add_option("--scenario", graph_scenarios, "draw the plan as this scenario changes it");
  graph_cmd->add_option("--dot", dot, "output file (default: standard output)");

  // A first word that is not a command is named, with the nearest command,
  // rather than reported as "a subcommand is required".
  if (argc > 1 && argv[1][0] != '-') {
    std::vector<std::string> commands;
    for (const auto* sub : app.get_subcommands([](CLI::App*) { return true; })) commands.push_back(sub->get_name());
    if (std::find(commands.begin(), commands.end(), argv[1]) == commands.end()) {
      std::string list;
      for (const auto& c : commands) list += (list.empty() ? "" : ", ") + c;
      const std::string guess = plansim::rules::did_you_mean(argv[1], commands);
      std::cerr << "error: unknown command '" << argv[1] << "'" << (guess.empty() ? "" : " (" + guess + ")")
                << "\n  the commands are " << list << "; see plansim --help\n";
      return kExitUsage;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : kExitUsage;
  }
  run_args.request.confidence_given = run_confidence->count() > 0;
  achievable_args.request.confidence_given = achievable_confidence->count() > 0;
  try {
    if (*check_cmd) return check(check_plan, check_scenarios);
    if (*run_cmd) return run_plan(run_args);
    if (*achievable_cmd) return achievable(achievable_args);
    if (*sweep_cmd) return sweep(sweep_args);
    if (*explain_cmd) return explain(explain_args);
    if (*seek_cmd) return seek(seek_args);
    if (*graph_cmd) return graph_dot(graph_plan, graph_scenarios, dot);
    if (*history_cmd)
      return history_command(history_args, history_db.empty() ? plansim::store::default_history_path() : history_db);
  } catch (const std::bad_alloc&) {
    std::cerr << "error: out of memory; use fewer samples\n";
    return kExitRunFailed;
  }
  return kExitUsage;
}
