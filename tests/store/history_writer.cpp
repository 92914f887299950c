// history_writer DB TAG COUNT PAYLOAD_BYTES
//
// Records COUNT runs (0: until killed) into the history database DB, each
// with a results JSON of about PAYLOAD_BYTES carrying its own checksum, and
// writes "ID\n" to standard output after each commit. The store's tests run
// two at once (concurrency) and kill them mid-write (durability).
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "tests/store/store_test_support.h"

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: history_writer DB TAG COUNT PAYLOAD_BYTES\n");
    return 2;
  }
  const std::string db = argv[1], tag = argv[2];
  const long count = std::strtol(argv[3], nullptr, 10);
  const auto bytes = static_cast<std::size_t>(std::strtoul(argv[4], nullptr, 10));
  std::string error;
  auto history = plansim::store::History::open(db, error);
  if (!history) {
    std::fprintf(stderr, "history_writer: %s\n", error.c_str());
    return 1;
  }
  try {
    for (long i = 0; count == 0 || i < count; ++i) {
      const std::int64_t id = history->record(plansim::store::testing::writer_record(tag, i, bytes));
      const std::string line = std::to_string(id) + "\n";
      if (::write(STDOUT_FILENO, line.data(), line.size()) < 0) return 1;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "history_writer: %s\n", e.what());
    return 1;
  }
  return 0;
}
