#include "sim/stratification.h"

#include <algorithm>
#include <array>
#include <numeric>
#include <set>

#include "sim/random_stream.h"

namespace plansim::sim {
namespace {

using Key = std::tuple<std::uint64_t, std::uint32_t, std::uint32_t>;

Key key_of(const rules::Instruction& in) { return {in.key_node, in.key_site, in.key_period}; }

// Scenarios repeat the base's draws (common random numbers): one table per key.
std::set<Key> stratified_keys(const graph::Program& program) {
  std::set<Key> keys;
  for (const auto& in : program.code)
    if (in.op == rules::Op::kDraw && in.stratify) keys.insert(key_of(in));
  return keys;
}

}  // namespace

std::uint64_t Stratification::bytes(const graph::Program& program, std::uint64_t samples) {
  return stratified_keys(program).size() * samples * sizeof(double);
}

Stratification::Stratification(const graph::Program& program, std::uint64_t seed, std::uint64_t samples) {
  const auto n = static_cast<std::size_t>(samples);
  std::vector<std::uint32_t> stratum(n);
  std::array<double, kBlockSize> plain;
  for (const Key& k : stratified_keys(program)) {
    const DrawKey key{std::get<0>(k), 0, std::get<1>(k), std::get<2>(k)};
    std::iota(stratum.begin(), stratum.end(), 0u);
    keyed_shuffle(seed, key, stratum.data(), n);
    std::vector<double>& u = tables_[k];
    u.resize(n);
    for (std::size_t first = 0; first < n; first += kBlockSize) {
      const std::size_t count = std::min(kBlockSize, n - first);
      UniformStream(seed, key, first / kBlockSize).fill(plain.data(), count);
      // (stratum + v) / n can round up to 1 when v is within an ulp of it.
      for (std::size_t i = 0; i < count; ++i)
        u[first + i] = std::min((stratum[first + i] + plain[i]) / static_cast<double>(n), kLargestBelowOne);
    }
  }
  by_instruction_.assign(program.code.size(), nullptr);
  for (std::size_t i = 0; i < program.code.size(); ++i) {
    const auto& in = program.code[i];
    if (in.op == rules::Op::kDraw && in.stratify) by_instruction_[i] = tables_.at(key_of(in)).data();
  }
}

}  // namespace plansim::sim
