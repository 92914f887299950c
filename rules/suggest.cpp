#include "rules/suggest.h"

#include <algorithm>

namespace plansim::rules {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Optimal string alignment: insertions, deletions, substitutions, and
  // swaps of two adjacent letters ("lgo" -> "log"), each one edit. Three
  // rows of the dynamic programme: row[j] is the distance between the
  // current prefix of a and the first j characters of b.
  if (a.size() < b.size()) std::swap(a, b);  // the shorter string sizes the rows
  std::vector<std::size_t> before(b.size() + 1), previous(b.size() + 1), current(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t substitute = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitute});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        current[j] = std::min(current[j], before[j - 2] + 1);
    }
    std::swap(before, previous);
    std::swap(previous, current);
  }
  return previous[b.size()];
}

std::optional<std::string> closest(std::string_view name,
                                   const std::vector<std::string>& candidates) {
  // A third of the name's length is wrong enough to still be a typo
  // ("nromal" -> "normal" is 2 edits); beyond that the guess misleads.
  const std::size_t limit = std::max<std::size_t>(1, name.size() / 3);
  const std::string* best = nullptr;
  std::size_t best_distance = limit + 1;
  for (const std::string& candidate : candidates) {
    // Lengths differing by more than the limit cannot be within it.
    const std::size_t gap = candidate.size() > name.size() ? candidate.size() - name.size()
                                                           : name.size() - candidate.size();
    if (gap > limit) continue;
    const std::size_t d = edit_distance(name, candidate);
    if (d < best_distance) {  // strict: ties keep the earlier candidate
      best = &candidate;
      best_distance = d;
    }
  }
  if (best == nullptr) return std::nullopt;
  return *best;
}

std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates) {
  const std::optional<std::string> best = closest(name, candidates);
  if (!best) return {};
  return "did you mean '" + *best + "'?";
}

}  // namespace plansim::rules
