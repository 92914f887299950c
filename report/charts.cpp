#include "report/charts.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "report/svg.h"

namespace plansim::report {
namespace {

constexpr double kFont = 15.0;       // axis labels and annotations
constexpr double kSmallFont = 13.0;  // band names, legends

// Text drawn over a chart gets a white halo so that it stays readable on
// bands, bars and grid lines.
constexpr const char* kHalo = "stroke=\"#ffffff\" stroke-width=\"4\" stroke-linejoin=\"round\" paint-order=\"stroke\"";

std::string attr_fill(const char* colour) {
  std::string s = "fill=\"";
  s += colour;
  s += "\"";
  return s;
}

std::string halo_fill(const char* colour) {
  std::string s = kHalo;
  s += " fill=\"";
  s += colour;
  s += "\"";
  return s;
}

const char* threshold_sign(graph::Direction d) { return d == graph::Direction::kAtMost ? "\xE2\x89\xA4 " : "\xE2\x89\xA5 "; }

// Horizontal grid lines and labels of a y axis at `x` (labels to its left).
void y_axis(Svg& svg, const Ticks& ticks, const Scale& y, double x0, double x1, bool percent = false) {
  for (double v : ticks.values) {
    const double py = y(v);
    svg.line(x0, py, x1, py, std::string("stroke=\"") + colour::kGrid + "\" stroke-width=\"1\"");
    std::string label = ticks.label(v);
    if (percent) label += "%";
    svg.text(x0 - 8, py + 5, label, kFont, "end", attr_fill(colour::kMuted));
  }
}

// Room for a y axis's labels and its rotated title: the left edge of the plot.
double y_axis_left(const Ticks& ticks, bool titled) {
  double w = 0;
  for (double v : ticks.values) w = std::max(w, text_width(ticks.label(v), kFont));
  return std::max(70.0, w + (titled ? 50 : 20));
}

// Tick marks and labels of an x axis along y = `y0`.
void x_axis(Svg& svg, const Ticks& ticks, const Scale& x, double y0) {
  svg.line(x(ticks.lo), y0, x(ticks.hi), y0, std::string("stroke=\"") + colour::kAxis + "\" stroke-width=\"1.5\"");
  for (double v : ticks.values) {
    const double px = x(v);
    svg.line(px, y0, px, y0 + 6, std::string("stroke=\"") + colour::kAxis + "\" stroke-width=\"1.5\"");
    svg.text(px, y0 + 24, ticks.label(v), kFont, "middle", attr_fill(colour::kMuted));
  }
}

// A legend entry: a swatch and its words; returns the x after it.
double legend_item(Svg& svg, double x, double y, const std::string& swatch_attrs, const std::string& words) {
  svg.rect(x, y - 11, 18, 14, swatch_attrs);
  svg.text(x + 24, y, words, kSmallFont, "start", attr_fill(colour::kInk));
  return x + 24 + text_width(words, kSmallFont) + 22;
}

// Every k-th period label so that labels of `width` pixels do not overlap
// in slots of `slot` pixels.
std::size_t label_stride(double slot, double width) {
  std::size_t k = 1;
  while (slot * static_cast<double>(k) < width + 10 && k < 1000) ++k;
  return k;
}

}  // namespace

const char* rag_word(sim::Rag r) {
  switch (r) {
    case sim::Rag::kGreen: return "GREEN";
    case sim::Rag::kAmber: return "AMBER";
    case sim::Rag::kRed: return "RED";
  }
  return "";
}

const char* rag_colour(sim::Rag r) {
  switch (r) {
    case sim::Rag::kGreen: return colour::kGreen;
    case sim::Rag::kAmber: return colour::kAmber;
    case sim::Rag::kRed: return colour::kRed;
  }
  return colour::kInk;
}

const char* rag_text_colour(sim::Rag r) { return r == sim::Rag::kAmber ? "#1a1a1a" : "#ffffff"; }

// ---- P(hit) bar -----------------------------------------------------------------

std::string hit_bar_svg(const std::string& id, const std::string& what, double p_hit, const sim::Interval& ci,
                        const graph::RagThresholds& rag) {
  // The axis ends short of the right edge so that the value always fits beside the bar.
  const double width = 1000, height = 96, left = 20, right = 850, top = 8, band_h = 50;
  std::string desc = "P(hit) of " + what + " is " + format_fixed(p_hit, 3) + ", 95% interval " +
                     format_fixed(ci.lo, 3) + " to " + format_fixed(ci.hi, 3) + ", rated " +
                     rag_word(sim::rate(p_hit, rag)) + ".";
  Svg svg(id, width, height, "P(hit) of " + what, desc);
  const Scale x{0.0, 1.0, left, right};
  struct Band {
    double from, to;
    const char* tint;
    const char* word;
    const char* ink;
  };
  const Band bands[] = {{0.0, rag.amber, colour::kRedTint, "RED", "#8e1c1c"},
                        {rag.amber, rag.green, colour::kAmberTint, "AMBER", "#7a5600"},
                        {rag.green, 1.0, colour::kGreenTint, "GREEN", "#1e5b2c"}};
  for (const Band& b : bands) {
    if (b.to <= b.from) continue;
    svg.rect(x(b.from), top, x(b.to) - x(b.from), band_h, attr_fill(b.tint));
    svg.text(x(b.to) - 6, top + 14, b.word, 11, "end", attr_fill(b.ink) + " font-weight=\"600\"");
  }
  const sim::Rag r = sim::rate(p_hit, rag);
  const double bar_y = top + 18, bar_h = 24;
  if (std::isfinite(p_hit)) {
    svg.rect(x(0), bar_y, x(p_hit) - x(0), bar_h, attr_fill(rag_colour(r)) + " stroke=\"#1a1a1a\" stroke-width=\"1\"");
    // The 95% interval as whiskers.
    const double cy = bar_y + bar_h / 2;
    const std::string ink = "stroke=\"#1a1a1a\" stroke-width=\"2\"";
    svg.line(x(ci.lo), cy, x(ci.hi), cy, ink);
    svg.line(x(ci.lo), cy - 8, x(ci.lo), cy + 8, ink);
    svg.line(x(ci.hi), cy - 8, x(ci.hi), cy + 8, ink);
    std::string label = format_fixed(p_hit, 3) + " " + rag_word(r);
    const double tw = text_width(label, 17, true);
    const double end = x(std::max(p_hit, ci.hi));
    if (end + 10 + tw < width - 4)
      svg.text(end + 10, cy + 6, label, 17, "start", halo_fill(colour::kInk) + " font-weight=\"700\"");
    else
      svg.text(x(std::min(p_hit, ci.lo)) - 10, cy + 6, label, 17, "end", halo_fill(colour::kInk) + " font-weight=\"700\"");
  }
  Ticks ticks;
  ticks.lo = 0;
  ticks.hi = 1;
  ticks.step = 0.1;
  for (int k = 0; k <= 10; ++k) ticks.values.push_back(k / 10.0);
  const double axis_y = top + band_h;
  svg.line(x(0), axis_y, x(1), axis_y, "stroke=\"#444444\" stroke-width=\"1.5\"");
  for (double v : ticks.values) {
    svg.line(x(v), axis_y, x(v), axis_y + 5, "stroke=\"#444444\" stroke-width=\"1.5\"");
    svg.text(x(v), axis_y + 22, ticks.label(v), 14, "middle", attr_fill(colour::kMuted));
  }
  return svg.str();
}

// ---- distribution at `by` -------------------------------------------------------

namespace {

// The CDF through the quantiles at levels (2i + 1) / (2n), linear between
// them; flat outside [q.front(), q.back()].
double cdf(const std::vector<double>& q, double v) {
  const std::size_t n = q.size();
  const auto level = [n](std::size_t i) { return (2.0 * static_cast<double>(i) + 1.0) / (2.0 * static_cast<double>(n)); };
  if (v < q.front()) return level(0);
  if (v >= q.back()) return level(n - 1);
  // The last quantile <= v; the next one is then > v.
  const std::size_t i = static_cast<std::size_t>(std::upper_bound(q.begin(), q.end(), v) - q.begin()) - 1;
  const double f = (v - q[i]) / (q[i + 1] - q[i]);
  return level(i) + f * (level(i + 1) - level(i));
}

}  // namespace

std::string distribution_svg(const std::string& id, const sim::TargetResult& t, const std::string& by_label,
                             double confidence) {
  std::vector<double> q;
  for (double v : t.distribution)
    if (std::isfinite(v)) q.push_back(v);
  if (q.size() < 2 || t.composite) return "";
  std::sort(q.begin(), q.end());
  const bool at_most = t.direction == graph::Direction::kAtMost;
  const double width = 960, height = 400, left = 86, right = 930, top = 64, bottom = 300;

  const std::string threshold_text = std::string("target ") + threshold_sign(t.direction) + format_number(t.threshold);
  std::string desc = "Histogram of " + t.measure + " in " + by_label + " over the middle 98% of samples, from " +
                     format_number(q.front()) + " to " + format_number(q.back()) + "; median " + format_number(t.p50) +
                     ". The " + threshold_text + " is marked; " + format_fixed(t.p_hit * 100, 1) +
                     "% of samples hit it. Achievable with " + format_fixed(confidence * 100, 0) +
                     "% confidence: " + format_number(t.achievable) + ".";
  Svg svg(id, width, height, "Distribution of " + t.measure + " in " + by_label, desc);

  double lo = q.front(), hi = q.back();
  double xlo = std::min(lo, t.threshold), xhi = std::max(hi, t.threshold);
  if (std::isfinite(t.achievable)) {
    xlo = std::min(xlo, t.achievable);
    xhi = std::max(xhi, t.achievable);
  }
  const Ticks xt = nice_ticks(xlo, xhi, 8);
  const Scale x{xt.lo, xt.hi, left, right};

  // Equal bins over the data's range; each bin's share of samples from the CDF.
  constexpr int kBins = 28;
  if (hi <= lo) {
    const double pad = lo == 0.0 ? 0.5 : std::fabs(lo) * 0.01;
    lo -= pad;
    hi += pad;
  }
  const double w = (hi - lo) / kBins;
  std::vector<double> share(kBins);
  double biggest = 0;
  for (int k = 0; k < kBins; ++k) {
    const double a = lo + w * k, b = k + 1 == kBins ? hi + w * 1e-9 : lo + w * (k + 1);
    const auto ks = static_cast<std::size_t>(k);
    share[ks] = (cdf(q, b) - cdf(q, a)) * 100.0;
    biggest = std::max(biggest, share[ks]);
  }
  // A constant measure puts all its mass in one bin.
  if (biggest <= 0) {
    share[kBins / 2] = 98.0;
    biggest = 98.0;
  }
  const Ticks yt = nice_ticks(0, biggest, 4);
  const Scale y{0, yt.hi, bottom, top};
  y_axis(svg, yt, y, left, right, true);

  const char* kHit = "#3f8f55";
  const char* kMiss = "#a7a7a7";
  const double thr = t.threshold;
  for (int k = 0; k < kBins; ++k) {
    const double a = lo + w * k, b = lo + w * (k + 1);
    const double top_y = y(share[static_cast<std::size_t>(k)]);
    // Split the bin at the threshold so each side has its colour.
    const double split = std::clamp(thr, a, b);
    const double left_x = x(a), split_x = x(split), right_x = x(b);
    const char* left_colour = at_most ? kHit : kMiss;
    const char* right_colour = at_most ? kMiss : kHit;
    if (split_x > left_x) svg.rect(left_x, top_y, split_x - left_x, bottom - top_y, attr_fill(left_colour));
    if (right_x > split_x) svg.rect(split_x, top_y, right_x - split_x, bottom - top_y, attr_fill(right_colour));
    svg.line(right_x, top_y, right_x, bottom, "stroke=\"#ffffff\" stroke-width=\"1\"");
  }
  x_axis(svg, xt, x, bottom);
  svg.text((left + right) / 2, bottom + 52, t.measure + " in " + by_label + " (middle 98% of samples)", kFont,
           "middle", attr_fill(colour::kInk));
  // y axis title, rotated
  svg.raw("<text x=\"0\" y=\"0\" font-size=\"" + coord(kFont) + "\" text-anchor=\"middle\" fill=\"" +
          colour::kMuted + "\" transform=\"translate(22 " + coord((top + bottom) / 2) +
          ") rotate(-90)\">share of samples</text>\n");

  // Threshold and achievable level with their labels, on two rows above the plot.
  auto marker = [&](double v, double row_y, const std::string& label, const std::string& stroke) {
    const double px = x(v);
    svg.line(px, row_y + 6, px, bottom, stroke);
    const double tw = text_width(label, kFont, true);
    if (px + 6 + tw <= width - 4)
      svg.text(px + 6, row_y, label, kFont, "start", halo_fill(colour::kInk) + " font-weight=\"600\"");
    else
      svg.text(px - 6, row_y, label, kFont, "end", halo_fill(colour::kInk) + " font-weight=\"600\"");
  };
  marker(thr, 22, threshold_text + " by " + by_label, "stroke=\"#1a1a1a\" stroke-width=\"3\" stroke-dasharray=\"8 5\"");
  if (std::isfinite(t.achievable))
    marker(t.achievable, 46,
           "achievable at " + format_fixed(confidence * 100, 0) + "%: " + format_number(t.achievable),
           "stroke=\"#1f4e99\" stroke-width=\"2.5\" stroke-dasharray=\"2 4\"");

  // Legend: which side hits, with the share of samples on each.
  double lx = left;
  const double ly = height - 12;
  lx = legend_item(svg, lx, ly, attr_fill(kHit), "hit: " + format_fixed(t.p_hit * 100, 1) + "% of samples");
  legend_item(svg, lx, ly, attr_fill(kMiss), "miss: " + format_fixed((1 - t.p_hit) * 100, 1) + "%");
  return svg.str();
}

// ---- fan chart ------------------------------------------------------------------

std::string fan_chart_svg(const std::string& id, const sim::MeasureResult& m, const std::vector<std::string>& periods,
                          const std::vector<FanMarker>& markers, const std::string& unit) {
  const double width = 960, height = 400, right = 930, top = 44, bottom = 320;
  const std::size_t n = std::min(periods.size(), m.periods.size());
  std::string desc = "Fan chart of " + m.id + " over " + std::to_string(n) +
                     " periods: the band from the 10th to the 90th percentile, the band from the 25th to the 75th, "
                     "and the median.";
  for (std::size_t i = 0; i < n; ++i)
    desc += " " + periods[i] + ": median " + format_number(m.periods[i].p50) + ", 10-90% " +
            format_number(m.periods[i].p10) + " to " + format_number(m.periods[i].p90) + ".";
  for (const auto& mk : markers) desc += " " + mk.text + " in " + periods.at(static_cast<std::size_t>(mk.period)) + ".";
  Svg svg(id, width, height, "Fan chart of " + m.id, desc);

  double lo = INFINITY, hi = -INFINITY;
  for (std::size_t i = 0; i < n; ++i)
    for (double v : {m.periods[i].p10, m.periods[i].p90, m.periods[i].mean})
      if (std::isfinite(v)) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
  for (const auto& mk : markers)
    if (std::isfinite(mk.threshold)) {
      lo = std::min(lo, mk.threshold);
      hi = std::max(hi, mk.threshold);
    }
  if (!std::isfinite(lo)) {
    lo = 0;
    hi = 1;
  }
  const double pad = (hi - lo) * 0.06;
  const Ticks yt = nice_ticks(lo - pad, hi + pad, 5);
  const double left = y_axis_left(yt, !unit.empty());
  const Scale y{yt.lo, yt.hi, bottom, top};
  y_axis(svg, yt, y, left, right);
  if (!unit.empty())
    svg.raw("<text x=\"0\" y=\"0\" font-size=\"" + coord(kFont) + "\" text-anchor=\"middle\" fill=\"" +
            colour::kMuted + "\" transform=\"translate(22 " + coord((top + bottom) / 2) + ") rotate(-90)\">" +
            html_escape(unit) + "</text>\n");

  const double slot = (right - left) / static_cast<double>(std::max<std::size_t>(n, 1));
  auto px = [&](std::size_t i) { return left + (static_cast<double>(i) + 0.5) * slot; };

  // Bands as polygons: the upper edge forwards, the lower edge backwards. A
  // single period is drawn as a short flat band.
  auto band = [&](double sim::PeriodSummary::*upper, double sim::PeriodSummary::*lower, const char* fill) {
    std::vector<double> xs, ys;
    std::vector<std::pair<double, double>> up, down;
    for (std::size_t i = 0; i < n; ++i) {
      const double u = m.periods[i].*upper, l = m.periods[i].*lower;
      if (!std::isfinite(u) || !std::isfinite(l)) continue;
      if (n == 1) {
        up = {{px(0) - slot * 0.3, u}, {px(0) + slot * 0.3, u}};
        down = {{px(0) - slot * 0.3, l}, {px(0) + slot * 0.3, l}};
      } else {
        up.push_back({px(i), u});
        down.push_back({px(i), l});
      }
    }
    for (const auto& [a, b] : up) {
      xs.push_back(a);
      ys.push_back(y(b));
    }
    for (auto it = down.rbegin(); it != down.rend(); ++it) {
      xs.push_back(it->first);
      ys.push_back(y(it->second));
    }
    if (!xs.empty()) svg.polygon(xs, ys, attr_fill(fill));
  };
  band(&sim::PeriodSummary::p90, &sim::PeriodSummary::p10, "#c6dbef");
  band(&sim::PeriodSummary::p75, &sim::PeriodSummary::p25, "#7fb0dc");

  std::vector<double> mx, my, ax, ay;
  for (std::size_t i = 0; i < n; ++i) {
    if (std::isfinite(m.periods[i].p50)) {
      mx.push_back(px(i));
      my.push_back(y(m.periods[i].p50));
    }
    if (std::isfinite(m.periods[i].mean)) {
      ax.push_back(px(i));
      ay.push_back(y(m.periods[i].mean));
    }
  }
  if (n == 1 && !mx.empty()) {
    mx = {px(0) - slot * 0.3, px(0) + slot * 0.3};
    my = {my[0], my[0]};
  }
  svg.polyline(mx, my, "stroke=\"#08306b\" stroke-width=\"3.5\" stroke-linejoin=\"round\"");
  for (std::size_t i = 0; i < ax.size(); ++i) svg.circle(ax[i], ay[i], 4.5, "fill=\"#ffffff\" stroke=\"#08306b\" stroke-width=\"2\"");

  // Targets and milestones: a thick line across the period's slot and a
  // triangle pointing to the side that hits; labels stacked when several
  // share a period.
  std::vector<int> stacked(n, 0);
  for (const auto& mk : markers) {
    if (mk.period < 0 || static_cast<std::size_t>(mk.period) >= n || !std::isfinite(mk.threshold)) continue;
    const auto p = static_cast<std::size_t>(mk.period);
    const double cx = px(p), cy = y(mk.threshold);
    const double half = std::min(slot * 0.42, 90.0);
    const std::string stroke = mk.milestone ? "stroke=\"#6a1b1b\" stroke-width=\"3\" stroke-dasharray=\"7 4\""
                                            : "stroke=\"#6a1b1b\" stroke-width=\"4\"";
    svg.line(cx - half, cy, cx + half, cy, stroke);
    const double dir = mk.direction == graph::Direction::kAtMost ? 1.0 : -1.0;  // +1: hit lies below
    const double tx = cx + half + 2;
    svg.polygon({tx, tx + 12, tx + 6}, {cy + dir * 3, cy + dir * 3, cy + dir * 13}, "fill=\"#6a1b1b\"");
    const int k = stacked[p]++;
    const double label_y = cy - dir * (12 + 20.0 * k) + (dir < 0 ? 14 : 0);
    // Start the label at the line's left end; near the right edge, end it at
    // the line's right end instead.
    const double tw = text_width(mk.text, kSmallFont + 1, true);
    const bool fits = cx - half + tw <= width - 4;
    svg.text(fits ? cx - half : std::min(cx + half + 14, width - 4), label_y, mk.text, kSmallFont + 1,
             fits ? "start" : "end", halo_fill("#6a1b1b") + " font-weight=\"600\"");
  }

  // Period labels, thinned when they would overlap.
  const std::size_t stride = label_stride(slot, text_width("2000-00", kFont));
  svg.line(left, bottom, right, bottom, "stroke=\"#444444\" stroke-width=\"1.5\"");
  for (std::size_t i = 0; i < n; i += stride) svg.text(px(i), bottom + 24, periods[i], kFont, "middle", attr_fill(colour::kMuted));

  // Legend.
  double lx = left;
  const double ly = height - 18;
  lx = legend_item(svg, lx, ly, attr_fill("#c6dbef"), "10-90% of samples");
  lx = legend_item(svg, lx, ly, attr_fill("#7fb0dc"), "25-75%");
  svg.line(lx, ly - 4, lx + 22, ly - 4, "stroke=\"#08306b\" stroke-width=\"3.5\"");
  svg.text(lx + 28, ly, "median", kSmallFont, "start", attr_fill(colour::kInk));
  lx += 28 + text_width("median", kSmallFont) + 22;
  svg.circle(lx + 8, ly - 4, 4.5, "fill=\"#ffffff\" stroke=\"#08306b\" stroke-width=\"2\"");
  svg.text(lx + 20, ly, "mean", kSmallFont, "start", attr_fill(colour::kInk));
  lx += 20 + text_width("mean", kSmallFont) + 22;
  if (!markers.empty()) {
    svg.line(lx, ly - 4, lx + 22, ly - 4, "stroke=\"#6a1b1b\" stroke-width=\"4\"");
    svg.text(lx + 28, ly, "target", kSmallFont, "start", attr_fill(colour::kInk));
    lx += 28 + text_width("target", kSmallFont) + 22;
    svg.line(lx, ly - 4, lx + 22, ly - 4, "stroke=\"#6a1b1b\" stroke-width=\"3\" stroke-dasharray=\"7 4\"");
    svg.text(lx + 28, ly, "milestone (triangle: side that hits)", kSmallFont, "start", attr_fill(colour::kInk));
  }
  return svg.str();
}

// ---- resources ------------------------------------------------------------------

std::string resource_svg(const std::string& id, const sim::ResourceResult& r, const std::vector<std::string>& periods,
                         const std::string& unit) {
  const double width = 960, height = 380, right = 930, top = 44, bottom = 290;
  const std::size_t n = std::min(periods.size(), r.periods.size());
  std::string desc = "Mean available and mean demand of " + r.id + " per period, with the probability of a shortfall.";
  for (std::size_t i = 0; i < n; ++i)
    desc += " " + periods[i] + ": available " + format_number(r.periods[i].available) + ", demand " +
            format_number(r.periods[i].demand) + ", P(short) " + format_fixed(r.periods[i].p_short, 3) + ".";
  Svg svg(id, width, height, "Available and demand of " + r.id, desc);

  double hi = 0;
  for (std::size_t i = 0; i < n; ++i)
    for (double v : {r.periods[i].available, r.periods[i].demand})
      if (std::isfinite(v)) hi = std::max(hi, v);
  double lo = 0;
  for (std::size_t i = 0; i < n; ++i)
    for (double v : {r.periods[i].available, r.periods[i].demand})
      if (std::isfinite(v)) lo = std::min(lo, v);
  const Ticks yt = nice_ticks(lo, hi > lo ? hi : lo + 1, 5);
  const double left = y_axis_left(yt, !unit.empty());
  const Scale y{yt.lo, yt.hi, bottom, top};
  y_axis(svg, yt, y, left, right);
  if (!unit.empty())
    svg.raw("<text x=\"0\" y=\"0\" font-size=\"" + coord(kFont) + "\" text-anchor=\"middle\" fill=\"" +
            colour::kMuted + "\" transform=\"translate(20 " + coord((top + bottom) / 2) + ") rotate(-90)\">" +
            html_escape(unit) + "</text>\n");

  const char* kAvailable = "#6baed6";
  const char* kDemand = "#e6550d";
  const double slot = (right - left) / static_cast<double>(std::max<std::size_t>(n, 1));
  const double bar = std::min(slot * 0.32, 70.0);
  const bool values = slot >= 110;
  const std::size_t stride = label_stride(slot, text_width("P(short) 0.000", kFont));
  for (std::size_t i = 0; i < n; ++i) {
    const double cx = left + (static_cast<double>(i) + 0.5) * slot;
    const auto& p = r.periods[i];
    const double zero = y(0);
    auto draw = [&](double v, double x0, const char* fill) {
      if (!std::isfinite(v)) return;
      const double top_y = std::min(y(v), zero), h = std::fabs(y(v) - zero);
      svg.rect(x0, top_y, bar, h, attr_fill(fill) + " stroke=\"#1a1a1a\" stroke-width=\"0.75\"");
      if (values) svg.text(x0 + bar / 2, top_y - 6, format_number(v, 3), kSmallFont, "middle", halo_fill(colour::kInk));
    };
    draw(p.available, cx - bar - 2, kAvailable);
    draw(p.demand, cx + 2, kDemand);
    if (i % stride == 0) {
      svg.text(cx, bottom + 24, periods[i], kFont, "middle", attr_fill(colour::kMuted));
      const bool serious = p.p_short >= 0.2;
      svg.text(cx, bottom + 48, "P(short) " + format_fixed(p.p_short, 3), kFont, "middle",
               std::string(serious ? "font-weight=\"700\" " : "") + attr_fill(serious ? "#8e1c1c" : colour::kInk));
    }
  }
  svg.line(left, y(0), right, y(0), "stroke=\"#444444\" stroke-width=\"1.5\"");
  double lx = left;
  const double ly = 22;
  lx = legend_item(svg, lx, ly, attr_fill(kAvailable) + " stroke=\"#1a1a1a\" stroke-width=\"0.75\"", "available (mean)");
  lx = legend_item(svg, lx, ly, attr_fill(kDemand) + " stroke=\"#1a1a1a\" stroke-width=\"0.75\"", "demand (mean)");
  svg.text(lx, ly, "P(short): probability that demand exceeds what is available", kSmallFont, "start",
           attr_fill(colour::kMuted));
  return svg.str();
}

// ---- scenario comparison --------------------------------------------------------

std::string comparison_svg(const std::string& id, const std::string& target, const std::vector<ScenarioBar>& bars,
                           const graph::RagThresholds& rag) {
  double name_w = 0;
  for (const auto& b : bars) name_w = std::max(name_w, text_width(b.scenario, kFont));
  const double left = std::clamp(name_w + 24, 120.0, 330.0);
  const double bar_w = 420, row_h = 38, top = 40;
  const double x0 = left, x1 = left + bar_w;
  const double p_col = x1 + 16, delta_col = p_col + 134;
  const double width = delta_col + 240;
  const double height = top + row_h * static_cast<double>(bars.size()) + 44;
  std::string desc = "P(hit) of " + target + " by scenario.";
  for (const auto& b : bars) {
    desc += " " + b.scenario + ": " + format_fixed(b.p_hit, 3) + " " + rag_word(sim::rate(b.p_hit, rag));
    if (!b.base)
      desc += ", change " + format_fixed(b.delta, 3, true) + " (95% " + format_fixed(b.delta_ci.lo, 3, true) + " to " +
              format_fixed(b.delta_ci.hi, 3, true) + ")";
    desc += ".";
  }
  Svg svg(id, width, height, "P(hit) of " + target + " by scenario", desc);
  const Scale x{0.0, 1.0, x0, x1};
  const double plot_top = top - 6, plot_bottom = top + row_h * static_cast<double>(bars.size());
  svg.rect(x(0), plot_top, x(rag.amber) - x(0), plot_bottom - plot_top, attr_fill(colour::kRedTint));
  svg.rect(x(rag.amber), plot_top, x(rag.green) - x(rag.amber), plot_bottom - plot_top, attr_fill(colour::kAmberTint));
  svg.rect(x(rag.green), plot_top, x(1) - x(rag.green), plot_bottom - plot_top, attr_fill(colour::kGreenTint));

  svg.text(left - 12, 22, "scenario", kSmallFont, "end", attr_fill(colour::kMuted) + " font-weight=\"600\"");
  svg.text(x0, 22, "P(hit), 95% interval", kSmallFont, "start", attr_fill(colour::kMuted) + " font-weight=\"600\"");
  svg.text(p_col, 22, "P(hit), RAG", kSmallFont, "start", attr_fill(colour::kMuted) + " font-weight=\"600\"");
  svg.text(delta_col, 22, "change vs base [95%, paired]", kSmallFont, "start",
           attr_fill(colour::kMuted) + " font-weight=\"600\"");

  for (std::size_t i = 0; i < bars.size(); ++i) {
    const ScenarioBar& b = bars[i];
    const double ry = top + row_h * static_cast<double>(i);
    const double cy = ry + row_h / 2 - 4;
    const sim::Rag r = sim::rate(b.p_hit, rag);
    svg.text(left - 12, cy + 5, b.scenario, kFont, "end",
             attr_fill(colour::kInk) + (b.base ? " font-weight=\"700\"" : ""));
    if (std::isfinite(b.p_hit)) {
      svg.rect(x(0), cy - 11, x(b.p_hit) - x(0), 22, attr_fill(rag_colour(r)) + " stroke=\"#1a1a1a\" stroke-width=\"1\"");
      const std::string ink = "stroke=\"#1a1a1a\" stroke-width=\"2\"";
      svg.line(x(b.ci.lo), cy, x(b.ci.hi), cy, ink);
      svg.line(x(b.ci.lo), cy - 7, x(b.ci.lo), cy + 7, ink);
      svg.line(x(b.ci.hi), cy - 7, x(b.ci.hi), cy + 7, ink);
    }
    svg.text(p_col, cy + 5, format_fixed(b.p_hit, 3), kFont, "start", attr_fill(colour::kInk) + " font-weight=\"700\"");
    // The RAG word in a small badge.
    const double bx = p_col + 60;
    svg.rect(bx, cy - 10, 58, 20, attr_fill(rag_colour(r)) + " rx=\"4\"");
    svg.text(bx + 29, cy + 5, rag_word(r), 12, "middle", attr_fill(rag_text_colour(r)) + " font-weight=\"700\"");
    if (b.base) {
      svg.text(delta_col, cy + 5, "(base)", kFont, "start", attr_fill(colour::kMuted));
    } else {
      const std::string change = format_fixed(b.delta, 3, true) + "  [" + format_fixed(b.delta_ci.lo, 3, true) + ", " +
                                 format_fixed(b.delta_ci.hi, 3, true) + "]";
      svg.text(delta_col, cy + 5, change, kFont, "start",
               attr_fill(colour::kInk) + (std::fabs(b.delta) >= 0.05 ? " font-weight=\"700\"" : ""));
    }
  }
  const double axis_y = plot_bottom;
  svg.line(x(0), axis_y, x(1), axis_y, "stroke=\"#444444\" stroke-width=\"1.5\"");
  for (int k = 0; k <= 5; ++k) {
    const double v = k / 5.0;
    svg.line(x(v), axis_y, x(v), axis_y + 5, "stroke=\"#444444\" stroke-width=\"1.5\"");
    svg.text(x(v), axis_y + 22, format_fixed(v, 1), 14, "middle", attr_fill(colour::kMuted));
  }
  return svg.str();
}

}  // namespace plansim::report
