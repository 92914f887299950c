#include "report/text_table.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "report/text_format.h"

namespace plansim::report {
namespace {

// Levels as people write them: 0.5557, 15.4, 180,559.
std::string level(double v) {
  if (std::isfinite(v) && std::fabs(v) >= 1000.0 && std::fabs(v) < 1e15) {
    const std::string digits = with_commas(static_cast<std::uint64_t>(std::llround(std::fabs(v))));
    return v < 0 ? "-" + digits : digits;
  }
  return fmt("%.4g", v);
}

// "[0.123, 0.456]", formatted in one go (GCC 12 warns falsely, -Wrestrict,
// about "[" + std::string).
std::string interval_text(const sim::Interval& i) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "[%.3f, %.3f]", i.lo, i.hi);
  return buf;
}

std::string rag_word(sim::Rag r) {
  switch (r) {
    case sim::Rag::kGreen: return "GREEN";
    case sim::Rag::kAmber: return "AMBER";
    case sim::Rag::kRed: return "RED";
  }
  return "";
}

std::string threshold(graph::Direction d, double v) {
  return (d == graph::Direction::kAtMost ? "<= " : ">= ") + level(v);
}


std::string signed_text(double v) { return fmt("%+.3f", v); }

// Decimals for a level and its 95% interval: four significant digits, as
// `level`, or more where the interval is narrower, so its ends differ.
int decimals_for(const sim::AchievableLevel& a) {
  double size = 0.0;
  for (double v : {a.level, a.ci95.lo, a.ci95.hi})
    if (std::isfinite(v)) size = std::max(size, std::fabs(v));
  int d = size > 0.0 ? 3 - static_cast<int>(std::floor(std::log10(size))) : 4;
  const double width = a.ci95.hi - a.ci95.lo;
  if (width > 0.0 && std::isfinite(width)) d = std::max(d, static_cast<int>(std::ceil(-std::log10(width))) + 1);
  return std::clamp(d, 0, 10);
}

// A level with that many decimals; whole numbers with commas from 1,000.
std::string level_text(double v, int decimals) {
  if (!std::isfinite(v) || std::fabs(v) >= 1000.0) return level(v);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

// The decimals of a target's levels: the most any of them needs, so a column reads evenly.
int decimals_for(const std::vector<sim::AchievableLevel>& levels) {
  int d = 0;
  for (const auto& a : levels) d = std::max(d, decimals_for(a));
  return d;
}

std::string level_interval(const sim::AchievableLevel& a, int d) {
  // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) on "[" + std::string.
  std::string out = "[";
  out += level_text(a.ci95.lo, d);
  out += ", ";
  out += level_text(a.ci95.hi, d);
  out += "]";
  return out;
}

bool unbounded(const sim::AchievableLevel& a) { return !std::isfinite(a.ci95.lo) || !std::isfinite(a.ci95.hi); }

const char* const kUnboundedNote =
    "n/a: too few samples to bound the level on that side with 95% confidence\n";

// "80%", "97.5%".
std::string percent(double c) { return fmt("%.4g", c * 100.0) + "%"; }

}  // namespace

std::string plural(const std::string& noun, std::size_t n) {
  if (n == 1 || noun.empty() || noun.back() == 's') return noun;
  return noun + "s";
}

// Local targets, one paragraph each rather than a row per unit: the
// expected number of units hitting, the units by RAG, the least likely.
std::string local_targets_summary(const sim::ScenarioResult& scenario) {
  std::string out;
  for (const auto& l : scenario.local_targets) {
    const std::string units = std::to_string(l.units) + " " + plural(l.unit_name, l.units);
    out += "\nlocal target " + l.id + (l.label.empty() ? "" : " (" + shortened(l.label, 60) + ")") + ", one per " +
           l.unit_name + ":\n";
    out += "  expected to hit: " + fmt("%.1f", l.expected_hits) + " of " + units + " " + interval_text(l.ci95) +
           "\n";
    out += "  RAG: " + std::to_string(l.green) + " green, " + std::to_string(l.amber) + " amber, " +
           std::to_string(l.red) + " red\n";
    std::string least;
    for (const auto& id : l.least_likely) {
      for (const auto& t : scenario.targets)
        if (t.id == l.id && t.unit == id) least += (least.empty() ? "" : ", ") + id + " " + fmt("%.3f", t.p_hit);
    }
    out += "  least likely: " + least + "\n";
  }
  return out;
}

