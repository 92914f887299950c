// The `--report FILE.html` output: one self-contained HTML page of a run.
//
// The page needs nothing outside itself: CSS in one <style> element, charts
// as inline SVG drawn here (report/charts.h, report/plan_charts.h), no
// scripts, no external fonts (a system font stack), no links to anything
// but anchors in the page. It is written for a projector (large type, high
// contrast) and for paper (@media print: no background shading lost,
// sections kept whole where they fit). RAG ratings are badges with the word
// (GREEN, AMBER, RED) as well as the colour; every chart has a <title> and
// a <desc> that states its figures in words.
//
// Contents: a header (plan, scenarios, seed, samples, date, plansim
// version, plan hash, units); the targets table; per target, P(hit) with
// its interval and the distribution of its measure at `by` with the
// threshold; per local target, the units expected to hit it and a table of
// its units, least likely first; per measure, a fan chart with its targets
// and milestones; per local measure, a table of each unit's mean by period;
// per resource, available against demand and P(short); the risk register
// as a likelihood x impact heat map; with scenarios, P(hit) by scenario per
// target with the changes against the base, and per local target the units
// expected to hit it in each scenario; management responses; the
// dependency graph.
//
// Local targets and measures have one result per unit (sim/results.h):
// the targets table, the per-target cards, the fan charts and the counts
// are of plan-wide ones only. A unit table lists at most 200 units (the
// least likely to hit, for a target) and says how many more there are;
// the JSON and CSV outputs have them all.
//
// The page depends only on its input: no clock is read (the date shown is
// RunInfo::started_at), so the same run gives the same bytes.
#pragma once

#include <string>

#include "graph/plan.h"
#include "report/run_info.h"
#include "sim/results.h"

namespace plansim::report {

// What the report is made from; the referenced objects must outlive the call.
struct HtmlReportInput {
  const RunInfo& info;
  const sim::RunResult& result;
  const graph::Plan& plan;          // the base plan: risks, units, composites, the dependency graph
  const graph::RagThresholds& rag;  // the plan's (the program's) RAG thresholds
};

// The whole page, "<!DOCTYPE html>" to "</html>", UTF-8.
std::string html_report(const HtmlReportInput& in);

}  // namespace plansim::report
