// The CSV output (report/csv_report.h): the five files are written, parsed
// back with an RFC 4180 reader written here, and every figure compared
// with the JSON output of the same run.
#include "report/csv_report.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "report/json_report.h"
#include "tests/report/example_run.h"

namespace plansim::report {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;
using Row = std::map<std::string, std::string>;

std::string source(const std::string& relative) { return std::string(PLANSIM_SOURCE_DIR) + "/" + relative; }

const test::ExampleRun& probation() {
  static const test::ExampleRun run = [] {
    std::vector<std::string> scenarios;
    for (const char* name : {"caseload-rise", "noms-contract-fails", "protect-community-payback", "sr10-four-years"})
      scenarios.push_back(source(std::string("examples/probation-trust/scenarios/") + name + ".yaml"));
    return test::run_example(source("examples/probation-trust/plan.yaml"), scenarios, 20000);
  }();
  return run;
}

const test::ExampleRun& cps() {
  static const test::ExampleRun run =
      test::run_example(source("examples/cps-area/plan.yaml"),
                        {source("examples/cps-area/scenarios/fewer-cju-hours.yaml"),
                         source("examples/cps-area/scenarios/police-files-stay-poor.yaml")},
                        20000);
  return run;
}

// A fresh directory under the test temporary directory, removed afterwards
// unless the test failed.
class TempDir {
 public:
  TempDir() {
    static int counter = 0;
    path_ = fs::path(::testing::TempDir()) /
            ("plansim_csv_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(path_);
  }
  ~TempDir() {
    std::error_code ec;
    if (!::testing::Test::HasFailure()) fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// RFC 4180: fields separated by commas, records by CRLF (a bare LF is
// accepted too); a field in double quotes may hold commas, CR, LF and
// doubled quotes. Fails the test on malformed input.
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false, was_quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        field += c;
      }
      continue;
    }
    if (c == '"') {
      EXPECT_TRUE(field.empty() && !was_quoted) << "a quote inside an unquoted field at byte " << i;
      quoted = was_quoted = true;
    } else if (c == ',') {
      record.push_back(field);
      field.clear();
      was_quoted = false;
    } else if (c == '\r' || c == '\n') {
      if (c == '\r') {
        EXPECT_TRUE(i + 1 < text.size() && text[i + 1] == '\n') << "a bare CR at byte " << i;
        ++i;
      }
      record.push_back(field);
      records.push_back(record);
      record.clear();
      field.clear();
      was_quoted = false;
    } else {
      EXPECT_FALSE(was_quoted) << "text after a closing quote at byte " << i;
      field += c;
    }
  }
  EXPECT_FALSE(quoted) << "an unterminated quoted field";
  EXPECT_TRUE(field.empty() && record.empty()) << "the last record does not end with a line break";
  return records;
}

// The records of a file as maps from the header's names; checks the header.
std::vector<Row> load(const fs::path& file, const std::vector<std::string>& header) {
  const auto records = parse_csv(read(file));
  EXPECT_FALSE(records.empty()) << file;
  if (records.empty()) return {};
  EXPECT_EQ(records[0], header) << file;
  std::vector<Row> rows;
  for (std::size_t r = 1; r < records.size(); ++r) {
    EXPECT_EQ(records[r].size(), header.size()) << file << " record " << r;
    Row row;
    for (std::size_t c = 0; c < header.size() && c < records[r].size(); ++c) row[header[c]] = records[r][c];
    rows.push_back(row);
  }
  return rows;
}

// A CSV cell against a JSON number (null: an empty cell), to 1e-12 relative.
void expect_number(const std::string& cell, const Json& want, const std::string& where) {
  if (want.is_null()) {
    EXPECT_EQ(cell, "") << where;
    return;
  }
  ASSERT_TRUE(want.is_number()) << where;
  ASSERT_FALSE(cell.empty()) << where;
  std::size_t used = 0;
  const double got = std::stod(cell, &used);
  EXPECT_EQ(used, cell.size()) << where << ": '" << cell << "' is not a plain number";
  const double w = want.get<double>();
  EXPECT_LE(std::fabs(got - w), 1e-12 * std::max(1.0, std::fabs(w))) << where << ": " << cell << " vs " << w;
}

void expect_double(const std::string& cell, double want, const std::string& where) {
  expect_number(cell, std::isfinite(want) ? Json(want) : Json(nullptr), where);
}

const std::vector<std::string> kTargets = {"scenario", "target", "unit", "label", "kind", "measure", "direction",
                                           "threshold", "by", "p_hit", "ci95_low", "ci95_high", "p10", "p50", "p90",
                                           "achievable_confidence", "achievable_level", "rag"};
const std::vector<std::string> kMilestones = {"scenario", "target", "unit", "by", "direction",
                                              "threshold", "p_hit", "ci95_low", "ci95_high"};
const std::vector<std::string> kMeasures = {"scenario", "measure", "unit", "period", "mean",
                                            "p10", "p25", "p50", "p75", "p90"};
