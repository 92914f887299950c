// Ctrl-C during a run: exit code 130, a message, and no output file, both
// while the run is still allocating its kept values and while it runs.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "tests/cli/cli_fixture.h"

namespace plansim::testing_cli {
namespace {

class Interrupt : public CliTest {
 protected:
  // Starts `plansim ARGS` in the background, sends SIGINT after `delay`
  // seconds, and returns its exit code (stderr in stderr.txt).
  int interrupted_after(const std::string& args, const std::string& delay) {
    std::string script = "'";
    script += PLANSIM_BINARY;
    script += "' " + args + " 2>'" + path("stderr.txt") + "' & pid=$!; sleep " + delay +
              "; kill -INT $pid; wait $pid; echo $? >'" + path("code.txt") + "'";
    EXPECT_EQ(std::system(script.c_str()), 0);  // std::system runs it with sh
    return std::stoi(read(path("code.txt")));
  }
};

TEST_F(Interrupt, StopsWithCode130AndWritesNothing) {
  const std::string plan = std::string(PLANSIM_SOURCE_DIR) + "/examples/cps-area/plan.yaml";
  for (const char* delay : {"0.5", "1.5"}) {
    SCOPED_TRACE(delay);
    const std::string json = path("out.json");
    const int code = interrupted_after("run '" + plan + "' --samples 20000000 --threads 2 --no-history --quiet --json '" +
                                           json + "'",
                                       delay);
    EXPECT_EQ(code, 130) << read(path("stderr.txt"));
    EXPECT_NE(read(path("stderr.txt")).find("interrupted; nothing was written"), std::string::npos);
    EXPECT_FALSE(std::filesystem::exists(json));
  }
}

}  // namespace
}  // namespace plansim::testing_cli
