// The bad-input catalogue (tests/bad_inputs/README.md): every folder under
// tests/bad_inputs/ is one case, run through the real binary; its case.txt
// gives the arguments, the exit code and the phrases the message must hold.
// Large inputs (deep nesting, huge files, alias bombs, binary garbage) are
// generated into the case's temporary folder from a one-line description.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace plansim {
namespace {

namespace fs = std::filesystem;

// The catalogue's folder; PLANSIM_BAD_INPUTS_DIR overrides it (e.g. to try a
// folder of new cases without rebuilding).
fs::path catalogue_dir() {
  if (const char* dir = std::getenv("PLANSIM_BAD_INPUTS_DIR"); dir && *dir) return dir;
  return fs::path(PLANSIM_SOURCE_DIR) / "tests" / "bad_inputs";
}

constexpr const char* kDefaultArgs = "run plan.yaml --no-history --quiet --samples 2000";
constexpr int kDefaultTimeoutSeconds = 60;  // a hang detector, not a budget: cases take milliseconds

struct Generate {
  std::string file;     // written into the case's temporary folder
  std::string kind;     // see generate() below
  std::uint64_t n = 0;  // its size parameter
};

struct Case {
  std::string name;  // the folder's name
  fs::path dir;
  std::string what;  // the `what:` line: one sentence on the input
  std::vector<std::string> args;
  std::string args_text;
  int exit_code = -1;
  std::vector<std::string> expect;  // substrings of stdout + stderr
  std::vector<std::string> reject;  // substrings that must not appear
  std::vector<std::string> match;   // ECMAScript regular expressions searched in stdout + stderr
  std::vector<Generate> generate;
  int timeout_s = kDefaultTimeoutSeconds;
  std::string known_failure;  // the reason given in KNOWN_FAILURES, if listed there
  std::string parse_error;    // a mistake in case.txt itself
};

// How gtest prints a case in its messages: by name.
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

// Splits on spaces; '...' quotes a word that holds spaces (no escapes).
std::vector<std::string> split_args(const std::string& text, std::string& error) {
  std::vector<std::string> out;
  std::string word;
  bool in_word = false, quoted = false;
  for (char c : text) {
    if (quoted) {
      if (c == '\'') quoted = false;
      else word += c;
    } else if (c == '\'') {
      quoted = in_word = true;
    } else if (c == ' ' || c == '\t') {
      if (in_word) out.push_back(word);
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (quoted) error = "unclosed ' in args";
  if (in_word) out.push_back(word);
  return out;
}

std::map<std::string, std::string> known_failures() {
  std::map<std::string, std::string> out;
  std::ifstream in(catalogue_dir() / "KNOWN_FAILURES");
  std::string line;
  while (std::getline(in, line)) {
    line = trim(line);
    if (line.empty() || line[0] == '#') continue;
    const auto colon = line.find(':');
    if (colon == std::string::npos) out[line] = "(no reason given)";
    else out[trim(line.substr(0, colon))] = trim(line.substr(colon + 1));
  }
  return out;
}

Case read_case(const fs::path& dir, const std::map<std::string, std::string>& known) {
  Case c;
  c.name = dir.filename().string();
  c.dir = dir;
  c.args_text = kDefaultArgs;
  if (auto it = known.find(c.name); it != known.end()) c.known_failure = it->second;
  std::ifstream in(dir / "case.txt");
  if (!in) {
    c.parse_error = "no case.txt in " + dir.string();
    return c;
  }
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (trim(line).empty() || trim(line)[0] == '#') continue;
    const auto colon = line.find(':');
    if (colon == std::string::npos) {
      c.parse_error = "case.txt:" + std::to_string(number) + ": expected 'key: value'";
      return c;
    }
    const std::string key = trim(line.substr(0, colon));
    // Phrases keep their inner spaces; only the one space after ':' is dropped.
    std::string value = line.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.erase(0, 1);
    if (!value.empty() && value.back() == '\r') value.pop_back();
    if (key == "what") {
      c.what = trim(value);
    } else if (key == "args") {
      c.args_text = trim(value);
    } else if (key == "exit") {
      c.exit_code = std::atoi(trim(value).c_str());
    } else if (key == "expect") {
      c.expect.push_back(value);
    } else if (key == "reject") {
      c.reject.push_back(value);
    } else if (key == "match") {
      c.match.push_back(value);
    } else if (key == "timeout") {
      c.timeout_s = std::atoi(trim(value).c_str());
    } else if (key == "generate") {
      std::istringstream words(value);
      Generate g;
      if (!(words >> g.file >> g.kind >> g.n)) {
        c.parse_error = "case.txt:" + std::to_string(number) + ": generate: FILE KIND N";
        return c;
      }
      c.generate.push_back(g);
    } else {
      c.parse_error = "case.txt:" + std::to_string(number) + ": unknown key '" + key + "'";
      return c;
    }
  }
  std::string error;
  c.args = split_args(c.args_text, error);
  if (!error.empty()) c.parse_error = error;
  if (c.exit_code < 0 && c.parse_error.empty()) c.parse_error = "case.txt has no 'exit:'";
  return c;
}

std::vector<Case> all_cases() {
  std::vector<Case> out;
  std::error_code ec;
  const auto known = known_failures();
  for (const auto& entry : fs::directory_iterator(catalogue_dir(), ec))
    if (entry.is_directory()) out.push_back(read_case(entry.path(), known));
  std::sort(out.begin(), out.end(), [](const Case& a, const Case& b) { return a.name < b.name; });
  return out;
}

std::string repeat(const std::string& s, std::uint64_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (std::uint64_t i = 0; i < n; ++i) out += s;
  return out;
}

// The generated text for one `generate:` line. With a template FILE.in in the
// case's folder, the text replaces @GENERATED@ in it.
std::optional<std::string> generate(const Generate& g, std::string& error) {
  const std::uint64_t n = g.n;
  if (g.kind == "brackets") return repeat("[", n) + "1" + repeat("]", n);  // [[[1]]]
  if (g.kind == "open_brackets") return repeat("[", n);                   // never closed
  if (g.kind == "braces") return repeat("{a: ", n) + "1" + repeat("}", n);
  if (g.kind == "dashes") return repeat("- ", n) + "1";                   // nested block lists
  if (g.kind == "parens") return repeat("(", n) + "1" + repeat(")", n);
  if (g.kind == "minus") return repeat("-", n) + "1";
  if (g.kind == "sum") return n == 0 ? "0" : "1" + repeat(" + 1", n - 1);
  if (g.kind == "args") return n == 0 ? "max()" : "max(1" + repeat(", 1", n - 1) + ")";
  if (g.kind == "alias_bomb") {
    // The billion laughs: n levels, each a list of nine aliases of the level below.
    std::string out = "  lol0: &lol0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
    for (std::uint64_t i = 1; i < n; ++i) {
      const std::string prev = "*lol" + std::to_string(i - 1);
      out += "  lol" + std::to_string(i) + ": &lol" + std::to_string(i) + " [" + prev;
      for (int k = 1; k < 9; ++k) out += ", " + prev;
      out += "]\n";
    }
    return out;
  }
  if (g.kind == "garbage") {
    // n bytes from a fixed xorshift generator: the same garbage every run.
    std::string out(n, '\0');
    std::uint64_t x = 0x9E3779B97F4A7C15ULL;
    for (auto& ch : out) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      ch = static_cast<char>(x & 0xFF);
    }
    return out;
  }
  if (g.kind == "padding") {
    // About n bytes of YAML comment lines.
    const std::string line = "#" + std::string(78, 'x') + "\n";
    return repeat(line, n / line.size() + 1);
  }
  if (g.kind == "csv_rows") {
    std::string out;
    for (std::uint64_t i = 0; i < n; ++i) out += "unit" + std::to_string(i) + ",0.5,100\n";
    return out;
  }
  error = "unknown generator '" + g.kind + "'";
  return std::nullopt;
}

std::string read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Outcome {
  int exit_code = -1;  // -1 when killed by a signal
  int signal = 0;
  bool timed_out = false;
  std::string out, err;
  double seconds = 0;
};

// Runs the binary with `args` in `dir`, stdin from /dev/null, stdout and
// stderr to files, and kills it after `timeout_s` seconds.
Outcome run_binary(const fs::path& dir, const std::vector<std::string>& args, int timeout_s) {
  Outcome o;
  const fs::path out_file = dir / ".stdout", err_file = dir / ".stderr";
  std::vector<std::string> argv_s{PLANSIM_BINARY};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  // The environment, with no run history outside the case's folder.
  std::vector<std::string> env_s{"XDG_DATA_HOME=" + dir.string()};
  for (char** e = environ; *e; ++e)
    if (std::strncmp(*e, "XDG_DATA_HOME=", 14) != 0) env_s.emplace_back(*e);
  std::vector<char*> envp;
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (::chdir(dir.c_str()) != 0) ::_exit(126);
    const int in = ::open("/dev/null", O_RDONLY);
    const int out = ::open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || out < 0 || err < 0) ::_exit(126);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
    // A case that tries to expand an alias bomb or allocate per absurd sample
    // counts meets bad_alloc here instead of the shared machine's OOM killer.
    // (The sanitizers reserve terabytes of address space, so not under them.)
    const rlim_t limit = rlim_t{8} << 30;
    const rlimit rl{limit, limit};
    ::setrlimit(RLIMIT_AS, &rl);
#endif
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  if (pid < 0) {
    o.err = std::string("fork failed: ") + std::strerror(errno);
    return o;
  }
  int status = 0;
  const auto deadline = start + std::chrono::seconds(timeout_s);
  for (;;) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (std::chrono::steady_clock::now() > deadline) {
      o.timed_out = true;
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (WIFEXITED(status)) o.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) o.signal = WTERMSIG(status);
  o.out = read_file(out_file);
  o.err = read_file(err_file);
  return o;
}

