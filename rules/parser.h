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
#include <vector>

#include "rules/ast.h"
#include "rules/diagnostic.h"

namespace plansim::rules {

// Limits that keep hostile input from exhausting the stack or memory. Each
// error that enforces one names the limit.
//
// kMaxExprDepth bounds the parser's own recursion: parentheses, call
// arguments, unary '-'/'+', 'not' and the right operand of '^' each open one
// level. It is checked before recursing, so 100,000 '(' is an error, not a
// stack overflow.
//
// kMaxExprTreeDepth bounds the height of the resulting tree, which nesting
// alone does not: a left-associative chain a + b + c + ... is not nested at
// all, yet n terms make a left-deep tree of height n, and every later walk
// over it (clone, to_string, the compiler, even the destructor) recurses that
// deep. Leaves count 1, each operator or call one more.
//
// kMaxExprTokens caps the input itself; the lexer stops at the first token
// past it, so a flat but huge call (min of 100,000 arguments) fails after
// reading 20,000 tokens. A 1,000,000-term sum stops sooner, at the tree limit.
inline constexpr int kMaxExprDepth = 200;
inline constexpr int kMaxExprTreeDepth = 2000;
inline constexpr std::size_t kMaxExprTokens = 20000;

struct ParseContext {
  std::string file;   // for diagnostics
  std::string node;   // the plan node the expression belongs to
  SourcePos origin;   // position of the expression's first character in the file
  // True when the text's newlines map to file lines (a plain or literal scalar
  // spanning lines); false for folded or quoted scalars, where positions after
  // the first line are reported on the first line.
  bool multiline_positions = false;
  // When not empty, the file position of each byte of the text (a scalar
  // YAML folded from several lines); it overrides origin.
  std::vector<SourcePos> positions;
};

// Parses `text`. On error, adds one Diagnostic (with an excerpt and a caret
// under the offending column) to `diags` and returns nullptr.
//
// Positions: the character k code points into a one-line text is at column
// origin.col + k (a newline in folded text counts as one). With
// multiline_positions, the i-th line of the text is file line origin.line + i
// and its columns start at origin.col too (a block scalar's lines share its
// indentation). Unknown parts of origin (0) give: line 0 (unknown); column 0
// when the line is known but the column is not; and, with no position at all,
// columns counted from 1 within the text, which is then its own source.
// Parsing needs about 1.5 KB of stack per nesting level in a release build
// (some 300 KB at kMaxExprDepth), several times that under sanitizers.
std::unique_ptr<Expr> parse_expression(std::string_view text, const ParseContext& ctx,
                                       Diagnostics& diags);

}  // namespace plansim::rules
