// Small text formatting shared by the tables, the charts and the history.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace plansim::report {

// `v` printed with a printf format ("%.3f"), or "n/a" when not finite.
std::string fmt(const char* format, double v);

// 180559 -> "180,559".
std::string with_commas(std::uint64_t n);

// Rows as aligned columns separated by two spaces; the columns in `right`
// are right-aligned. The first row is the header, underlined with '-'.
std::string aligned(const std::vector<std::vector<std::string>>& rows, const std::vector<std::size_t>& right);

// At most n characters, ending in "..." when cut.
std::string shortened(const std::string& s, std::size_t n);

}  // namespace plansim::report
