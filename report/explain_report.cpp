#include "report/explain_report.h"

#include <cmath>
#include <cstdio>

#include "report/text_format.h"

namespace plansim::report {

using json = nlohmann::ordered_json;
using analysis::Driver;
using analysis::InputKind;
using analysis::SeekOutcome;
using analysis::SeekPoint;

namespace {

json number(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }
json interval(const sim::Interval& i) { return json::array({number(i.lo), number(i.hi)}); }

const std::string& period(const RunInfo& info, int t) { return info.periods.at(static_cast<std::size_t>(t)); }

json header(const char* format, const RunInfo& info) {
  json j;
  j["format"] = format;
  j["plan"] = info.plan_title;
  j["plan_sha256"] = info.plan_sha256;
  j["seed"] = info.seed;
  j["samples"] = info.samples;
  j["periods"] = info.periods;
  return j;
}

// The target as the run JSON describes it, without percentiles.
json target_json(const RunInfo& info, const sim::TargetResult& t) {
  json j;
  j["id"] = t.id;
  j["kind"] = t.composite ? "composite" : "measure";
  if (!t.composite) {
    j["measure"] = t.measure;
    j["direction"] = graph::to_string(t.direction);
    j["threshold"] = number(t.threshold);
    j["by"] = period(info, t.by);
  }
  return j;
}

// "cracked_rate <= 0.5 by 2004-01", or "composite".
std::string target_text(const RunInfo& info, const sim::TargetResult& t) {
  if (t.composite) return "a composite target";
  return t.measure + (t.direction == graph::Direction::kAtMost ? " <= " : " >= ") + fmt("%.4g", t.threshold) +
         " by " + period(info, t.by);
}

// Built by appending: GCC 12 warns falsely (-Wrestrict) on "[" + std::string.
// Amounts as people write them: 0.0315, 15.4, 154,512.
std::string amount(double v) {
  if (std::isfinite(v) && std::fabs(v) >= 1000.0 && std::fabs(v) < 1e15) {
    const std::string digits = with_commas(static_cast<std::uint64_t>(std::llround(std::fabs(v))));
    return v < 0 ? "-" + digits : digits;
  }
  return fmt("%.4g", v);
}

std::string interval_text(const sim::Interval& i, const char* format = "%.3f") {
  std::string s = "[";
  s += fmt(format, i.lo);
  s += ", ";
  s += fmt(format, i.hi);
  s += "]";
  return s;
}

json level_json(const analysis::Level& l) {
  return {{"value", number(l.value)}, {"p_hit", number(l.p_hit)}, {"ci95", interval(l.ci95)}, {"samples", l.samples}};
}

json point_json(const SeekPoint& p) {
  json j{{"change", number(p.change)}, {"p_hit", p.valid ? number(p.p_hit) : json(nullptr)},
         {"ci95", p.valid ? interval(p.ci95) : json(nullptr)}, {"node_mean", number(p.node_mean)},
         {"valid", p.valid}};
  if (!p.valid) j["why"] = p.why;
  return j;
}

}  // namespace

json explain_json(const RunInfo& info, const sim::TargetResult& target, const analysis::Drivers& d) {
  json j = header("plansim-explain/1", info);
  json dr;
  dr["target"] = target_json(info, target);
  dr["response"] = d.composite ? "hit" : "measure";
  dr["p_hit"] = number(d.p_hit);
  dr["ci95"] = interval(d.ci95);
  dr["per_period_inputs"] = {{"summary", "mean"}, {"from", period(info, 0)}, {"to", period(info, d.by)}};
  json inputs = json::array();
  for (const Driver& x : d.drivers) {
    json in;
    in["rank"] = x.rank;
    in["node"] = x.node;
    in["kind"] = analysis::to_string(x.kind);
    in["samples"] = x.samples;
    in["spearman"] = number(x.spearman);
    in["levels"] = x.two_levels ? "two" : "deciles";
    in["low"] = level_json(x.low);
    in["high"] = level_json(x.high);
    in["swing"] = number(x.swing);
    in["swing_ci95"] = interval(x.swing_ci95);
    if (x.forced)
      in["forced"] = {{"as", x.forced->as},
                      {"p_hit", number(x.forced->p_hit)},
                      {"ci95", interval(x.forced->ci95)},
                      {"delta", number(x.forced->delta)},
                      {"delta_ci95", interval(x.forced->delta_ci95)}};
    else
      in["forced"] = nullptr;
    if (x.sobol)
      in["sobol"] = {{"first_order", number(x.sobol->first_order)}, {"ci95", interval(x.sobol->ci95)}};
    else
      in["sobol"] = nullptr;
    inputs.push_back(std::move(in));
  }
  dr["inputs"] = std::move(inputs);
  dr["constant"] = d.constant;
  json not_ranked = json::array();
  for (const auto& n : d.not_ranked) not_ranked.push_back({{"node", n.node}, {"why", n.why}});
  dr["not_ranked"] = std::move(not_ranked);
  if (d.sobol)
    dr["sobol"] = {{"method", "binned conditional variance"}, {"bins", d.sobol_bins}, {"bootstrap", d.bootstrap}};
  else
    dr["sobol"] = nullptr;
  j["drivers"] = std::move(dr);
  return j;
}

std::string drivers_table(const RunInfo& info, const sim::TargetResult& target, const analysis::Drivers& d) {
  std::string out = info.plan_title + "\n";
  out += "What drives " + d.target + " (" + target_text(info, target) + "): P(hit) " + fmt("%.3f", d.p_hit) + " " +
         interval_text(d.ci95) + "\n";
  out += with_commas(info.samples) + " samples, seed " + std::to_string(info.seed) + "; ranked by |Spearman| with " +
         (d.composite ? "the target's hit (1) or miss (0)" : "the measure at " + period(info, target.by)) + "\n\n";
  if (d.drivers.empty()) {
    out += "No uncertain input reaches this target: every assumption, action and risk it rests on is fixed.\n";
  } else {
    std::vector<std::vector<std::string>> rows;
    rows.push_back({"rank", "input", "kind", "Spearman", "P(hit) low", "95% interval", "P(hit) high", "95% interval",
                    "swing"});
    for (const Driver& x : d.drivers) {
      const bool impact = x.kind == InputKind::kRiskImpact;
      rows.push_back({impact ? "" : std::to_string(x.rank), impact ? "  its impact, if it occurs" : x.node,
                      impact ? "impact" : analysis::to_string(x.kind), fmt("%+.3f", x.spearman),
                      fmt("%.3f", x.low.p_hit), interval_text(x.low.ci95), fmt("%.3f", x.high.p_hit),
                      interval_text(x.high.ci95), fmt("%+.3f", x.swing)});
    }
    out += aligned(rows, {0, 3, 4, 6, 8});
    out += "\nlow, high: P(hit) in the input's lowest and highest 10% of samples; for an action, when it was not\n"
           "and was delivered; for a risk, when it had not and had occurred by " +
           period(info, d.by) + ". swing = high - low.\n";
    out += "Assumptions drawn every period are summarised by their mean over " + period(info, 0) + " to " +
           period(info, d.by) + ";\nan impact is ranked over the samples where its risk occurred.\n";
  }

  std::vector<std::vector<std::string>> forced;
  forced.push_back({"input", "forced", "P(hit)", "95% interval", "change", "95% interval (paired)"});
  for (const Driver& x : d.drivers)
    if (x.forced)
      forced.push_back({x.node, x.forced->as, fmt("%.3f", x.forced->p_hit), interval_text(x.forced->ci95),
                        fmt("%+.3f", x.forced->delta), interval_text(x.forced->delta_ci95, "%+.3f")});
  if (forced.size() > 1)
    out += "\nIf it were certain, on the same random numbers (plan as written: " + fmt("%.3f", d.p_hit) + ")\n\n" +
           aligned(forced, {2, 4});

  if (d.sobol) {
    std::vector<std::vector<std::string>> sobol;
    sobol.push_back({"assumption", "first-order index", "95% interval (bootstrap)"});
    for (const Driver& x : d.drivers)
      if (x.sobol) sobol.push_back({x.node, fmt("%.3f", x.sobol->first_order), interval_text(x.sobol->ci95)});
    out += "\nSobol first-order indices: the share of the variance of " +
           (d.composite ? std::string("the target's hit") : target.measure + " at " + period(info, target.by)) +
           " each assumption explains alone\n(" + std::to_string(d.sobol_bins) + " bins by rank, " +
           std::to_string(d.bootstrap) + " bootstrap resamples)\n\n";
    out += sobol.size() > 1 ? aligned(sobol, {1}) : "no assumption varies\n";
  }

  if (!d.constant.empty()) {
    out += "\nnot ranked, fixed in this run:";
    for (const auto& c : d.constant) out += " " + c;
    out += "\n";
  }
  for (const auto& n : d.not_ranked) out += "not ranked: " + n.node + ": " + n.why + "\n";
  return out;
}

json seek_json(const RunInfo& info, const sim::TargetResult& target, const SeekRequest& q,
               const analysis::SeekResult& r) {
  json j = header("plansim-seek/1", info);
  json s;
  s["target"] = target_json(info, target);
  s["node"] = q.node;
  s["node_kind"] = q.node_kind;
  s["by"] = analysis::to_string(q.by);
  s["confidence"] = q.confidence;
  s["range"] = json::array({q.lo, q.hi});
  s["searched"] = json::array({number(r.lo), number(r.hi)});
  s["outcome"] = analysis::to_string(r.outcome);
  s["direction"] = r.increasing ? "increase" : "decrease";
  s["already_met"] = r.already_met;
  s["plan"] = point_json(r.plan);
  const bool found = r.outcome == SeekOutcome::kFound;
  s["answer"] = found ? point_json(r.answer) : json(nullptr);
  s["crossing"] = found ? number(r.crossing) : json(nullptr);
  s["ci95"] = found ? interval(r.ci95) : json(nullptr);
  s["ci95_clipped"] = json::array({found && r.lo_clipped, found && r.hi_clipped});
  s["best"] = point_json(r.best);
  s["runs"] = r.runs;
  json points = json::array();
  for (const auto& p : r.points) points.push_back(point_json(p));
  s["points"] = std::move(points);
  j["seek"] = std::move(s);
  return j;
}

std::string seek_text(const RunInfo& info, const sim::TargetResult& target, const SeekRequest& q,
                      const analysis::SeekResult& r) {
  const std::string by = analysis::to_string(q.by);
  auto change = [&](double x) { return by + " " + fmt("%.4g", x); };
  const std::string unit = q.node_unit.empty() ? "" : " " + q.node_unit;
  auto mean = [&](const SeekPoint& p) {
    if (!std::isfinite(p.node_mean)) return std::string();
    if (q.node_kind == "action") return fmt("%.1f", 100.0 * p.node_mean) + "% delivered";
    return amount(p.node_mean) + unit;
  };
  const std::string conf = fmt("%.2f", q.confidence);
  std::string out = info.plan_title + "\n";
  out += "Seek: " + target.id + " (" + target_text(info, target) + ") to P(hit) >= " + conf + " by " +
         (q.by == analysis::SeekBy::kScale ? "scaling " : "shifting ") + q.node + " (" + q.node_kind + ")\n";
  out += with_commas(info.samples) + " samples per run, seed " + std::to_string(info.seed) +
         ", common random numbers; " + std::to_string(r.runs) + " runs; range " + by + " " + fmt("%.4g", q.lo) +
         " to " + fmt("%.4g", q.hi) + (q.default_range ? " (default)" : "") + "\n\n";
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"", by, "P(hit)", "95% interval", q.node + (q.node_kind == "action" ? "" : " (mean)")});
  auto row = [&](const std::string& what, const SeekPoint& p) {
    rows.push_back({what, fmt("%.4g", p.change), fmt("%.3f", p.p_hit), interval_text(p.ci95), mean(p)});
  };
  row("plan as written", r.plan);
  if (r.plan.valid && r.outcome != SeekOutcome::kPlanFails) {
    switch (r.outcome) {
      case SeekOutcome::kFound: {
        row(r.already_met ? "limit" : "needed", r.answer);
        out += aligned(rows, {1, 2});
        const double dm = r.answer.node_mean - r.plan.node_mean;
        out += "\n";
        if (r.already_met) {
          out += "The plan as written already meets " + conf + ". P(hit) stays at or above it while the " + by +
                 " stays " + (r.increasing ? "above " : "below ") + fmt("%.4g", r.crossing) + ".\n";
        } else {
          // The node's mean at the crossing, between the plan's and the
          // answer's (a scale or shift moves it linearly).
          const double x0 = analysis::identity(q.by);
          const double at = r.answer.change == x0 ? r.answer.node_mean
                                                  : r.plan.node_mean + dm * (r.crossing - x0) / (r.answer.change - x0);
          out += "P(hit) reaches " + conf + " at " + change(r.crossing);
          if (std::isfinite(at) && q.node_kind != "action")
            out += ": " + q.node + " " + amount(at) + unit + " on average instead of " + amount(r.plan.node_mean) +
                   " (" + (at >= r.plan.node_mean ? "+" : "") + amount(at - r.plan.node_mean) + ")";
          else if (std::isfinite(at))
            out += ": delivered in " + fmt("%.1f", 100.0 * at) + "% of samples instead of " +
                   fmt("%.1f", 100.0 * r.plan.node_mean) + "%";
          out += ".\n";
        }
        out += "95% interval for the " + by + ": " + fmt("%.4g", r.ci95.lo) + (r.lo_clipped ? " (end of range)" : "") +
               " to " + fmt("%.4g", r.ci95.hi) + (r.hi_clipped ? " (end of range)" : "") +
               " (where the 95% interval of P(hit) crosses " + conf + ").\n";
        break;
      }
      case SeekOutcome::kNotReachable:
        row("best found", r.best);
        out += aligned(rows, {1, 2});
        out += "\nNot reachable: no " + by + " of " + q.node + " from " + fmt("%.4g", r.lo) + " to " +
               fmt("%.4g", r.hi) + " lifts P(hit) to " + conf + "; the best found is " + fmt("%.3f", r.best.p_hit) +
               " at " + change(r.best.change) + ".\n";
        if (r.best.p_hit == r.plan.p_hit)
          out += "No change in the range raises P(hit) above the plan's: " + q.node +
                 " is not what holds this target back.\n";
        for (const auto& p : r.points)
          if (!p.valid) {
            out += "The plan fails " + std::string(p.change < r.lo ? "below " + change(r.lo) : "above " + change(r.hi)) +
                   " (at " + change(p.change) + ": " + p.why + "), so the search stayed within it.\n";
            break;
          }
        out += "hint: widen --range, or seek on another node (plansim explain ranks what drives the target)\n";
        break;
      case SeekOutcome::kMetThroughout:
        row("lowest found", r.worst);
        out += aligned(rows, {1, 2});
        out += "\nP(hit) stays at or above " + conf + " for every " + by + " of " + q.node + " from " +
               fmt("%.4g", r.lo) + " to " + fmt("%.4g", r.hi) + ".\n";
        break;
      case SeekOutcome::kPlanFails: break;
    }
  } else {
    out += aligned(rows, {1, 2});
    out += "\nThe plan as written fails: " + r.plan.why + "\n";
  }
  return out;
}

}  // namespace plansim::report
