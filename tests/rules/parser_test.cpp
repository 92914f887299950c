#include "rules/parser.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace plansim::rules {
namespace {

// Parses text that must be valid and returns its canonical, fully parenthesised form.
std::string shape(std::string_view text) {
  Diagnostics diags;
  const std::unique_ptr<Expr> e = parse_expression(text, ParseContext{}, diags);
  EXPECT_TRUE(diags.ok()) << diags.to_string();
  return e ? to_string(*e) : "<error>";
}

// Parses text that must be invalid and returns its single diagnostic.
Diagnostic error_of(std::string_view text, const ParseContext& ctx = {}) {
  Diagnostics diags;
  const std::unique_ptr<Expr> e = parse_expression(text, ctx, diags);
  EXPECT_EQ(e, nullptr) << to_string(*e);
  EXPECT_EQ(diags.size(), 1u) << diags.to_string();
  return diags.ok() ? Diagnostic{} : diags.list().front();
}

std::string repeat(std::string_view s, std::size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

// "x + x + ... + x" with n terms.
std::string long_sum(std::size_t n) {
  std::string out = "x";
  out.reserve(4 * n);
  for (std::size_t i = 1; i < n; ++i) out += " + x";
  return out;
}

// --- precedence and associativity ------------------------------------------

TEST(Parser, PowerBindsTighterThanUnaryMinus) { EXPECT_EQ(shape("-2^2"), "(-(2 ^ 2))"); }

TEST(Parser, PowerIsRightAssociative) { EXPECT_EQ(shape("2^3^2"), "(2 ^ (3 ^ 2))"); }

TEST(Parser, ExponentMayBeNegated) {
  EXPECT_EQ(shape("2^-1"), "(2 ^ (-1))");
  EXPECT_EQ(shape("2^-x^2"), "(2 ^ (-(x ^ 2)))");
}

TEST(Parser, MultiplicationBindsTighterThanAddition) {
  EXPECT_EQ(shape("1 + 2 * 3"), "(1 + (2 * 3))");
  EXPECT_EQ(shape("1 * 2 + 3"), "((1 * 2) + 3)");
  EXPECT_EQ(shape("a - b / c"), "(a - (b / c))");
}

TEST(Parser, AdditiveAndMultiplicativeChainsAreLeftAssociative) {
  EXPECT_EQ(shape("a - b - c"), "((a - b) - c)");
  EXPECT_EQ(shape("a / b / c"), "((a / b) / c)");
  EXPECT_EQ(shape("a - b + c"), "((a - b) + c)");
  EXPECT_EQ(shape("a / b * c"), "((a / b) * c)");
}

TEST(Parser, UnaryMinusBindsTighterThanMultiplication) {
  EXPECT_EQ(shape("-a * b"), "((-a) * b)");
  EXPECT_EQ(shape("a * -b"), "(a * (-b))");
  EXPECT_EQ(shape("- - a"), "(-(-a))");
}

TEST(Parser, UnaryPlusLeavesItsOperand) {
  EXPECT_EQ(shape("+a"), "a");
  EXPECT_EQ(shape("1 - +2"), "(1 - 2)");
}

TEST(Parser, ParenthesesOverridePrecedence) {
  EXPECT_EQ(shape("(1 + 2) * 3"), "((1 + 2) * 3)");
  EXPECT_EQ(shape("(-2)^2"), "((-2) ^ 2)");
  EXPECT_EQ(shape("a - (b - c)"), "(a - (b - c))");
}

TEST(Parser, EveryComparisonOperatorParses) {
  EXPECT_EQ(shape("a < b"), "(a < b)");
  EXPECT_EQ(shape("a <= b"), "(a <= b)");
  EXPECT_EQ(shape("a > b"), "(a > b)");
  EXPECT_EQ(shape("a >= b"), "(a >= b)");
  EXPECT_EQ(shape("a == b"), "(a == b)");
  EXPECT_EQ(shape("a != b"), "(a != b)");
}

TEST(Parser, ComparisonBindsLooserThanArithmetic) {
  EXPECT_EQ(shape("a + 1 < b * 2"), "((a + 1) < (b * 2))");
  EXPECT_EQ(shape("-a^2 >= 0"), "((-(a ^ 2)) >= 0)");
}

TEST(Parser, AndBindsTighterThanOr) {
  EXPECT_EQ(shape("a or b and c"), "(a or (b and c))");
  EXPECT_EQ(shape("a and b or c"), "((a and b) or c)");
  EXPECT_EQ(shape("a or b or c"), "((a or b) or c)");
  EXPECT_EQ(shape("a and b and c"), "((a and b) and c)");
}

TEST(Parser, NotBindsLooserThanComparisonAndTighterThanAnd) {
  EXPECT_EQ(shape("not a < b"), "(not (a < b))");
  EXPECT_EQ(shape("not a and b"), "((not a) and b)");
  EXPECT_EQ(shape("not not a"), "(not (not a))");
  EXPECT_EQ(shape("a or not b"), "(a or (not b))");
}

TEST(Parser, SpecExampleParses) {
  EXPECT_EQ(shape("t >= 2 and prev(cracked_rate) > 0.60"),
            "((t >= 2) and (prev(cracked_rate) > 0.6))");
  EXPECT_EQ(shape("prev(cracked_rate) + 0.1 * caseload_growth / 4 - 0.05 * meet_police_cju"),
            "((prev(cracked_rate) + ((0.1 * caseload_growth) / 4)) - (0.05 * meet_police_cju))");
  EXPECT_EQ(shape("lognormal(log(0.03), 0.5)"), "lognormal(log(0.03), 0.5)");
  EXPECT_EQ(shape("share(rate <= base - 0.12)"), "share((rate <= (base - 0.12)))");
}

TEST(Parser, CallsTakeAnyNumberOfArguments) {
  EXPECT_EQ(shape("min(a, b + 1, max(c, 2))"), "min(a, (b + 1), max(c, 2))");
  EXPECT_EQ(shape("f()"), "f()");
  EXPECT_EQ(shape("f (x)"), "f(x)");
  EXPECT_EQ(shape("if(a > b, a, b)"), "if((a > b), a, b)");
}

TEST(Parser, KeywordsAreWholeWordsOnly) {
  EXPECT_EQ(shape("android or notable and order"), "(android or (notable and order))");
  EXPECT_EQ(shape("_x1 + X_2"), "(_x1 + X_2)");
}

TEST(Parser, WhitespaceIncludesNewlinesTabsAndCarriageReturns) {
  EXPECT_EQ(shape("  a +\n\tb\r\n  * c \n"), "(a + (b * c))");
}

// --- numbers -----------------------------------------------------------------

double number_of(std::string_view text) {
  Diagnostics diags;
  const std::unique_ptr<Expr> e = parse_expression(text, ParseContext{}, diags);
  EXPECT_TRUE(diags.ok()) << diags.to_string();
  if (!e) return -1;
  EXPECT_EQ(e->kind, ExprKind::kNumber) << to_string(*e);
  return e->number;
}

TEST(Parser, NumbersInEveryWrittenForm) {
  EXPECT_EQ(number_of("12"), 12.0);
  EXPECT_EQ(number_of("0.67"), 0.67);
  EXPECT_EQ(number_of(".5"), 0.5);
  EXPECT_EQ(number_of("2."), 2.0);
  EXPECT_EQ(number_of("1e-3"), 1e-3);
  EXPECT_EQ(number_of("2.5E+4"), 2.5e4);
  EXPECT_EQ(number_of("3e2"), 300.0);
  EXPECT_EQ(number_of("007"), 7.0);
  EXPECT_EQ(number_of("1e-400"), 0.0);  // underflow reads as zero
}

TEST(Parser, NumberWithTwoDecimalPointsIsAnError) {
  const Diagnostic d = error_of("1.2.3");
  EXPECT_EQ(d.message, "malformed number '1.2.3'");
  EXPECT_EQ(d.hint, "a number has at most one decimal point");
  EXPECT_EQ(d.pos.col, 1);
}

TEST(Parser, ExponentWithoutDigitsIsAnError) {
  EXPECT_EQ(error_of("1e").message, "malformed number '1e'");
  EXPECT_EQ(error_of("1e").hint, "an exponent needs digits, as in 1e-3");
  EXPECT_EQ(error_of("2 * 1e+ 3").message, "malformed number '1e+'");
}

TEST(Parser, NumberRunningIntoANameIsAnError) {
  const Diagnostic d = error_of("2x + 1");
  EXPECT_EQ(d.message, "malformed number '2x'");
  EXPECT_EQ(d.hint, "put an operator between a number and a name, as in 2 * x");
}

TEST(Parser, NumberTooLargeIsAnError) {
  EXPECT_EQ(error_of("1e999").message, "number '1e999' is too large");
}

TEST(Parser, LoneDecimalPointIsAnError) {
  const Diagnostic d = error_of("a + .");
  EXPECT_EQ(d.message, "unexpected '.'");
  EXPECT_EQ(d.pos.col, 5);
}

// --- positions -----------------------------------------------------------------

TEST(Parser, NodesCarryTheFilePositionOfTheirFirstCharacter) {
  ParseContext ctx;
  ctx.origin = {3, 10};
  Diagnostics diags;
  const std::unique_ptr<Expr> e = parse_expression("a + foo(b, -c)", ctx, diags);
  ASSERT_NE(e, nullptr) << diags.to_string();
  EXPECT_EQ(e->pos.line, 3);
  EXPECT_EQ(e->pos.col, 10);  // the binary node starts at 'a'
  const Expr& call = *e->args[1];
  EXPECT_EQ(call.pos.col, 14);                    // 'foo'
  EXPECT_EQ(call.args[0]->pos.col, 18);           // 'b'
  EXPECT_EQ(call.args[1]->pos.col, 21);           // '-'
  EXPECT_EQ(call.args[1]->args[0]->pos.col, 22);  // 'c'
}

TEST(Parser, MultilinePositionsMapNewlinesToFileLines) {
  ParseContext ctx;
  ctx.origin = {5, 7};
  ctx.multiline_positions = true;
  Diagnostics diags;
  const std::unique_ptr<Expr> e = parse_expression("a +\n  b", ctx, diags);
  ASSERT_NE(e, nullptr) << diags.to_string();
  EXPECT_EQ(e->args[1]->pos.line, 6);
  EXPECT_EQ(e->args[1]->pos.col, 9);
}

TEST(Parser, FoldedTextReportsLaterLinesOnTheFirstLine) {
  ParseContext ctx;
  ctx.origin = {5, 7};
  Diagnostics diags;
  const std::unique_ptr<Expr> e = parse_expression("a +\n  b", ctx, diags);
  ASSERT_NE(e, nullptr) << diags.to_string();
  EXPECT_EQ(e->args[1]->pos.line, 5);
  EXPECT_EQ(e->args[1]->pos.col, 13);  // 7 + offset 6, the newline counting one
}

TEST(Parser, UnknownOriginColumnCountsFromOne) {
  Diagnostics diags;
  const std::unique_ptr<Expr> e = parse_expression("a + b", ParseContext{}, diags);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->pos.line, 0);
  EXPECT_EQ(e->args[1]->pos.col, 5);
}

TEST(Parser, KnownLineWithUnknownColumnReportsColumnZero) {
  // A loader that cannot place a block scalar's text passes col 0: positions
  // keep the line, and messages count columns within the expression.
  ParseContext ctx;
  ctx.file = "plan.yaml";
  ctx.origin = {7, 0};
  Diagnostics diags;
  const std::unique_ptr<Expr> e = parse_expression("a + b", ctx, diags);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->args[1]->pos.line, 7);
  EXPECT_EQ(e->args[1]->pos.col, 0);
  const Diagnostic d = error_of("f(a, (b", ctx);
  EXPECT_EQ(d.message, "unclosed '(' opened at column 6 of the expression");
  EXPECT_EQ(d.pos.col, 0);
  EXPECT_EQ(format(d),
            "plan.yaml:7: error: unclosed '(' opened at column 6 of the expression (add ')' to "
            "close it)\n"
            "f(a, (b\n"
            "       ^");
}

