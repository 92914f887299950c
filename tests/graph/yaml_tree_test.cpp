#include "graph/yaml_tree.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

namespace plansim::graph {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

struct Loaded {
  std::unique_ptr<YamlNode> root;
  rules::Diagnostics diags;
};

Loaded load(std::string_view text) {
  Loaded l;
  l.root = parse_yaml(text, "plan.yaml", l.diags);
  return l;
}

// The one diagnostic a load produced (fails the test if there are others).
rules::Diagnostic only(const Loaded& l) {
  EXPECT_EQ(l.diags.size(), 1u) << l.diags.to_string();
  if (l.diags.size() == 0) return {};
  return l.diags.list()[0];
}

void expect_pos(const rules::SourcePos& pos, int line, int col) {
  EXPECT_EQ(pos.line, line);
  EXPECT_EQ(pos.col, col);
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string repeat(std::string_view s, std::size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

// A folder under the test temp dir, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::path(::testing::TempDir()) /
            ("plansim_yaml_" + std::string(info->name()) + "_" + std::to_string(::getpid()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name, std::string_view content) const {
    const std::string p = (path_ / name).string();
    std::ofstream out(p, std::ios::binary);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    return p;
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// ---- tree and positions ------------------------------------------------------

TEST(YamlTree, RecordsOneBasedPositionsOfKeysAndValues) {
  const Loaded l = load(
      "plan: Test\n"
      "horizon:\n"
      "  start: 2003-04\n"
      "  periods: 4\n"
      "list:\n"
      "  - a\n"
      "  - {x: 1, y: [2, 3]}\n");
  ASSERT_TRUE(l.root) << l.diags.to_string();
  EXPECT_TRUE(l.diags.ok());
  ASSERT_TRUE(l.root->is_map());
  expect_pos(l.root->pos, 1, 1);
  ASSERT_EQ(l.root->entries.size(), 3u);
  EXPECT_EQ(l.root->entries[0].key, "plan");
  expect_pos(l.root->entries[0].key_pos, 1, 1);
  expect_pos(l.root->entries[0].value->pos, 1, 7);

  const YamlNode::Entry* horizon = l.root->find_entry("horizon");
  ASSERT_NE(horizon, nullptr);
  expect_pos(horizon->key_pos, 2, 1);
  ASSERT_TRUE(horizon->value->is_map());
  expect_pos(horizon->value->pos, 3, 3);
  const YamlNode::Entry* periods = horizon->value->find_entry("periods");
  ASSERT_NE(periods, nullptr);
  expect_pos(periods->key_pos, 4, 3);
  expect_pos(periods->value->pos, 4, 12);
  EXPECT_EQ(periods->value->scalar, "4");

  const YamlNode* list = l.root->find("list");
  ASSERT_TRUE(list && list->is_seq());
  ASSERT_EQ(list->items.size(), 2u);
  expect_pos(list->items[0]->pos, 6, 5);
  const YamlNode& flow = *list->items[1];
  ASSERT_TRUE(flow.is_map());
  expect_pos(flow.pos, 7, 5);
  expect_pos(flow.entries[1].key_pos, 7, 12);
  const YamlNode& inner = *flow.entries[1].value;
  ASSERT_TRUE(inner.is_seq());
  expect_pos(inner.pos, 7, 15);
  expect_pos(inner.items[1]->pos, 7, 19);
  EXPECT_EQ(inner.items[1]->scalar, "3");
}

TEST(YamlTree, KeepsKeysInFileOrder) {
  const Loaded l = load("zeta: 1\nalpha: 2\nmid: 3\n");
  ASSERT_TRUE(l.root);
  std::vector<std::string> keys;
  for (const auto& e : l.root->entries) keys.push_back(e.key);
  EXPECT_THAT(keys, ::testing::ElementsAre("zeta", "alpha", "mid"));
}

TEST(YamlTree, CountsColumnsInCharactersNotBytes) {
  // "é" is two bytes; the column of what follows counts it once.
  const Loaded l = load("label: é, x\nnext: [é, ü]\n");
  ASSERT_TRUE(l.root) << l.diags.to_string();
  const YamlNode* next = l.root->find("next");
  ASSERT_TRUE(next && next->is_seq());
  expect_pos(next->items[1]->pos, 2, 11);
}

TEST(YamlTree, IgnoresAByteOrderMark) {
  const Loaded l = load(
      "\xEF\xBB\xBF"
      "a: 1\nb: x\n");
  ASSERT_TRUE(l.root) << l.diags.to_string();
  ASSERT_EQ(l.root->entries.size(), 2u);
  EXPECT_EQ(l.root->entries[0].key, "a");
  expect_pos(l.root->entries[0].value->pos, 1, 4);
  expect_pos(l.root->entries[1].value->pos, 2, 4);
}

TEST(YamlTree, HandlesWindowsLineEnds) {
  const Loaded l = load("a: 1\r\nb: two words\r\n");
  ASSERT_TRUE(l.root) << l.diags.to_string();
  EXPECT_EQ(l.root->find("b")->scalar, "two words");
  expect_pos(l.root->find_entry("b")->key_pos, 2, 1);
}

TEST(YamlTree, RecordsScalarStyles) {
  const Loaded l = load(
      "plain: 1.5\n"
      "double: \"1.5\"\n"
      "single: 'it''s'\n"
      "literal: |\n"
      "  line one\n"
      "  line two\n"
      "folded: >-\n"
      "  folded\n"
      "  text\n");
  ASSERT_TRUE(l.root) << l.diags.to_string();
  EXPECT_EQ(l.root->find("plain")->style, ScalarStyle::kPlain);
  EXPECT_EQ(l.root->find("double")->style, ScalarStyle::kQuoted);
  EXPECT_EQ(l.root->find("double")->scalar, "1.5");
  expect_pos(l.root->find("double")->pos, 2, 9);
  EXPECT_EQ(l.root->find("single")->style, ScalarStyle::kQuoted);
  EXPECT_EQ(l.root->find("single")->scalar, "it's");
  EXPECT_EQ(l.root->find("literal")->style, ScalarStyle::kLiteral);
  EXPECT_EQ(l.root->find("literal")->scalar, "line one\nline two\n");
  EXPECT_EQ(l.root->find("folded")->style, ScalarStyle::kFolded);
  EXPECT_EQ(l.root->find("folded")->scalar, "folded text");
}

TEST(YamlTree, NullsAreNullNodes) {
  const Loaded l = load("a: ~\nb: null\nc:\nd: NULL\ne: ''\nf: 'null'\n");
  ASSERT_TRUE(l.root) << l.diags.to_string();
  for (const char* key : {"a", "b", "c", "d"}) {
    ASSERT_NE(l.root->find(key), nullptr) << key;
    EXPECT_TRUE(l.root->find(key)->is_null()) << key;
  }
  EXPECT_TRUE(l.root->find("e")->is_scalar());
  EXPECT_EQ(l.root->find("e")->scalar, "");
  EXPECT_TRUE(l.root->find("f")->is_scalar());
  EXPECT_EQ(l.root->find("f")->scalar, "null");
  expect_pos(l.root->find("a")->pos, 1, 4);
}

TEST(YamlTree, AnEmptyValueIsPlacedAtItsKey) {
  // yaml-cpp would place it at the next key, on the next line.
  const Loaded l = load("horizon:\n  periods:\n  step: quarter\n");
  ASSERT_TRUE(l.root) << l.diags.to_string();
  const YamlNode* periods = l.root->find("horizon")->find("periods");
  ASSERT_TRUE(periods && periods->is_null());
  expect_pos(periods->pos, 2, 3);
}

TEST(YamlTree, AKeyWrittenNullIsTheTextNull) {
  const Loaded l = load("null: 1\n~: 2\n");
  ASSERT_TRUE(l.root) << l.diags.to_string();
  EXPECT_EQ(l.root->find("null")->scalar, "1");
  EXPECT_EQ(l.root->find("~")->scalar, "2");
}

TEST(YamlTree, ReturnsATopLevelValueThatIsNotAMapping) {
  // Whether the top level must be a mapping is the plan loader's business.
  Loaded l = load("- 1\n- 2\n");
  ASSERT_TRUE(l.root);
  EXPECT_TRUE(l.root->is_seq());
  l = load("just text\n");
  ASSERT_TRUE(l.root);
  EXPECT_TRUE(l.root->is_scalar());
  l = load("~\n");
  ASSERT_TRUE(l.root) << l.diags.to_string();
  EXPECT_TRUE(l.root->is_null());
}

TEST(YamlTree, FindAndKindName) {
  const Loaded l = load("m: {a: 1}\ns: [1]\nv: x\nn:\n");
  ASSERT_TRUE(l.root);
  EXPECT_EQ(l.root->find("missing"), nullptr);
  EXPECT_EQ(l.root->find_entry("missing"), nullptr);
  EXPECT_EQ(l.root->find("s")->find("a"), nullptr);  // not a mapping
  EXPECT_STREQ(l.root->find("m")->kind_name(), "a mapping");
  EXPECT_STREQ(l.root->find("s")->kind_name(), "a list");
  EXPECT_STREQ(l.root->find("v")->kind_name(), "a value");
  EXPECT_STREQ(l.root->find("n")->kind_name(), "nothing");
  EXPECT_TRUE(l.root->find("m")->is_map());
  EXPECT_TRUE(l.root->find("s")->is_seq());
  EXPECT_TRUE(l.root->find("v")->is_scalar());
  EXPECT_TRUE(l.root->find("n")->is_null());
}

// ---- duplicate and bad keys --------------------------------------------------

TEST(YamlTree, DuplicateKeyIsReportedAtTheSecondAndTheFirstIsKept) {
  const Loaded l = load(
      "settings:\n"
      "  seed: 1\n"
      "  samples: 1000\n"
      "  confidence: 0.8\n"
      "  samples: 5\n");
  // Loading goes on so that later checks still run.
  ASSERT_TRUE(l.root);
  const rules::Diagnostic d = only(l);
  EXPECT_EQ(d.message, "duplicate key 'samples' (first defined at line 3)");
  EXPECT_EQ(d.file, "plan.yaml");
  expect_pos(d.pos, 5, 3);
  EXPECT_EQ(d.excerpt, "  samples: 5\n  ^");
  const YamlNode* settings = l.root->find("settings");
  ASSERT_EQ(settings->entries.size(), 3u);
  EXPECT_EQ(settings->find("samples")->scalar, "1000");
  EXPECT_EQ(settings->entries[2].key, "confidence");
}

TEST(YamlTree, EveryDuplicateIsReported) {
  const Loaded l = load("a: 1\nb: 2\na: 3\nb: 4\n{x: 1}: 5\n");
  ASSERT_GE(l.diags.size(), 2u);
  EXPECT_EQ(l.diags.list()[0].message, "duplicate key 'a' (first defined at line 1)");
  EXPECT_EQ(l.diags.list()[1].message, "duplicate key 'b' (first defined at line 2)");
}

TEST(YamlTree, DuplicateKeyOnOneLineNamesTheColumn) {
  const Loaded l = load("rag: {green: 0.8, green: 0.5}\n");
  ASSERT_TRUE(l.root);
  const rules::Diagnostic d = only(l);
  EXPECT_EQ(d.message, "duplicate key 'green' (first defined at line 1, column 7)");
  expect_pos(d.pos, 1, 19);
  EXPECT_EQ(l.root->find("rag")->find("green")->scalar, "0.8");
}

TEST(YamlTree, QuotedAndPlainSpellingsOfAKeyAreDuplicates) {
  const Loaded l = load("a: 1\n\"a\": 2\n");
  EXPECT_EQ(only(l).message, "duplicate key 'a' (first defined at line 1)");
}

TEST(YamlTree, KeysMustBeSingleValues) {
  Loaded l = load("[a, b]: 1\n");
  EXPECT_EQ(l.root, nullptr);
  rules::Diagnostic d = only(l);
  EXPECT_EQ(d.message, "a mapping key must be a single value, not a list");
  expect_pos(d.pos, 1, 1);

  l = load("x: 1\n{a: b}: 2\n");
  EXPECT_EQ(l.root, nullptr);
  d = only(l);
  EXPECT_EQ(d.message, "a mapping key must be a single value, not a mapping");
  expect_pos(d.pos, 2, 1);
}

TEST(YamlTree, AMissingKeyIsAnError) {
  const Loaded l = load("a: 1\n: 2\n");
  EXPECT_EQ(l.root, nullptr);
  const rules::Diagnostic d = only(l);
  EXPECT_EQ(d.message, "a mapping key is missing before ':'");
  expect_pos(d.pos, 2, 1);
}

// ---- anchors, aliases, tags ------------------------------------------------

TEST(YamlTree, AnchorsAreRejected) {
  const Loaded l = load("base: &b 1\nother: 2\n");
  EXPECT_EQ(l.root, nullptr);
  const rules::Diagnostic d = only(l);
  EXPECT_EQ(d.message, "YAML anchors and aliases are not supported (write the value out in full)");
  expect_pos(d.pos, 1, 7);
}

TEST(YamlTree, AnAliasToAnUnknownAnchorGetsTheSameMessage) {
  const Loaded l = load("a: 1\nb: *nowhere\n");
  EXPECT_EQ(l.root, nullptr);
  const rules::Diagnostic d = only(l);
  EXPECT_EQ(d.message, "YAML anchors and aliases are not supported (write the value out in full)");
  expect_pos(d.pos, 2, 4);
}

TEST(YamlTree, MergeKeysAreRejected) {
  const Loaded l = load("base: &base {a: 1}\nderived:\n  <<: *base\n  b: 2\n");
  EXPECT_EQ(l.root, nullptr);
  EXPECT_THAT(only(l).message, HasSubstr("anchors and aliases are not supported"));
}

TEST(YamlTree, OtherErrorsAreStillFoundAfterAnAnchor) {
  const Loaded l = load("a: &x 1\nb: *x\na: 2\n");
  EXPECT_EQ(l.root, nullptr);
  ASSERT_EQ(l.diags.size(), 2u) << l.diags.to_string();
  EXPECT_THAT(l.diags.list()[0].message, HasSubstr("anchors"));
  EXPECT_THAT(l.diags.list()[1].message, HasSubstr("duplicate key 'a'"));
}

TEST(YamlTree, AnAliasBombIsRejectedFastWithOneDiagnostic) {
  // "Billion laughs": 9 levels of 9 aliases each would expand to 9^9 nodes.
  std::string text = "l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int i = 1; i <= 9; ++i) {
    const std::string name = std::string("l").append(std::to_string(i));
    const std::string prev = std::string("*l").append(std::to_string(i - 1));
    text.append(name).append(": &").append(name).append(" [");
    for (int k = 0; k < 9; ++k) {
      if (k > 0) text += ", ";
      text += prev;
    }
    text += "]\n";
  }
  const auto start = std::chrono::steady_clock::now();
  const Loaded l = load(text);
  EXPECT_LT(seconds_since(start), 1.0);
  EXPECT_EQ(l.root, nullptr);
  const rules::Diagnostic d = only(l);
  EXPECT_THAT(d.message, HasSubstr("anchors and aliases are not supported"));
  expect_pos(d.pos, 1, 5);
}

TEST(YamlTree, CoreTagsAreAccepted) {
  const Loaded l = load(
      "a: !!str 1.5\n"
      "b: !!int 12\n"
      "c: !!float \"0.5\"\n"
      "d: !!bool true\n"
      "e: !!null ~\n"
      "f: !!seq [1]\n"
      "g: !!map {x: 1}\n"
      "h: ! 12\n"
      "!!str i: 1\n");
  ASSERT_TRUE(l.root) << l.diags.to_string();
  EXPECT_TRUE(l.diags.ok());
  // !!str makes a number-looking scalar text; !!float makes a quoted one a number.
  EXPECT_EQ(l.root->find("a")->style, ScalarStyle::kQuoted);
  EXPECT_EQ(parse_number(*l.root->find("a")), std::nullopt);
  expect_pos(l.root->find("a")->pos, 1, 10);
  EXPECT_EQ(parse_number(*l.root->find("b")), 12.0);
  EXPECT_EQ(parse_number(*l.root->find("c")), 0.5);
  EXPECT_TRUE(l.root->find("e")->is_null());
  EXPECT_TRUE(l.root->find("f")->is_seq());
  EXPECT_TRUE(l.root->find("g")->is_map());
  EXPECT_EQ(l.root->find("h")->style, ScalarStyle::kQuoted);
  EXPECT_NE(l.root->find("i"), nullptr);
}

TEST(YamlTree, OtherTagsAreRejected) {
  Loaded l = load("a: 1\nb: !custom 2\n");
  EXPECT_EQ(l.root, nullptr);
  rules::Diagnostic d = only(l);
  EXPECT_EQ(d.message, "unsupported YAML tag '!custom'");
  EXPECT_THAT(d.hint, HasSubstr("!!str"));
  expect_pos(d.pos, 2, 4);

  l = load("a: !!binary aGVsbG8=\n");
  EXPECT_EQ(only(l).message, "unsupported YAML tag '!!binary'");
  l = load("a: !<tag:example.com,2000:x> 1\n");
  EXPECT_EQ(only(l).message, "unsupported YAML tag 'tag:example.com,2000:x'");
  l = load("a: !!set {x: 1}\n");
  EXPECT_EQ(only(l).message, "unsupported YAML tag '!!set'");
}

TEST(YamlTree, CoreTagsMustFitTheirValue) {
  Loaded l = load("a: !!int 1.5\n");
  EXPECT_EQ(l.root, nullptr);
  EXPECT_EQ(only(l).message, "the value '1.5' does not match its tag !!int");
  l = load("a: !!float abc\n");
  EXPECT_EQ(only(l).message, "the value 'abc' does not match its tag !!float");
  l = load("a: !!map [1]\n");
  EXPECT_EQ(only(l).message, "the tag !!map does not fit a list");
  l = load("a: !!seq x\n");
  EXPECT_EQ(only(l).message, "the tag !!seq does not fit a single value");
}

// ---- nesting depth -------------------------------------------------------------

std::string flow_nesting(int depth) {
  return "a: " + std::string(static_cast<std::size_t>(depth), '[') + "1" +
         std::string(static_cast<std::size_t>(depth), ']') + "\n";
}

TEST(YamlTree, NestingUpToTheLimitLoads) {
  // The root mapping is one level, so the flow lists add kMaxYamlDepth - 1.
  const Loaded l = load(flow_nesting(kMaxYamlDepth - 1));
  ASSERT_TRUE(l.root) << l.diags.to_string();
  const YamlNode* n = l.root->find("a");
  int depth = 1;
  while (n->is_seq()) {
    n = n->items[0].get();
    ++depth;
  }
  EXPECT_EQ(depth, kMaxYamlDepth);
  EXPECT_EQ(n->scalar, "1");
}

TEST(YamlTree, NestingPastTheLimitIsAnError) {
  const Loaded l = load(flow_nesting(kMaxYamlDepth));
  EXPECT_EQ(l.root, nullptr);
  const rules::Diagnostic d = only(l);
  EXPECT_EQ(d.message, "YAML nesting is too deep: more than 64 levels of lists and mappings");
  expect_pos(d.pos, 1, 4 + kMaxYamlDepth - 1);
}

TEST(YamlTree, DeepBlockNestingPastTheLimitIsAnError) {
  // Nesting split between block and flow is counted as a whole.
  std::string text;
  for (int i = 0; i < 40; ++i) text += std::string(static_cast<std::size_t>(i), ' ') + "k:\n";
  text += std::string(40, ' ') + "k: " + std::string(30, '[') + std::string(30, ']') + "\n";
  const Loaded l = load(text);
  EXPECT_EQ(l.root, nullptr);
  const rules::Diagnostic d = only(l);
  EXPECT_THAT(d.message, HasSubstr("more than 64 levels"));
  expect_pos(d.pos, 41, 44 + 64 - 41);
}

TEST(YamlTree, HundredThousandOpenBracketsAreRejectedQuickly) {
  // yaml-cpp tokenises a whole flow collection before its first event: 10
  // million '[' cost it seconds and gigabytes, so this must be caught first.
  for (const std::string& text :
       {std::string(100000, '['), "a: " + std::string(100000, '[') + "1" + std::string(100000, ']'),
        repeat("{a: ", 100000), "- " + repeat("[{a: ", 100000), "--- " + std::string(100000, '['),
        "!!seq " + std::string(100000, '[')}) {
    const auto start = std::chrono::steady_clock::now();
    const Loaded l = load(text);
    EXPECT_LT(seconds_since(start), 1.0);
    EXPECT_EQ(l.root, nullptr);
    EXPECT_THAT(only(l).message, HasSubstr("more than 64 levels"));
  }
}

TEST(YamlTree, TenMillionOpenBracketsAreRejectedQuickly) {
  const auto start = std::chrono::steady_clock::now();
  const Loaded l = load(std::string(10'000'000, '['));
  EXPECT_LT(seconds_since(start), 2.0);
  EXPECT_THAT(only(l).message, HasSubstr("more than 64 levels"));
}

TEST(YamlTree, HundredThousandDeepBlockNestingIsRejectedQuickly) {
  const auto start = std::chrono::steady_clock::now();
  Loaded l = load(repeat("- ", 100000) + "x\n");
  EXPECT_EQ(l.root, nullptr);
  rules::Diagnostic d = only(l);
  EXPECT_THAT(d.message, HasSubstr("more than 64 levels"));
  expect_pos(d.pos, 1, 2 * kMaxYamlDepth + 1);

  // 100,000 indented levels would be 5 GB of spaces; 3,000 are 4.5 MB.
  std::string text;
  for (std::size_t i = 0; i < 3000; ++i) text += std::string(i, ' ') + "k:\n";
  l = load(text);
  EXPECT_EQ(l.root, nullptr);
  d = only(l);
  EXPECT_THAT(d.message, HasSubstr("more than 64 levels"));
  expect_pos(d.pos, kMaxYamlDepth + 1, kMaxYamlDepth + 1);
  EXPECT_LT(seconds_since(start), 3.0);
}

TEST(YamlTree, BracketsInTextAreNotNesting) {
  const std::string many(200, '[');
  const Loaded l =
      load("plain: see " + many + "\n" + "quoted: \"" + many + "\"\n" + "single: '" + many + "'\n" +
           "# " + many + "\n" + "flow: [\"" + many + "\", '" + many + "', a # " + many + "\n  ]\n" +
           "block: |\n  " + many + "\n  " + many + "\n" + "folded: >\n    " + many + "\n" +
           "list:\n  - x " + many + "\n  - y\n");
  ASSERT_TRUE(l.root) << l.diags.to_string();
  EXPECT_EQ(l.root->find("plain")->scalar, "see " + many);
  EXPECT_EQ(l.root->find("flow")->items.size(), 3u);
  EXPECT_EQ(l.root->find("block")->scalar, many + "\n" + many + "\n");
}

TEST(YamlTree, BracketsAfterATopLevelBlockScalarStillCount) {
  // yaml-cpp ends the block scalar at the unindented line and reads a flow
  // list there, so the scan must not skip it.
  const Loaded l = load("--- |\n" + std::string(100000, '[') + "\n");
  EXPECT_EQ(l.root, nullptr);
  EXPECT_THAT(only(l).message, HasSubstr("more than 64 levels"));
}

TEST(YamlTree, BracketsRightAfterABlockScalarAreRejectedQuickly) {
  const std::string many(100000, '[');
  for (const std::string& text :
       {"- - |\n  " + many + "\n", "a:\n  - |\n    text\n   " + many + "\n",
        "a: |\n    text\n  " + many + "\n", "a: |2\n    text\n " + many + "\n"}) {
    const auto start = std::chrono::steady_clock::now();
    const Loaded l = load(text);
    EXPECT_LT(seconds_since(start), 1.0);
    EXPECT_EQ(l.root, nullptr);
    EXPECT_FALSE(l.diags.ok());
  }
}

// ---- size, encoding, files -------------------------------------------------------

TEST(YamlTree, TextOverTheSizeLimitIsRefused) {
  const std::string text(kMaxFileBytes + 1, '#');
  const Loaded l = load(text);
  EXPECT_EQ(l.root, nullptr);
  EXPECT_EQ(only(l).message,
            "the file is too large: 16777217 bytes (the limit is 16777216 bytes, 16 MiB)");
}

TEST(YamlTree, FiftyMegabyteFileIsRefusedBeforeReading) {
  TempDir dir;
  const std::string path =
      dir.file("big.yaml", repeat("key_number: 12345\n", 50 * 1024 * 1024 / 18));
  const auto start = std::chrono::steady_clock::now();
  rules::Diagnostics diags;
  const auto root = load_yaml_file(path, diags);
  EXPECT_LT(seconds_since(start), 0.5);
  EXPECT_EQ(root, nullptr);
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags.list()[0].file, path);
  EXPECT_THAT(diags.list()[0].message, StartsWith("the file is too large: 52428798 bytes"));
  EXPECT_THAT(diags.list()[0].message, HasSubstr("16 MiB"));
}

TEST(YamlTree, LoadsAFile) {
  TempDir dir;
  const std::string path = dir.file("plan.yaml", "plan: x\nhorizon: {periods: 4}\n");
  rules::Diagnostics diags;
  const auto root = load_yaml_file(path, diags);
  ASSERT_TRUE(root) << diags.to_string();
  EXPECT_EQ(root->find("horizon")->find("periods")->scalar, "4");
}

TEST(YamlTree, MissingFileIsADiagnostic) {
  TempDir dir;
  const std::string path = (dir.path() / "nope.yaml").string();
  rules::Diagnostics diags;
  EXPECT_EQ(load_yaml_file(path, diags), nullptr);
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags.list()[0].message, "cannot read file: No such file or directory");
  EXPECT_EQ(diags.list()[0].file, path);
  expect_pos(diags.list()[0].pos, 0, 0);
}

TEST(YamlTree, DirectoryIsADiagnostic) {
  TempDir dir;
  rules::Diagnostics diags;
  EXPECT_EQ(load_yaml_file(dir.path().string(), diags), nullptr);
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags.list()[0].message, "cannot read file: it is a directory");
}

TEST(YamlTree, UnreadableFileIsADiagnostic) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads any file";
  TempDir dir;
  const std::string path = dir.file("secret.yaml", "a: 1\n");
  std::filesystem::permissions(path, std::filesystem::perms::none);
  rules::Diagnostics diags;
  EXPECT_EQ(load_yaml_file(path, diags), nullptr);
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags.list()[0].message, "cannot read file: Permission denied");
}

