// What the fuzz targets share: a scratch folder of their own, and the
// sources' fixed inputs copied into it.
//
// A target must not treat a clean diagnostic as a failure: bad input that
// plansim reports is success. Only a crash, a sanitizer report, a failed
// check of an invariant (abort), a hang or running out of memory is a bug.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace plansim::fuzz {

// A folder made once per process under $TMPDIR (or /tmp). libFuzzer ends
// with _Exit, so nothing here can remove it: scripts/run-fuzzers.sh points
// TMPDIR into the build tree and empties that after each target.
inline const std::filesystem::path& scratch_dir() {
  static const std::filesystem::path dir = [] {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/plansim-fuzz-XXXXXX";
    if (!::mkdtemp(pattern.data())) {
      std::perror("plansim fuzz: cannot make a scratch folder");
      std::abort();
    }
    return std::filesystem::path(pattern);
  }();
  return dir;
}

inline void write_file(const std::filesystem::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  if (!out) {
    std::fprintf(stderr, "plansim fuzz: cannot write %s\n", path.c_str());
    std::abort();
  }
}

// A file of the source tree (examples/...), which the targets need to start.
inline std::filesystem::path source_file(const std::string& relative) {
  const std::filesystem::path path = std::filesystem::path(PLANSIM_SOURCE_DIR) / relative;
  if (!std::filesystem::exists(path)) {
    std::fprintf(stderr, "plansim fuzz: %s is missing; the targets read it from the source tree\n", path.c_str());
    std::abort();
  }
  return path;
}

// Fails the run, naming what broke, when an invariant does not hold.
#define PLANSIM_FUZZ_CHECK(condition, what)                                                     \
  do {                                                                                          \
    if (!(condition)) {                                                                         \
      std::fprintf(stderr, "plansim fuzz: invariant broken: %s (%s)\n", what, #condition); \
      std::abort();                                                                             \
    }                                                                                           \
  } while (0)

}  // namespace plansim::fuzz
