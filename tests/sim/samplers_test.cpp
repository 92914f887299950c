// Deterministic properties of the samplers: keying, parameter handling and
// the accuracy of the normal quantile. Goodness of fit is in
// tests/statistical/samplers_test.cpp.
#include "sim/samplers.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <boost/math/special_functions/erf.hpp>
#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace plansim::sim {
namespace {

using rules::Distribution;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

struct Case {
  Distribution d;
  std::vector<double> params;
};

std::string describe(const Case& c) {
  std::string s(rules::distribution_name(c.d));
  s += "(";
  for (std::size_t i = 0; i < c.params.size(); ++i) {
    if (i > 0) s += ", ";
    s += std::to_string(c.params[i]);
  }
  return s + ")";
}

// One of every sampler and of every branch inside one (poisson's two
// methods and two table searches, beta's shapes on both sides of 1,
// triangular's mode at an edge).
std::vector<Case> all_cases() {
  return {
      {Distribution::kNormal, {1.0, 2.0}},
      {Distribution::kLognormal, {0.5, 0.3}},
      {Distribution::kUniform, {-1.0, 4.0}},
      {Distribution::kTriangular, {0.0, 1.0, 3.0}},
      {Distribution::kTriangular, {0.0, 0.0, 1.0}},
      {Distribution::kTriangular, {0.0, 1.0, 1.0}},
      {Distribution::kPert, {1.0, 2.0, 6.0}},
      {Distribution::kBeta, {0.5, 2.0}},
      {Distribution::kBeta, {3.0, 4.0}},
      {Distribution::kBernoulli, {0.3}},
      {Distribution::kPoisson, {0.7}},  // table scanned linearly
      {Distribution::kPoisson, {3.5}},  // table searched by bisection
      {Distribution::kPoisson, {42.0}},
  };
}

BlockDraw where_at(std::uint64_t block, std::size_t n = kBlockSize) {
  return BlockDraw{.seed = 99,
                   .key = DrawKey{.node = stable_hash("cost"), .unit = 0, .site = 1, .period = 0},
                   .block = block,
                   .n = n};
}

std::vector<double> draw(Distribution d, const std::vector<double>& scalars,
                         const BlockDraw& where) {
  std::vector<Param> params;
  for (const double& p : scalars) params.push_back(Param{.data = &p, .stride = 0});
  std::vector<double> out(where.n);
  std::vector<double> scratch(where.n);
  sample_block(d, params, where, out.data(), scratch.data());
  return out;
}

std::vector<double> draw_arrays(Distribution d, const std::vector<std::vector<double>>& arrays,
                                const BlockDraw& where) {
  std::vector<Param> params;
  for (const auto& a : arrays) params.push_back(Param{.data = a.data(), .stride = 1});
  std::vector<double> out(where.n);
  std::vector<double> scratch(where.n);
  sample_block(d, params, where, out.data(), scratch.data());
  return out;
}

void expect_same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(std::bit_cast<std::uint64_t>(a[i]), std::bit_cast<std::uint64_t>(b[i]))
        << "at " << i << ": " << a[i] << " vs " << b[i];
  }
}

TEST(Samplers, SameBlockTwiceGivesIdenticalBits) {
  for (const Case& c : all_cases()) {
    SCOPED_TRACE(describe(c));
    const std::vector<double> first = draw(c.d, c.params, where_at(3));
    expect_same_bits(draw(c.d, c.params, where_at(3)), first);
    EXPECT_NE(draw(c.d, c.params, where_at(4)), first);
  }
}

// Element i depends on the sample index only, not on how many samples the
// block holds (the last block of a run is short).
TEST(Samplers, ShortBlockIsAPrefixOfTheFullBlock) {
  for (const Case& c : all_cases()) {
    SCOPED_TRACE(describe(c));
    const std::vector<double> full = draw(c.d, c.params, where_at(2));
    const std::vector<double> part = draw(c.d, c.params, where_at(2, 37));
    expect_same_bits(part, std::vector<double>(full.begin(), full.begin() + 37));
  }
}