TEST(YamlTree, NulBytesAreACleanError) {
  const Loaded l = load(std::string("a: 1\nb: x\0y\n", 12));
  EXPECT_EQ(l.root, nullptr);
  const rules::Diagnostic d = only(l);
  EXPECT_EQ(d.message, "the file contains a NUL byte: it is binary, not YAML text");
  expect_pos(d.pos, 2, 5);
}

TEST(YamlTree, InvalidUtf8IsACleanError) {
  Loaded l = load("a: caf\xE9\n");  // Latin-1, not UTF-8
  EXPECT_EQ(l.root, nullptr);
  rules::Diagnostic d = only(l);
  EXPECT_EQ(d.message, "the file is not valid UTF-8 text (byte 0xE9)");
  expect_pos(d.pos, 1, 7);

  for (const char* bad : {"\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xE2\x82", "\xFF\xFE"}) {
    l = load(std::string("a: ") + bad + "\n");
    EXPECT_EQ(l.root, nullptr) << bad;
    EXPECT_THAT(only(l).message, StartsWith("the file is not valid UTF-8 text")) << bad;
  }
}

TEST(YamlTree, ControlCharactersAreACleanError) {
  const Loaded l = load("a: x\x1By\n");
  EXPECT_EQ(l.root, nullptr);
  const rules::Diagnostic d = only(l);
  EXPECT_EQ(d.message, "the file contains the control character 0x1B, which YAML does not allow");
  expect_pos(d.pos, 1, 5);
}

