// vector_exp and vector_log_positive against the C library, argument by
// argument: never more than one unit in the last place apart.
#include "sim/vector_math.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

namespace plansim::sim {
namespace {

std::uint64_t ulps_apart(double a, double b) {
  const auto x = std::bit_cast<std::int64_t>(a), y = std::bit_cast<std::int64_t>(b);
  return x > y ? static_cast<std::uint64_t>(x - y) : static_cast<std::uint64_t>(y - x);
}

TEST(VectorMath, ExpIsWithinOneUlpOfTheLibrary) {
  std::mt19937_64 gen(7);
  std::uniform_real_distribution<double> wide(-707.0, 709.0), narrow(-5.0, 5.0);
  std::uint64_t worst = 0;
  for (int i = 0; i < 1000000; ++i) {
    for (double x : {wide(gen), narrow(gen)}) worst = std::max(worst, ulps_apart(vector_exp(x), std::exp(x)));
  }
  EXPECT_LE(worst, 1u);
  EXPECT_EQ(vector_exp(0.0), 1.0);
  EXPECT_EQ(vector_exp(710.0), std::numeric_limits<double>::infinity());
  EXPECT_EQ(vector_exp(-750.0), 0.0);
  EXPECT_TRUE(std::isnan(vector_exp(std::nan(""))));
}

TEST(VectorMath, LogIsWithinOneUlpOfTheLibrary) {
  std::mt19937_64 gen(11);
  std::uniform_real_distribution<double> mantissa(0.5, 1.0);
  std::uint64_t worst = 0;
  for (int i = 0; i < 1000000; ++i) {
    const double x = std::ldexp(mantissa(gen), -static_cast<int>(gen() % 60));
    worst = std::max(worst, ulps_apart(vector_log_positive(x), std::log(x)));
  }
  EXPECT_LE(worst, 1u);
  EXPECT_EQ(vector_log_positive(1.0), 0.0);
  EXPECT_DOUBLE_EQ(vector_log_positive(0x1p-53), -53.0 * std::log(2.0));
}

}  // namespace
}  // namespace plansim::sim
