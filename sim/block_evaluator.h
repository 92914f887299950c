// Evaluating a compiled Program over one block of samples.
//
// The evaluator resolves each instruction once, at construction, to a
// kernel specialised for its operation and for which operands are constants;
// running a block is then one indirect call per instruction, each a tight
// loop over the block's samples that the compiler vectorises. Nothing is
// allocated, locked or dispatched per sample. A Workspace is per thread.
#pragma once

#include <cstdint>
#include <optional>
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
  double* uniforms() { return uniforms_.data(); }

 private:
  std::vector<double> data_;
  std::vector<double> scratch_;
  std::vector<double> uniforms_;  // a copula draw's Phi(z)
};

// What a kernel needs besides its instruction: the block, and the unit the
// local stage runs for (key 0 and no values in the plan-wide stages).
struct KernelContext {
  std::size_t n = 0;  // samples in the block (<= kBlockSize)
  std::uint64_t seed = 0;
  std::uint64_t block = 0;
  std::uint64_t unit_key = 0;
  const double* unit_values = nullptr;  // the unit's columns (graph::ProgramUnits::row)
  // Latin hypercube sampling: per instruction (by its index in code), the
  // run's stratified uniforms for a draw marked `stratify`, else null.
  const rules::Instruction* code = nullptr;
  const double* const* stratified = nullptr;
};

// Where a NaN came from: an instruction and, in the local stage, the unit.
struct NanSource {
  std::size_t instruction = 0;
  std::size_t unit = 0;
  bool local = false;
};

class BlockEvaluator {
 public:
  using Kernel = void (*)(const rules::Instruction& in, Workspace& ws, const KernelContext& ctx);

  // `stratified`, when not empty, has one entry per instruction of the
  // program: the run's Latin hypercube uniforms of that draw (samples of
  // them), or null (see sim/stratification.h). It must outlive the evaluator.
  BlockEvaluator(const graph::Program& program, std::uint64_t seed,
                 std::vector<const double*> stratified = {});

  // The stages of graph::Program for block `block` (its first n samples;
  // n <= kBlockSize): before_units, then units(u) for each unit in order,
  // then after_units. run() does all of them.
  void before_units(std::uint64_t block, std::size_t n, Workspace& ws) const;
  void unit(std::uint64_t block, std::size_t n, std::size_t unit, Workspace& ws) const;
  void after_units(std::uint64_t block, std::size_t n, Workspace& ws) const;
  void run(std::uint64_t block, std::size_t n, Workspace& ws) const;

  // Where the NaN in `array` at sample i of the block came from: replays the
  // block noting, for sample i, which step (an instruction, for a unit)
  // wrote each operand and whether each result was NaN, then walks back
  // from the last write of `array` along NaN operands (for if(), only the
  // branch taken) to the step that made a NaN from operands that were not
  // NaN. `unit` >= 0 looks at `array` as the local stage of that unit left
  // it. Returns nullopt when `array` is not NaN at sample i.
  std::optional<NanSource> nan_origin(std::uint64_t block, std::size_t n, std::size_t i, std::int32_t array,
                                      std::optional<std::size_t> unit, Workspace& ws) const;

 private:
  KernelContext context(std::uint64_t block, std::size_t n) const {
    return {n, seed_, block, 0, nullptr, program_.code.data(), stratified_.empty() ? nullptr : stratified_.data()};
  }
  void run_range(std::size_t begin, std::size_t end, const KernelContext& ctx, Workspace& ws) const;

  const graph::Program& program_;
  std::uint64_t seed_;
  std::vector<Kernel> kernels_;
  std::vector<const double*> stratified_;
};

}  // namespace plansim::sim
