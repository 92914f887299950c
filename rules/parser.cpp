#include "rules/parser.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <optional>
#include <utility>

namespace plansim::rules {
namespace {

enum class Tok {
  kEnd,
  kNumber,
  kName,
  kAnd,
  kOr,
  kNot,
  kPlus,
  kMinus,
  kStar,
  kSlash,
  kCaret,
  kLParen,
  kRParen,
  kComma,
  kLt,
  kLe,
  kGt,
  kGe,
  kEq,
  kNe,
};

// Where a character is in the text. Columns count UTF-8 code points, so a
// caret lines up under non-ASCII text as a terminal shows it.
struct Where {
  std::size_t offset = 0;      // bytes from the start of the text
  std::size_t line_start = 0;  // byte offset of the start of its line
  int line_index = 0;          // 0-based line within the text
  int line_col = 0;            // code points from the start of its line
  int text_col = 0;            // code points from the start of the text (a newline counts one)
};

struct Token {
  Tok kind = Tok::kEnd;
  Where at;
  std::string_view text;
  double number = 0.0;  // kNumber
};

// A parsed subtree and its height (a leaf is 1), carried up so the tree
// depth limit is enforced while building, before anything walks the tree.
struct Parsed {
  std::unique_ptr<Expr> expr;
  int height = 0;
};

// Messages quote tokens; a 10,000-character name would drown the message.
constexpr std::size_t kMaxQuotedToken = 40;
// Excerpts show at most this many bytes of a line, centred on the error.
constexpr std::size_t kMaxExcerptWidth = 100;

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || is_digit(c); }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

std::optional<BinaryOp> additive(Tok t) {
  if (t == Tok::kPlus) return BinaryOp::kAdd;
  if (t == Tok::kMinus) return BinaryOp::kSub;
  return std::nullopt;
}

std::optional<BinaryOp> multiplicative(Tok t) {
  if (t == Tok::kStar) return BinaryOp::kMul;
  if (t == Tok::kSlash) return BinaryOp::kDiv;
  return std::nullopt;
}

std::optional<BinaryOp> comparison(Tok t) {
  switch (t) {
    case Tok::kLt:
      return BinaryOp::kLt;
    case Tok::kLe:
      return BinaryOp::kLe;
    case Tok::kGt:
      return BinaryOp::kGt;
    case Tok::kGe:
      return BinaryOp::kGe;
    case Tok::kEq:
      return BinaryOp::kEq;
    case Tok::kNe:
      return BinaryOp::kNe;
    default:
      return std::nullopt;
  }
}

std::optional<BinaryOp> conjunction(Tok t) {
  if (t == Tok::kAnd) return BinaryOp::kAnd;
  return std::nullopt;
}

std::optional<BinaryOp> disjunction(Tok t) {
  if (t == Tok::kOr) return BinaryOp::kOr;
  return std::nullopt;
}

std::string code_point_text(char32_t cp) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "U+%04X", static_cast<unsigned>(cp));
  return buffer;
}

// Characters that arrive by pasting from a word processor, and what was meant.
const char* hint_for(char32_t cp) {
  switch (cp) {
    case U'&':
      return "use 'and'";
    case U'|':
      return "use 'or'";
    case U'%':
      return "write percentages as fractions, as in 0.05";
    case U'[':
    case U']':
    case U'{':
    case U'}':
      return "use '(' and ')' to group";
    case U'\u2212':
    case U'\u2013':
    case U'\u2014':
      return "use '-'";
    case U'\u00D7':
      return "use '*'";
    case U'\u00F7':
      return "use '/'";
    case U'\u2264':
      return "use '<='";
    case U'\u2265':
      return "use '>='";
    case U'\u2260':
      return "use '!='";
    case U'\u00A0':
      return "a no-break space; use an ordinary space";
    default:
      return "";
  }
}

class Parser {
 public:
  Parser(std::string_view text, const ParseContext& ctx, Diagnostics& diags)
      : text_(text), ctx_(ctx), diags_(diags) {}

  std::unique_ptr<Expr> parse();

 private:
  using Level = Parsed (Parser::*)(int);

  // Lexer. Tokens are read one at a time, so the first error in reading
  // order is the one reported, whether it is lexical or grammatical.
  bool advance();  // the next token into token_; false once an error is reported
  void step();     // cursor_ one byte on, keeping lines and columns
  bool lex_number(Token& t);
  void report_unknown_character();

