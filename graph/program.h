// Program: a plan compiled for the engine.
//
// The workspace of a block is `arrays` arrays of kBlockSize doubles: first
// the node arrays (a node's value in the periods it is needed), then the
// temporaries. `code` has three stages: [0, local_begin) computes the
// plan-wide nodes that local nodes may read; [local_begin, local_end) runs
// once per unit, computing the local nodes of that unit (their arrays are
// reused unit after unit) and adding their contributions to the
// aggregations; [local_end, code.size()) computes the plan-wide nodes that
// read aggregations. Within a stage the periods come in order, and within a
// period the nodes in dependency order (the base plan's, then each
// variant's changed nodes).
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
  std::int32_t threshold_column = -1;
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
  std::int32_t threshold_column = -1;  // local targets: a column of ProgramUnits, else -1
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
  // Local nodes: their arrays hold one unit's values while the local stage
  // runs for that unit. Composite local targets combine parts of the same unit.
  std::vector<TargetOutput> local_targets;
  std::vector<MeasureOutput> local_measures;
  std::vector<ResourceOutput> local_resources;
};

// The units of section 9, as the engine needs them.
struct ProgramUnits {
  std::string name;                 // what one unit is called ("area")
  std::vector<std::string> ids;
  std::vector<std::uint64_t> keys;  // stable_hash(id): the unit's part of every local draw's key
  std::size_t columns = 0;          // values per unit: the table's columns, then derived ones
  std::vector<double> values;       // values[unit * columns + column]

  std::size_t count() const { return ids.size(); }
  const double* row(std::size_t unit) const { return values.data() + unit * columns; }
};

// Where one of the base plan's nodes keeps its values in a block, for
// analyses that read inputs per sample (plansim explain, seek): an
// assumption's value (one array held for every period, or one per period),
// a resource's available amount per period, an action's delivery (0 or 1,
// set in its due period), a risk's value per period, whether it has
// occurred by each period, and its impact (drawn once; kept where it has
// occurred), a measure's value per period. Local nodes' arrays hold the last
// unit's values after a block, so analyses skip them.
struct NodeArrays {
  std::string id;
  NodeKind kind = NodeKind::kAssumption;
  bool local = false;
  std::vector<std::int32_t> value;     // per period, or one for all periods
  std::vector<std::int32_t> occurred;  // risks, per period
  std::int32_t impact = -1;            // risks
  std::int32_t raw = -1;               // a per-plan assumption that responses change: its draw
  int due = 0;                         // actions

  std::int32_t at(int period) const {
    return value.size() == 1 ? value[0] : value[static_cast<std::size_t>(period)];
  }
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
  std::size_t local_begin = 0, local_end = 0;  // the stage run once per unit
  ProgramUnits units;                          // none when the plan has no units
  std::vector<std::string> owners;        // node names, indexed by Instruction::owner

  std::vector<VariantOutputs> variants;   // variants[0] is the plan as written
  std::vector<NodeArrays> base_nodes;     // variants[0]'s nodes but targets and responses, by name
};

}  // namespace plansim::graph
