#include "apps/plansim/history_command.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "apps/plansim/cli_support.h"
#include "graph/plan_loader.h"
#include "graph/yaml_tree.h"
#include "report/run_info.h"
#include "report/text_format.h"
#include "report/text_table.h"
#include "sim/results.h"
#include "store/history.h"
#include "store/plan_diff.h"

namespace plansim::cli {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// No such run, or a database that cannot be read.
constexpr int kExitNoRun = 1;

using report::aligned;
using report::fmt;
using report::shortened;
using report::with_commas;

constexpr const char* kUsage =
    "usage: plansim history [PLAN]            list the runs (of PLAN: a plan file, title or SHA-256 prefix)\n"
    "       plansim history show ID           reprint a run\n"
    "       plansim history diff ID1 ID2      how P(hit) moved between two runs, and what changed in the plan\n";




// "2026-11-23T05:10:42Z" -> "2026-11-23 05:10".
std::string minute(const std::string& iso) {
  if (iso.size() < 16) return iso;
  std::string out = iso.substr(0, 16);
  out[10] = ' ';
  return out;
}

std::string day(const std::string& iso) { return iso.substr(0, std::min<std::size_t>(10, iso.size())); }

std::string short_sha(const std::string& sha) { return sha.substr(0, std::min<std::size_t>(8, sha.size())); }

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}


std::optional<std::int64_t> parse_id(const std::string& text) {
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v <= 0) return std::nullopt;
  return v;
}

// --- reading a stored results JSON back into the shapes the tables print ---

double num(const json& j, const char* key) {
  const auto it = j.find(key);
  return (it != j.end() && it->is_number()) ? it->get<double>() : std::numeric_limits<double>::quiet_NaN();
}

std::string str(const json& j, const char* key) {
  const auto it = j.find(key);
  return (it != j.end() && it->is_string()) ? it->get<std::string>() : std::string();
}

sim::Interval interval(const json& j, const char* key) {
  sim::Interval i{std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()};
  const auto it = j.find(key);
  if (it != j.end() && it->is_array() && it->size() == 2) {
    if ((*it)[0].is_number()) i.lo = (*it)[0].get<double>();
    if ((*it)[1].is_number()) i.hi = (*it)[1].get<double>();
  }
  return i;
}

sim::Rag rag_of(const std::string& s) {
  return s == "green" ? sim::Rag::kGreen : s == "amber" ? sim::Rag::kAmber : sim::Rag::kRed;
}

int period_index(const std::vector<std::string>& periods, const std::string& label) {
  const auto it = std::find(periods.begin(), periods.end(), label);
  return it == periods.end() ? 0 : static_cast<int>(it - periods.begin());
}

graph::Direction direction_of(const std::string& s) {
  return s == "at_least" ? graph::Direction::kAtLeast : graph::Direction::kAtMost;
}

// The run as `plansim run` had it, from its `plansim-run/1` JSON.
struct Reloaded {
  report::RunInfo info;
  sim::RunResult result;
  double confidence = 0.8;
};

