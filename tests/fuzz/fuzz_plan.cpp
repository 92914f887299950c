// Fuzzes plan loading as `plansim check` does it: the YAML text is loaded
// (graph/plan_loader.h), compiled (graph/plan_compiler.h), and its
// dependency graph ordered and walked for the longest chain and the DOT
// output. Every diagnostic is formatted, as the command line prints them.
//
// The plan is named plan.yaml in a scratch folder holding areas.csv (the
// national roll-up example's units), so `units: {table: areas.csv}` loads.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "graph/dependency_graph.h"
#include "graph/plan_compiler.h"
#include "graph/plan_loader.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

std::string plan_path;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const auto& dir = plansim::fuzz::scratch_dir();
  std::filesystem::copy_file(plansim::fuzz::source_file("examples/national-roll-up/areas.csv"), dir / "areas.csv");
  plan_path = (dir / "plan.yaml").string();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace plansim;
  rules::Diagnostics diags;
  auto plan = graph::load_plan_text(std::string(reinterpret_cast<const char*>(data), size), plan_path, diags);
  if (!plan || !diags.ok()) {
    PLANSIM_FUZZ_CHECK(!diags.ok(), "a plan that does not load says why");
    const std::string messages = diags.to_string();
    return 0;
  }
  const std::vector<graph::VariantInput> inputs{{"base", plan.get(), {}}};
  const auto program = graph::compile_variants(inputs, diags);
  const std::string messages = diags.to_string();
  if (!program || !diags.ok()) {
    PLANSIM_FUZZ_CHECK(!diags.ok(), "a plan that does not compile says why");
    return 0;
  }
  const graph::DependencyGraph g = graph::build_dependency_graph(*plan);
  rules::Diagnostics order_diags;
  const auto order = graph::evaluation_order(g, *plan, order_diags);
  PLANSIM_FUZZ_CHECK(order.has_value(), "a compiled plan has an evaluation order");
  const std::vector<std::string> chain = graph::longest_chain(g, *order);
  const std::string dot = graph::to_dot(g, *plan);
  return 0;
}
