// Loads YAML through yaml-cpp's event parser into a YamlNode tree.
//
// Three layers, each closing a hole that the one below leaves open:
//   1. checks on the raw text (size, encoding, flow nesting), because
//      yaml-cpp 0.7.0 tokenises a whole flow collection before it reports
//      its first event: 10 million '[' cost it 15 s and 2 GB before its own
//      depth guard fires, so unbounded nesting must be refused before it
//      sees the text;
//   2. TreeBuilder, an EventHandler that builds the tree iteratively (no
//      recursion of ours), remembers positions, and rejects duplicate keys,
//      anchors, aliases, unknown tags and deep nesting as the events arrive;
//   3. translation of yaml-cpp's exceptions into Diagnostics.
#include "graph/yaml_tree.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <istream>
#include <streambuf>
#include <system_error>
#include <unordered_map>

namespace plansim::graph {
namespace {

constexpr std::string_view kAnchorMessage =
    "YAML anchors and aliases are not supported (write the value out in full)";
constexpr std::string_view kTabMessage = "tabs are not allowed for indentation in YAML; use spaces";
constexpr std::string_view kCoreTagPrefix = "tag:yaml.org,2002:";
constexpr std::string_view kCoreTagsHint =
    "the tags allowed are !!str, !!int, !!float, !!bool, !!null, !!seq and !!map";
constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr std::size_t kMaxExcerptWidth = 100;

std::string depth_message() {
  return "YAML nesting is too deep: more than " + std::to_string(kMaxYamlDepth) +
         " levels of lists and mappings";
}

std::string too_large_message(const std::string& size) {
  return "the file is too large: " + size + " bytes (the limit is " +
         std::to_string(kMaxFileBytes) + " bytes, " + std::to_string(kMaxFileBytes >> 20) + " MiB)";
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Thrown from inside the event handlers to stop yaml-cpp at once (nesting too
// deep, a second document found). Never escapes this file.
struct StopParsing {};

// An input stream over a string_view, so that a 16 MiB file is not copied
// once more just to hand it to yaml-cpp.
class ViewBuffer final : public std::streambuf {
 public:
  explicit ViewBuffer(std::string_view text) {
    // streambuf wants char*; the buffer is only ever read.
    char* begin = const_cast<char*>(text.data());
    setg(begin, begin, begin + text.size());
  }
};

// The text being parsed, with a line index: converts yaml-cpp marks (0-based
// line, column in bytes) to SourcePos (1-based, column in characters, so a
// caret under it lands right after "é").
class Source {
 public:
  explicit Source(std::string_view text) : text_(text) {
    line_starts_.push_back(0);
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\n') line_starts_.push_back(i + 1);
    }
  }

  std::string_view text() const { return text_; }
  std::size_t size() const { return text_.size(); }
  char at(std::size_t offset) const { return offset < text_.size() ? text_[offset] : '\0'; }

  std::size_t offset(const YAML::Mark& m) const {
    if (m.is_null() || m.line < 0) return text_.size();
    const auto line = static_cast<std::size_t>(m.line);
    if (line >= line_starts_.size()) return text_.size();
    const std::size_t start = line_starts_[line];
    const std::size_t end = line_end(line);
    return std::min(start + static_cast<std::size_t>(std::max(m.column, 0)), end);
  }

  // Columns are counted from the last position asked for when it is on the
  // same line, so a long one-line flow list costs linear, not quadratic, time.
  rules::SourcePos pos_at(std::size_t offset) const {
    offset = std::min(offset, text_.size());
    const std::size_t line = line_of(offset);
    std::size_t from = line_starts_[line];
    int col = 1;
    if (cache_line_ == line && cache_offset_ <= offset) {
      from = cache_offset_;
      col = cache_col_;
    }
    for (std::size_t i = from; i < offset; ++i) {
      // UTF-8 continuation bytes do not start a character.
      if (!is_continuation(text_[i])) ++col;
    }
    cache_line_ = line;
    cache_offset_ = offset;
    cache_col_ = col;
    return {static_cast<int>(line) + 1, col};
  }

  rules::SourcePos pos(const YAML::Mark& m) const { return pos_at(offset(m)); }

  // The line holding `offset` and a caret under it, as rules::Parser writes
  // excerpts; a long line is cut to a window around the caret.
  std::string excerpt(std::size_t offset) const {
    offset = std::min(offset, text_.size());
    const std::size_t line = line_of(offset);
    const std::size_t begin = line_starts_[line];
    std::size_t end = line_end(line);
    if (end > begin && text_[end - 1] == '\r') --end;
    const std::size_t at = std::min(offset, end);
    std::size_t from = begin;
    std::size_t to = end;
    if (to - from > kMaxExcerptWidth) {
      if (at - from > kMaxExcerptWidth / 2) from = at - kMaxExcerptWidth / 2;
      to = std::min(end, from + kMaxExcerptWidth);
      while (from > begin && is_continuation(text_[from])) --from;
      while (to < end && is_continuation(text_[to])) ++to;
    }
    std::string source = from == begin ? "" : "...";
    std::string marker = from == begin ? "" : "   ";
    source.append(text_.substr(from, to - from));
    if (to < end) source += "...";
    for (std::size_t i = from; i < at; ++i) {
      if (text_[i] == '\t') {
        marker += '\t';  // keeps the caret aligned under a tab
      } else if (!is_continuation(text_[i])) {
        marker += ' ';
      }
    }
    return source + '\n' + marker + '^';
  }

  std::size_t line_of(std::size_t offset) const {
    const auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
    return static_cast<std::size_t>(it - line_starts_.begin()) - 1;
  }
  std::size_t line_start(std::size_t line) const { return line_starts_[line]; }
  // The offset of the line's '\n' (or the end of the text).
  std::size_t line_end(std::size_t line) const {
    return line + 1 < line_starts_.size() ? line_starts_[line + 1] - 1 : text_.size();
  }

  // yaml-cpp marks a node at its first property (!tag, &anchor) when it has
  // any; this skips them to the node's own first character.
  std::size_t skip_properties(std::size_t offset) const {
    for (int i = 0; i < 4 && (at(offset) == '!' || at(offset) == '&'); ++i) {
      while (offset < text_.size() && !is_space(text_[offset])) ++offset;
      while (offset < text_.size() && is_space(text_[offset])) ++offset;
    }
    return offset;
  }

  // The spelling of an explicit null ("~", "null", "Null", "NULL") at
  // `offset`, or empty when the null there is implicit (nothing written).
  std::string_view explicit_null_at(std::size_t offset) const {
    offset = skip_properties(offset);
    for (std::string_view word : {"~", "null", "Null", "NULL"}) {
      if (text_.substr(offset, word.size()) != word) continue;
      const char next = at(offset + word.size());
      if (next == '\0' || is_space(next) || next == ',' || next == ']' || next == '}' ||
          next == ':' || next == '#') {
        return word;
      }
    }
    return {};
  }

  // yaml-cpp 0.7.0 accepts a quoted scalar that is never closed and takes
  // the rest of the file as its text, so keys after a missing quote would
  // vanish silently. `open` is the offset of the opening quote.
  bool quote_closed(std::size_t open) const {
    const char quote = at(open);
    for (std::size_t i = open + 1; i < text_.size(); ++i) {
      const char c = text_[i];
      if (quote == '"' && c == '\\') {
        ++i;
      } else if (c == quote) {
        if (quote == '\'' && at(i + 1) == '\'') {
          ++i;  // '' is an escaped quote inside single quotes
        } else {
          return true;
        }
      }
    }
    return false;
  }

 private:
  std::string_view text_;
  std::vector<std::size_t> line_starts_;
  mutable std::size_t cache_line_ = static_cast<std::size_t>(-1);
  mutable std::size_t cache_offset_ = 0;
  mutable int cache_col_ = 1;
};

// A diagnostic at `offset` of the source, with an excerpt of its line.
void report(const Source& source, const std::string& file, rules::Diagnostics& diags,
            std::size_t offset, std::string message, std::string hint = {}) {
  rules::Diagnostic d;
  d.file = file;
  d.pos = source.pos_at(offset);
  d.message = std::move(message);
  d.hint = std::move(hint);
  d.excerpt = source.excerpt(offset);
  diags.add(std::move(d));
}

// ---- checks on the raw text ----------------------------------------------

struct TextProblem {
  std::size_t offset;
  std::string message;
  std::string hint;
};

std::string hex_byte(unsigned char c) {
  constexpr std::string_view kDigits = "0123456789ABCDEF";
  return std::string("0x") + kDigits[c >> 4] + kDigits[c & 0xF];
}

// Length of the valid UTF-8 sequence at s[i], or 0 when it is not valid
// (overlong forms, surrogates and code points past U+10FFFF are invalid).
std::size_t utf8_length(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) {
    return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u;
  };
  const unsigned c = byte(0);
  const auto cont = [&](std::size_t k) { return (byte(k) & 0xC0u) == 0x80u; };
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    if (c == 0xE0 && byte(1) < 0xA0) return 0;   // overlong
    if (c == 0xED && byte(1) >= 0xA0) return 0;  // UTF-16 surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xF0 && byte(1) < 0x90) return 0;   // overlong
    if (c == 0xF4 && byte(1) >= 0x90) return 0;  // past U+10FFFF
    return 4;
  }
  return 0;
}

// yaml-cpp passes NUL bytes and broken UTF-8 through into scalars (or
// guesses UTF-16 from NULs), so a binary file would load as nonsense.
std::optional<TextProblem> find_text_problem(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == 0) {
      return TextProblem{i, "the file contains a NUL byte: it is binary, not YAML text", {}};
    }
    if (c < 0x80) {
      if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) {
        return TextProblem{i,
                           "the file contains the control character " + hex_byte(c) +
                               ", which YAML does not allow",
                           {}};
      }
      ++i;
      continue;
    }
    const std::size_t n = utf8_length(s, i);
    if (n == 0) {
      return TextProblem{i, "the file is not valid UTF-8 text (byte " + hex_byte(c) + ")",
                         "save the file as UTF-8; if it is binary, it is not a YAML file"};
    }
    i += n;
  }
  return std::nullopt;
}

