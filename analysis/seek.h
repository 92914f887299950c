// `plansim seek`: the smallest change to one node that lifts a target's
// P(hit) to a confidence (issue #5, part 3).
//
// The change is a scenario's `scale` (value * s) or `shift` (value + s) of
// a resource's available amount, an assumption's value or an action's
// delivery probability. Every evaluation re-runs the plan with the same
// seed, so all of them share their random numbers (common random numbers)
// and P(hit) moves smoothly, and almost always monotonically, with the
// change: bisection on it is stable.
//
// The search:
//   1. evaluates the plan as written (scale 1, shift 0) and both ends of the
//      range. An end where the plan fails (a delivery probability pushed
//      outside [0, 1] gives NaN or a compile error) is pulled in, by
//      bisection, to the last value where it runs;
//   2. the end with the higher P(hit) gives the direction: the search moves
//      the node the way that raises P(hit) (for a node that hurts the target,
//      a negative shift or a scale below 1). With the two ends equal the
//      change does not move P(hit);
//   3. if even the better end misses the confidence, the answer is "not
//      reachable" with the best P(hit) found; if even the worse end meets
//      it, "met throughout the range";
//   4. otherwise bisection brackets three crossings of the confidence, each
//      to a tolerance of 20% of the answer's interval (at least 1e-6 of the
//      range): P(hit) itself, which gives the answer (the evaluated change
//      nearest the crossing on the side that reaches it) and, by linear
//      interpolation, the crossing; and the lower and upper bounds of
//      P(hit)'s 95% Wilson interval, whose crossings give the answer's 95%
//      interval (as analysis/sweep's rag_crossings does for a grid). An end
//      of that interval that falls outside the range is clipped to it.
// When the plan as written already meets the confidence the same crossing is
// the change the target can absorb: how far the node can fall (or the
// shift can go the wrong way) before P(hit) drops below the confidence.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "graph/plan.h"
#include "sim/results.h"

namespace plansim::analysis {

enum class SeekBy { kScale, kShift };
const char* to_string(SeekBy by);          // "scale" | "shift"
double identity(SeekBy by);                // 1 for scale, 0 for shift

// One evaluation of the plan with the node changed.
struct SeekPoint {
  double change = 0.0;    // the scale factor or the shift
  double p_hit = 0.0;
  sim::Interval ci95;
  double node_mean = 0.0; // the node's mean value with the change (NaN when not measured)
  bool valid = true;      // false: the plan fails with this change
  std::string why;        // ...and why
};

using Evaluate = std::function<SeekPoint(double change)>;

struct SeekOptions {
  SeekBy by = SeekBy::kScale;
  double confidence = 0.8;
  double lo = 0.0, hi = 10.0;  // must contain identity(by)
  int max_runs = 60;
  std::optional<SeekPoint> plan;  // the plan as written, when already evaluated
};

enum class SeekOutcome { kFound, kNotReachable, kMetThroughout, kPlanFails };
const char* to_string(SeekOutcome o);  // "found" | "not_reachable" | "met_throughout" | "plan_fails"

struct SeekResult {
  SeekOutcome outcome = SeekOutcome::kFound;
  bool increasing = true;      // P(hit) rises as the change grows
  bool already_met = false;    // the plan as written meets the confidence
  SeekPoint plan;              // the plan as written
  SeekPoint answer;            // kFound: the evaluated change nearest the crossing that reaches it
  double crossing = 0.0;       // kFound: where P(hit) crosses the confidence (interpolated)
  sim::Interval ci95;          // kFound: the 95% interval for the crossing (lo <= hi)
  bool lo_clipped = false, hi_clipped = false;  // an end of ci95 is an end of the range
  SeekPoint best;              // the highest P(hit) found (kNotReachable)
  SeekPoint worst;             // the lowest (kMetThroughout)
  double lo = 0.0, hi = 0.0;   // the range searched, after pulling in ends where the plan fails
  int runs = 0;                // evaluations made (the plan as written included)
  std::vector<SeekPoint> points;  // every evaluation, in order
};

// nullopt with `error` when the range does not contain identity(by) or the
// confidence is not in (0, 1).
std::optional<SeekResult> seek(const Evaluate& evaluate, const SeekOptions& options, std::string& error);

// Parses "LO:HI" (numbers, LO < HI); nullopt with `error` otherwise.
std::optional<std::pair<double, double>> parse_range(const std::string& text, std::string& error);

// The plan with `node` scaled or shifted by `change` on top of any change a
// scenario made (as a scenario's scale and shift combine).
std::unique_ptr<graph::Plan> adjusted_plan(const graph::Plan& plan, const std::string& node, SeekBy by, double change);

}  // namespace plansim::analysis
