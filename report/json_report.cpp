#include "report/json_report.h"

#include <cmath>

namespace plansim::report {

using json = nlohmann::ordered_json;

namespace {

json number(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

json interval(const sim::Interval& i) { return json::array({number(i.lo), number(i.hi)}); }

// A unit id, or null for plan-wide nodes.
json unit(const std::string& id) { return id.empty() ? json(nullptr) : json(id); }

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

}  // namespace

json run_json(const RunInfo& info, const sim::RunResult& result, double confidence) {
  json j;
  j["format"] = "plansim-run/1";
  j["plan"] = info.plan_title;
  j["plan_sha256"] = info.plan_sha256;
  j["seed"] = info.seed;
  j["samples"] = info.samples;
  j["method"] = info.method;
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