TEST(YamlTree, BinaryGarbageNeverCrashes) {
  std::mt19937_64 rng(12345);
  for (int round = 0; round < 200; ++round) {
    std::string text(1 + rng() % 4096, '\0');
    for (char& c : text) c = static_cast<char>(rng() & 0xFF);
    const Loaded l = load(text);
    EXPECT_EQ(l.root, nullptr);
    EXPECT_FALSE(l.diags.ok());
  }
}

// ---- malformed YAML ----------------------------------------------------------------

TEST(YamlTree, ParserErrorsBecomeReadableDiagnostics) {
  const Loaded l = load("horizon:\n  start: 2003-04\n periods: 4\n");
  EXPECT_EQ(l.root, nullptr);
  const rules::Diagnostic d = only(l);
  EXPECT_EQ(d.message, "malformed YAML: end of map not found");
  EXPECT_THAT(d.hint, HasSubstr("indentation"));
  expect_pos(d.pos, 3, 2);
  EXPECT_EQ(d.excerpt, " periods: 4\n ^");
}

TEST(YamlTree, UnclosedFlowListIsAnError) {
  const Loaded l = load("a: [1, 2\nb: 3\n");
  EXPECT_EQ(l.root, nullptr);
  const rules::Diagnostic d = only(l);
  EXPECT_EQ(d.message, "malformed YAML: end of sequence flow not found");
  EXPECT_EQ(d.hint, "a '[' is missing its closing ']'");
}

