// Diagnostic: a user mistake as a value.
//
// Every error in a plan, a scenario or a data file is a Diagnostic carrying
// where it is (file, 1-based line and column), which node it concerns, what
// is wrong, and, when one is likely, a hint ("did you mean 'cju_staff'?").
// Loaders collect them in Diagnostics and keep going, so a user sees every
// mistake in a file at once. Bugs are not Diagnostics; they are assertions.
#pragma once

#include <string>
#include <vector>

namespace plansim::rules {

// A position in a source file: 1-based line and column; 0 means unknown.
struct SourcePos {
  int line = 0;
  int col = 0;
};

struct Diagnostic {
  std::string file;
  SourcePos pos;
  std::string node;     // the plan node concerned, empty when none
  std::string message;  // what is wrong
  std::string hint;     // how to fix it, empty when nothing useful to say
  std::string excerpt;  // optional source line with a caret under pos.col
};

// "file:line:col: error: node 'x': message (hint)" followed, when present,
// by the excerpt on its own lines.
std::string format(const Diagnostic& d);

// An ordered collection of Diagnostics. Not thread-safe.
class Diagnostics {
 public:
  void add(Diagnostic d) { list_.push_back(std::move(d)); }
  void error(std::string file, SourcePos pos, std::string node, std::string message,
             std::string hint = {});
  bool ok() const { return list_.empty(); }
  std::size_t size() const { return list_.size(); }
  const std::vector<Diagnostic>& list() const { return list_; }
  // Every diagnostic, formatted, one per line, in the order they were found.
  std::string to_string() const;
  void append(const Diagnostics& other);

 private:
  std::vector<Diagnostic> list_;
};

}  // namespace plansim::rules
