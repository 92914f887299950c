// End-to-end runs of plans with local units (plan-format.md section 9)
// whose answers are known exactly.
//
// Every unit's local measure is an independent normal draw, so the roll-ups
// have closed forms: total, average and weighted sums are normal; the number
// of units below a level is a sum of independent Bernoullis (a Poisson
// binomial, computed exactly below); the smallest and largest unit are
// below a level with probabilities that are products of normal CDFs.
//
// As in exact_answers_test.cpp, each run has n = 200,000 samples and a fixed
// seed, and every probability p_hit is checked against the exact p with
//
//   |p_hit - p| <= 4.5 * sqrt(p (1 - p) / n)       (4.5 binomial standard errors)
//
// (a correct engine fails one such check with probability 6.8e-6; the seeds
// are fixed, so a failure is a real discrepancy, never noise). Means use
// the same bound with the standard error sd / sqrt(n). Values that involve
// no randomness (aggregations of columns) are compared exactly, and so are
// results that must be bitwise identical.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <numbers>
#include <sstream>
#include <string>
#include <vector>

#include <oneapi/tbb/global_control.h>

#include "tests/e2e/plan_runner.h"

namespace plansim::e2e {
namespace {

constexpr std::uint64_t kSamples = 200000;
constexpr double kSigmas = 4.5;

const std::vector<std::string> kPeriods = {"2003-04", "2003-07", "2003-10", "2004-01"};

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::numbers::sqrt2); }

testing::AssertionResult within_bound(double got, double exact, double se, const char* what) {
  const double err = std::abs(got - exact);
  if (err <= kSigmas * se) return testing::AssertionSuccess();
  std::ostringstream out;
  out << std::setprecision(17) << what << " " << got << ", exact " << exact << ": off by " << err << " = "
      << err / se << " standard errors of " << se << " (bound " << kSigmas << ")";
  return testing::AssertionFailure() << out.str();
}

testing::AssertionResult near_probability(double p, double p_exact) {
  return within_bound(p, p_exact, std::sqrt(p_exact * (1.0 - p_exact) / static_cast<double>(kSamples)),
                      "probability");
}

testing::AssertionResult near_mean(double mean, double exact, double sd) {
  return within_bound(mean, exact, sd / std::sqrt(static_cast<double>(kSamples)), "mean");
}

// P(exactly k of the independent events happen), k = 0..p.size(): the
// Poisson binomial distribution, by the usual recursion.
std::vector<double> poisson_binomial(const std::vector<double>& p) {
  std::vector<double> dist{1.0};
  for (double q : p) {
    std::vector<double> next(dist.size() + 1, 0.0);
    for (std::size_t k = 0; k < dist.size(); ++k) {
      next[k] += dist[k] * (1.0 - q);
      next[k + 1] += dist[k] * q;
    }
    dist = next;
  }
  return dist;
}

// The four areas every plan here uses: unit i's local measure x is
// normal(mu_i, sd_i), its weight w_i, its own threshold c_i.
struct Area {
  const char* id;
  double mu, sd, w, c;
};
const std::vector<Area> kAreas = {
    {"north", 1.0, 0.5, 1.0, 1.2},
    {"south", 2.0, 1.0, 2.0, 2.5},
    {"east", 0.5, 0.25, 3.0, 0.3},
    {"west", 1.5, 0.75, 4.0, 2.0},
};

// P(x_i <= v) for every area.
std::vector<double> below(double v) {
  std::vector<double> p;
  for (const auto& a : kAreas) p.push_back(normal_cdf((v - a.mu) / a.sd));
  return p;
}

std::string number_text(double v) {
  std::ostringstream s;
  s << std::setprecision(17) << v;
  return s.str();
}

// The areas as inline rows (in the order given).
std::string inline_units(const std::vector<Area>& areas) {
  std::string out = "units:\n  name: area\n  rows:\n";
  for (const auto& a : areas)
    out += "    " + std::string(a.id) + ": {mu: " + number_text(a.mu) + ", sd: " + number_text(a.sd) +
           ", w: " + number_text(a.w) + ", c: " + number_text(a.c) + "}\n";
  return out;
}

