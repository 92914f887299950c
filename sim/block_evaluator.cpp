#include "sim/block_evaluator.h"

#include <array>
#include <cmath>
#include <vector>

#include "sim/samplers.h"

namespace plansim::sim {

using rules::Instruction;
using rules::Op;

Workspace::Workspace(const graph::Program& program)
    : data_(program.arrays * kBlockSize, 0.0), scratch_(kBlockSize, 0.0) {}

namespace {

// One operation over n samples; kA/kB/kC say which operands are constants.
template <Op kOp, bool kA, bool kB, bool kC>
void elementwise(const Instruction& in, Workspace& ws, std::size_t n, std::uint64_t, std::uint64_t) {
  double* out = ws.array(in.dst);
  const double* a = kA ? nullptr : ws.array(in.a.array);
  const double* b = kB ? nullptr : ws.array(in.b.array);
  const double* c = kC ? nullptr : ws.array(in.c.array);
  const double av = in.a.value, bv = in.b.value, cv = in.c.value;
  for (std::size_t i = 0; i < n; ++i)
    out[i] = rules::apply<kOp>(kA ? av : a[i], kB ? bv : b[i], kC ? cv : c[i]);
}

void draw(const Instruction& in, Workspace& ws, std::size_t n, std::uint64_t seed, std::uint64_t block) {
  auto param = [&](const rules::Operand& o) {
    return o.is_const() ? Param{&o.value, 0} : Param{ws.array(o.array), 1};
  };
  const std::array<Param, 3> params = {param(in.a), param(in.b), param(in.c)};
  const int k = rules::distribution_arity(in.dist);
  BlockDraw where{seed, DrawKey{in.key_node, in.key_unit, in.key_site, in.key_period}, block, n};
  sample_block(in.dist, std::span<const Param>(params.data(), static_cast<std::size_t>(k)), where,
               ws.array(in.dst), ws.scratch());
}

template <Op kOp>
BlockEvaluator::Kernel pick(const Instruction& in) {
  const int k = rules::arity(kOp);
  const bool a = in.a.is_const(), b = k < 2 || in.b.is_const(), c = k < 3 || in.c.is_const();
  // Constant operands are folded at compile time, so "all constant" only
  // occurs for copies of constants.
  if (a && b && c) return elementwise<kOp, true, true, true>;
  if (a && b) return elementwise<kOp, true, true, false>;
  if (a && c) return elementwise<kOp, true, false, true>;
  if (b && c) return elementwise<kOp, false, true, true>;
  if (a) return elementwise<kOp, true, false, false>;
  if (b) return elementwise<kOp, false, true, false>;
  if (c) return elementwise<kOp, false, false, true>;
  return elementwise<kOp, false, false, false>;
}

BlockEvaluator::Kernel kernel_for(const Instruction& in) {
  switch (in.op) {
#define PLANSIM_PICK(name) \
  case Op::name: return pick<Op::name>(in);
    PLANSIM_ELEMENTWISE_OPS(PLANSIM_PICK)
#undef PLANSIM_PICK
    case Op::kDraw: return draw;
  }
  return draw;
}

}  // namespace

BlockEvaluator::BlockEvaluator(const graph::Program& program, std::uint64_t seed)
    : program_(program), seed_(seed) {
  kernels_.reserve(program.code.size());
  for (const auto& in : program.code) kernels_.push_back(kernel_for(in));
}

void BlockEvaluator::run(std::uint64_t block, std::size_t n, Workspace& ws) const {
  const std::size_t count = kernels_.size();
  for (std::size_t k = 0; k < count; ++k) kernels_[k](program_.code[k], ws, n, seed_, block);
}

std::size_t BlockEvaluator::nan_origin(std::uint64_t block, std::size_t n, std::size_t i, std::int32_t array,
                                       Workspace& ws) const {
  const auto& code = program_.code;
  const std::size_t none = code.size();
  std::vector<std::size_t> writer(program_.arrays, none);     // the last instruction to write each array
  std::vector<std::array<std::size_t, 3>> inputs(code.size());  // the writers of a, b, c when read
  std::vector<char> nan(code.size(), 0);
  std::vector<char> took_b(code.size(), 0);  // if(): the condition was non-zero
  for (std::size_t k = 0; k < code.size(); ++k) {
    const Instruction& in = code[k];
    auto source = [&](const rules::Operand& o) {
      return o.is_const() ? none : writer[static_cast<std::size_t>(o.array)];
    };
    inputs[k] = {source(in.a), source(in.b), source(in.c)};
    if (in.op == Op::kIf) took_b[k] = (in.a.is_const() ? in.a.value : ws.array(in.a.array)[i]) != 0.0;
    kernels_[k](in, ws, n, seed_, block);
    nan[k] = std::isnan(ws.array(in.dst)[i]);
    writer[static_cast<std::size_t>(in.dst)] = k;
  }
  std::size_t k = writer[static_cast<std::size_t>(array)];
  if (k == none || !nan[k]) return none;
  for (;;) {
    std::size_t next = none;
    auto consider = [&](std::size_t w) {
      if (w != none && nan[w] && (next == none || w < next)) next = w;
    };
    if (code[k].op == Op::kIf) {
      consider(inputs[k][took_b[k] ? 1 : 2]);
    } else {
      for (std::size_t w : inputs[k]) consider(w);
    }
    if (next == none) break;
    k = next;
  }
  // Report the first period in which the node that made it held a NaN value.
  const std::uint32_t owner = code[k].owner;
  for (std::size_t j = 0; j < code.size(); ++j)
    if (nan[j] && code[j].owner == owner && static_cast<std::size_t>(code[j].dst) < program_.node_arrays) return j;
  return k;
}

}  // namespace plansim::sim
