#include "report/json_report.h"

#include <cmath>

namespace plansim::report {

using json = nlohmann::ordered_json;

namespace {

json number(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

json interval(const sim::Interval& i) { return json::array({number(i.lo), number(i.hi)}); }

// A unit id, or null for plan-wide nodes.
json unit(const std::string& id) { return id.empty() ? json(nullptr) : json(id); }

// A measure target's achievable levels (--confidence), or null when its
// values were not kept (a local target beyond the per-unit budget).
json levels_json(const sim::TargetResult& t) {
  if (t.achievable_levels.empty()) return nullptr;
  json levels = json::array();
  for (const auto& a : t.achievable_levels)
    levels.push_back({{"confidence", a.confidence}, {"level", number(a.level)}, {"ci95", interval(a.ci95)}});
  return levels;
}

json target_json(const sim::TargetResult& t, const RunInfo& info, double confidence) {
  json j;
  j["id"] = t.id;
  j["unit"] = unit(t.unit);
  j["label"] = t.label;
  j["kind"] = t.composite ? "composite" : "measure";
  if (!t.composite) {
    j["measure"] = t.measure;
    j["direction"] = graph::to_string(t.direction);
    j["threshold"] = number(t.threshold);
    j["by"] = info.periods.at(static_cast<std::size_t>(t.by));
  }
  j["p_hit"] = number(t.p_hit);
  j["ci95"] = interval(t.ci95);
  if (!t.composite) {
    j["quantiles"] = {{"p10", number(t.p10)}, {"p50", number(t.p50)}, {"p90", number(t.p90)}};
    j["achievable"] = {{"confidence", confidence}, {"level", number(t.achievable)}};
    if (!info.confidences.empty()) j["achievable_levels"] = levels_json(t);
  }
  j["rag"] = sim::to_string(t.rag);
  if (!t.composite) {
    json ms = json::array();
    for (const auto& m : t.milestones)
      ms.push_back({{"by", info.periods.at(static_cast<std::size_t>(m.by))},
                    {"direction", graph::to_string(m.direction)},
                    {"threshold", number(m.threshold)},
                    {"p_hit", number(m.p_hit)},
                    {"ci95", interval(m.ci95)}});
    j["milestones"] = ms;
  }
  return j;
}

json precision_json(const RunInfo& info) {
  const RunInfo::Precision& p = *info.precision;
  return {{"half_width", p.half_width},
          {"batch_samples", p.batch},
          {"max_samples", p.max_samples},
          {"batches", p.batches},
          {"samples", info.samples},
          {"stopped", p.stopped},
          {"widest_half_width", number(p.widest)},
          {"widest_target",
           p.widest_target.empty() ? json(nullptr)
                                   : json{{"scenario", p.widest_scenario}, {"id", p.widest_target},
                                          {"unit", unit(p.widest_unit)}}}};
}

}  // namespace

json achievable_json(const RunInfo& info, const sim::RunResult& result, const std::string& target) {
  json j;
  j["format"] = "plansim-achievable/1";
  j["plan"] = info.plan_title;
  j["plan_sha256"] = info.plan_sha256;
  j["seed"] = info.seed;
  j["samples"] = info.samples;
  j["target"] = target;
  json rows = json::array();
  for (const auto& sc : result.scenarios)
    for (const auto& t : sc.targets) {
      if (t.id != target || t.composite) continue;
      rows.push_back({{"scenario", sc.name},
                      {"unit", unit(t.unit)},
                      {"label", t.label},
                      {"measure", t.measure},
                      {"direction", graph::to_string(t.direction)},
                      {"by", info.periods.at(static_cast<std::size_t>(t.by))},
                      {"levels", levels_json(t)},
                      {"threshold", number(t.threshold)},
                      {"threshold_confidence", {{"p_hit", number(t.p_hit)}, {"ci95", interval(t.ci95)}}},
                      {"rag", sim::to_string(t.rag)}});
    }
  j["results"] = rows;
  return j;
}

json run_json(const RunInfo& info, const sim::RunResult& result, double confidence) {
  json j;
  j["format"] = "plansim-run/1";
  j["plan"] = info.plan_title;
  j["plan_sha256"] = info.plan_sha256;
  j["seed"] = info.seed;
  j["samples"] = info.samples;
  j["method"] = info.method;
  if (info.precision) j["precision"] = precision_json(info);
  j["periods"] = info.periods;
  json out = json::array();
  for (const auto& sc : result.scenarios) {
    json s;
    s["name"] = sc.name;
    json targets = json::array();
    for (const auto& t : sc.targets) targets.push_back(target_json(t, info, confidence));
    s["targets"] = targets;
    if (!sc.local_targets.empty()) {
      json local = json::array();
      for (const auto& l : sc.local_targets)
        local.push_back({{"id", l.id},
                         {"label", l.label},
                         {"unit_name", l.unit_name},
                         {"units", l.units},
                         {"expected_units_hitting", number(l.expected_hits)},
                         {"ci95", interval(l.ci95)},
                         {"rag_counts", {{"green", l.green}, {"amber", l.amber}, {"red", l.red}}},
                         {"least_likely", l.least_likely}});
      s["local_targets"] = local;
    }
    json measures = json::array();
    for (const auto& m : sc.measures) {
      json periods = json::array();
      for (const auto& p : m.periods)
        periods.push_back({{"mean", number(p.mean)}, {"p10", number(p.p10)}, {"p50", number(p.p50)},
                           {"p90", number(p.p90)}});
      measures.push_back({{"id", m.id}, {"unit", unit(m.unit)}, {"periods", periods}});
    }
    s["measures"] = measures;
    json resources = json::array();
    for (const auto& r : sc.resources) {
      json periods = json::array();
      for (const auto& p : r.periods)
        periods.push_back({{"available", number(p.available)}, {"demand", number(p.demand)},
                           {"p_short", number(p.p_short)}});
      resources.push_back({{"id", r.id}, {"unit", unit(r.unit)}, {"periods", periods}});
    }
    s["resources"] = resources;
    json responses = json::array();
    for (const auto& r : sc.responses)
      responses.push_back({{"id", r.id},
                           {"label", r.label},
                           {"p_triggered", number(r.p_triggered)},
                           {"mean_first_period", number(r.mean_first_period)}});
    s["responses"] = responses;
    out.push_back(s);
  }
  j["scenarios"] = out;
  json comparison = json::array();
  for (const auto& c : result.comparison)
    comparison.push_back({{"scenario", c.scenario},
                          {"target", c.target},
                          {"unit", unit(c.unit)},
                          {"p_hit", number(c.p_hit)},
                          {"delta_vs_base", number(c.delta)},
                          {"delta_ci95", interval(c.ci95)},
                          {"delta_ci95_unpaired", interval(c.unpaired_ci95)}});
  j["comparison"] = comparison;
  return j;
}

}  // namespace plansim::report