std::string csv_units(const std::vector<Area>& areas) {
  std::string out = "area,mu,sd,w,c\r\n";
  for (const auto& a : areas)
    out += std::string(a.id) + "," + number_text(a.mu) + "," + number_text(a.sd) + "," + number_text(a.w) + "," +
           number_text(a.c) + "\r\n";
  return out;
}

const std::string kHeader = R"yaml(plan: units exact answers
horizon: {start: 2003-04, periods: 4, step: quarter}
)yaml";

// The roll-ups of x, each with a target whose exact P(hit) is computed in
// RollUpsOfIndependentNormalUnits, and a local target per area.
const std::string kRollUps = R"yaml(
local:
  measures:
    x:
      value: normal(mu, sd)
  targets:
    low:
      measure: x
      at_most: c
      milestones:
        - {at_most: mu, by: 2003-07}
measures:
  tot:
    value: total(x)
  avg:
    value: average(x)
  wtd:
    value: weighted(x, w)
  shr:
    value: share(x <= 1.2)
  cnt:
    value: count(x <= 1.2)
  lo:
    value: smallest(x)
  hi:
    value: largest(x)
targets:
  t_tot: {measure: tot, at_most: 5.5}
  t_avg: {measure: avg, at_most: 1.0}
  t_wtd: {measure: wtd, at_least: 1.1}
  t_shr: {measure: shr, at_least: 0.6}
  t_cnt: {measure: cnt, at_most: 1.5}
  t_lo: {measure: lo, at_least: 0.3}
  t_hi: {measure: hi, at_most: 2.5}
)yaml";

const sim::TargetResult& local_target(const sim::ScenarioResult& s, std::string_view id, std::string_view unit) {
  for (const auto& t : s.targets)
    if (t.id == id && t.unit == unit) return t;
  throw std::out_of_range("no target '" + std::string(id) + "' of unit '" + std::string(unit) + "'");
}

const sim::MeasureResult& local_measure(const sim::ScenarioResult& s, std::string_view id, std::string_view unit) {
  for (const auto& m : s.measures)
    if (m.id == id && m.unit == unit) return m;
  throw std::out_of_range("no measure '" + std::string(id) + "' of unit '" + std::string(unit) + "'");
}

const sim::LocalTargetSummary& summary(const sim::ScenarioResult& s, std::string_view id) {
  for (const auto& l : s.local_targets)
    if (l.id == id) return l;
  throw std::out_of_range("no local target summary '" + std::string(id) + "'");
}

// ---- exact answers ---------------------------------------------------------------

TEST(UnitsExact, WeightedRollUpIsNormalWithTheWeightedMeanAndVariance) {
  const auto r = run_plan(kHeader + inline_units(kAreas) + kRollUps, kSamples, 101);
  ASSERT_FALSE(r.nan.has_value());
  double w = 0.0, wm = 0.0, wv = 0.0;
  for (const auto& a : kAreas) {
    w += a.w;
    wm += a.w * a.mu;
    wv += a.w * a.w * a.sd * a.sd;
  }
  const double mean = wm / w, sd = std::sqrt(wv) / w;
  EXPECT_TRUE(near_probability(target(r, "t_wtd").p_hit, 1.0 - normal_cdf((1.1 - mean) / sd)));
  for (const auto& p : measure(r, "wtd").periods) EXPECT_TRUE(near_mean(p.mean, mean, sd));
}