TEST(Parser, NonAsciiCharactersAreNamedByCodePoint) {
  // Names are ASCII, so 'é' is an error, quoted whole rather than as its first byte.
  EXPECT_EQ(error_of("caf\xC3\xA9").message, "unknown character U+00E9 '\xC3\xA9'");
  const Diagnostic d = error_of("a + \xE2\x88\x92 b");  // U+2212 MINUS SIGN, pasted
  EXPECT_EQ(d.pos.col, 5);
  EXPECT_EQ(d.message, "unknown character U+2212 '\xE2\x88\x92'");
  EXPECT_EQ(d.hint, "use '-'");
}

TEST(Parser, InvalidUtf8IsReportedAsAByte) {
  EXPECT_EQ(error_of("a + \x80").message, "unknown byte 0x80");
  EXPECT_EQ(error_of("a + \xE2\x88").hint, "the text is not valid UTF-8");
}

TEST(Parser, ColumnsAfterMultibyteCharactersCountCharacters) {
  // Only an error can contain non-ASCII, so a later line shows the counting:
  // folded text puts every line on the first, one column per character.
  ParseContext ctx;
  ctx.origin = {1, 1};
  Diagnostics diags;
  EXPECT_EQ(parse_expression("a\n\xC3\xA9", ctx, diags), nullptr);
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags.list()[0].pos.col, 3);
  EXPECT_EQ(diags.list()[0].excerpt, "\xC3\xA9\n^");
}

