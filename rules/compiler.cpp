#include "rules/compiler.h"

#include <cassert>
#include <cmath>

#include "rules/functions.h"
#include "rules/suggest.h"

namespace plansim::rules {

std::int32_t CodeBuilder::new_temp() {
  if (!free_.empty()) {
    std::int32_t t = free_.back();
    free_.pop_back();
    return t;
  }
  return kTempBase + temps_high_++;
}

void CodeBuilder::release(const Operand& o) {
  if (o.array >= kTempBase) free_.push_back(o.array);
}

Operand CodeBuilder::op(Op op, Operand a, Operand b, Operand c, std::uint32_t owner) {
  const int n = arity(op);
  if (a.is_const() && (n < 2 || b.is_const()) && (n < 3 || c.is_const()))
    return Operand::constant(apply(op, a.value, b.value, c.value));
  auto unit_constant = [](const Operand& o) { return o.is_const() || o.is_column(); };
  if (columns_ && unit_constant(a) && (n < 2 || unit_constant(b)) && (n < 3 || unit_constant(c))) {
    auto at = [&](const Operand& o, std::size_t u) { return o.is_column() ? columns_->values[o.column][u] : o.value; };
    std::vector<double> folded(columns_->units);
    for (std::size_t u = 0; u < folded.size(); ++u) folded[u] = apply(op, at(a, u), at(b, u), at(c, u));
    return Operand::column_of(columns_->add(std::move(folded)));
  }
  Instruction in;
  in.op = op;
  in.a = a;
  in.b = b;
  in.c = c;
  in.owner = owner;
  in.period = period_;
  if (invariant_) {
    auto hoistable = [&](const Operand& o) { return o.is_const() || (o.array >= 0 && invariant_(o.array)); };
    if (hoistable(a) && (n < 2 || hoistable(b)) && (n < 3 || hoistable(c))) {
      // Only the operands the operation reads take part in the key.
      const Operand none = Operand::constant(0.0);
      const Operand& kb = n >= 2 ? b : none;
      const Operand& kc = n >= 3 ? c : none;
      auto key = std::make_tuple(op, a.array, a.value, kb.array, kb.value, kc.array, kc.value);
      auto [at, added] = hoisted_at_.emplace(key, 0);
      if (added) {
        in.dst = at->second = new_array_();
        hoisted_.push_back(in);
      }
      return Operand::at(at->second);
    }
  }
  release(a);
  if (n >= 2) release(b);
  if (n >= 3) release(c);
  in.dst = new_temp();  // after the releases: an operand's temporary may hold the result
  emit(in);
  return Operand::at(in.dst);
}

namespace {

void number_sites(const Expr& e, std::unordered_map<const Expr*, std::uint32_t>& out) {
  if (e.kind == ExprKind::kCall && find_distribution(e.name)) {
    auto next = static_cast<std::uint32_t>(out.size());
    out.emplace(&e, next);
  }
  for (const auto& a : e.args) number_sites(*a, out);
}

Op binary_op(BinaryOp b);

// The value of an expression made of numbers, operators and arithmetic
// functions only; nullopt when it reads anything else.
std::optional<double> fold_constant(const Expr& e) {
  std::vector<double> args;
  for (const auto& a : e.args) {
    auto v = fold_constant(*a);
    if (!v) return std::nullopt;
    args.push_back(*v);
  }
  args.resize(std::max<std::size_t>(args.size(), 3), 0.0);
  switch (e.kind) {
    case ExprKind::kNumber: return e.number;
    case ExprKind::kName: return std::nullopt;
    case ExprKind::kUnary: return apply(e.unary == UnaryOp::kNeg ? Op::kNeg : Op::kNot, args[0], 0, 0);
    case ExprKind::kBinary: return apply(binary_op(e.binary), args[0], args[1], 0);
    case ExprKind::kCall: break;
  }
  const FunctionInfo* f = find_function(e.name);
  if (!f || f->kind != FunctionKind::kMath || static_cast<int>(e.args.size()) < f->min_args) return std::nullopt;
  if (e.name == "min" || e.name == "max") {
    double acc = args[0];
    for (std::size_t i = 1; i < e.args.size(); ++i) acc = apply(e.name == "min" ? Op::kMin : Op::kMax, acc, args[i], 0);
    return acc;
  }
  static const std::pair<const char*, Op> kOps[] = {
      {"clamp", Op::kClamp}, {"if", Op::kIf},      {"pow", Op::kPow},   {"abs", Op::kAbs},  {"sqrt", Op::kSqrt},
      {"exp", Op::kExp},     {"log", Op::kLog},    {"floor", Op::kFloor}, {"ceil", Op::kCeil}, {"round", Op::kRound}};
  for (const auto& [name, op] : kOps)
    if (e.name == name) return apply(op, args[0], args[1], args[2]);
  return std::nullopt;
}

class Compiler {
 public:
  Compiler(const CompileContext& ctx, const std::unordered_map<const Expr*, std::uint32_t>& sites,
           NameResolver& names, CodeBuilder& code, Diagnostics& diags)
      : ctx_(ctx), sites_(sites), names_(names), code_(code), diags_(diags) {}

