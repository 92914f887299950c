#include "sim/simd_clones.h"
#include "sim/random_stream.h"

#include <Random123/philox.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

namespace plansim::sim {
namespace {


// An all-zero xoshiro state is a fixed point (it would emit zeros forever).
// Philox is a bijection, so exactly one counter per key maps to zero; should
// a lane ever land there, it restarts from this fixed non-zero word instead,
// which keeps the stream deterministic. Chance per lane: 2^-256.
constexpr std::uint64_t kZeroStateReplacement = 0x9e3779b97f4a7c15ULL;

// The second counter word packs site and period: {unit, site << 32 | period, ...}.
std::uint64_t site_period(const DrawKey& key) {
  return (static_cast<std::uint64_t>(key.site) << 32) | key.period;
}

r123::Philox4x64::ctr_type philox(r123::Philox4x64::ctr_type ctr, r123::Philox4x64::key_type key) {
  return r123::Philox4x64()(ctr, key);  // Philox4x64 is Philox4x64_R<10>
}

// Bit-exact, vectorisable to_unit_open(x): the same value, computed without
// a 64-bit integer to double conversion (SSE2 and AVX2 have none, so GCC
// would fall back to scalar code). v = x >> 11 < 2^53 is split as
// hi * 2^32 + lo; each half becomes a double by the 2^52 exponent trick
// (bits 0x433 << 52 | h read as double = 2^52 + h, exact for h < 2^52) and
// the recombination hi * 2^32 + lo is exact because v fits in 53 bits. The
// rest is to_unit_open's own arithmetic, so the result has the same bits.
inline double unit_open_from_bits(std::uint64_t x) {
  constexpr std::uint64_t kExponent52 = 0x4330000000000000ULL;
  constexpr double kTwo52 = 0x1.0p52;
  const std::uint64_t v = x >> 11;
  const double hi = std::bit_cast<double>((v >> 32) | kExponent52) - kTwo52;
  const double lo = std::bit_cast<double>((v & 0xffffffffULL) | kExponent52) - kTwo52;
  const double d = hi * 0x1.0p32 + lo;
  const double u = (d + 0.5) * 0x1.0p-53;
  return u < kLargestBelowOne ? u : kLargestBelowOne;
}

inline std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// Takes `steps` steps of all lanes, passing step t's output of lane l to
// emit(t * kLanes + l, bits). The state is copied into local arrays so the
// compiler knows the output does not alias it. The lane loop is kept a loop
// (unroll 1) so the loop vectoriser turns it into SIMD; fully unrolled,
// GCC instead scalarises the 32 state words into spilling registers
// (measured 2x slower).
// xoshiro256+ (Blackman and Vigna): result = s0 + s3, then
//   t = s1 << 17; s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 45).
template <class Emit>
inline void advance(std::array<std::array<std::uint64_t, UniformStream::kLanes>, 4>& state, std::size_t steps,
                    Emit emit) {
  constexpr std::size_t kLanes = UniformStream::kLanes;
  alignas(64) std::uint64_t s0[kLanes];
  alignas(64) std::uint64_t s1[kLanes];
  alignas(64) std::uint64_t s2[kLanes];
  alignas(64) std::uint64_t s3[kLanes];
  for (std::size_t l = 0; l < kLanes; ++l) {
    s0[l] = state[0][l];
    s1[l] = state[1][l];
    s2[l] = state[2][l];
    s3[l] = state[3][l];
  }
  for (std::size_t t = 0; t < steps; ++t) {
#pragma GCC unroll 1
    for (std::size_t l = 0; l < kLanes; ++l) {
      emit(t * kLanes + l, s0[l] + s3[l]);
      const std::uint64_t shifted = s1[l] << 17;
      s2[l] ^= s0[l];
      s3[l] ^= s1[l];
      s1[l] ^= s2[l];
      s0[l] ^= s3[l];
      s2[l] ^= shifted;
      s3[l] = rotl(s3[l], 45);
    }
  }
  for (std::size_t l = 0; l < kLanes; ++l) {
    state[0][l] = s0[l];
    state[1][l] = s1[l];
    state[2][l] = s2[l];
    state[3][l] = s3[l];
  }
}

// x86-64 builds for the baseline ISA (SSE2: two 64-bit lanes per vector).
// GCC also compiles these for AVX2 and picks the clone at load time: the
// work is integer arithmetic and exact conversions, so every clone writes
// the same bits, and AVX2 machines run about twice as fast.

PLANSIM_SIMD_CLONES
void generate(std::array<std::array<std::uint64_t, UniformStream::kLanes>, 4>& state, double* out,
              std::size_t steps) {
  advance(state, steps, [out](std::size_t j, std::uint64_t x) { out[j] = unit_open_from_bits(x); });
}

// Bernoulli draws without making the uniforms: to_unit_open(x) < p exactly
// when x >> 11 < threshold (see bernoulli_threshold).
PLANSIM_SIMD_CLONES
void generate_bernoulli(std::array<std::array<std::uint64_t, UniformStream::kLanes>, 4>& state, double* out,
                        std::size_t steps, std::uint64_t threshold) {
  // Both sides are below 2^63, so a signed comparison (which SSE4.2 and
  // AVX2 have) gives the same answer as an unsigned one.
  const auto limit = static_cast<std::int64_t>(threshold);
  advance(state, steps, [out, limit](std::size_t j, std::uint64_t x) {
    out[j] = static_cast<std::int64_t>(x >> 11) < limit ? 1.0 : 0.0;
  });
}

PLANSIM_SIMD_CLONES
void generate_bernoulli(std::array<std::array<std::uint64_t, UniformStream::kLanes>, 4>& state, double* out,
                        std::size_t steps, const double* prob) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  advance(state, steps, [out, prob](std::size_t j, std::uint64_t x) {
    // NaN fails both comparisons of the range check, infinities one.
    const double drawn = unit_open_from_bits(x) < prob[j] ? 1.0 : 0.0;
    out[j] = prob[j] >= 0.0 && prob[j] <= 1.0 ? drawn : kNaN;
  });
}

// The number of 53-bit values v with to_unit_open(v << 11) < p, for p in
// [0, 1]: to_unit_open is non-decreasing in v, so those v are exactly
// [0, threshold). For p in (0, 1) it starts from p * 2^53 (uniform v lies within one of it)
// and steps to the exact boundary.
std::uint64_t bernoulli_threshold(double p) {
  constexpr std::uint64_t kValues = std::uint64_t{1} << 53;
  if (!(p > 0.0)) return 0;  // no uniform is below 0 (or NaN)
  if (p >= 1.0) return kValues;
  const double scaled = std::floor(p * 0x1.0p53);
  std::uint64_t t = static_cast<std::uint64_t>(scaled);
  auto below = [p](std::uint64_t v) { return to_unit_open(v << 11) < p; };
  while (t > 0 && !below(t - 1)) --t;
  while (t < kValues && below(t)) ++t;
  return t;
}

}  // namespace