TEST(UnitsExact, RollUpsOfIndependentNormalUnits) {
  const auto r = run_plan(kHeader + inline_units(kAreas) + kRollUps, kSamples, 102);
  ASSERT_FALSE(r.nan.has_value());
  const double n = static_cast<double>(kAreas.size());
  double mu = 0.0, var = 0.0;
  for (const auto& a : kAreas) {
    mu += a.mu;
    var += a.sd * a.sd;
  }
  // total and average: normal.
  EXPECT_TRUE(near_probability(target(r, "t_tot").p_hit, normal_cdf((5.5 - mu) / std::sqrt(var))));
  EXPECT_TRUE(near_probability(target(r, "t_avg").p_hit, normal_cdf((1.0 - mu / n) / (std::sqrt(var) / n))));
  for (const auto& p : measure(r, "tot").periods) EXPECT_TRUE(near_mean(p.mean, mu, std::sqrt(var)));
  for (const auto& p : measure(r, "avg").periods) EXPECT_TRUE(near_mean(p.mean, mu / n, std::sqrt(var) / n));

  // share and count of units with x <= 1.2: a Poisson binomial.
  const std::vector<double> p = below(1.2);
  const std::vector<double> k = poisson_binomial(p);
  EXPECT_TRUE(near_probability(target(r, "t_shr").p_hit, k[3] + k[4]));  // share >= 0.6: 3 or 4 of 4
  EXPECT_TRUE(near_probability(target(r, "t_cnt").p_hit, k[0] + k[1]));  // count <= 1.5: 0 or 1
  double count_mean = 0.0, count_var = 0.0;
  for (double q : p) {
    count_mean += q;
    count_var += q * (1.0 - q);
  }
  for (const auto& per : measure(r, "cnt").periods) EXPECT_TRUE(near_mean(per.mean, count_mean, std::sqrt(count_var)));
  for (const auto& per : measure(r, "shr").periods)
    EXPECT_TRUE(near_mean(per.mean, count_mean / n, std::sqrt(count_var) / n));

  // smallest >= 0.3: every unit above 0.3; largest <= 2.5: every unit below 2.5.
  double all_above = 1.0, all_below = 1.0;
  for (double q : below(0.3)) all_above *= 1.0 - q;
  for (double q : below(2.5)) all_below *= q;
  EXPECT_TRUE(near_probability(target(r, "t_lo").p_hit, all_above));
  EXPECT_TRUE(near_probability(target(r, "t_hi").p_hit, all_below));
}

TEST(UnitsExact, LocalTargetsHitWithEachUnitsProbabilityAndTheExpectedCountIsTheirSum) {
  const auto r = run_plan(kHeader + inline_units(kAreas) + kRollUps, kSamples, 103);
  ASSERT_FALSE(r.nan.has_value());
  const sim::ScenarioResult& base = r.base();
  double expected = 0.0, count_var = 0.0, lowest = 2.0;
  std::string least;
  for (const auto& a : kAreas) {
    SCOPED_TRACE(a.id);
    const double p = normal_cdf((a.c - a.mu) / a.sd);
    expected += p;
    count_var += p * (1.0 - p);
    if (p < lowest) lowest = p, least = a.id;
    const sim::TargetResult& t = local_target(base, "low", a.id);
    EXPECT_TRUE(near_probability(t.p_hit, p));
    EXPECT_EQ(t.threshold, a.c);  // the unit's own column
    EXPECT_LE(t.ci95.lo, t.p_hit);
    EXPECT_GE(t.ci95.hi, t.p_hit);
    ASSERT_EQ(t.milestones.size(), 1u);
    EXPECT_EQ(t.milestones[0].threshold, a.mu);
    EXPECT_TRUE(near_probability(t.milestones[0].p_hit, 0.5));
    for (const auto& per : local_measure(base, "x", a.id).periods) EXPECT_TRUE(near_mean(per.mean, a.mu, a.sd));
  }
  const sim::LocalTargetSummary& s = summary(base, "low");
  EXPECT_EQ(s.units, kAreas.size());
  EXPECT_EQ(s.unit_name, "area");
  EXPECT_TRUE(near_mean(s.expected_hits, expected, std::sqrt(count_var)));
  // The expected count is the sum of the units' P(hit) (each the same count of hits / n).
  double sum_p = 0.0;
  for (const auto& a : kAreas) sum_p += local_target(base, "low", a.id).p_hit;
  EXPECT_NEAR(s.expected_hits, sum_p, 1e-12);
  // Its 95% interval: 1.96 standard errors of a count with this variance.
  const double half = 1.959964 * std::sqrt(count_var / static_cast<double>(kSamples));
  EXPECT_NEAR(s.ci95.hi - s.expected_hits, half, 0.05 * half);
  EXPECT_NEAR(s.expected_hits - s.ci95.lo, half, 0.05 * half);
  EXPECT_EQ(s.green + s.amber + s.red, kAreas.size());
  EXPECT_EQ(s.green, 0u);  // P(hit) 0.66, 0.69, 0.21, 0.75
  EXPECT_EQ(s.amber, 3u);
  EXPECT_EQ(s.red, 1u);
  ASSERT_FALSE(s.least_likely.empty());
  EXPECT_EQ(s.least_likely[0], least);
  EXPECT_EQ(s.least_likely.size(), kAreas.size());
}