TEST(YamlTree, ColonInAPlainValueIsExplained) {
  const Loaded l = load("label: Note: this\n");
  EXPECT_EQ(l.root, nullptr);
  const rules::Diagnostic d = only(l);
  EXPECT_EQ(d.message, "malformed YAML: illegal map value");
  EXPECT_THAT(d.hint, HasSubstr("must be quoted"));
  expect_pos(d.pos, 1, 12);
}

TEST(YamlTree, BadEscapeIsExplained) {
  const Loaded l = load("path: \"C:\\data\"\n");
  EXPECT_EQ(l.root, nullptr);
  const rules::Diagnostic d = only(l);
  EXPECT_EQ(d.message, "malformed YAML: unknown escape character: d");
  EXPECT_THAT(d.hint, HasSubstr("single quotes"));
}

TEST(YamlTree, TabsInIndentationAreExplained) {
  struct Case {
    std::string text;
    int line;
    int col;
  };
  for (const Case& c : {Case{"a:\n\tb: 1\n", 2, 1}, Case{"a:\n  b: 1\n\tc: 2\n", 3, 1},
                        Case{"a:\n  b: 1\n  \tc: 2\n", 3, 3}, Case{"\ta: 1\n", 1, 1},
                        Case{"a:\n  - x\n\t- y\n", 3, 1}, Case{"a:\n  - x\n  -\tb: 1\n", 3, 4}}) {
    const Loaded l = load(c.text);
    EXPECT_EQ(l.root, nullptr) << c.text;
    const rules::Diagnostic d = only(l);
    EXPECT_EQ(d.message, "tabs are not allowed for indentation in YAML; use spaces") << c.text;
    expect_pos(d.pos, c.line, c.col);
  }
}

