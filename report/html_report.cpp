#include "report/html_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "report/charts.h"
#include "report/plan_charts.h"
#include "report/svg.h"

namespace plansim::report {
namespace {

constexpr const char* kStyle = R"css(
:root { color-scheme: light; }
* { box-sizing: border-box; }
html { font-size: 20px; -webkit-text-size-adjust: 100%; }
body { margin: 0; background: #ffffff; color: #1a1a1a; line-height: 1.45;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Liberation Sans",
    "DejaVu Sans", sans-serif; }
header.report { background: #1f3a5f; color: #ffffff; padding: 1.2rem 1.5rem 1.3rem; }
header.report .inner, main, nav.contents { max-width: 1240px; margin: 0 auto; }
main { padding: 0.6rem 1.5rem 3rem; }
h1 { font-size: 2rem; line-height: 1.2; margin: 0 0 0.2rem; }
.kicker { font-size: 0.9rem; text-transform: uppercase; letter-spacing: 0.08em; opacity: 0.85; margin: 0; }
h2 { font-size: 1.6rem; margin: 2.4rem 0 0.6rem; padding-bottom: 0.2rem; border-bottom: 3px solid #1f3a5f; }
h3 { font-size: 1.25rem; margin: 1.8rem 0 0.3rem; }
p { margin: 0.4rem 0; }
.meta { display: grid; grid-template-columns: max-content 1fr; gap: 0.15rem 1.2rem; margin: 0.8rem 0 0;
  font-size: 0.95rem; }
.meta dt { font-weight: 700; }
.meta dd { margin: 0; }
.mono { font-family: ui-monospace, "DejaVu Sans Mono", "Liberation Mono", Consolas, monospace; }
.hash { font-size: 0.8rem; word-break: break-all; }
.id { font-family: ui-monospace, "DejaVu Sans Mono", "Liberation Mono", Consolas, monospace; font-size: 0.8em;
  color: #444444; }
header.report .id { color: #dfe7f2; }
nav.contents { padding: 0.8rem 1.5rem 0; font-size: 0.95rem; }
nav.contents ol { margin: 0; padding: 0; list-style: none; display: flex; flex-wrap: wrap; gap: 0.3rem 1.4rem; }
a { color: #1f4e99; }
table { border-collapse: collapse; width: 100%; font-size: 0.95rem; margin: 0.4rem 0 1rem; }
caption { text-align: left; font-weight: 700; padding: 0.2rem 0; }
th, td { padding: 0.4rem 0.6rem; border-bottom: 1px solid #c8c8c8; text-align: left; vertical-align: top;
  overflow-wrap: break-word; }
td.parts { overflow-wrap: anywhere; }
thead th { background: #e9eef5; border-bottom: 2px solid #1f3a5f; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
thead th.num { white-space: normal; }
td.when { white-space: nowrap; }
tbody th { font-weight: 600; }
tbody th a { color: inherit; text-decoration: none; }
tbody th a:hover { text-decoration: underline; }
tr.milestone td { color: #3a3a3a; font-size: 0.88rem; }
tr.milestone td:first-child { padding-left: 1.8rem; }
.badge { display: inline-block; min-width: 5.4em; text-align: center; padding: 0.1rem 0.5rem; border-radius: 0.3rem;
  font-weight: 800; letter-spacing: 0.05em; font-size: 0.85rem; border: 1px solid #1a1a1a; white-space: nowrap; }
.badge.green { background: #1e7b34; color: #ffffff; }
.badge.amber { background: #e8a200; color: #1a1a1a; }
.badge.red { background: #c62828; color: #ffffff; }
.summary { display: flex; flex-wrap: wrap; gap: 0.6rem 1.6rem; align-items: center; margin: 0.8rem 0; font-size: 1.05rem; }
.figures { font-size: 1.05rem; }
.note { color: #444444; font-size: 0.9rem; }
article { margin-bottom: 1.2rem; }
svg.chart { display: block; width: 100%; height: auto; margin: 0.4rem 0 0.8rem; }
svg.chart text { font-family: inherit; }
.scroll { overflow-x: auto; border: 1px solid #d0d0d0; padding: 0.4rem; }
svg.chart.natural { width: auto; max-width: none; margin: 0 auto; }
footer { max-width: 1240px; margin: 0 auto; padding: 1rem 1.5rem 2rem; border-top: 1px solid #c8c8c8; font-size: 0.85rem;
  color: #444444; }
@page { size: A4 landscape; margin: 12mm; }
@media print {
  html { font-size: 10.5pt; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  header.report { background: none; color: #000000; border-bottom: 3px solid #1f3a5f; padding: 0 0 0.6rem; }
  header.report .id { color: #444444; }
  nav.contents { display: none; }
  main, footer { max-width: none; padding-left: 0; padding-right: 0; }
  h2 { break-after: avoid; page-break-after: avoid; }
  h3 { break-after: avoid; page-break-after: avoid; }
  article, figure, tr, svg.chart { break-inside: avoid; page-break-inside: avoid; }
  section.major { break-before: page; page-break-before: always; }
  .scroll { overflow: visible; border: none; padding: 0; }
  svg.chart.natural { width: 100%; height: auto; }
  a { color: inherit; text-decoration: none; }
}
)css";

std::string badge(sim::Rag r) {
  std::string s = "<span class=\"badge ";
  s += sim::to_string(r);
  s += "\">";
  s += rag_word(r);
  s += "</span>";
  return s;
}

std::string threshold_text(graph::Direction d, double v) {
  std::string s = d == graph::Direction::kAtMost ? "\xE2\x89\xA4 " : "\xE2\x89\xA5 ";  // ≤ ≥
  s += format_number(v);
  return s;
}

std::string interval_text(const sim::Interval& i) {
  std::string s = "[";
  s += format_fixed(i.lo, 3);
  s += ", ";
  s += format_fixed(i.hi, 3);
  s += "]";
  return s;
}

// "2026-11-23T05:10:00Z" as "2026-11-23 05:10 UTC"; other text as it is.
std::string readable_time(const std::string& iso) {
  if (iso.size() == 20 && iso[10] == 'T' && iso[19] == 'Z') return iso.substr(0, 10) + " " + iso.substr(11, 5) + " UTC";
  return iso;
}

// What one unit is called, for n of them: "area", "areas".
std::string unit_noun(const std::string& name, std::size_t n) {
  const std::string noun = name.empty() ? std::string("unit") : name;
  if (n == 1 || noun.back() == 's') return noun;
  return noun + "s";
}

// "area" as a column heading: "Area".
std::string capitalised(std::string s) {
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

// The most units listed in one table of the page; the JSON and CSV outputs
// have them all.
constexpr std::size_t kMaxUnitRows = 200;
// The most periods shown as columns of a local measure's table.
constexpr std::size_t kMaxPeriodColumns = 12;

const char* step_word(graph::Step s, bool plural) {
  switch (s) {
    case graph::Step::kMonth: return plural ? "months" : "month";
    case graph::Step::kQuarter: return plural ? "quarters" : "quarter";
    case graph::Step::kYear: return plural ? "years" : "year";
  }
  return "periods";
}

class Page {
 public:
  explicit Page(const HtmlReportInput& in) : in_(in), base_(in.result.base()) {
    // Local targets and measures have one result per unit: the page shows
    // them in their own sections, as tables, not as one card per unit.
    for (const auto& t : base_.targets)
      if (t.unit.empty()) targets_.push_back(&t);
    for (const auto& m : base_.measures)
      if (m.unit.empty())
        measures_.push_back(&m);
      else if (std::find(local_measure_ids_.begin(), local_measure_ids_.end(), m.id) == local_measure_ids_.end())
        local_measure_ids_.push_back(m.id);
  }

  std::string render() {
    head();
    out_ += "<main>\n";
    targets_table();
    target_details();
    local_targets();
    measures();
    local_measures();
    resources();
    risks();
    scenarios();
    responses();
    dependency_graph();
    out_ += "</main>\n";
    footer();
    out_ += "</body>\n</html>\n";
    return std::move(out_);
  }

 private:
  std::string next_id() { return "chart-" + std::to_string(++charts_); }

  const std::string& period(int t) const {
    static const std::string kNone = "?";
    return t >= 0 && static_cast<std::size_t>(t) < in_.info.periods.size() ? in_.info.periods[static_cast<std::size_t>(t)]
                                                                           : kNone;
  }

  const graph::NodeInfo* node(const std::string& name) const {
    auto it = in_.plan.index.find(name);
    return it == in_.plan.index.end() ? nullptr : &in_.plan.info(it->second);
  }

  std::string unit_of(const std::string& name) const {
    const graph::NodeInfo* n = node(name);
    return n ? n->unit : std::string();
  }

  // "Label <span class=id>id</span>", or the id alone when there is no label.
  static std::string named(const std::string& label, const std::string& id) {
    if (label.empty()) return "<span class=\"id\">" + html_escape(id) + "</span>";
    return html_escape(label) + " <span class=\"id\">" + html_escape(id) + "</span>";
  }

  std::string composite_text(const sim::TargetResult& t) const {
    const graph::Target* target = nullptr;
    for (const auto& x : in_.plan.targets)
      if (x.info.name == t.id) target = &x;
    if (!target) return "composite";
    std::string s;
    switch (target->combine) {
      case graph::Combine::kAllOf: s = "all of "; break;
      case graph::Combine::kAnyOf: s = "any of "; break;
      case graph::Combine::kAtLeastOf: s = "at least " + std::to_string(target->at_least_count) + " of "; break;
      case graph::Combine::kNone: return "composite";
    }
    for (std::size_t i = 0; i < target->parts.size(); ++i) s += (i ? ", " : "") + target->parts[i].name;
    return s;
  }

  void head() {
    const RunInfo& info = in_.info;
    out_ += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
    out_ += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    out_ += "<meta name=\"generator\" content=\"plansim " + html_escape(info.version) + "\">\n";
    out_ += "<title>" + html_escape(info.plan_title) + " - plansim report</title>\n";
    out_ += "<style>";
    out_ += kStyle;
    out_ += "</style>\n</head>\n<body>\n";
    out_ += "<header class=\"report\"><div class=\"inner\">\n";
    out_ += "<p class=\"kicker\">plansim report</p>\n";
    out_ += "<h1>" + html_escape(info.plan_title) + "</h1>\n<dl class=\"meta\">\n";
    std::string scenarios;
    for (std::size_t i = 0; i < in_.result.scenarios.size(); ++i)
      scenarios += (i ? ", " : "") + html_escape(in_.result.scenarios[i].name);
    const graph::Horizon& h = in_.plan.horizon;
    meta(in_.result.scenarios.size() == 1 ? "Scenario" : "Scenarios", scenarios);
    meta("Samples", format_number(static_cast<double>(info.samples)));
    meta("Seed", std::to_string(info.seed));
    std::string periods = std::to_string(info.periods.size()) + " " + step_word(h.step, info.periods.size() != 1);
    if (!info.periods.empty()) periods += ", " + info.periods.front() + " to " + h.end_label();
    meta("Periods", periods);
    if (in_.plan.units) {
      const graph::UnitTable& u = *in_.plan.units;
      std::string units = format_number(static_cast<double>(u.ids.size())) + " " + html_escape(unit_noun(u.name, u.ids.size()));
      if (!u.source.empty()) units += ", from <span class=\"mono\">" + html_escape(u.source) + "</span>";
      meta("Units", units);
    }
    meta("Date", "<time datetime=\"" + html_escape(info.started_at) + "\">" + html_escape(readable_time(info.started_at)) +
                     "</time>");
    meta("plansim version", html_escape(info.version));
    meta("Plan file", "<span class=\"mono\">" + html_escape(info.plan_file) + "</span>");
    meta("Plan SHA-256", "<span class=\"mono hash\">" + html_escape(info.plan_sha256) + "</span>");
    meta("RAG", "GREEN at P(hit) " + threshold_text(graph::Direction::kAtLeast, in_.rag.green) + ", AMBER " +
                    threshold_text(graph::Direction::kAtLeast, in_.rag.amber) + ", RED below");
    out_ += "</dl>\n</div></header>\n";
    nav();
  }

  void meta(const std::string& term, const std::string& html) {
    out_ += "<dt>" + html_escape(term) + "</dt><dd>" + html + "</dd>\n";
  }

  void nav() {
    out_ += "<nav class=\"contents\" aria-label=\"Contents\"><ol>\n";
    auto item = [&](const char* anchor, const char* words) {
      out_ += "<li><a href=\"#";
      out_ += anchor;
      out_ += "\">";
      out_ += words;
      out_ += "</a></li>\n";
    };
    item("targets", "Targets");
    if (!targets_.empty()) item("target-details", "Each target");
    if (!base_.local_targets.empty()) item("local-targets", "Local targets");
    if (!measures_.empty()) item("measures", "Measures");
    if (!local_measure_ids_.empty()) item("local-measures", "Local measures");
    if (!base_.resources.empty()) item("resources", "Resources");  // plan-wide ones, or a note on local ones
    item("risks", "Risks");
    if (in_.result.scenarios.size() > 1) item("scenarios", "Scenarios");
    if (has_responses()) item("responses", "Responses");
    item("dependency-graph", "Dependency graph");
    out_ += "</ol></nav>\n";
  }

  // How many plan-wide targets are set on measure `id`.
  int targets_on(const std::string& id) const {
    int n = 0;
    for (const auto* t : targets_) n += !t->composite && t->measure == id;
    return n;
  }

  // The results of local target `id`, one per unit, in unit order.
  std::vector<const sim::TargetResult*> units_of_target(const sim::ScenarioResult& sc, const std::string& id) const {
    std::vector<const sim::TargetResult*> out;
    for (const auto& t : sc.targets)
      if (!t.unit.empty() && t.id == id) out.push_back(&t);
    return out;
  }

  bool has_responses() const {
    for (const auto& sc : in_.result.scenarios)
      if (!sc.responses.empty()) return true;
    return false;
  }

  void targets_table() {
    out_ += "<section id=\"targets\">\n<h2>Targets</h2>\n";
    const std::size_t local = base_.local_targets.size();
    std::string local_text;
    if (local > 0)
      local_text = "<p>and " + std::to_string(local) + " local target" + (local == 1 ? "" : "s") +
                   ", set for every " + html_escape(base_.local_targets.front().unit_name) +
                   ": see <a href=\"#local-targets\">Local targets</a>.</p>\n";
    if (targets_.empty()) {
      out_ += "<p>The plan has no plan-wide targets.</p>\n" + local_text + "</section>\n";
      return;
    }
    int counts[3] = {0, 0, 0};
    for (const auto* t : targets_) ++counts[static_cast<int>(t->rag)];
    out_ += "<div class=\"summary\"><span>" + std::to_string(targets_.size()) + (local > 0 ? " plan-wide" : "") +
            " target" + (targets_.size() == 1 ? "" : "s") + " in scenario <strong>" + html_escape(base_.name) +
            "</strong>:</span>";
    for (sim::Rag r : {sim::Rag::kGreen, sim::Rag::kAmber, sim::Rag::kRed})
      out_ += "<span>" + badge(r) + " " + std::to_string(counts[static_cast<int>(r)]) + "</span>";
    out_ += "</div>\n" + local_text;
    const std::string achievable = "Achievable at " + format_fixed(in_.info.confidence * 100, 0) + "%";
    out_ += "<table>\n<caption>P(hit) of each target and milestone, with its 95% interval, the level achievable "
            "with " +
            format_fixed(in_.info.confidence * 100, 0) + "% confidence and the RAG rating</caption>\n";
    out_ += "<thead><tr><th scope=\"col\">Target</th><th scope=\"col\">By</th><th scope=\"col\">Threshold</th>"
            "<th scope=\"col\" class=\"num\">P(hit)</th><th scope=\"col\" class=\"num\">95% interval</th>"
            "<th scope=\"col\" class=\"num\">" +
            achievable + "</th><th scope=\"col\">RAG</th></tr></thead>\n<tbody>\n";
    for (const auto* tp : targets_) {
      const sim::TargetResult& t = *tp;
      out_ += "<tr><th scope=\"row\"><a href=\"#target-" + html_escape(t.id) + "\">" + named(t.label, t.id) +
              "</a></th>";
      if (t.composite) {
        out_ += "<td></td><td class=\"parts\">" + html_escape(composite_text(t)) + "</td>";
      } else {
        out_ += "<td class=\"when\">" + html_escape(period(t.by)) + "</td><td>" + html_escape(t.measure) + " " +
                threshold_text(t.direction, t.threshold) + "</td>";
      }
      out_ += "<td class=\"num\"><strong>" + format_fixed(t.p_hit, 3) + "</strong></td><td class=\"num\">" +
              interval_text(t.ci95) + "</td><td class=\"num\">" + (t.composite ? "" : format_number(t.achievable)) +
              "</td><td>" + badge(t.rag) + "</td></tr>\n";
      for (const auto& m : t.milestones)
        out_ += "<tr class=\"milestone\"><td>milestone</td><td class=\"when\">" + html_escape(period(m.by)) + "</td><td>" +
                html_escape(t.measure) + " " + threshold_text(m.direction, m.threshold) + "</td><td class=\"num\">" +
                format_fixed(m.p_hit, 3) + "</td><td class=\"num\">" + interval_text(m.ci95) +
                "</td><td></td><td></td></tr>\n";
    }
    out_ += "</tbody>\n</table>\n</section>\n";
  }

  void target_details() {
    if (targets_.empty()) return;
    out_ += "<section id=\"target-details\" class=\"major\">\n<h2>Each target</h2>\n";
    out_ += "<p class=\"note\">The bar is P(hit) against the RAG bands, the whiskers its 95% interval. The histogram is "
            "the target's measure in the period it is due, over the middle 98% of samples; green bars are the "
            "samples that hit.</p>\n";
    for (const auto* tp : targets_) {
      const sim::TargetResult& t = *tp;
      out_ += "<article id=\"target-" + html_escape(t.id) + "\">\n<h3>" + html_escape(t.label.empty() ? t.id : t.label) +
              "</h3>\n";
      const graph::NodeInfo* n = node(t.id);
      out_ += "<p class=\"figures\"><span class=\"id\">" + html_escape(t.id) + "</span> &middot; ";
      if (t.composite)
        out_ += html_escape(composite_text(t));
      else
        out_ += html_escape(t.measure) + " " + threshold_text(t.direction, t.threshold) + " by " + html_escape(period(t.by));
      if (n && !n->owner.empty()) out_ += " &middot; owner " + html_escape(n->owner);
      out_ += "<br>P(hit) <strong>" + format_fixed(t.p_hit, 3) + "</strong> " + interval_text(t.ci95) + " " +
              badge(t.rag);
      if (!t.composite)
        out_ += " &middot; achievable at " + format_fixed(in_.info.confidence * 100, 0) + "%: <strong>" +
                format_number(t.achievable) + "</strong> &middot; 10/50/90%: " + format_number(t.p10) + " / " +
                format_number(t.p50) + " / " + format_number(t.p90);
      out_ += "</p>\n";
      out_ += hit_bar_svg(next_id(), t.id, t.p_hit, t.ci95, in_.rag);
      if (!t.composite) {
        const std::string dist = distribution_svg(next_id(), t, period(t.by), in_.info.confidence);
        if (dist.empty())
          out_ += "<p class=\"note\">The distribution of " + html_escape(t.measure) +
                  " was not kept in this run, so it is not drawn.</p>\n";
        else
          out_ += dist;
        for (const auto& m : t.milestones)
          out_ += "<p>Milestone " + html_escape(t.measure) + " " + threshold_text(m.direction, m.threshold) + " by " +
                  html_escape(period(m.by)) + ": P(hit) <strong>" + format_fixed(m.p_hit, 3) + "</strong> " +
                  interval_text(m.ci95) + "</p>\n";
      }
      out_ += "</article>\n";
    }
    out_ += "</section>\n";
  }

  void measures() {
    if (measures_.empty()) return;
    out_ += "<section id=\"measures\" class=\"major\">\n<h2>Measures</h2>\n";
    out_ += "<p class=\"note\">Each period's spread over the samples: the light band holds 80% of them (10th to 90th "
            "percentile), the dark band 50%; the line is the median, the dots the mean. Targets and milestones on "
            "the measure are drawn at their thresholds; the triangle points to the side that hits.</p>\n";
    for (const auto* mp : measures_) {
      const sim::MeasureResult& m = *mp;
      std::vector<FanMarker> markers;
      for (const auto* tp : targets_) {
        const sim::TargetResult& t = *tp;
        if (t.composite || t.measure != m.id) continue;
        markers.push_back({t.by, t.threshold, t.direction, false,
                           "target " + (targets_on(m.id) > 1 ? t.id + " " : std::string()) +
                               threshold_text(t.direction, t.threshold)});
        for (const auto& ms : t.milestones)
          markers.push_back({ms.by, ms.threshold, ms.direction, true, "milestone " + threshold_text(ms.direction, ms.threshold)});
      }
      const std::string unit = unit_of(m.id);
      out_ += "<article id=\"measure-" + html_escape(m.id) + "\">\n<h3>" + named(m.label, m.id) + "</h3>\n";
      if (!unit.empty()) out_ += "<p class=\"note\">Unit: " + html_escape(unit) + "</p>\n";
      out_ += fan_chart_svg(next_id(), m, in_.info.periods, markers, unit);
      out_ += "</article>\n";
    }
    out_ += "</section>\n";
  }

  // "8.42 of 12 areas (95% interval 8.39 to 8.45)".
  static std::string expected_text(const sim::LocalTargetSummary& l) {
    return "<strong>" + format_fixed(l.expected_hits, 2) + "</strong> of " +
           format_number(static_cast<double>(l.units)) + " " + html_escape(unit_noun(l.unit_name, l.units)) +
           " (95% interval " + format_fixed(l.ci95.lo, 2) + " to " + format_fixed(l.ci95.hi, 2) + ")";
  }

  static std::string rag_counts(const sim::LocalTargetSummary& l) {
    return "<span>" + badge(sim::Rag::kGreen) + " " + std::to_string(l.green) + "</span><span>" +
           badge(sim::Rag::kAmber) + " " + std::to_string(l.amber) + "</span><span>" + badge(sim::Rag::kRed) + " " +
           std::to_string(l.red) + "</span>";
  }

  // Per local target: how many units are expected to hit it, then its units,
  // least likely to hit first.
  // The note under a table cut at kMaxUnitRows: how many more units, and where they all are.
  static std::string more_units_note(std::size_t more, const std::string& noun, const std::string& which,
                                     const std::string& csv_file) {
    return "<p class=\"note\">" + std::to_string(more) + " more " + html_escape(unit_noun(noun, more)) + which +
           " are not listed here; the JSON (<span class=\"mono\">--json</span>) and CSV (<span "
           "class=\"mono\">--csv</span>, " + csv_file + ") outputs have every " + html_escape(noun) + ".</p>\n";
  }

  void local_targets() {
    if (base_.local_targets.empty()) return;
    out_ += "<section id=\"local-targets\" class=\"major\">\n<h2>Local targets</h2>\n";
    out_ += "<p class=\"note\">A local target is set once for every unit, each against its own threshold. The "
            "number of units expected to hit it is the sum of their P(hit); its 95% interval is that of the mean "
            "number hitting over the samples. Each unit's P(hit) has a 95% Wilson interval and a RAG rating "
            "like a plan-wide target's.</p>\n";
    for (const auto& l : base_.local_targets) {
      std::vector<const sim::TargetResult*> units = units_of_target(base_, l.id);
      std::stable_sort(units.begin(), units.end(),
                       [](const sim::TargetResult* a, const sim::TargetResult* b) { return a->p_hit < b->p_hit; });
      const std::string noun = l.unit_name.empty() ? std::string("unit") : l.unit_name;
      out_ += "<article id=\"local-" + html_escape(l.id) + "\">\n<h3>" + html_escape(l.label.empty() ? l.id : l.label) +
              "</h3>\n";
      out_ += "<p class=\"figures\"><span class=\"id\">" + html_escape(l.id) + "</span> &middot; one per " +
              html_escape(noun);
      const sim::TargetResult* first = units.empty() ? nullptr : units.front();
      if (first && first->composite)
        out_ += " &middot; " + html_escape(composite_text(*first));
      else if (first)
        out_ += " &middot; " + html_escape(first->measure) + " " +
                (first->direction == graph::Direction::kAtMost ? "at most" : "at least") + " each " +
                html_escape(noun) + "&#39;s threshold by " + html_escape(period(first->by));
      const graph::NodeInfo* n = node(l.id);
      if (n && !n->owner.empty()) out_ += " &middot; owner " + html_escape(n->owner);
      out_ += "</p>\n";
      out_ += "<div class=\"summary\"><span>Expected to hit: " + expected_text(l) + "</span>" + rag_counts(l) +
              "</div>\n";
      if (units.empty()) {
        out_ += "</article>\n";
        continue;
      }
      const std::size_t shown = std::min(units.size(), kMaxUnitRows);
      const std::vector<sim::MilestoneResult>& ms = first->milestones;
      // Each unit's achievable level, when the run kept the values it needs.
      const bool achievable = !first->composite && std::isfinite(first->achievable);
      out_ += "<table>\n<caption>" +
              (shown < units.size() ? "The " + std::to_string(shown) + " " + html_escape(unit_noun(noun, shown)) +
                                          " least likely to hit " + html_escape(l.id) + ", of " +
                                          std::to_string(units.size())
                                    : "Each " + html_escape(noun) + "&#39;s P(hit) of " + html_escape(l.id)) +
              ", least likely first</caption>\n";
      out_ += "<thead><tr><th scope=\"col\">" + html_escape(capitalised(noun)) +
              "</th><th scope=\"col\" class=\"num\">P(hit)</th><th scope=\"col\" class=\"num\">95% interval</th>"
              "<th scope=\"col\">RAG</th><th scope=\"col\">Threshold</th>";
      if (achievable)
        out_ += "<th scope=\"col\" class=\"num\">Achievable at " + format_fixed(in_.info.confidence * 100, 0) +
                "%</th>";
      for (const auto& m : ms)
        out_ += "<th scope=\"col\" class=\"num\">P(hit) of the milestone by " + html_escape(period(m.by)) + "</th>";
      out_ += "</tr></thead>\n<tbody>\n";
      for (std::size_t i = 0; i < shown; ++i) {
        const sim::TargetResult& t = *units[i];
        out_ += "<tr><th scope=\"row\" class=\"mono\">" + html_escape(t.unit) + "</th><td class=\"num\">" +
                format_fixed(t.p_hit, 3) + "</td><td class=\"num\">" + interval_text(t.ci95) + "</td><td>" +
                badge(t.rag) + "</td><td>" + (t.composite ? std::string() : threshold_text(t.direction, t.threshold)) +
                "</td>";
        if (achievable) out_ += "<td class=\"num\">" + format_number(t.achievable) + "</td>";
        for (std::size_t k = 0; k < ms.size(); ++k)
          out_ += "<td class=\"num\">" + (k < t.milestones.size() ? format_fixed(t.milestones[k].p_hit, 3) : "") +
                  "</td>";
        out_ += "</tr>\n";
      }
      out_ += "</tbody>\n</table>\n";
      if (shown < units.size()) out_ += more_units_note(units.size() - shown, noun, ", more likely to hit,", "targets.csv");
      out_ += "</article>\n";
    }
    out_ += "</section>\n";
  }

  // Per local measure, the mean of each unit in each period (only the mean
  // is kept per unit).
  void local_measures() {
    if (local_measure_ids_.empty()) return;
    const std::size_t periods = in_.info.periods.size();
    std::vector<std::size_t> columns;
    if (periods <= kMaxPeriodColumns) {
      for (std::size_t p = 0; p < periods; ++p) columns.push_back(p);
    } else {
      for (std::size_t i = 0; i < kMaxPeriodColumns; ++i) {
        const std::size_t p = (i * (periods - 1) + (kMaxPeriodColumns - 1) / 2) / (kMaxPeriodColumns - 1);
        if (columns.empty() || columns.back() != p) columns.push_back(p);
      }
    }
    const std::string noun = in_.plan.units ? in_.plan.units->name : std::string("unit");
    out_ += "<section id=\"local-measures\" class=\"major\">\n<h2>Local measures</h2>\n";
    out_ += "<p class=\"note\">A local measure has a value in every " + html_escape(noun) +
            "; only its mean over the samples is kept for each " + html_escape(noun) + ", shown here by period.";
    if (columns.size() < periods)
      out_ += " " + std::to_string(columns.size()) + " of the " + std::to_string(periods) +
              " periods are shown, evenly spaced from the first to the last.";
    out_ += " The CSV output (<span class=\"mono\">--csv</span>, measures.csv) has every period and " +
            html_escape(noun) + ".</p>\n";
    for (const auto& id : local_measure_ids_) {
      std::vector<const sim::MeasureResult*> rows;
      for (const auto& m : base_.measures)
        if (!m.unit.empty() && m.id == id) rows.push_back(&m);
      const std::size_t shown = std::min(rows.size(), kMaxUnitRows);
      const std::string unit = unit_of(id);
      out_ += "<article id=\"local-measure-" + html_escape(id) + "\">\n<h3>" + named(rows.front()->label, id) +
              "</h3>\n";
      if (!unit.empty()) out_ += "<p class=\"note\">Unit: " + html_escape(unit) + "</p>\n";
      out_ += "<div class=\"scroll\">\n<table>\n<caption>Mean of " + html_escape(id) + " in each " +
              html_escape(noun) +
              (shown < rows.size() ? " (the first " + std::to_string(shown) + " of " + std::to_string(rows.size()) + ")"
                                   : std::string()) +
              "</caption>\n<thead><tr><th scope=\"col\">" + html_escape(capitalised(noun)) + "</th>";
      for (std::size_t p : columns) out_ += "<th scope=\"col\" class=\"num\">" + html_escape(period(static_cast<int>(p))) + "</th>";
      out_ += "</tr></thead>\n<tbody>\n";
      for (std::size_t i = 0; i < shown; ++i) {
        const sim::MeasureResult& m = *rows[i];
        out_ += "<tr><th scope=\"row\" class=\"mono\">" + html_escape(m.unit) + "</th>";
        for (std::size_t p : columns)
          out_ += "<td class=\"num\">" + (p < m.periods.size() ? format_number(m.periods[p].mean) : std::string()) +
                  "</td>";
        out_ += "</tr>\n";
      }
      out_ += "</tbody>\n</table>\n</div>\n";
      if (shown < rows.size()) out_ += more_units_note(rows.size() - shown, noun, "", "measures.csv");
      out_ += "</article>\n";
    }
    out_ += "</section>\n";
  }

  // In the scenarios section: per local target, the units expected to hit
  // it in each scenario against the base.
  void local_targets_by_scenario() {
    for (const auto& bl : base_.local_targets) {
      out_ += "<article id=\"scenarios-local-" + html_escape(bl.id) + "\">\n<h3>" +
              html_escape(bl.label.empty() ? bl.id : bl.label) + " <span class=\"id\">" + html_escape(bl.id) +
              "</span></h3>\n";
      out_ += "<table>\n<caption>" + html_escape(capitalised(unit_noun(bl.unit_name, 2))) +
              " expected to hit local target " + html_escape(bl.id) + " in each scenario</caption>\n";
      out_ += "<thead><tr><th scope=\"col\">Scenario</th><th scope=\"col\">Expected to hit</th><th scope=\"col\" "
              "class=\"num\">Change vs base</th><th scope=\"col\" class=\"num\">" + badge(sim::Rag::kGreen) +
              "</th><th scope=\"col\" class=\"num\">" + badge(sim::Rag::kAmber) + "</th><th scope=\"col\" class=\"num\">" +
              badge(sim::Rag::kRed) + "</th></tr></thead>\n<tbody>\n";
      for (const auto& sc : in_.result.scenarios) {
        const sim::LocalTargetSummary* l = nullptr;
        for (const auto& x : sc.local_targets)
          if (x.id == bl.id) l = &x;
        if (!l) continue;
        const bool is_base = &sc == &base_;
        out_ += "<tr><th scope=\"row\">" + html_escape(sc.name) + "</th><td>" + expected_text(*l) +
                "</td><td class=\"num\">" + (is_base ? std::string() : format_fixed(l->expected_hits - bl.expected_hits, 2, true)) +
                "</td><td class=\"num\">" + std::to_string(l->green) + "</td><td class=\"num\">" +
                std::to_string(l->amber) + "</td><td class=\"num\">" + std::to_string(l->red) + "</td></tr>\n";
      }
      out_ += "</tbody>\n</table>\n";
      out_ += "<p class=\"note\">The change is the difference between the expected numbers of " +
              html_escape(unit_noun(bl.unit_name, 2)) +
              " hitting; each " + html_escape(bl.unit_name.empty() ? std::string("unit") : bl.unit_name) +
              "&#39;s paired change in P(hit), with its interval, is in the JSON and CSV outputs "
              "(comparison.csv).</p>\n";
      out_ += "</article>\n";
    }
  }

  void resources() {
    if (base_.resources.empty()) return;
    out_ += "<section id=\"resources\" class=\"major\">\n<h2>Resources</h2>\n";
    out_ += "<p class=\"note\">Mean available and mean demand in each period; P(short) is the probability that demand "
            "exceeds what is available in that period; the actions that need it are then funded only in part "
            "(their funding is the cover, available over demand).</p>\n";
    std::size_t local = 0;
    for (const auto& r : base_.resources) local += r.unit.empty() ? 0 : 1;
    if (local > 0)
      out_ += "<p class=\"note\">Local resources (" + std::to_string(local) +
              " unit-resources) are not drawn here: their mean available, mean demand and P(short) per unit are in "
              "the JSON and CSV outputs.</p>\n";
    for (const auto& r : base_.resources) {
      if (!r.unit.empty()) continue;
      const std::string unit = unit_of(r.id);
      out_ += "<article id=\"resource-" + html_escape(r.id) + "\">\n<h3>" + named(r.label, r.id) + "</h3>\n";
      const graph::NodeInfo* n = node(r.id);
      std::string facts;
      if (!unit.empty()) facts += "Unit: " + html_escape(unit);
      if (n && !n->owner.empty()) facts += (facts.empty() ? "" : " &middot; ") + std::string("owner ") + html_escape(n->owner);
      bool demanded = false;
      for (const auto& p : r.periods) demanded = demanded || p.demand != 0.0;
      if (!demanded) facts += std::string(facts.empty() ? "" : " &middot; ") + "no action draws on it";
      if (!facts.empty()) out_ += "<p class=\"note\">" + facts + "</p>\n";
      out_ += resource_svg(next_id(), r, in_.info.periods, unit);
      out_ += "</article>\n";
    }
    out_ += "</section>\n";
  }

  void risks() {
    out_ += "<section id=\"risks\" class=\"major\">\n<h2>Risk register</h2>\n";
    const std::vector<RiskPoint> points = risk_points(in_.plan);
    if (points.empty()) {
      out_ += "<p>The plan has no risks.</p>\n</section>\n";
      return;
    }
    out_ += "<p class=\"note\">Each risk is placed by its likelihood of occurring over the horizon (rows: the plan's "
            "likelihood scale) and its impact when it occurs (a constant, or the mean of the distribution it is drawn "
            "from). Numbers refer to the table below.</p>\n";
    out_ += risk_heat_map_svg(next_id(), in_.plan, points);
    out_ += "<table>\n<caption>Risks, as the plan states them</caption>\n<thead><tr><th scope=\"col\" "
            "class=\"num\">#</th><th scope=\"col\">Risk</th><th scope=\"col\">Likelihood</th><th "
            "scope=\"col\">Impact</th><th scope=\"col\">Owner</th><th scope=\"col\">Mitigated by (factor)</th></tr>"
            "</thead>\n<tbody>\n";
    for (std::size_t i = 0; i < points.size(); ++i) {
      const RiskPoint& p = points[i];
      out_ += "<tr><td class=\"num\">" + std::to_string(i + 1) + "</td><th scope=\"row\">" + named(p.label, p.id) +
              "</th><td>";
      if (p.likelihood)
        out_ += format_number(*p.likelihood) + (p.band.empty() ? "" : " (" + html_escape(p.band) + ")");
      else
        out_ += "varies (not placed on the map)";
      out_ += "</td><td>";
      if (p.impact)
        out_ += format_number(*p.impact, 3) + (p.impact_how == "constant" ? "" : "<br><span class=\"note\">" +
                                                                                     html_escape(p.impact_how) + "</span>");
      else
        out_ += "varies<br><span class=\"note\">" + html_escape(p.impact_how.substr(p.impact_how.find(':') + 1)) + "</span>";
      out_ += "</td><td>" + html_escape(p.owner) + "</td><td>";
      for (std::size_t k = 0; k < p.mitigated_by.size(); ++k)
        out_ += (k ? "<br>" : "") + std::string("<span class=\"id\">") + html_escape(p.mitigated_by[k].first) +
                "</span> &times;" + format_number(p.mitigated_by[k].second);
      out_ += "</td></tr>\n";
    }
    out_ += "</tbody>\n</table>\n</section>\n";
  }

  void scenarios() {
    if (in_.result.scenarios.size() < 2) return;
    out_ += "<section id=\"scenarios\" class=\"major\">\n<h2>Scenarios</h2>\n";
    out_ += "<p class=\"note\">Every scenario ran on the same random numbers as the base, so each change against the base "
            "comes with a paired 95% interval, much narrower than two separate runs would give.</p>\n";
    for (const auto* btp : targets_) {
      const sim::TargetResult& bt = *btp;
      std::vector<ScenarioBar> bars;
      bars.push_back({base_.name, bt.p_hit, bt.ci95, true, 0.0, {}});
      for (std::size_t s = 1; s < in_.result.scenarios.size(); ++s) {
        const sim::ScenarioResult& sc = in_.result.scenarios[s];
        const sim::TargetResult* st = nullptr;
        for (const auto& x : sc.targets)
          if (x.id == bt.id && x.unit.empty()) st = &x;
        if (!st) continue;
        ScenarioBar b{sc.name, st->p_hit, st->ci95, false, NAN, {NAN, NAN}};
        for (const auto& c : in_.result.comparison)
          if (c.scenario == sc.name && c.target == bt.id && c.unit.empty()) {
            b.delta = c.delta;
            b.delta_ci = c.ci95;
          }
        bars.push_back(b);
      }
      out_ += "<article id=\"scenarios-" + html_escape(bt.id) + "\">\n<h3>" +
              html_escape(bt.label.empty() ? bt.id : bt.label) + " <span class=\"id\">" + html_escape(bt.id) +
              "</span></h3>\n";
      out_ += comparison_svg(next_id(), bt.id, bars, in_.rag);
      out_ += "</article>\n";
    }
    local_targets_by_scenario();
    out_ += "</section>\n";
  }

  void responses() {
    if (!has_responses()) return;
    out_ += "<section id=\"responses\">\n<h2>Management responses</h2>\n";
    out_ += "<table>\n<caption>How often each response was triggered</caption>\n<thead><tr><th "
            "scope=\"col\">Scenario</th><th scope=\"col\">Response</th><th scope=\"col\" "
            "class=\"num\">P(triggered)</th><th scope=\"col\">First on, on average</th></tr></thead>\n<tbody>\n";
    for (const auto& sc : in_.result.scenarios)
      for (const auto& r : sc.responses) {
        std::string first = "never triggered";
        if (std::isfinite(r.mean_first_period)) {
          first = "period " + format_fixed(r.mean_first_period, 2);
          const auto k = static_cast<int>(std::floor(r.mean_first_period));
          if (k >= 0 && static_cast<std::size_t>(k) < in_.info.periods.size()) first += " (" + period(k) + " or later)";
        }
        out_ += "<tr><td>" + html_escape(sc.name) + "</td><td>" + html_escape(r.label.empty() ? r.id : r.label) +
                "</td><td class=\"num\">" + format_fixed(r.p_triggered, 3) + "</td><td>" + html_escape(first) +
                "</td></tr>\n";
      }
    out_ += "</tbody>\n</table>\n<p class=\"note\">Periods count from 0, the first period (" +
            html_escape(period(0)) + ").</p>\n</section>\n";
  }

  void dependency_graph() {
    out_ += "<section id=\"dependency-graph\" class=\"major\">\n<h2>Dependency graph</h2>\n";
    std::string why_not;
    const std::string svg = dependency_graph_svg(next_id(), in_.plan, why_not);
    if (svg.empty()) {
      out_ += "<p>" + html_escape(why_not) + "</p>\n</section>\n";
      return;
    }
    out_ += "<p class=\"note\">What each target rests on, from the targets at the top down to resources and "
            "assumptions. An arrow runs from a node to the nodes that read it in the same period; dashed arrows "
            "are mitigations. Hover a node for its label.</p>\n";
    out_ += "<div class=\"scroll\">\n" + svg + "</div>\n</section>\n";
  }

  void footer() {
    const RunInfo& info = in_.info;
    out_ += "<footer>\n<p>Generated by plansim " + html_escape(info.version) + " from <span class=\"mono\">" +
            html_escape(info.plan_file) + "</span>, " + format_number(static_cast<double>(info.samples)) +
            (info.method == "latin_hypercube" ? " samples (Latin hypercube)" : " samples") + ", seed " +
            std::to_string(info.seed) +
            ". P(hit) intervals are 95% Wilson intervals; changes between scenarios are paired 95% intervals on "
            "common random numbers. The same plan, seed and samples give the same figures on any machine.</p>\n";
    out_ += "</footer>\n";
  }

  const HtmlReportInput& in_;
  const sim::ScenarioResult& base_;
  std::vector<const sim::TargetResult*> targets_;    // the base's plan-wide targets
  std::vector<const sim::MeasureResult*> measures_;  // ...and measures
  std::vector<std::string> local_measure_ids_;       // each local measure once, in order
  std::string out_;
  int charts_ = 0;
};

}  // namespace

std::string html_report(const HtmlReportInput& in) { return Page(in).render(); }

}  // namespace plansim::report
