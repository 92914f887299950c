#include "sim/block_evaluator.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include "sim/samplers.h"
#include "sim/simd_clones.h"

namespace plansim::sim {

using rules::Instruction;
using rules::Op;

Workspace::Workspace(const graph::Program& program)
    : data_(program.arrays * kBlockSize, 0.0), scratch_(kBlockSize, 0.0), uniforms_(kBlockSize, 0.0) {}

namespace {

// A constant operand's value: the constant, or the unit's column.
inline double fixed(const rules::Operand& o, const KernelContext& ctx) {
  return o.is_column() ? ctx.unit_values[o.column] : o.value;
}

// One operation over n samples; kA/kB/kC say which operands are constants
// (or columns, constant within the unit). Compiled for AVX2 as well as the
// baseline ISA (sim/simd_clones.h): each op is one IEEE operation or a libm
// call, so both copies write the same bits.
template <Op kOp, bool kA, bool kB, bool kC>
PLANSIM_SIMD_CLONES void elementwise(const Instruction& in, Workspace& ws, const KernelContext& ctx) {
  double* out = ws.array(in.dst);
  const double* a = kA ? nullptr : ws.array(in.a.array);
  const double* b = kB ? nullptr : ws.array(in.b.array);
  const double* c = kC ? nullptr : ws.array(in.c.array);
  const double av = kA ? fixed(in.a, ctx) : 0.0, bv = kB ? fixed(in.b, ctx) : 0.0, cv = kC ? fixed(in.c, ctx) : 0.0;
  const std::size_t n = ctx.n;
  for (std::size_t i = 0; i < n; ++i)
    out[i] = rules::apply<kOp>(kA ? av : a[i], kB ? bv : b[i], kC ? cv : c[i]);
}

// u = Phi(z), kept inside (0, 1) as every sampler's uniforms are (Phi
// rounds to 0 below z = -38.5 and to 1 above z = 8.3).
void copula_uniforms(const double* z, double* u, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    u[i] = std::clamp(normal_cdf(z[i]), std::numeric_limits<double>::min(), kLargestBelowOne);
}

void draw(const Instruction& in, Workspace& ws, const KernelContext& ctx) {
  auto param = [&](const rules::Operand& o) {
    if (o.is_column()) return Param{ctx.unit_values + o.column, 0};
    return o.is_const() ? Param{&o.value, 0} : Param{ws.array(o.array), 1};
  };
  const std::array<Param, 3> params = {param(in.a), param(in.b), param(in.c)};
  const int k = rules::distribution_arity(in.dist);
  BlockDraw where{ctx.seed, DrawKey{in.key_node, ctx.unit_key, in.key_site, in.key_period}, ctx.block, ctx.n,
                  nullptr};
  if (in.scores >= 0) {
    copula_uniforms(ws.array(in.scores), ws.uniforms(), ctx.n);
    where.uniforms = ws.uniforms();
  } else if (in.stratify && ctx.stratified) {
    if (const double* u = ctx.stratified[&in - ctx.code]) where.uniforms = u + ctx.block * kBlockSize;
  }
  sample_block(in.dist, std::span<const Param>(params.data(), static_cast<std::size_t>(k)), where,
               ws.array(in.dst), ws.scratch(), in.mask >= 0 ? ws.array(in.mask) : nullptr);
}

template <Op kOp>
BlockEvaluator::Kernel pick(const Instruction& in) {
  const int k = rules::arity(kOp);
  auto fixed_operand = [](const rules::Operand& o) { return o.is_const() || o.is_column(); };
  const bool a = fixed_operand(in.a), b = k < 2 || fixed_operand(in.b), c = k < 3 || fixed_operand(in.c);
  // Constant operands are folded at compile time, so "all constant" only
  // occurs for copies of constants and columns.
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

BlockEvaluator::BlockEvaluator(const graph::Program& program, std::uint64_t seed,
                               std::vector<const double*> stratified)
    : program_(program), seed_(seed), stratified_(std::move(stratified)) {
  kernels_.reserve(program.code.size());
  for (const auto& in : program.code) kernels_.push_back(kernel_for(in));
}

void BlockEvaluator::run_range(std::size_t begin, std::size_t end, const KernelContext& ctx, Workspace& ws) const {
  for (std::size_t k = begin; k < end; ++k) kernels_[k](program_.code[k], ws, ctx);
}

void BlockEvaluator::before_units(std::uint64_t block, std::size_t n, Workspace& ws) const {
  run_range(0, program_.local_begin, context(block, n), ws);
}

void BlockEvaluator::unit(std::uint64_t block, std::size_t n, std::size_t u, Workspace& ws) const {
  KernelContext ctx = context(block, n);
  ctx.unit_key = program_.units.keys[u];
  ctx.unit_values = program_.units.row(u);
  run_range(program_.local_begin, program_.local_end, ctx, ws);
}

void BlockEvaluator::after_units(std::uint64_t block, std::size_t n, Workspace& ws) const {
  run_range(program_.local_end, program_.code.size(), context(block, n), ws);
}

void BlockEvaluator::run(std::uint64_t block, std::size_t n, Workspace& ws) const {
  before_units(block, n, ws);
  for (std::size_t u = 0; u < program_.units.count(); ++u) unit(block, n, u, ws);
  after_units(block, n, ws);
}

std::optional<NanSource> BlockEvaluator::nan_origin(std::uint64_t block, std::size_t n, std::size_t i,
                                                    std::int32_t array, std::optional<std::size_t> unit_of_array,
                                                    Workspace& ws) const {
  const auto& code = program_.code;
  constexpr std::size_t none = static_cast<std::size_t>(-1);
  struct Step {
    NanSource source;
    std::array<std::size_t, 3> inputs;  // the steps that wrote a, b, c
    bool nan = false;
    bool took_b = false;  // if(): the condition was non-zero
  };
  std::vector<Step> steps;
  std::vector<std::size_t> writer(program_.arrays, none);  // the last step to write each array
  std::size_t wanted = none;
  auto execute = [&](std::size_t begin, std::size_t end, const KernelContext& ctx, NanSource where) {
    for (std::size_t k = begin; k < end; ++k) {
      const Instruction& in = code[k];
      auto source = [&](const rules::Operand& o) {
        return o.is_const() || o.is_column() ? none : writer[static_cast<std::size_t>(o.array)];
      };
      Step step{where, {source(in.a), source(in.b), source(in.c)}, false, false};
      step.source.instruction = k;
      if (in.op == Op::kIf) step.took_b = (in.a.array < 0 ? fixed(in.a, ctx) : ws.array(in.a.array)[i]) != 0.0;
      kernels_[k](in, ws, ctx);
      step.nan = std::isnan(ws.array(in.dst)[i]);
      writer[static_cast<std::size_t>(in.dst)] = steps.size();
      steps.push_back(step);
    }
  };
  const KernelContext plan_wide = context(block, n);
  execute(0, program_.local_begin, plan_wide, {});
  for (std::size_t u = 0; u < program_.units.count(); ++u) {
    KernelContext ctx = plan_wide;
    ctx.unit_key = program_.units.keys[u];
    ctx.unit_values = program_.units.row(u);
    execute(program_.local_begin, program_.local_end, ctx, {0, u, true});
    if (unit_of_array && *unit_of_array == u) wanted = writer[static_cast<std::size_t>(array)];
  }
  execute(program_.local_end, code.size(), plan_wide, {});
  if (!unit_of_array) wanted = writer[static_cast<std::size_t>(array)];

  std::size_t s = wanted;
  if (s == none || !steps[s].nan) return std::nullopt;
  for (;;) {
    std::size_t next = none;
    auto consider = [&](std::size_t w) {
      if (w != none && steps[w].nan && (next == none || w < next)) next = w;
    };
    const Step& step = steps[s];
    if (code[step.source.instruction].op == Op::kIf) {
      consider(step.inputs[step.took_b ? 1 : 2]);
    } else {
      for (std::size_t w : step.inputs) consider(w);
    }
    if (next == none) break;
    s = next;
  }
  // Report the first step (period) in which the node that made it, in the
  // same unit, held a NaN value in one of its own arrays.
  const NanSource found = steps[s].source;
  const std::uint32_t owner = code[found.instruction].owner;
  for (const Step& step : steps) {
    const Instruction& in = code[step.source.instruction];
    if (step.nan && in.owner == owner && step.source.local == found.local && step.source.unit == found.unit &&
        static_cast<std::size_t>(in.dst) < program_.node_arrays)
      return step.source;
  }
  return found;
}

}  // namespace plansim::sim