  // Parser: one function per grammar rule (rules/parser.h). `depth` is the
  // nesting so far; enter() checks it before any rule recurses into a deeper level.
  Parsed left_chain(int depth, Level operand, std::optional<BinaryOp> (*op_of)(Tok));
  Parsed parse_or(int depth) { return left_chain(depth, &Parser::parse_and, disjunction); }
  Parsed parse_and(int depth) { return left_chain(depth, &Parser::parse_not, conjunction); }
  Parsed parse_not(int depth);
  Parsed parse_cmp(int depth);
  Parsed parse_add(int depth) { return left_chain(depth, &Parser::parse_mul, additive); }
  Parsed parse_mul(int depth) { return left_chain(depth, &Parser::parse_unary, multiplicative); }
  Parsed parse_unary(int depth);
  Parsed parse_pow(int depth);
  Parsed parse_primary(int depth);
  Parsed parse_call(const Token& name, int depth);

  bool enter(int depth, const Token& at);
  bool within_height(int height, const Token& at);
  Parsed binary(BinaryOp op, Parsed lhs, Parsed rhs, const Token& at);
  Parsed unary(UnaryOp op, Parsed operand, const Token& at);

  // Errors.
  void fail(const Where& at, std::string message, std::string hint = {});
  void unexpected(const Token& t, std::string hint);
  SourcePos pos_of(const Where& w) const;
  std::string where_opened(const Where& open, const Where& here) const;
  std::string excerpt(const Where& w) const;
  static std::string describe(const Token& t);

  std::string_view text_;
  const ParseContext& ctx_;
  Diagnostics& diags_;
  Where cursor_;
  Token token_;
  std::size_t token_count_ = 0;
  bool failed_ = false;
};

std::unique_ptr<Expr> Parser::parse() {
  if (!advance()) return nullptr;
  if (token_.kind == Tok::kEnd) {
    fail(token_.at, "empty expression", "write a number, a name or a formula");
    return nullptr;
  }
  Parsed result = parse_or(0);
  if (!result.expr) return nullptr;
  if (token_.kind == Tok::kRParen) {
    fail(token_.at, "unexpected ')'", "there is no '(' for it to close");
    return nullptr;
  }
  if (token_.kind != Tok::kEnd) {
    unexpected(token_, "expected an operator or the end of the expression");
    return nullptr;
  }
  return std::move(result.expr);
}

// ---------------------------------------------------------------------------
// Lexer

void Parser::step() {
  const char c = text_[cursor_.offset];
  ++cursor_.offset;
  if (c == '\n') {
    ++cursor_.line_index;
    cursor_.line_col = 0;
    cursor_.line_start = cursor_.offset;
    ++cursor_.text_col;
  } else if (!is_continuation(c)) {
    ++cursor_.line_col;
    ++cursor_.text_col;
  }
}

bool Parser::advance() {
  const Where after_previous = cursor_;
  while (cursor_.offset < text_.size() && is_space(text_[cursor_.offset])) step();

  Token t;
  t.at = cursor_;
  if (cursor_.offset == text_.size()) {
    // "Unexpected end" points just past the last token, not at trailing blanks or lines.
    t.at = after_previous;
    token_ = t;
    return true;
  }
  if (++token_count_ > kMaxExprTokens) {
    fail(t.at, "expression has more than " + std::to_string(kMaxExprTokens) + " tokens",
         "split it into intermediate nodes (the limit is built into plansim: docs/plan-format.md, Limits)");
    return false;
  }

  const std::size_t start = cursor_.offset;
  const char c = text_[start];
  const char next = start + 1 < text_.size() ? text_[start + 1] : '\0';
  if (is_digit(c) || (c == '.' && is_digit(next))) {
    if (!lex_number(t)) return false;
  } else if (is_name_start(c)) {
    while (cursor_.offset < text_.size() && is_name_char(text_[cursor_.offset])) step();
    const std::string_view word = text_.substr(start, cursor_.offset - start);
    t.kind = word == "and"   ? Tok::kAnd
             : word == "or"  ? Tok::kOr
             : word == "not" ? Tok::kNot
                             : Tok::kName;
  } else {
    switch (c) {
      case '+':
        t.kind = Tok::kPlus;
        break;
      case '-':
        t.kind = Tok::kMinus;
        break;
      case '*':
        t.kind = Tok::kStar;
        break;
      case '/':
        t.kind = Tok::kSlash;
        break;
      case '^':
        t.kind = Tok::kCaret;
        break;
      case '(':
        t.kind = Tok::kLParen;
        break;
      case ')':
        t.kind = Tok::kRParen;
        break;
      case ',':
        t.kind = Tok::kComma;
        break;
      case '<':
        t.kind = next == '=' ? Tok::kLe : Tok::kLt;
        break;
      case '>':
        t.kind = next == '=' ? Tok::kGe : Tok::kGt;
        break;
      case '=':
        if (next != '=') {
          fail(t.at, "unexpected '='", "use == for comparison");
          return false;
        }
        t.kind = Tok::kEq;
        break;
      case '!':
        if (next != '=') {
          fail(t.at, "unexpected '!'", "use 'not' to negate, or != for comparison");
          return false;
        }
        t.kind = Tok::kNe;
        break;
      case '.':
        fail(t.at, "unexpected '.'", "a decimal point needs digits, as in 0.5 or .5");
        return false;
      default:
        report_unknown_character();
        return false;
    }
    step();
    if (t.kind == Tok::kLe || t.kind == Tok::kGe || t.kind == Tok::kEq || t.kind == Tok::kNe) {
      step();
    }
  }
  t.text = text_.substr(start, cursor_.offset - start);
  token_ = t;
  return true;
}

