// The plan compiler (plan-format.md sections 2-8 and 13): every mistake in
// references, expressions and the dependency graph, each at its line and
// column with the node and what is wrong; and what is not a mistake.
#include "graph/plan_compiler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "graph/plan_loader.h"
#include "tests/graph/plan_test_support.h"

namespace plansim::graph {
namespace {

using test::Expected;
using test::expect_diagnostic;
using test::expect_only;
using test::load_and_compile;
using test::with_head;

// Compiles a plan that must load cleanly; the test is about the compiler.
test::Checked compile(std::string_view body) {
  test::Checked c = test::load_only(with_head(body));
  EXPECT_TRUE(c.plan && c.diags.ok()) << "the plan must load cleanly:\n" << c.diags.to_string();
  if (c.plan && c.diags.ok()) c.program = compile_plan(*c.plan, c.diags);
  EXPECT_EQ(c.program == nullptr, !c.diags.ok()) << "a program comes back exactly when there is no error";
  return c;
}

// The diagnostics in file order (the order they are found in need not be).
std::vector<rules::Diagnostic> by_line(const rules::Diagnostics& diags) {
  std::vector<rules::Diagnostic> out = diags.list();
  std::stable_sort(out.begin(), out.end(), [](const rules::Diagnostic& a, const rules::Diagnostic& b) {
    return a.pos.line != b.pos.line ? a.pos.line < b.pos.line : a.pos.col < b.pos.col;
  });
  return out;
}

// ---- references -------------------------------------------------------------------

TEST(PlanCompiler, UnknownNameSuggestsTheNearestNode) {
  auto c = compile(R"(
resources:
  cju_staff: {available: 100}
measures:
  rate:
    baseline: 0.5
    value: 0.5 + cju_staf / 1000
)");
  expect_only(c.diags, {8, 18, "rate", {"unknown name 'cju_staf'"}, {"did you mean 'cju_staff'?"}});
}

TEST(PlanCompiler, UnknownNameInsideADistributionIsReportedOnce) {
  // Not again as an invalid (NaN) parameter of normal().
  auto c = compile(R"(
resources:
  cju_staff: {available: 100}
assumptions:
  x: normal(cju_staf, 1)
)");
  expect_only(c.diags, {6, 13, "x", {"unknown name 'cju_staf'"}, {"did you mean 'cju_staff'?"}});
}

TEST(PlanCompiler, TargetOfAMissingMeasureSuggestsTheNearestMeasure) {
  auto c = compile(R"(
measures:
  rate: {baseline: 0.5}
targets:
  low: {measure: rat, at_most: 0.4}
)");
  expect_only(c.diags, {6, 18, "low", {"measure 'rat' is not a measure of the plan"}, {"did you mean 'rate'?"}});
}

TEST(PlanCompiler, TargetWhoseMeasureIsAnActionIsTheWrongKind) {
  auto c = compile(R"(
actions:
  meet: {due: 2003-06}
targets:
  low: {measure: meet, at_most: 0.4}
)");
  expect_only(c.diags, {6, 18, "low", {"measure 'meet' is an action, not a measure"}});
}

TEST(PlanCompiler, CompositeOfAMissingTargetSuggestsTheNearestTarget) {
  auto c = compile(R"(
measures:
  rate: {baseline: 0.5}
targets:
  cut_trials: {measure: rate, at_most: 0.4}
  both:
    all_of: [cut_trials, cut_trails]
)");
  expect_only(c.diags,
              {8, 26, "both", {"part 'cut_trails' is not a target of the plan"}, {"did you mean 'cut_trials'?"}});
}

TEST(PlanCompiler, CompositeOfAMeasureIsTheWrongKind) {
  auto c = compile(R"(
measures:
  rate: {baseline: 0.5}
targets:
  both: {any_of: [rate]}
)");
  expect_only(c.diags, {6, 19, "both", {"part 'rate' is a measure, not a target"}});
}

TEST(PlanCompiler, CompositeListingAPartTwiceIsAnError) {
  auto c = compile(R"(
measures:
  rate: {baseline: 0.5}
targets:
  low: {measure: rate, at_most: 0.4}
  both: {all_of: [low, low]}
)");
  expect_only(c.diags, {7, 24, "both", {"'low' is listed twice"}});
}

TEST(PlanCompiler, NeedsOfAMissingResourceSuggestsTheNearestResource) {
  auto c = compile(R"(
resources:
  hours: {available: 100}
actions:
  meet:
    needs: {hourz: 5}
)");
  expect_only(c.diags, {7, 13, "meet", {"needs 'hourz' is not a resource of the plan"}, {"did you mean 'hours'?"}});
}

TEST(PlanCompiler, MitigatedByANonActionIsTheWrongKind) {
  auto c = compile(R"(
measures:
  rate: {baseline: 0.5}
risks:
  late:
    likelihood: M
    mitigated_by: {rate: 0.5}
)");
  expect_only(c.diags, {8, 20, "late", {"mitigated_by 'rate' is a measure, not an action"}});
}

TEST(PlanCompiler, MitigatedByAMissingActionSuggestsTheNearestAction) {
  auto c = compile(R"(
actions:
  review: {}
risks:
  late:
    likelihood: M
    mitigated_by: {reveiw: 0.5}
)");
  expect_only(c.diags,
              {8, 20, "late", {"mitigated_by 'reveiw' is not an action of the plan"}, {"did you mean 'review'?"}});
}

TEST(PlanCompiler, FundingOutsideAnActionsDeliveryIsAnError) {
  auto measure = compile(R"(
measures:
  rate:
    value: 0.5 * funding
)");
  expect_only(measure.diags, {5, 18, "rate", {"'funding' can only be used in an action's delivery"}});

  auto needs = compile(R"(
resources:
  hours: {available: 100}
actions:
  meet:
    needs: {hours: 10 * funding}
)");
  expect_only(needs.diags, {7, 25, "meet", {"'funding' can only be used in an action's delivery"}});

  auto delivery = compile(R"(
resources:
  hours: {available: 100}
actions:
  meet:
    needs: {hours: 10}
    delivery: 0.9 * funding
)");
  EXPECT_TRUE(delivery.diags.ok()) << delivery.diags.to_string();
}

TEST(PlanCompiler, MisspeltFundingInADeliverySuggestsFunding) {
  auto c = compile(R"(
actions:
  meet:
    delivery: 0.9 * fundng
)");
  expect_only(c.diags, {5, 21, "meet", {"unknown name 'fundng'"}, {"did you mean 'funding'?"}});
}

TEST(PlanCompiler, TargetUsedInAnExpressionIsAnError) {
  auto c = compile(R"(
measures:
  rate: {baseline: 0.5}
  other:
    value: low + 1
targets:
  low: {measure: rate, at_most: 0.4}
)");
  expect_only(c.diags, {6, 12, "other", {"'low' is a target", "measures, not targets"}, {"use the target's measure"}});
}

// ---- expressions ----------------------------------------------------------------------

TEST(PlanCompiler, UnknownFunctionSuggestsTheNearestFunctionOnce) {
  // A measure compiles once per period; the mistake is reported once.
  auto c = compile(R"(
measures:
  rate:
    value: nromal(0.5, 0.1)
)");
  expect_only(c.diags, {5, 12, "rate", {"unknown function 'nromal'"}, {"did you mean 'normal'?"}});
}

TEST(PlanCompiler, WrongNumberOfArgumentsQuotesTheSignature) {
  struct Case {
    std::string expr;
    std::vector<std::string> message;
    std::string usage;
  };
  const std::vector<Case> cases = {
      {"normal(0.5)", {"'normal' takes 2 arguments, 1 given"}, "normal(mean, sd)"},
      {"clamp(0.5, 0)", {"'clamp' takes 3 arguments, 2 given"}, "clamp(x, lo, hi)"},
      {"min(1)", {"'min' takes at least 2 arguments, 1 given"}, "min(a, b, ...)"},
      {"prev(rate, 1, 2)", {"'prev' takes 1 or 2 arguments, 3 given"}, "prev(x"},
      {"sqrt(1, 2)", {"'sqrt' takes 1 argument, 2 given"}, "sqrt(x)"},
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(k.expr);
    auto c = compile("measures:\n  rate:\n    value: " + k.expr + "\n");
    expect_only(c.diags, {5, 12, "rate", k.message, {"usage: " + k.usage}});
  }
}

TEST(PlanCompiler, InvalidConstantDistributionParametersAreLoadErrors) {
  struct Case {
    std::string expr;
    std::vector<std::string> message;
  };
  const std::vector<Case> cases = {
      {"normal(0, -1)", {"invalid parameters for normal()", "sd must be >= 0", "got -1"}},
      {"normal(0, 1 - 2)", {"invalid parameters for normal()", "sd must be >= 0", "got -1"}},
      {"lognormal(0, -0.5)", {"invalid parameters for lognormal()", "sigma must be >= 0", "got -0.5"}},
      {"uniform(2, 1)", {"invalid parameters for uniform()", "min must be <= max", "got 2 > 1"}},
      {"triangular(0, 2, 1)", {"invalid parameters for triangular()", "min <= mode <= max", "0, 2, 1"}},
      {"pert(1, 1, 1)", {"invalid parameters for pert()", "min < max", "1, 1, 1"}},
      {"beta(0, 1)", {"invalid parameters for beta()", "a must be > 0", "got 0"}},
      {"bernoulli(1.5)", {"invalid parameters for bernoulli()", "p must be in [0, 1]", "got 1.5"}},
      {"poisson(-1)", {"invalid parameters for poisson()", "lambda must be >= 0", "got -1"}},
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(k.expr);
    auto assumption = compile("assumptions:\n  x: " + k.expr + "\n");
    expect_only(assumption.diags, {4, 6, "x", k.message});
    // In a measure the draw is compiled for every period; reported once.
    auto measure = compile("measures:\n  m:\n    value: 1 + " + k.expr + "\n");
    expect_only(measure.diags, {5, 16, "m", k.message});
  }
}

TEST(PlanCompiler, VaryingDistributionParametersAreNotALoadError) {
  auto c = compile(R"(
assumptions:
  spread: uniform(-1, 1)
  x: normal(0, spread)
)");
  EXPECT_TRUE(c.diags.ok()) << c.diags.to_string();
}

TEST(PlanCompiler, DelayNeedsAConstantWholeNumberLag) {
  for (std::string lag : {"lag", "1.5", "-1"}) {
    SCOPED_TRACE(lag);
    auto c = compile(R"(
assumptions:
  lag: uniform(1, 2)
measures:
  rate: {baseline: 0.5}
  late:
    value: delay(rate, )" + lag + ")\n");
    expect_only(c.diags, {8, 24, "late", {"delay's second argument must be a constant whole number >= 0"},
                          {"delay(x, 2)"}});
  }
}

TEST(PlanCompiler, AggregationWithoutLocalUnitsIsAnError) {
  auto c = compile(R"(
measures:
  rate: {baseline: 0.5}
  national:
    value: total(rate)
)");
  expect_only(c.diags, {6, 12, "national", {"'total' aggregates over local units", "this plan has none"},
                        {"units"}});
}

TEST(PlanCompiler, ConstantDeliveryOutsideZeroToOneQuotesTheValue) {
  auto c = compile(R"(
actions:
  meet:
    delivery: 1.5
)");
  expect_only(c.diags, {5, 15, "meet", {"delivery is a probability", "[0, 1]", "got 1.5)"}});
}

TEST(PlanCompiler, ConstantLikelihoodExpressionOutsideZeroToOneQuotesTheValue) {
  auto c = compile(R"(
risks:
  late:
    likelihood: 0.5 + 0.7
)");
  expect_only(c.diags, {5, 17, "late", {"likelihood is a probability", "[0, 1]", "got 1.2)"}});
}

// ---- cycles ---------------------------------------------------------------------------

TEST(PlanCompiler, SamePeriodCycleNamesEveryNodeOnItInOrder) {
  // a feeds b, b feeds c, c feeds a.
  auto c = compile(R"(
measures:
  a:
    value: c + 1
  b:
    value: a + 1
  c:
    value: b + 1
)");
  expect_only(c.diags, {4, 3, "a", {"same-period cycle: a -> b -> c -> a"}, {"prev(x)"}});
}

TEST(PlanCompiler, SelfReferenceInTheSamePeriodIsACycle) {
  auto c = compile(R"(
measures:
  x:
    value: x + 1
)");
  expect_only(c.diags, {4, 3, "x", {"'x' depends on itself in the same period"}, {"prev(x)"}});

  // cum(x) includes the current period, so it reads x in the same period too.
  auto cum = compile("measures:\n  x:\n    value: cum(x)\n");
  expect_only(cum.diags, {4, 3, "x", {"'x' depends on itself in the same period"}});
}

TEST(PlanCompiler, CycleThroughAResourcesDemandIsReported) {
  // rate reads act; act needs hours; hours' demand reads rate.
  auto c = compile(R"(
resources:
  hours: {available: 100}
actions:
  act:
    needs: {hours: 10 * rate}
    due: 2003-06
measures:
  rate:
    baseline: 0.5
    value: 0.5 - 0.1 * act
)");
  expect_only(c.diags, {4, 3, "hours", {"same-period cycle: hours -> act -> rate -> hours"}});
}

TEST(PlanCompiler, LoopsThroughPrevAndDelayAreNotCycles) {
  auto c = compile(R"(
resources:
  hours: {available: 100}
actions:
  act:
    needs: {hours: 10 * prev(rate)}
    due: 2003-06
measures:
  rate:
    baseline: 0.5
    value: prev(rate) + 0.01 - 0.1 * act
  stock:
    value: delay(stock, 1) + 1
  a:
    value: prev(b) + 1
  b:
    value: a * 2
  c:
    value: prev(c, 2) + delay(c, 2)
targets:
  low: {measure: rate, at_most: 0.6}
)");
  EXPECT_TRUE(c.diags.ok()) << c.diags.to_string();
  EXPECT_NE(c.program, nullptr);
}

TEST(PlanCompiler, DelayByAConstantExpressionOfAtLeastOneMayCloseALoop) {
  // plan-format.md section 2: delay with k >= 1 reaches back in time, and k
  // is a constant (section 3: constants include arithmetic on numbers).
  auto c = compile(R"(
measures:
  stock:
    value: delay(stock, 2 - 1) + 1
)");
  EXPECT_TRUE(c.diags.ok()) << c.diags.to_string();
}

// ---- all at once --------------------------------------------------------------------

TEST(PlanCompiler, ReportsEveryExpressionMistakeInOneCompile) {
  auto c = compile(R"(
measures:
  spread:
    value: normal(0, -1)
  noisy:
    value: nromal(0, 1)
  clamped:
    value: clamp(1, 2)
)");
  ASSERT_EQ(c.diags.size(), 3u) << c.diags.to_string();
  const std::vector<rules::Diagnostic> found = by_line(c.diags);
  expect_diagnostic(found[0], {5, 12, "spread", {"sd must be >= 0"}});
  expect_diagnostic(found[1], {7, 12, "noisy", {"unknown function 'nromal'"}});
  expect_diagnostic(found[2], {9, 12, "clamped", {"'clamp' takes 3 arguments"}});
}

TEST(PlanCompiler, ReportsReferenceAndExpressionMistakesTogether) {
  // Five independent mistakes: three references, two expressions.
  auto c = compile(R"(
resources:
  hours: {available: 100}
actions:
  meet: {needs: {hourz: 5}}
measures:
  rate:
    value: cju_staf + 1
  spread:
    value: normal(0, -1)
  noisy:
    value: nromal(0, 1)
targets:
  low: {measure: rat, at_most: 0.4}
)");
  std::vector<int> lines;
  for (const auto& d : c.diags.list()) lines.push_back(d.pos.line);
  std::sort(lines.begin(), lines.end());
  EXPECT_EQ(lines, (std::vector<int>{6, 9, 11, 13, 15})) << c.diags.to_string();
}

// ---- what compiles ---------------------------------------------------------------------

TEST(PlanCompiler, CompilesAFullPlanWithCompositesAfterTheirParts) {
  auto c = load_and_compile(R"(plan: Full plan
horizon: {start: 2003-04, periods: 4, step: quarter}
settings: {confidence: 0.9, rag: {green: 0.7, amber: 0.4}}
assumptions:
  growth: normal(0.03, 0.02)
  sickness: {value: 'uniform(0.04, 0.07)', per: period}
  cut: [0, 0.03, 0.06, 0.1]
resources:
  hours: {available: 400 * (1 - sickness) * (1 - cut)}
actions:
  meet: {needs: {hours: 9}, due: 2003-06, delivery: 0.9 * funding}
risks:
  poor_files: {likelihood: H, impact: 0.03, mitigated_by: {meet: 0.5}}
measures:
  rate:
    baseline: 0.67
    value: prev(rate) + growth / 4 - 0.05 * meet + poor_files
    range: [0, 1]
targets:
  both: {all_of: [cut_rate, hold_rate]}
  cut_rate:
    measure: rate
    at_most: 0.5
    milestones:
      - {at_most: 0.6, by: 2003-10}
  hold_rate: {measure: rate, at_least: 0.1}
)");
  ASSERT_TRUE(c.diags.ok()) << c.diags.to_string();
  ASSERT_NE(c.program, nullptr);
  const Program& p = *c.program;
  EXPECT_EQ(p.title, "Full plan");
  EXPECT_EQ(p.periods, 4);
  EXPECT_EQ(p.period_labels, (std::vector<std::string>{"2003-04", "2003-07", "2003-10", "2004-01"}));
  EXPECT_DOUBLE_EQ(p.confidence, 0.9);
  EXPECT_DOUBLE_EQ(p.rag.green, 0.7);
  // Without units every instruction is in the first stage, period by period.
  EXPECT_EQ(p.local_begin, p.code.size());
  EXPECT_EQ(p.local_end, p.code.size());
  EXPECT_TRUE(std::is_sorted(p.code.begin(), p.code.end(),
                             [](const auto& a, const auto& b) { return a.period < b.period; }));
  EXPECT_EQ(p.code.back().period, 3u);
  EXPECT_GE(p.arrays, p.node_arrays);

  ASSERT_EQ(p.variants[0].targets.size(), 3u);
  // `both` is written first but listed after the targets it combines.
  EXPECT_EQ(p.variants[0].targets[2].id, "both");
  ASSERT_EQ(p.variants[0].targets[2].parts.size(), 2u);
  for (std::size_t part : p.variants[0].targets[2].parts) {
    EXPECT_LT(part, 2u);
    EXPECT_FALSE(p.variants[0].targets[part].composite());
  }
  const TargetOutput* cut = nullptr;
  for (const auto& t : p.variants[0].targets)
    if (t.id == "cut_rate") cut = &t;
  ASSERT_NE(cut, nullptr);
  EXPECT_EQ(cut->measure, "rate");
  EXPECT_DOUBLE_EQ(cut->threshold, 0.5);
  EXPECT_EQ(cut->by, 3);
  ASSERT_EQ(cut->milestones.size(), 1u);
  EXPECT_EQ(cut->milestones[0].by, 2);
  EXPECT_DOUBLE_EQ(cut->milestones[0].threshold, 0.6);

  ASSERT_EQ(p.variants[0].measures.size(), 1u);
  EXPECT_EQ(p.variants[0].measures[0].arrays.size(), 4u);
  EXPECT_EQ(cut->array, p.variants[0].measures[0].arrays[3]);
  EXPECT_EQ(cut->milestones[0].array, p.variants[0].measures[0].arrays[2]);
  ASSERT_EQ(p.variants[0].resources.size(), 1u);
  EXPECT_EQ(p.variants[0].resources[0].available.size(), 4u);
  EXPECT_EQ(p.variants[0].resources[0].demand.size(), 4u);
}

TEST(PlanCompiler, UpstreamOfFollowsEveryRoute) {
  // prev, needs (through the resource's cover), mitigations and responses all reach `m`.
  test::Checked c = compile(R"yaml(
assumptions:
  g: normal(0, 1)
  unrelated: normal(0, 1)
  h: 5
resources:
  hours: {available: h}
actions:
  act: {needs: {hours: 1}}
risks:
  r: {likelihood: 0.5, mitigated_by: {act: 0.5}}
measures:
  m: {value: prev(m) + g + r}
  other: {value: unrelated}
targets:
  low: {measure: m, at_most: 1}
)yaml");
  ASSERT_TRUE(c.plan);
  const std::set<std::string> up = upstream_of(*c.plan, {"m"});
  EXPECT_EQ(up, (std::set<std::string>{"m", "g", "r", "act", "hours", "h"}));
}

TEST(PlanCompiler, BaseNodesListTheBasePlansArraysByName) {
  test::Checked c = compile(R"yaml(
assumptions:
  g: normal(0, 1)
  noise: {value: "normal(0, 1)", per: period}
actions:
  act: {delivery: 0.5, due: 2003-06}
risks:
  r: {likelihood: 0.5, impact: "normal(1, 0.1)"}
measures:
  m: {value: g + noise + act + r}
targets:
  low: {measure: m, at_most: 1}
)yaml");
  ASSERT_TRUE(c.program);
  const auto& nodes = c.program->base_nodes;
  std::vector<std::string> names;
  for (const auto& n : nodes) names.push_back(n.id);
  EXPECT_EQ(names, (std::vector<std::string>{"act", "g", "m", "noise", "r"}));
  EXPECT_EQ(nodes[0].kind, NodeKind::kAction);
  EXPECT_EQ(nodes[0].value.size(), 1u);
  EXPECT_EQ(nodes[0].due, 0);
  EXPECT_EQ(nodes[1].value.size(), 1u);  // drawn once, held
  EXPECT_EQ(nodes[3].value.size(), 4u);  // drawn every period
  EXPECT_EQ(nodes[4].occurred.size(), 4u);
  EXPECT_GE(nodes[4].impact, 0);
}

TEST(PlanCompiler, AForcedActionMakesNoDeliveryDraw) {
  test::Checked c = test::load_only(with_head(R"yaml(
actions:
  act: {delivery: 0.5}
measures:
  m: {value: act}
targets:
  done: {measure: m, at_least: 1}
)yaml"));
  ASSERT_TRUE(c.plan && c.diags.ok());
  auto count_draws = [](const Program& p) {
    return std::count_if(p.code.begin(), p.code.end(), [](const rules::Instruction& in) { return in.op == rules::Op::kDraw; });
  };
  auto plain = compile_plan(*c.plan, c.diags);
  c.plan->actions[0].force = ActionForce::kDelivered;
  auto forced = compile_plan(*c.plan, c.diags);
  ASSERT_TRUE(plain && forced) << c.diags.to_string();
  EXPECT_EQ(count_draws(*plain), 1);
  EXPECT_EQ(count_draws(*forced), 0);
}

TEST(PlanCompiler, AVariantLimitedToWhatItNeedsComputesAndReportsLess) {
  test::Checked c = test::load_only(with_head(R"yaml(
resources:
  hours: {available: 10}
actions:
  act: {delivery: 0.5, needs: {hours: 1}}
measures:
  m1: {value: act}
  m2: {value: "act + normal(0, 1)"}
targets:
  t1: {measure: m1, at_least: 1}
)yaml"));
  ASSERT_TRUE(c.plan && c.diags.ok());
  auto forced = c.plan->clone();
  forced->actions[0].force = ActionForce::kDelivered;
  auto full = compile_variants({{"base", c.plan.get(), {}}, {"f", forced.get(), {"act"}}}, c.diags);
  auto trimmed = compile_variants(
      {{"base", c.plan.get(), {}}, {"f", forced.get(), {"act"}, upstream_of(*c.plan, {"m1"})}}, c.diags);
  ASSERT_TRUE(full && trimmed) << c.diags.to_string();
  EXPECT_LT(trimmed->code.size(), full->code.size());  // m2 is not recomputed
  ASSERT_EQ(trimmed->variants[1].targets.size(), 1u);
  EXPECT_NE(trimmed->variants[1].targets[0].array, trimmed->variants[0].targets[0].array);
  ASSERT_EQ(trimmed->variants[1].measures.size(), 1u);  // t1's measure only
  EXPECT_EQ(trimmed->variants[1].measures[0].id, "m1");
  EXPECT_TRUE(trimmed->variants[1].resources.empty());
  EXPECT_EQ(full->variants[1].measures.size(), 2u);
}

}  // namespace
}  // namespace plansim::graph
