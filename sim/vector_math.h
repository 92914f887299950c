// exp and log written so that a loop over them vectorises.
//
// glibc's exp and log are scalar calls; in the samplers' loops (lognormal
// draws, the normal quantile's tails) they were a third of a run. These use
// the classic reductions and minimax polynomials of Sun's fdlibm (e_exp.c,
// e_log.c; the coefficients are fdlibm's), rearranged without branches or
// 64-bit integer to double conversions, which SSE2 and AVX2 lack: the same
// arithmetic on every element, so a loop compiles to SIMD and every element
// gets the same bits as the scalar call. Accuracy: under one ulp (the tests
// compare with the C library over millions of arguments).
#pragma once

#include <bit>
#include <cstdint>
#include <limits>

namespace plansim::sim {

// exp(x). Below -708 it returns 0 (the true value is below 2^-1021, where
// doubles lose precision anyway); above 709.78 it returns +inf; NaN gives NaN.
inline double vector_exp(double x) {
  constexpr double kLn2Hi = 6.93147180369123816490e-01;
  constexpr double kLn2Lo = 1.90821492927058770002e-10;
  constexpr double kInvLn2 = 1.44269504088896338700e+00;
  constexpr double kP1 = 1.66666666666666019037e-01;
  constexpr double kP2 = -2.77777777770155933842e-03;
  constexpr double kP3 = 6.61375632143793436117e-05;
  constexpr double kP4 = -1.65339022054652515390e-06;
  constexpr double kP5 = 4.13813679705723846039e-08;
  constexpr double kRound = 0x1.8p52;  // adding it rounds to an integer held in the low mantissa bits
  const double xc = x < -708.0 ? -708.0 : (x > 709.0 ? 709.0 : x);
  // x = k ln2 + r, |r| <= ln2 / 2, k = round(x / ln2) in [-1022, 1023].
  const double kr = xc * kInvLn2 + kRound;
  const double k = kr - kRound;
  const double r = (xc - k * kLn2Hi) - k * kLn2Lo;
  const double rr = r * r;
  const double c = r - rr * (kP1 + rr * (kP2 + rr * (kP3 + rr * (kP4 + rr * kP5))));
  const double er = 1.0 - ((r * c) / (c - 2.0) - r);
  // 2^k from k's bits: the low 12 bits of (bits of kr) + 1023 are k + 1023.
  const std::uint64_t scale_bits = (std::bit_cast<std::uint64_t>(kr) + 1023u) << 52;
  const double y = er * std::bit_cast<double>(scale_bits);
  const double inf = std::numeric_limits<double>::infinity();
  const double big = x > 709.782712893384 ? inf : y;
  const double result = x < -708.0 ? 0.0 : big;
  return x != x ? x : result;
}

// log(x) for positive normal x (the samplers' arguments lie in [2^-53, 1]).
// Zero, negatives, subnormals, infinities and NaN are not handled.
inline double vector_log_positive(double x) {
  constexpr double kLn2Hi = 6.93147180369123816490e-01;
  constexpr double kLn2Lo = 1.90821492927058770002e-10;
  constexpr double kLg1 = 6.666666666666735130e-01;
  constexpr double kLg2 = 3.999999999940941908e-01;
  constexpr double kLg3 = 2.857142874366239149e-01;
  constexpr double kLg4 = 2.222219843214978396e-01;
  constexpr double kLg5 = 1.818357216161805012e-01;
  constexpr double kLg6 = 1.531383769920937332e-01;
  constexpr double kLg7 = 1.479819860511658591e-01;
  constexpr double kSqrt2 = 1.41421356237309504880;
  const std::uint64_t bits = std::bit_cast<std::uint64_t>(x);
  // x = 2^e m, m in [1, 2); the biased exponent becomes a double exactly by
  // the 2^52 trick.
  const double biased = std::bit_cast<double>((bits >> 52) | 0x4330000000000000ULL) - 0x1.0p52;
  const double m1 = std::bit_cast<double>((bits & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL);
  // Bring m into [sqrt(2)/2, sqrt(2)) so that f = m - 1 is small.
  const bool high = m1 > kSqrt2;
  const double m = high ? 0.5 * m1 : m1;
  const double e = biased - 1023.0 + (high ? 1.0 : 0.0);
  const double f = m - 1.0;
  const double s = f / (2.0 + f);
  const double z = s * s;
  const double w = z * z;
  const double t1 = w * (kLg2 + w * (kLg4 + w * kLg6));
  const double t2 = z * (kLg1 + w * (kLg3 + w * (kLg5 + w * kLg7)));
  const double r = t2 + t1;
  const double hfsq = 0.5 * f * f;
  return e * kLn2Hi - ((hfsq - (s * (hfsq + r) + e * kLn2Lo)) - f);
}

}  // namespace plansim::sim
