// The functions of the expression language (plan-format.md sections 2, 3, 9):
// their names, arities and, for distributions, the rules their parameters
// must satisfy. One table, used by name resolution, by the compiler and by
// messages ("unknown function 'nromal' (did you mean 'normal'?)").
#pragma once

#include <cmath>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace plansim::rules {

enum class Distribution { kNormal, kLognormal, kUniform, kTriangular, kPert, kBeta, kBernoulli, kPoisson };

enum class FunctionKind {
  kMath,          // min, max, clamp, abs, sqrt, exp, log, pow, floor, ceil, round, if
  kDistribution,  // normal, lognormal, ...
  kTime,          // prev, cum, delay
  kAggregate,     // total, average, weighted, share, count, smallest, largest
};

struct FunctionInfo {
  std::string_view name;
  FunctionKind kind;
  int min_args;
  int max_args;  // -1: unbounded
  std::string_view signature;  // for messages: "clamp(x, lo, hi)"
};

// nullptr when `name` is not a function of the language.
const FunctionInfo* find_function(std::string_view name);
std::vector<std::string> function_names();

std::optional<Distribution> find_distribution(std::string_view name);
std::string_view distribution_name(Distribution d);
int distribution_arity(Distribution d);

// Checks parameters against the table in plan-format.md section 3. Returns
// an empty string when they are valid, else the rule they break, quoting the
// values: "sd must be >= 0 (got -0.1)". Also used per sample when parameters
// vary (an invalid draw is NaN).
std::string check_parameters(Distribution d, std::span<const double> params);
inline bool parameters_valid(Distribution d, const double* params) {
  // Same rules as check_parameters, without building messages: this runs per sample.
  const double* p = params;
  switch (d) {
    case Distribution::kNormal:
    case Distribution::kLognormal:
      return std::isfinite(p[0]) && std::isfinite(p[1]) && p[1] >= 0;
    case Distribution::kUniform:
      return std::isfinite(p[0]) && std::isfinite(p[1]) && p[0] <= p[1];
    case Distribution::kTriangular:
      return std::isfinite(p[0]) && std::isfinite(p[1]) && std::isfinite(p[2]) && p[0] <= p[1] &&
             p[1] <= p[2];
    case Distribution::kPert:
      return std::isfinite(p[0]) && std::isfinite(p[1]) && std::isfinite(p[2]) && p[0] <= p[1] &&
             p[1] <= p[2] && p[0] < p[2];
    case Distribution::kBeta:
      return std::isfinite(p[0]) && std::isfinite(p[1]) && p[0] > 0 && p[1] > 0;
    case Distribution::kBernoulli:
      return std::isfinite(p[0]) && p[0] >= 0 && p[0] <= 1;
    case Distribution::kPoisson:
      return std::isfinite(p[0]) && p[0] >= 0;
  }
  return false;
}

}  // namespace plansim::rules