TEST(UnitsExact, ExpectedCountCountsUnitsHittingInTheSameSample) {
  // All units read one plan-wide draw, so they hit together: the count is 0
  // or 4, its mean 4 P, and its variance 16 P (1 - P), four times the
  // variance independent units would give.
  const auto r = run_plan(kHeader + inline_units(kAreas) + R"yaml(
assumptions:
  z: normal(0, 1)
local:
  measures:
    y:
      value: z
  targets:
    together: {measure: y, at_most: 0.5}
)yaml",
                          kSamples, 104);
  const double p = normal_cdf(0.5);
  const sim::LocalTargetSummary& s = summary(r.base(), "together");
  EXPECT_TRUE(near_mean(s.expected_hits, 4.0 * p, 4.0 * std::sqrt(p * (1.0 - p))));
  const double half = 1.959964 * 4.0 * std::sqrt(p * (1.0 - p) / static_cast<double>(kSamples));
  EXPECT_NEAR(s.ci95.hi - s.ci95.lo, 2.0 * half, 0.1 * half);
  for (const auto& a : kAreas) EXPECT_EQ(local_target(r.base(), "together", a.id).p_hit,
                                         local_target(r.base(), "together", "north").p_hit);
}

TEST(UnitsExact, DrawsInsideAnAggregationAreIndependentPerUnit) {
  // total(normal(0, 1)) over four units is normal(0, 2).
  const auto r = run_plan(kHeader + inline_units(kAreas) + R"yaml(
measures:
  tot:
    value: total(normal(0, 1))
targets:
  t_tot: {measure: tot, at_most: 1}
)yaml",
                          kSamples, 105);
  EXPECT_TRUE(near_probability(target(r, "t_tot").p_hit, normal_cdf(0.5)));
}

TEST(UnitsExact, LocalBaselinesFromColumnsStartEachUnitsPath) {
  // rate_t = base - 0.01 (t + 1) exactly, in every unit.
  const auto r = run_plan(kHeader + inline_units(kAreas) + R"yaml(
local:
  measures:
    rate:
      baseline: mu
      value: prev(rate) - 0.01
  targets:
    fell: {measure: rate, at_most: mu - 0.035}
)yaml",
                          1000, 106);
  for (const auto& a : kAreas) {
    const auto& m = local_measure(r.base(), "rate", a.id);
    ASSERT_EQ(m.periods.size(), 4u);
    double v = a.mu;
    for (const auto& per : m.periods) {
      v -= 0.01;
      EXPECT_NEAR(per.mean, v, 1e-12) << a.id;
    }
    EXPECT_EQ(local_target(r.base(), "fell", a.id).p_hit, 1.0) << a.id;
  }
}