std::optional<Reloaded> reload(const std::string& results_json) {
  const json j = json::parse(results_json, nullptr, false);
  if (!j.is_object() || !j.contains("scenarios") || !j["scenarios"].is_array() || j["scenarios"].empty())
    return std::nullopt;
  Reloaded r;
  r.info.plan_title = str(j, "plan");
  r.info.plan_sha256 = str(j, "plan_sha256");
  if (j.contains("seed") && j["seed"].is_number_unsigned()) r.info.seed = j["seed"].get<std::uint64_t>();
  if (j.contains("samples") && j["samples"].is_number_unsigned()) r.info.samples = j["samples"].get<std::uint64_t>();
  if (j.contains("periods") && j["periods"].is_array())
    for (const auto& p : j["periods"])
      if (p.is_string()) r.info.periods.push_back(p.get<std::string>());
  if (r.info.periods.empty()) r.info.periods.push_back("");
  if (j.contains("precision") && j["precision"].is_object()) {  // a --precision run: how it stopped
    const json& pj = j["precision"];
    report::RunInfo::Precision p;
    p.half_width = num(pj, "half_width");
    if (pj.contains("batch_samples") && pj["batch_samples"].is_number_unsigned()) p.batch = pj["batch_samples"];
    if (pj.contains("max_samples") && pj["max_samples"].is_number_unsigned()) p.max_samples = pj["max_samples"];
    if (pj.contains("batches") && pj["batches"].is_number_unsigned()) p.batches = pj["batches"];
    p.stopped = str(pj, "stopped");
    p.widest = num(pj, "widest_half_width");
    if (pj.contains("widest_target") && pj["widest_target"].is_object()) {
      p.widest_scenario = str(pj["widest_target"], "scenario");
      p.widest_target = str(pj["widest_target"], "id");
      p.widest_unit = str(pj["widest_target"], "unit");
    }
    r.info.precision = p;
  }
  bool confidence_found = false;
  for (const auto& sj : j["scenarios"]) {
    if (!sj.is_object()) continue;
    sim::ScenarioResult sc;
    sc.name = str(sj, "name");
    if (sj.contains("targets") && sj["targets"].is_array())
      for (const auto& tj : sj["targets"]) {
        if (!tj.is_object()) continue;
        sim::TargetResult t;
        t.id = str(tj, "id");
        t.label = str(tj, "label");
        t.composite = str(tj, "kind") == "composite";
        t.measure = str(tj, "measure");
        t.direction = direction_of(str(tj, "direction"));
        t.threshold = num(tj, "threshold");
        t.by = period_index(r.info.periods, str(tj, "by"));
        t.p_hit = num(tj, "p_hit");
        t.ci95 = interval(tj, "ci95");
        t.rag = rag_of(str(tj, "rag"));
        if (tj.contains("achievable") && tj["achievable"].is_object()) {
          t.achievable = num(tj["achievable"], "level");
          const double c = num(tj["achievable"], "confidence");
          if (std::isfinite(c) && !confidence_found) {
            r.confidence = c;
            confidence_found = true;
          }
        }
        if (tj.contains("achievable_levels") && tj["achievable_levels"].is_array()) {
          for (const auto& aj : tj["achievable_levels"])
            if (aj.is_object()) t.achievable_levels.push_back({num(aj, "confidence"), num(aj, "level"), interval(aj, "ci95")});
          if (r.info.confidences.empty())  // a --confidence run: its list, for the levels table
            for (const auto& a : t.achievable_levels) r.info.confidences.push_back(a.confidence);
        }
        if (tj.contains("milestones") && tj["milestones"].is_array())
          for (const auto& mj : tj["milestones"]) {
            if (!mj.is_object()) continue;
            sim::MilestoneResult m;
            m.by = period_index(r.info.periods, str(mj, "by"));
            m.direction = direction_of(str(mj, "direction"));
            m.threshold = num(mj, "threshold");
            m.p_hit = num(mj, "p_hit");
            m.ci95 = interval(mj, "ci95");
            t.milestones.push_back(m);
          }
        sc.targets.push_back(std::move(t));
      }
    if (sj.contains("responses") && sj["responses"].is_array())
      for (const auto& rj : sj["responses"]) {
        if (!rj.is_object()) continue;
        sc.responses.push_back({str(rj, "id"), str(rj, "label"), num(rj, "p_triggered"), num(rj, "mean_first_period")});
      }
    r.result.scenarios.push_back(std::move(sc));
  }
  if (r.result.scenarios.empty()) return std::nullopt;
  if (j.contains("comparison") && j["comparison"].is_array())
    for (const auto& cj : j["comparison"]) {
      if (!cj.is_object()) continue;
      sim::Comparison c;
      c.scenario = str(cj, "scenario");
      c.target = str(cj, "target");
      c.p_hit = num(cj, "p_hit");
      c.delta = num(cj, "delta_vs_base");
      c.ci95 = interval(cj, "delta_ci95");
      c.unpaired_ci95 = interval(cj, "delta_ci95_unpaired");
      r.result.comparison.push_back(c);
    }
  return r;
}

// The RAG thresholds the plan text sets (the results do not carry them).
graph::RagThresholds rag_thresholds(const std::string& plan_text) {
  rules::Diagnostics diags;
  const auto plan = graph::load_plan_text(plan_text, "plan", diags);
  return plan ? plan->settings.rag : graph::RagThresholds{};
}

// --- the database ---

struct Opened {
  std::unique_ptr<store::History> history;
  int code = 0;  // when history is null: the exit code
};

