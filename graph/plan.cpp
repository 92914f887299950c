#include "graph/plan.h"

#include <cstdio>

namespace plansim::graph {

int Horizon::months_per_period() const {
  switch (step) {
    case Step::kMonth: return 1;
    case Step::kQuarter: return 3;
    case Step::kYear: return 12;
  }
  return 1;
}

int Horizon::period_of(int year, int month) const {
  int offset = (year - start_year) * 12 + (month - start_month);
  if (offset < 0) return -1;
  int t = offset / months_per_period();
  return t < periods ? t : -1;
}

std::string Horizon::label(int t) const {
  int m = start_month - 1 + t * months_per_period();
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d", (start_year + m / 12) % 10000, m % 12 + 1);
  return buf;
}

std::string Horizon::end_label() const {
  int m = start_month - 1 + periods * months_per_period() - 1;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d", (start_year + m / 12) % 10000, m % 12 + 1);
  return buf;
}

const char* to_string(NodeKind k) {
  switch (k) {
    case NodeKind::kAssumption: return "assumption";
    case NodeKind::kResource: return "resource";
    case NodeKind::kAction: return "action";
    case NodeKind::kRisk: return "risk";
    case NodeKind::kMeasure: return "measure";
    case NodeKind::kTarget: return "target";
  }
  return "?";
}

const char* section_name(NodeKind k) {
  switch (k) {
    case NodeKind::kAssumption: return "assumptions";
    case NodeKind::kResource: return "resources";
    case NodeKind::kAction: return "actions";
    case NodeKind::kRisk: return "risks";
    case NodeKind::kMeasure: return "measures";
    case NodeKind::kTarget: return "targets";
  }
  return "?";
}

const char* to_string(Direction d) { return d == Direction::kAtMost ? "at_most" : "at_least"; }

const NodeInfo& Plan::info(const Ref& r) const {
  switch (r.kind) {
    case NodeKind::kAssumption: return assumptions[r.index].info;
    case NodeKind::kResource: return resources[r.index].info;
    case NodeKind::kAction: return actions[r.index].info;
    case NodeKind::kRisk: return risks[r.index].info;
    case NodeKind::kMeasure: return measures[r.index].info;
    case NodeKind::kTarget: return targets[r.index].info;
  }
  return assumptions.at(r.index).info;
}

std::vector<std::string> Plan::node_names() const {
  std::vector<std::string> names;
  names.reserve(index.size());
  for (const auto& [name, _] : index) names.push_back(name);
  return names;
}

}  // namespace plansim::graph
