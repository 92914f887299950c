// The plan loader (plan-format.md sections 1-8 and 13): every mistake it
// reports, each at its line and column with the node and what is wrong, and
// every field of a correct plan read as written.
#include "graph/plan_loader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "graph/plan.h"
#include "rules/ast.h"
#include "tests/graph/plan_test_support.h"

namespace plansim::graph {
namespace {

using test::Expected;
using test::expect_diagnostic;
using test::expect_only;
using test::load_only;
using test::with_head;

// A number-valued expression's number (fails the test for anything else).
double number_of(const ExprPtr& e) {
  EXPECT_NE(e, nullptr);
  if (!e) return -999.0;
  EXPECT_EQ(e->kind, rules::ExprKind::kNumber) << rules::to_string(*e);
  return e->number;
}

// ---- sections and keys --------------------------------------------------------

TEST(PlanLoader, UnknownSectionIsReportedWithTheNearestSectionName) {
  auto r = load_only(with_head(R"(
measurs:
  rate: {baseline: 1}
)"));
  expect_only(r.diags, {3, 1, "", {"unknown key 'measurs'"}, {"did you mean 'measures'?"}});
}

TEST(PlanLoader, UnknownKeyInANodeNamesTheNodeAndSuggestsTheNearestKey) {
  auto r = load_only(with_head(R"(
measures:
  rate:
    baseline: 0.5
    valu: 0.6
)"));
  expect_only(r.diags, {6, 5, "rate", {"unknown key 'valu'", "measure"}, {"did you mean 'value'?"}});
}

TEST(PlanLoader, UnknownKeyWithNoNearMatchListsTheAllowedKeys) {
  auto r = load_only(R"(plan: Test plan
horizon:
  start: 2003-04
  periods: 4
  step: quarter
  something_else: 3
)");
  expect_only(r.diags, {6, 3, "", {"unknown key 'something_else'", "horizon"}, {"start, periods, step"}});
}

TEST(PlanLoader, MissingTitleIsAnError) {
  auto r = load_only("horizon: {start: 2003-04, periods: 4, step: quarter}\n");
  expect_only(r.diags, {1, 1, "", {"needs 'plan'"}});
}

TEST(PlanLoader, MissingHorizonIsAnError) {
  auto r = load_only("plan: Test plan\nassumptions: {growth: 0.1}\n");
  expect_only(r.diags, {1, 1, "", {"needs 'horizon'"}});
}

// ---- horizon --------------------------------------------------------------------

std::string horizon_plan(const std::string& start, const std::string& periods, const std::string& step) {
  return "plan: Test plan\nhorizon:\n  start: " + start + "\n  periods: " + periods + "\n  step: " + step + "\n";
}

TEST(PlanLoader, HorizonStartMustBeAMonthWrittenYearDashMonth) {
  for (std::string bad : {"2003-13", "2003-00", "2003-4", "April", "2003-1x", "2003-+4", "+2003-4"}) {
    SCOPED_TRACE(bad);
    auto r = load_only(horizon_plan(bad, "4", "quarter"));
    expect_only(r.diags, {3, 10, "", {"horizon start", "YYYY-MM", "'" + bad + "'"}});
  }
}

TEST(PlanLoader, HorizonStepMustBeMonthQuarterOrYear) {
  auto r = load_only(horizon_plan("2003-04", "4", "weekly"));
  expect_only(r.diags, {5, 9, "", {"horizon step must be month, quarter or year", "'weekly'"}});

  auto typo = load_only(horizon_plan("2003-04", "4", "quater"));
  expect_only(typo.diags, {5, 9, "", {"'quater'"}, {"did you mean 'quarter'?"}});
}

TEST(PlanLoader, HorizonPeriodsMustBeAWholeNumberAtLeastOne) {
  for (std::string bad : {"0", "-3", "2.5"}) {
    SCOPED_TRACE(bad);
    auto r = load_only(horizon_plan("2003-04", bad, "quarter"));
    expect_only(r.diags, {4, 12, "", {"horizon periods", "whole number >= 1", "got " + bad}});
  }
  auto words = load_only(horizon_plan("2003-04", "four", "quarter"));
  expect_only(words.diags, {4, 12, "", {"horizon periods must be a number", "'four'"}});
}

TEST(PlanLoader, HorizonPeriodsOverTheLimitSayHowToRaiseIt) {
  auto r = load_only(horizon_plan("2003-04", std::to_string(kMaxPeriods + 1), "month"));
  expect_only(r.diags,
              {4, 12, "", {"horizon periods 601", "limit of 600"}, {"longer step", "kMaxPeriods"}});

  auto at_limit = load_only(horizon_plan("2003-04", std::to_string(kMaxPeriods), "month"));
  EXPECT_TRUE(at_limit.diags.ok()) << at_limit.diags.to_string();
  EXPECT_EQ(at_limit.plan->horizon.periods, kMaxPeriods);
}

// ---- node names ---------------------------------------------------------------

TEST(PlanLoader, DuplicateNodeNameAcrossSectionsNamesTheFirstUse) {
  auto r = load_only(with_head(R"(
assumptions:
  growth: 0.1
measures:
  growth: {baseline: 1}
)"));
  expect_only(r.diags, {6, 3, "growth", {"'growth' is already used by the assumption at line 4"},
                        {"unique across all sections"}});
}

TEST(PlanLoader, InvalidNodeNamesAreRefused) {
  for (std::string bad : {"Upper", "1abc", "t", "normal", "funding", "and", "cum"}) {
    SCOPED_TRACE(bad);
    auto r = load_only(with_head("assumptions:\n  " + bad + ": 1\n"));
    expect_only(r.diags, {4, 3, bad, {"'" + bad + "' is not a valid node name"}, {"lower-case"}});
  }
}

TEST(PlanLoader, NodeNamesAreLowerCaseLettersDigitsAndUnderscores) {
  for (const char* good : {"a", "_x", "cju_staff", "rate2", "tt", "normals", "funding_gap"})
    EXPECT_TRUE(valid_node_name(good)) << good;
  for (const char* bad : {"", "A", "a-b", "a b", "9lives", "t", "if", "prev", "or", "not"})
    EXPECT_FALSE(valid_node_name(bad)) << bad;
  EXPECT_FALSE(valid_node_name(std::string(129, 'a')));
}

// ---- numbers ----------------------------------------------------------------------

TEST(PlanLoader, NanAndInfinityAreRefusedAsValues) {
  for (std::string bad : {".nan", ".NaN", ".inf", "-.inf", ".Inf"}) {
    SCOPED_TRACE(bad);
    auto r = load_only(with_head("assumptions:\n  growth: " + bad + "\n"));
    expect_only(r.diags, {4, 11, "growth", {"'" + bad + "'", "not a finite number"}});
  }
}

TEST(PlanLoader, NanAndInfinityAreRefusedInSettingsAndRanges) {
  auto settings = load_only(with_head("settings: {confidence: .nan}\n"));
  expect_only(settings.diags, {3, 24, "", {"settings confidence", "finite number", "'.nan'"}});

  auto range = load_only(with_head(R"(
measures:
  rate:
    baseline: 0.5
    range: [0, .inf]
)"));
  expect_only(range.diags, {6, 16, "rate", {"range high", "finite number", "'.inf'"}});
}

TEST(PlanLoader, LikelihoodOutsideZeroToOneIsRefused) {
  for (std::string bad : {"1.2", "-0.1"}) {
    SCOPED_TRACE(bad);
    auto r = load_only(with_head("risks:\n  late:\n    likelihood: " + bad + "\n"));
    expect_only(r.diags, {5, 17, "late", {"likelihood is a probability", "[0, 1]", "got " + bad}});
  }
}

TEST(PlanLoader, RagThresholdOutsideZeroToOneIsRefused) {
  auto r = load_only(with_head("settings: {rag: {green: 1.5}}\n"));
  expect_only(r.diags, {3, 25, "", {"settings rag green", "probability", "[0, 1]", "got 1.5"}});
}

TEST(PlanLoader, RagAmberAboveGreenQuotesBothThresholds) {
  auto r = load_only(with_head("settings: {rag: {green: 0.6, amber: 0.7}}\n"));
  expect_only(r.diags, {3, 17, "", {"amber (0.7) must not be above green (0.6)"}});
}

TEST(PlanLoader, LikelihoodScaleEntryOutsideZeroToOneIsRefused) {
  auto r = load_only(with_head("scales: {likelihood: {H: 1.3}}\n"));
  expect_only(r.diags, {3, 26, "", {"likelihood label 'H'", "[0, 1]", "got 1.3"}});
}

TEST(PlanLoader, UnknownLikelihoodLabelSuggestsTheNearestLabel) {
  auto r = load_only(with_head("risks:\n  late:\n    likelihood: HH\n"));
  expect_only(r.diags, {5, 17, "late", {"unknown likelihood label 'HH'"}, {"did you mean 'H'?"}});

  auto far = load_only(with_head("risks:\n  late:\n    likelihood: XYZ\n"));
  expect_only(far.diags, {5, 17, "late", {"unknown likelihood label 'XYZ'"}, {"VL", "L", "M", "H", "VH"}});
}

// ---- months ---------------------------------------------------------------------

std::string target_by(const std::string& by) {
  return with_head(R"(
measures:
  rate: {baseline: 0.5}
targets:
  low:
    measure: rate
    at_most: 0.4
    by: )" + by + "\n");
}

TEST(PlanLoader, MonthOutsideTheHorizonNamesTheHorizon) {
  auto r = load_only(target_by("2005-01"));
  expect_only(r.diags, {9, 9, "low", {"by 2005-01", "outside the horizon 2003-04 .. 2004-03"}});

  auto before = load_only(with_head("actions:\n  early:\n    from: 2003-03\n"));
  expect_only(before.diags, {5, 11, "early", {"from 2003-03", "outside the horizon"}});
}

TEST(PlanLoader, MilestoneMonthOutsideTheHorizonIsAnError) {
  auto r = load_only(with_head(R"(
measures:
  rate: {baseline: 0.5}
targets:
  low:
    measure: rate
    at_most: 0.4
    milestones:
      - {at_most: 0.6, by: 2002-12}
)"));
  expect_only(r.diags, {10, 28, "low", {"milestone by 2002-12", "outside the horizon"}});
}

TEST(PlanLoader, MalformedMonthsAreRefused) {
  for (std::string bad : {"2003-4", "2003-13", "03-04", "2003/04", "2003-1x", "2003-+4", "+2003-4"}) {
    SCOPED_TRACE(bad);
    auto r = load_only(target_by(bad));
    expect_only(r.diags, {9, 9, "low", {"by must be a month written YYYY-MM", "'" + bad + "'"}});
  }
  auto due = load_only(with_head("actions:\n  meet:\n    due: 2003-6\n"));
  expect_only(due.diags, {5, 10, "meet", {"due must be a month written YYYY-MM", "'2003-6'"}});
}

TEST(PlanLoader, ActionStartingAfterItIsDueQuotesBothMonths) {
  auto r = load_only(with_head(R"(
actions:
  late:
    from: 2003-10
    due: 2003-06
)"));
  expect_only(r.diags, {5, 11, "late", {"from 2003-10", "after it is due", "2003-06"}});
}

// ---- values -------------------------------------------------------------------------

TEST(PlanLoader, PathMustHaveOneValuePerPeriod) {
  auto r = load_only(with_head("assumptions:\n  cut: [0, 0.05]\n"));
  expect_only(r.diags, {4, 8, "cut", {"one value per period", "4 expected, 2 given"}});

  auto long_path = load_only(with_head("assumptions:\n  cut: [0, 0.05, 0.1, 0.15, 0.2]\n"));
  expect_only(long_path.diags, {4, 8, "cut", {"4 expected, 5 given"}});
}

TEST(PlanLoader, MeasureWithoutValueOrBaselineIsAnError) {
  auto r = load_only(with_head(R"(
measures:
  rate:
    unit: share
)"));
  expect_only(r.diags, {5, 5, "rate", {"needs a 'value' or a 'baseline'"}});
}

TEST(PlanLoader, BaselineMustBeConstant) {
  auto r = load_only(with_head(R"(
assumptions:
  growth: 0.1
measures:
  rate:
    baseline: 0.5 + growth
)"));
  expect_only(r.diags, {7, 15, "rate", {"baseline must be a constant"}, {"assumption"}});

  auto random = load_only(with_head("measures:\n  rate:\n    baseline: normal(0.5, 0.1)\n"));
  expect_only(random.diags, {5, 15, "rate", {"baseline must be a constant"}});

  auto arithmetic = load_only(with_head("measures:\n  rate:\n    baseline: 0.5 + 2 * max(0.1, 0.05)\n"));
  EXPECT_TRUE(arithmetic.diags.ok()) << arithmetic.diags.to_string();
}

TEST(PlanLoader, RangeLowAboveHighIsAnError) {
  auto r = load_only(with_head(R"(
measures:
  rate:
    baseline: 0.5
    range: [1, 0]
)"));
  expect_only(r.diags, {6, 12, "rate", {"range low must not be above range high"}});

  auto one = load_only(with_head("measures:\n  rate:\n    baseline: 0.5\n    range: [0]\n"));
  expect_only(one.diags, {6, 12, "rate", {"range must be a list of two numbers"}});
}

// ---- targets ---------------------------------------------------------------------

TEST(PlanLoader, TargetWithBothAtMostAndAtLeastIsAnError) {
  auto r = load_only(with_head(R"(
measures:
  rate: {baseline: 0.5}
targets:
  low:
    measure: rate
    at_most: 0.6
    at_least: 0.2
)"));
  expect_only(r.diags, {9, 15, "low", {"either at_most or at_least, not both"}});
}

TEST(PlanLoader, TargetThresholdMustBeConstant) {
  auto r = load_only(with_head(R"(
assumptions:
  growth: 0.1
measures:
  rate: {baseline: 0.5}
targets:
  low:
    measure: rate
    at_most: 0.5 - growth
)"));
  expect_only(r.diags, {10, 14, "low", {"a threshold must be a constant"}});
}

TEST(PlanLoader, TargetWithoutThresholdIsAnError) {
  auto r = load_only(with_head(R"(
measures:
  rate: {baseline: 0.5}
targets:
  low:
    measure: rate
)"));
  expect_only(r.diags, {7, 5, "low", {"needs a threshold: at_most or at_least"}});
}

TEST(PlanLoader, CompositeTargetWithMilestonesIsAnError) {
  auto r = load_only(with_head(R"(
measures:
  rate: {baseline: 0.5}
targets:
  low: {measure: rate, at_most: 0.6}
  both:
    all_of: [low]
    milestones:
      - {at_most: 0.6, by: 2003-10}
)"));
  expect_only(r.diags, {9, 5, "both", {"composite target has no 'milestones'"},
                        {"set it on the targets it combines"}});
}

TEST(PlanLoader, TargetThatIsBothMeasureAndCompositeIsAnError) {
  auto r = load_only(with_head(R"(
measures:
  rate: {baseline: 0.5}
targets:
  low: {measure: rate, at_most: 0.6}
  both:
    measure: rate
    any_of: [low]
)"));
  expect_only(r.diags, {8, 5, "both", {"either a measure target or one composite"}});
}

TEST(PlanLoader, AtLeastOfCountAboveItsPartsIsAnError) {
  auto r = load_only(with_head(R"(
measures:
  rate: {baseline: 0.5}
targets:
  low: {measure: rate, at_most: 0.6}
  high: {measure: rate, at_least: 0.1}
  two:
    at_least_of: {count: 3, of: [low, high]}
)"));
  expect_only(r.diags, {9, 18, "two", {"count 3", "more than the 2 targets"}});
}

// ---- expressions ---------------------------------------------------------------------

TEST(PlanLoader, ExpressionSyntaxErrorNamesItsNodeAndColumn) {
  auto r = load_only(with_head("assumptions:\n  growth: 0.1 + * 2\n"));
  ASSERT_EQ(r.diags.size(), 1u) << r.diags.to_string();
  const rules::Diagnostic& d = r.diags.list()[0];
  EXPECT_EQ(d.pos.line, 4);
  EXPECT_EQ(d.pos.col, 17);  // the '*'
  EXPECT_EQ(d.node, "growth");
}

TEST(PlanLoader, QuotedExpressionColumnsCountFromInsideTheQuotes) {
  auto r = load_only(with_head("assumptions:\n  growth: \"0.1 + * 2\"\n"));
  ASSERT_EQ(r.diags.size(), 1u) << r.diags.to_string();
  EXPECT_EQ(r.diags.list()[0].pos.line, 4);
  EXPECT_EQ(r.diags.list()[0].pos.col, 18);  // the '*', one further right for the quote
}

// ---- all at once ------------------------------------------------------------------------

TEST(PlanLoader, ReportsEveryIndependentMistakeInOneLoad) {
  auto r = load_only(R"(plan: Test plan
horizon: {start: 2003-04, periods: 4, step: quarter}
assumptions:
  Growth: 0.1
  cut: [0, 0.1]
risks:
  late: {likelihood: HH}
measures:
  rate: {baseline: 0.5, valeu: 1}
targets:
  low: {measure: rate, at_most: 0.5, by: 2005-01}
)");
  ASSERT_EQ(r.diags.size(), 5u) << r.diags.to_string();
  expect_diagnostic(r.diags.list()[0], {4, 3, "Growth", {"not a valid node name"}});
  expect_diagnostic(r.diags.list()[1], {5, 8, "cut", {"4 expected, 2 given"}});
  expect_diagnostic(r.diags.list()[2], {7, 22, "late", {"unknown likelihood label 'HH'"}});
  expect_diagnostic(r.diags.list()[3], {9, 25, "rate", {"unknown key 'valeu'"}});
  expect_diagnostic(r.diags.list()[4], {11, 42, "low", {"by 2005-01", "outside the horizon"}});
}

// ---- a correct plan, read field by field -------------------------------------------------

constexpr const char* kFullPlan = R"(plan: Full plan
horizon:
  start: 2003-04
  periods: 4
  step: quarter
settings:
  samples: 5000
  seed: 42
  confidence: 0.9
  rag: {green: 0.75, amber: 0.4}
scales:
  likelihood: {H: 0.7, XH: 0.95}
assumptions:
  growth:
    value: normal(0.03, 0.02)
    label: Caseload growth
    owner: Analyst
    unit: share
    notes: From the 2002 survey
  sickness: {value: 'uniform(0.04, 0.07)', per: period}
  cut: [0, 0.03, 0.06, 0.1]
resources:
  hours: {unit: hours, available: 400 * (1 - sickness)}
actions:
  meet:
    needs: {hours: 9}
    from: 2003-07
    due: 2003-12
    delivery: 0.9 * funding
  review: {due: 2004-03}
risks:
  poor_files:
    likelihood: H
    impact: 0.03
    mitigated_by: {review: 0.5, meet: 0.8}
  extreme: {likelihood: XH}
  mild: {likelihood: 0.1}
measures:
  rate:
    baseline: 0.67
    value: prev(rate) - 0.05 * meet + poor_files + cut
    range: [0, 1]
targets:
  cut_rate:
    label: Cut the rate to 50% by March 2004
    measure: rate
    at_most: 0.5
    by: 2004-03
    milestones:
      - {at_most: 0.6, by: 2003-10}
  hold_rate: {measure: rate, at_least: 0.1}
  one_of_two: {at_least_of: {count: 1, of: [cut_rate, hold_rate]}}
  both: {all_of: [cut_rate, hold_rate]}
  either: {any_of: [cut_rate, hold_rate]}
)";

TEST(PlanLoader, ReadsEveryFieldOfAFullPlan) {
  auto r = load_only(kFullPlan);
  ASSERT_TRUE(r.plan);
  ASSERT_TRUE(r.diags.ok()) << r.diags.to_string();
  const Plan& p = *r.plan;

  EXPECT_EQ(p.file, test::kFile);
  EXPECT_EQ(p.text, kFullPlan);
  EXPECT_EQ(p.title, "Full plan");
  EXPECT_EQ(p.horizon.start_year, 2003);
  EXPECT_EQ(p.horizon.start_month, 4);
  EXPECT_EQ(p.horizon.periods, 4);
  EXPECT_EQ(p.horizon.step, Step::kQuarter);

  EXPECT_EQ(p.settings.samples, 5000u);
  EXPECT_EQ(p.settings.seed, 42u);
  EXPECT_DOUBLE_EQ(p.settings.confidence, 0.9);
  EXPECT_DOUBLE_EQ(p.settings.rag.green, 0.75);
  EXPECT_DOUBLE_EQ(p.settings.rag.amber, 0.4);

  // The plan's scale overrides H, adds XH and keeps the other defaults.
  EXPECT_DOUBLE_EQ(p.likelihood_scale.at("H"), 0.7);
  EXPECT_DOUBLE_EQ(p.likelihood_scale.at("XH"), 0.95);
  EXPECT_DOUBLE_EQ(p.likelihood_scale.at("VL"), 0.05);
  EXPECT_DOUBLE_EQ(p.likelihood_scale.at("VH"), 0.85);

  ASSERT_EQ(p.assumptions.size(), 3u);
  const Assumption& growth = p.assumptions[0];
  EXPECT_EQ(growth.info.name, "growth");
  EXPECT_EQ(growth.info.kind, NodeKind::kAssumption);
  EXPECT_EQ(growth.info.pos.line, 14);
  EXPECT_EQ(growth.info.pos.col, 3);
  EXPECT_EQ(growth.info.label, "Caseload growth");
  EXPECT_EQ(growth.info.owner, "Analyst");
  EXPECT_EQ(growth.info.unit, "share");
  EXPECT_EQ(growth.info.notes, "From the 2002 survey");
  EXPECT_FALSE(growth.per_period);
  ASSERT_TRUE(growth.value);
  EXPECT_EQ(rules::to_string(*growth.value), "normal(0.03, 0.02)");
  EXPECT_TRUE(growth.path.empty());
  EXPECT_TRUE(p.assumptions[1].per_period);
  const Assumption& cut = p.assumptions[2];
  EXPECT_EQ(cut.value, nullptr);
  ASSERT_EQ(cut.path.size(), 4u);
  EXPECT_DOUBLE_EQ(number_of(cut.path[0]), 0.0);
  EXPECT_DOUBLE_EQ(number_of(cut.path[3]), 0.1);

  ASSERT_EQ(p.resources.size(), 1u);
  EXPECT_EQ(p.resources[0].info.unit, "hours");
  ASSERT_TRUE(p.resources[0].available);
  EXPECT_EQ(rules::to_string(*p.resources[0].available), "(400 * (1 - sickness))");

  ASSERT_EQ(p.actions.size(), 2u);
  const Action& meet = p.actions[0];
  ASSERT_EQ(meet.needs.size(), 1u);
  EXPECT_EQ(meet.needs[0].resource, "hours");
  EXPECT_EQ(meet.needs[0].pos.line, 26);
  EXPECT_EQ(meet.needs[0].pos.col, 13);
  EXPECT_DOUBLE_EQ(number_of(meet.needs[0].amount), 9.0);
  EXPECT_EQ(meet.from, 1);  // 2003-07 is the second quarter
  EXPECT_EQ(meet.due, 2);   // 2003-12 is in the third, 2003-10..12
  ASSERT_TRUE(meet.delivery);
  EXPECT_EQ(rules::to_string(*meet.delivery), "(0.9 * funding)");
  const Action& review = p.actions[1];
  EXPECT_TRUE(review.needs.empty());
  EXPECT_EQ(review.from, 0);
  EXPECT_EQ(review.due, 3);
  EXPECT_EQ(review.delivery, nullptr);  // defaults to funding

  ASSERT_EQ(p.risks.size(), 3u);
  const Risk& poor = p.risks[0];
  EXPECT_DOUBLE_EQ(number_of(poor.likelihood), 0.7);  // H from the plan's scale
  EXPECT_DOUBLE_EQ(number_of(poor.impact), 0.03);
  ASSERT_EQ(poor.mitigated_by.size(), 2u);
  EXPECT_EQ(poor.mitigated_by[0].action, "review");
  EXPECT_DOUBLE_EQ(poor.mitigated_by[0].factor, 0.5);
  EXPECT_EQ(poor.mitigated_by[1].action, "meet");
  EXPECT_DOUBLE_EQ(poor.mitigated_by[1].factor, 0.8);
  EXPECT_DOUBLE_EQ(number_of(p.risks[1].likelihood), 0.95);
  EXPECT_DOUBLE_EQ(number_of(p.risks[2].likelihood), 0.1);
  EXPECT_EQ(p.risks[2].impact, nullptr);  // defaults to 1

  ASSERT_EQ(p.measures.size(), 1u);
  const Measure& rate = p.measures[0];
  EXPECT_DOUBLE_EQ(number_of(rate.baseline), 0.67);
  ASSERT_TRUE(rate.value);
  ASSERT_TRUE(rate.range);
  EXPECT_DOUBLE_EQ(rate.range->first, 0.0);
  EXPECT_DOUBLE_EQ(rate.range->second, 1.0);

  ASSERT_EQ(p.targets.size(), 5u);
  const Target& cut_rate = p.targets[0];
  EXPECT_FALSE(cut_rate.composite());
  EXPECT_EQ(cut_rate.info.label, "Cut the rate to 50% by March 2004");
  EXPECT_EQ(cut_rate.measure, "rate");
  EXPECT_EQ(cut_rate.direction, Direction::kAtMost);
  EXPECT_DOUBLE_EQ(number_of(cut_rate.threshold), 0.5);
  EXPECT_EQ(cut_rate.by, 3);
  ASSERT_EQ(cut_rate.milestones.size(), 1u);
  EXPECT_EQ(cut_rate.milestones[0].direction, Direction::kAtMost);
  EXPECT_DOUBLE_EQ(number_of(cut_rate.milestones[0].threshold), 0.6);
  EXPECT_EQ(cut_rate.milestones[0].by, 2);
  const Target& hold = p.targets[1];
  EXPECT_EQ(hold.direction, Direction::kAtLeast);
  EXPECT_DOUBLE_EQ(number_of(hold.threshold), 0.1);
  EXPECT_EQ(hold.by, 3);  // defaults to the last period
  const Target& one_of_two = p.targets[2];
  EXPECT_EQ(one_of_two.combine, Combine::kAtLeastOf);
  EXPECT_EQ(one_of_two.at_least_count, 1);
  ASSERT_EQ(one_of_two.parts.size(), 2u);
  EXPECT_EQ(one_of_two.parts[0].name, "cut_rate");
  EXPECT_EQ(one_of_two.parts[1].name, "hold_rate");
  EXPECT_EQ(p.targets[3].combine, Combine::kAllOf);
  EXPECT_EQ(p.targets[4].combine, Combine::kAnyOf);
  EXPECT_EQ(p.targets[4].parts.size(), 2u);

  // The index finds every node by name, with its kind and place.
  EXPECT_EQ(p.index.size(), 15u);
  EXPECT_EQ(p.index.at("review").kind, NodeKind::kAction);
  EXPECT_EQ(p.index.at("review").index, 1u);
  EXPECT_EQ(p.info(p.index.at("both")).name, "both");
  EXPECT_EQ(p.node_names().size(), 10u);  // what expressions may read: not the 5 targets
}

TEST(PlanLoader, DefaultsApplyWhenOptionalFieldsAreAbsent) {
  auto r = load_only(with_head(R"(
actions:
  meet: {}
risks:
  late: {likelihood: M}
measures:
  rate: {baseline: 0.5}
targets:
  low: {measure: rate, at_most: 0.4}
)"));
  ASSERT_TRUE(r.diags.ok()) << r.diags.to_string();
  const Plan& p = *r.plan;
  EXPECT_FALSE(p.settings.samples.has_value());
  EXPECT_FALSE(p.settings.seed.has_value());
  EXPECT_DOUBLE_EQ(p.settings.confidence, 0.8);
  EXPECT_DOUBLE_EQ(p.settings.rag.green, 0.8);
  EXPECT_DOUBLE_EQ(p.settings.rag.amber, 0.5);
  EXPECT_DOUBLE_EQ(p.likelihood_scale.at("M"), 0.35);
  EXPECT_EQ(p.actions[0].from, 0);
  EXPECT_EQ(p.actions[0].due, 3);
  EXPECT_DOUBLE_EQ(number_of(p.risks[0].likelihood), 0.35);
  EXPECT_EQ(p.measures[0].value, nullptr);
  EXPECT_FALSE(p.measures[0].range.has_value());
  EXPECT_EQ(p.targets[0].by, 3);
  EXPECT_TRUE(p.targets[0].milestones.empty());
}

// ---- the horizon's calendar ----------------------------------------------------------

TEST(Horizon, PeriodOfFindsThePeriodContainingAMonth) {
  Horizon h;
  h.start_year = 2003;
  h.start_month = 4;
  h.periods = 4;
  h.step = Step::kQuarter;
  EXPECT_EQ(h.period_of(2003, 4), 0);
  EXPECT_EQ(h.period_of(2003, 6), 0);
  EXPECT_EQ(h.period_of(2003, 7), 1);
  EXPECT_EQ(h.period_of(2003, 10), 2);  // plan-format.md section 1's example
  EXPECT_EQ(h.period_of(2004, 3), 3);
  EXPECT_EQ(h.period_of(2004, 4), -1);
  EXPECT_EQ(h.period_of(2003, 3), -1);
  EXPECT_EQ(h.period_of(2002, 12), -1);
}

TEST(Horizon, LabelIsTheFirstMonthOfThePeriodAcrossYearEnds) {
  Horizon q;
  q.start_year = 2003;
  q.start_month = 4;
  q.periods = 4;
  q.step = Step::kQuarter;
  EXPECT_EQ(q.label(0), "2003-04");
  EXPECT_EQ(q.label(3), "2004-01");

  Horizon m;
  m.start_year = 2003;
  m.start_month = 11;
  m.periods = 14;
  m.step = Step::kMonth;
  EXPECT_EQ(m.label(1), "2003-12");
  EXPECT_EQ(m.label(2), "2004-01");
  EXPECT_EQ(m.label(13), "2004-12");
  EXPECT_EQ(m.period_of(2004, 12), 13);

  EXPECT_EQ(q.end_label(), "2004-03");

  Horizon y;
  y.start_year = 2003;
  y.start_month = 4;
  y.periods = 3;
  y.step = Step::kYear;
  EXPECT_EQ(y.label(2), "2005-04");
  EXPECT_EQ(y.period_of(2006, 3), 2);
  EXPECT_EQ(y.period_of(2006, 4), -1);
  EXPECT_EQ(y.end_label(), "2006-03");
  EXPECT_EQ(m.end_label(), "2004-12");
}

}  // namespace
}  // namespace plansim::graph
