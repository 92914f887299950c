// plansim: the command line (cli.md). Parses arguments, calls the library,
// prints results; everything else lives in the modules.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "graph/dependency_graph.h"
#include "graph/plan_compiler.h"
#include "graph/plan_loader.h"
#include "report/json_report.h"
#include "report/text_table.h"
#include "sim/engine.h"

namespace {

namespace fs = std::filesystem;
using namespace plansim;

constexpr int kExitInvalidPlan = 1;
constexpr int kExitUsage = 2;
constexpr int kExitRunFailed = 3;
constexpr int kExitInterrupted = 130;

std::atomic<bool> g_interrupted{false};

void on_interrupt(int) { g_interrupted.store(true); }

struct Loaded {
  std::unique_ptr<graph::Plan> plan;
  std::unique_ptr<graph::Program> program;
};

// Loads and compiles a plan, printing every diagnostic; nullopt when invalid.
std::optional<Loaded> load(const std::string& path) {
  rules::Diagnostics diags;
  Loaded out;
  out.plan = graph::load_plan_file(path, diags);
  if (out.plan && diags.ok()) out.program = graph::compile_plan(*out.plan, diags);
  if (!diags.ok() || !out.program) {
    std::cerr << diags.to_string();
    std::cerr << diags.size() << (diags.size() == 1 ? " error" : " errors") << " in " << path << "\n";
    return std::nullopt;
  }
  return out;
}

// Parses a whole number option with a message that says what was wrong.
std::optional<std::uint64_t> parse_count(const std::string& text, const char* name, std::uint64_t min) {
  std::size_t used = 0;
  unsigned long long v = 0;
  bool ok = !text.empty() && text[0] != '-' && text[0] != '+';
  if (ok) {
    try {
      v = std::stoull(text, &used);
    } catch (const std::exception&) {
      ok = false;
    }
  }
  if (!ok || used != text.size() || v < min) {
    std::cerr << "error: --" << name << " must be a whole number >= " << min << " (got '" << text << "')\n";
    return std::nullopt;
  }
  return v;
}

// Writes `text` to `path` through a temporary file and a rename, so an
// interrupted run never leaves a half-written file.
bool write_file(const std::string& path, const std::string& text) {
  fs::path target(path);
  fs::path tmp = target;
  tmp += ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary);
    out << text;
    if (!out) {
      std::cerr << "error: cannot write " << tmp << "\n";
      return false;
    }
  }
  std::error_code ec;
  fs::rename(tmp, target, ec);
  if (ec) {
    std::cerr << "error: cannot write " << path << ": " << ec.message() << "\n";
    fs::remove(tmp, ec);
    return false;
  }
  return true;
}

std::uint64_t physical_memory() {
  long pages = ::sysconf(_SC_PHYS_PAGES), size = ::sysconf(_SC_PAGE_SIZE);
  return pages > 0 && size > 0 ? static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(size) : 0;
}

// A progress bar on standard error, shown only on a terminal and only once
// the run has taken a second.
class Progress {
 public:
  explicit Progress(bool enabled) : enabled_(enabled && ::isatty(STDERR_FILENO)) {}
  void update(double fraction) {
    if (!enabled_) return;
    double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    if (elapsed < 1.0) return;
    const int width = 40;
    int filled = static_cast<int>(fraction * width);
    double eta = fraction > 0 ? elapsed * (1.0 - fraction) / fraction : 0.0;
    std::fprintf(stderr, "\r[%s%s] %3.0f%%  %.0fs left ", std::string(static_cast<std::size_t>(filled), '#').c_str(),
                 std::string(static_cast<std::size_t>(width - filled), ' ').c_str(), fraction * 100.0, eta);
    shown_ = true;
  }
  ~Progress() {
    if (shown_) std::fprintf(stderr, "\r%60s\r", "");
  }

