// Helpers shared by the plan loader and plan compiler tests: load (and
// compile) plan text in memory and compare diagnostics field by field.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "graph/plan_compiler.h"
#include "graph/plan_loader.h"
#include "rules/diagnostic.h"

namespace plansim::graph::test {

// Every plan in these tests is called this in diagnostics.
inline constexpr const char* kFile = "plan.yaml";

// The first two lines of most test plans: a title and four quarters from
// 2003-04 (so 2003-04..06 is t = 0 and 2004-01..03 is t = 3). Bodies
// appended to it start on line 3.
inline constexpr std::string_view kHead =
    "plan: Test plan\n"
    "horizon: {start: 2003-04, periods: 4, step: quarter}\n";

// A plan body written as a raw string that starts with a newline: the newline
// is dropped, so the body's first line is line 3 of the plan.
inline std::string with_head(std::string_view body) {
  if (!body.empty() && body.front() == '\n') body.remove_prefix(1);
  return std::string(kHead) + std::string(body);
}

// What the pipeline in apps/plansim does: load, and compile only a plan that
// loaded cleanly.
struct Checked {
  std::unique_ptr<Plan> plan;
  std::unique_ptr<Program> program;
  rules::Diagnostics diags;
};

inline Checked load_only(std::string text) {
  Checked c;
  c.plan = load_plan_text(std::move(text), kFile, c.diags);
  return c;
}

inline Checked load_and_compile(std::string text) {
  Checked c = load_only(std::move(text));
  if (c.plan && c.diags.ok()) c.program = compile_plan(*c.plan, c.diags);
  return c;
}

// What a diagnostic must say: where, which node, and words that must appear
// in the message and in the hint (no hint words: the hint is not checked).
struct Expected {
  int line = 0;
  int col = 0;
  std::string node;
  std::vector<std::string> message;
  std::vector<std::string> hint = {};
};

inline void expect_diagnostic(const rules::Diagnostic& d, const Expected& e) {
  SCOPED_TRACE("diagnostic: " + rules::format(d));
  EXPECT_EQ(d.file, kFile);
  EXPECT_EQ(d.pos.line, e.line);
  EXPECT_EQ(d.pos.col, e.col);
  EXPECT_EQ(d.node, e.node);
  for (const auto& word : e.message)
    EXPECT_NE(d.message.find(word), std::string::npos) << "message lacks \"" << word << "\"";
  for (const auto& word : e.hint)
    EXPECT_NE(d.hint.find(word), std::string::npos) << "hint lacks \"" << word << "\"";
}

// Exactly one diagnostic, and it is `e`.
inline void expect_only(const rules::Diagnostics& diags, const Expected& e) {
  ASSERT_EQ(diags.size(), 1u) << diags.to_string();
  expect_diagnostic(diags.list()[0], e);
}

}  // namespace plansim::graph::test
