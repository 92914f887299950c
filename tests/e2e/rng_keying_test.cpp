// Draws are keyed by (seed, node name, draw site, period, sample), so an edit
// to one node leaves every result that does not depend on that node bitwise
// unchanged (common random numbers across plan versions), and where a node
// sits in the file does not matter at all.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <regex>
#include <string>
#include <vector>

#include "tests/e2e/plan_runner.h"
#include "tests/e2e/reference_plan.h"

namespace plansim::e2e {
namespace {

constexpr std::uint64_t kSamples = 50001;
constexpr std::uint64_t kSeed = 17;

// Runs both plans and expects the listed targets and measures bitwise
// unchanged and every other target changed.
void expect_only_these_unchanged(const std::string& edited, const std::vector<std::string>& same_targets,
                                 const std::vector<std::string>& same_measures) {
  const auto before = run_plan(kReferencePlan, kSamples, kSeed);
  const auto after = run_plan(edited, kSamples, kSeed);
  ASSERT_EQ(before.base().targets.size(), after.base().targets.size());
  for (const auto& t : before.base().targets) {
    const bool same = std::find(same_targets.begin(), same_targets.end(), t.id) != same_targets.end();
    if (same)
      EXPECT_EQ(bits_of(target(after, t.id)), bits_of(t)) << "target " << t.id << " should not change";
    else
      EXPECT_NE(bits_of(target(after, t.id)), bits_of(t)) << "target " << t.id << " should change";
  }
  for (const auto& id : same_measures)
    EXPECT_EQ(bits_of(measure(after, id)), bits_of(measure(before, id))) << "measure " << id;
}

TEST(RngKeying, EditingAMeasureLeavesTargetsThatDoNotReadItUnchanged) {
  const std::string edited =
      replaced_once(kReferencePlan, "bernoulli(0.1) * 0.02", "bernoulli(0.3) * 0.05 + normal(0, 0.01)");
  // `late` feeds late_down and, through it, effective.
  expect_only_these_unchanged(edited, {"cut_cracked", "cases_up", "spend_ok", "backlog_ok", "any_good", "two_of_three"},
                              {"cracked_rate", "cases", "spend", "backlog"});
}

TEST(RngKeying, EditingAnAssumptionChangesOnlyWhatReadsIt) {
  const std::string edited = replaced_once(kReferencePlan, "quality: beta(2, 5)", "quality: beta(5, 2)");
  expect_only_these_unchanged(edited, {"cut_cracked", "cases_up", "spend_ok", "backlog_ok", "any_good", "two_of_three"},
                              {"cracked_rate", "cases", "spend", "backlog"});
}

TEST(RngKeying, EditingAnActionsDeliveryChangesOnlyWhatReadsIt) {
  // `quick` is read by cracked_rate only.
  const std::string edited = replaced_once(kReferencePlan, "delivery: beta(8, 2)", "delivery: beta(2, 8)");
  expect_only_these_unchanged(edited, {"cases_up", "late_down", "spend_ok", "backlog_ok", "any_good"},
                              {"cases", "late", "spend", "backlog"});
}

TEST(RngKeying, RenamingANodeGivesItFreshDrawsAndLeavesOthersUnchanged) {
  // The draws of a node are keyed by its name: `cases` renamed draws anew,
  // which moves every target that reads it (cases_up, spend_ok, backlog_ok
  // and their composites), while cut_cracked and late_down stay identical.
  const std::string edited = std::regex_replace(kReferencePlan, std::regex(R"(\bcases\b)"), "caseload");
  ASSERT_EQ(edited.find("cases:"), std::string::npos);
  expect_only_these_unchanged(edited, {"cut_cracked", "late_down", "effective"}, {"cracked_rate", "late"});
}

TEST(RngKeying, ReorderingNodesAndSectionsInTheFileChangesNoResult) {
  // Move the `assumptions` section to the end of the file and reverse the
  // order of two measures.
  const auto start = kReferencePlan.find("assumptions:\n");
  const auto end = kReferencePlan.find("resources:\n");
  ASSERT_NE(start, std::string::npos);
  ASSERT_NE(end, std::string::npos);
  std::string moved = kReferencePlan.substr(0, start) + kReferencePlan.substr(end) + "\n" +
                      kReferencePlan.substr(start, end - start);
  const std::string spend = "  spend:\n    value: cum(budget) / 1000 + delay(cases, 1) / 1000\n";
  moved = replaced_once(moved, spend, "");
  moved = replaced_once(moved, "measures:\n", "measures:\n" + spend);

  const auto before = run_plan(kReferencePlan, kSamples, kSeed);
  const auto after = run_plan(moved, kSamples, kSeed);
  ASSERT_EQ(before.base().targets.size(), after.base().targets.size());
  for (const auto& t : before.base().targets) EXPECT_EQ(bits_of(target(after, t.id)), bits_of(t)) << t.id;
  for (const auto& m : before.base().measures) EXPECT_EQ(bits_of(measure(after, m.id)), bits_of(m)) << m.id;
  for (const auto& r : before.base().resources) EXPECT_EQ(bits_of(resource(after, r.id)), bits_of(r)) << r.id;
}

}  // namespace
}  // namespace plansim::e2e