 private:
  bool enabled_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

int cmd_check(const std::string& path) {
  auto loaded = load(path);
  if (!loaded) return kExitInvalidPlan;
  const graph::Plan& plan = *loaded->plan;
  const graph::Horizon& h = plan.horizon;
  std::cout << "plan:    " << plan.title << "\n";
  const char* step = h.step == graph::Step::kMonth ? "month" : h.step == graph::Step::kQuarter ? "quarter" : "year";
  std::cout << "periods: " << h.periods << " " << step << (h.periods == 1 ? "" : "s") << ", " << h.label(0)
            << " to " << h.end_label() << "\n";
  std::cout << "nodes:   " << plan.assumptions.size() << " assumptions, " << plan.resources.size() << " resources, "
            << plan.actions.size() << " actions, " << plan.risks.size() << " risks, " << plan.measures.size()
            << " measures, " << plan.targets.size() << " targets\n";
  std::cout << "units:   none\n";
  rules::Diagnostics diags;
  graph::DependencyGraph g = graph::build_dependency_graph(plan);
  auto order = graph::evaluation_order(g, plan, diags);
  std::vector<std::string> chain = order ? graph::longest_chain(g, *order) : std::vector<std::string>{};
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

int cmd_graph(const std::string& path, const std::string& dot) {
  auto loaded = load(path);
  if (!loaded) return kExitInvalidPlan;
  std::string text = graph::to_dot(graph::build_dependency_graph(*loaded->plan), *loaded->plan);
  if (dot.empty() || dot == "-") {
    std::cout << text;
    return 0;
  }
  return write_file(dot, text) ? 0 : kExitRunFailed;
}

struct RunArgs {
  std::string plan;
  std::string samples, seed, threads;
  std::string json;
  bool quiet = false;
};

int cmd_run(const RunArgs& args) {
  sim::RunOptions options;
  std::optional<std::uint64_t> samples, seed, threads;
  if (!args.samples.empty() && !(samples = parse_count(args.samples, "samples", 1))) return kExitUsage;
  if (!args.seed.empty() && !(seed = parse_count(args.seed, "seed", 0))) return kExitUsage;
  if (!args.threads.empty() && !(threads = parse_count(args.threads, "threads", 1))) return kExitUsage;
  if (threads && *threads > 4096) {
    std::cerr << "error: --threads " << *threads << " is more than 4096\n";
    return kExitUsage;
  }

  auto loaded = load(args.plan);
  if (!loaded) return kExitInvalidPlan;
  const graph::Plan& plan = *loaded->plan;
  const graph::Program& program = *loaded->program;

  options.samples = samples ? *samples : plan.settings.samples.value_or(100000);
  options.seed = seed ? *seed : plan.settings.seed.value_or(1);
  options.threads = threads ? static_cast<int>(*threads) : 0;
  if (std::string bad = options.validate(); !bad.empty()) {
    std::cerr << "error: " << bad << "\n";
    return kExitUsage;
  }
  const std::uint64_t need = sim::estimate_memory(program, options.samples, options.threads > 0 ? options.threads : 64);
  const std::uint64_t have = physical_memory();
  if (have && need > have / 10 * 8) {
    std::cerr << "error: " << options.samples << " samples would need about " << (need >> 20)
              << " MiB of memory, more than this machine can give (" << (have >> 20) << " MiB)\n"
              << "hint: use fewer samples; 100,000 give P(hit) to within about +/-0.003\n";
    return kExitUsage;
  }

  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  Progress progress(!args.quiet);
  options.progress = [&](double f) { progress.update(f); };
  options.cancel = &g_interrupted;
  sim::RunResult result = sim::run(program, options);
  if (result.summary.stop == sim::StopReason::kCancelled) {
    std::cerr << "\ninterrupted; nothing was written\n";
    return kExitInterrupted;
  }
  if (result.nan) {
    const sim::NanReport& n = *result.nan;
    std::cerr << "error: the measure of target '" << n.target << "' was NaN (not a number) in " << n.samples
              << " of " << options.samples << " samples\n"
              << "  it first appeared in node '" << n.node << "' in period " << plan.horizon.label(n.period)
              << " (sample " << n.first_sample << ", seed " << options.seed << ")\n"
              << "hint: look for division by zero, log or sqrt of a negative number, or distribution "
                 "parameters that become invalid in that node\n";
    return kExitRunFailed;
  }

  report::RunInfo info;
  info.plan_title = plan.title;
  info.plan_file = plan.file;
  info.plan_sha256 = report::sha256_hex(plan.text);
  info.seed = options.seed;
  info.samples = options.samples;
  info.periods = program.period_labels;
  if (!args.json.empty()) {
    std::string text = report::run_json(info, {result.scenario}, program.confidence).dump(2) + "\n";
    if (args.json == "-") std::cout << text;
    else if (!write_file(args.json, text)) return kExitRunFailed;
  }
  if (!args.quiet && args.json != "-")
    std::cout << report::targets_table(info, result.scenario, program.confidence);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"plansim: Monte Carlo simulation of business plans - how likely is each target?"};
  app.set_version_flag("--version", std::string("plansim ") + PLANSIM_VERSION);
  app.require_subcommand(1);

  std::string check_plan;
  auto* check = app.add_subcommand("check", "Load and validate a plan, and print a summary");
  check->add_option("PLAN", check_plan, "the plan file (YAML)")->required();

  RunArgs run_args;
  auto* run = app.add_subcommand("run", "Simulate a plan and report each target's probability of being hit");
  run->add_option("PLAN", run_args.plan, "the plan file (YAML)")->required();
  run->add_option("--samples", run_args.samples, "Monte Carlo samples (default: the plan's settings, else 100000)");
  run->add_option("--seed", run_args.seed, "random seed (default: the plan's settings, else 1)");
  run->add_option("--threads", run_args.threads, "worker threads (default: all cores; results never depend on it)");
  run->add_option("--json", run_args.json, "write the results as JSON to this file ('-' for standard output)");
  run->add_flag("--quiet", run_args.quiet, "print no table");

  std::string graph_plan, dot;
  auto* graph_cmd = app.add_subcommand("graph", "Write the plan's dependency graph in Graphviz DOT");
  graph_cmd->add_option("PLAN", graph_plan, "the plan file (YAML)")->required();
  graph_cmd->add_option("--dot", dot, "output file (default: standard output)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : kExitUsage;
  }
  try {
    if (*check) return cmd_check(check_plan);
    if (*run) return cmd_run(run_args);
    if (*graph_cmd) return cmd_graph(graph_plan, dot);
  } catch (const std::bad_alloc&) {
    std::cerr << "error: out of memory; use fewer samples\n";
    return kExitRunFailed;
  }
  return kExitUsage;
}