TEST(YamlTree, TabsOutsideIndentationAreFine) {
  const Loaded l = load("a:\t1\nb: 2\t# note\nc: |\n  x\n  \ty\n");
  ASSERT_TRUE(l.root) << l.diags.to_string();
  EXPECT_EQ(l.root->find("a")->scalar, "1");
  EXPECT_EQ(l.root->find("c")->scalar, "x\n\ty\n");
}

TEST(YamlTree, UnterminatedQuoteIsAnError) {
  // yaml-cpp 0.7.0 would read the rest of the file into the string.
  for (const char* text : {"a: \"abc\nb: 1\n", "a: 'abc\nb: 1\n", "a: \"x\\\"\n"}) {
    const Loaded l = load(text);
    EXPECT_EQ(l.root, nullptr) << text;
    const rules::Diagnostic d = only(l);
    EXPECT_THAT(d.message, StartsWith("unterminated quoted string")) << text;
    expect_pos(d.pos, 1, 4);
  }
}

TEST(YamlTree, EmptyFilesAreAnError) {
  for (const char* text : {"", "\n\n", "# only\n# comments\n", "---\n", "--- # c\n...\n", "  \n"}) {
    const Loaded l = load(text);
    EXPECT_EQ(l.root, nullptr) << text;
    const rules::Diagnostic d = only(l);
    EXPECT_EQ(d.message, "the file is empty") << text;
    expect_pos(d.pos, 0, 0);
  }
}