// Opens the database; a missing file is no database rather than a new one,
// so that looking at the history never creates it.
Opened open_db(const std::string& db_path, std::ostream& err, bool missing_ok, std::ostream& out) {
  Opened o;
  std::error_code ec;
  if (!fs::exists(db_path, ec)) {
    if (missing_ok) out << "no runs recorded yet (" << db_path << " does not exist)\n";
    else err << "error: no runs recorded yet: " << db_path << " does not exist\n";
    o.code = missing_ok ? 0 : kExitNoRun;
    return o;
  }
  std::string error;
  o.history = store::History::open(db_path, error);
  if (!o.history) {
    err << "error: " << error << "\n";
    o.code = kExitNoRun;
  }
  return o;
}

std::optional<store::StoredRun> get_run(store::History& h, std::int64_t id, const std::string& db_path,
                                        std::ostream& err) {
  auto run = h.get(id);
  if (!run) err << "error: no run " << id << " in " << db_path << "\n";
  return run;
}

std::string headline_text(const std::vector<store::Headline>& headline) {
  if (headline.empty()) return "-";
  std::string out;
  const std::size_t shown = std::min<std::size_t>(2, headline.size());
  for (std::size_t i = 0; i < shown; ++i) {
    if (i) out += ", ";
    out += shortened(headline[i].target, 28);
    out += ' ';
    out += fmt("%.3f", headline[i].p_hit);
  }
  if (headline.size() > shown) out += ", +" + std::to_string(headline.size() - shown) + " more";
  return out;
}

// --- the subcommands ---

int list_runs(const std::string& db_path, const std::optional<std::string>& plan, std::ostream& out,
              std::ostream& err) {
  Opened o = open_db(db_path, err, true, out);
  if (!o.history) return o.code;
  std::vector<store::RunRow> rows;
  if (!plan) {
    rows = o.history->list();
  } else {
    // A plan file stands for every version of that plan: runs with its
    // title, its path, or its current text.
    std::vector<std::string> keys{*plan};
    std::error_code ec;
    if (fs::is_regular_file(*plan, ec)) {
      keys.push_back(fs::absolute(*plan, ec).lexically_normal().string());
      std::ifstream in(*plan, std::ios::binary);
      std::ostringstream text;
      text << in.rdbuf();
      keys.push_back(report::sha256_hex(text.str()));
      rules::Diagnostics diags;
      if (const auto root = graph::parse_yaml(text.str(), *plan, diags); root && root->is_map())
        if (const graph::YamlNode* title = root->find("plan"); title && title->is_scalar())
          keys.push_back(title->scalar);
    }
    std::map<std::int64_t, store::RunRow> by_id;
    for (const auto& key : keys)
      for (auto& r : o.history->list(key)) by_id.emplace(r.id, std::move(r));
    for (auto& [id, r] : by_id) rows.push_back(std::move(r));
  }
  if (rows.empty()) {
    out << "no runs" << (plan ? " of " + *plan : std::string()) << " in " << db_path << "\n";
    return 0;
  }
  std::vector<std::vector<std::string>> table;
  table.push_back({"id", "date (UTC)", "plan", "version", "scenarios", "P(hit)"});
  for (const auto& r : rows) {
    std::string scenarios;
    for (const auto& s : r.scenarios) scenarios += (scenarios.empty() ? "" : ", ") + s;
    table.push_back({std::to_string(r.id), minute(r.started_at), shortened(r.plan_title, 40),
                     short_sha(r.plan_sha256) + " " + day(r.plan_first_seen),
                     scenarios.empty() ? "-" : shortened(scenarios, 30), headline_text(r.headline)});
  }
  out << aligned(table, {0});
  return 0;
}

