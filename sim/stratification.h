// Latin hypercube sampling (`--method lhs`) of the once-per-sample draws of
// per: plan assumptions (rules::Instruction::stratify).
//
// For such a draw and a run of n samples, sample s gets the uniform
// (pi(s) + v_s) / n, where pi is a permutation of 0..n-1 shuffled with the
// draw's own key (sim::keyed_shuffle) and v_s is the uniform plain Monte
// Carlo gives sample s. Each of the n equal strata of (0, 1) then holds
// exactly one sample, and the distribution is drawn by inversion, so every
// stratum of the assumption's distribution is visited once. Tables are
// built before the run, in one thread, so results do not depend on the
// thread count; they cost n doubles per stratified draw.
#pragma once

#include <cstdint>
#include <map>
#include <tuple>
#include <vector>

#include "graph/program.h"

namespace plansim::sim {

class Stratification {
 public:
  Stratification(const graph::Program& program, std::uint64_t seed, std::uint64_t samples);
  // One entry per instruction: the run's uniforms of a stratified draw, or null.
  std::vector<const double*> by_instruction() const { return by_instruction_; }

  // Bytes the tables of a run of `samples` take.
  static std::uint64_t bytes(const graph::Program& program, std::uint64_t samples);

 private:
  using Key = std::tuple<std::uint64_t, std::uint32_t, std::uint32_t>;  // node, site, period
  std::map<Key, std::vector<double>> tables_;
  std::vector<const double*> by_instruction_;
};

}  // namespace plansim::sim
