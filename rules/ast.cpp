#include "rules/ast.h"

#include <charconv>
#include <utility>

namespace plansim::rules {
namespace {

// Shortest text that reads back as the same double, independent of locale.
std::string number_text(double v) {
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, v);
  return std::string(buffer, result.ptr);
}

void append(const Expr& e, std::string& out) {
  switch (e.kind) {
    case ExprKind::kNumber:
      out += number_text(e.number);
      return;
    case ExprKind::kName:
      out += e.name;
      return;
    case ExprKind::kUnary:
      out += e.unary == UnaryOp::kNeg ? "(-" : "(not ";
      if (!e.args.empty() && e.args[0]) append(*e.args[0], out);
      out += ')';
      return;
    case ExprKind::kBinary:
      out += '(';
      if (!e.args.empty() && e.args[0]) append(*e.args[0], out);
      out += ' ';
      out += to_string(e.binary);
      out += ' ';
      if (e.args.size() > 1 && e.args[1]) append(*e.args[1], out);
      out += ')';
      return;
    case ExprKind::kCall:
      out += e.name;
      out += '(';
      for (std::size_t i = 0; i < e.args.size(); ++i) {
        if (i > 0) out += ", ";
        if (e.args[i]) append(*e.args[i], out);
      }
      out += ')';
      return;
  }
}

}  // namespace

std::unique_ptr<Expr> Expr::make_number(double v, SourcePos p) {
  auto e = std::make_unique<Expr>();
  e->kind = ExprKind::kNumber;
  e->pos = p;
  e->number = v;
  return e;
}

std::unique_ptr<Expr> Expr::make_name(std::string n, SourcePos p) {
  auto e = std::make_unique<Expr>();
  e->kind = ExprKind::kName;
  e->pos = p;
  e->name = std::move(n);
  return e;
}

std::unique_ptr<Expr> Expr::clone() const {
  auto copy = std::make_unique<Expr>();
  copy->kind = kind;
  copy->pos = pos;
  copy->number = number;
  copy->name = name;
  copy->binary = binary;
  copy->unary = unary;
  copy->args.reserve(args.size());
  // Recursion is bounded by the parser's kMaxExprTreeDepth.
  for (const auto& arg : args) copy->args.push_back(arg ? arg->clone() : nullptr);
  return copy;
}

const char* to_string(BinaryOp op) {
  switch (op) {
    case BinaryOp::kAdd:
      return "+";
    case BinaryOp::kSub:
      return "-";
    case BinaryOp::kMul:
      return "*";
    case BinaryOp::kDiv:
      return "/";
    case BinaryOp::kPow:
      return "^";
    case BinaryOp::kLt:
      return "<";
    case BinaryOp::kLe:
      return "<=";
    case BinaryOp::kGt:
      return ">";
    case BinaryOp::kGe:
      return ">=";
    case BinaryOp::kEq:
      return "==";
    case BinaryOp::kNe:
      return "!=";
    case BinaryOp::kAnd:
      return "and";
    case BinaryOp::kOr:
      return "or";
  }
  return "?";
}

std::string to_string(const Expr& e) {
  std::string out;
  append(e, out);
  return out;
}

}  // namespace plansim::rules
