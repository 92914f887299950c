// The report's chart building blocks: escaping, number formats, ticks, the
// representative values the risk heat map places risks by, and the charts'
// handling of odd inputs.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "graph/plan_loader.h"
#include "report/charts.h"
#include "report/plan_charts.h"
#include "report/svg.h"
#include "rules/parser.h"

namespace plansim::report {
namespace {

std::optional<double> value_of(const std::string& text, bool& random) {
  rules::Diagnostics diags;
  auto e = rules::parse_expression(text, rules::ParseContext{}, diags);
  EXPECT_TRUE(e && diags.ok()) << text << "\n" << diags.to_string();
  random = false;
  return e ? representative_value(*e, random) : std::nullopt;
}

TEST(HtmlEscape, EscapesTheFiveSpecialCharacters) {
  EXPECT_EQ(html_escape("a<b>&\"c\"'d'"), "a&lt;b&gt;&amp;&quot;c&quot;&#39;d&#39;");
  EXPECT_EQ(html_escape("plain text, 67% \xE2\x89\xA4 0.5"), "plain text, 67% \xE2\x89\xA4 0.5");
}

TEST(FormatNumber, ReadsAsPeopleWriteIt) {
  EXPECT_EQ(format_number(180559.0), "180,559");
  EXPECT_EQ(format_number(0.55571), "0.5557");
  EXPECT_EQ(format_number(-1234.4), "\xE2\x88\x92" "1,234");
  EXPECT_EQ(format_number(NAN), "n/a");
  EXPECT_EQ(format_fixed(-0.0001, 3, true), "+0.000");
  EXPECT_EQ(format_fixed(-0.1234, 3, true), "\xE2\x88\x92" "0.123");
  EXPECT_EQ(format_fixed(0.1234, 3, true), "+0.123");
}

TEST(NiceTicks, CoverTheRangeWithRoundSteps) {
  const Ticks t = nice_ticks(0.43, 0.66, 6);
  EXPECT_DOUBLE_EQ(t.step, 0.05);
  EXPECT_LE(t.lo, 0.43);
  EXPECT_GE(t.hi, 0.66);
  EXPECT_EQ(t.label(0.45), "0.45");
  const Ticks big = nice_ticks(160000, 205000, 5);
  EXPECT_EQ(big.label(big.values[1]), "170,000");
  const Ticks flat = nice_ticks(3, 3, 4);
  EXPECT_LT(flat.lo, 3);
  EXPECT_GT(flat.hi, 3);
  EXPECT_EQ(nice_ticks(0, 1, 4).label(0.25), "0.25");
}

TEST(RepresentativeValue, ConstantsAndMeansOfDistributions) {
  bool random = false;
  EXPECT_DOUBLE_EQ(*value_of("0.02", random), 0.02);
  EXPECT_FALSE(random);
  EXPECT_DOUBLE_EQ(*value_of("2 * (0.5 - 0.25) / 4", random), 0.125);
  EXPECT_NEAR(*value_of("lognormal(log(0.03), 0.5)", random), 0.03 * std::exp(0.125), 1e-15);
  EXPECT_TRUE(random);
  EXPECT_DOUBLE_EQ(*value_of("triangular(0.01, 0.02, 0.04)", random), 0.07 / 3);
  EXPECT_DOUBLE_EQ(*value_of("pert(7.0, 7.4, 7.8)", random), (7.0 + 4 * 7.4 + 7.8) / 6);
  EXPECT_DOUBLE_EQ(*value_of("uniform(0.01, 0.03)", random), 0.02);
  EXPECT_DOUBLE_EQ(*value_of("normal(0.03, 0.02)", random), 0.03);
  EXPECT_DOUBLE_EQ(*value_of("beta(2, 6)", random), 0.25);
  EXPECT_DOUBLE_EQ(*value_of("0.5 * uniform(0, 1) + 0.1", random), 0.35);
  EXPECT_FALSE(value_of("absence * 2", random).has_value());
  EXPECT_FALSE(value_of("uniform(0, absence)", random).has_value());
  EXPECT_FALSE(value_of("uniform(0, 1) * uniform(0, 1)", random).has_value());
  EXPECT_FALSE(value_of("t + 1", random).has_value());
}

TEST(RiskPoints, BandsLikelihoodsByThePlansScale) {
  rules::Diagnostics diags;
  auto plan = graph::load_plan_file(std::string(PLANSIM_SOURCE_DIR) + "/examples/cps-area/plan.yaml", diags);
  ASSERT_TRUE(plan && diags.ok()) << diags.to_string();
  const auto risks = risk_points(*plan);
  ASSERT_EQ(risks.size(), 4u);
  EXPECT_EQ(risks[0].id, "poor_police_files");
  EXPECT_EQ(risks[0].band, "H");
  EXPECT_DOUBLE_EQ(*risks[0].likelihood, 0.6);
  EXPECT_NEAR(*risks[0].impact, 0.03 * std::exp(0.125), 1e-15);
  EXPECT_EQ(risks[2].band, "M");
  EXPECT_EQ(risks[2].impact_how, "constant");
  EXPECT_EQ(risks[3].band, "L");
  ASSERT_EQ(risks[0].mitigated_by.size(), 1u);
  EXPECT_EQ(risks[0].mitigated_by[0].first, "meet_police_cju");
  const std::string svg = risk_heat_map_svg("r", *plan, risks);
  for (const auto& r : risks) EXPECT_NE(svg.find(r.id), std::string::npos) << r.id;
}

TEST(RiskHeatMap, PutsAVaryingImpactInItsOwnColumn) {
  const std::string yaml = R"yaml(plan: risks
horizon: {start: 2024-01, periods: 2, step: quarter}
assumptions:
  a: {value: "uniform(0, 1)"}
risks:
  fixed: {likelihood: M, impact: 0.2}
  varying: {likelihood: H, impact: a * 0.1}
measures:
  m: {value: a + fixed + varying}
targets:
  goal: {measure: m, at_most: 1, by: 2024-06}
)yaml";
  rules::Diagnostics diags;
  auto plan = graph::load_plan_text(yaml, "risks.yaml", diags);
  ASSERT_TRUE(plan && diags.ok()) << diags.to_string();
  const auto risks = risk_points(*plan);
  ASSERT_EQ(risks.size(), 2u);
  EXPECT_FALSE(risks[1].impact.has_value());
  EXPECT_EQ(risks[1].impact_how.rfind("varies", 0), 0u);
  const std::string svg = risk_heat_map_svg("r", *plan, risks);
  EXPECT_NE(svg.find(">varies<"), std::string::npos);
  EXPECT_NE(svg.find(">varying<"), std::string::npos);
}

TEST(Charts, CopeWithNonFiniteAndConstantValues) {
  sim::MeasureResult m{"m", "", {}, ""};
  m.periods.push_back({NAN, NAN, NAN, NAN, NAN, NAN});
  m.periods.push_back({1, 1, 1, 1, 1, 1});
  const std::string fan = fan_chart_svg("f", m, {"2024-01", "2024-04"}, {{1, 1.0, graph::Direction::kAtLeast, false, "target"}}, "");
  EXPECT_EQ(fan.find("nan"), std::string::npos);
  EXPECT_EQ(fan.find("inf"), std::string::npos);

  sim::TargetResult t;
  t.id = "t";
  t.measure = "m";
  t.threshold = 2.0;
  t.achievable = 2.0;
  t.p_hit = 1.0;
  t.distribution.assign(sim::kDistributionLevels, 2.0);  // a constant measure
  const std::string dist = distribution_svg("d", t, "2024-01", 0.8);
  EXPECT_NE(dist.find("<rect"), std::string::npos);
  EXPECT_EQ(dist.find("nan"), std::string::npos);

  t.distribution.clear();
  EXPECT_EQ(distribution_svg("d", t, "2024-01", 0.8), "");

  sim::ResourceResult r{"r", "", {{0, 0, 0}}, ""};
  EXPECT_EQ(resource_svg("r", r, {"2024-01"}, "").find("nan"), std::string::npos);
}

}  // namespace
}  // namespace plansim::report
