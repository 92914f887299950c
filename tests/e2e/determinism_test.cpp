// Results are a function of the plan, the seed and the sample count only:
// bitwise identical for any number of threads, for a repeated run, and for
// any unrelated addition to the plan (draws are keyed by node name, never by
// a node's position in the program). "Bitwise" is checked on the JSON the
// command line writes (numbers printed to round-trip) and on the bit
// patterns of every double in the results.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <oneapi/tbb/global_control.h>
#include <unistd.h>

#include "tests/e2e/plan_runner.h"
#include "tests/e2e/reference_plan.h"

namespace plansim::e2e {
namespace {

// Not a multiple of the block size (1024), so the last block is partial,
// and more blocks (98) than one chunk holds for 1 or 8 threads.
constexpr std::uint64_t kSamples = 100003;
const std::vector<std::string> kPeriods = {"2003-04", "2003-07", "2003-10", "2004-01"};

void expect_same_numbers(const sim::RunResult& a, const sim::RunResult& b) {
  ASSERT_EQ(a.base().targets.size(), b.base().targets.size());
  for (std::size_t i = 0; i < a.base().targets.size(); ++i) {
    EXPECT_EQ(a.base().targets[i].id, b.base().targets[i].id);
    EXPECT_EQ(bits_of(a.base().targets[i]), bits_of(b.base().targets[i])) << a.base().targets[i].id;
  }
  ASSERT_EQ(a.base().measures.size(), b.base().measures.size());
  for (std::size_t i = 0; i < a.base().measures.size(); ++i)
    EXPECT_EQ(bits_of(a.base().measures[i]), bits_of(b.base().measures[i])) << a.base().measures[i].id;
  ASSERT_EQ(a.base().resources.size(), b.base().resources.size());
  for (std::size_t i = 0; i < a.base().resources.size(); ++i)
    EXPECT_EQ(bits_of(a.base().resources[i]), bits_of(b.base().resources[i])) << a.base().resources[i].id;
}

// TBB gives an arena no more workers than the machine has cores unless told
// otherwise: allow 8, so that 8 threads really run on any machine.
tbb::global_control allow_eight_threads() {
  return tbb::global_control(tbb::global_control::max_allowed_parallelism, 8);
}

TEST(Determinism, ResultsAreBitwiseIdenticalForOneTwoAndEightThreads) {
  const auto allow = allow_eight_threads();
  const auto one = run_plan(kReferencePlan, kSamples, 7, 1);
  const auto two = run_plan(kReferencePlan, kSamples, 7, 2);
  const auto eight = run_plan(kReferencePlan, kSamples, 7, 8);
  ASSERT_FALSE(one.nan.has_value());
  EXPECT_EQ(one.summary.threads, 1);
  EXPECT_EQ(eight.summary.threads, 8);
  const std::string json = run_json_text(one, kPeriods);
  EXPECT_EQ(run_json_text(two, kPeriods), json);
  EXPECT_EQ(run_json_text(eight, kPeriods), json);
  expect_same_numbers(one, two);
  expect_same_numbers(one, eight);
}

TEST(Determinism, ReferencePlanExercisesShortagesAndUncertainTargets) {
  // Guards the plan itself: if its targets were all certain, or its
  // resources never short, the other tests here would show little.
  const auto r = run_plan(kReferencePlan, kSamples, 7, 2);
  for (const auto& t : r.base().targets) {
    EXPECT_GT(t.p_hit, 0.01) << t.id;
    EXPECT_LT(t.p_hit, 0.99) << t.id;
  }
  for (const auto& res : r.base().resources) {
    bool sometimes_short = false;
    for (const auto& p : res.periods) sometimes_short |= p.p_short > 0.0 && p.p_short < 1.0;
    EXPECT_TRUE(sometimes_short) << res.id;
  }
}

TEST(Determinism, SameSeedTwiceGivesIdenticalResults) {
  const auto first = run_plan(kReferencePlan, kSamples, 3, 2);
  const auto second = run_plan(kReferencePlan, kSamples, 3, 2);
  EXPECT_EQ(run_json_text(first, kPeriods), run_json_text(second, kPeriods));
  expect_same_numbers(first, second);
}

TEST(Determinism, DifferentSeedGivesDifferentResults) {
  const auto a = run_plan(kReferencePlan, kSamples, 3, 2);
  const auto b = run_plan(kReferencePlan, kSamples, 4, 2);
  EXPECT_NE(run_json_text(a, kPeriods), run_json_text(b, kPeriods));
  // Every random measure's mean moves with the seed (and only by sampling
  // error, which the exact-answer tests bound).
  for (std::size_t i = 0; i < a.base().measures.size(); ++i)
    EXPECT_NE(a.base().measures[i].periods.back().mean, b.base().measures[i].periods.back().mean)
        << a.base().measures[i].id;
  // A single P(hit) may coincide by chance (two binomial counts), not all of them.
  std::vector<double> pa, pb;
  for (const auto& t : a.base().targets) pa.push_back(t.p_hit);
  for (const auto& t : b.base().targets) pb.push_back(t.p_hit);
  EXPECT_NE(pa, pb);
}

TEST(Determinism, AddingAnUnrelatedNodeLeavesEveryOtherResultBitwiseUnchanged) {
  // Named to sort first, so every other node's array moves in the program.
  std::string extended = replaced_once(kReferencePlan, "assumptions:\n",
                                       "assumptions:\n  aaa_extra: normal(5, 1)\n");
  extended = replaced_once(extended, "measures:\n",
                           "measures:\n  aaa_extra_m:\n    value: 2 * aaa_extra + uniform(0, 1)\n");
  extended = replaced_once(extended, "targets:\n",
                           "targets:\n  aaa_extra_t:\n    measure: aaa_extra_m\n    at_most: 10\n");
  const auto base = run_plan(kReferencePlan, kSamples, 5, 2);
  const auto more = run_plan(extended, kSamples, 5, 2);
  ASSERT_EQ(more.base().targets.size(), base.base().targets.size() + 1);
  EXPECT_GT(target(more, "aaa_extra_t").p_hit, 0.0);
  for (const auto& t : base.base().targets) EXPECT_EQ(bits_of(target(more, t.id)), bits_of(t)) << t.id;
  for (const auto& m : base.base().measures) EXPECT_EQ(bits_of(measure(more, m.id)), bits_of(m)) << m.id;
  for (const auto& r : base.base().resources) EXPECT_EQ(bits_of(resource(more, r.id)), bits_of(r)) << r.id;
}

TEST(Determinism, NanReportIsTheSameForAnyThreadCount) {
  const std::string plan = R"yaml(
plan: nan somewhere
horizon: {start: 2003-04, periods: 4, step: quarter}
assumptions:
  a: normal(0.2, 0.1)
measures:
  l:
    value: log(a - 0.05 * t)
targets:
  l_ok: {measure: l, at_most: 0}
)yaml";
  const auto allow = allow_eight_threads();
  const auto one = run_plan(plan, kSamples, 9, 1);
  const auto eight = run_plan(plan, kSamples, 9, 8);
  ASSERT_TRUE(one.nan.has_value());
  ASSERT_TRUE(eight.nan.has_value());
  EXPECT_EQ(one.nan->node, "l");
  EXPECT_EQ(eight.nan->target, one.nan->target);
  EXPECT_EQ(eight.nan->node, one.nan->node);
  EXPECT_EQ(eight.nan->period, one.nan->period);
  EXPECT_EQ(eight.nan->samples, one.nan->samples);
  EXPECT_EQ(eight.nan->first_sample, one.nan->first_sample);
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(Determinism, CommandLineJsonIsByteIdenticalForAnyThreadCount) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("plansim_e2e_determinism_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    std::ofstream plan(dir / "plan.yaml", std::ios::binary);
    plan << kReferencePlan;
  }
  std::vector<std::string> outputs;
  for (int threads : {1, 2, 8}) {
    const auto json = dir / ("threads" + std::to_string(threads) + ".json");
    const std::string command = std::string("\"") + PLANSIM_BINARY + "\" run \"" + (dir / "plan.yaml").string() +
                                "\" --samples 50001 --seed 11 --threads " + std::to_string(threads) +
                                " --quiet --json \"" + json.string() + "\"";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
    outputs.push_back(read_file(json));
  }
  std::filesystem::remove_all(dir);
  ASSERT_FALSE(outputs[0].empty());
  EXPECT_EQ(outputs[1], outputs[0]);
  EXPECT_EQ(outputs[2], outputs[0]);
}

}  // namespace
}  // namespace plansim::e2e
