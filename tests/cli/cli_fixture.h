// A fixture for tests that run the plansim binary: a fresh directory per
// test (so tests can run in parallel), files written into it, and the
// binary run with both output streams captured.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace plansim::testing_cli {

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("plansim_" + std::string(info->test_suite_name()) + "_" + std::string(info->name()) + "_" +
            std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    if (!HasFailure()) std::filesystem::remove_all(dir_, ec);
  }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path(name), std::ios::binary) << text;
    return path(name);
  }

  static std::string read(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }

  struct Result {
    int code = -1;
    std::string out;
    std::string err;
  };

  // Runs `plansim ARGS` (ARGS already quoted for the shell) and captures both streams.
  Result plansim(const std::string& args) const {
    const std::string out = path("stdout.txt"), err = path("stderr.txt");
    // Appended piece by piece: GCC 12 warns (-Wrestrict, wrongly) on "'" + std::string(...).
    std::string command = "'";
    command += PLANSIM_BINARY;
    command += "' " + args + " >'" + out + "' 2>'" + err + "' </dev/null";
    const int status = std::system(command.c_str());
    Result r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = read(out);
    r.err = read(err);
    return r;
  }

  static std::string quote(const std::string& s) { return "'" + s + "'"; }

  std::filesystem::path dir_;
};

}  // namespace plansim::testing_cli
