#include "rules/diagnostic.h"

#include <gtest/gtest.h>

namespace plansim::rules {
namespace {

Diagnostic full() {
  Diagnostic d;
  d.file = "plan.yaml";
  d.pos = {12, 7};
  d.node = "cju_staf";
  d.message = "unknown node 'cju_staf'";
  d.hint = "did you mean 'cju_staff'?";
  return d;
}

TEST(Diagnostic, FormatsFileLineColumnNodeMessageAndHint) {
  EXPECT_EQ(format(full()),
            "plan.yaml:12:7: error: node 'cju_staf': unknown node 'cju_staf' (did you mean "
            "'cju_staff'?)");
}

TEST(Diagnostic, OmitsTheNodeWhenThereIsNone) {
  Diagnostic d = full();
  d.node.clear();
  EXPECT_EQ(format(d),
            "plan.yaml:12:7: error: unknown node 'cju_staf' (did you mean 'cju_staff'?)");
}

TEST(Diagnostic, OmitsTheHintWhenThereIsNone) {
  Diagnostic d = full();
  d.hint.clear();
  EXPECT_EQ(format(d), "plan.yaml:12:7: error: node 'cju_staf': unknown node 'cju_staf'");
}

TEST(Diagnostic, OmitsLineAndColumnWhenTheLineIsUnknown) {
  Diagnostic d = full();
  d.pos = {};
  d.hint.clear();
  EXPECT_EQ(format(d), "plan.yaml: error: node 'cju_staf': unknown node 'cju_staf'");
  d.pos = {0, 9};  // a column without a line says nothing useful
  EXPECT_EQ(format(d), "plan.yaml: error: node 'cju_staf': unknown node 'cju_staf'");
}

TEST(Diagnostic, KeepsTheLineWhenOnlyTheColumnIsUnknown) {
  Diagnostic d = full();
  d.pos = {12, 0};
  d.hint.clear();
  EXPECT_EQ(format(d), "plan.yaml:12: error: node 'cju_staf': unknown node 'cju_staf'");
}

TEST(Diagnostic, WithoutAFileStartsAtThePositionOrTheWordError) {
  Diagnostic d;
  d.message = "no plan given";
  EXPECT_EQ(format(d), "error: no plan given");
  d.pos = {2, 3};
  EXPECT_EQ(format(d), "2:3: error: no plan given");
}

TEST(Diagnostic, ExcerptFollowsOnItsOwnLines) {
  Diagnostic d = full();
  d.hint.clear();
  d.excerpt = "  value: 0.67 + * 2\n                 ^\n";
  EXPECT_EQ(format(d),
            "plan.yaml:12:7: error: node 'cju_staf': unknown node 'cju_staf'\n"
            "  value: 0.67 + * 2\n"
            "                 ^");
}

TEST(Diagnostics, StartEmptyAndOk) {
  Diagnostics diags;
  EXPECT_TRUE(diags.ok());
  EXPECT_EQ(diags.size(), 0u);
  EXPECT_EQ(diags.to_string(), "");
}

TEST(Diagnostics, ErrorAddsADiagnosticWithEveryField) {
  Diagnostics diags;
  diags.error("a.yaml", {3, 4}, "n", "bad", "fix it");
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_FALSE(diags.ok());
  const Diagnostic& d = diags.list()[0];
  EXPECT_EQ(d.file, "a.yaml");
  EXPECT_EQ(d.pos.line, 3);
  EXPECT_EQ(d.pos.col, 4);
  EXPECT_EQ(d.node, "n");
  EXPECT_EQ(d.message, "bad");
  EXPECT_EQ(d.hint, "fix it");
  EXPECT_EQ(d.excerpt, "");
}

TEST(Diagnostics, ToStringListsEveryDiagnosticInOrderOnePerLine) {
  Diagnostics diags;
  diags.error("a.yaml", {1, 2}, "", "first");
  diags.add(full());
  EXPECT_EQ(diags.to_string(),
            "a.yaml:1:2: error: first\n"
            "plan.yaml:12:7: error: node 'cju_staf': unknown node 'cju_staf' (did you mean "
            "'cju_staff'?)\n");
}

TEST(Diagnostics, AppendKeepsBothInOrder) {
  Diagnostics a;
  Diagnostics b;
  a.error("a.yaml", {}, "", "one");
  b.error("b.yaml", {}, "", "two");
  b.error("b.yaml", {}, "", "three");
  a.append(b);
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a.list()[0].message, "one");
  EXPECT_EQ(a.list()[1].message, "two");
  EXPECT_EQ(a.list()[2].message, "three");
  EXPECT_EQ(b.size(), 2u);
}

}  // namespace
}  // namespace plansim::rules
