// Program: a plan compiled for the engine.
//
// The workspace of a block is `arrays` arrays of kBlockSize doubles: first
// the node arrays (a node's value in the periods it is needed), then the
// temporaries. `code` evaluates the periods in order, and within a period
// the nodes in dependency order (the base plan's, then each variant's
// changed nodes); `period_begin[t]` is the first instruction of period t.
// The outputs say which arrays the statistics read. A Program is immutable
// and may be shared by any number of concurrent runs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "graph/plan.h"
#include "rules/compiled.h"

namespace plansim::graph {

struct MeasureOutput {
  std::string id;
  std::string label;
  std::vector<std::int32_t> arrays;  // per period
};

struct ResourceOutput {
  std::string id;
  std::string label;
  std::vector<std::int32_t> available;  // per period
  std::vector<std::int32_t> demand;     // per period
};

struct MilestoneOutput {
  int by = 0;
  Direction direction = Direction::kAtMost;
  double threshold = 0.0;
  std::int32_t array = 0;  // the measure in period `by`
};

// Targets are listed so that every composite comes after its parts.
struct TargetOutput {
  std::string id;
  std::string label;
  // Measure targets
  std::string measure;
  Direction direction = Direction::kAtMost;
  double threshold = 0.0;
  int by = 0;
  std::int32_t array = -1;  // the measure in period `by`
  std::vector<MilestoneOutput> milestones;
  // Composite targets
  Combine combine = Combine::kNone;
  int at_least_count = 0;
  std::vector<std::size_t> parts;  // indices into Program::targets

  bool composite() const { return combine != Combine::kNone; }
};

// A management response's state: on (1) or off (0) in each period.
struct ResponseOutput {
  std::string id;     // "response#N"
  std::string label;
  std::vector<std::int32_t> on;  // per period
};

// What the statistics read for one variant of the plan: the base, a
// scenario, or a point of a sweep. Variants share every array of the nodes
// they do not change, so their draws are common random numbers.
struct VariantOutputs {
  std::string name;
  std::vector<TargetOutput> targets;
  std::vector<MeasureOutput> measures;
  std::vector<ResourceOutput> resources;
  std::vector<ResponseOutput> responses;
};

struct Program {
  std::string title;
  int periods = 1;
  std::vector<std::string> period_labels;
  double confidence = 0.8;
  RagThresholds rag;

  std::size_t node_arrays = 0;
  std::size_t arrays = 0;
  std::vector<rules::Instruction> code;
  std::vector<std::size_t> period_begin;  // periods + 1 entries
  std::vector<std::string> owners;        // node names, indexed by Instruction::owner

  std::vector<VariantOutputs> variants;   // variants[0] is the plan as written
};

}  // namespace plansim::graph