// Finds the first '[' or '{' that opens flow nesting deeper than `limit`.
// It follows YAML's rules (as yaml-cpp applies them) closely enough not to
// count a bracket inside a quoted string, a comment, a block scalar or a
// block-context plain scalar ("label: see [1", and its next lines). Where
// it must guess, it guesses towards counting: a bracket it skipped but
// yaml-cpp reads would reopen the slow path this scan exists to close,
// while a bracket counted wrongly costs only a valid file with more than
// 64 of them unclosed in such a place, which no plan has.
class FlowDepthScan {
 public:
  FlowDepthScan(std::string_view text, int limit) : s_(text), limit_(limit) {}

  std::optional<std::size_t> run() {
    while (i_ < s_.size() && !too_deep_) scan_block_line();
    if (too_deep_) return too_deep_at_;
    return std::nullopt;
  }

 private:
  char at(std::size_t k) const { return k < s_.size() ? s_[k] : '\0'; }
  bool ends_token(std::size_t k) const {
    const char c = at(k);
    return c == '\0' || is_space(c);
  }
  void skip_blanks() {
    while (i_ < s_.size() && is_blank(s_[i_])) ++i_;
  }
  void skip_to_line_end() {
    while (i_ < s_.size() && s_[i_] != '\n') ++i_;
  }

