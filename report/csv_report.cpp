#include "report/csv_report.h"

#include <unistd.h>

#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <system_error>
#include <vector>

namespace plansim::report {
namespace {

namespace fs = std::filesystem;

// Builds rows of fields; each row ends with CRLF.
class Csv {
 public:
  explicit Csv(std::initializer_list<const char*> header) {
    for (const char* h : header) text(h);
    end_row();
  }
  Csv& text(const std::string& s) {
    sep();
    out_ += csv_field(s);
    return *this;
  }
  Csv& number(double v) {
    sep();
    out_ += csv_number(v);
    return *this;
  }
  Csv& empty() {
    sep();
    return *this;
  }
  void end_row() {
    out_ += "\r\n";
    first_ = true;
  }
  std::string str() const { return out_; }

 private:
  void sep() {
    if (!first_) out_ += ',';
    first_ = false;
  }
  std::string out_;
  bool first_ = true;
};

std::string period_label(const RunInfo& info, int t) {
  return t >= 0 && static_cast<std::size_t>(t) < info.periods.size() ? info.periods[static_cast<std::size_t>(t)]
                                                                      : std::to_string(t);
}

std::string write_one(const fs::path& dir, const std::string& name, const std::string& text) {
  const fs::path target = dir / name;
  fs::path tmp = target;
  tmp += ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
      std::error_code ec;
      fs::remove(tmp, ec);
      return "cannot write " + tmp.string();
    }
  }
  std::error_code ec;
  fs::rename(tmp, target, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    return "cannot write " + target.string() + ": " + ec.message();
  }
  return "";
}

}  // namespace

std::string csv_field(const std::string& s) {
  const bool quote = s.find_first_of(",\"\r\n") != std::string::npos ||
                     (!s.empty() && (s.front() == ' ' || s.back() == ' '));
  if (!quote) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string csv_number(double v) {
  if (!std::isfinite(v)) return "";
  if (v == 0.0) return "0";  // also -0
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

std::string targets_csv(const RunInfo& info, const sim::RunResult& result) {
  Csv csv{"scenario", "target", "unit", "label", "kind", "measure", "direction", "threshold", "by",
          "p_hit", "ci95_low", "ci95_high", "p10", "p50", "p90", "achievable_confidence", "achievable_level", "rag"};
  for (const auto& sc : result.scenarios)
    for (const auto& t : sc.targets) {
      csv.text(sc.name).text(t.id).text(t.unit).text(t.label).text(t.composite ? "composite" : "measure");
      if (t.composite)
        csv.empty().empty().empty().empty();
      else
        csv.text(t.measure).text(graph::to_string(t.direction)).number(t.threshold).text(period_label(info, t.by));
      csv.number(t.p_hit).number(t.ci95.lo).number(t.ci95.hi);
      if (t.composite)
        csv.empty().empty().empty().empty().empty();
      else
        csv.number(t.p10).number(t.p50).number(t.p90).number(info.confidence).number(t.achievable);
      csv.text(sim::to_string(t.rag));
      csv.end_row();
    }
  return csv.str();
}

std::string milestones_csv(const RunInfo& info, const sim::RunResult& result) {
  Csv csv{"scenario", "target", "unit", "by", "direction", "threshold", "p_hit", "ci95_low", "ci95_high"};
  for (const auto& sc : result.scenarios)
    for (const auto& t : sc.targets)
      for (const auto& m : t.milestones) {
        csv.text(sc.name).text(t.id).text(t.unit).text(period_label(info, m.by)).text(graph::to_string(m.direction));
        csv.number(m.threshold).number(m.p_hit).number(m.ci95.lo).number(m.ci95.hi);
        csv.end_row();
      }
  return csv.str();
}

std::string measures_csv(const RunInfo& info, const sim::RunResult& result) {
  Csv csv{"scenario", "measure", "unit", "period", "mean", "p10", "p25", "p50", "p75", "p90"};
  for (const auto& sc : result.scenarios)
    for (const auto& m : sc.measures)
      for (std::size_t p = 0; p < m.periods.size(); ++p) {
        const sim::PeriodSummary& s = m.periods[p];
        csv.text(sc.name).text(m.id).text(m.unit).text(period_label(info, static_cast<int>(p)));
        csv.number(s.mean).number(s.p10).number(s.p25).number(s.p50).number(s.p75).number(s.p90);
        csv.end_row();
      }
  return csv.str();
}

std::string resources_csv(const RunInfo& info, const sim::RunResult& result) {
  Csv csv{"scenario", "resource", "unit", "period", "available", "demand", "p_short"};
  for (const auto& sc : result.scenarios)
    for (const auto& r : sc.resources)
      for (std::size_t p = 0; p < r.periods.size(); ++p) {
        const sim::ResourcePeriod& s = r.periods[p];
        csv.text(sc.name).text(r.id).text(r.unit).text(period_label(info, static_cast<int>(p)));
        csv.number(s.available).number(s.demand).number(s.p_short);
        csv.end_row();
      }
  return csv.str();
}

std::string comparison_csv(const sim::RunResult& result) {
  Csv csv{"scenario", "target", "unit", "p_hit", "delta_vs_base", "delta_ci95_low", "delta_ci95_high"};
  for (const auto& c : result.comparison) {
    csv.text(c.scenario).text(c.target).text(c.unit).number(c.p_hit).number(c.delta).number(c.ci95.lo).number(c.ci95.hi);
    csv.end_row();
  }
  return csv.str();
}

bool has_local_targets(const sim::RunResult& result) {
  for (const auto& sc : result.scenarios)
    if (!sc.local_targets.empty()) return true;
  return false;
}

std::string local_targets_csv(const sim::RunResult& result) {
  Csv csv{"scenario", "target", "label", "unit_name", "units", "expected_units_hitting", "ci95_low", "ci95_high",
          "green", "amber", "red"};
  for (const auto& sc : result.scenarios)
    for (const auto& l : sc.local_targets) {
      csv.text(sc.name).text(l.id).text(l.label).text(l.unit_name).text(std::to_string(l.units));
      csv.number(l.expected_hits).number(l.ci95.lo).number(l.ci95.hi);
      csv.text(std::to_string(l.green)).text(std::to_string(l.amber)).text(std::to_string(l.red));
      csv.end_row();
    }
  return csv.str();
}

std::string write_csv_dir(const std::string& dir, const RunInfo& info, const sim::RunResult& result) {
  std::error_code ec;
  const fs::path path(dir);
  fs::create_directories(path, ec);
  if (ec) return "cannot create directory " + dir + ": " + ec.message();
  if (!fs::is_directory(path, ec)) return dir + " is not a directory";
  const std::string texts[] = {targets_csv(info, result), milestones_csv(info, result), measures_csv(info, result),
                               resources_csv(info, result), comparison_csv(result)};
  for (std::size_t i = 0; i < std::size(texts); ++i)
    if (std::string why = write_one(path, kCsvFiles[i], texts[i]); !why.empty()) return why;
  if (has_local_targets(result)) return write_one(path, kLocalTargetsCsv, local_targets_csv(result));
  // A run without local targets leaves no local_targets.csv of an earlier run
  // beside its own files.
  std::error_code ignored;
  fs::remove(path / kLocalTargetsCsv, ignored);
  return "";
}

}  // namespace plansim::report