int show_run(const std::string& db_path, std::int64_t id, std::ostream& out, std::ostream& err) {
  Opened o = open_db(db_path, err, false, out);
  if (!o.history) return o.code;
  const auto run = get_run(*o.history, id, db_path, err);
  if (!run) return kExitNoRun;
  const store::RunRecord& r = run->record;
  out << "run " << run->id << ": started " << r.started_at << ", finished " << r.finished_at << ", plansim "
      << r.version << "\n";
  out << "plan:      " << r.plan_title << "\n";
  out << "version:   " << short_sha(r.plan_sha256) << ", first run " << run->plan_first_seen << "\n";
  out << "file:      " << r.plan_file << "\n";
  for (const auto& s : r.scenarios) out << "scenario:  " << s.name << " (" << s.file << ")\n";
  out << "samples:   " << with_commas(r.samples) << ", seed " << r.seed << ", threads " << r.threads << "\n";
  if (!r.options_json.empty() && r.options_json != "{}") out << "options:   " << r.options_json << "\n";
  out << "\n";
  const auto reloaded = reload(r.results_json);
  if (!reloaded) {
    err << "error: the results of run " << id << " in " << db_path << " are not plansim-run JSON\n";
    return kExitNoRun;
  }
  out << report::targets_table(reloaded->info, reloaded->result.base(), reloaded->confidence);
  out << report::comparison_table(reloaded->result, rag_thresholds(r.plan_text));
  return 0;
}

// P(hit) of every (scenario, target) of a run, in its order.
using Hits = std::vector<std::pair<std::string, std::vector<std::pair<std::string, sim::TargetResult>>>>;

Hits hits_of(const sim::RunResult& result) {
  Hits h;
  for (const auto& sc : result.scenarios) {
    std::vector<std::pair<std::string, sim::TargetResult>> targets;
    for (const auto& t : sc.targets) targets.emplace_back(t.id, t);
    h.emplace_back(sc.name, std::move(targets));
  }
  return h;
}

const sim::TargetResult* find_hit(const Hits& h, const std::string& scenario, const std::string& target) {
  for (const auto& [name, targets] : h)
    if (name == scenario)
      for (const auto& [id, t] : targets)
        if (id == target) return &t;
  return nullptr;
}

std::string describe(const store::StoredRun& run) {
  std::string s = "run ";
  s += std::to_string(run.id);
  s += " (";
  s += minute(run.record.started_at);
  s += ", plan ";
  s += short_sha(run.record.plan_sha256);
  s += ")";
  return s;
}