  // Moves past a quoted scalar starting at i_; false when it never closes.
  bool skip_quoted() {
    const char quote = s_[i_++];
    while (i_ < s_.size()) {
      const char c = s_[i_++];
      if (quote == '"' && c == '\\') {
        ++i_;
      } else if (c == quote) {
        if (quote == '\'' && at(i_) == '\'') {
          ++i_;
        } else {
          return true;
        }
      }
    }
    return false;
  }

  enum class PlainEnd { kLine, kColon, kComment };

  void finish_line() {
    skip_to_line_end();
    if (i_ < s_.size()) ++i_;  // the '\n'
  }

  // One line in block context, starting at its first byte.
  void scan_block_line() {
    const std::size_t start = i_;
    skip_blanks();
    const std::size_t indent = i_ - start;
    if (continuation_) {
      // A plain value goes on over blank lines and lines indented deeper
      // than its key or "- ", whatever they start with ('[' included), up
      // to a comment or ": ".
      const char c = at(i_);
      if (c == '\0' || c == '\n' || c == '\r') return finish_line();
      if (indent > *continuation_ && c != '#' && !(c == ':' && ends_token(i_ + 1))) {
        const PlainEnd end = skip_plain_scalar();
        if (end == PlainEnd::kLine) return finish_line();
        continuation_.reset();
        if (end == PlainEnd::kComment) return finish_line();
        return scan_tokens(start, std::nullopt);  // after ": " come tokens
      }
      continuation_.reset();
    }
    // A document marker may be followed by the document's value.
    const std::string_view marker = s_.substr(i_, 3);
    if (i_ == start && (marker == "---" || marker == "...") && ends_token(i_ + 3)) {
      i_ += 3;
      skip_blanks();
    }
    scan_tokens(start, std::nullopt);
  }

  // The tokens from i_ to the end of the line that starts at `start`.
  // `owner` is the column of the token that owns what follows (a key, "- ",
  // "? "): a block scalar's text and a plain value's next lines must be
  // indented deeper than it.
  void scan_tokens(std::size_t start, std::optional<std::size_t> owner) {
    while (i_ < s_.size() && s_[i_] != '\n' && !too_deep_) {
      const char c = s_[i_];
      const std::size_t col = i_ - start;
      if (c == '#') {
        skip_to_line_end();
      } else if ((c == '-' || c == '?' || c == ':') && ends_token(i_ + 1)) {
        if (c != ':') owner = col;
        ++i_;  // block indicator: a value may follow
        skip_blanks();
      } else if (c == '!' || c == '&' || c == '*') {
        while (!ends_token(i_)) ++i_;
        skip_blanks();
      } else if (c == '[' || c == '{') {
        owner = col;
        scan_flow();
        skip_blanks();
      } else if (c == '"' || c == '\'') {
        owner = col;
        if (!skip_quoted()) {
          i_ = s_.size();  // unterminated: yaml-cpp and the tree report it
          return;
        }
        skip_blanks();
      } else if (c == '|' || c == '>') {
        skip_block_scalar(owner.value_or(col));
        return;
      } else {
        const std::optional<std::size_t> value_of = owner;
        owner = col;  // in case it turns out to be a key
        if (skip_plain_scalar() == PlainEnd::kLine && value_of) continuation_ = value_of;
      }
    }
    if (i_ < s_.size()) ++i_;  // the '\n'
  }

  // A plain scalar in block context runs to ": " (then a value follows),
  // " #" (a comment) or the end of the line; brackets in it are text.
  PlainEnd skip_plain_scalar() {
    while (i_ < s_.size() && s_[i_] != '\n') {
      if (s_[i_] == ':' && ends_token(i_ + 1)) {
        ++i_;
        skip_blanks();
        return PlainEnd::kColon;
      }
      if (s_[i_] == '#' && i_ > 0 && is_blank(s_[i_ - 1])) {
        skip_to_line_end();
        return PlainEnd::kComment;
      }
      ++i_;
    }
    return PlainEnd::kLine;
  }

  // Skips a block scalar's text: the lines indented deeper than `owner` (the
  // first sets the indentation unless the header gives it, "|2") and the
  // blank lines among them. Skipping less than yaml-cpp reads as text is
  // harmless; skipping more would hide brackets from the scan, so every
  // bound here is the tightest YAML allows.
  void skip_block_scalar(std::size_t owner) {
    std::size_t content = 0;  // 0: set by the first non-blank line
    for (std::size_t k = i_ + 1; k < s_.size() && !is_space(s_[k]) && s_[k] != '#'; ++k) {
      if (s_[k] >= '1' && s_[k] <= '9') content = owner + static_cast<std::size_t>(s_[k] - '0');
    }
    skip_to_line_end();
    while (i_ < s_.size()) {
      const std::size_t line = ++i_;  // past the '\n'
      std::size_t k = line;
      while (k < s_.size() && s_[k] == ' ') ++k;
      const std::size_t indent = k - line;
      const bool blank = k >= s_.size() || s_[k] == '\n' || s_[k] == '\r';
      if (!blank) {
        if (content == 0) content = indent;
        if (indent <= owner || indent < content) {
          i_ = line;
          return;
        }
      }
      i_ = k;
      skip_to_line_end();
    }
  }

  // From an opening '[' or '{' to its matching close. Inside flow context a
  // plain scalar cannot hold brackets, so every bracket outside quotes and
  // comments counts.
  void scan_flow() {
    int depth = 0;
    while (i_ < s_.size()) {
      const char c = s_[i_];
      const char before = i_ > 0 ? s_[i_ - 1] : '\n';
      if (c == '[' || c == '{') {
        if (++depth > limit_) {
          too_deep_ = true;
          too_deep_at_ = i_;
          return;
        }
        ++i_;
      } else if (c == ']' || c == '}') {
        ++i_;
        if (--depth == 0) return;
      } else if ((c == '"' || c == '\'') &&
                 (is_space(before) || before == '[' || before == '{' || before == ',')) {
        // (After a ':' with no space yaml-cpp may read a plain scalar; then
        // counting the brackets in it is the safe mistake.)
        if (!skip_quoted()) {
          i_ = s_.size();
          return;
        }
      } else if (c == '#' && is_space(before)) {
        skip_to_line_end();
      } else {
        ++i_;
      }
    }
  }