// number: digits ['.' digits*] | '.' digits, then an optional exponent [eE][+-]digits.
// What follows must not continue the number: "1.2.3", "2x" and "1e" are
// reported whole, so the message quotes what the user wrote.
bool Parser::lex_number(Token& t) {
  const std::size_t start = cursor_.offset;
  const auto at = [&](std::size_t i) { return i < text_.size() ? text_[i] : '\0'; };
  while (is_digit(at(cursor_.offset))) step();
  if (at(cursor_.offset) == '.') {
    step();
    while (is_digit(at(cursor_.offset))) step();
  }
  bool exponent_ok = true;
  if (at(cursor_.offset) == 'e' || at(cursor_.offset) == 'E') {
    std::size_t k = cursor_.offset + 1;
    if (at(k) == '+' || at(k) == '-') ++k;
    if (is_digit(at(k))) {
      while (cursor_.offset < k) step();
      while (is_digit(at(cursor_.offset))) step();
    } else {
      exponent_ok = false;
    }
  }
  const char following = at(cursor_.offset);
  if (!exponent_ok || is_name_char(following) || following == '.') {
    const std::size_t valid_end = cursor_.offset;
    while (true) {
      const char c = at(cursor_.offset);
      const char before = cursor_.offset > start ? text_[cursor_.offset - 1] : '\0';
      const bool exponent_sign = (c == '+' || c == '-') && (before == 'e' || before == 'E');
      if (!is_name_char(c) && c != '.' && !exponent_sign) break;
      step();
    }
    const std::string_view lexeme = text_.substr(start, cursor_.offset - start);
    std::string hint;
    if (std::count(lexeme.begin(), lexeme.end(), '.') > 1) {
      hint = "a number has at most one decimal point";
    } else if (!exponent_ok && (text_[valid_end] == 'e' || text_[valid_end] == 'E')) {
      hint = "an exponent needs digits, as in 1e-3";
    } else {
      hint = "put an operator between a number and a name, as in 2 * x";
    }
    std::string quoted(lexeme.substr(0, kMaxQuotedToken));
    if (lexeme.size() > kMaxQuotedToken) quoted += "...";
    fail(t.at, "malformed number '" + quoted + "'", std::move(hint));
    return false;
  }

  const std::string_view lexeme = text_.substr(start, cursor_.offset - start);
  double value = 0.0;
  const auto [end, error] = std::from_chars(lexeme.data(), lexeme.data() + lexeme.size(), value);
  if (error == std::errc::result_out_of_range) {
    // Too small to represent is as good as zero; too large cannot be used.
    const bool underflow =
        lexeme.find("e-") != std::string_view::npos || lexeme.find("E-") != std::string_view::npos;
    if (!underflow) {
      fail(t.at, "number '" + std::string(lexeme.substr(0, kMaxQuotedToken)) + "' is too large",
           "numbers must be below about 1.8e308");
      return false;
    }
    value = 0.0;
  } else if (error != std::errc() || end != lexeme.data() + lexeme.size()) {
    // The scan above only accepts what from_chars reads; this is a guard, not a user path.
    fail(t.at, "malformed number '" + std::string(lexeme.substr(0, kMaxQuotedToken)) + "'");
    return false;
  }
  t.kind = Tok::kNumber;
  t.number = value;
  return true;
}

