#include "sim/random_stream.h"

#include <Random123/philox.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace plansim::sim {
namespace {

constexpr std::uint64_t kSeed = 20240607;

DrawKey base_key() {
  return DrawKey{
      .node = stable_hash("revenue"), .unit = stable_hash("north"), .site = 2, .period = 5};
}

std::vector<double> fill_all(std::uint64_t seed, const DrawKey& key, std::uint64_t block,
                             std::size_t n) {
  std::vector<double> v(n);
  UniformStream(seed, key, block).fill(v.data(), n);
  return v;
}

// Bitwise equality, so that -0.0 vs 0.0 or NaN payloads would not hide a difference.
void expect_same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(std::bit_cast<std::uint64_t>(a[i]), std::bit_cast<std::uint64_t>(b[i])) << "at " << i;
  }
}

TEST(RandomStream, StableHashKnownValues) {
  // FNV-1a 64 test vectors.
  EXPECT_EQ(stable_hash(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(stable_hash("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(stable_hash("foobar"), 0x85944171f73967e8ULL);
  EXPECT_NE(stable_hash("ab"), stable_hash("ba"));
}

TEST(RandomStream, SameKeySameValuesInAnyOrder) {
  const DrawKey key = base_key();
  constexpr std::size_t kN = 1000;  // not a multiple of kLanes: the ragged end matters too
  const std::vector<double> whole = fill_all(kSeed, key, 7, kN);

  {  // one value at a time
    UniformStream s(kSeed, key, 7);
    std::vector<double> v(kN);
    for (double& x : v) x = s.next();
    expect_same_bits(v, whole);
  }
  // Chunked fills of awkward sizes, each mixed with single next() calls.
  for (const std::size_t chunk : {1u, 3u, 7u, 8u, 9u, 13u, 64u, 100u, 333u}) {
    SCOPED_TRACE(chunk);
    UniformStream s(kSeed, key, 7);
    std::vector<double> v(kN);
    std::size_t i = 0;
    bool single = false;
    while (i < kN) {
      if (single) {
        v[i++] = s.next();
      } else {
        const std::size_t take = std::min(chunk, kN - i);
        s.fill(v.data() + i, take);
        i += take;
      }
      single = !single;
    }
    expect_same_bits(v, whole);
  }
  {  // empty fills change nothing
    UniformStream s(kSeed, key, 7);
    std::vector<double> v(kN);
    s.fill(v.data(), 0);
    v[0] = s.next();
    s.fill(v.data() + 1, 0);
    s.fill(v.data() + 1, kN - 1);
    expect_same_bits(v, whole);
  }
}

// fill_bernoulli is comparing fill()'s uniforms with the probability, bit
// for bit: probabilities equal to the stream's own values and one ulp either
// side put the threshold on the exact boundary, in both halves of (0, 1)
// (above 0.5 the uniforms' last bit is rounded).
TEST(RandomStream, BernoulliFillIsComparingTheUniforms) {
  const DrawKey key = base_key();
  constexpr std::size_t kN = 1000;
  const std::vector<double> u = fill_all(kSeed, key, 3, kN);
  std::vector<double> probs = {0.0, 1e-300, 0x1.0p-53, 0.3, 0.5, std::nextafter(0.5, 0.0), std::nextafter(0.5, 1.0),
                               kLargestBelowOne, 1.0};
  for (std::size_t j = 0; j < 60; ++j) {
    probs.push_back(u[j]);
    probs.push_back(std::nextafter(u[j], 0.0));
    probs.push_back(std::nextafter(u[j], 1.0));
  }
  auto compared = [&](auto prob_of) {
    std::vector<double> v(kN);
    for (std::size_t i = 0; i < kN; ++i) v[i] = u[i] < prob_of(i) ? 1.0 : 0.0;
    return v;
  };
  for (const double p : probs) {
    SCOPED_TRACE(p);
    std::vector<double> v(kN);
    UniformStream(kSeed, key, 3).fill_bernoulli(v.data(), kN, p);
    expect_same_bits(v, compared([p](std::size_t) { return p; }));
  }
  // One probability per element, and fills split around single next() calls.
  // Invalid probabilities give NaN.
  std::vector<double> per_element(kN);
  for (std::size_t i = 0; i < kN; ++i) per_element[i] = probs[i % probs.size()];
  per_element[5] = -0.1;
  per_element[600] = 1.5;
  per_element[601] = std::nan("");
  per_element[999] = std::numeric_limits<double>::infinity();
  std::vector<double> expected = compared([&](std::size_t i) { return per_element[i]; });
  for (const std::size_t i : {5u, 600u, 601u, 999u}) expected[i] = std::nan("");
  for (const std::size_t chunk : {1u, 7u, 8u, 13u, 1000u}) {
    SCOPED_TRACE(chunk);
    UniformStream s(kSeed, key, 3);
    std::vector<double> v(kN);
    std::size_t i = 0;
    bool single = false;
    while (i < kN) {
      if (single) {
        const double drawn = s.next() < per_element[i] ? 1.0 : 0.0;
        v[i] = per_element[i] >= 0.0 && per_element[i] <= 1.0 ? drawn : std::nan("");
        ++i;
      } else {
        const std::size_t take = std::min(chunk, kN - i);
        s.fill_bernoulli(v.data() + i, take, per_element.data() + i);
        i += take;
      }
      single = !single;
    }
    expect_same_bits(v, expected);
  }
}

// An independent, scalar transcription of the header's definition: lane l's
// state is Philox4x64-10(key {seed, node}, counter {unit, site << 32 | period,
// block, l}); output j is lane j % 8, step j / 8, of xoshiro256+.
TEST(RandomStream, MatchesTheDocumentedDefinition) {
  const DrawKey key = base_key();
  constexpr std::uint64_t kBlock = 3;
  constexpr std::size_t kSteps = 40;
  constexpr std::size_t kLanes = UniformStream::kLanes;
  std::vector<double> expected(kSteps * kLanes);
  for (std::size_t lane = 0; lane < kLanes; ++lane) {
    const r123::Philox4x64::ctr_type ctr = {
        {key.unit, (std::uint64_t{key.site} << 32) | key.period, kBlock, lane}};
    const r123::Philox4x64::key_type k = {{kSeed, key.node}};
    const auto w = r123::Philox4x64()(ctr, k);
    std::uint64_t s[4] = {w[0], w[1], w[2], w[3]};
    for (std::size_t step = 0; step < kSteps; ++step) {
      expected[step * kLanes + lane] = to_unit_open(s[0] + s[3]);
      const std::uint64_t t = s[1] << 17;
      s[2] ^= s[0];
      s[3] ^= s[1];
      s[1] ^= s[2];
      s[0] ^= s[3];
      s[2] ^= t;
      s[3] = std::rotl(s[3], 45);
    }
  }
  expect_same_bits(fill_all(kSeed, key, kBlock, expected.size()), expected);
}

// The sequences are part of the reproducibility contract: these numbers
// change only when every stored result is meant to change with them.
TEST(RandomStream, PinnedValues) {
  const DrawKey key{.node = stable_hash("a"), .unit = 0, .site = 0, .period = 0};
  UniformStream u(1, key, 0);
  ElementStream e(1, key, 0);
  const double u0 = u.next();
  const double u1 = u.next();
  const double e0 = e.next();
  const double e1 = e.next();
  // 0.7265317754592082, 0.27159601187434396, 0.3254120228556036, 0.4331514287637341
  EXPECT_EQ(std::bit_cast<std::uint64_t>(u0), 0x3fe73fbf90e34486ULL);
  EXPECT_EQ(std::bit_cast<std::uint64_t>(u1), 0x3fd161d43d2e5b81ULL);
  EXPECT_EQ(std::bit_cast<std::uint64_t>(e0), 0x3fd4d38cf2f8f61fULL);
  EXPECT_EQ(std::bit_cast<std::uint64_t>(e1), 0x3fdbb8c0c53060dbULL);
}

TEST(RandomStream, EveryKeyFieldChangesTheStream) {
  const DrawKey key = base_key();
  constexpr std::size_t kN = 64;
  const std::vector<double> base = fill_all(kSeed, key, 4, kN);

  auto differs_everywhere = [&](const std::vector<double>& other) {
    for (std::size_t i = 0; i < kN; ++i) {
      if (other[i] == base[i]) return false;
    }
    return true;
  };
  DrawKey k = key;
  k.node ^= 1;
  EXPECT_TRUE(differs_everywhere(fill_all(kSeed, k, 4, kN))) << "node";
  k = key;
  k.unit ^= 1;
  EXPECT_TRUE(differs_everywhere(fill_all(kSeed, k, 4, kN))) << "unit";
  k = key;
  k.site += 1;
  EXPECT_TRUE(differs_everywhere(fill_all(kSeed, k, 4, kN))) << "site";
  k = key;
  k.period += 1;
  EXPECT_TRUE(differs_everywhere(fill_all(kSeed, k, 4, kN))) << "period";
  EXPECT_TRUE(differs_everywhere(fill_all(kSeed, key, 5, kN))) << "block";
  EXPECT_TRUE(differs_everywhere(fill_all(kSeed + 1, key, 4, kN))) << "seed";

  // site and period share a counter word; they must not be interchangeable.
  const DrawKey site_one{.node = key.node, .unit = key.unit, .site = 1, .period = 0};
  const DrawKey period_one{.node = key.node, .unit = key.unit, .site = 0, .period = 1};
  EXPECT_NE(fill_all(kSeed, site_one, 0, kN), fill_all(kSeed, period_one, 0, kN));
  // Nor seed and node, which share the Philox key.
  const DrawKey node_one{.node = 1, .unit = 0, .site = 0, .period = 0};
  const DrawKey node_two{.node = 2, .unit = 0, .site = 0, .period = 0};
  EXPECT_NE(fill_all(2, node_one, 0, kN), fill_all(1, node_two, 0, kN));
}

TEST(RandomStream, LanesAreNotCopiesOfEachOther) {
  const std::vector<double> v = fill_all(kSeed, base_key(), 0, 8 * 16);
  for (std::size_t a = 0; a < 8; ++a) {
    for (std::size_t b = a + 1; b < 8; ++b) {
      EXPECT_NE(v[a], v[b]) << a << " " << b;
    }
  }
}

TEST(RandomStream, ElementStreamIsDeterministicAndKeyedBySample) {
  const DrawKey key = base_key();
  ElementStream a(kSeed, key, 123456);
  ElementStream b(kSeed, key, 123456);
  ElementStream other(kSeed, key, 123457);
  std::vector<double> va, vb, vo;
  for (int i = 0; i < 21; ++i) {  // past several Philox calls (4 values each)
    va.push_back(a.next());
    vb.push_back(b.next());
    vo.push_back(other.next());
  }
  expect_same_bits(va, vb);
  for (std::size_t i = 0; i < va.size(); ++i) {
    EXPECT_NE(va[i], vo[i]) << i;
    EXPECT_GT(va[i], 0.0);
    EXPECT_LT(va[i], 1.0);
  }
  // Consecutive Philox calls give new values, not a repeat of the first four.
  EXPECT_NE(va[0], va[4]);
}

TEST(RandomStream, UniformsStrictlyInsideOpenInterval) {
  EXPECT_GT(to_unit_open(0), 0.0);
  EXPECT_EQ(to_unit_open(0), 0x1.0p-54);
  // The top 53 bits all ones: (2^53 - 1 + 0.5) rounds to 2^53 in double;
  // the result must still be below 1.
  EXPECT_LT(to_unit_open(~std::uint64_t{0}), 1.0);
  EXPECT_EQ(to_unit_open(~std::uint64_t{0}), kLargestBelowOne);

  for (std::uint64_t block = 0; block < 64; ++block) {
    std::vector<double> v = fill_all(kSeed, base_key(), block, kBlockSize);
    for (const double x : v) {
      ASSERT_GT(x, 0.0);
      ASSERT_LT(x, 1.0);
    }
  }
}

// Mean and variance of 2^20 uniforms: mean within 5 standard errors of 1/2
// (se = sqrt(1/12 / n)), variance within 5 standard errors of 1/12
// (se = sqrt((mu4 - sigma^4) / n), mu4 = 1/80, sigma^4 = 1/144).
TEST(RandomStream, MeanAndVarianceOfUniforms) {
  constexpr std::size_t kBlocks = 1024;
  const double n = static_cast<double>(kBlocks * kBlockSize);
  double sum = 0.0;
  double sum_sq = 0.0;
  for (std::uint64_t block = 0; block < kBlocks; ++block) {
    for (const double x : fill_all(kSeed, base_key(), block, kBlockSize)) {
      sum += x;
      sum_sq += (x - 0.5) * (x - 0.5);
    }
  }
  const double mean = sum / n;
  const double variance = sum_sq / n - (mean - 0.5) * (mean - 0.5);
  EXPECT_NEAR(mean, 0.5, 5.0 * std::sqrt(1.0 / 12.0 / n));
  EXPECT_NEAR(variance, 1.0 / 12.0, 5.0 * std::sqrt((1.0 / 80.0 - 1.0 / 144.0) / n));
}

}  // namespace
}  // namespace plansim::sim