  std::string_view s_;
  int limit_;
  std::size_t i_ = 0;
  bool too_deep_ = false;
  std::size_t too_deep_at_ = 0;
  // Set while the lines that follow may continue a plain value: the column
  // of the value's owner.
  std::optional<std::size_t> continuation_;
};

// ---- scalars ---------------------------------------------------------------

// YAML 1.2 core schema number syntax:
//   [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
// Deliberately no YAML 1.1 forms (1_000, 0x10, 0o17, 012 as octal).
bool is_number_text(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  std::size_t digits = 0;
  while (i < s.size() && is_digit(s[i])) ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    std::size_t fraction = 0;
    while (i < s.size() && is_digit(s[i])) ++i, ++fraction;
    if (digits == 0 && fraction == 0) return false;
  } else if (digits == 0) {
    return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    std::size_t exponent = 0;
    while (i < s.size() && is_digit(s[i])) ++i, ++exponent;
    if (exponent == 0) return false;
  }
  return i == s.size();
}

bool is_integer_text(std::string_view s) {
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.remove_prefix(1);
  return !s.empty() && std::all_of(s.begin(), s.end(), is_digit);
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// .nan, .NaN, -.inf, +.Inf, and also nan, inf, infinity in any case.
bool is_nan_or_inf_text(std::string_view s) {
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.remove_prefix(1);
  if (!s.empty() && s[0] == '.') s.remove_prefix(1);
  std::string word(s.size(), ' ');
  std::transform(s.begin(), s.end(), word.begin(), lower);
  return word == "nan" || word == "inf" || word == "infinity";
}

// Decimal exponent of the leading significant digit (123.4 -> 2, 0.05 -> -2,
// 1e-400 -> -400): tells an overflow from an underflow.
long decimal_magnitude(std::string_view s) {
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.remove_prefix(1);
  const std::size_t e = std::min(s.find_first_of("eE"), s.size());
  const std::string_view mantissa = s.substr(0, e);
  long exponent = 0;
  if (e < s.size()) {
    std::string_view digits = s.substr(e + 1);
    const bool negative = !digits.empty() && digits[0] == '-';
    if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) digits.remove_prefix(1);
    for (const char c : digits) exponent = std::min(exponent * 10 + (c - '0'), 100000L);
    if (negative) exponent = -exponent;
  }
  const std::size_t dot = std::min(mantissa.find('.'), mantissa.size());
  const std::size_t first = mantissa.find_first_of("123456789");
  if (first == std::string_view::npos) return LONG_MIN;
  const long lead =
      first < dot ? static_cast<long>(dot - first) - 1 : -static_cast<long>(first - dot);
  return lead + exponent;
}

