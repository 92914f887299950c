// The CSV and HTML outputs of a plan with local units, from a RunResult
// built here: two plan-wide targets and one local target over three areas
// (and 250 areas for the HTML's cap on listed units), in a base and one
// other scenario. The CSV files carry the unit of every local row and a
// local_targets.csv; the HTML page shows plan-wide targets and measures as
// before and each local target as one table of its units, least likely
// first, never as one card per unit.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "graph/plan_loader.h"
#include "report/csv_report.h"
#include "report/html_report.h"
#include "report/svg.h"
#include "tests/report/markup_check.h"
#include "rules/diagnostic.h"

namespace plansim::report {
namespace {

namespace fs = std::filesystem;

constexpr const char* kPlan = R"yaml(plan: Units in the report
horizon: {start: 2026-04, periods: 2, step: quarter}
units:
  name: area
  rows: {north: {base: 0.6}, south: {base: 0.5}, west: {base: 0.4}}
local:
  measures:
    rate: {label: Local rate, baseline: base, value: "prev(rate) - 0.05"}
  targets:
    local_rate:
      label: Each area 10 points down
      measure: rate
      at_most: base - 0.1
      milestones:
        - {at_most: base - 0.05, by: 2026-04}
measures:
  national: {label: National rate, value: "average(rate)"}
  on_track: {label: Share on track, value: "share(rate <= base - 0.1)"}
targets:
  national_goal: {label: National rate down, measure: national, at_most: 0.45, by: 2026-07}
  most_areas: {label: Most areas on track, measure: on_track, at_least: 0.66, by: 2026-07}
)yaml";

const graph::Plan& plan() {
  static const std::unique_ptr<graph::Plan> p = [] {
    rules::Diagnostics diags;
    auto loaded = graph::load_plan_text(kPlan, "units.yaml", diags);
    if (!loaded || !diags.ok()) throw std::runtime_error(diags.to_string());
    return loaded;
  }();
  return *p;
}

const graph::RagThresholds kRag{0.8, 0.6};

RunInfo info() {
  RunInfo i;
  i.plan_title = "Units in the report";
  i.plan_file = "units.yaml";
  i.plan_sha256 = std::string(64, 'a');
  i.seed = 7;
  i.samples = 10000;
  i.periods = {"2026-04", "2026-07"};
  i.version = "test";
  i.started_at = "2026-01-01T00:00:00Z";
  i.confidence = 0.8;
  return i;
}

sim::TargetResult plan_wide(const std::string& id, const std::string& measure, graph::Direction d, double threshold,
                            double p_hit) {
  sim::TargetResult t;
  t.id = id;
  t.label = id == "national_goal" ? "National rate down" : "Most areas on track";
  t.measure = measure;
  t.direction = d;
  t.threshold = threshold;
  t.by = 1;
  t.p10 = 0.40;
  t.p50 = 0.44;
  t.p90 = 0.48;
  t.achievable = 0.47;
  t.p_hit = p_hit;
  t.ci95 = {p_hit - 0.01, p_hit + 0.01};
  t.rag = sim::rate(p_hit, kRag);
  return t;
}

sim::TargetResult local(const std::string& unit, double threshold, double p_hit) {
  sim::TargetResult t;
  t.id = "local_rate";
  t.unit = unit;
  t.label = "Each area 10 points down";
  t.measure = "rate";
  t.direction = graph::Direction::kAtMost;
  t.threshold = threshold;
  t.by = 1;
  t.p10 = t.p50 = t.p90 = t.achievable = NAN;
  t.milestones.push_back({0, graph::Direction::kAtMost, threshold + 0.05, std::min(1.0, p_hit + 0.1),
                          {p_hit + 0.09, std::min(1.0, p_hit + 0.11)}});
  t.p_hit = p_hit;
  t.ci95 = {p_hit - 0.01, p_hit + 0.01};
  t.rag = sim::rate(p_hit, kRag);
  return t;
}

sim::MeasureResult measure(const std::string& id, const std::string& unit, double mean) {
  sim::MeasureResult m;
  m.id = id;
  m.unit = unit;
  m.label = id;
  for (int p = 0; p < 2; ++p) {
    sim::PeriodSummary s;
    s.mean = mean - 0.05 * p;
    if (unit.empty()) {
      s.p10 = s.mean - 0.02;
      s.p25 = s.mean - 0.01;
      s.p50 = s.mean;
      s.p75 = s.mean + 0.01;
      s.p90 = s.mean + 0.02;
    } else {
      s.p10 = s.p25 = s.p50 = s.p75 = s.p90 = NAN;
    }
    m.periods.push_back(s);
  }
  return m;
}

std::string unit_id(std::size_t i) {
  std::string digits = std::to_string(i);
  return "area_" + std::string(digits.size() < 3 ? 3 - digits.size() : 0, '0') + digits;
}

// `units` areas: north, south, west when 3 (P(hit) 0.7, 0.3, 0.9), else
// area_000... with P(hit) falling from 0.95 as the index grows. `shift` is
// added to every local P(hit) (another scenario).
sim::ScenarioResult scenario(const std::string& name, std::size_t units, double shift) {
  sim::ScenarioResult sc;
  sc.name = name;
  sc.targets.push_back(plan_wide("national_goal", "national", graph::Direction::kAtMost, 0.45, 0.72 + shift));
  sc.targets.push_back(plan_wide("most_areas", "on_track", graph::Direction::kAtLeast, 0.66, 0.55 + shift));
  sc.measures.push_back(measure("national", "", 0.5));
  sc.measures.push_back(measure("on_track", "", 0.6));
  std::vector<std::pair<std::string, double>> hits;
  if (units == 3)
    hits = {{"north", 0.7}, {"south", 0.3}, {"west", 0.9}};
  else
    for (std::size_t i = 0; i < units; ++i)
      hits.push_back({unit_id(i), 0.95 - 0.9 * static_cast<double>(i) / static_cast<double>(units)});
  sim::LocalTargetSummary l;
  l.id = "local_rate";
  l.label = "Each area 10 points down";
  l.unit_name = "area";
  l.units = units;
  for (std::size_t i = 0; i < hits.size(); ++i) {
    const double p = hits[i].second + shift;
    sc.targets.push_back(local(hits[i].first, 0.5 - 0.01 * static_cast<double>(i % 10), p));
    sc.measures.push_back(measure("rate", hits[i].first, 0.6 - 0.001 * static_cast<double>(i)));
    l.expected_hits += p;
    const sim::Rag r = sim::rate(p, kRag);
    ++(r == sim::Rag::kGreen ? l.green : r == sim::Rag::kAmber ? l.amber : l.red);
  }
  l.ci95 = {l.expected_hits - 0.04, l.expected_hits + 0.04};
  sc.local_targets.push_back(l);
  return sc;
}

sim::RunResult run(std::size_t units = 3) {
  sim::RunResult r;
  r.scenarios.push_back(scenario("base", units, 0.0));
  r.scenarios.push_back(scenario("more_funding", units, 0.05));
  for (const auto& t : r.scenarios[1].targets) {
    sim::Comparison c;
    c.scenario = "more_funding";
    c.target = t.id;
    c.unit = t.unit;
    c.p_hit = t.p_hit;
    c.delta = 0.05;
    c.ci95 = {0.04, 0.06};
    c.unpaired_ci95 = {0.03, 0.07};
    r.comparison.push_back(c);
  }
  r.summary.samples = 10000;
  r.summary.seed = 7;
  return r;
}

std::string render(const sim::RunResult& r) { return html_report({info(), r, plan(), kRag}); }

// RFC 4180 records of a CSV text (quoted fields may hold commas, quotes, CRLF).
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(field);
      field.clear();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      row.push_back(field);
      field.clear();
      rows.push_back(row);
      row.clear();
      ++i;
    } else {
      field += c;
    }
  }
  return rows;
}

