#include "report/plan_charts.h"

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <cmath>
#include <cstdio>
#include <map>

#include "graph/dependency_graph.h"
#include "report/svg.h"

namespace plansim::report {
namespace {

constexpr double kFont = 15.0;
constexpr const char* kHalo = "stroke=\"#ffffff\" stroke-width=\"4\" stroke-linejoin=\"round\" paint-order=\"stroke\"";

std::string fill(const char* colour) {
  std::string s = "fill=\"";
  s += colour;
  s += "\"";
  return s;
}

// The mean of a distribution given its parameters' values.
std::optional<double> distribution_mean(const std::string& name, const std::vector<double>& a) {
  if (name == "normal" && a.size() == 2) return a[0];
  if (name == "lognormal" && a.size() == 2) return std::exp(a[0] + a[1] * a[1] / 2);
  if (name == "uniform" && a.size() == 2) return (a[0] + a[1]) / 2;
  if (name == "triangular" && a.size() == 3) return (a[0] + a[1] + a[2]) / 3;
  if (name == "pert" && a.size() == 3) return (a[0] + 4 * a[1] + a[2]) / 6;
  if (name == "beta" && a.size() == 2 && a[0] + a[1] > 0) return a[0] / (a[0] + a[1]);
  if (name == "bernoulli" && a.size() == 1) return a[0];
  if (name == "poisson" && a.size() == 1) return a[0];
  return std::nullopt;
}

// A math function of constant arguments.
std::optional<double> math_call(const std::string& name, const std::vector<double>& a) {
  if (a.empty()) return std::nullopt;
  if (name == "min") return *std::min_element(a.begin(), a.end());
  if (name == "max") return *std::max_element(a.begin(), a.end());
  if (a.size() == 1) {
    const double x = a[0];
    if (name == "abs") return std::fabs(x);
    if (name == "sqrt") return std::sqrt(x);
    if (name == "exp") return std::exp(x);
    if (name == "log") return std::log(x);
    if (name == "floor") return std::floor(x);
    if (name == "ceil") return std::ceil(x);
    if (name == "round") return std::round(x);
  }
  if (name == "pow" && a.size() == 2) return std::pow(a[0], a[1]);
  if (name == "clamp" && a.size() == 3) return std::clamp(a[0], std::min(a[1], a[2]), std::max(a[1], a[2]));
  return std::nullopt;
}

// The value of a constant expression (numbers, arithmetic, math functions).
std::optional<double> constant_value(const rules::Expr& e) {
  switch (e.kind) {
    case rules::ExprKind::kNumber: return e.number;
    case rules::ExprKind::kName: return std::nullopt;
    case rules::ExprKind::kUnary: {
      if (e.unary != rules::UnaryOp::kNeg || e.args.size() != 1) return std::nullopt;
      auto v = constant_value(*e.args[0]);
      return v ? std::optional<double>(-*v) : std::nullopt;
    }
    case rules::ExprKind::kBinary: {
      if (e.args.size() != 2) return std::nullopt;
      auto a = constant_value(*e.args[0]), b = constant_value(*e.args[1]);
      if (!a || !b) return std::nullopt;
      switch (e.binary) {
        case rules::BinaryOp::kAdd: return *a + *b;
        case rules::BinaryOp::kSub: return *a - *b;
        case rules::BinaryOp::kMul: return *a * *b;
        case rules::BinaryOp::kDiv: return *b != 0 ? std::optional<double>(*a / *b) : std::nullopt;
        case rules::BinaryOp::kPow: return std::pow(*a, *b);
        default: return std::nullopt;
      }
    }
    case rules::ExprKind::kCall: {
      std::vector<double> args;
      for (const auto& arg : e.args) {
        auto v = constant_value(*arg);
        if (!v) return std::nullopt;
        args.push_back(*v);
      }
      return math_call(e.name, args);
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<double> representative_value(const rules::Expr& e, bool& random) {
  if (auto v = constant_value(e)) return std::isfinite(*v) ? v : std::nullopt;
  switch (e.kind) {
    case rules::ExprKind::kUnary: {
      if (e.unary != rules::UnaryOp::kNeg || e.args.size() != 1) return std::nullopt;
      auto v = representative_value(*e.args[0], random);
      return v ? std::optional<double>(-*v) : std::nullopt;
    }
    case rules::ExprKind::kBinary: {
      if (e.args.size() != 2) return std::nullopt;
      const auto op = e.binary;
      if (op == rules::BinaryOp::kAdd || op == rules::BinaryOp::kSub) {
        auto a = representative_value(*e.args[0], random), b = representative_value(*e.args[1], random);
        if (!a || !b) return std::nullopt;
        return op == rules::BinaryOp::kAdd ? *a + *b : *a - *b;
      }
      // A constant times (or over) a random quantity: the mean scales.
      if (op == rules::BinaryOp::kMul) {
        if (auto c = constant_value(*e.args[0])) {
          auto v = representative_value(*e.args[1], random);
          return v ? std::optional<double>(*c * *v) : std::nullopt;
        }
        if (auto c = constant_value(*e.args[1])) {
          auto v = representative_value(*e.args[0], random);
          return v ? std::optional<double>(*c * *v) : std::nullopt;
        }
        return std::nullopt;
      }
      if (op == rules::BinaryOp::kDiv) {
        auto c = constant_value(*e.args[1]);
        if (!c || *c == 0) return std::nullopt;
        auto v = representative_value(*e.args[0], random);
        return v ? std::optional<double>(*v / *c) : std::nullopt;
      }
      return std::nullopt;
    }
    case rules::ExprKind::kCall: {
      std::vector<double> args;
      for (const auto& arg : e.args) {
        auto v = constant_value(*arg);
        if (!v) return std::nullopt;
        args.push_back(*v);
      }
      auto mean = distribution_mean(e.name, args);
      if (mean && std::isfinite(*mean)) {
        random = true;
        return mean;
      }
      return std::nullopt;
    }
    default: return std::nullopt;
  }
}

std::vector<RiskPoint> risk_points(const graph::Plan& plan) {
  std::vector<std::pair<std::string, double>> scale(plan.likelihood_scale.begin(), plan.likelihood_scale.end());
  std::sort(scale.begin(), scale.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
  std::vector<RiskPoint> out;
  for (const auto& r : plan.risks) {
    RiskPoint p;
    p.id = r.info.name;
    p.label = r.info.label;
    p.owner = r.info.owner;
    if (r.likelihood) p.likelihood = constant_value(*r.likelihood);
    if (p.likelihood && !std::isfinite(*p.likelihood)) p.likelihood.reset();
    if (p.likelihood && !scale.empty()) {
      // The nearest label of the scale (the higher one on a tie).
      double best = INFINITY;
      for (const auto& [name, value] : scale)
        if (std::fabs(value - *p.likelihood) <= best) {
          best = std::fabs(value - *p.likelihood);
          p.band = name;
        }
    }
    if (!r.impact) {
      p.impact = 1.0;
      p.impact_how = "1 (no impact given)";
    } else {
      bool random = false;
      p.impact = representative_value(*r.impact, random);
      if (!p.impact)
        p.impact_how = "varies: " + rules::to_string(*r.impact);
      else
        p.impact_how = random ? "mean of " + rules::to_string(*r.impact) : "constant";
    }
    for (const auto& m : r.mitigated_by) p.mitigated_by.push_back({m.action, m.factor});
    out.push_back(std::move(p));
  }
  return out;
}

// ---- risk heat map --------------------------------------------------------------

namespace {

// Colour of a heat-map cell: from a green tint (low likelihood and impact)
// through amber to a red tint, at s in [0, 1].
std::string heat_colour(double s) {
  struct Rgb {
    double r, g, b;
  };
  const Rgb stops[] = {{0xdc, 0xef, 0xe0}, {0xfb, 0xef, 0xcc}, {0xf4, 0xc7, 0xc3}};
  s = std::clamp(s, 0.0, 1.0);
  const double f = s < 0.5 ? s / 0.5 : (s - 0.5) / 0.5;
  const Rgb& a = s < 0.5 ? stops[0] : stops[1];
  const Rgb& b = s < 0.5 ? stops[1] : stops[2];
  char buf[16];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", static_cast<int>(std::lround(a.r + (b.r - a.r) * f)),
                static_cast<int>(std::lround(a.g + (b.g - a.g) * f)), static_cast<int>(std::lround(a.b + (b.b - a.b) * f)));
  return buf;
}

struct Box {
  double x0, y0, x1, y1;
  bool overlaps(const Box& o) const { return x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1; }
};

}  // namespace

std::string risk_heat_map_svg(const std::string& id, const graph::Plan& plan, const std::vector<RiskPoint>& risks) {
  if (risks.empty()) return "";
  std::vector<std::pair<std::string, double>> scale(plan.likelihood_scale.begin(), plan.likelihood_scale.end());
  std::sort(scale.begin(), scale.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
  if (scale.empty()) scale = {{"", 0.5}};

  double max_impact = 0, min_impact = 0;
  bool any_varies = false;
  for (const auto& r : risks) {
    if (!r.likelihood) continue;
    if (r.impact) {
      max_impact = std::max(max_impact, *r.impact);
      min_impact = std::min(min_impact, *r.impact);
    } else {
      any_varies = true;
    }
  }
  const Ticks ticks = nice_ticks(min_impact, max_impact > min_impact ? max_impact * 1.04 : min_impact + 1, 5);
  const std::size_t columns = ticks.values.size() - 1;
  const std::size_t rows = scale.size();

  const double left = 150, top = 20, row_h = 92, cell_w_total = 680;
  const double varies_w = any_varies ? 130 : 0;
  const double plot_right = left + cell_w_total;
  // Room on the right for the labels of dots near the largest impact.
  const double width = plot_right + (any_varies ? varies_w + 16 : 0) + 170;
  const double plot_bottom = top + row_h * static_cast<double>(rows);
  const double height = plot_bottom + 76;

  std::string desc = "Risk register heat map: likelihood over the horizon (rows, by the plan's likelihood scale) "
                     "against impact (columns).";
  for (std::size_t i = 0; i < risks.size(); ++i) {
    const auto& r = risks[i];
    desc += " " + std::to_string(i + 1) + " " + r.id + ": likelihood " +
            (r.likelihood ? format_number(*r.likelihood) + " (" + r.band + ")" : std::string("varies")) + ", impact " +
            (r.impact ? format_number(*r.impact, 3) : std::string("varies")) + ".";
  }
  Svg svg(id, width, height, "Risk heat map: likelihood by impact", desc);
  const Scale x{ticks.lo, ticks.hi, left, plot_right};
  const double cell_w = cell_w_total / static_cast<double>(columns);
  auto row_top = [&](std::size_t band) { return top + row_h * static_cast<double>(rows - 1 - band); };

  for (std::size_t rb = 0; rb < rows; ++rb) {
    for (std::size_t c = 0; c < columns; ++c) {
      const double s = (static_cast<double>(rb) + static_cast<double>(c)) /
                       std::max(1.0, static_cast<double>(rows - 1 + columns - 1));
      svg.rect(left + cell_w * static_cast<double>(c), row_top(rb), cell_w, row_h,
               "fill=\"" + heat_colour(s) + "\" stroke=\"#ffffff\" stroke-width=\"2\"");
    }
    if (any_varies)
      svg.rect(plot_right + 16, row_top(rb), varies_w, row_h, "fill=\"#eeeeee\" stroke=\"#ffffff\" stroke-width=\"2\"");
    const std::string name = scale[rb].first.empty() ? "" : scale[rb].first + " ";
    svg.text(left - 12, row_top(rb) + row_h / 2 + 6, name + "(" + format_number(scale[rb].second) + ")", kFont, "end",
             fill(colour::kInk) + " font-weight=\"600\"");
  }
  // Impact axis.
  for (double v : ticks.values) {
    svg.line(x(v), plot_bottom, x(v), plot_bottom + 6, "stroke=\"#444444\" stroke-width=\"1.5\"");
    svg.text(x(v), plot_bottom + 24, ticks.label(v), kFont, "middle", fill(colour::kMuted));
  }
  if (any_varies)
    svg.text(plot_right + 16 + varies_w / 2, plot_bottom + 24, "varies", kFont, "middle",
             fill(colour::kMuted) + " font-style=\"italic\"");
  svg.text((left + plot_right) / 2, plot_bottom + 54,
           "impact when it occurs (constant, or the mean of its distribution)", kFont, "middle", fill(colour::kInk));
  svg.raw("<text x=\"0\" y=\"0\" font-size=\"" + coord(kFont) + "\" text-anchor=\"middle\" fill=\"" +
          std::string(colour::kInk) + "\" transform=\"translate(24 " + coord((top + plot_bottom) / 2) +
          ") rotate(-90)\">likelihood over the horizon</text>\n");

  // Dots: at their impact, in their band's row; moved up, down, then right
  // when they would cover another.
  constexpr double kR = 15;
  std::vector<Box> taken;
  struct Placed {
    std::size_t index;
    double cx, cy;
    double row_y0, row_y1;
  };
  std::vector<Placed> placed;
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < risks.size(); ++i)
    if (risks[i].likelihood) order.push_back(i);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const double ia = risks[a].impact.value_or(INFINITY), ib = risks[b].impact.value_or(INFINITY);
    return ia < ib;
  });
  for (std::size_t i : order) {
    const auto& r = risks[i];
    std::size_t rb = 0;
    for (std::size_t k = 0; k < rows; ++k)
      if (scale[k].first == r.band) rb = k;
    const double y0 = row_top(rb), y1 = y0 + row_h;
    double cx = r.impact ? std::clamp(x(*r.impact), left + kR + 2, plot_right - kR - 2) : plot_right + 16 + kR + 8;
    const double cy0 = y0 + row_h / 2;
    const double right_limit = r.impact ? plot_right - kR - 2 : plot_right + 16 + varies_w - kR - 2;
    bool ok = false;
    double cy = cy0;
    for (int shift = 0; shift < 40 && !ok; ++shift) {
      for (double dy : {0.0, -30.0, 30.0}) {
        const Box b{cx - kR - 1, cy0 + dy - kR - 1, cx + kR + 1, cy0 + dy + kR + 1};
        if (std::none_of(taken.begin(), taken.end(), [&](const Box& o) { return o.overlaps(b); })) {
          cy = cy0 + dy;
          ok = true;
          break;
        }
      }
      if (!ok) cx = std::min(cx + 2 * kR + 2, right_limit);
    }
    taken.push_back({cx - kR - 1, cy - kR - 1, cx + kR + 1, cy + kR + 1});
    placed.push_back({i, cx, cy, y0, y1});
  }
  // Labels (the risk's id) beside the dots where they cover nothing: to the
  // right, left, above or below. A label may run past the cells on the
  // right but not into the "varies" column.
  const Box varies_box{plot_right + 8, top, plot_right + 24 + varies_w, plot_bottom};
  std::vector<std::pair<std::size_t, Box>> labels;
  for (const auto& p : placed) {
    const std::string& text = risks[p.index].id;
    const double tw = text_width(text, 14);
    const bool in_varies = !risks[p.index].impact;
    const Box candidates[] = {{p.cx + kR + 4, p.cy - 9, p.cx + kR + 4 + tw, p.cy + 9},
                              {p.cx - kR - 4 - tw, p.cy - 9, p.cx - kR - 4, p.cy + 9},
                              {p.cx - tw / 2, p.cy - kR - 22, p.cx + tw / 2, p.cy - kR - 4},
                              {p.cx - tw / 2, p.cy + kR + 4, p.cx + tw / 2, p.cy + kR + 22}};
    for (const Box& b : candidates) {
      const bool inside = b.x0 >= left + 2 && b.x1 <= width - 4 && b.y0 >= top && b.y1 <= plot_bottom;
      const bool clear_of_varies = in_varies || !any_varies || !b.overlaps(varies_box);
      const bool free = std::none_of(taken.begin(), taken.end(), [&](const Box& o) { return o.overlaps(b); });
      if (inside && clear_of_varies && free) {
        taken.push_back(b);
        labels.push_back({p.index, b});
        break;
      }
    }
  }
  for (const auto& p : placed) {
    const auto& r = risks[p.index];
    svg.begin_group(std::to_string(p.index + 1) + " " + r.id + (r.label.empty() ? "" : ": " + r.label));
    svg.circle(p.cx, p.cy, kR, "fill=\"#1a1a1a\" stroke=\"#ffffff\" stroke-width=\"2\"");
    svg.text(p.cx, p.cy + 5, std::to_string(p.index + 1), 14, "middle", "fill=\"#ffffff\" font-weight=\"700\"");
    svg.end_group();
  }
  for (const auto& [i, b] : labels)
    svg.text(b.x0, b.y1 - 5, risks[i].id, 14, "start", std::string(kHalo) + " " + fill(colour::kInk));
  return svg.str();
}

// ---- dependency graph -----------------------------------------------------------

namespace {

const char* kind_fill(graph::NodeKind k) {
  switch (k) {
    case graph::NodeKind::kAssumption: return "#e8eef7";
    case graph::NodeKind::kResource: return "#e3f2da";
    case graph::NodeKind::kAction: return "#fff3d1";
    case graph::NodeKind::kRisk: return "#fbe0e0";
    case graph::NodeKind::kMeasure: return "#eeeeee";
    case graph::NodeKind::kTarget: return "#d7e9ff";
    case graph::NodeKind::kResponse: return "#efe2fb";
  }
  return "#ffffff";
}

const char* kind_stroke(graph::NodeKind k) {
  switch (k) {
    case graph::NodeKind::kAssumption: return "#4a6a9a";
    case graph::NodeKind::kResource: return "#3d7a2a";
    case graph::NodeKind::kAction: return "#9a7400";
    case graph::NodeKind::kRisk: return "#a33a3a";
    case graph::NodeKind::kMeasure: return "#555555";
    case graph::NodeKind::kTarget: return "#1f4e99";
    case graph::NodeKind::kResponse: return "#6a3d9a";
  }
  return "#333333";
}

// A node's shape, centred on (cx, cy), w x h.
void node_shape(Svg& svg, graph::NodeKind k, double cx, double cy, double w, double h) {
  std::string style = "fill=\"";
  style += kind_fill(k);
  style += "\" stroke=\"";
  style += kind_stroke(k);
  style += "\" stroke-width=\"";
  style += k == graph::NodeKind::kTarget ? "2.5" : "1.5";
  style += "\"";
  const double x0 = cx - w / 2, x1 = cx + w / 2, y0 = cy - h / 2, y1 = cy + h / 2;
  const double s = 8;  // slant or cut
  switch (k) {
    case graph::NodeKind::kAssumption:  // parallelogram
      svg.polygon({x0 + s, x1 + s, x1 - s, x0 - s}, {y0, y0, y1, y1}, style);
      break;
    case graph::NodeKind::kResource:  // square corners
      svg.rect(x0, y0, w, h, style);
      break;
    case graph::NodeKind::kAction:  // rounded corners
      svg.rect(x0, y0, w, h, style + " rx=\"9\"");
      break;
    case graph::NodeKind::kRisk:  // octagon
      svg.polygon({x0 + s, x1 - s, x1, x1, x1 - s, x0 + s, x0, x0}, {y0, y0, y0 + s, y1 - s, y1, y1, y1 - s, y0 + s},
                  style);
      break;
    case graph::NodeKind::kMeasure:  // pill
      svg.rect(x0, y0, w, h, style + " rx=\"" + coord(h / 2) + "\"");
      break;
    case graph::NodeKind::kTarget:  // double border
      svg.rect(x0 - 3, y0 - 3, w + 6, h + 6, style + " rx=\"3\"");
      svg.rect(x0, y0, w, h, style + " rx=\"2\" stroke-width=\"1.2\"");
      break;
    case graph::NodeKind::kResponse:  // arrow-shaped
      svg.polygon({x0, x1 - s, x1 + s, x1 - s, x0}, {y0, y0, cy, y1, y1}, style);
      break;
  }
}

}  // namespace

std::string dependency_graph_svg(const std::string& id, const graph::Plan& plan, std::string& why_not) {
  const graph::DependencyGraph g = graph::build_dependency_graph(plan);
  const std::size_t n = g.names.size();
  if (n > kMaxGraphNodes) {
    why_not = "The plan has " + std::to_string(n) + " nodes, more than the " + std::to_string(kMaxGraphNodes) +
              " this report draws; use `plansim graph` for its Graphviz DOT.";
    return "";
  }
  if (n == 0) {
    why_not = "The plan has no nodes.";
    return "";
  }
  std::vector<std::vector<std::size_t>> preds(n), succs(n);
  for (auto [it, end] = boost::edges(g.graph); it != end; ++it) {
    const std::size_t u = boost::source(*it, g.graph), v = boost::target(*it, g.graph);
    if (u == v) continue;
    succs[u].push_back(v);
    preds[v].push_back(u);
  }

  // Topological order (Kahn); nodes on a cycle (a plan that would not
  // compile) follow in index order.
  std::vector<std::size_t> order, indegree(n);
  for (std::size_t v = 0; v < n; ++v) indegree[v] = preds[v].size();
  for (std::size_t v = 0; v < n; ++v)
    if (indegree[v] == 0) order.push_back(v);
  for (std::size_t i = 0; i < order.size(); ++i)
    for (std::size_t w : succs[order[i]])
      if (--indegree[w] == 0) order.push_back(w);
  std::vector<char> in_order(n, 0);
  for (std::size_t v : order) in_order[v] = 1;
  for (std::size_t v = 0; v < n; ++v)
    if (!in_order[v]) order.push_back(v);

  // Layers: longest path from the sources...
  std::vector<int> layer(n, 0);
  for (std::size_t v : order)
    for (std::size_t u : preds[v]) layer[v] = std::max(layer[v], layer[u] + 1);
  // ...sources just below their lowest reader...
  for (std::size_t v = 0; v < n; ++v)
    if (preds[v].empty() && !succs[v].empty() && g.kinds[v] != graph::NodeKind::kTarget) {
      int lowest = 1 << 30;
      for (std::size_t w : succs[v]) lowest = std::min(lowest, layer[w]);
      layer[v] = std::max(0, lowest - 1);
    }
  // ...and targets above everything else, composites above their parts.
  int top_other = 0;
  for (std::size_t v = 0; v < n; ++v)
    if (g.kinds[v] != graph::NodeKind::kTarget) top_other = std::max(top_other, layer[v]);
  for (std::size_t v : order)
    if (g.kinds[v] == graph::NodeKind::kTarget) {
      layer[v] = top_other + 1;
      for (std::size_t u : preds[v])
        if (g.kinds[u] == graph::NodeKind::kTarget) layer[v] = std::max(layer[v], layer[u] + 1);
    }
  const int layers = *std::max_element(layer.begin(), layer.end()) + 1;

  // Order within layers by the barycentre of neighbours, sweeping up and down.
  std::vector<std::vector<std::size_t>> by_layer(static_cast<std::size_t>(layers));
  for (std::size_t v = 0; v < n; ++v) by_layer[static_cast<std::size_t>(layer[v])].push_back(v);
  std::vector<double> pos(n, 0.5);
  auto update_positions = [&](const std::vector<std::size_t>& row) {
    for (std::size_t i = 0; i < row.size(); ++i)
      pos[row[i]] = (static_cast<double>(i) + 0.5) / static_cast<double>(row.size());
  };
  for (const auto& row : by_layer) update_positions(row);
  auto sweep = [&](std::size_t l, bool use_preds) {
    auto& row = by_layer[l];
    std::vector<std::pair<double, std::size_t>> keyed;
    for (std::size_t v : row) {
      const auto& nb = use_preds ? preds[v] : succs[v];
      double sum = 0;
      int count = 0;
      for (std::size_t w : nb) {
        sum += pos[w];
        ++count;
      }
      keyed.push_back({count ? sum / count : pos[v], v});
    }
    std::stable_sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (std::size_t i = 0; i < row.size(); ++i) row[i] = keyed[i].second;
    update_positions(row);
  };
  for (int iter = 0; iter < 6; ++iter) {
    for (std::size_t l = 1; l < by_layer.size(); ++l) sweep(l, true);
    for (std::size_t l = by_layer.size() - 1; l-- > 0;) sweep(l, false);
  }

  // Boxes, and layers wrapped onto several rows when too wide.
  constexpr double kNodeFont = 14, kBoxH = 34, kGap = 22, kRowH = 84, kMaxRow = 1100, kMargin = 30;
  std::vector<double> box_w(n);
  for (std::size_t v = 0; v < n; ++v) box_w[v] = text_width(g.names[v], kNodeFont) + 26;
  std::vector<std::vector<std::size_t>> rows;  // top to bottom
  for (std::size_t l = by_layer.size(); l-- > 0;) {
    const auto& row = by_layer[l];
    if (row.empty()) continue;
    double total = 0;
    for (std::size_t v : row) total += box_w[v] + kGap;
    // Interleave so that each wrapped row keeps the left-to-right order;
    // more rows until each fits (or holds a single node).
    std::vector<std::vector<std::size_t>> split;
    for (std::size_t k = std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(total / kMaxRow)));; ++k) {
      split.assign(k, {});
      for (std::size_t i = 0; i < row.size(); ++i) split[i % k].push_back(row[i]);
      bool fits = true;
      for (const auto& part : split) {
        double w = -kGap;
        for (std::size_t v : part) w += box_w[v] + kGap;
        fits = fits && (w <= kMaxRow || part.size() == 1);
      }
      if (fits) break;
    }
    for (auto& part : split) rows.push_back(std::move(part));
  }
  double width = 960;
  for (const auto& row : rows) {
    double total = 0;
    for (std::size_t v : row) total += box_w[v] + kGap;
    width = std::max(width, total - kGap + 2 * kMargin);
  }
  std::vector<double> cx(n), cy(n);
  for (std::size_t r = 0; r < rows.size(); ++r) {
    double total = 0;
    for (std::size_t v : rows[r]) total += box_w[v] + kGap;
    total -= kGap;
    // Spread a short row over the width, with at most a modest gap.
    const double spare = width - 2 * kMargin - total;
    const double gap = kGap + (rows[r].size() > 1 ? std::min(spare / static_cast<double>(rows[r].size() - 1), 60.0) : 0);
    double used = total + (gap - kGap) * static_cast<double>(rows[r].size() > 1 ? rows[r].size() - 1 : 0);
    double xpos = (width - used) / 2;
    for (std::size_t v : rows[r]) {
      cx[v] = xpos + box_w[v] / 2;
      cy[v] = 24 + kBoxH / 2 + kRowH * static_cast<double>(r);
      xpos += box_w[v] + gap;
    }
  }
  const graph::NodeKind kinds[] = {graph::NodeKind::kTarget,   graph::NodeKind::kMeasure,    graph::NodeKind::kAction,
                                   graph::NodeKind::kRisk,     graph::NodeKind::kResource,   graph::NodeKind::kAssumption,
                                   graph::NodeKind::kResponse};
  bool present[7] = {};
  for (auto k : g.kinds) present[static_cast<int>(k)] = true;
  // The legend's items, wrapped onto as many lines as the width needs.
  struct LegendItem {
    int kind;  // a NodeKind, or -1: "is read by", -2: "mitigates"
    std::string words;
    double w;
  };
  std::vector<LegendItem> legend;
  for (graph::NodeKind k : kinds)
    if (present[static_cast<int>(k)])
      legend.push_back({static_cast<int>(k), graph::to_string(k), 56 + text_width(graph::to_string(k), 14) + 26});
  legend.push_back({-1, "is read by", 42 + text_width("is read by", 14) + 26});
  if (!plan.risks.empty()) legend.push_back({-2, "mitigates", 42 + text_width("mitigates", 14) + 26});
  std::vector<std::pair<double, int>> legend_at;  // x and line of each item
  {
    double lx = kMargin;
    int line = 0;
    for (const auto& item : legend) {
      if (lx + item.w > width - kMargin && lx > kMargin) {
        lx = kMargin;
        ++line;
      }
      legend_at.push_back({lx, line});
      lx += item.w;
    }
  }
  const int legend_lines = legend_at.empty() ? 0 : legend_at.back().second + 1;
  const double legend_y = 24 + kRowH * static_cast<double>(rows.size()) + 10;
  const double height = legend_y + 36 * legend_lines + 6;