TEST(YamlTree, SeveralDocumentsAreAnError) {
  const Loaded l = load("plan: a\n---\nplan: b\n");
  EXPECT_EQ(l.root, nullptr);
  const rules::Diagnostic d = only(l);
  EXPECT_EQ(d.message, "the file holds more than one YAML document (a second one starts here)");
  expect_pos(d.pos, 2, 1);
}

TEST(YamlTree, SeveralDocumentsAfterAnEmptyOneAreAnError) {
  const Loaded l = load("---\n---\nplan: b\n");
  EXPECT_EQ(l.root, nullptr);
  EXPECT_THAT(only(l).message, HasSubstr("more than one YAML document"));
}

TEST(YamlTree, MarkersAroundOneDocumentAreFine) {
  for (const char* text :
       {"---\na: 1\n", "---\na: 1\n...\n", "a: 1\n---\n", "%YAML 1.2\n---\na: 1\n"}) {
    const Loaded l = load(text);
    ASSERT_TRUE(l.root) << text << l.diags.to_string();
    EXPECT_EQ(l.root->find("a")->scalar, "1");
  }
}

TEST(YamlTree, ASecondTopLevelValueIsAnError) {
  // yaml-cpp silently starts a new document here.
  const Loaded l = load("- a\nb: 1\n");
  EXPECT_EQ(l.root, nullptr);
  const rules::Diagnostic d = only(l);
  EXPECT_EQ(d.message, "malformed YAML: a second top-level value starts here");
  expect_pos(d.pos, 2, 1);
}