std::string targets_table(const RunInfo& info, const sim::ScenarioResult& scenario, double confidence) {
  std::vector<std::vector<std::string>> rows;
  const std::string achievable = "achievable@" + fmt("%.0f", confidence * 100) + "%";
  rows.push_back({"target", "by", "threshold", "P(hit)", "95% interval", achievable, "RAG"});
  for (const auto& t : scenario.targets) {
    if (!t.unit.empty()) continue;  // local targets: summarised below
    const std::string ci = interval_text(t.ci95);
    if (t.composite) {
      rows.push_back({t.id, "", "composite", fmt("%.3f", t.p_hit), ci, "", rag_word(t.rag)});
      continue;
    }
    rows.push_back({t.id, info.periods.at(static_cast<std::size_t>(t.by)), threshold(t.direction, t.threshold),
                    fmt("%.3f", t.p_hit), ci, level(t.achievable), rag_word(t.rag)});
    for (const auto& m : t.milestones)
      rows.push_back({"  milestone", info.periods.at(static_cast<std::size_t>(m.by)),
                      threshold(m.direction, m.threshold), fmt("%.3f", m.p_hit),
                      interval_text(m.ci95), "", ""});
  }
  std::string out = info.plan_title + "\n";
  out += with_commas(info.samples) + (info.method == "latin_hypercube" ? " samples (Latin hypercube)" : " samples") +
         ", seed " + std::to_string(info.seed) + ", " + std::to_string(info.periods.size()) + " periods from " + (info.periods.empty() ? "" : info.periods[0]) +
         ", scenario " + scenario.name + "\n";
  out += precision_line(info) + "\n";
  out += aligned(rows, {3, 4, 5});
  out += local_targets_summary(scenario);
  out += achievable_levels_table(info, scenario);
  return out;
}

std::string precision_line(const RunInfo& info) {
  if (!info.precision) return {};
  const RunInfo::Precision& p = *info.precision;
  std::string widest = "+/-" + fmt("%.2g", p.widest);  // 0.00097, not a rounded 0.0010
  if (!p.widest_target.empty())
    widest += ", " + p.widest_target + (p.widest_unit.empty() ? "" : " in " + p.widest_unit) +
              (p.widest_scenario == "base" ? "" : " in scenario " + p.widest_scenario);
  const std::string batches = std::to_string(p.batches) + " " + (p.batches == 1 ? "batch" : "batches") + " of " +
                              with_commas(p.batch);
  if (p.stopped == "precision_reached")
    return "precision reached: every target's P(hit) within +/-" + fmt("%g", p.half_width) + " (95%; widest " +
           widest + ") after " + batches + "\n";
  return "max samples reached: " + with_commas(info.samples) + " samples (" + batches +
         ", the most --max-samples allows); widest P(hit) " + widest + ", above the precision +/-" +
         fmt("%g", p.half_width) + "\n";
}

std::string achievable_levels_table(const RunInfo& info, const sim::ScenarioResult& scenario) {
  if (info.confidences.empty()) return {};
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"target", "by", "direction", "confidence", "achievable", "95% interval"});
  bool any_unbounded = false, any_local = false;
  for (const auto& t : scenario.targets) {
    if (t.composite) continue;
    if (!t.unit.empty()) {
      any_local = true;
      continue;
    }
    bool first = true;
    const int d = decimals_for(t.achievable_levels);
    for (const auto& a : t.achievable_levels) {
      rows.push_back({first ? t.id : "", first ? info.periods.at(static_cast<std::size_t>(t.by)) : "",
                      first ? (t.direction == graph::Direction::kAtMost ? "at most" : "at least") : "",
                      percent(a.confidence), level_text(a.level, d), level_interval(a, d)});
      any_unbounded = any_unbounded || unbounded(a);
      first = false;
    }
  }
  std::string out;
  if (rows.size() > 1) {
    out += "\nAchievable levels: the level each target reaches with each confidence, with its 95% interval\n\n";
    out += aligned(rows, {3, 4});
    if (any_unbounded) out += kUnboundedNote;
  }
  if (any_local) out += "local targets' achievable levels, per " + scenario.local_targets.front().unit_name +
                        ": in --json (achievable_levels)\n";
  return out;
}

