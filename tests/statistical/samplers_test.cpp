// Goodness of fit of every sampler against its exact CDF (sim::cdf).
//
// Each check is a hypothesis test at alpha = 1e-6 with a fixed seed and
// key, so the suite is deterministic; the false-failure rate is the chance
// that a correct sampler, under a fresh seed, would fail at least one check:
// with the N = 34 checks below, by Bonferroni, at most 34 * 1e-6 < 1e-4.
//
// Continuous distributions: one-sample Kolmogorov-Smirnov on n = 100,000
// draws spread over 98 blocks (the last one short),
//   D = max_i max(F(x_(i)^-) - (i - 1) / n, i / n - F(x_(i)^+)),
// x^- and x^+ the doubles next to x (see ks_statistic),
// rejected when sqrt(n) D > t, where P(K > t) = alpha for the asymptotic
// Kolmogorov distribution P(K > t) = 2 sum_{k>=1} (-1)^(k-1) exp(-2 k^2 t^2)
// (t = 2.69 for alpha = 1e-6; at n = 1e5 the finite-n correction is
// about 0.1%). Discrete distributions: Pearson chi-square over bins of
// consecutive values, each with expected count >= 20,
//   X^2 = sum (O - E)^2 / E,  p = Q(df / 2, X^2 / 2),  df = bins - 1,
// rejected when p < alpha (Q the regularised upper incomplete gamma).
#include "sim/samplers.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/math/special_functions/gamma.hpp>
#include <cmath>
#include <limits>
#include <ostream>
#include <string>
#include <vector>