const std::vector<std::string> kResources = {"scenario", "resource", "unit", "period", "available", "demand", "p_short"};
const std::vector<std::string> kComparison = {"scenario", "target", "unit", "p_hit",
                                              "delta_vs_base", "delta_ci95_low", "delta_ci95_high"};

// Writes the run's CSV files and compares every figure with its JSON.
void check_against_json(const test::ExampleRun& run) {
  TempDir dir;
  const fs::path out = dir.path() / "nested" / "csv";
  ASSERT_EQ(write_csv_dir(out.string(), run.info, run.result), "");
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(out)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"comparison.csv", "measures.csv", "milestones.csv", "resources.csv",
                                             "targets.csv"}))
      << "five files and no temporaries";

  const Json json = run_json(run.info, run.result, run.info.confidence);
  const auto targets = load(out / "targets.csv", kTargets);
  const auto milestones = load(out / "milestones.csv", kMilestones);
  const auto measures = load(out / "measures.csv", kMeasures);
  const auto resources = load(out / "resources.csv", kResources);
  const auto comparison = load(out / "comparison.csv", kComparison);

  std::size_t t_row = 0, m_row = 0, me_row = 0, r_row = 0;
  for (std::size_t s = 0; s < json["scenarios"].size(); ++s) {
    const Json& sc = json["scenarios"][s];
    const std::string name = sc["name"];
    for (const Json& t : sc["targets"]) {
      ASSERT_LT(t_row, targets.size());
      Row row = targets[t_row++];
      const std::string where = "targets.csv " + name + "/" + t["id"].get<std::string>();
      EXPECT_EQ(row["scenario"], name) << where;
      EXPECT_EQ(row["target"], t["id"]) << where;
      EXPECT_EQ(row["unit"], "") << where;
      EXPECT_EQ(row["label"], t["label"]) << where;
      EXPECT_EQ(row["kind"], t["kind"]) << where;
      EXPECT_EQ(row["rag"], t["rag"]) << where;
      expect_number(row["p_hit"], t["p_hit"], where + " p_hit");
      expect_number(row["ci95_low"], t["ci95"][0], where + " ci95_low");
      expect_number(row["ci95_high"], t["ci95"][1], where + " ci95_high");
      if (t["kind"] == "composite") {
        for (const char* empty : {"measure", "direction", "threshold", "by", "p10", "p50", "p90",
                                  "achievable_confidence", "achievable_level"})
          EXPECT_EQ(row[empty], "") << where << " " << empty;
        continue;
      }
      EXPECT_EQ(row["measure"], t["measure"]) << where;
      EXPECT_EQ(row["direction"], t["direction"]) << where;
      EXPECT_EQ(row["by"], t["by"]) << where;
      expect_number(row["threshold"], t["threshold"], where + " threshold");
      expect_number(row["p10"], t["quantiles"]["p10"], where + " p10");
      expect_number(row["p50"], t["quantiles"]["p50"], where + " p50");
      expect_number(row["p90"], t["quantiles"]["p90"], where + " p90");
      expect_number(row["achievable_confidence"], t["achievable"]["confidence"], where + " confidence");
      expect_number(row["achievable_level"], t["achievable"]["level"], where + " level");
      for (const Json& m : t["milestones"]) {
        ASSERT_LT(m_row, milestones.size());
        Row mr = milestones[m_row++];
        const std::string mw = "milestones.csv " + name + "/" + t["id"].get<std::string>() + "/" + m["by"].get<std::string>();
        EXPECT_EQ(mr["scenario"], name) << mw;
        EXPECT_EQ(mr["target"], t["id"]) << mw;
        EXPECT_EQ(mr["unit"], "") << mw;
        EXPECT_EQ(mr["by"], m["by"]) << mw;
        EXPECT_EQ(mr["direction"], m["direction"]) << mw;
        expect_number(mr["threshold"], m["threshold"], mw + " threshold");
        expect_number(mr["p_hit"], m["p_hit"], mw + " p_hit");
        expect_number(mr["ci95_low"], m["ci95"][0], mw + " ci95_low");
        expect_number(mr["ci95_high"], m["ci95"][1], mw + " ci95_high");
      }
    }
    const sim::ScenarioResult& result_sc = run.result.scenarios[s];
    for (std::size_t mi = 0; mi < sc["measures"].size(); ++mi) {
      const Json& m = sc["measures"][mi];
      for (std::size_t p = 0; p < m["periods"].size(); ++p) {
        ASSERT_LT(me_row, measures.size());
        Row row = measures[me_row++];
        const Json& jp = m["periods"][p];
        const std::string where = "measures.csv " + name + "/" + m["id"].get<std::string>() + "/" + std::to_string(p);
        EXPECT_EQ(row["scenario"], name) << where;
        EXPECT_EQ(row["measure"], m["id"]) << where;
        EXPECT_EQ(row["unit"], "") << where;
        EXPECT_EQ(row["period"], json["periods"][p]) << where;
        for (const char* k : {"mean", "p10", "p50", "p90"}) expect_number(row[k], jp[k], where + " " + k);
        // p25 and p75 are not in the JSON (they are for the charts): against the results.
        expect_double(row["p25"], result_sc.measures[mi].periods[p].p25, where + " p25");
        expect_double(row["p75"], result_sc.measures[mi].periods[p].p75, where + " p75");
      }
    }
    for (const Json& r : sc["resources"])
      for (std::size_t p = 0; p < r["periods"].size(); ++p) {
        ASSERT_LT(r_row, resources.size());
        Row row = resources[r_row++];
        const Json& jp = r["periods"][p];
        const std::string where = "resources.csv " + name + "/" + r["id"].get<std::string>() + "/" + std::to_string(p);
        EXPECT_EQ(row["scenario"], name) << where;
        EXPECT_EQ(row["resource"], r["id"]) << where;
        EXPECT_EQ(row["period"], json["periods"][p]) << where;
        for (const char* k : {"available", "demand", "p_short"}) expect_number(row[k], jp[k], where + " " + k);
      }
  }
  EXPECT_EQ(t_row, targets.size());
  EXPECT_EQ(m_row, milestones.size());
  EXPECT_EQ(me_row, measures.size());
  EXPECT_EQ(r_row, resources.size());

  ASSERT_EQ(comparison.size(), json["comparison"].size());
  for (std::size_t i = 0; i < comparison.size(); ++i) {
    Row row = comparison[i];
    const Json& c = json["comparison"][i];
    const std::string where = "comparison.csv " + c["scenario"].get<std::string>() + "/" + c["target"].get<std::string>();
    EXPECT_EQ(row["scenario"], c["scenario"]) << where;
    EXPECT_EQ(row["target"], c["target"]) << where;
    EXPECT_EQ(row["unit"], "") << where;
    expect_number(row["p_hit"], c["p_hit"], where + " p_hit");
    expect_number(row["delta_vs_base"], c["delta_vs_base"], where + " delta");
    expect_number(row["delta_ci95_low"], c["delta_ci95"][0], where + " low");
    expect_number(row["delta_ci95_high"], c["delta_ci95"][1], where + " high");
  }
}

