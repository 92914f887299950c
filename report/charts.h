// The HTML report's charts of results, each one inline SVG element (see
// report/svg.h): P(hit) bars, the distribution of a target's measure, fan
// charts of measures, resources per period, and the scenario comparison.
//
// Each function takes `id`, unique in the page (it prefixes the ids inside
// the chart), and returns the <svg> element's text. Nothing here reads the
// clock or the environment: the same input gives the same text.
#pragma once

#include <string>
#include <vector>

#include "graph/plan.h"
#include "sim/results.h"

namespace plansim::report {

// P(hit) on a 0-1 axis shaded by the RAG bands, as a bar with its 95%
// interval as whiskers and the value written beside it.
std::string hit_bar_svg(const std::string& id, const std::string& what, double p_hit, const sim::Interval& ci,
                        const graph::RagThresholds& rag);

// A target's measure in period `by` as a histogram built from its
// distribution (the quantiles at 1%, 3%, ..., 99%, so the middle 98% of
// samples), bars on the target's side of the threshold in the "hit"
// colour, the threshold and the achievable level marked. `by_label` is the
// period ("2004-01"). Returns "" when the distribution was not kept.
std::string distribution_svg(const std::string& id, const sim::TargetResult& t, const std::string& by_label,
                             double confidence);

// A target or milestone threshold to draw on a fan chart.
struct FanMarker {
  int period = 0;
  double threshold = 0.0;
  graph::Direction direction = graph::Direction::kAtMost;
  bool milestone = false;
  std::string text;  // "cut_cracked_trials <= 0.5"
};

// A measure over the periods: the 10-90% and 25-75% bands, the median as a
// line and the mean as dots, with target and milestone thresholds marked.
std::string fan_chart_svg(const std::string& id, const sim::MeasureResult& m, const std::vector<std::string>& periods,
                          const std::vector<FanMarker>& markers, const std::string& unit);

// A resource per period: mean available and mean demand as paired bars,
// P(short) written under each period.
std::string resource_svg(const std::string& id, const sim::ResourceResult& r, const std::vector<std::string>& periods,
                         const std::string& unit);

// One bar of a comparison: a scenario's P(hit) for one target and, for
// every scenario but the base, its change against the base.
struct ScenarioBar {
  std::string scenario;
  double p_hit = 0.0;
  sim::Interval ci;
  bool base = false;
  double delta = 0.0;
  sim::Interval delta_ci;
};

// P(hit) by scenario for one target, coloured by each scenario's RAG (the
// word written too), with the change against the base and its paired 95%
// interval beside each bar.
std::string comparison_svg(const std::string& id, const std::string& target, const std::vector<ScenarioBar>& bars,
                           const graph::RagThresholds& rag);

// "GREEN" | "AMBER" | "RED".
const char* rag_word(sim::Rag r);
// The RAG's colour and the colour of text written on it.
const char* rag_colour(sim::Rag r);
const char* rag_text_colour(sim::Rag r);

}  // namespace plansim::report
