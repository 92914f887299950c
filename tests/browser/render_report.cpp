// The browser test's driver: runs a plan with its scenarios in process and
// writes the HTML report and the run's JSON (whose target labels the
// browser check looks for). It stands in for `plansim run --report` so the
// browser test does not depend on the command line's options.
//
//   plansim_render_report PLAN OUT.html OUT.json [SCENARIO.yaml]...
#include <ctime>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "report/html_report.h"
#include "report/json_report.h"
#include "tests/report/example_run.h"

namespace {

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

bool write(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.flush();
  if (!out) std::cerr << "error: cannot write " << path << "\n";
  return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: plansim_render_report PLAN OUT.html OUT.json [SCENARIO.yaml]...\n";
    return 2;
  }
  try {
    const std::vector<std::string> scenarios(argv + 4, argv + argc);
    using plansim::report::test::run_example;
    const auto run = run_example(argv[1], scenarios, 0, utc_now(), PLANSIM_VERSION);
    const std::string html = plansim::report::html_report({run.info, run.result, *run.plan, run.program->rag});
    const std::string json = plansim::report::run_json(run.info, run.result, run.program->confidence).dump(2) + "\n";
    if (!write(argv[2], html) || !write(argv[3], json)) return 3;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 3;
  }
  return 0;
}