TEST(UnitsExact, AggregationsOfColumnsOnlyAreExactConstants) {
  // Unusual values, so that the exact answers need the same rounding as the
  // engine's: sums in unit order.
  const double mu[] = {0.61, 0.57, 0.73, 0.66};
  const double w[] = {1234.0, 987.0, 1500.5, 311.25};
  const auto r = run_plan(kHeader + R"yaml(
units:
  name: area
  rows:
    north: {mu: 0.61, w: 1234}
    south: {mu: 0.57, w: 987}
    east: {mu: 0.73, w: 1500.5}
    west: {mu: 0.66, w: 311.25}
measures:
  m_wtd: {value: "weighted(mu, w)"}
  m_tot: {value: total(w)}
  m_avg: {value: average(mu)}
  m_shr: {value: share(mu > 0.6)}
  m_cnt: {value: count(mu > 0.6)}
  m_lo: {value: smallest(mu)}
  m_hi: {value: largest(w)}
targets:
  t_wtd: {measure: m_wtd, at_most: "weighted(mu, w)"}
  t_wtd_below: {measure: m_wtd, at_least: "weighted(mu, w) + 1e-12"}
  t_lo: {measure: m_lo, at_least: smallest(mu)}
)yaml",
                          2000, 107);
  ASSERT_FALSE(r.nan.has_value());
  double sxw = 0.0, sw = 0.0, smu = 0.0, tw = 0.0;
  for (int i = 0; i < 4; ++i) {
    sxw += mu[i] * w[i];
    sw += w[i];
    smu += mu[i];
    tw += w[i];
  }
  const double weighted = sxw / sw;
  auto expect_constant = [&](std::string_view id, double v) {
    SCOPED_TRACE(std::string(id));
    for (const auto& p : measure(r, id).periods) {
      EXPECT_EQ(p.p10, v);
      EXPECT_EQ(p.p50, v);
      EXPECT_EQ(p.p90, v);
      EXPECT_NEAR(p.mean, v, 1e-12 * std::abs(v));
    }
  };
  expect_constant("m_wtd", weighted);
  expect_constant("m_tot", tw);
  expect_constant("m_avg", smu / 4.0);
  expect_constant("m_shr", 3.0 / 4.0);
  expect_constant("m_cnt", 3.0);
  expect_constant("m_lo", 0.57);
  expect_constant("m_hi", 1500.5);
  EXPECT_EQ(target(r, "t_wtd").threshold, weighted);
  EXPECT_EQ(target(r, "t_wtd").p_hit, 1.0);
  EXPECT_EQ(target(r, "t_wtd_below").p_hit, 0.0);
  EXPECT_EQ(target(r, "t_lo").threshold, 0.57);
  EXPECT_EQ(target(r, "t_lo").p_hit, 1.0);
}

TEST(UnitsExact, AnAggregationOfAPlanWideRollUpSeesItsValue) {
  rules::Diagnostics diags;
  const std::string yaml = kHeader + inline_units(kAreas) + R"yaml(
local:
  measures:
    x:
      value: normal(mu, sd)
measures:
  avg:
    value: average(x)
  gap:
    value: total(avg) - 4 * avg
targets:
  zero: {measure: gap, at_most: 1e-9}
  zero_too: {measure: gap, at_least: -1e-9}
)yaml";
  auto plan = graph::load_plan_text(yaml, "test.yaml", diags);
  ASSERT_TRUE(plan && diags.ok()) << diags.to_string();
  auto program = graph::compile_plan(*plan, diags);
  if (!program) {
    // Refusing it is also right, when the error names the roll-up read.
    EXPECT_NE(diags.to_string().find("avg"), std::string::npos) << diags.to_string();
    return;
  }
  sim::RunOptions options;
  options.samples = 20000;
  options.seed = 108;
  const auto r = sim::run(*program, options);
  EXPECT_EQ(target(r, "zero").p_hit, 1.0);
  EXPECT_EQ(target(r, "zero_too").p_hit, 1.0);
}

// ---- NaN in one unit -------------------------------------------------------------------

