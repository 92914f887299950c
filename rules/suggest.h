// "Did you mean ...?": the closest known name to a misspelt one.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace plansim::rules {

// Edit distance between a and b: insertions, deletions, substitutions and
// swaps of adjacent letters (optimal string alignment).
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate nearest to `name`, if it is close enough to be a plausible
// typo: distance <= max(1, name.size() / 3). Ties go to the earlier candidate.
std::optional<std::string> closest(std::string_view name, const std::vector<std::string>& candidates);

// "did you mean 'x'?" or empty when there is no plausible candidate.
std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace plansim::rules
