#include "rules/diagnostic.h"

#include <utility>

namespace plansim::rules {

std::string format(const Diagnostic& d) {
  std::string out = d.file;
  if (d.pos.line > 0) {
    if (!out.empty()) out += ':';
    out += std::to_string(d.pos.line);
    // A known line with an unknown column still says which line.
    if (d.pos.col > 0) {
      out += ':';
      out += std::to_string(d.pos.col);
    }
  }
  if (!out.empty()) out += ": ";
  out += "error: ";
  if (!d.node.empty()) {
    out += "node '";
    out += d.node;
    out += "': ";
  }
  out += d.message;
  if (!d.hint.empty()) {
    out += " (";
    out += d.hint;
    out += ')';
  }
  if (!d.excerpt.empty()) {
    out += '\n';
    // The excerpt is its own block of lines; a trailing newline would leave a blank one.
    std::string_view excerpt = d.excerpt;
    while (!excerpt.empty() && excerpt.back() == '\n') excerpt.remove_suffix(1);
    out += excerpt;
  }
  return out;
}

void Diagnostics::error(std::string file, SourcePos pos, std::string node, std::string message,
                        std::string hint) {
  Diagnostic d;
  d.file = std::move(file);
  d.pos = pos;
  d.node = std::move(node);
  d.message = std::move(message);
  d.hint = std::move(hint);
  list_.push_back(std::move(d));
}

std::string Diagnostics::to_string() const {
  std::string out;
  for (const Diagnostic& d : list_) {
    out += format(d);
    out += '\n';
  }
  return out;
}

void Diagnostics::append(const Diagnostics& other) {
  list_.insert(list_.end(), other.list_.begin(), other.list_.end());
}

}  // namespace plansim::rules