TEST(YamlTree, LongLinesAreCutInTheExcerpt) {
  const std::string text = "a: " + std::string(300, 'x') + ": y\n";
  const Loaded l = load(text);
  const rules::Diagnostic d = only(l);
  const auto newline = d.excerpt.find('\n');
  ASSERT_NE(newline, std::string::npos);
  EXPECT_LE(newline, 110u);
  EXPECT_EQ(d.excerpt.substr(0, 3), "...");
}

// ---- numbers -------------------------------------------------------------------------

YamlNode scalar(std::string text, ScalarStyle style = ScalarStyle::kPlain) {
  YamlNode n;
  n.kind = YamlKind::kScalar;
  n.scalar = std::move(text);
  n.style = style;
  return n;
}

TEST(YamlTree, ParsesFiniteNumbersFromPlainScalars) {
  const std::vector<std::pair<std::string, double>> cases = {
      {"12", 12}, {"-0.5", -0.5}, {"1e-3", 1e-3},
      {"+3", 3},  {"0.67", 0.67}, {".5", 0.5},
      {"1.", 1},  {"2E+2", 200},  {"-0", -0.0},
      {"007", 7}, {"1e-400", 0},  {"123456789012345678901234567890", 1.2345678901234568e29}};
  for (const auto& [text, value] : cases) {
    const auto v = parse_number(scalar(text));
    ASSERT_TRUE(v.has_value()) << text;
    EXPECT_DOUBLE_EQ(*v, value) << text;
  }
}

TEST(YamlTree, RefusesWhatIsNotAPlainFiniteNumber) {
  for (const char* text : {"1_000",        "0x10", "0o17", "0b1",     "12abc", "",
                           " 1",           "1 ",   "e5",   ".",       "+",     "1e",
                           "1e+",          "--1",  "1,5",  "2003-04", "1e999", "-1e999",
                           "normal(0, 1)", ".inf", "nan",  "infinity"}) {
    EXPECT_EQ(parse_number(scalar(text)), std::nullopt) << text;
  }
  EXPECT_EQ(parse_number(scalar("1.5", ScalarStyle::kQuoted)), std::nullopt);
  EXPECT_EQ(parse_number(scalar("1.5", ScalarStyle::kLiteral)), std::nullopt);
  YamlNode null_node;
  EXPECT_EQ(parse_number(null_node), std::nullopt);
}

TEST(YamlTree, RecognisesNanAndInfinitySpellings) {
  for (const char* text : {".nan", ".NaN", ".NAN", ".inf", "-.inf", "+.Inf", ".INF", "nan", "NaN",
                           "inf", "-inf", "Infinity", "-infinity", "+INF"}) {
    EXPECT_TRUE(is_nan_or_inf(scalar(text))) << text;
    EXPECT_EQ(parse_number(scalar(text)), std::nullopt) << text;
  }
  for (const char* text : {"1", "info", "nano", "..inf", "", "inflation"}) {
    EXPECT_FALSE(is_nan_or_inf(scalar(text))) << text;
  }
  EXPECT_FALSE(is_nan_or_inf(scalar(".nan", ScalarStyle::kQuoted)));
}

