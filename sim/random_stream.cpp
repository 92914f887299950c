#include "sim/simd_clones.h"
#include "sim/random_stream.h"

#include <Random123/philox.h>

#include <algorithm>
#include <bit>

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

// x86-64 builds for the baseline ISA (SSE2: two 64-bit lanes per vector).
// GCC also compiles generate() for AVX2 and picks the clone at load time:
// the work is integer arithmetic and exact conversions, so every clone
// writes the same bits, and AVX2 machines run about twice as fast.

// Takes `steps` steps of all lanes, writing step t's uniform of lane l to
// out[t * kLanes + l]. The state is copied into local arrays so the
// compiler knows `out` does not alias it. The lane loop is kept a loop
// (unroll 1) so the loop vectoriser turns it into SIMD; fully unrolled,
// GCC instead scalarises the 32 state words into spilling registers
// (measured 2x slower).
// xoshiro256+ (Blackman and Vigna): result = s0 + s3, then
//   t = s1 << 17; s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 45).
PLANSIM_SIMD_CLONES
void generate(std::array<std::array<std::uint64_t, UniformStream::kLanes>, 4>& state, double* out,
              std::size_t steps) {
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
    double* o = out + t * kLanes;
#pragma GCC unroll 1
    for (std::size_t l = 0; l < kLanes; ++l) {
      o[l] = unit_open_from_bits(s0[l] + s3[l]);
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
// last step taken. fill() first drains it, then writes whole steps straight
// to `out`, and takes one more step through buffer_ for a ragged end, so
// any split of calls between fill() and next() reads the same values.
void UniformStream::fill(double* out, std::size_t n) {
  const std::size_t from_buffer = std::min(n, buffered_);
  const double* unread = buffer_.data() + (kLanes - buffered_);
  std::copy(unread, unread + from_buffer, out);
  buffered_ -= from_buffer;
  out += from_buffer;
  n -= from_buffer;

  const std::size_t steps = n / kLanes;
  generate(s_, out, steps);
  out += steps * kLanes;
  n -= steps * kLanes;

  if (n > 0) {
    refill();
    std::copy(buffer_.data(), buffer_.data() + n, out);
    buffered_ = kLanes - n;
  }
}

double UniformStream::next() {
  if (buffered_ == 0) {
    refill();
  }
  return buffer_[kLanes - buffered_--];
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
