// The plan model: what a plan file says, checked and with positions kept.
//
// A Plan is produced by load_plan() (graph/plan_loader.h) and is immutable
// afterwards. Expressions are kept as parsed trees; the plan compiler
// (graph/plan_compiler.h) turns them into a Program. Every node keeps the
// position of its name in the file for diagnostics.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rules/ast.h"
#include "rules/diagnostic.h"

namespace plansim::graph {

using ExprPtr = std::unique_ptr<rules::Expr>;

enum class Step { kMonth, kQuarter, kYear };

// The periods of a plan: `periods` steps of `step` from `start_year`-`start_month`.
struct Horizon {
  int start_year = 0;
  int start_month = 1;  // 1..12
  int periods = 1;
  Step step = Step::kQuarter;

  int months_per_period() const;
  // The period containing year-month, or -1 when it is outside the horizon.
  int period_of(int year, int month) const;
  // "YYYY-MM" of the first month of period t.
  std::string label(int t) const;
  // "YYYY-MM" of the horizon's last month.
  std::string end_label() const;
};

struct RagThresholds {
  double green = 0.8;  // P(hit) >= green: green
  double amber = 0.5;  // P(hit) >= amber: amber, else red
};

struct Settings {
  std::optional<std::uint64_t> samples;
  std::optional<std::uint64_t> seed;
  double confidence = 0.8;
  RagThresholds rag;
};

// kResponse: a management response (section 12). Responses have no name in
// the file; they are indexed as "response#N" (N from 1, in file order, the
// plan's before a scenario's), which no expression can spell.
enum class NodeKind { kAssumption, kResource, kAction, kRisk, kMeasure, kTarget, kResponse };
const char* to_string(NodeKind k);          // "assumption", ...
std::string with_article(NodeKind k);       // "an assumption", "a measure", ...
const char* section_name(NodeKind k);       // "assumptions", ...

// A scenario's `scale` and `shift` of a node: value * scale + shift, applied
// to the value its expression computes (for an action, to its delivery
// probability), before responses and a measure's range.
struct Adjustment {
  double scale = 1.0;
  double shift = 0.0;
  bool identity() const { return scale == 1.0 && shift == 0.0; }
};

// What every node carries.
struct NodeInfo {
  std::string name;
  NodeKind kind = NodeKind::kAssumption;
  std::string file;      // where the node (or the change to it) was written
  rules::SourcePos pos;  // of the node's name
  Adjustment adjust;
  std::string label;
  std::string owner;
  std::string unit;
  std::string notes;
  bool local = false;  // declared under `local:`: one copy per unit (section 9)
};

struct Assumption {
  NodeInfo info;
  bool per_period = false;      // `per: period`
  ExprPtr value;                // the value, or null when `path` is used
  std::vector<ExprPtr> path;    // one expression per period
};

struct Resource {
  NodeInfo info;
  ExprPtr available;
};

struct Need {
  std::string resource;
  rules::SourcePos pos;
  ExprPtr amount;  // per active period
};

// An action's delivery forced by a scenario (`force: {a: delivered}`, an
// extension) or by `plansim explain` for its "if delivered for certain"
// re-run: delivered (1) or not (0) at `due`, whatever its probability.
enum class ActionForce { kNone, kDelivered, kNotDelivered };

struct Action {
  NodeInfo info;
  std::vector<Need> needs;
  int from = 0;   // first active period
  int due = 0;    // delivered at the end of this period
  ExprPtr delivery;  // null: `funding`
  ActionForce force = ActionForce::kNone;
};

struct Mitigation {
  std::string action;
  rules::SourcePos pos;
  double factor = 1.0;
};

enum class Force { kNone, kOccurs, kNever };

struct Risk {
  NodeInfo info;
  Force force = Force::kNone;  // a scenario's `force`: occurs in period 0, or never
  ExprPtr likelihood;   // probability over the horizon (labels resolved to numbers)
  ExprPtr impact;       // null: 1
  std::vector<Mitigation> mitigated_by;
};

struct Measure {
  NodeInfo info;
  ExprPtr baseline;     // constant expression; null: 0
  ExprPtr value;        // null: the baseline
  std::optional<std::pair<double, double>> range;
};

enum class Direction { kAtMost, kAtLeast };
const char* to_string(Direction d);  // "at_most" | "at_least"

struct Milestone {
  rules::SourcePos pos;
  Direction direction = Direction::kAtMost;
  ExprPtr threshold;  // constant expression
  int by = 0;
};

enum class Combine { kNone, kAllOf, kAnyOf, kAtLeastOf };

struct TargetPart {
  std::string name;
  rules::SourcePos pos;
};

struct Target {
  NodeInfo info;
  // A measure target...
  std::string measure;
  rules::SourcePos measure_pos;
  Direction direction = Direction::kAtMost;
  ExprPtr threshold;
  int by = 0;
  std::vector<Milestone> milestones;
  // ...or a composite of other targets.
  Combine combine = Combine::kNone;
  int at_least_count = 0;
  std::vector<TargetPart> parts;

  bool composite() const { return combine != Combine::kNone; }
};

// A management response: while on, it adds to or scales the named nodes.
struct ResponseEffect {
  std::string node;
  rules::SourcePos pos;
  ExprPtr amount;  // added, or the factor
};

struct Response {
  NodeInfo info;  // name "response#N"; label as written
  ExprPtr when;
  std::vector<ResponseEffect> add;
  std::vector<ResponseEffect> scale;
  bool latch = false;  // once on, stays on
};

// The units of section 9: one row per unit, its id and numeric columns.
struct UnitTable {
  std::string name = "unit";   // what one unit is called ("area"), for messages and reports
  std::string source;          // the CSV file as written in the plan; empty for inline rows
  rules::SourcePos pos;        // of the `units:` key
  std::vector<std::string> columns;
  std::vector<std::string> ids;
  std::vector<std::vector<double>> values;  // values[column][unit]

  // The index of a column, or -1.
  int column(std::string_view name) const;
};

// One entry of `correlations` (section 10): the Spearman rank correlation
// of two `per: plan` assumptions whose value is a single distribution.
struct Correlation {
  std::string a, b;
  rules::SourcePos pos_a, pos_b;  // of the two names
  rules::SourcePos pos;           // of the entry
  double rank = 0.0;              // in [-1, 1]
};

struct Plan {
  std::string file;
  std::string text;  // the file's full text (hashing, history)
  std::string title;
  Horizon horizon;
  Settings settings;
  std::map<std::string, double> likelihood_scale;
  std::optional<UnitTable> units;

  std::vector<Assumption> assumptions;
  std::vector<Resource> resources;
  std::vector<Action> actions;
  std::vector<Risk> risks;
  std::vector<Measure> measures;
  std::vector<Target> targets;
  std::vector<Response> responses;
  std::vector<Correlation> correlations;

  // Every node by name: its kind and index in its section's vector.
  struct Ref {
    NodeKind kind;
    std::size_t index;
  };
  std::map<std::string, Ref, std::less<>> index;

  const NodeInfo& info(const Ref& r) const;
  NodeInfo& info(const Ref& r);
  // Names of the nodes an expression may read (not targets or responses).
  std::vector<std::string> node_names() const;
  // A deep copy (expressions included), for applying a scenario.
  std::unique_ptr<Plan> clone() const;
};

}  // namespace plansim::graph