// --- errors: messages, positions and carets -----------------------------------

TEST(Parser, UnexpectedOperatorNamesTheTokenAndWhatWasExpected) {
  ParseContext ctx;
  ctx.file = "plan.yaml";
  ctx.node = "cracked_rate";
  ctx.origin = {3, 12};
  const Diagnostic d = error_of("0.67 + * 2", ctx);
  EXPECT_EQ(d.file, "plan.yaml");
  EXPECT_EQ(d.node, "cracked_rate");
  EXPECT_EQ(d.pos.line, 3);
  EXPECT_EQ(d.pos.col, 19);
  EXPECT_EQ(d.message, "unexpected '*'");
  EXPECT_EQ(d.hint, "expected a number, a name or '('");
  EXPECT_EQ(d.excerpt, std::string(11, ' ') + "0.67 + * 2\n" + std::string(18, ' ') + "^");
  EXPECT_EQ(format(d),
            "plan.yaml:3:19: error: node 'cracked_rate': unexpected '*' (expected a number, a "
            "name or '(')\n"
            "           0.67 + * 2\n"
            "                  ^");
}

TEST(Parser, UnclosedParenthesisNamesTheColumnItOpened) {
  const Diagnostic d = error_of("min(a, (b + 1");
  EXPECT_EQ(d.message, "unclosed '(' opened at column 8");
  EXPECT_EQ(d.pos.col, 14);  // just past the last character
  EXPECT_EQ(d.excerpt, "min(a, (b + 1\n             ^");
}