TEST(UnitsExact, NanInOneUnitIsReportedNamingTheNodeAndTheUnit) {
  const auto r = run_plan(kHeader + R"yaml(
units:
  name: area
  rows:
    north: {s: 1}
    bad: {s: -1}
    south: {s: 2}
local:
  measures:
    z:
      value: log(s * uniform(1, 2))
    y:
      value: z + normal(0, 1)
  targets:
    y_ok: {measure: y, at_most: 1}
)yaml",
                          kSamples, 109);
  ASSERT_TRUE(r.nan.has_value());
  EXPECT_EQ(r.summary.stop, sim::StopReason::kNaN);
  EXPECT_EQ(r.nan->target, "y_ok");
  EXPECT_EQ(r.nan->node, "z");
  EXPECT_EQ(r.nan->unit, "bad");
  EXPECT_EQ(r.nan->period, 0);
  EXPECT_EQ(r.nan->samples, kSamples);  // every sample of the bad unit
  EXPECT_EQ(r.nan->first_sample, 0u);
}

TEST(UnitsExact, NanInAPlanWideNodeHasNoUnit) {
  const auto r = run_plan(kHeader + inline_units(kAreas) + R"yaml(
assumptions:
  a: normal(0, 1)
local:
  measures:
    x:
      value: normal(mu, sd)
measures:
  m:
    value: average(x) + log(a)
targets:
  m_ok: {measure: m, at_most: 1}
)yaml",
                          kSamples, 110);
  ASSERT_TRUE(r.nan.has_value());
  EXPECT_EQ(r.nan->target, "m_ok");
  EXPECT_EQ(r.nan->node, "m");
  EXPECT_EQ(r.nan->unit, "");
  EXPECT_TRUE(near_probability(static_cast<double>(r.nan->samples) / kSamples, 0.5));
}

// ---- bitwise identities -----------------------------------------------------------------

// A directory per test, for plans and tables on disk.
class UnitsFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("plansim_e2e_units_" + std::string(info->name()) + "_" + std::to_string(::getpid()) + "_" +
            std::to_string(counter++));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    if (!HasFailure()) std::filesystem::remove_all(dir_, ec);
  }
  std::string write(const std::string& name, const std::string& text) const {
    const std::string p = (dir_ / name).string();
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }
  std::filesystem::path dir_;
};

void expect_bitwise_equal(const sim::RunResult& a, const sim::RunResult& b) {
  ASSERT_EQ(a.base().targets.size(), b.base().targets.size());
  for (std::size_t i = 0; i < a.base().targets.size(); ++i) {
    const auto& x = a.base().targets[i];
    const auto& y = b.base().targets[i];
    EXPECT_EQ(x.id, y.id);
    EXPECT_EQ(x.unit, y.unit);
    EXPECT_EQ(bits_of(x), bits_of(y)) << x.id << " " << x.unit;
  }
  ASSERT_EQ(a.base().measures.size(), b.base().measures.size());
  for (std::size_t i = 0; i < a.base().measures.size(); ++i) {
    EXPECT_EQ(a.base().measures[i].unit, b.base().measures[i].unit);
    EXPECT_EQ(bits_of(a.base().measures[i]), bits_of(b.base().measures[i]))
        << a.base().measures[i].id << " " << a.base().measures[i].unit;
  }
  ASSERT_EQ(a.base().local_targets.size(), b.base().local_targets.size());
  for (std::size_t i = 0; i < a.base().local_targets.size(); ++i) {
    const auto& x = a.base().local_targets[i];
    const auto& y = b.base().local_targets[i];
    EXPECT_EQ(std::bit_cast<std::uint64_t>(x.expected_hits), std::bit_cast<std::uint64_t>(y.expected_hits));
    EXPECT_EQ(std::bit_cast<std::uint64_t>(x.ci95.lo), std::bit_cast<std::uint64_t>(y.ci95.lo));
    EXPECT_EQ(std::bit_cast<std::uint64_t>(x.ci95.hi), std::bit_cast<std::uint64_t>(y.ci95.hi));
    EXPECT_EQ(x.least_likely, y.least_likely);
  }
}