// The column `name` of every data row.
std::vector<std::string> column(const std::string& text, const std::string& name) {
  const auto rows = parse_csv(text);
  if (rows.empty()) return {};
  const auto at = std::find(rows[0].begin(), rows[0].end(), name);
  if (at == rows[0].end()) return {"no column " + name};
  const auto k = static_cast<std::size_t>(at - rows[0].begin());
  std::vector<std::string> out;
  for (std::size_t i = 1; i < rows.size(); ++i) out.push_back(k < rows[i].size() ? rows[i][k] : "short row");
  return out;
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

// The text of the <section id="...">, or "".
std::string section(const std::string& html, const std::string& id) {
  const std::size_t at = html.find("<section id=\"" + id + "\"");
  if (at == std::string::npos) return "";
  return html.substr(at, html.find("</section>", at) - at);
}

std::vector<std::string> chart_titles(const std::string& html) {
  static const std::regex title(R"re(<svg [^>]*>\n<title id="[^"]*">([^<]*)</title>)re");
  std::vector<std::string> out;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), title); it != std::sregex_iterator(); ++it)
    out.push_back((*it)[1]);
  return out;
}

std::size_t titles_starting(const std::vector<std::string>& titles, const std::string& prefix) {
  return static_cast<std::size_t>(
      std::count_if(titles.begin(), titles.end(), [&](const std::string& t) { return t.rfind(prefix, 0) == 0; }));
}


