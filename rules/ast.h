// The expression language's syntax tree (plan-format.md section 2).
//
// An Expr owns its children. Every node keeps the position of its first
// character in the plan file, so later stages (name resolution, compilation)
// can report errors at the right column. The tree is immutable once parsed;
// its height is bounded by the parser (kMaxExprTreeDepth, rules/parser.h), so
// recursive walks are safe. Code that builds trees itself must stay within it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "rules/diagnostic.h"

namespace plansim::rules {

enum class ExprKind {
  kNumber,  // number
  kName,    // a node, `t`, a table column, or a contextual name such as `funding`
  kUnary,   // op: '-' or '!' (not)
  kBinary,  // op: one of BinaryOp
  kCall,    // name(args...): a function, a distribution, a time or an aggregation function
};

enum class BinaryOp { kAdd, kSub, kMul, kDiv, kPow, kLt, kLe, kGt, kGe, kEq, kNe, kAnd, kOr };
enum class UnaryOp { kNeg, kNot };

struct Expr {
  ExprKind kind = ExprKind::kNumber;
  SourcePos pos;
  double number = 0.0;        // kNumber
  std::string name;           // kName, kCall
  BinaryOp binary = BinaryOp::kAdd;
  UnaryOp unary = UnaryOp::kNeg;
  std::vector<std::unique_ptr<Expr>> args;  // kUnary: 1, kBinary: 2, kCall: n

  static std::unique_ptr<Expr> make_number(double v, SourcePos p);
  static std::unique_ptr<Expr> make_name(std::string n, SourcePos p);
  std::unique_ptr<Expr> clone() const;
};

// Text of a binary operator as written: "+", "<=", "and", ...
const char* to_string(BinaryOp op);

// Prints the expression back in a canonical, fully parenthesised form (tests, DOT labels).
std::string to_string(const Expr& e);

}  // namespace plansim::rules
