#include "store/plan_diff.h"

#include <gtest/gtest.h>

namespace plansim::store {
namespace {

const char* const kPlan = R"yaml(# A plan
plan: Test plan
horizon: {start: 2024-04, periods: 4, step: quarter}
settings:
  samples: 1000
  rag: {green: 0.8, amber: 0.5}
assumptions:
  growth: normal(0.03, 0.02)
  absence:
    value: uniform(0.02, 0.10)
    per: period
resources:
  hours:
    label: Hours set aside
    available: 22 * (1 - absence)
actions:
  meet:
    needs: {hours: 9}
    delivery: 0.95 * funding
measures:
  rate:
    baseline: 0.50
    value: 0.5 + growth - 0.1 * meet
    range: [0, 1]
targets:
  cut_rate: {measure: rate, at_most: 0.5}
responses:
  - when: t >= 2
    add: {hours: 6}
)yaml";

// The same plan written differently: comments, flow and block styles, key
// order, quoting of text, number spelling, indentation, whitespace in text.
const char* const kPlanReformatted = R"yaml(plan: "Test plan"   # the title
horizon:
  step: quarter
  start: 2024-04
  periods: 4
settings: {rag: {amber: 5e-1, green: 0.80}, samples: 1000}

assumptions:
    absence:
        per: period
        value: 'uniform(0.02, 0.10)'
    growth: >-
      normal(0.03,
      0.02)
resources:
  hours: {available: "22 * (1 - absence)", label: Hours   set aside}
actions:
  meet: {delivery: 0.95 * funding, needs: {hours: 9}}
measures:
  rate: {value: "0.5 + growth - 0.1 * meet", baseline: 0.5, range: [0, 1.0]}
targets:
  cut_rate:
    at_most: 0.5
    measure: rate
responses: [{add: {hours: 6}, when: "t >= 2"}]
)yaml";

TEST(PlanDiff, FormattingCommentsAndKeyOrderAreNoChange) {
  const PlanDiff d = diff_plans(kPlan, kPlanReformatted);
  EXPECT_TRUE(d.same()) << (d.changed.empty() ? "" : d.changed[0].name)
                        << (d.sections.empty() ? "" : d.sections[0]);
  EXPECT_TRUE(diff_plans(kPlan, kPlan).same());
  EXPECT_TRUE(same_document(kPlan, kPlanReformatted));
}

TEST(PlanDiff, NamesAddedRemovedAndChangedNodesWithTheirSections) {
  std::string edited = kPlan;
  // change a measure, remove an assumption, add a risk and an action
  edited.replace(edited.find("0.1 * meet"), 10, "0.2 * meet");
  const std::string absence = "  absence:\n    value: uniform(0.02, 0.10)\n    per: period\n";
  edited.replace(edited.find(absence), absence.size(), "");
  edited.replace(edited.find("measures:"), 9,
                 "risks:\n  strike: {likelihood: M, impact: 0.05}\nmeasures:");
  edited.replace(edited.find("    delivery: 0.95 * funding\n"), 29,
                 "    delivery: 0.95 * funding\n  review: {needs: {hours: 1}}\n");
  const PlanDiff d = diff_plans(kPlan, edited);
  EXPECT_EQ(d.changed, (std::vector<NodeChange>{{"measures", "rate"}}));
  EXPECT_EQ(d.removed, (std::vector<NodeChange>{{"assumptions", "absence"}}));
  EXPECT_EQ(d.added, (std::vector<NodeChange>{{"actions", "review"}, {"risks", "strike"}}));
  EXPECT_TRUE(d.sections.empty());
  EXPECT_TRUE(d.errors.empty());
  EXPECT_FALSE(d.same());

  const PlanDiff back = diff_plans(edited, kPlan);
  EXPECT_EQ(back.added, (std::vector<NodeChange>{{"assumptions", "absence"}}));
  EXPECT_EQ(back.removed, (std::vector<NodeChange>{{"actions", "review"}, {"risks", "strike"}}));
}

TEST(PlanDiff, ReportsOtherSectionsByName) {
  std::string edited = kPlan;
  edited.replace(edited.find("periods: 4"), 10, "periods: 8");
  edited.replace(edited.find("add: {hours: 6}"), 15, "add: {hours: 8}");
  edited.replace(edited.find("plan: Test plan"), 15, "plan: Test plan v2");
  edited += "scales:\n  likelihood: {M: 0.4}\n";
  const PlanDiff d = diff_plans(kPlan, edited);
  EXPECT_TRUE(d.added.empty() && d.removed.empty() && d.changed.empty());
  EXPECT_EQ(d.sections, (std::vector<std::string>{"plan", "horizon", "responses", "scales"}));
}

TEST(PlanDiff, ANodeMovedToAnotherSectionIsRemovedAndAdded) {
  const PlanDiff d = diff_plans("plan: P\nassumptions:\n  x: 1\n", "plan: P\nresources:\n  x: 1\n");
  EXPECT_EQ(d.removed, (std::vector<NodeChange>{{"assumptions", "x"}}));
  EXPECT_EQ(d.added, (std::vector<NodeChange>{{"resources", "x"}}));
}

TEST(PlanDiff, AQuotedNumberIsTextAndDiffersFromTheNumber) {
  const PlanDiff d = diff_plans("assumptions:\n  x: 1.5\n", "assumptions:\n  x: '1.5'\n");
  EXPECT_EQ(d.changed, (std::vector<NodeChange>{{"assumptions", "x"}}));
  EXPECT_TRUE(diff_plans("assumptions:\n  x: 1.5\n", "assumptions:\n  x: 15e-1\n").same());
}

TEST(PlanDiff, ListOrderMatters) {
  const PlanDiff d = diff_plans("measures:\n  m: {range: [0, 1]}\n", "measures:\n  m: {range: [1, 0]}\n");
  EXPECT_EQ(d.changed, (std::vector<NodeChange>{{"measures", "m"}}));
}

TEST(PlanDiff, AnEmptySectionHasNoNodes) {
  const PlanDiff d = diff_plans("plan: P\nrisks:\n", "plan: P\nrisks:\n  r: {likelihood: L}\n");
  EXPECT_EQ(d.added, (std::vector<NodeChange>{{"risks", "r"}}));
  EXPECT_TRUE(d.sections.empty());
}

TEST(PlanDiff, TextThatIsNotYamlCannotBeCompared) {
  const PlanDiff d = diff_plans("plan: P\n", "plan: [unclosed\n");
  EXPECT_FALSE(d.errors.empty());
  EXPECT_NE(d.errors[0].find("new plan"), std::string::npos) << d.errors[0];
  EXPECT_FALSE(d.same());
  EXPECT_FALSE(same_document("plan: P\n", "plan: [unclosed\n"));
}

TEST(PlanDiff, CanonicalFormsDoNotCollide) {
  // Without length prefixes "ab" + "c" and "a" + "bc" could read the same.
  EXPECT_FALSE(same_document("{ab: c}", "{a: bc}"));
  EXPECT_FALSE(same_document("[a, b]", "['a, b']"));
  EXPECT_FALSE(same_document("x: ~", "x: ''"));
}

}  // namespace
}  // namespace plansim::store
