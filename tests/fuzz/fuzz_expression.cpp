// Fuzzes the expression parser (rules/parser.h) on arbitrary text.
//
// Each input is parsed twice, as a one-line expression without a file
// position and as a multi-line scalar at line 3, column 7, so both ways of
// placing diagnostics and excerpts run. A parsed expression must survive
// clone() and to_string(), and its canonical text, when it parses again
// (it may not: full parenthesisation can pass the nesting limit), must give
// the same text back.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "rules/ast.h"
#include "rules/parser.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using plansim::rules::Diagnostics;
using plansim::rules::ParseContext;
using plansim::rules::parse_expression;

void parse_once(std::string_view text, const ParseContext& ctx) {
  Diagnostics diags;
  const auto expr = parse_expression(text, ctx, diags);
  const std::string messages = diags.to_string();
  if (!expr) {
    PLANSIM_FUZZ_CHECK(diags.size() == 1, "a failed parse reports exactly one diagnostic");
    return;
  }
  PLANSIM_FUZZ_CHECK(diags.ok(), "a successful parse reports nothing");
  const std::string canonical = plansim::rules::to_string(*expr);
  PLANSIM_FUZZ_CHECK(plansim::rules::to_string(*expr->clone()) == canonical, "a clone prints as the original");
  Diagnostics again_diags;
  const auto again = parse_expression(canonical, ParseContext{}, again_diags);
  if (again)
    PLANSIM_FUZZ_CHECK(plansim::rules::to_string(*again) == canonical, "canonical text parses back to itself");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  ParseContext flat;
  flat.file = "fuzz.yaml";
  flat.node = "m";
  parse_once(text, flat);
  ParseContext placed = flat;
  placed.origin = {3, 7};
  placed.multiline_positions = true;
  parse_once(text, placed);
  return 0;
}