std::string clip(const std::string& s, std::size_t max = 4000) {
  if (s.size() <= max) return s;
  return s.substr(0, max) + "\n... (" + std::to_string(s.size() - max) + " more bytes)";
}

class BadInput : public ::testing::TestWithParam<Case> {};

TEST_P(BadInput, Runs) {
  const Case& c = GetParam();
  ASSERT_TRUE(c.parse_error.empty()) << "case " << c.name << ": " << c.parse_error;
  const bool run_known = std::getenv("PLANSIM_BAD_INPUTS_RUN_KNOWN") != nullptr;
  if (!c.known_failure.empty() && !run_known)
    GTEST_SKIP() << "known failure (tests/bad_inputs/KNOWN_FAILURES): " << c.name << ": " << c.known_failure;

  // A fresh copy of the case's files (all but case.txt and templates) per run.
  const fs::path dir = fs::path(::testing::TempDir()) /
                       ("plansim_bad_inputs_" + c.name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  for (const auto& entry : fs::directory_iterator(c.dir)) {
    const std::string file = entry.path().filename().string();
    if (file == "case.txt" || entry.path().extension() == ".in") continue;
    fs::copy(entry.path(), dir / file, fs::copy_options::recursive);
  }
  for (const Generate& g : c.generate) {
    std::string error;
    std::optional<std::string> text = generate(g, error);
    ASSERT_TRUE(text) << "case " << c.name << ": " << error;
    const fs::path tmpl = c.dir / (g.file + ".in");
    if (fs::exists(tmpl)) {
      std::string whole = read_file(tmpl);
      const auto at = whole.find("@GENERATED@");
      ASSERT_NE(at, std::string::npos) << tmpl << " has no @GENERATED@";
      whole.replace(at, std::string("@GENERATED@").size(), *text);
      text = std::move(whole);
    }
    std::ofstream(dir / g.file, std::ios::binary) << *text;
  }

  const Outcome o = run_binary(dir, c.args, c.timeout_s);
  const std::string all = o.out + o.err;

  std::vector<std::string> problems;
  if (o.timed_out)
    problems.push_back("did not finish within " + std::to_string(c.timeout_s) + " s (a hang?) and was killed");
  else if (o.signal)
    problems.push_back("killed by signal " + std::to_string(o.signal) + " (" + strsignal(o.signal) + "): a crash");
  else if (o.exit_code != c.exit_code)
    problems.push_back("exit code " + std::to_string(o.exit_code) + ", expected " + std::to_string(c.exit_code));
  for (const auto& phrase : c.expect)
    if (all.find(phrase) == std::string::npos) problems.push_back("missing phrase: \"" + phrase + "\"");
  for (const auto& phrase : c.reject)
    if (all.find(phrase) != std::string::npos) problems.push_back("unwanted phrase: \"" + phrase + "\"");
  for (const auto& pattern : c.match) {
    try {
      if (!std::regex_search(all, std::regex(pattern, std::regex::ECMAScript)))
        problems.push_back("no match for /" + pattern + "/");
    } catch (const std::regex_error& e) {
      problems.push_back("bad regular expression /" + pattern + "/: " + e.what());
    }
  }
  // Whatever the case, a failure must say something, and never be an abort.
  if (!o.timed_out && o.exit_code != 0 && trim(o.err).empty()) problems.push_back("failed with nothing on stderr");
  for (const char* crash : {"terminate called", "Assertion", "AddressSanitizer", "runtime error:"})
    if (all.find(crash) != std::string::npos) problems.push_back(std::string("output shows a crash: ") + crash);

  if (problems.empty()) {
    std::error_code ec;
    fs::remove_all(dir, ec);
    return;
  }
  std::ostringstream report;
  report << "bad-input case " << c.name << (c.what.empty() ? "" : " (" + c.what + ")") << "\n"
         << "  command: plansim " << c.args_text << "   (in " << dir.string() << ", kept)\n"
         << "  expected: exit " << c.exit_code;
  for (const auto& phrase : c.expect) report << "\n    expect \"" << phrase << "\"";
  for (const auto& phrase : c.reject) report << "\n    reject \"" << phrase << "\"";
  for (const auto& pattern : c.match) report << "\n    match  /" << pattern << "/";
  report << "\n  actual: exit " << o.exit_code << (o.signal ? ", signal " + std::to_string(o.signal) : "")
         << " after " << o.seconds << " s\n";
  for (const auto& p : problems) report << "  PROBLEM: " << p << "\n";
  report << "  --- stdout ---\n" << clip(o.out) << "\n  --- stderr ---\n" << clip(o.err) << "\n";
  if (!c.known_failure.empty()) report << "  (listed in KNOWN_FAILURES: " << c.known_failure << ")\n";
  ADD_FAILURE() << report.str();
}

// gtest names allow letters, digits and '_'; folder names use the same.
std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  std::string name = info.param.name;
  for (char& ch : name)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(BadInputs, BadInput, ::testing::ValuesIn(all_cases()), case_name);

// The catalogue is found, every case is well formed, and every name in
// KNOWN_FAILURES is a case.
TEST(BadInputsCatalogue, IsComplete) {
  const std::vector<Case> cases = all_cases();
  EXPECT_GE(cases.size(), 60u) << "cases in " << catalogue_dir();
  for (const auto& c : cases) EXPECT_EQ(c.parse_error, "") << c.name;
  for (const auto& [name, reason] : known_failures())
    EXPECT_TRUE(std::any_of(cases.begin(), cases.end(), [&](const Case& c) { return c.name == name; }))
        << "KNOWN_FAILURES names '" << name << "', which is not a case";
}

}  // namespace
}  // namespace plansim
