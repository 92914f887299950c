#include "rules/functions.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "rules/suggest.h"

namespace plansim::rules {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

constexpr Distribution kAll[] = {Distribution::kNormal,    Distribution::kLognormal,
                                 Distribution::kUniform,   Distribution::kTriangular,
                                 Distribution::kPert,      Distribution::kBeta,
                                 Distribution::kBernoulli, Distribution::kPoisson};

// Checks the message, and that the allocation-free check agrees with it.
std::string check(Distribution d, std::vector<double> params) {
  const std::string message = check_parameters(d, params);
  EXPECT_EQ(parameters_valid(d, params.data()), message.empty())
      << distribution_name(d) << ": " << message;
  return message;
}

struct Arity {
  const char* name;
  FunctionKind kind;
  int min_args;
  int max_args;
};

TEST(Functions, TableHasEveryFunctionWithItsArity) {
  const Arity expected[] = {
      {"min", FunctionKind::kMath, 2, -1},
      {"max", FunctionKind::kMath, 2, -1},
      {"clamp", FunctionKind::kMath, 3, 3},
      {"abs", FunctionKind::kMath, 1, 1},
      {"sqrt", FunctionKind::kMath, 1, 1},
      {"exp", FunctionKind::kMath, 1, 1},
      {"log", FunctionKind::kMath, 1, 1},
      {"pow", FunctionKind::kMath, 2, 2},
      {"floor", FunctionKind::kMath, 1, 1},
      {"ceil", FunctionKind::kMath, 1, 1},
      {"round", FunctionKind::kMath, 1, 1},
      {"if", FunctionKind::kMath, 3, 3},
      {"normal", FunctionKind::kDistribution, 2, 2},
      {"lognormal", FunctionKind::kDistribution, 2, 2},
      {"uniform", FunctionKind::kDistribution, 2, 2},
      {"triangular", FunctionKind::kDistribution, 3, 3},
      {"pert", FunctionKind::kDistribution, 3, 3},
      {"beta", FunctionKind::kDistribution, 2, 2},
      {"bernoulli", FunctionKind::kDistribution, 1, 1},
      {"poisson", FunctionKind::kDistribution, 1, 1},
      {"prev", FunctionKind::kTime, 1, 2},
      {"cum", FunctionKind::kTime, 1, 1},
      {"delay", FunctionKind::kTime, 2, 2},
      {"total", FunctionKind::kAggregate, 1, 1},
      {"average", FunctionKind::kAggregate, 1, 1},
      {"weighted", FunctionKind::kAggregate, 2, 2},
      {"share", FunctionKind::kAggregate, 1, 1},
      {"count", FunctionKind::kAggregate, 1, 1},
      {"smallest", FunctionKind::kAggregate, 1, 1},
      {"largest", FunctionKind::kAggregate, 1, 1},
  };
  for (const Arity& a : expected) {
    const FunctionInfo* f = find_function(a.name);
    ASSERT_NE(f, nullptr) << a.name;
    EXPECT_EQ(f->name, a.name);
    EXPECT_EQ(f->kind, a.kind) << a.name;
    EXPECT_EQ(f->min_args, a.min_args) << a.name;
    EXPECT_EQ(f->max_args, a.max_args) << a.name;
    EXPECT_EQ(f->signature.substr(0, f->name.size() + 1), std::string(a.name) + "(") << a.name;
  }
  EXPECT_EQ(function_names().size(), std::size(expected));
}

TEST(Functions, UnknownNamesAreNotFunctions) {
  EXPECT_EQ(find_function("nromal"), nullptr);
  EXPECT_EQ(find_function("Normal"), nullptr);
  EXPECT_EQ(find_function(""), nullptr);
  EXPECT_EQ(find_function("and"), nullptr);
}

TEST(Functions, NamesFeedDidYouMean) {
  EXPECT_EQ(did_you_mean("nromal", function_names()), "did you mean 'normal'?");
  EXPECT_EQ(did_you_mean("clmp", function_names()), "did you mean 'clamp'?");
  EXPECT_EQ(did_you_mean("averag", function_names()), "did you mean 'average'?");
}

TEST(Functions, EveryDistributionIsAFunctionOfTheSameArity) {
  for (const Distribution d : kAll) {
    const std::string_view name = distribution_name(d);
    EXPECT_EQ(find_distribution(name), d) << name;
    const FunctionInfo* f = find_function(name);
    ASSERT_NE(f, nullptr) << name;
    EXPECT_EQ(f->kind, FunctionKind::kDistribution);
    EXPECT_EQ(f->min_args, distribution_arity(d));
    EXPECT_EQ(f->max_args, distribution_arity(d));
  }
  EXPECT_EQ(find_distribution("min"), std::nullopt);
  EXPECT_EQ(find_distribution("nromal"), std::nullopt);
}

TEST(Functions, DistributionAritiesFollowTheSpec) {
  EXPECT_EQ(distribution_arity(Distribution::kNormal), 2);
  EXPECT_EQ(distribution_arity(Distribution::kLognormal), 2);
  EXPECT_EQ(distribution_arity(Distribution::kUniform), 2);
  EXPECT_EQ(distribution_arity(Distribution::kTriangular), 3);
  EXPECT_EQ(distribution_arity(Distribution::kPert), 3);
  EXPECT_EQ(distribution_arity(Distribution::kBeta), 2);
  EXPECT_EQ(distribution_arity(Distribution::kBernoulli), 1);
  EXPECT_EQ(distribution_arity(Distribution::kPoisson), 1);
}

TEST(CheckParameters, NormalNeedsNonNegativeSd) {
  EXPECT_EQ(check(Distribution::kNormal, {0.03, 0.02}), "");
  EXPECT_EQ(check(Distribution::kNormal, {-5, 0}), "");
  EXPECT_EQ(check(Distribution::kNormal, {0.03, -0.1}), "sd must be >= 0 (got -0.1)");
}

TEST(CheckParameters, LognormalNeedsNonNegativeSigma) {
  EXPECT_EQ(check(Distribution::kLognormal, {std::log(0.03), 0.5}), "");
  EXPECT_EQ(check(Distribution::kLognormal, {-3, 0}), "");
  EXPECT_EQ(check(Distribution::kLognormal, {0, -2}), "sigma must be >= 0 (got -2)");
}

TEST(CheckParameters, UniformNeedsMinAtMostMax) {
  EXPECT_EQ(check(Distribution::kUniform, {0.04, 0.07}), "");
  EXPECT_EQ(check(Distribution::kUniform, {2, 2}), "");
  EXPECT_EQ(check(Distribution::kUniform, {3, 2}), "min must be <= max (got 3 > 2)");
}

TEST(CheckParameters, TriangularNeedsModeBetweenMinAndMax) {
  EXPECT_EQ(check(Distribution::kTriangular, {0.01, 0.025, 0.04}), "");
  EXPECT_EQ(check(Distribution::kTriangular, {1, 1, 1}), "");
  EXPECT_EQ(check(Distribution::kTriangular, {0, 0, 1}), "");
  EXPECT_EQ(check(Distribution::kTriangular, {0.1, 0.5, 0.3}),
            "needs min <= mode <= max (got 0.1, 0.5, 0.3)");
  EXPECT_EQ(check(Distribution::kTriangular, {0.2, 0.1, 0.3}),
            "needs min <= mode <= max (got 0.2, 0.1, 0.3)");
}

TEST(CheckParameters, PertNeedsModeBetweenAndMinBelowMax) {
  EXPECT_EQ(check(Distribution::kPert, {0.01, 0.025, 0.04}), "");
  EXPECT_EQ(check(Distribution::kPert, {0, 0, 1}), "");
  EXPECT_EQ(check(Distribution::kPert, {0.1, 0.5, 0.3}),
            "needs min <= mode <= max (got 0.1, 0.5, 0.3)");
  EXPECT_EQ(check(Distribution::kPert, {2, 2, 2}), "needs min < max (got 2, 2, 2)");
}

TEST(CheckParameters, BetaNeedsPositiveShapes) {
  EXPECT_EQ(check(Distribution::kBeta, {2, 5}), "");
  EXPECT_EQ(check(Distribution::kBeta, {0.5, 0.5}), "");
  EXPECT_EQ(check(Distribution::kBeta, {0, 1}), "a must be > 0 (got 0)");
  EXPECT_EQ(check(Distribution::kBeta, {1, -1}), "b must be > 0 (got -1)");
}

TEST(CheckParameters, BernoulliNeedsAProbability) {
  EXPECT_EQ(check(Distribution::kBernoulli, {0}), "");
  EXPECT_EQ(check(Distribution::kBernoulli, {1}), "");
  EXPECT_EQ(check(Distribution::kBernoulli, {0.9}), "");
  EXPECT_EQ(check(Distribution::kBernoulli, {1.2}), "p must be in [0, 1] (got 1.2)");
  EXPECT_EQ(check(Distribution::kBernoulli, {-0.01}), "p must be in [0, 1] (got -0.01)");
}

TEST(CheckParameters, PoissonNeedsNonNegativeLambda) {
  EXPECT_EQ(check(Distribution::kPoisson, {0}), "");
  EXPECT_EQ(check(Distribution::kPoisson, {3.5}), "");
  EXPECT_EQ(check(Distribution::kPoisson, {-1}), "lambda must be >= 0 (got -1)");
}

TEST(CheckParameters, NonFiniteParametersAreInvalidForEveryDistribution) {
  EXPECT_EQ(check(Distribution::kNormal, {kNaN, 1}),
            "parameters must be finite numbers (got mean = nan)");
  EXPECT_EQ(check(Distribution::kUniform, {0, kInf}),
            "parameters must be finite numbers (got max = inf)");
  EXPECT_EQ(check(Distribution::kBernoulli, {kNaN}),
            "parameters must be finite numbers (got p = nan)");
  // Every position of every distribution, with NaN and both infinities.
  for (const Distribution d : kAll) {
    const int n = distribution_arity(d);
    for (int i = 0; i < n; ++i) {
      for (const double bad : {kNaN, kInf, -kInf}) {
        // Start from valid parameters, so only the bad one can be blamed.
        std::vector<double> params = {0.1, 0.5, 0.9};
        params.resize(static_cast<std::size_t>(n));
        ASSERT_EQ(check(d, params), "") << distribution_name(d);
        params[static_cast<std::size_t>(i)] = bad;
        EXPECT_EQ(check(d, params).rfind("parameters must be finite numbers", 0), 0u)
            << distribution_name(d) << " parameter " << i;
      }
    }
  }
}

TEST(CheckParameters, WrongCountIsReported) {
  EXPECT_EQ(check_parameters(Distribution::kNormal, std::vector<double>{1, 2, 3}),
            "normal takes 2 parameters (got 3)");
  EXPECT_EQ(check_parameters(Distribution::kPoisson, std::vector<double>{}),
            "poisson takes 1 parameter (got 0)");
}

TEST(ParametersValid, AgreesWithCheckParametersOnAGrid) {
  // Every combination of boundary values, so each rule is tested on both sides.
  const double values[] = {-1, -1e-12, 0, 1e-12, 0.5, 1, 1 + 1e-12, 2, kNaN, kInf};
  for (const Distribution d : kAll) {
    const int n = distribution_arity(d);
    std::size_t combinations = 1;
    for (int i = 0; i < n; ++i) combinations *= std::size(values);
    for (std::size_t k = 0; k < combinations; ++k) {
      std::vector<double> params;
      std::size_t rest = k;
      for (int i = 0; i < n; ++i) {
        params.push_back(values[rest % std::size(values)]);
        rest /= std::size(values);
      }
      check(d, params);  // its EXPECT compares the two
    }
  }
}

}  // namespace
}  // namespace plansim::rules