// ---- CSV ---------------------------------------------------------------------

TEST(UnitsReport, CsvUnitColumnsNameTheUnitOfEveryLocalRow) {
  const sim::RunResult r = run();
  const std::vector<std::string> units = {"", "", "north", "south", "west"};
  std::vector<std::string> both = units;
  both.insert(both.end(), units.begin(), units.end());  // base, then more_funding

  const std::string targets = targets_csv(info(), r);
  EXPECT_EQ(column(targets, "unit"), both);
  EXPECT_EQ(column(targets, "target")[2], "local_rate");
  EXPECT_EQ(column(targets, "p_hit")[3], "0.3");
  EXPECT_EQ(column(targets, "p50")[3], "") << "not kept per unit";
  EXPECT_EQ(column(targets, "achievable_level")[3], "");

  const std::string milestones = milestones_csv(info(), r);
  EXPECT_EQ(milestones.rfind("scenario,target,unit,by,direction,threshold,p_hit,ci95_low,ci95_high\r\n", 0), 0u);
  EXPECT_EQ(column(milestones, "unit"),
            (std::vector<std::string>{"north", "south", "west", "north", "south", "west"}));
  EXPECT_EQ(column(milestones, "by")[0], "2026-04");
  EXPECT_EQ(column(milestones, "threshold")[1], csv_number(r.base().targets[3].milestones[0].threshold));
  EXPECT_EQ(column(milestones, "p_hit")[1], "0.4");

  const std::string measures = measures_csv(info(), r);
  const std::vector<std::string> m_units = column(measures, "unit");
  ASSERT_EQ(m_units.size(), 2u * 5u * 2u);  // scenarios x measures x periods
  EXPECT_EQ(std::vector<std::string>(m_units.begin(), m_units.begin() + 10),
            (std::vector<std::string>{"", "", "", "", "north", "north", "south", "south", "west", "west"}));
  EXPECT_EQ(column(measures, "mean")[4], "0.6");
  EXPECT_EQ(column(measures, "p50")[4], "") << "only the mean is kept per unit";

  EXPECT_EQ(column(comparison_csv(r), "unit"), units);
  EXPECT_EQ(column(resources_csv(info(), r), "unit"), std::vector<std::string>{});
}

