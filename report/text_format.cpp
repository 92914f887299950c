#include "report/text_format.h"

#include <algorithm>
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

std::string aligned(const std::vector<std::vector<std::string>>& rows, const std::vector<std::size_t>& right) {
  std::vector<std::size_t> width(rows[0].size(), 0);
  for (const auto& r : rows)
    for (std::size_t c = 0; c < r.size(); ++c) width[c] = std::max(width[c], r[c].size());
  std::string out;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::string line;
    for (std::size_t c = 0; c < rows[i].size(); ++c) {
      const std::string& cell = rows[i][c];
      const std::string pad(width[c] - cell.size(), ' ');
      const bool r = std::find(right.begin(), right.end(), c) != right.end();
      line += r ? pad + cell : cell + pad;
      if (c + 1 < rows[i].size()) line += "  ";
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line;
    out += '\n';
    if (i == 0) {
      out += std::string(line.size(), '-');
      out += '\n';
    }
  }
  return out;
}

}  // namespace plansim::report