UniformStream::UniformStream(std::uint64_t seed, const DrawKey& key, std::uint64_t block) {
  const r123::Philox4x64::key_type philox_key = {{seed, key.node}};
  for (std::size_t lane = 0; lane < kLanes; ++lane) {
    const r123::Philox4x64::ctr_type ctr = {{key.unit, site_period(key), block, lane}};
    const r123::Philox4x64::ctr_type words = philox(ctr, philox_key);
    const bool all_zero = (words[0] | words[1] | words[2] | words[3]) == 0;
    for (std::size_t w = 0; w < 4; ++w) {
      s_[w][lane] = words[w];
    }
    if (all_zero) {
      s_[0][lane] = kZeroStateReplacement;
    }
  }
}

void UniformStream::refill() {
  generate(s_, buffer_.data(), 1);
  buffered_ = kLanes;
}

// The sequence is one stream of steps; buffer_ holds the unread tail of the
// last step taken. fill_by() first drains it, then writes whole steps
// straight to `out` (whole_steps(out + j, j, steps)), and takes one more step
// through buffer_ for a ragged end, so any split of calls between the fills
// and next() reads the same values. from_uniform(u, j) makes output j from a
// uniform read from the buffer.
template <class WholeSteps, class FromUniform>
void UniformStream::fill_by(double* out, std::size_t n, WholeSteps whole_steps, FromUniform from_uniform) {
  std::size_t j = 0;
  for (; j < n && buffered_ > 0; ++j) out[j] = from_uniform(buffer_[kLanes - buffered_--], j);
  const std::size_t steps = (n - j) / kLanes;
  whole_steps(out + j, j, steps);
  j += steps * kLanes;
  if (j < n) {
    refill();
    for (; j < n; ++j) out[j] = from_uniform(buffer_[kLanes - buffered_--], j);
  }
}

