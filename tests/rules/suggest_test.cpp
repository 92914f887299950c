#include "rules/suggest.h"

#include <gtest/gtest.h>

namespace plansim::rules {
namespace {

TEST(EditDistance, CountsInsertionsDeletionsAndSubstitutions) {
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("abc", ""), 3u);
  EXPECT_EQ(edit_distance("same", "same"), 0u);
  EXPECT_EQ(edit_distance("cju_staf", "cju_staff"), 1u);
  EXPECT_EQ(edit_distance("flaw", "lawn"), 2u);
}

TEST(EditDistance, IsSymmetric) {
  EXPECT_EQ(edit_distance("sunday", "saturday"), edit_distance("saturday", "sunday"));
  EXPECT_EQ(edit_distance("sunday", "saturday"), 3u);
}

// Swapping two adjacent letters is one slip of the fingers, so one edit:
// "lgo" (3 letters, at most 1 edit) still finds "log".
TEST(EditDistance, TranspositionCostsOne) {
  EXPECT_EQ(edit_distance("nromal", "normal"), 1u);
  EXPECT_EQ(edit_distance("lgo", "log"), 1u);
  EXPECT_EQ(edit_distance("ab", "ba"), 1u);
  EXPECT_EQ(edit_distance("abc", "ca"), 3u);  // not a swap of adjacent letters then an insertion
  EXPECT_EQ(closest("lgo", {"log", "exp"}), "log");
}

TEST(Closest, FindsTheMisspeltDistribution) {
  const std::vector<std::string> names = {"uniform", "normal", "lognormal", "poisson"};
  EXPECT_EQ(closest("nromal", names), "normal");
  EXPECT_EQ(closest("lognromal", names), "lognormal");
  EXPECT_EQ(closest("poison", names), "poisson");
}

TEST(Closest, PrefersTheNearestCandidate) {
  EXPECT_EQ(closest("budgit", {"budget_total", "budget", "budge"}), "budget");
}

TEST(Closest, TiesGoToTheEarlierCandidate) {
  EXPECT_EQ(closest("cat", {"bat", "cot", "cut"}), "bat");
  EXPECT_EQ(closest("cat", {"cot", "bat"}), "cot");
}

TEST(Closest, RejectsCandidatesTooFarToBeATypo) {
  // Six letters allow two edits; three would be a different word.
  EXPECT_EQ(closest("normal", {"formula"}), std::nullopt);
  EXPECT_EQ(closest("abcdef", {"abcxyz"}), std::nullopt);
  EXPECT_EQ(closest("abcdef", {"abcdyz"}), "abcdyz");
}

TEST(Closest, ShortNamesStillAllowOneEdit) {
  EXPECT_EQ(closest("x", {"y"}), "y");
  EXPECT_EQ(closest("ab", {"cd"}), std::nullopt);
  EXPECT_EQ(closest("t", {"tt", "ttt"}), "tt");
}

TEST(Closest, NoCandidatesMeansNoSuggestion) { EXPECT_EQ(closest("x", {}), std::nullopt); }

TEST(DidYouMean, QuotesTheSuggestion) {
  EXPECT_EQ(did_you_mean("cju_staf", {"cju_staff", "budget"}), "did you mean 'cju_staff'?");
}

TEST(DidYouMean, IsEmptyWithoutAPlausibleCandidate) {
  EXPECT_EQ(did_you_mean("zzzzzz", {"cju_staff", "budget"}), "");
}

}  // namespace
}  // namespace plansim::rules