  Operand compile(const Expr& e, int period);

 private:
  void error(const Expr& e, std::string message, std::string hint = {}) {
    diags_.error(ctx_.file, e.pos, ctx_.node, std::move(message), std::move(hint));
  }

  Operand emit(Op op, Operand a, Operand b = {}, Operand c = {}) { return code_.op(op, a, b, c, ctx_.owner); }

  Operand call(const Expr& e, int period);
  Operand draw(const Expr& e, Distribution d, int period);
  Operand time_function(const Expr& e, int period);
  std::optional<long> constant_whole_number(const Expr& e);

  const CompileContext& ctx_;
  const std::unordered_map<const Expr*, std::uint32_t>& sites_;
  NameResolver& names_;
  CodeBuilder& code_;
  Diagnostics& diags_;
};

Op binary_op(BinaryOp b) {
  switch (b) {
    case BinaryOp::kAdd: return Op::kAdd;
    case BinaryOp::kSub: return Op::kSub;
    case BinaryOp::kMul: return Op::kMul;
    case BinaryOp::kDiv: return Op::kDiv;
    case BinaryOp::kPow: return Op::kPow;
    case BinaryOp::kLt: return Op::kLt;
    case BinaryOp::kLe: return Op::kLe;
    case BinaryOp::kGt: return Op::kGt;
    case BinaryOp::kGe: return Op::kGe;
    case BinaryOp::kEq: return Op::kEq;
    case BinaryOp::kNe: return Op::kNe;
    case BinaryOp::kAnd: return Op::kAnd;
    case BinaryOp::kOr: return Op::kOr;
  }
  return Op::kAdd;
}

Operand Compiler::compile(const Expr& e, int period) {
  switch (e.kind) {
    case ExprKind::kNumber:
      return Operand::constant(e.number);
    case ExprKind::kName: {
      if (e.name == "t") return Operand::constant(period);
      auto v = names_.value(e, period);
      return v ? *v : Operand::constant(kNaN);
    }
    case ExprKind::kUnary: {
      Operand a = compile(*e.args[0], period);
      return emit(e.unary == UnaryOp::kNeg ? Op::kNeg : Op::kNot, a);
    }
    case ExprKind::kBinary: {
      Operand a = compile(*e.args[0], period);
      Operand b = compile(*e.args[1], period);
      return emit(binary_op(e.binary), a, b);
    }
    case ExprKind::kCall:
      return call(e, period);
  }
  return Operand::constant(kNaN);
}

Operand Compiler::call(const Expr& e, int period) {
  const FunctionInfo* f = find_function(e.name);
  if (!f) {
    error(e, "unknown function '" + e.name + "'", did_you_mean(e.name, function_names()));
    return Operand::constant(kNaN);
  }
  int n = static_cast<int>(e.args.size());
  if (n < f->min_args || (f->max_args >= 0 && n > f->max_args)) {
    std::string expected = f->min_args == f->max_args ? std::to_string(f->min_args)
                           : f->max_args < 0          ? "at least " + std::to_string(f->min_args)
                                                      : std::to_string(f->min_args) + " or " +
                                                   std::to_string(f->max_args);
    error(e, "'" + e.name + "' takes " + expected + " argument" + (expected == "1" ? "" : "s") + ", " +
                 std::to_string(n) + " given",
          std::string("usage: ") + std::string(f->signature));
    return Operand::constant(kNaN);
  }
  switch (f->kind) {
    case FunctionKind::kDistribution:
      return draw(e, *find_distribution(e.name), period);
    case FunctionKind::kTime:
      return time_function(e, period);
    case FunctionKind::kAggregate: {
      auto v = names_.aggregate(e, period);
      return v ? *v : Operand::constant(kNaN);
    }
    case FunctionKind::kMath:
      break;
  }
  const std::string& name = e.name;
  if (name == "min" || name == "max") {
    Op op = name == "min" ? Op::kMin : Op::kMax;
    Operand acc = compile(*e.args[0], period);
    for (int i = 1; i < n; ++i) acc = emit(op, acc, compile(*e.args[static_cast<std::size_t>(i)], period));
    return acc;
  }
  std::vector<Operand> args;
  for (const auto& a : e.args) args.push_back(compile(*a, period));
  if (name == "clamp") return emit(Op::kClamp, args[0], args[1], args[2]);
  if (name == "if") return emit(Op::kIf, args[0], args[1], args[2]);
  if (name == "pow") return emit(Op::kPow, args[0], args[1]);
  static const std::pair<const char*, Op> kUnary[] = {{"abs", Op::kAbs},     {"sqrt", Op::kSqrt},
                                                      {"exp", Op::kExp},     {"log", Op::kLog},
                                                      {"floor", Op::kFloor}, {"ceil", Op::kCeil},
                                                      {"round", Op::kRound}};
  for (const auto& [fname, op] : kUnary)
    if (name == fname) return emit(op, args[0]);
  assert(false && "every arithmetic function of the table is compiled above");
  return Operand::constant(kNaN);
}

Operand Compiler::draw(const Expr& e, Distribution d, int period) {
  std::vector<Operand> params;
  bool constant = true;
  for (const auto& a : e.args) {
    params.push_back(compile(*a, period));
    constant = constant && params.back().is_const();
  }
  if (constant) {
    std::vector<double> values;
    for (const auto& p : params) values.push_back(p.value);
    std::string broken = check_parameters(d, values);
    if (!broken.empty()) {
      error(e, "invalid parameters for " + e.name + "(): " + broken);
      return Operand::constant(kNaN);
    }
  }
  // The destination is taken before the parameters are released, so a
  // sampler never writes over a parameter array it is still reading.
  Instruction in;
  in.op = Op::kDraw;
  in.dist = d;
  in.dst = code_.new_temp();
  for (const auto& p : params) code_.release(p);
  in.a = params.size() > 0 ? params[0] : Operand{};
  in.b = params.size() > 1 ? params[1] : Operand{};
  in.c = params.size() > 2 ? params[2] : Operand{};
  in.key_node = ctx_.key_node;
  auto site = sites_.find(&e);
  in.key_site = ctx_.site_base + (site == sites_.end() ? 0u : site->second);
  in.key_period = ctx_.draw_period ? *ctx_.draw_period : static_cast<std::uint32_t>(period);
  in.mask = ctx_.draw_mask;
  in.owner = ctx_.owner;
  in.stratify = ctx_.stratify;
  if (&e == ctx_.scored_call) {
    in.scores = ctx_.draw_scores;
    in.stratify = false;  // its uniforms come from the scores
  }
  code_.emit(in);
  return Operand::at(in.dst);
}

std::optional<long> Compiler::constant_whole_number(const Expr& e) {
  std::optional<double> k = fold_constant(e);
  if (!k || !(*k >= 0.0) || *k != std::floor(*k) || *k > 1e6) {
    error(e, "delay's second argument must be a constant whole number >= 0",
          "write e.g. delay(x, 2) for x two periods earlier");
    return std::nullopt;
  }
  return static_cast<long>(*k);
}

Operand Compiler::time_function(const Expr& e, int period) {
  const Expr& x = *e.args[0];
  if (e.name == "prev") {
    if (period > 0) return compile(x, period - 1);
    if (e.args.size() == 2) return compile(*e.args[1], period);
    if (x.kind == ExprKind::kName && x.name != "t") return names_.initial(x);
    return Operand::constant(0.0);
  }
  if (e.name == "delay") {
    auto k = constant_whole_number(*e.args[1]);
    if (!k) return Operand::constant(kNaN);
    if (period - *k < 0) return Operand::constant(0.0);
    return compile(x, static_cast<int>(period - *k));
  }
  // cum
  Operand acc = compile(x, 0);
  for (int s = 1; s <= period; ++s) acc = emit(Op::kAdd, acc, compile(x, s));
  return acc;
}

void collect_names(const Expr& e, bool same_period, std::vector<const Expr*>& out) {
  switch (e.kind) {
    case ExprKind::kNumber:
      return;
    case ExprKind::kName:
      if (e.name != "t") out.push_back(&e);
      return;
    case ExprKind::kUnary:
    case ExprKind::kBinary:
      for (const auto& a : e.args) collect_names(*a, same_period, out);
      return;
    case ExprKind::kCall:
      break;
  }
  if (same_period && !e.args.empty()) {
    if (e.name == "prev") {
      if (e.args.size() == 2) collect_names(*e.args[1], true, out);
      return;
    }
    if (e.name == "delay" && e.args.size() == 2) {
      // Only a literal lag >= 1 surely reads an earlier period; anything
      // else is treated as a same-period read, which is the safe side.
      std::optional<double> k = fold_constant(*e.args[1]);
      if (k && *k >= 1.0) return;
    }
  }
  for (const auto& a : e.args) collect_names(*a, same_period, out);
}

}  // namespace

std::unordered_map<const Expr*, std::uint32_t> number_draw_sites(const Expr& e) {
  std::unordered_map<const Expr*, std::uint32_t> out;
  number_sites(e, out);
  return out;
}

Operand compile(const Expr& e, int period, const CompileContext& ctx,
                const std::unordered_map<const Expr*, std::uint32_t>& sites, NameResolver& names,
                CodeBuilder& code, Diagnostics& diags) {
  return Compiler(ctx, sites, names, code, diags).compile(e, period);
}

void same_period_names(const Expr& e, std::vector<const Expr*>& out) { collect_names(e, true, out); }

void all_names(const Expr& e, std::vector<const Expr*>& out) { collect_names(e, false, out); }

}  // namespace plansim::rules