void UniformStream::fill(double* out, std::size_t n) {
  fill_by(
      out, n, [this](double* o, std::size_t, std::size_t steps) { generate(s_, o, steps); },
      [](double u, std::size_t) { return u; });
}

// As comparing fill()'s values with the probability, without making them.
void UniformStream::fill_bernoulli(double* out, std::size_t n, double prob) {
  const std::uint64_t threshold = bernoulli_threshold(prob);
  fill_by(
      out, n, [&](double* o, std::size_t, std::size_t steps) { generate_bernoulli(s_, o, steps, threshold); },
      [prob](double u, std::size_t) { return u < prob ? 1.0 : 0.0; });
}

void UniformStream::fill_bernoulli(double* out, std::size_t n, const double* prob) {
  fill_by(
      out, n,
      [&](double* o, std::size_t first, std::size_t steps) { generate_bernoulli(s_, o, steps, prob + first); },
      [prob](double u, std::size_t j) {
        return prob[j] >= 0.0 && prob[j] <= 1.0 ? (u < prob[j] ? 1.0 : 0.0) : std::numeric_limits<double>::quiet_NaN();
      });
}

double UniformStream::next() {
  if (buffered_ == 0) {
    refill();
  }
  return buffer_[kLanes - buffered_--];
}

__extension__ using Wide = unsigned __int128;  // GCC and Clang; __extension__ for -Wpedantic

void keyed_shuffle(std::uint64_t seed, const DrawKey& key, std::uint32_t* values, std::size_t n) {
  constexpr std::uint64_t kShuffleBlock = ~std::uint64_t{0};
  const r123::Philox4x64::key_type philox_key = {{seed, key.node}};
  r123::Philox4x64::ctr_type words{};
  for (std::size_t step = 0; step + 1 < n; ++step) {
    if (step % 4 == 0) words = philox({{key.unit, site_period(key), kShuffleBlock, step / 4}}, philox_key);
    // Swap position i = n - 1 - step with j uniform in [0, i]: the high word
    // of x (i + 1) (Lemire), whose bias is below (i + 1) / 2^64.
    const std::uint64_t i = n - 1 - step;
    const auto j = static_cast<std::uint64_t>((static_cast<Wide>(words[step % 4]) * (i + 1)) >> 64);
    std::swap(values[i], values[j]);
  }
}

ElementStream::ElementStream(std::uint64_t seed, const DrawKey& key, std::uint64_t sample)
    : key_{seed, key.node}, ctr_{key.unit, site_period(key), sample, 0} {}

double ElementStream::next() {
  if (used_ == 4) {
    const r123::Philox4x64::ctr_type words =
        philox({{ctr_[0], ctr_[1], ctr_[2], ctr_[3]}}, {{key_[0], key_[1]}});
    for (std::size_t w = 0; w < 4; ++w) {
      out_[w] = words[w];
    }
    ++ctr_[3];  // the fourth counter word numbers the Philox calls of this sample
    used_ = 0;
  }
  return to_unit_open(out_[static_cast<std::size_t>(used_++)]);
}

}  // namespace plansim::sim