  std::size_t edges = 0;
  for (const auto& s : succs) edges += s.size();
  std::string desc = "Dependency graph of the plan: " + std::to_string(n) + " nodes and " + std::to_string(edges) +
                     " same-period dependencies, targets at the top, what they rest on below.";
  for (const auto& row : rows)
    for (std::size_t v : row) {
      desc += " " + g.names[v] + " (" + graph::to_string(g.kinds[v]) + ")";
      if (!preds[v].empty()) {
        desc += " reads";
        for (std::size_t u : preds[v]) desc += " " + g.names[u];
      }
      desc += ".";
    }
  Svg svg(id, width, height, "Dependency graph of " + plan.title, desc);
  svg.natural_size();
  const std::string arrow = id + "-arrow", arrow_m = id + "-arrow-m";
  svg.raw("<defs><marker id=\"" + arrow +
          "\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" "
          "orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#6b6b6b\"/></marker>"
          "<marker id=\"" +
          arrow_m +
          "\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" "
          "orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#6a3d9a\"/></marker></defs>\n");

  // Edges leave a box from its top (towards a higher row) or bottom and
  // arrive at the other box's bottom or top; edges between boxes of one row
  // run from bottom to bottom as a curve below the row. Where several edges
  // meet a side of a box, they are spread along it in the order of the
  // other ends, so arrowheads do not pile up.
  struct Edge {
    std::size_t u, v;
    bool mitigation;
    bool u_top, v_top;  // which side of each box
    double x1 = 0, x2 = 0;
  };
  std::vector<Edge> edge_list;
  auto add_edge = [&](std::size_t u, std::size_t v, bool mitigation) {
    const bool up = cy[u] > cy[v], same = cy[u] == cy[v];
    edge_list.push_back({u, v, mitigation, up && !same, !up && !same});
  };
  for (std::size_t u = 0; u < n; ++u)
    for (std::size_t v : succs[u]) add_edge(u, v, false);
  for (const auto& r : plan.risks)
    for (const auto& m : r.mitigated_by) {
      auto a = std::find(g.names.begin(), g.names.end(), m.action);
      if (a != g.names.end()) add_edge(static_cast<std::size_t>(a - g.names.begin()), g.vertex(r.info.name), true);
    }
  // Ports: (node, top?) -> the edge ends there, sorted by the other end's x.
  std::map<std::pair<std::size_t, bool>, std::vector<std::pair<double, double*>>> ports;
  for (auto& e : edge_list) {
    ports[{e.u, e.u_top}].push_back({cx[e.v], &e.x1});
    ports[{e.v, e.v_top}].push_back({cx[e.u], &e.x2});
  }
  for (auto& [key, ends] : ports) {
    std::stable_sort(ends.begin(), ends.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    const double w = box_w[key.first] * 0.8, x0 = cx[key.first] - w / 2;
    for (std::size_t i = 0; i < ends.size(); ++i)
      *ends[i].second = x0 + w * (static_cast<double>(i) + 1) / (static_cast<double>(ends.size()) + 1);
  }
  auto side_y = [&](std::size_t v, bool top) {
    const double h = kBoxH / 2 + (g.kinds[v] == graph::NodeKind::kTarget ? 3 : 0) + 1;
    return top ? cy[v] - h : cy[v] + h;
  };
  svg.raw("<g fill=\"none\">\n");
  for (const auto& e : edge_list) {
    const std::string attrs =
        e.mitigation ? "stroke=\"#6a3d9a\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\" stroke-opacity=\"0.7\" "
                       "marker-end=\"url(#" + arrow_m + ")\""
                     : "stroke=\"#8a8a8a\" stroke-width=\"1.3\" stroke-opacity=\"0.8\" marker-end=\"url(#" + arrow + ")\"";
    const double y1 = side_y(e.u, e.u_top), y2 = side_y(e.v, e.v_top);
    if (cy[e.u] == cy[e.v]) {
      std::string d = "<path d=\"M";
      d += coord(e.x1) + " " + coord(y1) + " Q" + coord((e.x1 + e.x2) / 2) + " " + coord(y1 + 40) + " " + coord(e.x2) +
           " " + coord(y2) + "\" " + attrs + "/>\n";
      svg.raw(d);
    } else {
      svg.line(e.x1, y1, e.x2, y2, attrs);
    }
  }
  svg.raw("</g>\n");
  for (std::size_t v = 0; v < n; ++v) {
    const graph::NodeInfo& info = plan.info(plan.index.at(g.names[v]));
    std::string tip = g.names[v] + " (" + graph::to_string(g.kinds[v]) + ")";
    if (!info.label.empty()) tip += ": " + info.label;
    svg.begin_group(tip);
    node_shape(svg, g.kinds[v], cx[v], cy[v], box_w[v], kBoxH);
    svg.text(cx[v], cy[v] + 5, g.names[v], kNodeFont, "middle", fill(colour::kInk));
    svg.end_group();
  }

  // Legend: the kinds present, in their shapes, then the two kinds of arrow.
  for (std::size_t i = 0; i < legend.size(); ++i) {
    const double lx = legend_at[i].first, ly = legend_y + 36 * legend_at[i].second;
    const LegendItem& item = legend[i];
    if (item.kind >= 0) {
      node_shape(svg, static_cast<graph::NodeKind>(item.kind), lx + 22, ly + 14, 40, 22);
      svg.text(lx + 56, ly + 19, item.words, 14, "start", fill(colour::kInk));
    } else {
      svg.line(lx, ly + 14, lx + 34, ly + 14,
               item.kind == -1 ? "stroke=\"#8a8a8a\" stroke-width=\"1.5\" marker-end=\"url(#" + arrow + ")\""
                               : "stroke=\"#6a3d9a\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\" marker-end=\"url(#" +
                                     arrow_m + ")\"");
      svg.text(lx + 42, ly + 19, item.words, 14, "start", fill(colour::kInk));
    }
  }
  return svg.str();
}

}  // namespace plansim::report
