// Building blocks of the HTML report's charts: escaping, number formats,
// axis ticks, linear scales and a small writer of inline SVG.
//
// Everything here is deterministic text: the same input gives the same
// bytes (numbers go through snprintf with fixed formats, never through the
// locale-dependent iostreams), so a report can be compared and hashed.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace plansim::report {

// Text safe inside HTML elements and attribute values: & < > " ' escaped.
std::string html_escape(std::string_view s);

// A number as people read it on a chart or in a table: whole numbers from
// 1,000 up with thousands separators ("180,559"), others with `digits`
// significant digits ("0.5557"), "n/a" when not finite.
std::string format_number(double v, int digits = 4);

// A fixed number of decimals ("0.427"), "n/a" when not finite. `sign`
// writes a leading + for positive values (changes, "+0.012"). The minus
// sign is U+2212, as typeset ("−0.012").
std::string format_fixed(double v, int decimals, bool sign = false);

// Axis ticks: multiples of a "nice" step (1, 2 or 5 x 10^k) covering
// [lo, hi] with about `count` intervals. lo and hi are widened to the
// first and last tick. When lo == hi the interval is widened around it.
struct Ticks {
  double lo = 0.0;
  double hi = 1.0;
  double step = 0.25;
  std::vector<double> values;
  // A tick's label, with as many decimals as the step needs.
  std::string label(double v) const;
};
Ticks nice_ticks(double lo, double hi, int count);

// A linear map from data [d0, d1] to pixels [r0, r1] (r1 < r0 for a y axis
// that grows upwards). A degenerate domain maps everything to the middle.
struct Scale {
  double d0 = 0.0, d1 = 1.0, r0 = 0.0, r1 = 1.0;
  double operator()(double v) const;
};

// Writes one inline <svg> element with a viewBox of width x height user
// units, role="img" and a <title> and <desc> (read by screen readers, shown
// as a tooltip). `id` must be unique in the page: element ids inside the
// chart (title, desc, markers) are prefixed with it. The chart scales to its
// container's width (CSS), so sizes here are relative.
class Svg {
 public:
  Svg(std::string id, double width, double height, std::string_view title, std::string_view desc);

  // Drawn at its own size (width and height attributes, class "natural")
  // instead of scaled to the container: for charts too wide to shrink,
  // shown in a scrolling box.
  void natural_size() { natural_ = true; }

  const std::string& id() const { return id_; }
  double width() const { return width_; }
  double height() const { return height_; }

  // `attrs` is inserted verbatim: pass attribute text such as
  // `fill="#123456" stroke-width="2"`. Text is escaped here.
  void line(double x1, double y1, double x2, double y2, std::string_view attrs);
  void rect(double x, double y, double w, double h, std::string_view attrs);
  void circle(double cx, double cy, double r, std::string_view attrs);
  // Points as "x,y x,y ..." from two vectors of equal length.
  void polyline(const std::vector<double>& xs, const std::vector<double>& ys, std::string_view attrs);
  void polygon(const std::vector<double>& xs, const std::vector<double>& ys, std::string_view attrs);
  // anchor: "start" | "middle" | "end".
  void text(double x, double y, std::string_view s, double size, std::string_view anchor = "start",
            std::string_view attrs = "");
  // A group with a tooltip (<title>), closed by end_group().
  void begin_group(std::string_view tooltip, std::string_view attrs = "");
  void end_group();
  // Raw SVG markup, already escaped.
  void raw(std::string_view markup);

  // The finished element.
  std::string str() const;

 private:
  std::string id_;
  double width_, height_;
  bool natural_ = false;
  std::string title_, desc_;
  std::string body_;
};

// A coordinate as SVG text: at most two decimals, no trailing zeros.
std::string coord(double v);

// Rough width in pixels of `s` set in a sans-serif font of `size` pixels
// (for layout: boxes that must hold a label, labels that must not overlap),
// wider when bold.
double text_width(std::string_view s, double size, bool bold = false);

// The report's colours, shared by the page's CSS and the charts.
namespace colour {
inline constexpr const char* kGreen = "#1e7b34";
inline constexpr const char* kAmber = "#e8a200";
inline constexpr const char* kRed = "#c62828";
inline constexpr const char* kGreenTint = "#dcefe0";
inline constexpr const char* kAmberTint = "#fbefcc";
inline constexpr const char* kRedTint = "#f8dcdc";
inline constexpr const char* kInk = "#1a1a1a";
inline constexpr const char* kMuted = "#555555";
inline constexpr const char* kGrid = "#d9d9d9";
inline constexpr const char* kAxis = "#444444";
}  // namespace colour

}  // namespace plansim::report
