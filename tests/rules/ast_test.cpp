#include "rules/ast.h"

#include <gtest/gtest.h>

#include "rules/parser.h"

namespace plansim::rules {
namespace {

std::unique_ptr<Expr> parse(std::string_view text) {
  Diagnostics diags;
  ParseContext ctx;
  ctx.origin = {2, 5};
  std::unique_ptr<Expr> e = parse_expression(text, ctx, diags);
  EXPECT_TRUE(diags.ok()) << diags.to_string();
  return e;
}

TEST(Expr, MakeNumberKeepsValueAndPosition) {
  const auto e = Expr::make_number(0.67, {3, 9});
  EXPECT_EQ(e->kind, ExprKind::kNumber);
  EXPECT_EQ(e->number, 0.67);
  EXPECT_EQ(e->pos.line, 3);
  EXPECT_EQ(e->pos.col, 9);
  EXPECT_TRUE(e->args.empty());
}

TEST(Expr, MakeNameKeepsNameAndPosition) {
  const auto e = Expr::make_name("funding", {4, 1});
  EXPECT_EQ(e->kind, ExprKind::kName);
  EXPECT_EQ(e->name, "funding");
  EXPECT_EQ(e->pos.line, 4);
  EXPECT_EQ(e->pos.col, 1);
}

TEST(Expr, CloneIsDeepAndEqual) {
  const auto original = parse("min(a, -b ^ 2, not c or d != 1)");
  ASSERT_NE(original, nullptr);
  const auto copy = original->clone();
  EXPECT_EQ(to_string(*copy), to_string(*original));
  EXPECT_NE(copy->args[0].get(), original->args[0].get());
  EXPECT_EQ(copy->args[1]->pos.col, original->args[1]->pos.col);
  EXPECT_EQ(copy->args[2]->binary, BinaryOp::kOr);
  copy->args[0]->name = "changed";
  EXPECT_EQ(original->args[0]->name, "a");
}

TEST(Expr, BinaryOperatorsPrintAsWritten) {
  EXPECT_STREQ(to_string(BinaryOp::kAdd), "+");
  EXPECT_STREQ(to_string(BinaryOp::kSub), "-");
  EXPECT_STREQ(to_string(BinaryOp::kMul), "*");
  EXPECT_STREQ(to_string(BinaryOp::kDiv), "/");
  EXPECT_STREQ(to_string(BinaryOp::kPow), "^");
  EXPECT_STREQ(to_string(BinaryOp::kLt), "<");
  EXPECT_STREQ(to_string(BinaryOp::kLe), "<=");
  EXPECT_STREQ(to_string(BinaryOp::kGt), ">");
  EXPECT_STREQ(to_string(BinaryOp::kGe), ">=");
  EXPECT_STREQ(to_string(BinaryOp::kEq), "==");
  EXPECT_STREQ(to_string(BinaryOp::kNe), "!=");
  EXPECT_STREQ(to_string(BinaryOp::kAnd), "and");
  EXPECT_STREQ(to_string(BinaryOp::kOr), "or");
}

TEST(Expr, ToStringParenthesisesEveryOperator) {
  EXPECT_EQ(to_string(*parse("a + b * c")), "(a + (b * c))");
  EXPECT_EQ(to_string(*parse("-x")), "(-x)");
  EXPECT_EQ(to_string(*parse("not x")), "(not x)");
  EXPECT_EQ(to_string(*parse("f(x, g())")), "f(x, g())");
}

TEST(Expr, ToStringPrintsNumbersShortestAndExact) {
  EXPECT_EQ(to_string(*Expr::make_number(0.67, {})), "0.67");
  EXPECT_EQ(to_string(*Expr::make_number(12, {})), "12");
  EXPECT_EQ(to_string(*Expr::make_number(-2.5, {})), "-2.5");
  EXPECT_EQ(to_string(*Expr::make_number(0.1 + 0.2, {})), "0.30000000000000004");
  EXPECT_EQ(to_string(*Expr::make_number(1e300, {})), "1e+300");
}

TEST(Expr, ToStringReadsBackToTheSameTree) {
  const char* texts[] = {"a - (b - c) ^ -d", "not a < b or c >= 2 and d == e", "x / y / z",
                         "clamp(prev(x, 0.5), 0, 1) + 1e-3"};
  for (const char* text : texts) {
    const std::string once = to_string(*parse(text));
    EXPECT_EQ(to_string(*parse(once)), once) << text;
  }
}

}  // namespace
}  // namespace plansim::rules