TEST(CsvReport, ProbationFiguresReadBackAsTheJsonHasThem) {
  ASSERT_GT(probation().result.comparison.size(), 0u);
  check_against_json(probation());
}

TEST(CsvReport, CpsFiguresReadBackAsTheJsonHasThem) { check_against_json(cps()); }

TEST(CsvReport, QuotesTextThatNeedsIt) {
  EXPECT_EQ(csv_field("plain"), "plain");
  EXPECT_EQ(csv_field("180,559 hours"), "\"180,559 hours\"");
  EXPECT_EQ(csv_field("the \"best\" plan"), "\"the \"\"best\"\" plan\"");
  EXPECT_EQ(csv_field("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(csv_field(" padded"), "\" padded\"");
  EXPECT_EQ(csv_field(""), "");
  // A label with a comma (the probation plan has one) reads back whole.
  const auto records = parse_csv(targets_csv(probation().info, probation().result));
  bool found = false;
  for (const auto& r : records) found = found || (r.size() > 3 && r[3].find("180,559") != std::string::npos);
  EXPECT_TRUE(found);
}

TEST(CsvReport, NumbersRoundTripAndNonFiniteIsEmpty) {
  for (double v : {0.1, 1.0 / 3.0, 180559.0, 1e-300, -2.5e17, 0.42681}) {
    const std::string s = csv_number(v);
    EXPECT_EQ(std::stod(s), v) << s;
    EXPECT_EQ(s.find(','), std::string::npos);
  }
  EXPECT_EQ(csv_number(NAN), "");
  EXPECT_EQ(csv_number(INFINITY), "");
  EXPECT_EQ(csv_number(-0.0), "0");
}

TEST(CsvReport, ReportsWhyItCannotWrite) {
  TempDir dir;
  fs::create_directories(dir.path());
  const fs::path file = dir.path() / "a-file";
  std::ofstream(file) << "x";
  const std::string why = write_csv_dir((file / "csv").string(), cps().info, cps().result);
  EXPECT_NE(why, "");
  EXPECT_NE(why.find("a-file"), std::string::npos) << why;
}

TEST(CsvReport, LinesEndWithCrlfAndHeadersComeFirst) {
  const std::string text = milestones_csv(cps().info, cps().result);
  EXPECT_EQ(text.rfind("scenario,target,unit,by,direction,threshold,p_hit,ci95_low,ci95_high\r\n", 0), 0u);
  EXPECT_EQ(comparison_csv(sim::RunResult{}), "scenario,target,unit,p_hit,delta_vs_base,delta_ci95_low,delta_ci95_high\r\n");
}

}  // namespace
}  // namespace plansim::report