TEST(UnitsReport, LocalTargetsCsvHasOneRowPerScenarioAndLocalTarget) {
  const sim::RunResult r = run();
  ASSERT_TRUE(has_local_targets(r));
  const auto rows = parse_csv(local_targets_csv(r));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"scenario", "target", "label", "unit_name", "units",
                                               "expected_units_hitting", "ci95_low", "ci95_high", "green", "amber",
                                               "red"}));
  const auto& base = r.base().local_targets[0];
  EXPECT_EQ(rows[1], (std::vector<std::string>{"base", "local_rate", "Each area 10 points down", "area", "3",
                                               csv_number(base.expected_hits), csv_number(base.ci95.lo),
                                               csv_number(base.ci95.hi), "1", "1", "1"}));
  EXPECT_EQ(std::stod(rows[1][5]), 0.7 + 0.3 + 0.9);
  EXPECT_EQ(rows[2][0], "more_funding");
  EXPECT_EQ(rows[2].size(), rows[0].size());

  sim::RunResult none = run();
  for (auto& sc : none.scenarios) sc.local_targets.clear();
  EXPECT_FALSE(has_local_targets(none));
}

TEST(UnitsReport, WriteCsvDirWritesLocalTargetsCsvOnlyWhenThereAreLocalTargets) {
  const fs::path dir = fs::path(::testing::TempDir()) / ("plansim_units_csv_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  ASSERT_EQ(write_csv_dir(dir.string(), info(), run()), "");
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"comparison.csv", "local_targets.csv", "measures.csv", "milestones.csv",
                                             "resources.csv", "targets.csv"}));
  std::ifstream in(dir / "local_targets.csv", std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), local_targets_csv(run()));

  // A later run without local targets into the same folder leaves no stale file.
  sim::RunResult none = run();
  for (auto& sc : none.scenarios) sc.local_targets.clear();
  ASSERT_EQ(write_csv_dir(dir.string(), info(), none), "");
  EXPECT_FALSE(fs::exists(dir / "local_targets.csv"));
  EXPECT_TRUE(fs::exists(dir / "targets.csv"));
  if (!::testing::Test::HasFailure()) fs::remove_all(dir);
}

// ---- HTML --------------------------------------------------------------------

TEST(UnitsReport, HtmlHasOneCardPerPlanWideTargetAndNonePerUnit) {
  const std::string html = render(run());
  EXPECT_EQ(count(html, "<article id=\"target-"), 2u);
  EXPECT_NE(html.find("<article id=\"target-national_goal\">"), std::string::npos);
  EXPECT_NE(html.find("<article id=\"target-most_areas\">"), std::string::npos);
  EXPECT_EQ(html.find("id=\"target-local_rate\""), std::string::npos);
  EXPECT_EQ(html.find("href=\"#target-local_rate\""), std::string::npos);

  // The targets table and its counts are of the plan-wide targets.
  const std::string targets = section(html, "targets");
  EXPECT_NE(targets.find("2 plan-wide targets in scenario <strong>base</strong>"), std::string::npos) << targets;
  EXPECT_EQ(count(targets, "<tr><th scope=\"row\">"), 2u);
  EXPECT_NE(targets.find("1 local target, set for every area"), std::string::npos);
  EXPECT_NE(targets.find("href=\"#local-targets\""), std::string::npos);

  // Charts: a hit bar and a distribution per plan-wide target, a fan chart
  // per plan-wide measure, a comparison per plan-wide target; none per unit.
  const std::vector<std::string> titles = chart_titles(html);
  EXPECT_EQ(titles_starting(titles, "P(hit) of "), 4u);
  EXPECT_EQ(titles_starting(titles, "Fan chart of "), 2u);
  EXPECT_EQ(titles_starting(titles, "Fan chart of rate"), 0u);
  EXPECT_EQ(count(html, "<article id=\"measure-"), 2u);
  EXPECT_EQ(count(html, "<article id=\"scenarios-"), 3u);  // two targets, one local target
  for (const char* unit : {"north", "south", "west"})
    EXPECT_EQ(count(html, ">" + std::string(unit) + "<"), 2u) << unit << ": once per local table";

  EXPECT_NE(html.find("<dt>Units</dt><dd>3 areas</dd>"), std::string::npos);
  EXPECT_NE(html.find("<a href=\"#local-targets\">Local targets</a>"), std::string::npos);
  EXPECT_NE(html.find("<a href=\"#local-measures\">Local measures</a>"), std::string::npos);
}