TEST(Samplers, ArrayParamsEqualToScalarsGiveTheSameBits) {
  for (const Case& c : all_cases()) {
    SCOPED_TRACE(describe(c));
    std::vector<std::vector<double>> arrays;
    for (const double p : c.params) arrays.emplace_back(kBlockSize, p);
    expect_same_bits(draw_arrays(c.d, arrays, where_at(5)), draw(c.d, c.params, where_at(5)));
  }
}

TEST(Samplers, InvalidScalarParamsGiveNaN) {
  const std::vector<Case> invalid = {
      {Distribution::kNormal, {0.0, -1.0}},   {Distribution::kNormal, {kNaN, 1.0}},
      {Distribution::kNormal, {kInf, 1.0}},   {Distribution::kLognormal, {0.0, -0.5}},
      {Distribution::kUniform, {2.0, 1.0}},   {Distribution::kTriangular, {0.0, 2.0, 1.0}},
      {Distribution::kPert, {1.0, 1.0, 1.0}}, {Distribution::kPert, {0.0, -1.0, 1.0}},
      {Distribution::kBeta, {0.0, 1.0}},      {Distribution::kBeta, {1.0, -2.0}},
      {Distribution::kBernoulli, {1.5}},      {Distribution::kBernoulli, {-0.1}},
      {Distribution::kPoisson, {-1.0}},       {Distribution::kPoisson, {kInf}},
  };
  for (const Case& c : invalid) {
    SCOPED_TRACE(describe(c));
    for (const double x : draw(c.d, c.params, where_at(0, 50))) {
      ASSERT_TRUE(std::isnan(x));
    }
    EXPECT_TRUE(std::isnan(cdf(c.d, c.params, 0.5)));
  }
}

// With array parameters only the offending elements are NaN; the others are
// exactly what the valid scalar parameters give.
TEST(Samplers, InvalidElementIsNaNAndOthersUnchanged) {
  for (const Case& c : all_cases()) {
    SCOPED_TRACE(describe(c));
    std::vector<std::vector<double>> arrays;
    for (const double p : c.params) arrays.emplace_back(kBlockSize, p);
    // Break element 5 through its first parameter: NaN is invalid for every distribution.
    arrays[0][5] = kNaN;
    const std::vector<double> out = draw_arrays(c.d, arrays, where_at(6));
    const std::vector<double> expected = draw(c.d, c.params, where_at(6));
    for (std::size_t i = 0; i < kBlockSize; ++i) {
      if (i == 5) {
        EXPECT_TRUE(std::isnan(out[i]));
      } else {
        ASSERT_EQ(std::bit_cast<std::uint64_t>(out[i]), std::bit_cast<std::uint64_t>(expected[i]));
      }
    }
  }
}

TEST(Samplers, ZeroSpreadGivesTheConstantExactly) {
  const std::vector<std::pair<Case, double>> cases = {
      {{Distribution::kNormal, {5.25, 0.0}}, 5.25},
      {{Distribution::kLognormal, {1.5, 0.0}}, std::exp(1.5)},
      {{Distribution::kUniform, {3.0, 3.0}}, 3.0},
      {{Distribution::kTriangular, {2.0, 2.0, 2.0}}, 2.0},
      {{Distribution::kBernoulli, {0.0}}, 0.0},
      {{Distribution::kBernoulli, {1.0}}, 1.0},
      {{Distribution::kPoisson, {0.0}}, 0.0},
  };
  for (const auto& [c, value] : cases) {
    SCOPED_TRACE(describe(c));
    for (const double x : draw(c.d, c.params, where_at(1))) ASSERT_EQ(x, value);
    std::vector<std::vector<double>> arrays;
    for (const double p : c.params) arrays.emplace_back(kBlockSize, p);
    for (const double x : draw_arrays(c.d, arrays, where_at(1))) ASSERT_EQ(x, value);
  }
}

