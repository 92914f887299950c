// A YAML document as a tree that remembers where everything came from.
//
// yaml-cpp's Node API silently keeps the last of two duplicate keys, loses
// the positions of keys, and follows aliases (so an "alias bomb" expands
// exponentially). plansim reads plans through yaml-cpp's event parser into
// this small tree instead, which
//   - records line and column (1-based) of every key and value,
//   - reports duplicate keys (naming both positions),
//   - rejects anchors and aliases, and tags other than the core ones,
//   - bounds nesting depth and file size,
//   - converts parser exceptions into Diagnostics.
// The tree owns its children; it is immutable after loading.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rules/diagnostic.h"

namespace plansim::graph {

inline constexpr int kMaxYamlDepth = 64;
inline constexpr std::size_t kMaxFileBytes = 16u << 20;  // 16 MiB

enum class YamlKind { kNull, kScalar, kSequence, kMapping };

// How a scalar was written: plain (unquoted), quoted ('..' or ".."), a
// literal block (|) or a folded block (>). A plain scalar "1.5" is a number;
// a quoted one is text. A core tag decides instead where there is one:
// "!!str 1.5" counts as quoted, "!!float '1.5'" as plain.
enum class ScalarStyle { kPlain, kQuoted, kLiteral, kFolded };

struct YamlNode {
  YamlKind kind = YamlKind::kNull;
  rules::SourcePos pos;  // where the value starts (past any tag); an empty
                         // value ("periods:" ending its line) is at its key
  std::string scalar;    // kScalar: the text as YAML resolved it
  ScalarStyle style = ScalarStyle::kPlain;
  // A plain or block scalar written over several lines: the file position
  // of each byte of `scalar` (YAML folds the lines, so its text is not the
  // file's). Empty otherwise: positions are pos plus the column.
  std::vector<rules::SourcePos> char_pos;
  std::vector<std::unique_ptr<YamlNode>> items;  // kSequence
  // kMapping: keys in file order, each with the key's own position.
  struct Entry {
    std::string key;
    rules::SourcePos key_pos;
    std::unique_ptr<YamlNode> value;
  };
  std::vector<Entry> entries;

  // kMapping: the value under `key`, or nullptr.
  const YamlNode* find(std::string_view key) const;
  const Entry* find_entry(std::string_view key) const;
  bool is_scalar() const { return kind == YamlKind::kScalar; }
  bool is_map() const { return kind == YamlKind::kMapping; }
  bool is_seq() const { return kind == YamlKind::kSequence; }
  bool is_null() const { return kind == YamlKind::kNull; }
  // "a mapping", "a list", "a value", "nothing": for messages.
  const char* kind_name() const;
};

// Parses a plain scalar as a finite number. Returns nullopt for text that is
// not a number, and also for .nan, .inf and their spellings, which callers
// report as errors of their own (see is_nan_or_inf).
std::optional<double> parse_number(const YamlNode& n);
bool is_nan_or_inf(const YamlNode& n);

// Loads `text` (named `file` in diagnostics). Returns nullptr and adds
// diagnostics when the document is malformed (including an unclosed quote,
// tabs in indentation, text that is not UTF-8), empty, has several documents,
// duplicate keys, anchors or aliases, tags other than the core ones, or
// exceeds the limits above.
// Duplicate keys are reported but do not stop loading: the tree keeps the
// first occurrence so that later checks can still run.
std::unique_ptr<YamlNode> parse_yaml(std::string_view text, const std::string& file,
                                     rules::Diagnostics& diags);

// Reads the file (refusing files over kMaxFileBytes) and parses it.
std::unique_ptr<YamlNode> load_yaml_file(const std::string& path, rules::Diagnostics& diags);

}  // namespace plansim::graph
