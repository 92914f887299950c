#include "report/text_format.h"

#include <cmath>
#include <cstdio>

namespace plansim::report {

std::string fmt(const char* format, double v) {
  if (!std::isfinite(v)) return "n/a";
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string with_commas(std::uint64_t n) {
  const std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string shortened(const std::string& s, std::size_t n) {
  if (s.size() <= n) return s;
  std::string out = s.substr(0, n - 3);
  out += "...";
  return out;
}

}  // namespace plansim::report