TEST(Parser, UnclosedCallNamesTheColumnItOpened) {
  ParseContext ctx;
  ctx.origin = {1, 5};
  const Diagnostic d = error_of("min(a, b", ctx);
  EXPECT_EQ(d.message, "unclosed '(' opened at column 8");
  EXPECT_EQ(d.hint, "add ')' to close the arguments of 'min'");
}

TEST(Parser, UnclosedParenthesisOnAnEarlierLineNamesItsLine) {
  ParseContext ctx;
  ctx.origin = {10, 3};
  ctx.multiline_positions = true;
  const Diagnostic d = error_of("(a +\nb\n\n", ctx);
  EXPECT_EQ(d.message, "unclosed '(' opened at line 10, column 3");
  EXPECT_EQ(d.pos.line, 11);
  EXPECT_EQ(d.pos.col, 4);
  EXPECT_EQ(d.excerpt, "  b\n   ^");
}

TEST(Parser, MissingOperandAtTheEndIsUnexpectedEnd) {
  const Diagnostic d = error_of("1 +   ");
  EXPECT_EQ(d.message, "unexpected end of expression");
  EXPECT_EQ(d.hint, "expected a number, a name or '('");
  EXPECT_EQ(d.pos.col, 4);  // just after '+', not after the trailing blanks
}

TEST(Parser, EmptyTextIsAnError) {
  EXPECT_EQ(error_of("").message, "empty expression");
  EXPECT_EQ(error_of(" \n\t").message, "empty expression");
}

TEST(Parser, UnknownCharacterIsQuoted) {
  const Diagnostic d = error_of("a $ b");
  EXPECT_EQ(d.message, "unknown character '$'");
  EXPECT_EQ(d.pos.col, 3);
  EXPECT_EQ(d.excerpt, "a $ b\n  ^");
}

TEST(Parser, UnknownCharactersFromOtherLanguagesGetHints) {
  EXPECT_EQ(error_of("a && b").hint, "use 'and'");
  EXPECT_EQ(error_of("a || b").hint, "use 'or'");
  EXPECT_EQ(error_of("5%").hint, "write percentages as fractions, as in 0.05");
  EXPECT_EQ(error_of("a\xC2\xA0+ b").message, "unknown character U+00A0");
  EXPECT_EQ(error_of("a\x01").message, "unknown character U+0001");
  EXPECT_EQ(error_of("a\x01").excerpt, "a?\n ^");
}

