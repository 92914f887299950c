#include "report/svg.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <initializer_list>

#include "report/text_format.h"

namespace plansim::report {
namespace {

// "-" as the typographic minus sign U+2212 (UTF-8 E2 88 92).
constexpr const char* kMinus = "\xE2\x88\x92";

std::string with_minus(std::string s) {
  if (!s.empty() && s[0] == '-') s.replace(0, 1, kMinus);
  return s;
}


// Appends every piece to `out` (GCC 12 warns falsely, -Wrestrict, about
// "literal" + std::string chains).
void append(std::string& out, std::initializer_list<std::string_view> pieces) {
  for (std::string_view p : pieces) out += p;
}

std::string points(const std::vector<double>& xs, const std::vector<double>& ys) {
  std::string out;
  const std::size_t n = std::min(xs.size(), ys.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (i) out += ' ';
    out += coord(xs[i]);
    out += ',';
    out += coord(ys[i]);
  }
  return out;
}

}  // namespace

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string format_number(double v, int digits) {
  if (!std::isfinite(v)) return "n/a";
  const double a = std::fabs(v);
  if (a >= 1000.0 && a < 1e15) {
    std::string s = with_commas(static_cast<std::uint64_t>(std::llround(a)));
    return v < 0 && s != "0" ? std::string(kMinus) + s : s;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  return with_minus(buf);
}

std::string format_fixed(double v, int decimals, bool sign) {
  if (!std::isfinite(v)) return "n/a";
  char buf[64];
  std::snprintf(buf, sizeof buf, sign ? "%+.*f" : "%.*f", decimals, v);
  std::string s = buf;
  // "-0.000" reads as a change; show it as zero.
  bool zero = true;
  for (char c : s)
    if (c >= '1' && c <= '9') zero = false;
  if (zero) {
    std::snprintf(buf, sizeof buf, sign ? "%+.*f" : "%.*f", decimals, 0.0);
    s = buf;
  }
  return with_minus(s);
}

std::string Ticks::label(double v) const {
  if (std::fabs(v) < step * 1e-9) v = 0.0;
  const double a = std::fabs(v);
  if (a >= 1000.0 && step >= 1.0) return format_number(v);
  if (a >= 1e6 || (a > 0 && a < 1e-5)) return format_number(v, 3);
  int decimals = 0;
  if (step < 1.0) decimals = static_cast<int>(std::ceil(-std::log10(step) - 1e-9));
  // A step of 0.25 or 0.025 needs one decimal more than its power of ten.
  const double scaled = step * std::pow(10.0, decimals);
  if (std::fabs(scaled - std::round(scaled)) > 1e-6) ++decimals;
  return format_fixed(v, std::min(decimals, 10));
}

Ticks nice_ticks(double lo, double hi, int count) {
  Ticks t;
  if (!std::isfinite(lo) || !std::isfinite(hi)) {
    lo = 0.0;
    hi = 1.0;
  }
  if (hi < lo) std::swap(lo, hi);
  if (hi - lo <= std::max(std::fabs(hi), std::fabs(lo)) * 1e-12) {
    const double pad = lo == 0.0 ? 1.0 : std::fabs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  count = std::max(count, 1);
  const double raw = (hi - lo) / count;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  const double f = raw / power;
  const double nice = f <= 1.0 ? 1.0 : f <= 2.0 ? 2.0 : f <= 2.5 ? 2.5 : f <= 5.0 ? 5.0 : 10.0;
  t.step = nice * power;
  const double first = std::floor(lo / t.step + 1e-9);
  const double last = std::ceil(hi / t.step - 1e-9);
  t.lo = first * t.step;
  t.hi = last * t.step;
  for (double k = first; k <= last + 0.5; k += 1.0) t.values.push_back(k * t.step);
  return t;
}

double Scale::operator()(double v) const {
  if (d1 == d0) return (r0 + r1) / 2;
  return r0 + (v - d0) / (d1 - d0) * (r1 - r0);
}

std::string coord(double v) {
  if (!std::isfinite(v)) return "0";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  std::string s = buf;
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  if (s == "-0") s = "0";
  return s;
}

double text_width(std::string_view s, double size, bool bold) {
  // Advance widths in ems of DejaVu Sans, the widest of the usual system
  // sans-serif faces (Debian's default), so that labels fit in the others.
  double em = 0.0;
  for (unsigned char c : s) {
    if ((c & 0xC0) == 0x80) continue;  // UTF-8 continuation byte
    if (c >= 0x80)
      em += 0.84;  // a symbol such as the minus or the less-or-equal sign
    else if (c == 'i' || c == 'l' || c == 'j' || c == 'I' || c == 'J' || c == '.' || c == ',' || c == '\'' ||
             c == '|' || c == '!')
      em += 0.3;
    else if (c == ' ' || c == 'f' || c == ':' || c == '/' || c == '-')
      em += 0.35;
    else if (c == 't' || c == 'r' || c == '(' || c == ')' || c == '[' || c == ']')
      em += 0.41;
    else if (c == 'm' || c == 'M' || c == '%' || c == 'W')
      em += 0.97;
    else if (c == 'w')
      em += 0.82;
    else if (c >= 'A' && c <= 'Z')
      em += 0.72;
    else if (c >= '0' && c <= '9')
      em += 0.64;
    else if (c == '_')
      em += 0.5;
    else
      em += 0.61;
  }
  return em * size * (bold ? 1.13 : 1.0);
}

Svg::Svg(std::string id, double width, double height, std::string_view title, std::string_view desc)
    : id_(std::move(id)), width_(width), height_(height), title_(title), desc_(desc) {}

void Svg::line(double x1, double y1, double x2, double y2, std::string_view attrs) {
  append(body_, {"<line x1=\"", coord(x1), "\" y1=\"", coord(y1), "\" x2=\"", coord(x2), "\" y2=\"", coord(y2), "\" ",
                 attrs, "/>\n"});
}

void Svg::rect(double x, double y, double w, double h, std::string_view attrs) {
  append(body_, {"<rect x=\"", coord(x), "\" y=\"", coord(y), "\" width=\"", coord(std::max(0.0, w)), "\" height=\"",
                 coord(std::max(0.0, h)), "\" ", attrs, "/>\n"});
}

void Svg::circle(double cx, double cy, double r, std::string_view attrs) {
  append(body_, {"<circle cx=\"", coord(cx), "\" cy=\"", coord(cy), "\" r=\"", coord(r), "\" ", attrs, "/>\n"});
}

void Svg::polyline(const std::vector<double>& xs, const std::vector<double>& ys, std::string_view attrs) {
  append(body_, {"<polyline points=\"", points(xs, ys), "\" fill=\"none\" ", attrs, "/>\n"});
}

void Svg::polygon(const std::vector<double>& xs, const std::vector<double>& ys, std::string_view attrs) {
  append(body_, {"<polygon points=\"", points(xs, ys), "\" ", attrs, "/>\n"});
}

void Svg::text(double x, double y, std::string_view s, double size, std::string_view anchor, std::string_view attrs) {
  append(body_, {"<text x=\"", coord(x), "\" y=\"", coord(y), "\" font-size=\"", coord(size), "\""});
  if (anchor != "start") append(body_, {" text-anchor=\"", anchor, "\""});
  if (!attrs.empty()) append(body_, {" ", attrs});
  append(body_, {">", html_escape(s), "</text>\n"});
}

void Svg::begin_group(std::string_view tooltip, std::string_view attrs) {
  body_ += "<g";
  if (!attrs.empty()) append(body_, {" ", attrs});
  append(body_, {"><title>", html_escape(tooltip), "</title>\n"});
}

void Svg::end_group() { body_ += "</g>\n"; }

void Svg::raw(std::string_view markup) { body_ += markup; }

std::string Svg::str() const {
  std::string out;
  append(out, {"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"", natural_ ? "chart natural" : "chart", "\" id=\"", id_,
               "\" viewBox=\"0 0 ", coord(width_), " ", coord(height_), "\""});
  if (natural_) append(out, {" width=\"", coord(width_), "\" height=\"", coord(height_), "\""});
  append(out, {" role=\"img\" aria-labelledby=\"", id_, "-title ", id_, "-desc\">\n"});
  append(out, {"<title id=\"", id_, "-title\">", html_escape(title_), "</title>\n"});
  append(out, {"<desc id=\"", id_, "-desc\">", html_escape(desc_), "</desc>\n"});
  out += body_;
  out += "</svg>\n";
  return out;
}

}  // namespace plansim::report