TEST_F(UnitsFiles, CsvAndInlineTablesGiveBitwiseIdenticalResults) {
  write("areas.csv", "\xEF\xBB\xBF" + csv_units(kAreas));
  const std::string from_csv = write("csv.yaml", kHeader + "units:\n  name: area\n  table: areas.csv\n" + kRollUps);
  const std::string inline_rows = write("inline.yaml", kHeader + inline_units(kAreas) + kRollUps);
  const auto a = run_plan_file(from_csv, 50003, 201);
  const auto b = run_plan_file(inline_rows, 50003, 201);
  ASSERT_FALSE(a.nan.has_value());
  expect_bitwise_equal(a, b);
  EXPECT_EQ(run_json_text(a, kPeriods), run_json_text(b, kPeriods));
}

TEST(UnitsDeterminism, ResultsAreBitwiseIdenticalForOneTwoAndThreeThreads) {
  const tbb::global_control allow(tbb::global_control::max_allowed_parallelism, 3);
  // Not a multiple of the block size, so the last block is partial.
  const std::string yaml = kHeader + inline_units(kAreas) + kRollUps + R"yaml(
  t_nat: {measure: wtd, at_most: "weighted(c, w)"}
)yaml";
  const auto one = run_plan(yaml, 100003, 202, 1);
  const auto two = run_plan(yaml, 100003, 202, 2);
  const auto three = run_plan(yaml, 100003, 202, 3);
  EXPECT_EQ(three.summary.threads, 3);
  expect_bitwise_equal(one, two);
  expect_bitwise_equal(one, three);
  const std::string json = run_json_text(one, kPeriods);
  EXPECT_EQ(run_json_text(two, kPeriods), json);
  EXPECT_EQ(run_json_text(three, kPeriods), json);
}

TEST(UnitsDeterminism, AddingAUnitLeavesTheOtherUnitsResultsBitwiseUnchanged) {
  // The local measures read a plan-wide draw and a local one; the new unit
  // goes in the middle of the table, so every other unit moves.
  const std::string body = R"yaml(
assumptions:
  shock: normal(0, 0.1)
local:
  assumptions:
    drift: normal(0, 0.05)
  measures:
    x:
      value: normal(mu, sd) + shock + drift
  targets:
    low: {measure: x, at_most: c}
measures:
  wtd:
    value: weighted(x, w)
)yaml";
  std::vector<Area> more = kAreas;
  more.insert(more.begin() + 2, Area{"middle", 0.9, 0.3, 5.0, 1.0});
  const auto four = run_plan(kHeader + inline_units(kAreas) + body, 60000, 203);
  const auto five = run_plan(kHeader + inline_units(more) + body, 60000, 203);
  for (const auto& a : kAreas) {
    SCOPED_TRACE(a.id);
    EXPECT_EQ(bits_of(local_target(four.base(), "low", a.id)), bits_of(local_target(five.base(), "low", a.id)));
    EXPECT_EQ(bits_of(local_measure(four.base(), "x", a.id)), bits_of(local_measure(five.base(), "x", a.id)));
  }
  EXPECT_EQ(summary(five.base(), "low").units, 5u);
  // The roll-up does change.
  EXPECT_NE(bits_of(measure(four, "wtd")), bits_of(measure(five, "wtd")));
}

TEST(UnitsDeterminism, UnitsWithTheSameColumnsDrawIndependently) {
  // Two units with identical rows: their draws are keyed by their ids.
  const std::vector<Area> twins = {{"one", 0.0, 1.0, 1.0, 0.0}, {"two", 0.0, 1.0, 1.0, 0.0}};
  const auto r = run_plan(kHeader + inline_units(twins) + R"yaml(
local:
  measures:
    x:
      value: normal(mu, sd)
measures:
  both_low:
    value: count(x <= 0)
targets:
  two_low: {measure: both_low, at_least: 1.5}
)yaml",
                          kSamples, 204);
  EXPECT_TRUE(near_probability(target(r, "two_low").p_hit, 0.25));
}

