#include "report/text_table.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace plansim::report {
namespace {

std::string fmt(const char* f, double v) {
  if (!std::isfinite(v)) return "n/a";
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string level(double v) { return fmt("%.4g", v); }

// "[0.123, 0.456]", formatted in one go (GCC 12 warns falsely, -Wrestrict,
// about "[" + std::string).
std::string interval_text(const sim::Interval& i) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "[%.3f, %.3f]", i.lo, i.hi);
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

std::string rag_word(sim::Rag r) {
  switch (r) {
    case sim::Rag::kGreen: return "GREEN";
    case sim::Rag::kAmber: return "AMBER";
    case sim::Rag::kRed: return "RED";
  }
  return "";
}

std::string threshold(graph::Direction d, double v) {
  return (d == graph::Direction::kAtMost ? "<= " : ">= ") + level(v);
}

}  // namespace

std::string targets_table(const RunInfo& info, const sim::ScenarioResult& scenario, double confidence) {
  std::vector<std::vector<std::string>> rows;
  const std::string achievable = "achievable@" + fmt("%.0f", confidence * 100) + "%";
  rows.push_back({"target", "by", "threshold", "P(hit)", "95% interval", achievable, "RAG"});
  for (const auto& t : scenario.targets) {
    const std::string ci = interval_text(t.ci95);
    if (t.composite) {
      rows.push_back({t.id, "", "composite", fmt("%.3f", t.p_hit), ci, "", rag_word(t.rag)});
      continue;
    }
    rows.push_back({t.id, info.periods.at(static_cast<std::size_t>(t.by)), threshold(t.direction, t.threshold),
                    fmt("%.3f", t.p_hit), ci, level(t.achievable), rag_word(t.rag)});
    for (const auto& m : t.milestones)
      rows.push_back({"  milestone", info.periods.at(static_cast<std::size_t>(m.by)),
                      threshold(m.direction, m.threshold), fmt("%.3f", m.p_hit),
                      interval_text(m.ci95), "", ""});
  }
  std::vector<std::size_t> width(rows[0].size(), 0);
  for (const auto& r : rows)
    for (std::size_t c = 0; c < r.size(); ++c) width[c] = std::max(width[c], r[c].size());

  std::string out = info.plan_title + "\n";
  out += with_commas(info.samples) + " samples, seed " + std::to_string(info.seed) + ", " +
         std::to_string(info.periods.size()) + " periods from " + (info.periods.empty() ? "" : info.periods[0]) +
         ", scenario " + scenario.name + "\n\n";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::string line;
    for (std::size_t c = 0; c < rows[i].size(); ++c) {
      std::string cell = rows[i][c];
      bool numeric = c >= 3 && c <= 5;
      std::string pad(width[c] - cell.size(), ' ');
      line += (numeric ? pad + cell : cell + pad);
      if (c + 1 < rows[i].size()) line += "  ";
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
    if (i == 0) out += std::string(line.size(), '-') + "\n";
  }
  return out;
}

}  // namespace plansim::report
