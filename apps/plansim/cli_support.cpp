#include "apps/plansim/cli_support.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>

#include "analysis/precision.h"
#include "graph/plan_loader.h"
#include "report/text_format.h"
#include "sim/random_stream.h"
#include "rules/functions.h"
#include "scenarios/scenario.h"
#include "sim/stratification.h"
#include "store/history.h"

namespace plansim::cli {
namespace {

// "3 hours", "12 days", "40 years": an estimate's order of magnitude.
std::string duration_text(double seconds) {
  const std::pair<double, const char*> units[] = {
      {365.25 * 86400, "years"}, {86400, "days"}, {3600, "hours"}, {60, "minutes"}, {1, "seconds"}};
  for (const auto& [size, name] : units)
    if (seconds >= size) {
      char text[64];
      std::snprintf(text, sizeof text, "%.3g %s", seconds / size, name);
      return text;
    }
  return "under a second";
}

namespace fs = std::filesystem;

std::atomic<bool> g_interrupted{false};
void on_interrupt(int) { g_interrupted.store(true); }

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
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    if (elapsed < 1.0) return;
    const int width = 40;
    const int filled = static_cast<int>(fraction * width);
    const double eta = fraction > 0 ? elapsed * (1.0 - fraction) / fraction : 0.0;
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


// Every diagnostic, then how many, and in which file when they share one.
void print(const rules::Diagnostics& diags) {
  std::cerr << diags.to_string() << diags.size() << (diags.size() == 1 ? " error" : " errors");
  const auto& list = diags.list();
  const bool one_file = std::all_of(list.begin(), list.end(), [&](const auto& d) { return d.file == list[0].file; });
  if (!list.empty() && one_file) std::cerr << " in " << list[0].file;
  std::cerr << "\n";
}

}  // namespace

std::optional<Loaded> load(const std::string& plan_path, const std::vector<std::string>& scenario_paths,
                           const std::vector<SetPoint>& points) {
  rules::Diagnostics diags;
  Loaded out;
  out.plan = graph::load_plan_file(plan_path, diags);
  if (!out.plan || !diags.ok()) {
    print(diags);
    return std::nullopt;
  }
  std::vector<graph::VariantInput> inputs{{"base", out.plan.get(), {}}};
  std::set<std::string> names{"base"};
  for (const auto& path : scenario_paths) {
    auto scenario = scenarios::load_scenario_file(path, diags);
    if (!scenario) continue;
    if (!names.insert(scenario->name).second)
      diags.error(path, scenario->name_pos, "", "two scenarios are named '" + scenario->name + "'",
                  "give each scenario its own name; 'base' is taken by the plan as written");
    auto applied = scenarios::apply_scenario(*out.plan, *scenario, diags);
    if (!applied) continue;
    out.scenarios.push_back({scenario->name, path, scenario->text});
    inputs.push_back({applied->name, applied->plan.get(), applied->changed});
    out.variant_plans.push_back(std::move(applied->plan));
  }
  for (const auto& point : points) {
    scenarios::Scenario s;
    s.name = point.name;
    for (const auto& [node, value] : point.set) {
      scenarios::SetChange c;
      c.node = node;
      c.file = "--vary";
      c.value = rules::Expr::make_number(value, {});
      s.set.push_back(std::move(c));
    }
    auto applied = scenarios::apply_scenario(*out.plan, s, diags);
    if (!applied) break;  // the same mistake would repeat for every point
    inputs.push_back({applied->name, applied->plan.get(), applied->changed});
    out.variant_plans.push_back(std::move(applied->plan));
  }
  if (diags.ok()) out.program = graph::compile_variants(inputs, diags);
  if (!diags.ok() || !out.program) {
    print(diags);
    return std::nullopt;
  }
  return out;
}


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

namespace {

// A whole decimal number, spaces around it allowed: "0.8", " 0.95".
std::optional<double> parse_number(std::string text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  std::size_t start = 0;
  while (start < text.size() && std::isspace(static_cast<unsigned char>(text[start]))) ++start;
  text = text.substr(start);
  if (text.empty() || text.find_first_not_of("0123456789.eE+-") != std::string::npos) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

constexpr const char* kConfidenceExample = "e.g. --confidence 0.5,0.8,0.9,0.95";

std::string fmt_confidence(double c) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", c);
  return text;
}

}  // namespace

std::optional<std::vector<double>> parse_confidences(const std::string& text) {
  std::vector<double> out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t comma = text.find(',', start);
    const std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    const std::optional<double> c = parse_number(item);
    if (item.find_first_not_of(" \t") == std::string::npos) {
      std::cerr << "error: --confidence '" << text << "' has an empty item; give confidences between 0 and 1 "
                << "separated by commas, " << kConfidenceExample << "\n";
      return std::nullopt;
    }
    if (!c) {
      std::cerr << "error: --confidence: '" << item << "' is not a number; give confidences between 0 and 1 "
                << "separated by commas, " << kConfidenceExample << "\n";
      return std::nullopt;
    }
    if (!(*c > 0.0 && *c < 1.0)) {
      std::cerr << "error: --confidence: " << item << " is not strictly between 0 and 1"
                << (*c > 1.0 && *c < 100.0 ? " (confidences are fractions: write " + item + "% as " +
                                                 fmt_confidence(*c / 100.0) + ")"
                                           : "")
                << "; " << kConfidenceExample << "\n";
      return std::nullopt;
    }
    if (std::find(out.begin(), out.end(), *c) != out.end()) {
      std::cerr << "error: --confidence: " << item << " is given twice\n";
      return std::nullopt;
    }
    out.push_back(*c);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (out.size() > kMaxConfidences) {
    std::cerr << "error: --confidence: " << out.size() << " confidences, more than " << kMaxConfidences << "\n";
    return std::nullopt;
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<double> parse_precision(const std::string& text) {
  const std::optional<double> h = parse_number(text);
  if (!h || !(*h > 0.0 && *h < 0.5)) {
    std::cerr << "error: --precision must be a number strictly between 0 and 0.5, the largest 95% half-width "
                 "of any target's P(hit) to stop at, e.g. --precision 0.005 (got '"
              << text << "')\n";
    return std::nullopt;
  }
  return h;
}

bool write_file(const std::string& path, const std::string& text) {
  const fs::path target(path);
  fs::path tmp = target;
  tmp += ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary);
    out << text;
    if (!out) {
      std::cerr << "error: cannot write " << tmp.string() << "\n";
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

int run(const Loaded& loaded, const RunRequest& request, sim::RunResult& result, report::RunInfo& info) {
  std::optional<std::uint64_t> samples, seed, threads;
  if (!request.samples.empty() && !(samples = parse_count(request.samples, "samples", 1))) return kExitUsage;
  if (!request.seed.empty() && !(seed = parse_count(request.seed, "seed", 0))) return kExitUsage;
  if (!request.threads.empty() && !(threads = parse_count(request.threads, "threads", 1))) return kExitUsage;
  if (threads && *threads > 4096) {
    std::cerr << "error: --threads " << *threads << " is more than 4096\n";
    return kExitUsage;
  }
  std::optional<std::vector<double>> confidences;
  if (request.confidence_given && !(confidences = parse_confidences(request.confidence))) return kExitUsage;
  std::optional<double> precision;
  if (!request.precision.empty() && !(precision = parse_precision(request.precision))) return kExitUsage;
  std::optional<std::uint64_t> max_samples;
  if (!request.max_samples.empty()) {
    if (!precision) {
      std::cerr << "error: --max-samples goes with --precision (the ceiling of a run that grows until P(hit) is "
                   "precise enough); for a fixed number of samples use --samples\n";
      return kExitUsage;
    }
    if (!(max_samples = parse_count(request.max_samples, "max-samples", 1))) return kExitUsage;
  }
  const graph::Plan& plan = *loaded.plan;
  const graph::Program& program = *loaded.program;
  sim::RunOptions options;
  options.samples = samples ? *samples : plan.settings.samples.value_or(100000);
  options.seed = seed ? *seed : plan.settings.seed.value_or(1);
  options.threads = threads ? static_cast<int>(*threads) : 0;
  options.keep_quantiles = request.keep_quantiles;
  if (request.method != "mc" && request.method != "lhs") {
    std::cerr << "error: --method must be mc (plain Monte Carlo) or lhs (Latin hypercube), not '" << request.method
              << "'\n";
    return kExitUsage;
  }
  options.latin_hypercube = request.method == "lhs";
  if (options.latin_hypercube && precision) {
    std::cerr << "error: --method lhs and --precision cannot go together: Latin hypercube strata are fixed by the "
                 "sample count, so the run cannot grow batch by batch\n"
              << "hint: choose --samples with --method lhs, or use --precision with plain Monte Carlo\n";
    return kExitUsage;
  }
  if (confidences) options.confidences = *confidences;
  if (std::string bad = options.validate(); !bad.empty()) {
    std::cerr << "error: " << bad << "\n";
    return kExitUsage;
  }
  // With --precision the run grows in batches of the first sample count
  // (whole blocks) up to --max-samples: memory and time are checked for the
  // largest run it may become.
  analysis::PrecisionRule rule;
  std::uint64_t largest = options.samples;
  std::string largest_text = std::to_string(options.samples) + " samples";
  const char* fewer = "hint: use fewer samples (--samples); 100,000 give P(hit) to within about +/-0.003\n";
  if (precision) {
    rule.half_width = *precision;
    rule.batch = analysis::batch_for(options.samples);
    rule.max_samples = max_samples ? *max_samples : analysis::kDefaultMaxSamples;
    if (rule.max_samples < rule.batch) {
      std::cerr << "error: --max-samples " << report::with_commas(rule.max_samples) << " is less than one batch of "
                << report::with_commas(rule.batch) << " samples (--samples, or the plan's, rounded up to whole "
                << "blocks of " << sim::kBlockSize << ")\n";
      return kExitUsage;
    }
    largest = analysis::ceiling(rule);
    largest_text = report::with_commas(largest) + " samples (the most --precision may run)";
    fewer = "hint: use a smaller --max-samples\n";
  }
  options.collect = request.collect;
  // Kept inputs (explain): saturating, as an absurd sample count must be refused, not wrap.
  const std::uint64_t collect_bytes =
      options.collect.empty() ? 0
      : largest > (std::uint64_t{1} << 60) / options.collect.size()
          ? std::uint64_t{1} << 62
          : options.collect.size() * largest * sizeof(double);
  const std::uint64_t need =
      sim::estimate_memory(program, options.keep_quantiles ? largest : 0, options.threads > 0 ? options.threads : 64) +
      (options.latin_hypercube ? sim::Stratification::bytes(program, options.samples) : 0) + collect_bytes;
  const std::uint64_t have = physical_memory();
  if (have && need > have / 10 * 8) {
    std::cerr << "error: " << largest_text << " would need about " << (need >> 20) << " MiB of memory";
    if (!options.collect.empty())
      std::cerr << " (" << options.collect.size() << " inputs kept per sample for the analysis: inputs x samples x 8 = "
                << (collect_bytes >> 20) << " MiB)";
    std::cerr << ", more than this machine can give (" << (have >> 20) << " MiB)\n" << fewer;
    return kExitUsage;
  }
  // A run that would take days is a typo or a misunderstanding, not a plan.
  constexpr double kMaxRunSeconds = 24 * 3600;
  if (const double seconds = sim::estimate_seconds(program, largest, options.threads); seconds > kMaxRunSeconds) {
    std::cerr << "error: " << largest_text << " would take about " << duration_text(seconds)
              << " on this machine (timed on one block), more than the limit of a day\n"
              << fewer;
    return kExitUsage;
  }

  const std::string started_at = store::utc_now();
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  Progress progress(!request.quiet);
  options.progress = [&](double f) { progress.update(f); };
  options.cancel = &g_interrupted;
  analysis::PrecisionOutcome outcome;
  result = precision ? analysis::run_to_precision(program, options, rule, outcome) : sim::run(program, options);
  if (result.summary.stop == sim::StopReason::kCancelled) {
    std::cerr << "\ninterrupted; nothing was written\n";
    return kExitInterrupted;
  }
  if (result.nan && !request.allow_nan) {
    const sim::NanReport& n = *result.nan;
    std::cerr << "error: the measure of target '" << n.target << "'"
              << (n.scenario == "base" ? "" : " in scenario '" + n.scenario + "'") << " was NaN (not a number) in "
              << n.samples << " of " << result.summary.samples << " samples\n"
              << "  it first appeared in node '" << n.node << "' in period " << plan.horizon.label(n.period)
              << " (sample " << n.first_sample << ", seed " << options.seed << ")\n"
              << "hint: look for division by zero, log or sqrt of a negative number, or distribution "
                 "parameters that become invalid in that node\n";
    return kExitRunFailed;
  }
  info.plan_title = plan.title;
  info.plan_file = plan.file;
  info.plan_sha256 = report::sha256_hex(plan.text);
  info.seed = options.seed;
  info.samples = result.summary.samples;
  info.periods = program.period_labels;
  info.version = PLANSIM_VERSION;
  info.started_at = started_at;
  info.confidence = program.confidence;
  info.method = options.latin_hypercube ? "latin_hypercube" : "monte_carlo";
  info.confidences = options.confidences;
  if (precision) {
    report::RunInfo::Precision p;
    p.half_width = rule.half_width;
    p.batch = rule.batch;
    p.max_samples = analysis::ceiling(rule);
    p.batches = outcome.batches;
    p.stopped = analysis::to_string(outcome.stop);
    p.widest = outcome.widest;
    if (outcome.variant < result.scenarios.size() &&
        outcome.target < result.scenarios[outcome.variant].targets.size()) {
      const sim::ScenarioResult& sc = result.scenarios[outcome.variant];
      p.widest_scenario = sc.name;
      p.widest_target = sc.targets[outcome.target].id;
      p.widest_unit = sc.targets[outcome.target].unit;
    }
    info.precision = p;
  }
  return 0;
}

}  // namespace plansim::cli