std::string achievable_table(const RunInfo& info, const sim::RunResult& result, const std::string& target) {
  std::string out = info.plan_title + "\n";
  out += with_commas(info.samples) + " samples, seed " + std::to_string(info.seed) + "\n";
  out += precision_line(info);
  for (const auto& sc : result.scenarios)
    for (const auto& t : sc.targets) {
      if (t.id != target || t.composite) continue;
      out += "\n" + t.id + (t.unit.empty() ? "" : " for " + t.unit) + (t.label.empty() ? "" : ": " + t.label) + "\n";
      out += t.measure + " in " + info.periods.at(static_cast<std::size_t>(t.by)) + " to be " +
             (t.direction == graph::Direction::kAtMost ? "at most" : "at least") + " the level; scenario " + sc.name +
             "\n\n";
      if (t.achievable_levels.empty()) {
        out += "achievable levels: not available (the values of this target's measure were not kept)\n";
      } else {
        std::vector<std::vector<std::string>> rows;
        rows.push_back({"confidence", "achievable level", "95% interval"});
        bool any_unbounded = false;
        const int d = decimals_for(t.achievable_levels);
        for (const auto& a : t.achievable_levels) {
          rows.push_back({percent(a.confidence), level_text(a.level, d), level_interval(a, d)});
          any_unbounded = any_unbounded || unbounded(a);
        }
        out += aligned(rows, {0, 1});
        if (any_unbounded) out += kUnboundedNote;
      }
      out += "proposed threshold " + threshold(t.direction, t.threshold) + " carries confidence " +
             fmt("%.3f", t.p_hit) + " " + interval_text(t.ci95) + " (its P(hit)): " + rag_word(t.rag) + "\n";
    }
  return out;
}

std::string comparison_table(const sim::RunResult& result, const graph::RagThresholds& rag) {
  std::string out;
  if (result.scenarios.size() > 1) {
    std::vector<std::vector<std::string>> rows;
    rows.push_back({"scenario", "target", "P(hit)", "RAG", "change vs base", "95% interval (paired)"});
    for (const auto& t : result.base().targets)
      if (t.unit.empty()) rows.push_back({"base", t.id, fmt("%.3f", t.p_hit), rag_word(t.rag), "", ""});
    for (const auto& c : result.comparison) {
      if (!c.unit.empty()) continue;  // per unit: see the local targets below
      char ci[64];
      std::snprintf(ci, sizeof ci, "[%+.3f, %+.3f]", c.ci95.lo, c.ci95.hi);
      rows.push_back({c.scenario, c.target, fmt("%.3f", c.p_hit), rag_word(sim::rate(c.p_hit, rag)),
                      signed_text(c.delta), ci});
    }
    out += "\nScenarios, on common random numbers\n\n" + aligned(rows, {2, 4});
    std::vector<std::vector<std::string>> local;
    local.push_back({"scenario", "local target", "units expected to hit", "95% interval", "change vs base"});
    const auto& base = result.base().local_targets;
    for (const auto& sc : result.scenarios)
      for (std::size_t t = 0; t < sc.local_targets.size() && t < base.size(); ++t) {
        const auto& l = sc.local_targets[t];
        local.push_back({sc.name, l.id, fmt("%.1f", l.expected_hits) + " of " + std::to_string(l.units),
                         interval_text(l.ci95),
                         &sc == &result.base() ? "" : signed_text(l.expected_hits - base[t].expected_hits)});
      }
    if (local.size() > 1) out += "\n" + aligned(local, {2, 3, 4});
  }
  bool any_response = false;
  for (const auto& sc : result.scenarios) any_response = any_response || !sc.responses.empty();
  if (any_response) {
    std::vector<std::vector<std::string>> rows;
    rows.push_back({"scenario", "response", "P(triggered)", "mean first period"});
    for (const auto& sc : result.scenarios)
      for (const auto& r : sc.responses)
        rows.push_back({sc.name, shortened(r.label.empty() ? r.id : r.label, 60), fmt("%.3f", r.p_triggered),
                        fmt("%.2f", r.mean_first_period)});
    out += "\nManagement responses\n\n" + aligned(rows, {2, 3});
  }
  return out;
}

}  // namespace plansim::report