TEST(Parser, LoneEqualsSuggestsDoubleEquals) {
  const Diagnostic d = error_of("a = b");
  EXPECT_EQ(d.message, "unexpected '='");
  EXPECT_EQ(d.hint, "use == for comparison");
  EXPECT_EQ(d.pos.col, 3);
}

TEST(Parser, LoneBangSuggestsNotOrNotEquals) {
  const Diagnostic d = error_of("!a");
  EXPECT_EQ(d.message, "unexpected '!'");
  EXPECT_EQ(d.hint, "use 'not' to negate, or != for comparison");
}

TEST(Parser, ChainedComparisonIsAnError) {
  const Diagnostic d = error_of("0 < x < 1");
  EXPECT_EQ(d.message, "unexpected '<' after a comparison");
  EXPECT_EQ(d.hint, "comparisons cannot be chained; write a < b and b < c");
  EXPECT_EQ(d.pos.col, 7);
  EXPECT_EQ(shape("(0 < x) < 1"), "((0 < x) < 1)");
}

TEST(Parser, StrayClosingParenthesisIsAnError) {
  const Diagnostic d = error_of("a + b)");
  EXPECT_EQ(d.message, "unexpected ')'");
  EXPECT_EQ(d.hint, "there is no '(' for it to close");
  EXPECT_EQ(d.pos.col, 6);
}

TEST(Parser, TwoOperandsWithoutAnOperatorIsAnError) {
  const Diagnostic d = error_of("a b");
  EXPECT_EQ(d.message, "unexpected name 'b'");
  EXPECT_EQ(d.hint, "expected an operator or the end of the expression");
  EXPECT_EQ(error_of("(a 2)").message, "unexpected number '2'");
  EXPECT_EQ(error_of("(a 2)").hint, "expected an operator or ')' to close the '(' at column 1");
}

TEST(Parser, CallArgumentErrorsNameTheFunction) {
  const Diagnostic d = error_of("max(a b)");
  EXPECT_EQ(d.message, "unexpected name 'b'");
  EXPECT_EQ(d.hint, "expected ',' or ')' in the arguments of 'max'");
  EXPECT_EQ(error_of("max(a,)").message, "unexpected ')'");
  EXPECT_EQ(error_of("max(a,)").hint, "expected a number, a name or '('");
}

TEST(Parser, KeywordWhereAnOperandBelongsIsAnError) {
  EXPECT_EQ(error_of("a and or b").message, "unexpected 'or'");
  EXPECT_EQ(error_of("-not a").message, "unexpected 'not'");
  EXPECT_EQ(error_of("and(1, 2)").message, "unexpected 'and'");
}

TEST(Parser, ErrorOnALaterLineShowsThatLine) {
  ParseContext ctx;
  ctx.origin = {4, 5};
  ctx.multiline_positions = true;
  const Diagnostic d = error_of("a +\r\nb * * c\r\n", ctx);
  EXPECT_EQ(d.pos.line, 5);
  EXPECT_EQ(d.pos.col, 9);
  EXPECT_EQ(d.excerpt, "    b * * c\n        ^");
}

TEST(Parser, CaretStaysAlignedAfterTabs) {
  const Diagnostic d = error_of("\ta +\t*");
  EXPECT_EQ(d.excerpt, "\ta +\t*\n\t   \t^");
}

TEST(Parser, OnlyTheFirstErrorIsReportedAndExistingDiagnosticsAreKept) {
  Diagnostics diags;
  diags.error("other.yaml", {1, 1}, "", "earlier problem");
  EXPECT_EQ(parse_expression("* $ (", ParseContext{}, diags), nullptr);
  ASSERT_EQ(diags.size(), 2u);
  EXPECT_EQ(diags.list()[0].message, "earlier problem");
  EXPECT_EQ(diags.list()[1].message, "unexpected '*'");
}

TEST(Parser, LongTokensAreShortenedInMessages) {
  const std::string name(500, 'q');
  const Diagnostic d = error_of("a " + name);
  EXPECT_EQ(d.message, "unexpected name '" + std::string(40, 'q') + "...'");
}