TEST(UnitsReport, HtmlListsEachLocalTargetsUnitsLeastLikelyFirst) {
  const sim::RunResult r = run();
  const std::string local = section(render(r), "local-targets");
  ASSERT_NE(local, "");
  EXPECT_NE(local.find("<h2>Local targets</h2>"), std::string::npos);
  EXPECT_NE(local.find("<article id=\"local-local_rate\">"), std::string::npos);
  EXPECT_NE(local.find("<h3>Each area 10 points down</h3>"), std::string::npos);
  // The summary: expected units hitting with its interval, and the RAG counts.
  const sim::LocalTargetSummary& l = r.base().local_targets[0];
  EXPECT_NE(local.find("Expected to hit: <strong>1.90</strong> of 3 areas (95% interval " +
                       format_fixed(l.ci95.lo, 2) + " to " + format_fixed(l.ci95.hi, 2) + ")"),
            std::string::npos)
      << local;
  for (const char* badge : {"<span class=\"badge green\">GREEN</span> 1</span>",
                            "<span class=\"badge amber\">AMBER</span> 1</span>",
                            "<span class=\"badge red\">RED</span> 1</span>"})
    EXPECT_NE(local.find(badge), std::string::npos) << badge;
  // The table: south (0.3), north (0.7), west (0.9), with interval, badge, threshold.
  const std::size_t south = local.find(">south</th>");
  const std::size_t north = local.find(">north</th>");
  const std::size_t west = local.find(">west</th>");
  ASSERT_NE(south, std::string::npos);
  ASSERT_NE(north, std::string::npos);
  ASSERT_NE(west, std::string::npos);
  EXPECT_LT(south, north);
  EXPECT_LT(north, west);
  const std::string south_row = local.substr(south, local.find("</tr>", south) - south);
  EXPECT_NE(south_row.find("<td class=\"num\">0.300</td>"), std::string::npos) << south_row;
  EXPECT_NE(south_row.find("[0.290, 0.310]"), std::string::npos) << south_row;
  EXPECT_NE(south_row.find("<span class=\"badge red\">"), std::string::npos) << south_row;
  EXPECT_NE(south_row.find("\xE2\x89\xA4 0.49"), std::string::npos) << south_row;  // ≤ south's own threshold
  EXPECT_NE(south_row.find("<td class=\"num\">0.400</td>"), std::string::npos) << "its milestone: " << south_row;
  EXPECT_NE(local.find("<th scope=\"col\">Area</th>"), std::string::npos);
  EXPECT_EQ(local.find("more area"), std::string::npos) << "no cap note for three units";

  // The local measure: one row per unit, the mean in each period.
  const std::string measures = section(render(r), "local-measures");
  EXPECT_NE(measures.find("<article id=\"local-measure-rate\">"), std::string::npos);
  EXPECT_EQ(count(measures, "<tr><th scope=\"row\" class=\"mono\">"), 3u);
  EXPECT_NE(measures.find(">south</th><td class=\"num\">0.599</td><td class=\"num\">0.549</td></tr>"),
            std::string::npos)
      << measures;
}

