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
    PLANSIM_ELEMENTWISE_OPS(PLANSIM_CASE)
#undef PLANSIM_CASE
    case Op::kDraw: break;
  }
  return kNaN;
}

}  // namespace plansim::rules