void Parser::report_unknown_character() {
  const Where at = cursor_;
  const auto lead = static_cast<unsigned char>(text_[at.offset]);
  std::size_t length = 1;
  char32_t cp = lead;
  if (lead >= 0xF0 && lead < 0xF8) {
    length = 4;
    cp = lead & 0x07u;
  } else if (lead >= 0xE0 && lead < 0xF0) {
    length = 3;
    cp = lead & 0x0Fu;
  } else if (lead >= 0xC0 && lead < 0xE0) {
    length = 2;
    cp = lead & 0x1Fu;
  } else if (lead >= 0x80) {
    length = 0;  // a continuation byte or 0xF8..0xFF cannot start a character
  }
  for (std::size_t i = 1; i < length; ++i) {
    if (at.offset + i >= text_.size() || !is_continuation(text_[at.offset + i])) {
      length = 0;
      break;
    }
    cp = (cp << 6) | (static_cast<unsigned char>(text_[at.offset + i]) & 0x3Fu);
  }
  if (length == 0) {
    char buffer[8];
    std::snprintf(buffer, sizeof buffer, "0x%02X", static_cast<unsigned>(lead));
    fail(at, std::string("unknown byte ") + buffer, "the text is not valid UTF-8");
    return;
  }
  std::string message = "unknown character ";
  if (cp > 0x20 && cp < 0x7F) {
    message += '\'';
    message += static_cast<char>(cp);
    message += '\'';
  } else if (cp >= 0x80 && cp != 0xA0) {
    message += code_point_text(cp) + " '" + std::string(text_.substr(at.offset, length)) + "'";
  } else {
    message += code_point_text(cp);  // control characters and invisible spaces: no quote
  }
  fail(at, std::move(message), hint_for(cp));
}

// ---------------------------------------------------------------------------
// Parser

bool Parser::enter(int depth, const Token& at) {
  if (depth + 1 > kMaxExprDepth) {
    fail(at.at, "expression nests deeper than " + std::to_string(kMaxExprDepth) + " levels",
         "move part of it into a node of its own (the limit is built into plansim: docs/plan-format.md, Limits)");
    return false;
  }
  return true;
}

bool Parser::within_height(int height, const Token& at) {
  if (height > kMaxExprTreeDepth) {
    fail(at.at, "expression is deeper than " + std::to_string(kMaxExprTreeDepth) + " levels",
         "each operator of a chain such as a + b + c + ... adds a level, so split it into intermediate nodes "
         "(the limit is built into plansim: docs/plan-format.md, Limits)");
    return false;
  }
  return true;
}

Parsed Parser::binary(BinaryOp op, Parsed lhs, Parsed rhs, const Token& at) {
  const int height = 1 + std::max(lhs.height, rhs.height);
  if (!within_height(height, at)) return {};
  auto e = std::make_unique<Expr>();
  e->kind = ExprKind::kBinary;
  e->pos = lhs.expr->pos;  // a node's position is that of its first character
  e->binary = op;
  e->args.push_back(std::move(lhs.expr));
  e->args.push_back(std::move(rhs.expr));
  return {std::move(e), height};
}

Parsed Parser::unary(UnaryOp op, Parsed operand, const Token& at) {
  const int height = 1 + operand.height;
  if (!within_height(height, at)) return {};
  auto e = std::make_unique<Expr>();
  e->kind = ExprKind::kUnary;
  e->pos = pos_of(at.at);
  e->unary = op;
  e->args.push_back(std::move(operand.expr));
  return {std::move(e), height};
}

// operand (op operand)*, folded to the left. A chain does not nest, so it
// is a loop here; its height is bounded by within_height().
Parsed Parser::left_chain(int depth, Level operand, std::optional<BinaryOp> (*op_of)(Tok)) {
  Parsed lhs = (this->*operand)(depth);
  if (!lhs.expr) return {};
  while (const std::optional<BinaryOp> op = op_of(token_.kind)) {
    const Token op_token = token_;
    if (!advance()) return {};
    Parsed rhs = (this->*operand)(depth);
    if (!rhs.expr) return {};
    lhs = binary(*op, std::move(lhs), std::move(rhs), op_token);
    if (!lhs.expr) return {};
  }
  return lhs;
}

Parsed Parser::parse_not(int depth) {
  if (token_.kind != Tok::kNot) return parse_cmp(depth);
  const Token op = token_;
  if (!enter(depth, op) || !advance()) return {};
  Parsed operand = parse_not(depth + 1);
  if (!operand.expr) return {};
  return unary(UnaryOp::kNot, std::move(operand), op);
}