std::optional<double> to_finite_double(std::string_view s) {
  if (!is_number_text(s)) return std::nullopt;
  const bool negative = s[0] == '-';
  std::string_view digits = s;
  if (digits[0] == '+') digits.remove_prefix(1);  // from_chars refuses '+'
  double value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec == std::errc::result_out_of_range) {
    // Too small to represent is zero; too large is not a number we can use.
    if (decimal_magnitude(s) < 0) return negative ? -0.0 : 0.0;
    return std::nullopt;
  }
  if (ec != std::errc() || end != digits.data() + digits.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

bool is_bool_text(std::string_view s) {
  for (std::string_view word : {"true", "True", "TRUE", "false", "False", "FALSE"}) {
    if (s == word) return true;
  }
  return false;
}

bool is_null_text(std::string_view s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

// "tag:yaml.org,2002:str" is written !!str in files.
std::string display_tag(const std::string& tag) {
  if (tag.rfind(kCoreTagPrefix, 0) == 0) return "!!" + tag.substr(kCoreTagPrefix.size());
  return tag;
}

// ---- the event handlers ----------------------------------------------------

class TreeBuilder final : public YAML::EventHandler {
 public:
  TreeBuilder(const Source& source, const std::string& file, rules::Diagnostics& diags)
      : source_(source), file_(file), diags_(diags) {}

  std::unique_ptr<YamlNode> take_root() { return std::move(root_); }
  const YamlNode* root() const { return root_.get(); }
  // The root was written as "~" or "null", not left empty.
  bool root_explicit_null() const { return root_explicit_null_; }
  std::size_t root_offset() const { return root_offset_; }
  bool failed() const { return failed_; }

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override {
    const std::size_t offset = source_.offset(mark);
    const std::string_view spelling = source_.explicit_null_at(offset);
    if (frames_.empty()) {
      root_explicit_null_ = !spelling.empty();
      root_offset_ = offset;
    }
    attach(make_node(YamlKind::kNull, offset), offset, spelling, false);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override {
    const std::size_t offset = source_.offset(mark);
    report_anchor(offset);
    // A stand-in keeps the mapping's key/value pairing intact, so the
    // rest of the file is still checked.
    attach(make_node(YamlKind::kNull, offset), offset, {}, true);
  }

  void OnAnchor(const YAML::Mark& mark, const std::string&) override {
    report_anchor(source_.offset(mark));
  }

  // Fills node.char_pos for a plain or block scalar over several lines.
  // Folding only removes or turns into spaces the line breaks and the
  // indentation, so each non-blank byte of the text is the next equal byte
  // of the file; a blank of the text sits where the file is when it comes.
  void map_characters(YamlNode& node, std::size_t offset) {
    const bool block = node.style == ScalarStyle::kLiteral || node.style == ScalarStyle::kFolded;
    if (node.style != ScalarStyle::kPlain && !block) return;
    std::size_t j = source_.skip_properties(offset);
    if (block) {  // the text starts on the line after the '|' or '>' header
      while (j < source_.size() && source_.at(j) != '\n') ++j;
      ++j;
    }
    const std::string& text = node.scalar;
    if (!block && text.find_first_of("\n") == std::string::npos &&
        source_.text().substr(j, text.size()) == text)
      return;  // one line, as written: pos and the column suffice
    std::vector<rules::SourcePos> at;
    at.reserve(text.size());
    for (const char c : text) {
      if (c == ' ' || c == '\t' || c == '\n') {
        at.push_back(source_.pos_at(j));
        if (j < source_.size() && (source_.at(j) == c || source_.at(j) == '\n')) ++j;
        continue;
      }
      while (j < source_.size() && source_.at(j) != c) ++j;
      if (j >= source_.size()) return;  // not found as expected: keep the plain positions
      at.push_back(source_.pos_at(j++));
    }
    node.char_pos = std::move(at);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t,
                const std::string& value) override {
    const std::size_t offset = source_.offset(mark);
    auto node = make_node(YamlKind::kScalar, offset);
    node->scalar = value;
    // yaml-cpp tags a plain scalar "?" and every other scalar "!" (or its
    // explicit tag); the first character of the text tells the rest apart.
    if (tag == "?") {
      node->style = ScalarStyle::kPlain;
    } else {
      const std::size_t content = source_.skip_properties(offset);
      switch (source_.at(content)) {
        case '"':
        case '\'':
          node->style = ScalarStyle::kQuoted;
          if (!source_.quote_closed(content)) {
            error(content,
                  std::string("unterminated quoted string: the closing ") + source_.at(content) +
                      " is missing",
                  "without it, the rest of the file is read as part of the string");
          }
          break;
        case '|':
          node->style = ScalarStyle::kLiteral;
          break;
        case '>':
          node->style = ScalarStyle::kFolded;
          break;
        default:
          // "! 12" or "!!str 12": the tag makes a plain-looking scalar text.
          node->style = ScalarStyle::kQuoted;
          break;
      }
      apply_scalar_tag(*node, tag, offset);
    }
    map_characters(*node, offset);
    attach(std::move(node), offset, {}, false);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    open(YamlKind::kSequence, mark, tag);
  }
  void OnSequenceEnd() override { close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    open(YamlKind::kMapping, mark, tag);
  }
  void OnMapEnd() override { close(); }

 private:
  // An open collection. For a mapping, events alternate key, value; the key
  // waits here until its value arrives.
  struct Frame {
    std::unique_ptr<YamlNode> node;
    std::size_t offset = 0;
    bool want_key = true;
    bool key_usable = false;  // false: a bad or duplicate key; drop its value
    std::string key;
    rules::SourcePos key_pos;
    std::unordered_map<std::string, std::size_t> index;  // key -> entry
  };

  void error(std::size_t offset, std::string message, std::string hint = {}) {
    failed_ = true;
    report(source_, file_, diags_, offset, std::move(message), std::move(hint));
  }

  // A node positioned at its content: past any tag or anchor, so that the
  // position of a quoted scalar is its opening quote.
  std::unique_ptr<YamlNode> make_node(YamlKind kind, std::size_t offset) const {
    auto node = std::make_unique<YamlNode>();
    node->kind = kind;
    node->pos = source_.pos_at(source_.skip_properties(offset));
    return node;
  }

  void report_anchor(std::size_t offset) {
    failed_ = true;
    // One report is enough: an alias bomb has thousands of them.
    if (anchor_reported_) return;
    anchor_reported_ = true;
    error(offset, std::string(kAnchorMessage));
  }

  void open(YamlKind kind, const YAML::Mark& mark, const std::string& tag) {
    const std::size_t offset = source_.offset(mark);
    if (frames_.size() >= static_cast<std::size_t>(kMaxYamlDepth)) {
      error(offset, depth_message());
      throw StopParsing{};
    }
    check_collection_tag(kind, tag, offset);
    Frame frame;
    frame.node = make_node(kind, offset);
    frame.offset = offset;
    frames_.push_back(std::move(frame));
  }

  void close() {
    std::unique_ptr<YamlNode> node = std::move(frames_.back().node);
    const std::size_t offset = frames_.back().offset;
    frames_.pop_back();
    attach(std::move(node), offset, {}, false);
  }

  // `null_spelling`: for a null, how it was written ("" when left empty).
  void attach(std::unique_ptr<YamlNode> node, std::size_t offset, std::string_view null_spelling,
              bool alias) {
    if (frames_.empty()) {
      if (!root_) root_ = std::move(node);
      return;
    }
    Frame& top = frames_.back();
    if (top.node->kind == YamlKind::kSequence) {
      top.node->items.push_back(std::move(node));
    } else if (top.want_key) {
      take_key(top, *node, offset, null_spelling, alias);
    } else {
      take_value(top, std::move(node), null_spelling);
    }
  }

  void take_key(Frame& top, const YamlNode& key, std::size_t offset, std::string_view null_spelling,
                bool alias) {
    top.want_key = false;
    top.key_usable = false;
    top.key_pos = key.pos;
    if (alias) return;  // already reported
    if (key.is_scalar()) {
      top.key = key.scalar;
    } else if (key.is_null() && !null_spelling.empty()) {
      // "null: 1" names a key "null"; YAML would make it a null key.
      top.key = std::string(null_spelling);
    } else if (key.is_null()) {
      error(offset, "a mapping key is missing before ':'");
      return;
    } else {
      error(offset, std::string("a mapping key must be a single value, not ") + key.kind_name());
      return;
    }
    const auto [it, inserted] = top.index.try_emplace(top.key, top.node->entries.size());
    if (!inserted) {
      const rules::SourcePos first = top.node->entries[it->second].key_pos;
      std::string where = "line " + std::to_string(first.line);
      if (first.line == key.pos.line) where += ", column " + std::to_string(first.col);
      // Not fatal: the first occurrence is kept so later checks still run.
      report(source_, file_, diags_, source_.skip_properties(offset),
             "duplicate key '" + top.key + "' (first defined at " + where + ")",
             "a key may appear only once in a mapping; delete or rename one of them");
      return;
    }
    top.key_usable = true;
  }

  void take_value(Frame& top, std::unique_ptr<YamlNode> value, std::string_view null_spelling) {
    top.want_key = true;
    if (!top.key_usable) return;
    // yaml-cpp places an empty value ("periods:" then a newline) at the next
    // token, often the next key; the key's own line is where to point.
    if (value->is_null() && null_spelling.empty() && value->pos.line != top.key_pos.line) {
      value->pos = top.key_pos;
    }
    top.node->entries.push_back({std::move(top.key), top.key_pos, std::move(value)});
  }

  void apply_scalar_tag(YamlNode& node, const std::string& tag, std::size_t offset) {
    if (tag == "!") return;
    const std::string shown = display_tag(tag);
    if (tag.rfind(kCoreTagPrefix, 0) != 0) {
      error(offset, "unsupported YAML tag '" + shown + "'", std::string(kCoreTagsHint));
      return;
    }
    const std::string name = tag.substr(kCoreTagPrefix.size());
    const auto mismatch = [&] {
      error(offset, "the value '" + node.scalar + "' does not match its tag " + shown);
    };
    if (name == "str") {
      if (node.style == ScalarStyle::kPlain) node.style = ScalarStyle::kQuoted;
    } else if (name == "int") {
      if (!is_integer_text(node.scalar)) return mismatch();
      node.style = ScalarStyle::kPlain;
    } else if (name == "float") {
      if (!is_number_text(node.scalar) && !is_nan_or_inf_text(node.scalar)) return mismatch();
      node.style = ScalarStyle::kPlain;
    } else if (name == "bool") {
      if (!is_bool_text(node.scalar)) return mismatch();
      node.style = ScalarStyle::kPlain;
    } else if (name == "null") {
      if (!is_null_text(node.scalar)) return mismatch();
      node.kind = YamlKind::kNull;
      node.scalar.clear();
      node.style = ScalarStyle::kPlain;
    } else if (name == "seq" || name == "map") {
      error(offset, "the tag " + shown + " does not fit a single value");
    } else {
      error(offset, "unsupported YAML tag '" + shown + "'", std::string(kCoreTagsHint));
    }
  }

  void check_collection_tag(YamlKind kind, const std::string& tag, std::size_t offset) {
    if (tag == "?" || tag == "!" || tag.empty()) return;
    const std::string shown = display_tag(tag);
    const bool map = kind == YamlKind::kMapping;
    if (tag == std::string(kCoreTagPrefix) + (map ? "map" : "seq")) return;
    if (tag.rfind(kCoreTagPrefix, 0) == 0) {
      const std::string name = tag.substr(kCoreTagPrefix.size());
      if (name == "str" || name == "int" || name == "float" || name == "bool" || name == "null" ||
          name == "seq" || name == "map") {
        error(offset, "the tag " + shown + " does not fit " + (map ? "a mapping" : "a list"));
        return;
      }
    }
    error(offset, "unsupported YAML tag '" + shown + "'", std::string(kCoreTagsHint));
  }

  const Source& source_;
  const std::string& file_;
  rules::Diagnostics& diags_;
  std::vector<Frame> frames_;
  std::unique_ptr<YamlNode> root_;
  bool root_explicit_null_ = false;
  std::size_t root_offset_ = 0;
  bool failed_ = false;
  bool anchor_reported_ = false;
};

// yaml-cpp 0.7.0 answers a token it cannot place at the top level (a stray
// ',' for one) with an empty document that does not consume the token, and
// then with another, forever. An empty top-level node whose position holds
// something other than the end, a comment or a document marker is that case.
bool stuck_at(const Source& source, std::size_t offset) {
  const std::string_view text = source.text();
  offset = source.skip_properties(offset);
  while (offset < text.size()) {
    if (is_space(text[offset])) {
      ++offset;
    } else if (text[offset] == '#') {
      while (offset < text.size() && text[offset] != '\n') ++offset;
    } else {
      break;
    }
  }
  if (offset >= text.size()) return false;
  const std::string_view rest = text.substr(offset);
  return rest.substr(0, 3) != "---" && rest.substr(0, 3) != "..." && rest[0] != '%';
}

// The first character at `offset`, for "unexpected 'x'".
std::string character_at(const Source& source, std::size_t offset) {
  std::size_t end = offset + 1;
  while (end < source.size() && is_continuation(source.at(end))) ++end;
  return std::string(source.text().substr(offset, end - offset));
}

// Listens to the documents after the first and stops at the first one with
// content. Empty documents (a trailing "---") are harmless.
class ExtraDocumentProbe final : public YAML::EventHandler {
 public:
  enum class Found { kNothing, kContent, kStuck };

  explicit ExtraDocumentProbe(const Source& source) : source_(source) {}

  Found found() const { return found_; }
  std::size_t document() const { return document_; }  // where that document starts
  std::size_t at() const { return at_; }              // its content, or the stuck token

  void OnDocumentStart(const YAML::Mark& mark) override {
    const std::size_t offset = source_.offset(mark);
    // A document that starts where the last one did would repeat forever.
    if (started_ && offset <= document_) stop(Found::kStuck, offset);
    started_ = true;
    document_ = offset;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override {
    const std::size_t offset = source_.offset(mark);
    if (stuck_at(source_, offset)) stop(Found::kStuck, offset);
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { content(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                const std::string&) override {
    content(mark);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    content(mark);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    content(mark);
  }
  void OnMapEnd() override {}

 private:
  void content(const YAML::Mark& mark) { stop(Found::kContent, source_.offset(mark)); }
  [[noreturn]] void stop(Found found, std::size_t offset) {
    found_ = found;
    at_ = offset;
    throw StopParsing{};
  }

  const Source& source_;
  Found found_ = Found::kNothing;
  bool started_ = false;
  std::size_t document_ = 0;
  std::size_t at_ = 0;
};

// The offset of a tab in the line's indentation (including the blanks after
// block indicators such as "- "), if there is one.
std::optional<std::size_t> tab_in_indentation(const Source& source, std::size_t line) {
  const std::string_view text = source.text();
  const std::size_t end = source.line_end(line);
  for (std::size_t i = source.line_start(line); i < end; ++i) {
    const char c = text[i];
    if (c == '\t') return i;
    if (c == ' ') continue;
    const bool indicator =
        (c == '-' || c == '?' || c == ':') && i + 1 < end && is_blank(text[i + 1]);
    if (!indicator) break;
  }
  return std::nullopt;
}

std::string parser_hint(const std::string& msg) {
  using namespace YAML::ErrorMsg;
  if (msg == END_OF_MAP || msg == END_OF_SEQ || msg == BLOCK_ENTRY || msg == MAP_KEY) {
    return "check the indentation of this line and the ones above it";
  }
  if (msg == MAP_VALUE) {
    return "check the indentation; a value that contains ': ' must be quoted";
  }
  if (msg == END_OF_SEQ_FLOW) return "a '[' is missing its closing ']'";
  if (msg == END_OF_MAP_FLOW) return "a '{' is missing its closing '}'";
  if (msg == FLOW_END) return "a ']' or '}' has no matching '[' or '{'";
  if (msg.rfind(INVALID_ESCAPE, 0) == 0) {
    return "in double quotes a backslash starts an escape; write \\\\ for a backslash, "
           "or use single quotes";
  }
  return {};
}

// The offset of the '[' or '{' (`open`) still unclosed at `end`, found by
// scanning the text before it the way YAML reads flow collections: in block
// context a bracket opens one only where a value starts (after ": ", "- ",
// "? " or at the start of a line), inside one every bracket counts; quoted
// scalars and comments are skipped. yaml-cpp reports an unclosed bracket
// where it gave up, often lines later; this is where the mistake is.
std::optional<std::size_t> unclosed_flow_opening(std::string_view text, std::size_t end, char open) {
  std::vector<std::size_t> stack;
  char last = '\n';  // the last character that was not a blank
  for (std::size_t i = 0; i < end && i < text.size(); ++i) {
    const char c = text[i];
    if (c == ' ' || c == '\t') continue;
    const bool value_starts = last == '\n' || last == ':' || last == '-' || last == '?' || last == '[' ||
                              last == '{' || last == ',';
    if (c == '#' && (i == 0 || text[i - 1] == ' ' || text[i - 1] == '\t' || text[i - 1] == '\n')) {
      while (i < end && text[i] != '\n') ++i;
      last = '\n';
      continue;
    }
    if ((c == '\'' || c == '"') && value_starts) {
      // To the closing quote: "..." escapes with a backslash, '...' by doubling.
      for (++i; i < end; ++i) {
        if (c == '"' && text[i] == '\\') {
          ++i;
        } else if (text[i] == c) {
          if (c == '\'' && i + 1 < end && text[i + 1] == '\'') {
            ++i;
            continue;
          }
          break;
        }
      }
      last = c;
      continue;
    }
    if ((c == '[' || c == '{') && (!stack.empty() || value_starts)) stack.push_back(i);
    else if ((c == ']' || c == '}') && !stack.empty()) stack.pop_back();
    last = c;
  }
  for (auto it = stack.rbegin(); it != stack.rend(); ++it)
    if (text[*it] == open) return *it;
  return std::nullopt;
}

void report_parser_error(const YAML::ParserException& e, const Source& source,
                         const std::string& file, rules::Diagnostics& diags) {
  const std::size_t offset = source.offset(e.mark);
  if (e.msg == YAML::ErrorMsg::END_OF_SEQ_FLOW || e.msg == YAML::ErrorMsg::END_OF_MAP_FLOW) {
    const char open = e.msg == YAML::ErrorMsg::END_OF_SEQ_FLOW ? '[' : '{';
    if (const auto at = unclosed_flow_opening(source.text(), offset, open)) {
      report(source, file, diags, *at, "malformed YAML: " + e.msg, parser_hint(e.msg));
      return;
    }
  }
  if (e.msg == YAML::ErrorMsg::UNKNOWN_ANCHOR) {
    report(source, file, diags, offset, std::string(kAnchorMessage));
    return;
  }
  if (dynamic_cast<const YAML::DeepRecursion*>(&e) != nullptr) {
    report(source, file, diags, offset, depth_message());
    return;
  }
  // yaml-cpp reports a tab in the indentation under several names ("illegal
  // map value", "illegal tab when looking for indentation", ...).
  if (const auto tab = tab_in_indentation(source, source.line_of(offset))) {
    report(source, file, diags, *tab, std::string(kTabMessage));
    return;
  }
  report(source, file, diags, offset, "malformed YAML: " + e.msg, parser_hint(e.msg));
}

}  // namespace

// ---- YamlNode --------------------------------------------------------------

const YamlNode::Entry* YamlNode::find_entry(std::string_view key) const {
  if (kind != YamlKind::kMapping) return nullptr;
  for (const Entry& e : entries) {
    if (e.key == key) return &e;
  }
  return nullptr;
}

const YamlNode* YamlNode::find(std::string_view key) const {
  const Entry* e = find_entry(key);
  return e != nullptr ? e->value.get() : nullptr;
}

const char* YamlNode::kind_name() const {
  switch (kind) {
    case YamlKind::kMapping:
      return "a mapping";
    case YamlKind::kSequence:
      return "a list";
    case YamlKind::kScalar:
      return "a value";
    case YamlKind::kNull:
      return "nothing";
  }
  return "nothing";
}

std::optional<double> parse_number(const YamlNode& n) {
  if (n.kind != YamlKind::kScalar || n.style != ScalarStyle::kPlain) return std::nullopt;
  return to_finite_double(n.scalar);
}

bool is_nan_or_inf(const YamlNode& n) {
  return n.kind == YamlKind::kScalar && n.style == ScalarStyle::kPlain &&
         is_nan_or_inf_text(n.scalar);
}

// ---- loading ---------------------------------------------------------------

std::unique_ptr<YamlNode> parse_yaml(std::string_view text, const std::string& file,
                                     rules::Diagnostics& diags) {
  if (text.size() > kMaxFileBytes) {
    diags.error(file, {}, {}, too_large_message(std::to_string(text.size())));
    return nullptr;
  }
  // yaml-cpp skips a byte order mark without counting it; so do we, so that
  // offsets agree.
  if (text.substr(0, kUtf8Bom.size()) == kUtf8Bom) text.remove_prefix(kUtf8Bom.size());
  const Source source(text);

  if (const auto problem = find_text_problem(text)) {
    diags.error(file, source.pos_at(problem->offset), {}, problem->message, problem->hint);
    return nullptr;
  }
  if (const auto deep = FlowDepthScan(text, kMaxYamlDepth).run()) {
    report(source, file, diags, *deep, depth_message());
    return nullptr;
  }

  ViewBuffer buffer(text);
  std::istream in(&buffer);
  TreeBuilder builder(source, file, diags);
  try {
    YAML::Parser parser(in);
    if (!parser.HandleNextDocument(builder)) {
      diags.error(file, {}, {}, "the file is empty");
      return nullptr;
    }
    const YamlNode* root = builder.root();
    // (After an error, e.g. an alias as the whole document, the root says nothing.)
    const bool empty_root = !builder.failed() &&
                            (root == nullptr || (root->is_null() && !builder.root_explicit_null()));
    if (empty_root && root != nullptr && stuck_at(source, builder.root_offset())) {
      const std::size_t at = source.skip_properties(builder.root_offset());
      report(source, file, diags, at,
             "malformed YAML: unexpected '" + character_at(source, at) + "'");
      return nullptr;
    }
    ExtraDocumentProbe probe(source);
    try {
      while (parser.HandleNextDocument(probe)) {
      }
    } catch (const StopParsing&) {
    }
    if (probe.found() == ExtraDocumentProbe::Found::kStuck) {
      report(source, file, diags, probe.at(),
             "malformed YAML: unexpected '" + character_at(source, probe.at()) + "'");
      return nullptr;
    }
    if (probe.found() == ExtraDocumentProbe::Found::kContent) {
      if (text.substr(probe.document(), 3) == "---") {
        report(source, file, diags, probe.document(),
               "the file holds more than one YAML document (a second one starts here)",
               "keep one document per file");
      } else {
        report(source, file, diags, probe.at(),
               "malformed YAML: a second top-level value starts here",
               "a file holds one top-level value; check the indentation of this line");
      }
      return nullptr;
    }
    if (empty_root) {
      // Only comments, or a lone "---".
      diags.error(file, {}, {}, "the file is empty");
      return nullptr;
    }
  } catch (const StopParsing&) {
    return nullptr;  // already reported
  } catch (const YAML::ParserException& e) {
    report_parser_error(e, source, file, diags);
    return nullptr;
  } catch (const YAML::Exception& e) {
    if (e.mark.is_null()) {
      diags.error(file, {}, {}, "malformed YAML: " + e.msg);
    } else {
      report(source, file, diags, source.offset(e.mark), "malformed YAML: " + e.msg);
    }
    return nullptr;
  }
  if (builder.failed()) return nullptr;
  return builder.take_root();
}

std::unique_ptr<YamlNode> load_yaml_file(const std::string& path, rules::Diagnostics& diags) {
  namespace fs = std::filesystem;
  const auto cannot_read = [&](const std::string& reason) {
    diags.error(path, {}, {}, "cannot read file: " + reason);
    return nullptr;
  };
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (ec) return cannot_read(ec.message());
  if (fs::is_directory(status)) return cannot_read("it is a directory");
  // Refuse before reading: a huge file must not be loaded into memory first.
  if (fs::is_regular_file(status)) {
    const std::uintmax_t size = fs::file_size(path, ec);
    if (ec) return cannot_read(ec.message());
    if (size > kMaxFileBytes) {
      diags.error(path, {}, {}, too_large_message(std::to_string(size)));
      return nullptr;
    }
  }
  using File = std::unique_ptr<std::FILE, int (*)(std::FILE*)>;
  const File file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) return cannot_read(std::generic_category().message(errno));

  // Not a regular file (a pipe, a device): its size is known only by
  // reading, so read no more than one byte past the limit.
  std::string text;
  std::array<char, 1 << 16> chunk{};
  while (text.size() <= kMaxFileBytes) {
    const std::size_t n = std::fread(chunk.data(), 1, chunk.size(), file.get());
    text.append(chunk.data(), n);
    if (n < chunk.size()) break;
  }
  if (std::ferror(file.get()) != 0) return cannot_read(std::generic_category().message(errno));
  if (text.size() > kMaxFileBytes) {
    diags.error(path, {}, {}, too_large_message("more than " + std::to_string(kMaxFileBytes)));
    return nullptr;
  }
  return parse_yaml(text, path, diags);
}

}  // namespace plansim::graph
