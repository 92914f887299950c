// The spending-review sweep: a grid of `set` values for one or more nodes,
// run as variants of the plan on common random numbers, and the points
// where a target's P(hit) crosses the RAG thresholds.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "graph/plan.h"
#include "sim/results.h"

namespace plansim::analysis {

// One --vary NODE=FROM:TO:STEP.
struct Vary {
  std::string node;
  double from = 0.0, to = 0.0, step = 0.0;
  // from, from + step, ... up to `to` (included when it falls on the grid),
  // each computed as from + i * step so no error accumulates.
  std::vector<double> values() const;
};

inline constexpr std::size_t kMaxGridPoints = 10000;

// Parses "cut=0:0.2:0.025"; on failure returns nullopt and says why in `error`.
std::optional<Vary> parse_vary(const std::string& spec, std::string& error);

struct GridPoint {
  std::vector<double> values;  // one per Vary
  std::string name;            // "cut=0.025 caseload_growth=0.06"
};

// Every combination, the first Vary varying slowest.
std::vector<GridPoint> grid(const std::vector<Vary>& varies);

// Where P(hit), as a function of one varied value, crosses a RAG threshold:
// by linear interpolation between the grid points around the first sign
// change, with an interval from where the 95% interval's bounds cross it.
struct Crossing {
  double threshold = 0.0;
  const char* turns = "";        // the rating P(hit) moves into as x grows past the crossing
  std::optional<double> at;      // nullopt: no crossing on the grid
  double lo = 0.0, hi = 0.0;     // the interval for `at`, clipped to the grid
};

std::vector<Crossing> rag_crossings(const std::vector<double>& x, const std::vector<double>& p_hit,
                                    const std::vector<sim::Interval>& ci95, const graph::RagThresholds& rag);

}  // namespace plansim::analysis