Parsed Parser::parse_cmp(int depth) {
  Parsed lhs = parse_add(depth);
  if (!lhs.expr) return {};
  const std::optional<BinaryOp> op = comparison(token_.kind);
  if (!op) return lhs;
  const Token op_token = token_;
  if (!advance()) return {};
  Parsed rhs = parse_add(depth);
  if (!rhs.expr) return {};
  // a < b < c reads as a range test in mathematics but would compare a 0/1
  // result with c here; refusing it is kinder than a silent surprise.
  if (comparison(token_.kind)) {
    fail(token_.at, "unexpected '" + std::string(token_.text) + "' after a comparison",
         "comparisons cannot be chained; write a < b and b < c");
    return {};
  }
  return binary(*op, std::move(lhs), std::move(rhs), op_token);
}

Parsed Parser::parse_unary(int depth) {
  if (token_.kind != Tok::kMinus && token_.kind != Tok::kPlus) return parse_pow(depth);
  const Token op = token_;
  if (!enter(depth, op) || !advance()) return {};
  Parsed operand = parse_unary(depth + 1);
  if (!operand.expr) return {};
  if (op.kind == Tok::kPlus) return operand;  // +x is x
  return unary(UnaryOp::kNeg, std::move(operand), op);
}

Parsed Parser::parse_pow(int depth) {
  Parsed base = parse_primary(depth);
  if (!base.expr || token_.kind != Tok::kCaret) return base;
  const Token op = token_;
  if (!enter(depth, op) || !advance()) return {};
  // The exponent is a unary, so 2^-1 works and 2^3^2 is 2^(3^2).
  Parsed exponent = parse_unary(depth + 1);
  if (!exponent.expr) return {};
  return binary(BinaryOp::kPow, std::move(base), std::move(exponent), op);
}

Parsed Parser::parse_primary(int depth) {
  const Token t = token_;
  switch (t.kind) {
    case Tok::kNumber:
      if (!advance()) return {};
      return {Expr::make_number(t.number, pos_of(t.at)), 1};
    case Tok::kName:
      if (!advance()) return {};
      if (token_.kind == Tok::kLParen) return parse_call(t, depth);
      return {Expr::make_name(std::string(t.text), pos_of(t.at)), 1};
    case Tok::kLParen: {
      if (!enter(depth, t) || !advance()) return {};
      Parsed inner = parse_or(depth + 1);
      if (!inner.expr) return {};
      if (token_.kind == Tok::kEnd) {
        fail(token_.at, "unclosed '(' opened at " + where_opened(t.at, token_.at),
             "add ')' to close it");
        return {};
      }
      if (token_.kind != Tok::kRParen) {
        unexpected(token_, "expected an operator or ')' to close the '(' at " +
                               where_opened(t.at, token_.at));
        return {};
      }
      if (!advance()) return {};
      return inner;
    }
    case Tok::kEnd:
      fail(t.at, "unexpected end of expression", "expected a number, a name or '('");
      return {};
    default:
      unexpected(t, "expected a number, a name or '('");
      return {};
  }
}

// name '(' [or (',' or)*] ')'; token_ is the '('. Arity is checked later,
// against the function table, where the message can quote the signature.
Parsed Parser::parse_call(const Token& name, int depth) {
  const Token open = token_;
  if (!enter(depth, open) || !advance()) return {};
  auto call = std::make_unique<Expr>();
  call->kind = ExprKind::kCall;
  call->pos = pos_of(name.at);
  call->name = std::string(name.text);
  int height = 1;
  if (token_.kind != Tok::kRParen) {
    while (true) {
      Parsed arg = parse_or(depth + 1);
      if (!arg.expr) return {};
      height = std::max(height, arg.height + 1);
      call->args.push_back(std::move(arg.expr));
      if (token_.kind == Tok::kComma) {
        if (!advance()) return {};
        continue;
      }
      if (token_.kind == Tok::kRParen) break;
      if (token_.kind == Tok::kEnd) {
        fail(token_.at, "unclosed '(' opened at " + where_opened(open.at, token_.at),
             "add ')' to close the arguments of '" + call->name + "'");
      } else {
        unexpected(token_, "expected ',' or ')' in the arguments of '" + call->name + "'");
      }
      return {};
    }
  }
  if (!within_height(height, name) || !advance()) return {};
  return {std::move(call), height};
}

// ---------------------------------------------------------------------------
// Errors

