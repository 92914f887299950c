// Evaluating a compiled Program over one block of samples.
//
// The evaluator resolves each instruction once, at construction, to a
// kernel specialised for its operation and for which operands are constants;
// running a block is then one indirect call per instruction, each a tight
// loop over the block's samples that the compiler vectorises. Nothing is
// allocated, locked or dispatched per sample. A Workspace is per thread.
#pragma once

#include <cstdint>
#include <vector>

#include "graph/program.h"
#include "sim/random_stream.h"

namespace plansim::sim {

// Scratch memory for one thread: the block's arrays and the samplers' scratch.
class Workspace {
 public:
  explicit Workspace(const graph::Program& program);
  double* array(std::int32_t a) { return data_.data() + static_cast<std::size_t>(a) * kBlockSize; }
  const double* array(std::int32_t a) const { return data_.data() + static_cast<std::size_t>(a) * kBlockSize; }
  double* scratch() { return scratch_.data(); }

 private:
  std::vector<double> data_;
  std::vector<double> scratch_;
};

class BlockEvaluator {
 public:
  using Kernel = void (*)(const rules::Instruction& in, Workspace& ws, std::size_t n, std::uint64_t seed,
                          std::uint64_t block);

  BlockEvaluator(const graph::Program& program, std::uint64_t seed);

  // Evaluates every period of block `block` (its first n samples; n <=
  // kBlockSize) into ws.
  void run(std::uint64_t block, std::size_t n, Workspace& ws) const;

  // Where the NaN in `array` at sample i of the block came from: replays the
  // block noting, for sample i, which instruction wrote each operand and
  // whether each result was NaN, then walks back from the last write of
  // `array` along NaN operands (for if(), only the branch taken) to the
  // instruction that made a NaN from operands that were not NaN. Returns
  // code.size() when `array` is not NaN at sample i.
  std::size_t nan_origin(std::uint64_t block, std::size_t n, std::size_t i, std::int32_t array,
                         Workspace& ws) const;

 private:
  const graph::Program& program_;
  std::uint64_t seed_;
  std::vector<Kernel> kernels_;
};

}  // namespace plansim::sim
