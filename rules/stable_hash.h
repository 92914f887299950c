// A hash of names that never changes between builds, platforms or releases.
//
// Draw keys are hashes of node names (and unit ids), never indices, so
// adding or reordering nodes leaves every other node's draws unchanged.
#pragma once

#include <cstdint>
#include <string_view>

namespace plansim::rules {

// 64-bit FNV-1a of the bytes of `s`.
constexpr std::uint64_t stable_hash(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (char c : s) {
    h ^= static_cast<std::uint8_t>(c);
    h *= 0x100000001b3ull;
  }
  return h;
}

}  // namespace plansim::rules