void Parser::fail(const Where& at, std::string message, std::string hint) {
  if (failed_) return;  // one diagnostic per expression: later ones would be noise
  failed_ = true;
  Diagnostic d;
  d.file = ctx_.file;
  d.pos = pos_of(at);
  d.node = ctx_.node;
  d.message = std::move(message);
  d.hint = std::move(hint);
  d.excerpt = excerpt(at);
  diags_.add(std::move(d));
}

void Parser::unexpected(const Token& t, std::string hint) {
  fail(t.at, "unexpected " + describe(t), std::move(hint));
}

std::string Parser::describe(const Token& t) {
  std::string text(t.text.substr(0, kMaxQuotedToken));
  if (t.text.size() > kMaxQuotedToken) text += "...";
  switch (t.kind) {
    case Tok::kEnd:
      return "end of expression";
    case Tok::kNumber:
      return "number '" + text + "'";
    case Tok::kName:
      return "name '" + text + "'";
    default:
      return "'" + text + "'";
  }
}

SourcePos Parser::pos_of(const Where& w) const {
  if (!ctx_.positions.empty()) return ctx_.positions[std::min(w.offset, ctx_.positions.size() - 1)];
  SourcePos p;
  p.line = ctx_.origin.line;
  if (ctx_.multiline_positions && p.line > 0) p.line += w.line_index;
  const int col_in_text = ctx_.multiline_positions ? w.line_col : w.text_col;
  if (ctx_.origin.col > 0) {
    p.col = ctx_.origin.col + col_in_text;
  } else if (ctx_.origin.line <= 0) {
    p.col = 1 + col_in_text;  // no file position: the text is its own source
  }  // else the line is known but the column is not (a block scalar): it stays 0
  return p;
}

std::string Parser::where_opened(const Where& open, const Where& here) const {
  const SourcePos o = pos_of(open);
  const SourcePos h = pos_of(here);
  std::string out;
  if (o.line > 0 && o.line != h.line) out = "line " + std::to_string(o.line) + ", ";
  if (o.col > 0) return out + "column " + std::to_string(o.col);
  // The file column is unknown; the excerpt shows the text, so count within it.
  const int col_in_text = ctx_.multiline_positions ? open.line_col : open.text_col;
  return out + "column " + std::to_string(col_in_text + 1) + " of the expression";
}

// The offending line of the text and a caret under the error. The line is
// indented to origin.col, so on the expression's first line the caret sits
// at the reported column; long lines are cut to a window around the error.
std::string Parser::excerpt(const Where& w) const {
  const std::size_t line_begin = w.line_start;
  std::size_t line_end = text_.find('\n', line_begin);
  if (line_end == std::string_view::npos) line_end = text_.size();
  if (line_end > line_begin && text_[line_end - 1] == '\r') --line_end;
  const std::size_t at = std::min(w.offset, line_end);

  std::size_t from = line_begin;
  std::size_t to = line_end;
  if (to - from > kMaxExcerptWidth) {
    if (at - from > kMaxExcerptWidth / 2) from = at - kMaxExcerptWidth / 2;
    to = std::min(line_end, from + kMaxExcerptWidth);
    while (from > line_begin && is_continuation(text_[from])) --from;
    while (to < line_end && is_continuation(text_[to])) ++to;
  }

  std::string source;
  std::string marker;
  if (from == line_begin) {
    const std::size_t indent =
        ctx_.origin.col > 1 ? static_cast<std::size_t>(ctx_.origin.col - 1) : 0;
    source.assign(indent, ' ');
    marker.assign(indent, ' ');
  } else {
    source = "...";
    marker = "   ";
  }
  for (std::size_t i = from; i < to; ++i) {
    const auto c = static_cast<unsigned char>(text_[i]);
    // Control characters would garble the terminal; the caret still points at them.
    source += (c < 0x20 && c != '\t') || c == 0x7F ? '?' : text_[i];
  }
  if (to < line_end) source += "...";
  for (std::size_t i = from; i < at; ++i) {
    if (text_[i] == '\t') {
      marker += '\t';  // a tab in the line needs a tab here to keep the caret aligned
    } else if (!is_continuation(text_[i])) {
      marker += ' ';
    }
  }
  marker += '^';
  return source + '\n' + marker;
}

}  // namespace

std::unique_ptr<Expr> parse_expression(std::string_view text, const ParseContext& ctx,
                                       Diagnostics& diags) {
  Parser parser(text, ctx, diags);
  return parser.parse();
}

}  // namespace plansim::rules
