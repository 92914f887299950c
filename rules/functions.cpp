#include "rules/functions.h"

#include <array>
#include <charconv>
#include <cmath>

namespace plansim::rules {
namespace {

constexpr std::array kFunctions = {
    // math
    FunctionInfo{"min", FunctionKind::kMath, 2, -1, "min(a, b, ...)"},
    FunctionInfo{"max", FunctionKind::kMath, 2, -1, "max(a, b, ...)"},
    FunctionInfo{"clamp", FunctionKind::kMath, 3, 3, "clamp(x, lo, hi)"},
    FunctionInfo{"abs", FunctionKind::kMath, 1, 1, "abs(x)"},
    FunctionInfo{"sqrt", FunctionKind::kMath, 1, 1, "sqrt(x)"},
    FunctionInfo{"exp", FunctionKind::kMath, 1, 1, "exp(x)"},
    FunctionInfo{"log", FunctionKind::kMath, 1, 1, "log(x)"},
    FunctionInfo{"pow", FunctionKind::kMath, 2, 2, "pow(x, y)"},
    FunctionInfo{"floor", FunctionKind::kMath, 1, 1, "floor(x)"},
    FunctionInfo{"ceil", FunctionKind::kMath, 1, 1, "ceil(x)"},
    FunctionInfo{"round", FunctionKind::kMath, 1, 1, "round(x)"},
    FunctionInfo{"if", FunctionKind::kMath, 3, 3, "if(cond, a, b)"},
    // distributions (section 3)
    FunctionInfo{"normal", FunctionKind::kDistribution, 2, 2, "normal(mean, sd)"},
    FunctionInfo{"lognormal", FunctionKind::kDistribution, 2, 2, "lognormal(mu, sigma)"},
    FunctionInfo{"uniform", FunctionKind::kDistribution, 2, 2, "uniform(min, max)"},
    FunctionInfo{"triangular", FunctionKind::kDistribution, 3, 3, "triangular(min, mode, max)"},
    FunctionInfo{"pert", FunctionKind::kDistribution, 3, 3, "pert(min, mode, max)"},
    FunctionInfo{"beta", FunctionKind::kDistribution, 2, 2, "beta(a, b)"},
    FunctionInfo{"bernoulli", FunctionKind::kDistribution, 1, 1, "bernoulli(p)"},
    FunctionInfo{"poisson", FunctionKind::kDistribution, 1, 1, "poisson(lambda)"},
    // time
    FunctionInfo{"prev", FunctionKind::kTime, 1, 2, "prev(x[, initial])"},
    FunctionInfo{"cum", FunctionKind::kTime, 1, 1, "cum(x)"},
    FunctionInfo{"delay", FunctionKind::kTime, 2, 2, "delay(x, k)"},
    // aggregates over local units (section 9)
    FunctionInfo{"total", FunctionKind::kAggregate, 1, 1, "total(x)"},
    FunctionInfo{"average", FunctionKind::kAggregate, 1, 1, "average(x)"},
    FunctionInfo{"weighted", FunctionKind::kAggregate, 2, 2, "weighted(x, w)"},
    FunctionInfo{"share", FunctionKind::kAggregate, 1, 1, "share(cond)"},
    FunctionInfo{"count", FunctionKind::kAggregate, 1, 1, "count(cond)"},
    FunctionInfo{"smallest", FunctionKind::kAggregate, 1, 1, "smallest(x)"},
    FunctionInfo{"largest", FunctionKind::kAggregate, 1, 1, "largest(x)"},
};

struct DistributionInfo {
  Distribution d;
  std::string_view name;
  int arity;
  std::array<std::string_view, 3> parameters;  // names used in messages
};

constexpr std::array kDistributions = {
    DistributionInfo{Distribution::kNormal, "normal", 2, {"mean", "sd", ""}},
    DistributionInfo{Distribution::kLognormal, "lognormal", 2, {"mu", "sigma", ""}},
    DistributionInfo{Distribution::kUniform, "uniform", 2, {"min", "max", ""}},
    DistributionInfo{Distribution::kTriangular, "triangular", 3, {"min", "mode", "max"}},
    DistributionInfo{Distribution::kPert, "pert", 3, {"min", "mode", "max"}},
    DistributionInfo{Distribution::kBeta, "beta", 2, {"a", "b", ""}},
    DistributionInfo{Distribution::kBernoulli, "bernoulli", 1, {"p", "", ""}},
    DistributionInfo{Distribution::kPoisson, "poisson", 1, {"lambda", "", ""}},
};

// The table is indexed by the enum; this keeps the two in step.
constexpr bool table_matches_enum() {
  for (std::size_t i = 0; i < kDistributions.size(); ++i) {
    if (static_cast<std::size_t>(kDistributions[i].d) != i) return false;
  }
  return true;
}
static_assert(table_matches_enum());

const DistributionInfo& info(Distribution d) { return kDistributions[static_cast<std::size_t>(d)]; }

// Shortest text that reads back as the same value: messages quote what the user wrote.
std::string number_text(double v) {
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, v);
  return std::string(buffer, result.ptr);
}

std::string quote_all(const double* p, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) {
    if (i > 0) out += ", ";
    out += number_text(p[i]);
  }
  return out;
}

}  // namespace

