// Fuzzes scenario loading as `plansim check PLAN --scenario FILE` does it:
// the input is written to a file (scenarios are read from files, following
// `extends`), loaded (scenarios/scenario.h), applied to the Probation Trust
// example's plan and compiled beside it. Every diagnostic is formatted.
//
// The file sits in a scratch folder beside copies of the example's scenario
// files, so `extends: sr10-four-years.yaml` and the like load.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "graph/plan_compiler.h"
#include "graph/plan_loader.h"
#include "scenarios/scenario.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

std::unique_ptr<plansim::graph::Plan> base;
std::string scenario_path;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  namespace fs = std::filesystem;
  const auto& dir = plansim::fuzz::scratch_dir();
  const fs::path example = plansim::fuzz::source_file("examples/probation-trust");
  for (const auto& entry : fs::directory_iterator(example / "scenarios"))
    fs::copy_file(entry.path(), dir / entry.path().filename());
  plansim::rules::Diagnostics diags;
  base = plansim::graph::load_plan_file((example / "plan.yaml").string(), diags);
  PLANSIM_FUZZ_CHECK(base && diags.ok(), "the example plan loads");
  scenario_path = (dir / "fuzz.yaml").string();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace plansim;
  fuzz::write_file(scenario_path, std::string_view(reinterpret_cast<const char*>(data), size));
  rules::Diagnostics diags;
  const auto scenario = scenarios::load_scenario_file(scenario_path, diags);
  if (!scenario) {
    PLANSIM_FUZZ_CHECK(!diags.ok(), "a scenario that does not load says why");
    const std::string messages = diags.to_string();
    return 0;
  }
  auto applied = scenarios::apply_scenario(*base, *scenario, diags);
  if (applied && diags.ok()) {
    const std::vector<graph::VariantInput> inputs{{"base", base.get(), {}},
                                                  {applied->name, applied->plan.get(), applied->changed}};
    const auto program = graph::compile_variants(inputs, diags);
    PLANSIM_FUZZ_CHECK(program || !diags.ok(), "a scenario that does not compile says why");
  } else {
    PLANSIM_FUZZ_CHECK(!diags.ok(), "a scenario that does not apply says why");
  }
  const std::string messages = diags.to_string();
  return 0;
}