int diff_runs(const std::string& db_path, std::int64_t id_a, std::int64_t id_b, std::ostream& out,
              std::ostream& err) {
  Opened o = open_db(db_path, err, false, out);
  if (!o.history) return o.code;
  const auto a = get_run(*o.history, id_a, db_path, err);
  if (!a) return kExitNoRun;
  const auto b = get_run(*o.history, id_b, db_path, err);
  if (!b) return kExitNoRun;
  const auto ra = reload(a->record.results_json);
  const auto rb = reload(b->record.results_json);
  if (!ra || !rb) {
    err << "error: the results of run " << (ra ? id_b : id_a) << " in " << db_path << " are not plansim-run JSON\n";
    return kExitNoRun;
  }

  out << describe(*a) << " -> " << describe(*b) << "\n\n";
  const Hits ha = hits_of(ra->result), hb = hits_of(rb->result);
  // Every (scenario, target) of either run: the first run's order, then the second's new ones.
  std::vector<std::pair<std::string, std::string>> keys;
  for (const Hits* h : {&ha, &hb})
    for (const auto& [scenario, targets] : *h)
      for (const auto& [target, t] : targets)
        if (std::find(keys.begin(), keys.end(), std::pair{scenario, target}) == keys.end())
          keys.emplace_back(scenario, target);
  const std::string col_a = "P(hit) #" + std::to_string(a->id), col_b = "P(hit) #" + std::to_string(b->id);
  std::vector<std::vector<std::string>> table;
  table.push_back({"scenario", "target", col_a, col_b, "change", "RAG"});
  for (const auto& [scenario, target] : keys) {
    const sim::TargetResult* ta = find_hit(ha, scenario, target);
    const sim::TargetResult* tb = find_hit(hb, scenario, target);
    std::string rag;
    if (ta && tb) {
      rag = upper(sim::to_string(ta->rag));
      if (ta->rag != tb->rag) {
        rag += " -> ";
        rag += upper(sim::to_string(tb->rag));
      }
    } else {
      rag = ta ? "only in #" + std::to_string(a->id) : "only in #" + std::to_string(b->id);
    }
    table.push_back({scenario, target, ta ? fmt("%.3f", ta->p_hit) : "-", tb ? fmt("%.3f", tb->p_hit) : "-",
                     ta && tb ? fmt("%+.3f", tb->p_hit - ta->p_hit) : "", rag});
  }
  out << aligned(table, {2, 3, 4});
  const store::RunRecord &x = a->record, &y = b->record;
  if (x.seed != y.seed || x.samples != y.samples) {
    // Independent runs: a change within 1.96 sqrt(p(1-p)/n1 + p(1-p)/n2) at p = 0.5 may be noise.
    const double noise = 1.96 * std::sqrt(0.25 / static_cast<double>(std::max<std::uint64_t>(1, x.samples)) +
                                          0.25 / static_cast<double>(std::max<std::uint64_t>(1, y.samples)));
    out << "\nthe runs differ in seed or samples (seed " << x.seed << ", " << with_commas(x.samples)
        << " samples; seed " << y.seed << ", " << with_commas(y.samples) << " samples): changes within "
        << fmt("%.3f", noise) << " may be sampling noise\n";
  }

  out << "\nplan: ";
  if (x.plan_sha256 == y.plan_sha256) {
    out << "same plan text (" << short_sha(x.plan_sha256) << ")\n";
  } else {
    out << short_sha(x.plan_sha256) << " (first run " << day(a->plan_first_seen) << ") -> "
        << short_sha(y.plan_sha256) << " (first run " << day(b->plan_first_seen) << ")\n";
    const store::PlanDiff d = store::diff_plans(x.plan_text, y.plan_text);
    if (!d.errors.empty()) {
      out << "  the plan texts cannot be compared:\n";
      for (const auto& e : d.errors) out << "  " << e << "\n";
    } else if (d.same()) {
      out << "  only comments and formatting changed\n";
    } else {
      for (const auto& c : d.changed) out << "  changed  " << c.section << ": " << c.name << "\n";
      for (const auto& c : d.added) out << "  added    " << c.section << ": " << c.name << "\n";
      for (const auto& c : d.removed) out << "  removed  " << c.section << ": " << c.name << "\n";
      for (const auto& s : d.sections) out << "  changed  section " << s << "\n";
    }
  }
  // Scenarios by name: whether their texts changed.
  for (const auto& s : x.scenarios) {
    const auto other = std::find_if(y.scenarios.begin(), y.scenarios.end(),
                                    [&](const store::ScenarioText& t) { return t.name == s.name; });
    if (other == y.scenarios.end()) out << "scenario " << s.name << ": only in run " << a->id << "\n";
    else if (other->text == s.text) out << "scenario " << s.name << ": same text\n";
    else if (store::same_document(s.text, other->text))
      out << "scenario " << s.name << ": only comments and formatting changed\n";
    else out << "scenario " << s.name << ": changed\n";
  }
  for (const auto& s : y.scenarios)
    if (std::none_of(x.scenarios.begin(), x.scenarios.end(),
                     [&](const store::ScenarioText& t) { return t.name == s.name; }))
      out << "scenario " << s.name << ": only in run " << b->id << "\n";
  return 0;
}

int usage(std::ostream& err, const std::string& why) {
  err << "error: " << why << "\n" << kUsage;
  return kExitUsage;
}

}  // namespace

int history_command(const std::vector<std::string>& args, const std::string& db_path, std::ostream& out,
                    std::ostream& err) {
  try {
    if (args.empty()) return list_runs(db_path, std::nullopt, out, err);
    const std::string& verb = args[0];
    if (verb == "show") {
      if (args.size() != 2) return usage(err, "history show takes one run id");
      const auto id = parse_id(args[1]);
      if (!id) return usage(err, "'" + args[1] + "' is not a run id (a whole number from 1)");
      return show_run(db_path, *id, out, err);
    }
    if (verb == "diff") {
      if (args.size() != 3) return usage(err, "history diff takes two run ids");
      const auto a = parse_id(args[1]);
      const auto b = parse_id(args[2]);
      if (!a || !b) return usage(err, "'" + args[a ? 2 : 1] + "' is not a run id (a whole number from 1)");
      return diff_runs(db_path, *a, *b, out, err);
    }
    if (args.size() != 1) return usage(err, "history takes at most one plan");
    if (!verb.empty() && verb[0] == '-') return usage(err, "unknown option '" + verb + "'");
    return list_runs(db_path, verb, out, err);
  } catch (const store::HistoryError& e) {
    err << "error: " << e.what() << "\n";
    return kExitNoRun;
  }
}

int history_command(const std::vector<std::string>& args, const std::string& db_path) {
  return history_command(args, db_path, std::cout, std::cerr);
}

}  // namespace plansim::cli
