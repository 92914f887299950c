// Parsing expression text into an Expr tree.
//
// Grammar (lowest precedence first; all binary operators left-associative
// except '^', which is right-associative and binds tighter than unary minus,
// so -2^2 = -4):
//   or:     and ('or' and)*
//   and:    not ('and' not)*
//   not:    'not' not | cmp
//   cmp:    add (('<'|'<='|'>'|'>='|'=='|'!=') add)?      (non-associative)
//   add:    mul (('+'|'-') mul)*
//   mul:    unary (('*'|'/') unary)*
//   unary:  '-' unary | '+' unary | pow
//   pow:    primary ('^' unary)?
//   primary: number | name | name '(' args ')' | '(' or ')'
// Numbers: 12, 0.67, .5, 1e-3, 2.5E+4. Names: [A-Za-z_][A-Za-z0-9_]*.
// `and`, `or`, `not` are keywords. Whitespace includes newlines (folded YAML).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "rules/ast.h"
#include "rules/diagnostic.h"

namespace plansim::rules {

// Limits that keep hostile input from exhausting the stack or memory. Each
// error that enforces one names the limit.
inline constexpr int kMaxExprDepth = 200;        // nesting of parentheses, calls, unary operators
inline constexpr std::size_t kMaxExprTokens = 20000;

struct ParseContext {
  std::string file;   // for diagnostics
  std::string node;   // the plan node the expression belongs to
  SourcePos origin;   // position of the expression's first character in the file
  // True when the text's newlines map to file lines (a plain or literal scalar
  // spanning lines); false for folded or quoted scalars, where positions after
  // the first line are reported on the first line.
  bool multiline_positions = false;
};

// Parses `text`. On error, adds one Diagnostic (with an excerpt and a caret
// under the offending column) to `diags` and returns nullptr.
std::unique_ptr<Expr> parse_expression(std::string_view text, const ParseContext& ctx,
                                       Diagnostics& diags);

}  // namespace plansim::rules
