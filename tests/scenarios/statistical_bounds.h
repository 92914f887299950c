// The n-sigma checks of the scenario tests (docs/style.md): an estimate is
// accepted when it is within kSigmas = 4.5 standard errors of the exact
// value. For an estimate that is normal to a good approximation (every
// check here uses at least 200,000 samples, or a count of at least some
// thousands), a correct engine fails one check with probability
// 2 (1 - Phi(4.5)) = 6.8e-6. Seeds are fixed, so a failure is reproducible:
// a real discrepancy to investigate, never noise to retry away.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <iomanip>
#include <numbers>
#include <sstream>

namespace plansim::scenarios::test {

inline constexpr double kSigmas = 4.5;

inline double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::numbers::sqrt2); }
inline double normal_pdf(double x) { return std::exp(-0.5 * x * x) / std::sqrt(2.0 * std::numbers::pi); }

// |got - exact| <= kSigmas * se, with a message that says by how many
// standard errors it is off.
inline testing::AssertionResult within_bound(double got, double exact, double se, const char* what) {
  const double err = std::abs(got - exact);
  if (err <= kSigmas * se) return testing::AssertionSuccess();
  std::ostringstream out;
  out << std::setprecision(17) << what << " " << got << ", exact " << exact << ": off by " << err << " = "
      << err / se << " standard errors of " << se << " (bound " << kSigmas << ")";
  return testing::AssertionFailure() << out.str();
}

// A probability estimated from n samples: |p - p_exact| <= 4.5 sqrt(p_exact (1 - p_exact) / n).
// Where p_exact is 0 or 1 the bound is 0: the answer must be exact.
inline testing::AssertionResult near_probability(double p, double p_exact, std::uint64_t n) {
  return within_bound(p, p_exact, std::sqrt(p_exact * (1.0 - p_exact) / static_cast<double>(n)), "probability");
}

// A sample mean over n samples of a variable with standard deviation sd.
inline testing::AssertionResult near_mean(double mean, double exact, double sd, std::uint64_t n) {
  return within_bound(mean, exact, sd / std::sqrt(static_cast<double>(n)), "mean");
}

}  // namespace plansim::scenarios::test
