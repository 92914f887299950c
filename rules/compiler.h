// Compiling one expression, for one period, into instructions.
//
// The compiler knows the language, not plans: what a name means is asked of
// a NameResolver, which the plan compiler (graph/plan_compiler.h) supplies.
// Because the period is known at compile time, `t` is a constant, and the
// time functions become plain reads of other periods:
//   prev(x)     -> x compiled for period t-1 (at t = 0: x's initial value, or
//                  prev's second argument when given);
//   delay(x, k) -> x compiled for period t-k (0 before the horizon); k is a
//                  constant whole number >= 0;
//   cum(x)      -> the sum of x compiled for periods 0..t.
// Every distribution call is one draw site, numbered by its position in the
// expression (pre-order), so its key does not depend on the period being
// compiled or on other expressions.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <tuple>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "rules/ast.h"
#include "rules/compiled.h"
#include "rules/diagnostic.h"

namespace plansim::rules {

// Temporary arrays are numbered from kTempBase until the program is laid
// out; then they are moved after the node arrays.
inline constexpr std::int32_t kTempBase = 1 << 28;

// Accumulates the instructions of a program and hands out temporaries.
class CodeBuilder {
 public:
  // With `columns`, operations on columns and constants fold into new
  // derived columns instead of emitting code.
  explicit CodeBuilder(UnitColumns* columns = nullptr) : columns_(columns) {}
  // The period stamped on the instructions emitted from now on.
  void set_period(int period) { period_ = static_cast<std::uint32_t>(period); }
  std::int32_t new_temp();
  void release(const Operand& o);
  void emit(Instruction in) {
    in.period = period_;
    code_.push_back(in);
  }
  // Emits `op` over the operands into a new temporary (releasing operands
  // that are temporaries), or folds it: to a constant when all operands are
  // constants, to a derived column when they are columns and constants.
  Operand op(Op op, Operand a, Operand b, Operand c, std::uint32_t owner);
  std::vector<Instruction>& code() { return code_; }
  std::int32_t temps_used() const { return temps_high_; }

  // Loop-invariant code motion for code that runs once per unit: while
  // hoisting, an operation whose operands are constants or invariant arrays
  // (the same for every unit: `1 - cut`) goes to hoisted() instead, into a
  // fresh array from new_array, so it runs once per block rather than once
  // per unit. Identical operations are hoisted once.
  void start_hoisting(std::function<bool(std::int32_t)> invariant, std::function<std::int32_t()> new_array) {
    invariant_ = std::move(invariant);
    new_array_ = std::move(new_array);
  }
  void stop_hoisting() { invariant_ = nullptr; }
  std::vector<Instruction>& hoisted() { return hoisted_; }

 private:
  std::vector<Instruction> code_;
  std::vector<std::int32_t> free_;
  std::int32_t temps_high_ = 0;
  UnitColumns* columns_ = nullptr;
  std::uint32_t period_ = 0;
  std::function<bool(std::int32_t)> invariant_;
  std::function<std::int32_t()> new_array_;
  std::vector<Instruction> hoisted_;
  std::map<std::tuple<Op, std::int32_t, double, std::int32_t, double, std::int32_t, double>, std::int32_t> hoisted_at_;
};

// What the compiler needs to know about names; implemented by the plan compiler.
class NameResolver {
 public:
  virtual ~NameResolver() = default;
  // The operand for `name` in `period`, or nullopt after reporting an error.
  virtual std::optional<Operand> value(const Expr& name, int period) = 0;
  // prev(name) at period 0, for a bare name: the node's initial value.
  virtual Operand initial(const Expr& name) = 0;
  // An aggregation call (total, average, ...): compile it, or report that it
  // is not allowed here.
  virtual std::optional<Operand> aggregate(const Expr& call, int period) = 0;
};

// Where the compiled expression belongs: for diagnostics and draw keys.
struct CompileContext {
  std::string file;
  std::string node;
  std::uint32_t owner = 0;     // node index, copied into every instruction
  std::uint64_t key_node = 0;  // stable hash of the node's name
  std::uint32_t site_base = 0;  // added to each draw's position (several expressions per node)
  // Period used in draw keys: the period compiled, or a fixed one for draws
  // made once per sample (then all periods share the draw).
  std::optional<std::uint32_t> draw_period;
  // When >= 0, every draw is masked by this array (Instruction::mask).
  std::int32_t draw_mask = -1;
  // The distribution call that takes its normal scores from draw_scores
  // (Instruction::scores), when not null.
  const Expr* scored_call = nullptr;
  std::int32_t draw_scores = -1;
  // Every draw is a once-per-sample draw of a per: plan assumption
  // (Instruction::stratify).
  bool stratify = false;
};

// The pre-order position of every distribution call in `e`.
std::unordered_map<const Expr*, std::uint32_t> number_draw_sites(const Expr& e);

// Compiles `e` for `period` and returns its operand (a constant when the
// whole expression folds). Reports unknown functions, wrong arities and
// invalid constant distribution parameters to `diags`.
Operand compile(const Expr& e, int period, const CompileContext& ctx,
                const std::unordered_map<const Expr*, std::uint32_t>& sites, NameResolver& names,
                CodeBuilder& code, Diagnostics& diags);

// Names `e` reads in its own period: outside time functions, in prev's
// second argument, in cum, and in delay(x, 0). These are the same-period
// dependency edges; names only under prev or delay(k >= 1) are not.
void same_period_names(const Expr& e, std::vector<const Expr*>& out);

// Every name `e` mentions, in any period (for reference checks).
void all_names(const Expr& e, std::vector<const Expr*>& out);

}  // namespace plansim::rules