// A local resource is reported once per unit: its mean available (the
// unit's column times a plan-wide factor), its demand, and P(short).
TEST(UnitsExact, LocalResourcesAreReportedPerUnit) {
  const auto r = run_plan(kHeader + inline_units(kAreas) + R"yaml(
assumptions:
  factor: {value: "uniform(0.5, 1.5)"}
local:
  resources:
    hours:
      available: c * factor
  actions:
    work:
      needs: {hours: 1}
  measures:
    done: {value: work}
)yaml",
                          kSamples, 107);
  const auto& resources = r.base().resources;
  ASSERT_EQ(resources.size(), kAreas.size());
  for (std::size_t i = 0; i < kAreas.size(); ++i) {
    const auto& res = resources[i];
    EXPECT_EQ(res.id, "hours");
    EXPECT_EQ(res.unit, kAreas[i].id);
    ASSERT_EQ(res.periods.size(), 4u);
    // E[c U(0.5, 1.5)] = c, sd c / sqrt(12); demand is the need, 1, in every active period.
    EXPECT_TRUE(near_mean(res.periods[0].available, kAreas[i].c, kAreas[i].c / std::sqrt(12.0)));
    EXPECT_EQ(res.periods[0].demand, 1.0);
    // Short when c U < 1: P(U < 1 / c), U uniform on [0.5, 1.5].
    const double p_short = std::clamp(1.0 / kAreas[i].c - 0.5, 0.0, 1.0);
    EXPECT_TRUE(near_probability(res.periods[0].p_short, p_short));
  }
}


// Each unit's percentiles and achievable level come from its own kept
// values while they fit in RunOptions::local_quantile_bytes; beyond it they
// are not reported. x_i ~ N(mu_i, sd_i): the q-quantile is mu + z_q sd, with
// standard error sd sqrt(q (1 - q) / n) / phi(z_q).
TEST(UnitsExact, EachUnitsPercentilesWhileTheyFitAndNoneBeyond) {
  const std::string yaml = kHeader + inline_units(kAreas) + kRollUps;
  const auto r = run_plan(yaml, kSamples, 108);
  const double n = static_cast<double>(kSamples);
  auto near_quantile = [&](double got, const Area& a, double q, double z) {
    const double phi = std::exp(-z * z / 2) / std::sqrt(2 * std::numbers::pi);
    return within_bound(got, a.mu + z * a.sd, 5.0 * a.sd * std::sqrt(q * (1 - q) / n) / phi, "quantile");
  };
  for (const auto& a : kAreas) {
    SCOPED_TRACE(a.id);
    const sim::TargetResult& t = local_target(r.base(), "low", a.id);
    EXPECT_TRUE(near_quantile(t.p10, a, 0.1, -1.2815515655446004));
    EXPECT_TRUE(near_quantile(t.p50, a, 0.5, 0.0));
    EXPECT_TRUE(near_quantile(t.p90, a, 0.9, 1.2815515655446004));
    EXPECT_TRUE(near_quantile(t.achievable, a, 0.8, 0.8416212335729143));  // at_most at the default 0.8
  }

  const auto program = compile_text(yaml);
  sim::RunOptions options;
  options.samples = 20000;
  options.local_quantile_bytes = 1000;  // far less than 4 units x 20,000 samples x 8 bytes
  const sim::RunResult small = sim::run(*program, options);
  const sim::TargetResult& t = local_target(small.base(), "low", "north");
  EXPECT_TRUE(std::isnan(t.p50));
  EXPECT_TRUE(std::isnan(t.achievable));
  EXPECT_GT(t.p_hit, 0.0);
}

}  // namespace
}  // namespace plansim::e2e