TEST(YamlTree, NumbersThroughTheParser) {
  const Loaded l = load("a: 0.67\nb: '0.67'\nc: .nan\nd: 1_000\n");
  ASSERT_TRUE(l.root) << l.diags.to_string();
  EXPECT_EQ(parse_number(*l.root->find("a")), 0.67);
  EXPECT_EQ(parse_number(*l.root->find("b")), std::nullopt);
  EXPECT_TRUE(is_nan_or_inf(*l.root->find("c")));
  EXPECT_EQ(parse_number(*l.root->find("d")), std::nullopt);
}

// ---- against yaml-cpp's own reading of valid files ------------------------------------

// Compares our tree with yaml-cpp's Node tree: same shape, keys and text.
void expect_same(const YamlNode& ours, const YAML::Node& theirs, const std::string& path) {
  switch (ours.kind) {
    case YamlKind::kNull:
      EXPECT_TRUE(theirs.IsNull()) << path;
      break;
    case YamlKind::kScalar:
      ASSERT_TRUE(theirs.IsScalar()) << path;
      EXPECT_EQ(ours.scalar, theirs.Scalar()) << path;
      break;
    case YamlKind::kSequence:
      ASSERT_TRUE(theirs.IsSequence()) << path;
      ASSERT_EQ(ours.items.size(), theirs.size()) << path;
      for (std::size_t i = 0; i < ours.items.size(); ++i) {
        expect_same(*ours.items[i], theirs[i], path + "[" + std::to_string(i) + "]");
      }
      break;
    case YamlKind::kMapping:
      ASSERT_TRUE(theirs.IsMap()) << path;
      ASSERT_EQ(ours.entries.size(), theirs.size()) << path;
      for (const auto& e : ours.entries) {
        const YAML::Node v = theirs[e.key];
        ASSERT_TRUE(v.IsDefined()) << path << "." << e.key;
        expect_same(*e.value, v, path + "." + e.key);
      }
      break;
  }
}

TEST(YamlTree, AgreesWithYamlCppOnValidDocuments) {
  const std::vector<std::string> docs = {
      "a: 1\nb: [1, 2, {c: d}]\ne:\n  - f\n  - g: h\n    i: j\n",
      "text: \"multi\n  line\"\nlit: |+\n  keep\n\nfold: >\n  a\n  b\n\n  c\n",
      "- [a, b]\n- {x: 1}\n- - nested\n  - list\n",
      "k: 'single ''quoted'''\nu: \"\\u00e9\\t\"\nempty: []\nnone: {}\n",
      "plain: multi\n  line plain\nurl: http://example.com/a#b\n"};
  for (const std::string& doc : docs) {
    const Loaded l = load(doc);
    ASSERT_TRUE(l.root) << doc << l.diags.to_string();
    expect_same(*l.root, YAML::Load(doc), "");
  }
}

TEST(YamlTree, LoadsTheShippedExamplesLikeYamlCpp) {
  const std::filesystem::path examples = std::filesystem::path(PLANSIM_SOURCE_DIR) / "examples";
  ASSERT_TRUE(std::filesystem::exists(examples));
  int count = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(examples)) {
    if (entry.path().extension() != ".yaml") continue;
    ++count;
    rules::Diagnostics diags;
    const auto root = load_yaml_file(entry.path().string(), diags);
    ASSERT_TRUE(root) << entry.path() << "\n" << diags.to_string();
    EXPECT_TRUE(diags.ok()) << diags.to_string();
    expect_same(*root, YAML::LoadFile(entry.path().string()), entry.path().string());
  }
  EXPECT_GE(count, 2) << "the CPS and probation examples (and their scenarios) should be here";
}

// Random edits of a valid plan: loading must never crash, and a refusal
// always comes with a reason.
TEST(YamlTree, RandomEditsNeverCrashAndAlwaysExplainARefusal) {
  const std::string base =
      "plan: Test plan\n"
      "horizon: {start: 2003-04, periods: 4, step: quarter}\n"
      "assumptions:\n"
      "  growth: normal(0.03, 0.02)\n"
      "  cut: [0, 0.03, 0.06, 0.10]\n"
      "  note: \"quoted # not a comment\"\n"
      "  text: |\n"
      "    block [ { text\n"
      "targets:\n"
      "  - {name: t1, at_least: 0.67}  # comment\n"
      "  - name: 'it''s'\n";
  constexpr std::string_view kAlphabet = "[]{}:,-?#&*!|>'\"\t\n x0.~%@`\\";
  std::mt19937_64 rng(2003);
  for (int round = 0; round < 3000; ++round) {
    std::string text = base;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      const std::size_t at = rng() % (text.size() + 1);
      const char c = kAlphabet[rng() % kAlphabet.size()];
      switch (rng() % 3) {
        case 0:
          text.insert(at, 1, c);
          break;
        case 1:
          if (at < text.size()) text.erase(at, 1);
          break;
        default:
          if (at < text.size()) text[at] = c;
          break;
      }
    }
    const Loaded l = load(text);
    if (!l.root) {
      EXPECT_FALSE(l.diags.ok()) << text;
    }
    for (const auto& d : l.diags.list()) {
      EXPECT_FALSE(d.message.empty()) << text;
    }
  }
}

}  // namespace
}  // namespace plansim::graph
