// Mistakes in scenario files (plan-format.md sections 11 and 13): each is
// reported with the file, line and column, the node, and what is wrong
// (with a suggestion where one is likely), and nothing runs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/scenarios/scenario_runner.h"

namespace plansim::scenarios::test {
namespace {

using ::testing::HasSubstr;

// Line numbers matter: the tests below name them.
const std::string kPlan = R"yaml(plan: errors
horizon: {start: 2003-04, periods: 4, step: quarter}
assumptions:
  growth: normal(0.03, 0.02)
  cut: [0, 0, 0, 0]
resources:
  hours: {available: 100}
actions:
  meet: {needs: {hours: 10}, due: 2003-06}
risks:
  bad_files: {likelihood: M, impact: 0.05}
measures:
  rate: {baseline: 0.6, value: prev(rate) + growth + bad_files - 0.05 * meet}
targets:
  low_rate: {measure: rate, at_most: 0.6}
  all_good: {all_of: [low_rate]}
)yaml";

// What a diagnostic in the scenario file the test wrote (scenario1.yaml)
// must say: where, which node, words in the message (the first finds it)
// and in the hint (none: the hint is not checked).
struct Expected {
  int line = 0;
  int col = 0;
  std::string node;
  std::vector<std::string> words;
  std::vector<std::string> hint_words;
};

// The diagnostics of the plan with one scenario, which must include one
// that matches `e` in every field.
void expect_error(const std::string& scenario_yaml, const Expected& e) {
  ScratchDir dir;
  const rules::Diagnostics diags = diagnose(dir, kPlan, {scenario_yaml});
  ASSERT_FALSE(diags.ok()) << "no error for:\n" << scenario_yaml;
  ASSERT_FALSE(e.words.empty());
  const rules::Diagnostic* d = find_diagnostic(diags, e.words[0]);
  ASSERT_NE(d, nullptr) << "no diagnostic says '" << e.words[0] << "'; got:\n" << diags.to_string();
  EXPECT_EQ(d->file, dir.path("scenario1.yaml")) << rules::format(*d);
  EXPECT_EQ(d->pos.line, e.line) << rules::format(*d);
  EXPECT_EQ(d->pos.col, e.col) << rules::format(*d);
  EXPECT_EQ(d->node, e.node) << rules::format(*d);
  for (const auto& w : e.words) EXPECT_THAT(d->message, HasSubstr(w)) << rules::format(*d);
  for (const auto& w : e.hint_words) EXPECT_THAT(d->hint, HasSubstr(w)) << rules::format(*d);
}

TEST(ScenarioErrors, UnknownNodeIsNamedWithASuggestion) {
  expect_error("scenario: typo\nshift:\n  growht: 0.01\n",
               {3, 3, "growht", {"the plan has no node 'growht'"}, {"did you mean 'growth'?"}});
}

TEST(ScenarioErrors, UnknownNodeInSetScaleAndForceIsNamedToo) {
  expect_error("scenario: typo\nset: {growth: 0.01, cutt: [1, 2, 3, 4]}\n",
               {2, 21, "cutt", {"set", "no node 'cutt'"}, {"did you mean 'cut'?"}});
  expect_error("scenario: typo\nscale:\n  hour: 0.5\n", {3, 3, "hour", {"scale", "no node 'hour'"}, {"'hours'"}});
  expect_error("scenario: typo\nforce:\n  bad_file: occurs\n",
               {3, 3, "bad_file", {"force", "no node 'bad_file'"}, {"'bad_files'"}});
}

TEST(ScenarioErrors, PathOfTheWrongLengthSaysHowManyValuesItNeeds) {
  expect_error("scenario: short\nset:\n  cut: [0.1, 0.2]\n", {3, 3, "cut", {"4 expected, 2 given"}, {}});
}

TEST(ScenarioErrors, PathForANodeThatIsNotAnAssumptionIsAnError) {
  expect_error("scenario: path\nset:\n  hours: [1, 2, 3, 4]\n",
               {3, 3, "hours", {"only an assumption can be set to a path"}, {}});
}

TEST(ScenarioErrors, ScalingOrShiftingATargetIsAnError) {
  expect_error("scenario: st\nscale:\n  low_rate: 0.9\n",
               {3, 3, "low_rate", {"a target cannot be scaled"}, {"measure"}});
  expect_error("scenario: st\nshift:\n  low_rate: 0.1\n",
               {3, 3, "low_rate", {"a target cannot be shifted"}, {"measure"}});
}

TEST(ScenarioErrors, ScalingACompositeTargetIsAnError) {
  expect_error("scenario: st\nscale:\n  all_good: 0.9\n", {3, 3, "all_good", {"a target cannot be scaled"}, {}});
}

TEST(ScenarioErrors, SettingATargetIsAnError) {
  expect_error("scenario: st\nset:\n  low_rate: 0.5\n", {3, 3, "low_rate", {"a target cannot be set"}, {}});
}

TEST(ScenarioErrors, ForcingSomethingThatIsNotARiskIsAnError) {
  expect_error("scenario: f\nforce:\n  meet: occurs\n", {3, 3, "meet", {"only a risk can be forced", "'meet'"}, {}});
  expect_error("scenario: f\nforce:\n  rate: never\n", {3, 3, "rate", {"only a risk can be forced", "'rate'"}, {}});
}

TEST(ScenarioErrors, ForcingAnActionWithARisksValueOrTheReverseSaysWhichValuesFit) {
  expect_error("scenario: f\nforce:\n  meet: never\n",
               {3, 3, "meet", {"only a risk can be forced to occur or never", "an action"}, {"'delivered'"}});
  expect_error("scenario: f\nforce:\n  bad_files: delivered\n",
               {3, 3, "bad_files", {"only an action can be forced delivered"}, {"'occurs' or 'never'"}});
  expect_error("scenario: f\nforce:\n  rate: not_delivered\n",
               {3, 3, "rate", {"only an action can be forced", "a measure"}, {}});
}

TEST(ScenarioErrors, ForceValueOtherThanOccursOrNeverIsAnError) {
  expect_error("scenario: f\nforce:\n  bad_files: sometimes\n",
               {3, 14, "bad_files", {"'occurs' or 'never'", "'sometimes'"}, {}});
}

TEST(ScenarioErrors, UnknownKeyIsAnErrorWithASuggestion) {
  expect_error("scenario: k\nshft: {growth: 0.01}\n", {2, 1, "", {"unknown key 'shft'"}, {"did you mean 'shift'?"}});
  // Too far from any key for a suggestion: the allowed keys instead.
  expect_error("scenario: k\nchanges: {growth: 0.01}\n", {2, 1, "", {"unknown key 'changes'"}, {"allowed keys:"}});
}

TEST(ScenarioErrors, ScenarioWithoutANameIsAnError) {
  expect_error("label: no name\nshift: {growth: 0.01}\n", {1, 1, "", {"needs 'scenario'"}, {}});
}

TEST(ScenarioErrors, UnknownNameInASetExpressionIsReportedInTheScenarioFile) {
  expect_error("scenario: e\nset:\n  growth: grwth * 2\n", {3, 11, "growth", {"unknown name 'grwth'"}, {"'growth'"}});
}

TEST(ScenarioErrors, ResponseChangingAnUnknownNodeIsReportedInTheScenarioFile) {
  expect_error("scenario: r\nresponses:\n  - label: r\n    when: t >= 1\n    add: {hour: 5}\n",
               {5, 11, "response#1", {"'hour'", "not a node of the plan"}, {"did you mean 'hours'?"}});
}

TEST(ScenarioErrors, EveryMistakeInAFileIsReportedAtOnce) {
  ScratchDir dir;
  const rules::Diagnostics diags =
      diagnose(dir, kPlan, {"scenario: many\nshift: {growht: 1}\nscale: {low_rate: 2}\nforce: {meet: occurs}\n"});
  EXPECT_EQ(diags.size(), 3u) << diags.to_string();
  EXPECT_NE(find_diagnostic(diags, "no node 'growht'"), nullptr) << diags.to_string();
  EXPECT_NE(find_diagnostic(diags, "a target cannot be scaled"), nullptr) << diags.to_string();
  EXPECT_NE(find_diagnostic(diags, "only a risk can be forced"), nullptr) << diags.to_string();
}

TEST(ScenarioErrors, MissingScenarioFileIsNamed) {
  ScratchDir dir;
  const std::string missing = dir.path("no-such-scenario.yaml");
  rules::Diagnostics diags;
  EXPECT_EQ(load_scenario_file(missing, diags), nullptr);
  ASSERT_EQ(diags.size(), 1u) << diags.to_string();
  EXPECT_EQ(diags.list()[0].file, missing);
  EXPECT_THAT(diags.list()[0].message, HasSubstr("cannot read"));
}

TEST(ScenarioErrors, ExtendingAMissingFileNamesTheExtendsLine) {
  ScratchDir dir;
  const std::string child = dir.write("child.yaml", "scenario: child\nextends: nowhere.yaml\n");
  rules::Diagnostics diags;
  EXPECT_EQ(load_scenario_file(child, diags), nullptr);
  const rules::Diagnostic* d = find_diagnostic(diags, "cannot use the scenario it extends");
  ASSERT_NE(d, nullptr) << diags.to_string();
  EXPECT_EQ(d->file, child);
  EXPECT_EQ(d->pos.line, 2);
  EXPECT_EQ(d->pos.col, 10);
  EXPECT_THAT(d->message, HasSubstr("nowhere.yaml"));
  EXPECT_NE(find_diagnostic(diags, "cannot read"), nullptr) << diags.to_string();
}

TEST(ScenarioErrors, ExtendsCycleIsAnErrorNamingTheChainAndWhereItCloses) {
  // a.yaml extends b.yaml, which extends a.yaml. Loading a.yaml reaches a
  // again from b, so the cycle closes at b.yaml's `extends:` (line 2, col 10).
  ScratchDir dir;
  const std::string a = dir.write("a.yaml", "scenario: a\nextends: b.yaml\nshift: {growth: 0.01}\n");
  const std::string b = dir.write("b.yaml", "scenario: b\nextends: a.yaml\nshift: {growth: 0.02}\n");
  rules::Diagnostics diags;
  EXPECT_EQ(load_scenario_file(a, diags), nullptr);
  const rules::Diagnostic* d = find_diagnostic(diags, "cycle");
  ASSERT_NE(d, nullptr) << diags.to_string();
  EXPECT_THAT(d->message, HasSubstr("a.yaml"));
  EXPECT_THAT(d->message, HasSubstr("b.yaml"));
  EXPECT_FALSE(d->hint.empty());
  EXPECT_EQ(std::filesystem::path(d->file).filename(), "b.yaml") << rules::format(*d);
  EXPECT_EQ(d->pos.line, 2) << "the cycle's own message has no position:\n" << diags.to_string();
  EXPECT_EQ(d->pos.col, 10) << "the cycle's own message has no position:\n" << diags.to_string();
}

TEST(ScenarioErrors, ScenarioExtendingItselfIsACycle) {
  ScratchDir dir;
  const std::string self = dir.write("self.yaml", "scenario: self\nextends: self.yaml\n");
  rules::Diagnostics diags;
  EXPECT_EQ(load_scenario_file(self, diags), nullptr);
  const rules::Diagnostic* d = find_diagnostic(diags, "cycle");
  ASSERT_NE(d, nullptr) << diags.to_string();
  EXPECT_THAT(d->message, HasSubstr("self.yaml"));
}

}  // namespace
}  // namespace plansim::scenarios::test