namespace plansim::sim {
namespace {

using rules::Distribution;

constexpr double kAlpha = 1e-6;
constexpr std::size_t kDraws = 100'000;
constexpr std::uint64_t kSeed = 4242;
constexpr double kMinExpected = 20.0;

struct Case {
  std::string name;
  Distribution d;
  std::vector<double> params;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

// n draws from consecutive blocks, keyed by the case name so that every case
// uses its own streams.
std::vector<double> draw(Distribution d, const std::vector<double>& scalars,
                         const std::string& name, std::size_t n = kDraws) {
  std::vector<Param> params;
  for (const double& p : scalars) params.push_back(Param{.data = &p, .stride = 0});
  std::vector<double> out(n);
  std::vector<double> scratch(kBlockSize);
  const DrawKey key{.node = stable_hash(name), .unit = 0, .site = 0, .period = 0};
  for (std::size_t start = 0; start < n; start += kBlockSize) {
    const BlockDraw where{.seed = kSeed,
                          .key = key,
                          .block = start / kBlockSize,
                          .n = std::min(kBlockSize, n - start)};
    sample_block(d, params, where, out.data() + start, scratch.data());
  }
  return out;
}

// P(K > t) for the Kolmogorov distribution.
double kolmogorov_survival(double t) {
  double sum = 0.0;
  for (int k = 1; k <= 100; ++k) {
    const double term = std::exp(-2.0 * k * k * t * t);
    sum += (k % 2 == 1 ? term : -term);
    if (term < 1e-300) break;
  }
  return 2.0 * sum;
}

// The t with P(K > t) = alpha, by bisection (the survival function decreases).
double kolmogorov_critical(double alpha) {
  double lo = 0.5;
  double hi = 10.0;
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    (kolmogorov_survival(mid) > alpha ? lo : hi) = mid;
  }
  return hi;
}

// D against F for draws that were rounded to doubles: a draw x stands for
// a true value between its neighbouring doubles, so the empirical CDF at x
// is compared with F(next double above x) and F(next double below x). For
// any density this changes D by the mass of one ulp, but it keeps an atom
// made by rounding from counting as misfit: beta(0.05, 0.08) has 2% of its
// mass within 1e-16 of 1, which can only be represented as 1.0.
template <class Cdf>
double ks_statistic(std::vector<double> x, Cdf&& cdf_at) {
  std::sort(x.begin(), x.end());
  const double n = static_cast<double>(x.size());
  constexpr double kInf = std::numeric_limits<double>::infinity();
  double d = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double f_below = cdf_at(std::nextafter(x[i], -kInf));
    const double f_above = cdf_at(std::nextafter(x[i], kInf));
    d = std::max(
        {d, f_below - static_cast<double>(i) / n, static_cast<double>(i + 1) / n - f_above});
  }
  return d;
}

void expect_fits_continuous(const std::vector<double>& x, Distribution d,
                            const std::vector<double>& params) {
  for (const double v : x) ASSERT_TRUE(std::isfinite(v));
  const double stat = ks_statistic(x, [&](double v) { return cdf(d, params, v); });
  const double scaled = std::sqrt(static_cast<double>(x.size())) * stat;
  const double critical = kolmogorov_critical(kAlpha);
  EXPECT_LT(scaled, critical) << "KS: sqrt(n) D = " << scaled << ", p ~ "
                              << kolmogorov_survival(scaled);
}

// Chi-square over bins [edge_j, edge_{j+1}) of whole numbers, built from the
// exact CDF so that each bin expects at least kMinExpected draws; the first
// bin takes everything below, the last everything above.
void expect_fits_discrete(const std::vector<double>& x, Distribution d,
                          const std::vector<double>& params) {
  const double n = static_cast<double>(x.size());
  auto f = [&](double k) { return cdf(d, params, k); };
  std::vector<double> upper;  // bin j holds k <= upper[j] (and > upper[j - 1])
  std::vector<double> expected;
  double below = 0.0;  // F at the previous bin's upper edge
  for (double k = 0.0;; k += 1.0) {
    const double fk = f(k);
    if (n * (1.0 - fk) < kMinExpected) break;  // what is left goes to the tail bin
    if (n * (fk - below) >= kMinExpected) {
      upper.push_back(k);
      expected.push_back(n * (fk - below));
      below = fk;
    }
  }
  // The tail bin.
  upper.push_back(std::numeric_limits<double>::infinity());
  expected.push_back(n * (1.0 - below));

  std::vector<double> observed(upper.size(), 0.0);
  for (const double v : x) {
    ASSERT_EQ(v, std::floor(v));
    ASSERT_GE(v, 0.0);
    const auto it = std::lower_bound(upper.begin(), upper.end(), v);
    observed[static_cast<std::size_t>(it - upper.begin())] += 1.0;
  }
  double chi2 = 0.0;
  for (std::size_t j = 0; j < upper.size(); ++j) {
    chi2 += (observed[j] - expected[j]) * (observed[j] - expected[j]) / expected[j];
  }
  const double df = static_cast<double>(upper.size() - 1);
  ASSERT_GE(df, 1.0);
  const double p = boost::math::gamma_q(df / 2.0, chi2 / 2.0);
  EXPECT_GE(p, kAlpha) << "chi-square " << chi2 << " on " << df << " df";
}

class ContinuousFit : public ::testing::TestWithParam<Case> {};

TEST_P(ContinuousFit, KolmogorovSmirnovAgainstExactCdf) {
  const Case& c = GetParam();
  expect_fits_continuous(draw(c.d, c.params, c.name), c.d, c.params);
}

INSTANTIATE_TEST_SUITE_P(
    SamplersFit, ContinuousFit,
    ::testing::Values(Case{"normal_0_1", Distribution::kNormal, {0.0, 1.0}},
                      Case{"normal_100_15", Distribution::kNormal, {100.0, 15.0}},
                      Case{"normal_narrow", Distribution::kNormal, {-3.0, 1e-3}},
                      Case{"lognormal_0_1", Distribution::kLognormal, {0.0, 1.0}},
                      Case{"lognormal_2_quarter", Distribution::kLognormal, {2.0, 0.25}},
                      Case{"uniform_0_1", Distribution::kUniform, {0.0, 1.0}},
                      Case{"uniform_wide", Distribution::kUniform, {-5.0, 20.0}},
                      Case{"triangular_inner", Distribution::kTriangular, {0.0, 0.3, 1.0}},
                      Case{"triangular_mode_at_min", Distribution::kTriangular, {0.0, 0.0, 1.0}},
                      Case{"triangular_mode_at_max", Distribution::kTriangular, {2.0, 5.0, 5.0}},
                      Case{"pert_symmetric", Distribution::kPert, {0.0, 0.5, 1.0}},
                      Case{"pert_skewed", Distribution::kPert, {10.0, 12.0, 30.0}},
                      Case{"pert_mode_at_min", Distribution::kPert, {0.0, 0.0, 1.0}},
                      Case{"beta_half_half", Distribution::kBeta, {0.5, 0.5}},
                      Case{"beta_small_a", Distribution::kBeta, {0.2, 3.0}},
                      Case{"beta_both_tiny", Distribution::kBeta, {0.05, 0.08}},
                      Case{"beta_2_5", Distribution::kBeta, {2.0, 5.0}},
                      Case{"beta_5_1", Distribution::kBeta, {5.0, 1.0}},
                      Case{"beta_1_1", Distribution::kBeta, {1.0, 1.0}},
                      Case{"beta_large", Distribution::kBeta, {30.0, 70.0}}),
    [](const ::testing::TestParamInfo<Case>& param_info) { return param_info.param.name; });

class DiscreteFit : public ::testing::TestWithParam<Case> {};

TEST_P(DiscreteFit, ChiSquareAgainstExactCdf) {
  const Case& c = GetParam();
  expect_fits_discrete(draw(c.d, c.params, c.name), c.d, c.params);
}

INSTANTIATE_TEST_SUITE_P(SamplersFit, DiscreteFit,
                         ::testing::Values(Case{"bernoulli_0_3", Distribution::kBernoulli, {0.3}},
                                           Case{"bernoulli_0_01", Distribution::kBernoulli, {0.01}},
                                           Case{"bernoulli_0_97", Distribution::kBernoulli, {0.97}},
                                           Case{"poisson_0_5", Distribution::kPoisson, {0.5}},
                                           Case{"poisson_3", Distribution::kPoisson, {3.0}},
                                           Case{"poisson_9_9", Distribution::kPoisson, {9.9}},
                                           Case{"poisson_10", Distribution::kPoisson, {10.0}},
                                           Case{"poisson_12_5", Distribution::kPoisson, {12.5}},
                                           Case{"poisson_50", Distribution::kPoisson, {50.0}},
                                           Case{"poisson_1000", Distribution::kPoisson, {1000.0}}),
                         [](const ::testing::TestParamInfo<Case>& param_info) {
                           return param_info.param.name;
                         });

// Array parameters that vary per element: the probability integral
// transform u_i = F(x_i; params_i) of correct draws is U(0, 1), tested by KS.
// Uses 100,000 draws each as above.
void expect_pit_uniform(Distribution d, const std::vector<std::vector<double>>& arrays,
                        const std::string& name) {
  std::vector<Param> params;
  for (const auto& a : arrays) params.push_back(Param{.data = a.data(), .stride = 1});
  std::vector<double> out(kDraws);
  std::vector<double> scratch(kBlockSize);
  const DrawKey key{.node = stable_hash(name), .unit = 0, .site = 0, .period = 0};
  for (std::size_t start = 0; start < kDraws; start += kBlockSize) {
    std::vector<Param> shifted = params;
    for (Param& p : shifted) p.data += start;
    const BlockDraw where{.seed = kSeed,
                          .key = key,
                          .block = start / kBlockSize,
                          .n = std::min(kBlockSize, kDraws - start)};
    sample_block(d, shifted, where, out.data() + start, scratch.data());
  }
  std::vector<double> u(kDraws);
  std::vector<double> p(arrays.size());
  for (std::size_t i = 0; i < kDraws; ++i) {
    for (std::size_t j = 0; j < arrays.size(); ++j) p[j] = arrays[j][i];
    u[i] = cdf(d, p, out[i]);
  }
  expect_fits_continuous(u, Distribution::kUniform, {0.0, 1.0});
}

TEST(SamplersFit, VaryingArrayParamsNormal) {
  std::vector<double> mean(kDraws), sd(kDraws);
  for (std::size_t i = 0; i < kDraws; ++i) {
    mean[i] = static_cast<double>(i % 17) - 8.0;
    sd[i] = 0.5 + static_cast<double>(i % 5);
  }
  expect_pit_uniform(Distribution::kNormal, {mean, sd}, "pit_normal");
}

TEST(SamplersFit, VaryingArrayParamsBeta) {
  std::vector<double> a(kDraws), b(kDraws);
  for (std::size_t i = 0; i < kDraws; ++i) {
    a[i] = 0.3 + 0.4 * static_cast<double>(i % 7);  // 0.3 .. 2.7: both sides of 1
    b[i] = 0.6 + 0.9 * static_cast<double>(i % 4);
  }
  expect_pit_uniform(Distribution::kBeta, {a, b}, "pit_beta");
}

TEST(SamplersFit, VaryingArrayParamsTriangular) {
  std::vector<double> lo(kDraws), mode(kDraws), hi(kDraws);
  for (std::size_t i = 0; i < kDraws; ++i) {
    lo[i] = static_cast<double>(i % 3);
    mode[i] = lo[i] + static_cast<double>(i % 4);
    hi[i] = mode[i] + static_cast<double>(i % 5) + 0.5;
  }
  expect_pit_uniform(Distribution::kTriangular, {lo, mode, hi}, "pit_triangular");
}

// Poisson with lambda varying across the switch between inversion and
// PTRS; the sum of independent Poisson draws is Poisson(sum of lambdas),
// so the sums over groups of 10 consecutive elements with lambdas 0.5, 2.5,
// ..., 18.5 (total 95) are Poisson(95): chi-square over 10,000 groups.
TEST(SamplersFit, VaryingArrayParamsPoissonSum) {
  constexpr std::size_t kGroup = 10;
  std::vector<double> lambda(kDraws);
  double total = 0.0;
  for (std::size_t i = 0; i < kDraws; ++i) lambda[i] = 0.5 + 2.0 * static_cast<double>(i % kGroup);
  for (std::size_t i = 0; i < kGroup; ++i) total += lambda[i];
  const Param param{.data = lambda.data(), .stride = 1};
  std::vector<double> out(kDraws);
  std::vector<double> scratch(kBlockSize);
  const DrawKey key{.node = stable_hash("pit_poisson"), .unit = 0, .site = 0, .period = 0};
  for (std::size_t start = 0; start < kDraws; start += kBlockSize) {
    const Param shifted{.data = param.data + start, .stride = 1};
    const BlockDraw where{.seed = kSeed,
                          .key = key,
                          .block = start / kBlockSize,
                          .n = std::min(kBlockSize, kDraws - start)};
    sample_block(Distribution::kPoisson, std::span<const Param>(&shifted, 1), where,
                 out.data() + start, scratch.data());
  }
  std::vector<double> sums(kDraws / kGroup, 0.0);
  for (std::size_t i = 0; i < kDraws; ++i) sums[i / kGroup] += out[i];
  expect_fits_discrete(sums, Distribution::kPoisson, {total});
}

}  // namespace
}  // namespace plansim::sim