TEST(UnitsReport, HtmlComparesUnitsExpectedToHitAcrossScenarios) {
  const sim::RunResult r = run();
  const std::string html = render(r);
  const std::size_t at = html.find("<article id=\"scenarios-local-local_rate\">");
  ASSERT_NE(at, std::string::npos);
  const std::string article = html.substr(at, html.find("</article>", at) - at);
  const std::string other = format_fixed(r.scenarios[1].local_targets[0].expected_hits, 2);
  EXPECT_NE(article.find("<tr><th scope=\"row\">base</th><td><strong>1.90</strong> of 3 areas"), std::string::npos)
      << article;
  EXPECT_NE(article.find("<tr><th scope=\"row\">more_funding</th><td><strong>" + other + "</strong> of 3 areas"),
            std::string::npos)
      << article;
  EXPECT_NE(article.find(format_fixed(0.15, 2, true)), std::string::npos) << article;  // +0.15 vs base
}

TEST(UnitsReport, HtmlListsAtMost200UnitsAndSaysWhereTheRestAre) {
  const sim::RunResult r = run(250);
  const std::string html = render(r);
  const std::string local = section(html, "local-targets");
  EXPECT_EQ(count(local, "<tr><th scope=\"row\" class=\"mono\">"), 200u);
  EXPECT_NE(local.find("50 more areas"), std::string::npos) << local.substr(local.size() - 600);
  EXPECT_NE(local.find("JSON"), std::string::npos);
  EXPECT_NE(local.find("CSV"), std::string::npos);
  EXPECT_NE(local.find("The 200 areas least likely to hit local_rate, of 250"), std::string::npos);
  // The least likely are the last areas (P(hit) falls with the index): area_249 first, area_049 never.
  const std::size_t last = local.find(">area_249<");
  ASSERT_NE(last, std::string::npos);
  EXPECT_LT(last, local.find(">area_248<"));
  EXPECT_NE(local.find(">area_050<"), std::string::npos);
  EXPECT_EQ(local.find(">area_049<"), std::string::npos);
  EXPECT_NE(local.find("Expected to hit: <strong>" + format_fixed(r.base().local_targets[0].expected_hits, 2) +
                       "</strong> of 250 areas"),
            std::string::npos);

  const std::string measures = section(html, "local-measures");
  EXPECT_EQ(count(measures, "<tr><th scope=\"row\" class=\"mono\">"), 200u);
  EXPECT_NE(measures.find("50 more areas"), std::string::npos);

  // No card, chart or comparison per unit: the page stays small.
  EXPECT_EQ(count(html, "<article id=\"target-"), 2u);
  EXPECT_EQ(count(html, "<svg "), chart_titles(html).size());
  EXPECT_LT(html.size(), 400000u);
  EXPECT_EQ(markup_problem(html), "");
}

TEST(UnitsReport, HtmlStaysWellFormed) {
  for (std::size_t units : {std::size_t{3}, std::size_t{250}}) {
    const std::string html = render(run(units));
    EXPECT_EQ(html.rfind("<!DOCTYPE html>\n<html lang=\"en\">", 0), 0u);
    EXPECT_EQ(markup_problem(html), "") << units << " units";
    EXPECT_EQ(count(html, "<svg "), count(html, "</svg>"));
    for (std::size_t at = html.find("href=\""); at != std::string::npos; at = html.find("href=\"", at + 6)) {
      EXPECT_EQ(html[at + 6], '#') << html.substr(at, 40);
      // Every anchor leads somewhere in the page.
      const std::string target = html.substr(at + 7, html.find('"', at + 6) - at - 7);
      EXPECT_NE(html.find(" id=\"" + target + "\""), std::string::npos) << target;
    }
  }
  // A single scenario: no scenarios section, and still well formed.
  sim::RunResult one = run();
  one.scenarios.resize(1);
  one.comparison.clear();
  const std::string html = render(one);
  EXPECT_EQ(html.find("id=\"scenarios"), std::string::npos);
  EXPECT_EQ(markup_problem(html), "");
}

}  // namespace
}  // namespace plansim::report
