// The compiled form of expressions: instructions over arrays of a block.
//
// A compiled program is a flat list of Instructions. Each reads operands
// (a constant, or one array of the block's workspace) and writes one array;
// the evaluator (sim/block_evaluator.h) runs each instruction as one tight
// loop over the block's samples, so dispatch costs one switch per
// instruction per block, never per sample. Constant subexpressions are folded
// at compile time with the same scalar functions the loops use (apply()
// below), so folding never changes a result.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "rules/functions.h"

namespace plansim::rules {

enum class Op : std::uint8_t {
  // one operand
  kCopy, kNeg, kNot, kAbs, kSqrt, kExp, kLog, kFloor, kCeil, kRound,
  // two operands
  kAdd, kSub, kMul, kDiv, kPow, kMin, kMax, kLt, kLe, kGt, kGe, kEq, kNe, kAnd, kOr,
  kCover,  // min(1, a / b), 1 when b <= 0: a resource's available a over demand b
  // three operands
  kClamp,  // clamp(a, b, c)
  kIf,     // a != 0 ? b : c
  // a random draw: distribution `dist` with parameters a, b, c
  kDraw,
};

// Every operation but kDraw, for code that needs one case per operation
// (X is called with each enumerator's name).
#define PLANSIM_ELEMENTWISE_OPS(X)                                                                       \
  X(kCopy) X(kNeg) X(kNot) X(kAbs) X(kSqrt) X(kExp) X(kLog) X(kFloor) X(kCeil) X(kRound) X(kAdd) X(kSub) \
  X(kMul) X(kDiv) X(kPow) X(kMin) X(kMax) X(kLt) X(kLe) X(kGt) X(kGe) X(kEq) X(kNe) X(kAnd) X(kOr)       \
  X(kCover) X(kClamp) X(kIf)

int arity(Op op);
const char* to_string(Op op);

// A constant, a column of the units table (constant within one unit: see
// UnitColumns), or the index of an array in the block workspace.
struct Operand {
  std::int32_t array = -1;
  std::int32_t column = -1;
  double value = 0.0;

  bool is_const() const { return array < 0 && column < 0; }
  bool is_column() const { return column >= 0; }
  static Operand constant(double v) { return {-1, -1, v}; }
  static Operand at(std::int32_t a) { return {a, -1, 0.0}; }
  static Operand column_of(std::int32_t c) { return {-1, c, 0.0}; }
};

// Values that are constant within a unit (plan-format.md section 9): the
// units table's columns, then the columns the compiler derives by folding
// operations on columns and constants (`base - 0.12` becomes a column, so it
// costs nothing per sample). values[column][unit].
struct UnitColumns {
  std::size_t units = 0;
  std::vector<std::vector<double>> values;

  std::int32_t add(std::vector<double> column) {
    values.push_back(std::move(column));
    return static_cast<std::int32_t>(values.size() - 1);
  }
};

struct Instruction {
  Op op = Op::kCopy;
  Distribution dist = Distribution::kNormal;  // kDraw only
  std::int32_t dst = 0;
  Operand a, b, c;
  // kDraw: the draw's key (see sim/random_stream.h); the unit's part of it
  // is the unit the instruction runs for.
  std::uint64_t key_node = 0;
  std::uint32_t key_site = 0;
  std::uint32_t key_period = 0;
  // kDraw: when >= 0, only the samples where this array is non-zero are
  // drawn (each with the value a full draw gives it); the others get 0.
  std::int32_t mask = -1;
  // The plan node this instruction computes, and the period (for messages).
  std::uint32_t owner = 0;
  std::uint32_t period = 0;
  // kDraw: when >= 0, the array of standard normal scores z this draw turns
  // into its distribution, x = F^-1(Phi(z)), instead of drawing uniforms of
  // its own: an assumption's draw under a Gaussian copula (section 10).
  std::int32_t scores = -1;
  // kDraw: made once per sample for a per: plan assumption, so that Latin
  // hypercube sampling (--method lhs) stratifies its uniforms.
  bool stratify = false;
};

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The scalar meaning of every non-draw operation. NaN propagates through
// min, max and clamp (a NaN must reach the target that depends on it);
// division by zero, log of a non-positive number and sqrt of a negative
// number give NaN (plan-format.md section 2).
template <Op kOp>
inline double apply(double a, double b, double c) {
  if constexpr (kOp == Op::kCopy) return a;
  else if constexpr (kOp == Op::kNeg) return -a;
  else if constexpr (kOp == Op::kNot) return a == 0.0 ? 1.0 : 0.0;
  else if constexpr (kOp == Op::kAbs) return std::fabs(a);
  else if constexpr (kOp == Op::kSqrt) return a < 0.0 ? kNaN : std::sqrt(a);
  else if constexpr (kOp == Op::kExp) return std::exp(a);
  else if constexpr (kOp == Op::kLog) return a > 0.0 ? std::log(a) : (a == a ? kNaN : a);
  else if constexpr (kOp == Op::kFloor) return std::floor(a);
  else if constexpr (kOp == Op::kCeil) return std::ceil(a);
  else if constexpr (kOp == Op::kRound) return std::round(a);
  else if constexpr (kOp == Op::kAdd) return a + b;
  else if constexpr (kOp == Op::kSub) return a - b;
  else if constexpr (kOp == Op::kMul) return a * b;
  else if constexpr (kOp == Op::kDiv) return b == 0.0 ? kNaN : a / b;
  else if constexpr (kOp == Op::kPow) return std::pow(a, b);
  else if constexpr (kOp == Op::kMin) return (a != a || b != b) ? a + b : (b < a ? b : a);
  else if constexpr (kOp == Op::kMax) return (a != a || b != b) ? a + b : (b > a ? b : a);
  else if constexpr (kOp == Op::kLt) return a < b ? 1.0 : 0.0;
  else if constexpr (kOp == Op::kLe) return a <= b ? 1.0 : 0.0;
  else if constexpr (kOp == Op::kGt) return a > b ? 1.0 : 0.0;
  else if constexpr (kOp == Op::kGe) return a >= b ? 1.0 : 0.0;
  else if constexpr (kOp == Op::kEq) return a == b ? 1.0 : 0.0;
  else if constexpr (kOp == Op::kNe) return a != b ? 1.0 : 0.0;
  else if constexpr (kOp == Op::kAnd) return (a != 0.0 && b != 0.0) ? 1.0 : 0.0;
  else if constexpr (kOp == Op::kOr) return (a != 0.0 || b != 0.0) ? 1.0 : 0.0;
  else if constexpr (kOp == Op::kCover) return b <= 0.0 ? 1.0 : (a >= b ? 1.0 : a / b);
  else if constexpr (kOp == Op::kClamp) return a != a ? a : (a < b ? b : (a > c ? c : a));
  else if constexpr (kOp == Op::kIf) return a != 0.0 ? b : c;
  else return kNaN;
}

// apply() for an operation known only at run time (constant folding).
double apply(Op op, double a, double b, double c);

}  // namespace plansim::rules