// The inversion samplers read uniform i of the block's UniformStream.
TEST(Samplers, InversionSamplersUseUniformIOfTheBlock) {
  const BlockDraw where = where_at(9);
  std::vector<double> u(kBlockSize);
  UniformStream(where.seed, where.key, where.block).fill(u.data(), u.size());

  const std::vector<double> z = draw(Distribution::kNormal, {0.0, 1.0}, where);
  const std::vector<double> uni = draw(Distribution::kUniform, {0.0, 1.0}, where);
  const std::vector<double> bern = draw(Distribution::kBernoulli, {0.25}, where);
  const std::vector<double> pois = draw(Distribution::kPoisson, {2.5}, where);
  for (std::size_t i = 0; i < kBlockSize; ++i) {
    ASSERT_EQ(std::bit_cast<std::uint64_t>(z[i]),
              std::bit_cast<std::uint64_t>(normal_quantile(u[i])));
    ASSERT_EQ(uni[i], u[i]);
    ASSERT_EQ(bern[i], u[i] < 0.25 ? 1.0 : 0.0);
    // The smallest k with u <= F(k); F from the incomplete gamma may differ
    // from the sampler's running sum in the last bit, so skip near-ties.
    const double k = pois[i];
    const double below = k > 0 ? cdf(Distribution::kPoisson, std::vector<double>{2.5}, k - 1) : 0.0;
    const double at = cdf(Distribution::kPoisson, std::vector<double>{2.5}, k);
    if (std::fabs(u[i] - below) > 1e-12 && std::fabs(u[i] - at) > 1e-12) {
      ASSERT_GT(u[i], below);
      ASSERT_LE(u[i], at);
    }
  }
}

TEST(Samplers, NormalQuantileSpecialValues) {
  EXPECT_EQ(normal_quantile(0.5), 0.0);
  EXPECT_EQ(normal_quantile(0.0), -kInf);
  EXPECT_EQ(normal_quantile(1.0), kInf);
  EXPECT_TRUE(std::isnan(normal_quantile(-0.1)));
  EXPECT_TRUE(std::isnan(normal_quantile(1.1)));
  EXPECT_TRUE(std::isnan(normal_quantile(kNaN)));
  EXPECT_NEAR(normal_quantile(0.975), 1.959963984540054, 1e-15);
}

// Against Boost's erfc_inv in long double (z = -sqrt(2) erfc_inv(2p)), over
// p from 1e-300 to 1 - 2^-53, covering all three regions of AS241; and the
// round trip through normal_cdf, whose own error is about (1 + z^2) eps
// relative in the lower tail.
TEST(Samplers, NormalQuantileAccuracy) {
  constexpr double kEps = std::numeric_limits<double>::epsilon();
  std::vector<double> ps;
  for (double e = -300.0; e < -0.5; e += 0.25) ps.push_back(std::pow(10.0, e));
  for (int i = 1; i < 1000; ++i) ps.push_back(i / 1000.0);
  for (double e = -15.0; e < -0.5; e += 0.25) ps.push_back(1.0 - std::pow(10.0, e));
  ps.push_back(kLargestBelowOne);
  ps.push_back(0x1.0p-54);

  double worst_relative = 0.0;
  for (const double p : ps) {
    const double z = normal_quantile(p);
    const long double exact =
        -std::sqrt(2.0L) * boost::math::erfc_inv(2.0L * static_cast<long double>(p));
    const double relative = static_cast<double>(std::fabs((z - exact) / exact));
    if (exact != 0.0L) {
      worst_relative = std::max(worst_relative, relative);
      EXPECT_LE(relative, 8.0 * kEps) << "p = " << p << " z = " << z;
    }
    if (p < 0.5) {
      const double back = normal_cdf(z);
      EXPECT_LE(std::fabs(back - p), 16.0 * kEps * (1.0 + z * z) * p) << "p = " << p;
    }
  }
  RecordProperty("worst_relative_error_in_eps", std::to_string(worst_relative / kEps));
}

