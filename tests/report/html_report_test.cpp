// The HTML report (report/html_report.h): what the page must hold for the
// CPS example run with its two scenarios and the probation example run with
// its five, that it needs nothing outside itself, that its markup nests,
// and that it depends only on its input.
#include "report/html_report.h"
#include "tests/report/markup_check.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <string>
#include <vector>

#include "graph/plan_loader.h"
#include "report/charts.h"
#include "report/plan_charts.h"
#include "report/svg.h"
#include "tests/report/example_run.h"

namespace plansim::report {
namespace {

constexpr std::uint64_t kSamples = 20000;

std::string source(const std::string& relative) { return std::string(PLANSIM_SOURCE_DIR) + "/" + relative; }

const test::ExampleRun& cps() {
  static const test::ExampleRun run = test::run_example(
      source("examples/cps-area/plan.yaml"),
      {source("examples/cps-area/scenarios/fewer-cju-hours.yaml"),
       source("examples/cps-area/scenarios/police-files-stay-poor.yaml")},
      kSamples, "2026-03-04T05:06:07Z", "9.8.7");
  return run;
}

const test::ExampleRun& probation() {
  static const test::ExampleRun run = [] {
    std::vector<std::string> scenarios;
    for (const char* name : {"caseload-rise", "noms-contract-fails", "protect-community-payback", "sr10-four-years",
                             "sr10-plus-caseload"})
      scenarios.push_back(source(std::string("examples/probation-trust/scenarios/") + name + ".yaml"));
    return test::run_example(source("examples/probation-trust/plan.yaml"), scenarios, kSamples);
  }();
  return run;
}

std::string render(const test::ExampleRun& run) {
  return html_report({run.info, run.result, *run.plan, run.program->rag});
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

// The <title> of every chart, in page order.
std::vector<std::string> chart_titles(const std::string& html) {
  static const std::regex title(R"re(<svg [^>]*>\n<title id="[^"]*">([^<]*)</title>)re");
  std::vector<std::string> out;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), title); it != std::sregex_iterator(); ++it)
    out.push_back((*it)[1]);
  return out;
}

std::size_t charts_starting(const std::vector<std::string>& titles, const std::string& prefix,
                            const std::string& suffix = "") {
  return static_cast<std::size_t>(std::count_if(titles.begin(), titles.end(), [&](const std::string& t) {
    return t.rfind(prefix, 0) == 0 && t.size() >= suffix.size() && t.compare(t.size() - suffix.size(), suffix.size(), suffix) == 0;
  }));
}


TEST(HtmlReport, ShowsEveryTargetsLabelAndId) {
  for (const auto* run : {&cps(), &probation()}) {
    const std::string html = render(*run);
    for (const auto& sc : run->result.scenarios)
      for (const auto& t : sc.targets) {
        EXPECT_NE(html.find(html_escape(t.label)), std::string::npos) << t.label;
        EXPECT_NE(html.find(">" + t.id + "<"), std::string::npos) << t.id;
        EXPECT_NE(html.find("id=\"target-" + t.id + "\""), std::string::npos) << t.id;
      }
  }
}

TEST(HtmlReport, HeaderNamesPlanScenariosSeedSamplesDateVersionAndHash) {
  const auto& run = cps();
  const std::string html = render(run);
  EXPECT_NE(html.find("<title>" + html_escape(run.info.plan_title) + " - plansim report</title>"), std::string::npos);
  EXPECT_NE(html.find("<h1>" + html_escape(run.info.plan_title) + "</h1>"), std::string::npos);
  EXPECT_NE(html.find("<dt>Scenarios</dt><dd>base, fewer-cju-hours, police-files-stay-poor</dd>"), std::string::npos);
  EXPECT_NE(html.find("<dt>Samples</dt><dd>20,000</dd>"), std::string::npos);
  EXPECT_NE(html.find("<dt>Seed</dt><dd>2003</dd>"), std::string::npos);
  EXPECT_NE(html.find("<time datetime=\"2026-03-04T05:06:07Z\">2026-03-04 05:06 UTC</time>"), std::string::npos);
  EXPECT_NE(html.find("<dt>plansim version</dt><dd>9.8.7</dd>"), std::string::npos);
  ASSERT_EQ(run.info.plan_sha256.size(), 64u);
  EXPECT_NE(html.find(run.info.plan_sha256), std::string::npos);
}

TEST(HtmlReport, TargetsTableHasEveryFigureAndRagInWords) {
  const auto& run = cps();
  const std::string html = render(run);
  for (const auto& t : run.result.base().targets) {
    EXPECT_NE(html.find("<strong>" + format_fixed(t.p_hit, 3) + "</strong>"), std::string::npos) << t.id;
    EXPECT_NE(html.find("[" + format_fixed(t.ci95.lo, 3) + ", " + format_fixed(t.ci95.hi, 3) + "]"), std::string::npos);
    if (!t.composite) {
      EXPECT_NE(html.find(format_number(t.achievable)), std::string::npos) << t.id;
    }
    const std::string badge = std::string("<span class=\"badge ") + sim::to_string(t.rag) + "\">" + rag_word(t.rag) + "</span>";
    EXPECT_NE(html.find(badge), std::string::npos) << t.id;
  }
  EXPECT_NE(html.find("<th scope=\"col\">Target</th>"), std::string::npos);
}

TEST(HtmlReport, DrawsOneChartOfEachKindPerItem) {
  const auto& run = cps();
  const sim::ScenarioResult& base = run.result.base();
  const std::vector<std::string> titles = chart_titles(render(run));
  std::size_t measure_targets = 0;
  for (const auto& t : base.targets) measure_targets += t.composite ? 0 : 1;
  ASSERT_FALSE(base.resources.empty());
  ASSERT_GT(run.result.scenarios.size(), 1u);
  EXPECT_EQ(charts_starting(titles, "P(hit) of ", " by scenario"), base.targets.size());
  EXPECT_EQ(charts_starting(titles, "P(hit) of "), 2 * base.targets.size());  // the bars, and the comparisons
  EXPECT_EQ(charts_starting(titles, "Distribution of "), measure_targets);
  EXPECT_EQ(charts_starting(titles, "Fan chart of "), base.measures.size());
  EXPECT_EQ(charts_starting(titles, "Available and demand of "), base.resources.size());
  EXPECT_EQ(charts_starting(titles, "Risk heat map"), 1u);
  EXPECT_EQ(charts_starting(titles, "Dependency graph of "), 1u);
  // Every chart has a title and a description for screen readers.
  const std::string html = render(run);
  EXPECT_EQ(count(html, "<svg "), titles.size());
  EXPECT_EQ(count(html, "<desc id="), titles.size());
  EXPECT_EQ(count(html, "role=\"img\""), titles.size());
}

TEST(HtmlReport, NeedsNothingOutsideTheFile) {
  for (const auto* run : {&cps(), &probation()}) {
    std::string html = render(*run);
    // The SVG and XHTML namespace names are identifiers, not links.
    for (const std::string ns : {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xhtml"})
      for (std::size_t at; (at = html.find(ns)) != std::string::npos;) html.erase(at, ns.size());
    EXPECT_EQ(html.find("http://"), std::string::npos);
    EXPECT_EQ(html.find("https://"), std::string::npos);
    EXPECT_EQ(html.find("<script"), std::string::npos);
    EXPECT_EQ(html.find("<link"), std::string::npos);
    EXPECT_EQ(html.find("@import"), std::string::npos);
    EXPECT_EQ(html.find("@font-face"), std::string::npos);
    EXPECT_EQ(html.find("<img"), std::string::npos);
    EXPECT_EQ(html.find("<iframe"), std::string::npos);
    for (std::size_t at = html.find("url("); at != std::string::npos; at = html.find("url(", at + 4)) {
      const std::string arg = html.substr(at + 4, 5);
      EXPECT_TRUE(arg[0] == '#' || arg == "data:") << html.substr(at, 40);
    }
    for (std::size_t at = html.find("href=\""); at != std::string::npos; at = html.find("href=\"", at + 6))
      EXPECT_EQ(html[at + 6], '#') << html.substr(at, 40);
  }
}

TEST(HtmlReport, MarkupNests) {
  for (const auto* run : {&cps(), &probation()}) {
    const std::string html = render(*run);
    EXPECT_EQ(html.rfind("<!DOCTYPE html>\n<html lang=\"en\">", 0), 0u);
    EXPECT_EQ(count(html, "<svg "), count(html, "</svg>"));
    EXPECT_EQ(markup_problem(html), "");
    // Element ids are unique in the page.
    static const std::regex id(R"re( id="([^"]+)")re");
    std::vector<std::string> ids;
    for (auto it = std::sregex_iterator(html.begin(), html.end(), id); it != std::sregex_iterator(); ++it)
      ids.push_back((*it)[1]);
    std::sort(ids.begin(), ids.end());
    EXPECT_EQ(std::adjacent_find(ids.begin(), ids.end()), ids.end()) << "an id is used twice";
  }
}

TEST(HtmlReport, PrintsAndProjects) {
  const std::string html = render(cps());
  EXPECT_NE(html.find("@media print"), std::string::npos);
  EXPECT_NE(html.find("print-color-adjust: exact"), std::string::npos);
  EXPECT_NE(html.find("html { font-size: 20px;"), std::string::npos);
  EXPECT_NE(html.find("font-family: system-ui"), std::string::npos);
}

TEST(HtmlReport, SameInputSameBytes) {
  EXPECT_EQ(render(cps()), render(cps()));
  // Only started_at dates a page.
  auto run_info = cps().info;
  run_info.started_at = "2030-01-01T00:00:00Z";
  const std::string other = html_report({run_info, cps().result, *cps().plan, cps().program->rag});
  std::string expected = render(cps());
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"2026-03-04T05:06:07Z", "2030-01-01T00:00:00Z"}, {"2026-03-04 05:06 UTC", "2030-01-01 00:00 UTC"}})
    for (std::size_t at; (at = expected.find(from)) != std::string::npos;) expected.replace(at, from.size(), to);
  EXPECT_EQ(other, expected);
}

TEST(HtmlReport, EscapesTextFromThePlan) {
  auto info = cps().info;
  info.plan_title = "A <b>plan</b> & \"its\" 'title'";
  const std::string html = html_report({info, cps().result, *cps().plan, cps().program->rag});
  EXPECT_EQ(html.find("<b>plan</b>"), std::string::npos);
  EXPECT_NE(html.find("A &lt;b&gt;plan&lt;/b&gt; &amp; &quot;its&quot; &#39;title&#39;"), std::string::npos);
  EXPECT_EQ(markup_problem(html), "");
}

TEST(HtmlReport, ProbationShowsRisksResponsesAndScenarios) {
  const auto& run = probation();
  const std::string html = render(run);
  for (const auto& r : run.plan->risks) EXPECT_NE(html.find(">" + r.info.name + "<"), std::string::npos) << r.info.name;
  EXPECT_NE(html.find("<h2>Management responses</h2>"), std::string::npos);
  for (const auto& sc : run.result.scenarios) EXPECT_NE(html.find(html_escape(sc.name)), std::string::npos);
  EXPECT_EQ(charts_starting(chart_titles(html), "P(hit) of ", " by scenario"), run.result.base().targets.size());
  EXPECT_NE(html.find("no action draws on it"), std::string::npos);  // e.g. the non-pay budget
}

TEST(HtmlReport, SaysSoWhenADistributionWasNotKept) {
  sim::RunResult result = cps().result;
  for (auto& sc : result.scenarios)
    for (auto& t : sc.targets) t.distribution.clear();
  const std::string html = html_report({cps().info, result, *cps().plan, cps().program->rag});
  EXPECT_EQ(charts_starting(chart_titles(html), "Distribution of "), 0u);
  EXPECT_NE(html.find("was not kept in this run"), std::string::npos);
}

TEST(HtmlReport, LeavesOutTheGraphOfAVeryLargePlan) {
  std::string yaml = "plan: large\nhorizon: {start: 2024-01, periods: 2, step: quarter}\nassumptions:\n";
  for (std::size_t i = 0; i < kMaxGraphNodes; ++i) yaml += "  a" + std::to_string(i) + ": {value: 1}\n";
  yaml += "measures:\n  m: {value: a0}\ntargets:\n  goal: {measure: m, at_least: 1, by: 2024-06}\n";
  rules::Diagnostics diags;
  auto plan = graph::load_plan_text(yaml, "large.yaml", diags);
  ASSERT_TRUE(plan && diags.ok()) << diags.to_string();
  std::string why;
  EXPECT_EQ(dependency_graph_svg("g", *plan, why), "");
  EXPECT_NE(why.find("152 nodes"), std::string::npos) << why;
}

}  // namespace
}  // namespace plansim::report