const FunctionInfo* find_function(std::string_view name) {
  for (const FunctionInfo& f : kFunctions) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::vector<std::string> function_names() {
  std::vector<std::string> names;
  names.reserve(kFunctions.size());
  for (const FunctionInfo& f : kFunctions) names.emplace_back(f.name);
  return names;
}

std::optional<Distribution> find_distribution(std::string_view name) {
  for (const DistributionInfo& d : kDistributions) {
    if (d.name == name) return d.d;
  }
  return std::nullopt;
}

std::string_view distribution_name(Distribution d) { return info(d).name; }

int distribution_arity(Distribution d) { return info(d).arity; }

std::string check_parameters(Distribution d, std::span<const double> params) {
  const DistributionInfo& di = info(d);
  if (params.size() != static_cast<std::size_t>(di.arity)) {
    return std::string(di.name) + " takes " + std::to_string(di.arity) + " parameter" +
           (di.arity == 1 ? "" : "s") + " (got " + std::to_string(params.size()) + ")";
  }
  // NaN fails every comparison below, so finiteness is checked first and
  // explicitly; infinities would make the draws meaningless.
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (!std::isfinite(params[i])) {
      return "parameters must be finite numbers (got " + std::string(di.parameters[i]) + " = " +
             number_text(params[i]) + ")";
    }
  }
  const double* p = params.data();
  switch (d) {
    case Distribution::kNormal:
      if (p[1] < 0) return "sd must be >= 0 (got " + number_text(p[1]) + ")";
      break;
    case Distribution::kLognormal:
      if (p[1] < 0) return "sigma must be >= 0 (got " + number_text(p[1]) + ")";
      break;
    case Distribution::kUniform:
      if (p[0] > p[1]) {
        return "min must be <= max (got " + number_text(p[0]) + " > " + number_text(p[1]) + ")";
      }
      break;
    case Distribution::kTriangular:
    case Distribution::kPert:
      if (!(p[0] <= p[1] && p[1] <= p[2])) {
        return "needs min <= mode <= max (got " + quote_all(p, 3) + ")";
      }
      // beta-PERT divides by (max - min); a point mass is for triangular or a constant.
      if (d == Distribution::kPert && !(p[0] < p[2])) {
        return "needs min < max (got " + quote_all(p, 3) + ")";
      }
      break;
    case Distribution::kBeta:
      if (!(p[0] > 0)) return "a must be > 0 (got " + number_text(p[0]) + ")";
      if (!(p[1] > 0)) return "b must be > 0 (got " + number_text(p[1]) + ")";
      break;
    case Distribution::kBernoulli:
      if (!(p[0] >= 0 && p[0] <= 1)) return "p must be in [0, 1] (got " + number_text(p[0]) + ")";
      break;
    case Distribution::kPoisson:
      if (p[0] < 0) return "lambda must be >= 0 (got " + number_text(p[0]) + ")";
      break;
  }
  return {};
}

}  // namespace plansim::rules