// --- limits ----------------------------------------------------------------------

TEST(Parser, NestingUpToTheLimitParses) {
  const std::size_t n = static_cast<std::size_t>(kMaxExprDepth);
  EXPECT_EQ(shape(repeat("(", n) + "1" + repeat(")", n)), "1");
  EXPECT_EQ(shape(repeat("-", n) + "1").size(), 3 * n + 1);
}

TEST(Parser, NestingPastTheLimitNamesTheLimit) {
  const std::size_t n = static_cast<std::size_t>(kMaxExprDepth) + 1;
  const Diagnostic d = error_of(repeat("(", n) + "1" + repeat(")", n));
  EXPECT_EQ(d.message, "expression nests deeper than 200 levels");
  EXPECT_EQ(d.hint.rfind("move part of it into a node of its own", 0), 0u) << d.hint;
  EXPECT_EQ(d.pos.col, static_cast<int>(n));  // the '(' that goes one level too deep
}

TEST(Parser, HundredThousandParenthesesIsAnErrorNotAStackOverflow) {
  const std::size_t n = 100000;
  const Diagnostic d = error_of(repeat("(", n) + "1" + repeat(")", n));
  EXPECT_EQ(d.message, "expression nests deeper than 200 levels");
  EXPECT_LT(d.excerpt.size(), 300u);  // the excerpt is a window, not the whole line
}

TEST(Parser, EveryKindOfNestingCountsTowardTheLimit) {
  const std::size_t n = 100000;
  EXPECT_EQ(error_of(repeat("-", n) + "1").hint.rfind("move part of it", 0), 0u);
  EXPECT_EQ(error_of(repeat("not ", n) + "1").hint.rfind("move part of it", 0), 0u);
  EXPECT_EQ(error_of(repeat("f(", n) + "1" + repeat(")", n)).hint.rfind("move part of it", 0), 0u);
  EXPECT_EQ(error_of("2" + repeat("^2", 5000)).hint.rfind("move part of it", 0), 0u);
}

TEST(Parser, LeftDeepChainUpToTheTreeLimitParses) {
  Diagnostics diags;
  const std::size_t n = static_cast<std::size_t>(kMaxExprTreeDepth);
  const std::unique_ptr<Expr> e = parse_expression(long_sum(n), ParseContext{}, diags);
  ASSERT_NE(e, nullptr) << diags.to_string();
  EXPECT_EQ(to_string(*e).size(), std::string("x").size() + (n - 1) * std::string("( + x)").size());
}

TEST(Parser, LeftDeepChainPastTheTreeLimitNamesTheLimit) {
  const Diagnostic d = error_of(long_sum(static_cast<std::size_t>(kMaxExprTreeDepth) + 1));
  EXPECT_EQ(d.message, "expression is deeper than 2000 levels");
  EXPECT_EQ(d.hint.rfind("each operator of a chain", 0), 0u) << d.hint;
  EXPECT_EQ(d.pos.col, 4 * kMaxExprTreeDepth - 1);  // the '+' that adds the 2001st level
}

TEST(Parser, TreeLimitCountsChainsInsideParentheses) {
  // Each group is shallow enough alone; together they are too deep.
  const std::string group = "(" + long_sum(1500) + ")";
  EXPECT_EQ(shape(group + " * 2").substr(0, 2), "((");
  EXPECT_EQ(error_of("(" + group + " * 2 + " + group + ") + " + long_sum(600)).message,
            "expression is deeper than 2000 levels");
}

TEST(Parser, TooManyTokensNamesTheLimit) {
  // A flat call stays shallow, so only the token count can stop it.
  const Diagnostic d = error_of("min(1" + repeat(", 1", kMaxExprTokens / 2) + ")");
  EXPECT_EQ(d.message, "expression has more than 20000 tokens");
  EXPECT_EQ(d.hint.rfind("split it into intermediate nodes", 0), 0u) << d.hint;
}

TEST(Parser, MillionTermSumIsRefusedAtTheTreeLimit) {
  const std::string text = long_sum(1000000);
  const Diagnostic d = error_of(text);
  // The tree limit stops it at term 2001, long before the token cap.
  EXPECT_EQ(d.message, "expression is deeper than 2000 levels");
  EXPECT_LT(d.excerpt.size(), 300u);
}

}  // namespace
}  // namespace plansim::rules