TEST(Samplers, CdfKnownValues) {
  EXPECT_EQ(normal_cdf(0.0), 0.5);
  EXPECT_NEAR(normal_cdf(-1.959963984540054), 0.025, 1e-16);
  EXPECT_NEAR(normal_cdf(-10.0), 7.619853024160527e-24, 1e-36);
  using V = std::vector<double>;
  EXPECT_NEAR(cdf(Distribution::kNormal, V{10, 2}, 12), normal_cdf(1.0), 1e-16);
  EXPECT_EQ(cdf(Distribution::kNormal, V{10, 0}, 9.99), 0.0);
  EXPECT_EQ(cdf(Distribution::kNormal, V{10, 0}, 10.0), 1.0);
  EXPECT_NEAR(cdf(Distribution::kLognormal, V{1, 0.5}, std::exp(1.0)), 0.5, 1e-15);
  EXPECT_EQ(cdf(Distribution::kLognormal, V{1, 0.5}, -1.0), 0.0);
  EXPECT_NEAR(cdf(Distribution::kUniform, V{2, 6}, 3), 0.25, 1e-16);
  EXPECT_NEAR(cdf(Distribution::kTriangular, V{0, 1, 4}, 1), 0.25, 1e-16);
  EXPECT_NEAR(cdf(Distribution::kTriangular, V{0, 1, 4}, 2), 1 - 4.0 / 12.0, 1e-16);
  EXPECT_NEAR(cdf(Distribution::kTriangular, V{0, 0, 1}, 0.5), 0.75, 1e-16);
  EXPECT_NEAR(cdf(Distribution::kPert, V{0, 5, 10}, 5), 0.5, 1e-15);
  EXPECT_NEAR(cdf(Distribution::kBeta, V{2, 2}, 0.5), 0.5, 1e-15);
  EXPECT_NEAR(cdf(Distribution::kBeta, V{1, 1}, 0.3), 0.3, 1e-15);
  EXPECT_NEAR(cdf(Distribution::kBeta, V{2, 1}, 0.3), 0.09, 1e-15);  // x^2
  EXPECT_EQ(cdf(Distribution::kBernoulli, V{0.3}, -0.5), 0.0);
  EXPECT_NEAR(cdf(Distribution::kBernoulli, V{0.3}, 0.0), 0.7, 1e-16);
  EXPECT_EQ(cdf(Distribution::kBernoulli, V{0.3}, 1.0), 1.0);
  EXPECT_NEAR(cdf(Distribution::kPoisson, V{3}, 2.5), std::exp(-3.0) * (1 + 3 + 4.5), 1e-15);
  EXPECT_EQ(cdf(Distribution::kPoisson, V{0}, 0), 1.0);
  EXPECT_EQ(cdf(Distribution::kPoisson, V{3}, -1), 0.0);
  EXPECT_TRUE(std::isnan(cdf(Distribution::kNormal, V{0, 1}, kNaN)));
}

// Extreme but valid parameters finish and give numbers in range.
TEST(Samplers, ExtremeParametersStayInRange) {
  for (const double a : {1e-3, 0.05, 1e3, 1e6}) {
    for (const double b : {1e-3, 0.05, 1e3, 1e6}) {
      SCOPED_TRACE(std::to_string(a) + ", " + std::to_string(b));
      for (const double x : draw(Distribution::kBeta, {a, b}, where_at(0, 256))) {
        ASSERT_GE(x, 0.0);
        ASSERT_LE(x, 1.0);
      }
    }
  }
  for (const double lambda : {1e-300, 9.999999, 10.0, 1e7, 1e15}) {
    SCOPED_TRACE(lambda);
    for (const double x : draw(Distribution::kPoisson, {lambda}, where_at(0, 256))) {
      ASSERT_GE(x, 0.0);
      ASSERT_EQ(x, std::floor(x));
      if (lambda >= 1e7) {
        ASSERT_NEAR(x, lambda, 10.0 * std::sqrt(lambda));
      }
    }
  }
}

}  // namespace
}  // namespace plansim::sim
