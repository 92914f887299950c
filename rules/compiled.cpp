#include "rules/compiled.h"

namespace plansim::rules {

int arity(Op op) {
  if (op <= Op::kRound) return 1;
  if (op <= Op::kCover) return 2;
  return 3;
}

const char* to_string(Op op) {
  static const char* const kNames[] = {
      "copy", "neg", "not", "abs", "sqrt", "exp", "log", "floor", "ceil", "round", "add",
      "sub",  "mul", "div", "pow", "min",  "max", "lt",  "le",    "gt",   "ge",    "eq",
      "ne",   "and", "or",  "cover", "clamp", "if", "draw"};
  return kNames[static_cast<int>(op)];
}

double apply(Op op, double a, double b, double c) {
  switch (op) {
#define PLANSIM_CASE(name) \
  case Op::name: return apply<Op::name>(a, b, c);
    PLANSIM_CASE(kCopy) PLANSIM_CASE(kNeg) PLANSIM_CASE(kNot) PLANSIM_CASE(kAbs)
    PLANSIM_CASE(kSqrt) PLANSIM_CASE(kExp) PLANSIM_CASE(kLog) PLANSIM_CASE(kFloor)
    PLANSIM_CASE(kCeil) PLANSIM_CASE(kRound) PLANSIM_CASE(kAdd) PLANSIM_CASE(kSub)
    PLANSIM_CASE(kMul) PLANSIM_CASE(kDiv) PLANSIM_CASE(kPow) PLANSIM_CASE(kMin)
    PLANSIM_CASE(kMax) PLANSIM_CASE(kLt) PLANSIM_CASE(kLe) PLANSIM_CASE(kGt)
    PLANSIM_CASE(kGe) PLANSIM_CASE(kEq) PLANSIM_CASE(kNe) PLANSIM_CASE(kAnd)
    PLANSIM_CASE(kOr) PLANSIM_CASE(kCover) PLANSIM_CASE(kClamp) PLANSIM_CASE(kIf)
#undef PLANSIM_CASE
    case Op::kDraw: break;
  }
  return kNaN;
}

}  // namespace plansim::rules
