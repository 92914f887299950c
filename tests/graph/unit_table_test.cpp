// The units table of plan-format.md section 9: CSV text (parse_unit_csv),
// a CSV file named by a plan (`units: {table: ...}`) and inline `rows:`.
// Every mistake in the data is reported at the file, line and column of the
// cell, with the column and the unit it belongs to, so that a spreadsheet
// export can be fixed from the message alone.
#include "graph/unit_table.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "graph/plan.h"
#include "graph/plan_loader.h"
#include "rules/diagnostic.h"
#include "tests/graph/plan_test_support.h"

namespace plansim::graph {
namespace {

using test::Expected;
using test::expect_diagnostic;
using test::expect_only;
using test::load_only;
using test::with_head;

// ---- CSV text -----------------------------------------------------------------

constexpr const char* kCsvFile = "areas.csv";

struct Parsed {
  UnitTable table;
  rules::Diagnostics diags;
  bool ok = false;
};

Parsed parse(const std::string& text) {
  Parsed p;
  p.ok = parse_unit_csv(text, kCsvFile, p.table, p.diags);
  return p;
}

// Exactly one diagnostic, in `file` at line:col, whose message holds every word.
void expect_one_at(const rules::Diagnostics& diags, const std::string& file, int line, int col,
                   const std::vector<std::string>& words, const std::vector<std::string>& hint = {}) {
  ASSERT_EQ(diags.size(), 1u) << diags.to_string();
  const rules::Diagnostic& d = diags.list()[0];
  SCOPED_TRACE("diagnostic: " + rules::format(d));
  EXPECT_EQ(d.file, file);
  EXPECT_EQ(d.pos.line, line);
  EXPECT_EQ(d.pos.col, col);
  for (const auto& w : words) EXPECT_NE(d.message.find(w), std::string::npos) << "message lacks \"" << w << "\"";
  for (const auto& w : hint) EXPECT_NE(d.hint.find(w), std::string::npos) << "hint lacks \"" << w << "\"";
  // The formatted line starts file:line:col, as the command line prints it.
  EXPECT_EQ(rules::format(d).rfind(file + ":" + std::to_string(line) + ":" + std::to_string(col) + ":", 0), 0u);
}

TEST(UnitCsv, HeaderAndRowsGiveColumnsIdsAndValues) {
  const Parsed p = parse("area,base,volume\nnorth,0.6,10\nsouth,0.55,1200\neast,-0.25,1e3\n");
  ASSERT_TRUE(p.ok) << p.diags.to_string();
  EXPECT_TRUE(p.diags.ok());
  EXPECT_EQ(p.table.columns, (std::vector<std::string>{"base", "volume"}));
  EXPECT_EQ(p.table.ids, (std::vector<std::string>{"north", "south", "east"}));
  ASSERT_EQ(p.table.values.size(), 2u);
  EXPECT_EQ(p.table.values[0], (std::vector<double>{0.6, 0.55, -0.25}));
  EXPECT_EQ(p.table.values[1], (std::vector<double>{10.0, 1200.0, 1000.0}));
  EXPECT_EQ(p.table.column("volume"), 1);
  EXPECT_EQ(p.table.column("area"), -1);  // the id column is not a value column
}

TEST(UnitCsv, NumbersAreReadAsTheSameDoublesAsStrtod) {
  // A leading '+', spaces around a value and quoted numbers are accepted.
  const Parsed p = parse("id,a,b,c\nx,+0.1, 0.7 ,\"0.3\"\n");
  ASSERT_TRUE(p.ok) << p.diags.to_string();
  EXPECT_EQ(p.table.values[0][0], 0.1);
  EXPECT_EQ(p.table.values[1][0], 0.7);
  EXPECT_EQ(p.table.values[2][0], 0.3);
}

TEST(UnitCsv, QuotedIdsMayHoldCommasQuotesAndLineBreaks) {
  const Parsed p = parse(
      "area,base\n"
      "\"Leeds, West\",0.6\n"
      "\"The \"\"Old\"\" Bailey\",0.5\n"
      "\"two\nlines\",0.4\n"
      "plain,0.3\n");
  ASSERT_TRUE(p.ok) << p.diags.to_string();
  EXPECT_EQ(p.table.ids, (std::vector<std::string>{"Leeds, West", "The \"Old\" Bailey", "two\nlines", "plain"}));
  EXPECT_EQ(p.table.values[0], (std::vector<double>{0.6, 0.5, 0.4, 0.3}));
}

TEST(UnitCsv, LinesAfterAQuotedLineBreakKeepTheirNumbers) {
  // The quoted id spans lines 2 and 3, so the bad cell is on line 4.
  const Parsed p = parse("area,base\n\"two\nlines\",0.4\nnext,oops\n");
  EXPECT_FALSE(p.ok);
  expect_one_at(p.diags, kCsvFile, 4, 6, {"'oops'", "not a number", "'base'", "'next'"});
}

TEST(UnitCsv, CrlfLineEndsAreAccepted) {
  const Parsed p = parse("area,base,volume\r\nnorth,0.6,10\r\nsouth,0.5,20\r\n");
  ASSERT_TRUE(p.ok) << p.diags.to_string();
  EXPECT_EQ(p.table.columns, (std::vector<std::string>{"base", "volume"}));
  EXPECT_EQ(p.table.ids, (std::vector<std::string>{"north", "south"}));
  EXPECT_EQ(p.table.values[1], (std::vector<double>{10.0, 20.0}));
}

TEST(UnitCsv, CrlfLineEndsKeepLineAndColumnNumbers) {
  const Parsed p = parse("area,base\r\nnorth,0.6\r\nsouth,x1\r\n");
  EXPECT_FALSE(p.ok);
  expect_one_at(p.diags, kCsvFile, 3, 7, {"'x1'", "not a number"});
}

TEST(UnitCsv, AByteOrderMarkIsSkippedAndNotPartOfTheFirstColumn) {
  const Parsed p = parse("\xEF\xBB\xBF" "area,base\nnorth,0.6\n");
  ASSERT_TRUE(p.ok) << p.diags.to_string();
  EXPECT_EQ(p.table.ids, (std::vector<std::string>{"north"}));
  EXPECT_EQ(p.table.columns, (std::vector<std::string>{"base"}));
  // Columns after the mark are counted from the first character, not the first byte.
  const Parsed bad = parse("\xEF\xBB\xBF" "area,Base\nnorth,0.6\n");
  expect_one_at(bad.diags, kCsvFile, 1, 6, {"'Base'", "not a valid name"});
}

TEST(UnitCsv, BlankLinesAreSkippedAndStillCounted) {
  const Parsed p = parse("area,base\n\nnorth,0.6\n   \n\nsouth,0.5\n\n");
  ASSERT_TRUE(p.ok) << p.diags.to_string();
  EXPECT_EQ(p.table.ids, (std::vector<std::string>{"north", "south"}));
  const Parsed bad = parse("area,base\n\nnorth,0.6\n\n\nsouth,bad\n");
  expect_one_at(bad.diags, kCsvFile, 6, 7, {"'bad'"});
}

TEST(UnitCsv, NoFinalLineBreakIsFine) {
  const Parsed p = parse("area,base\nnorth,0.6\nsouth,0.5");
  ASSERT_TRUE(p.ok) << p.diags.to_string();
  EXPECT_EQ(p.table.values[0], (std::vector<double>{0.6, 0.5}));
}

// ---- CSV mistakes ---------------------------------------------------------------------

TEST(UnitCsv, BadNumberNamesLineColumnOfTheCellTheColumnAndTheUnit) {
  const Parsed p = parse("area,base,volume\nnorth,0.6,10\nsouth,0.55,1 200\n");
  EXPECT_FALSE(p.ok);
  expect_one_at(p.diags, kCsvFile, 3, 12, {"column 'volume'", "unit 'south'", "'1 200'", "not a number"},
                {"plain number"});
}

TEST(UnitCsv, PercentagesThousandsSeparatorsAndNonFiniteValuesAreNotNumbers) {
  for (const std::string cell : {"60%", "\"1,200\"", "inf", "nan", "0x10", "1.2.3", "--1"}) {
    SCOPED_TRACE(cell);
    const Parsed p = parse("area,base\nnorth," + cell + "\n");
    EXPECT_FALSE(p.ok);
    expect_one_at(p.diags, kCsvFile, 2, 7, {"column 'base'", "unit 'north'", "not a number"});
  }
}

TEST(UnitCsv, EmptyCellIsReportedAsEmpty) {
  const Parsed p = parse("area,base,volume\nnorth,,10\n");
  EXPECT_FALSE(p.ok);
  expect_one_at(p.diags, kCsvFile, 2, 7, {"column 'base'", "unit 'north'", "is empty"});
}

TEST(UnitCsv, EveryBadCellIsReportedNotOnlyTheFirst) {
  const Parsed p = parse("area,base,volume\nnorth,a,10\nsouth,0.5,b\n");
  EXPECT_FALSE(p.ok);
  ASSERT_EQ(p.diags.size(), 2u) << p.diags.to_string();
  EXPECT_EQ(p.diags.list()[0].pos.line, 2);
  EXPECT_EQ(p.diags.list()[0].pos.col, 7);
  EXPECT_EQ(p.diags.list()[1].pos.line, 3);
  EXPECT_EQ(p.diags.list()[1].pos.col, 11);
}

TEST(UnitCsv, DuplicateUnitIdMentionsTheLineOfTheFirst) {
  const Parsed p = parse("area,base\nnorth,0.6\nsouth,0.5\nnorth,0.4\n");
  EXPECT_FALSE(p.ok);
  expect_one_at(p.diags, kCsvFile, 4, 1, {"unit id 'north'", "already used at line 2"}, {"unique"});
}

TEST(UnitCsv, EmptyIdIsReported) {
  const Parsed p = parse("area,base\nnorth,0.6\n,0.5\n");
  EXPECT_FALSE(p.ok);
  expect_one_at(p.diags, kCsvFile, 3, 1, {"unit id is empty"});
  const Parsed blank = parse("area,base\n  ,0.5\n");
  expect_one_at(blank.diags, kCsvFile, 2, 1, {"unit id is empty"});
}

TEST(UnitCsv, RowOfTheWrongLengthSaysHowManyValuesAndHowManyTheHeaderHas) {
  const Parsed shorter = parse("area,base,volume\nnorth,0.6\n");
  EXPECT_FALSE(shorter.ok);
  expect_one_at(shorter.diags, kCsvFile, 2, 1, {"row has 2 values", "the header has 3"});
  const Parsed longer = parse("area,base\nnorth,0.6,10\n");
  EXPECT_FALSE(longer.ok);
  expect_one_at(longer.diags, kCsvFile, 2, 1, {"row has 3 values", "the header has 2"});
}

TEST(UnitCsv, InvalidColumnNameIsReportedAtItsHeaderCell) {
  const Parsed p = parse("area,Base Rate,volume\nnorth,0.6,10\n");
  EXPECT_FALSE(p.ok);
  expect_one_at(p.diags, kCsvFile, 1, 6, {"column name 'Base Rate'", "not a valid name"}, {"lower-case"});
}

TEST(UnitCsv, ColumnNamesThatExpressionsCannotSpellAreRefused) {
  // A function name, a keyword, `t`, a leading digit, an empty header cell.
  for (const std::string name : {"normal", "and", "t", "2003", ""}) {
    SCOPED_TRACE(name);
    const Parsed p = parse("area," + name + "\nnorth,0.6\n");
    EXPECT_FALSE(p.ok);
    expect_one_at(p.diags, kCsvFile, 1, 6, {"column name '" + name + "'"});
  }
}

TEST(UnitCsv, DuplicateColumnIsReportedAtTheSecond) {
  const Parsed p = parse("area,base,volume,base\nnorth,0.6,10,0.7\n");
  EXPECT_FALSE(p.ok);
  expect_one_at(p.diags, kCsvFile, 1, 18, {"column 'base' appears twice"});
}

TEST(UnitCsv, EmptyTextIsAnEmptyTable) {
  for (const std::string text : {"", "\n\n", "\xEF\xBB\xBF", "  \r\n"}) {
    const Parsed p = parse(text);
    EXPECT_FALSE(p.ok);
    expect_one_at(p.diags, kCsvFile, 1, 1, {"units table is empty"}, {"first row names the columns"});
  }
}

TEST(UnitCsv, HeaderWithoutRowsHasNoUnits) {
  const Parsed p = parse("area,base,volume\n");
  EXPECT_FALSE(p.ok);
  expect_one_at(p.diags, kCsvFile, 2, 1, {"has no rows"}, {"one row per unit"});
}

TEST(UnitCsv, UnclosedQuoteIsReportedWhereItOpens) {
  const Parsed p = parse("area,base\n\"north,0.6\n");
  EXPECT_FALSE(p.ok);
  expect_one_at(p.diags, kCsvFile, 2, 1, {"quoted value is not closed"});
}

// ---- a CSV file named by a plan ---------------------------------------------------

// A directory per test under ::testing::TempDir(), for a plan and its table.
class UnitTableFile : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("plansim_units_" + std::string(info->name()) + "_" + std::to_string(::getpid()) + "_" +
            std::to_string(counter++));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    if (!HasFailure()) std::filesystem::remove_all(dir_, ec);
  }
  std::string path(const std::string& name) const { return (dir_ / name).lexically_normal().string(); }
  std::string write(const std::string& name, const std::string& text) const {
    std::filesystem::create_directories((dir_ / name).parent_path());
    std::ofstream(path(name), std::ios::binary) << text;
    return path(name);
  }
  std::unique_ptr<Plan> load(const std::string& plan_name, rules::Diagnostics& diags) const {
    return load_plan_file(path(plan_name), diags);
  }

  std::filesystem::path dir_;
};

// The table's line is line 5 of these plans; `table:` is at column 3 and
// its value at column 10. The local measure reads no column, so that a
// mistake in the table is the only one reported.
std::string plan_with_table(const std::string& table, const std::string& baseline = "0.5") {
  return with_head(R"y(
units:
  name: area
  table: )y" + table + R"y(
local:
  measures:
    rate: {baseline: )y" + baseline + R"y(}
)y");
}

TEST_F(UnitTableFile, TableIsReadRelativeToThePlansFolder) {
  write("plans/data/areas.csv", "area,base,volume\nnorth,0.6,10\nsouth,0.5,20\n");
  write("plans/plan.yaml", plan_with_table("data/areas.csv", "base"));
  rules::Diagnostics diags;
  auto plan = load("plans/plan.yaml", diags);
  ASSERT_TRUE(plan);
  ASSERT_TRUE(diags.ok()) << diags.to_string();
  ASSERT_TRUE(plan->units.has_value());
  EXPECT_EQ(plan->units->name, "area");
  EXPECT_EQ(plan->units->source, "data/areas.csv");
  EXPECT_EQ(plan->units->ids, (std::vector<std::string>{"north", "south"}));
  EXPECT_EQ(plan->units->columns, (std::vector<std::string>{"base", "volume"}));
  EXPECT_EQ(plan->units->values[1], (std::vector<double>{10.0, 20.0}));
  ASSERT_EQ(plan->measures.size(), 1u);
  EXPECT_TRUE(plan->measures[0].info.local);
}

TEST_F(UnitTableFile, MissingTableNamesThePathAtTheTableKeysValue) {
  write("plan.yaml", plan_with_table("nowhere.csv"));
  rules::Diagnostics diags;
  auto plan = load("plan.yaml", diags);
  EXPECT_FALSE(diags.ok());
  ASSERT_EQ(diags.size(), 1u) << diags.to_string();
  const rules::Diagnostic& d = diags.list()[0];
  EXPECT_EQ(d.file, path("plan.yaml"));
  EXPECT_EQ(d.pos.line, 5);
  EXPECT_EQ(d.pos.col, 10);
  EXPECT_NE(d.message.find("cannot read units table 'nowhere.csv'"), std::string::npos) << d.message;
  EXPECT_NE(d.message.find(path("nowhere.csv")), std::string::npos) << d.message;
  EXPECT_NE(d.hint.find("relative to the plan"), std::string::npos) << d.hint;
}

TEST_F(UnitTableFile, ADirectoryIsNotATable) {
  std::filesystem::create_directories(dir_ / "areas.csv");
  write("plan.yaml", plan_with_table("areas.csv"));
  rules::Diagnostics diags;
  load("plan.yaml", diags);
  ASSERT_EQ(diags.size(), 1u) << diags.to_string();
  EXPECT_EQ(diags.list()[0].pos.line, 5);
  EXPECT_NE(diags.list()[0].message.find("is a directory"), std::string::npos);
}

TEST_F(UnitTableFile, BadNumberIsReportedInTheCsvFileAtTheCell) {
  write("areas.csv", "area,base,volume\nnorth,0.6,10\nsouth,0.5x,20\n");
  write("plan.yaml", plan_with_table("areas.csv"));
  rules::Diagnostics diags;
  auto plan = load("plan.yaml", diags);
  expect_one_at(diags, path("areas.csv"), 3, 7, {"column 'base'", "unit 'south'", "'0.5x'", "not a number"});
}

TEST_F(UnitTableFile, DuplicateIdInTheFileMentionsTheFirstLine) {
  write("areas.csv", "area,base\r\nnorth,0.6\r\nsouth,0.5\r\nsouth,0.4\r\n");
  write("plan.yaml", plan_with_table("areas.csv"));
  rules::Diagnostics diags;
  load("plan.yaml", diags);
  expect_one_at(diags, path("areas.csv"), 4, 1, {"'south'", "already used at line 3"});
}

TEST_F(UnitTableFile, EmptyFileAndHeaderOnlyAreRefused) {
  write("empty.csv", "");
  write("header.csv", "area,base\n");
  write("a.yaml", plan_with_table("empty.csv"));
  write("b.yaml", plan_with_table("header.csv"));
  rules::Diagnostics a, b;
  load("a.yaml", a);
  load("b.yaml", b);
  expect_one_at(a, path("empty.csv"), 1, 1, {"units table is empty"});
  expect_one_at(b, path("header.csv"), 2, 1, {"has no rows"});
}

TEST_F(UnitTableFile, AMistakeInTheTableIsNotFollowedByErrorsWhereColumnsAreUsed) {
  write("plan.yaml", plan_with_table("nowhere.csv", "base"));
  rules::Diagnostics diags;
  load("plan.yaml", diags);
  ASSERT_EQ(diags.size(), 1u) << diags.to_string();
  EXPECT_NE(diags.list()[0].message.find("cannot read units table"), std::string::npos);
}

TEST_F(UnitTableFile, CsvAndInlineRowsGiveTheSameTable) {
  write("areas.csv", "\xEF\xBB\xBF" "area,base,volume\r\nnorth,0.6,1200\r\n\"south\",0.55,900\r\n");
  write("plan.yaml", plan_with_table("areas.csv", "base"));
  rules::Diagnostics diags;
  auto from_csv = load("plan.yaml", diags);
  auto inline_rows = load_only(with_head(R"y(
units:
  name: area
  rows:
    north: {base: 0.6, volume: 1200}
    south: {volume: 900, base: 0.55}
)y"));
  ASSERT_TRUE(diags.ok()) << diags.to_string();
  ASSERT_TRUE(inline_rows.diags.ok()) << inline_rows.diags.to_string();
  ASSERT_TRUE(from_csv->units && inline_rows.plan->units);
  EXPECT_EQ(from_csv->units->ids, inline_rows.plan->units->ids);
  EXPECT_EQ(from_csv->units->columns, inline_rows.plan->units->columns);
  EXPECT_EQ(from_csv->units->values, inline_rows.plan->units->values);
  EXPECT_EQ(inline_rows.plan->units->source, "");
}

// ---- the units section ---------------------------------------------------------------

TEST(UnitsSection, InlineRowsAreReadInOrder) {
  auto r = load_only(with_head(R"y(
units:
  name: court
  rows:
    leeds: {base: 0.6, volume: 10}
    york: {base: 0.5, volume: 20}
    hull: {base: 0.7, volume: 30}
)y"));
  ASSERT_TRUE(r.diags.ok()) << r.diags.to_string();
  ASSERT_TRUE(r.plan->units);
  EXPECT_EQ(r.plan->units->name, "court");
  EXPECT_EQ(r.plan->units->ids, (std::vector<std::string>{"leeds", "york", "hull"}));
  EXPECT_EQ(r.plan->units->columns, (std::vector<std::string>{"base", "volume"}));
  EXPECT_EQ(r.plan->units->values[0], (std::vector<double>{0.6, 0.5, 0.7}));
  EXPECT_EQ(r.plan->units->values[1], (std::vector<double>{10.0, 20.0, 30.0}));
}

TEST(UnitsSection, BothTableAndRowsIsAnError) {
  auto r = load_only(with_head(R"y(
units:
  name: area
  table: areas.csv
  rows: {north: {base: 1}}
)y"));
  expect_only(r.diags, {6, 9, "", {"both 'table' and 'rows'"}});
  EXPECT_FALSE(r.plan && r.plan->units);
}

TEST(UnitsSection, NeitherTableNorRowsIsAnError) {
  auto r = load_only(with_head(R"y(
units:
  name: area
)y"));
  expect_only(r.diags, {4, 3, "", {"needs a 'table'", "or inline 'rows'"}});
}

TEST(UnitsSection, UnknownKeyIsReportedWithASuggestion) {
  auto r = load_only(with_head(R"y(
units:
  name: area
  rowz: {north: {base: 1}}
  rows: {north: {base: 1}}
)y"));
  ASSERT_FALSE(r.diags.ok());
  expect_diagnostic(r.diags.list()[0], {5, 3, "", {"unknown key 'rowz'"}, {"did you mean 'rows'?"}});
}

TEST(UnitsSection, DuplicateInlineIdsAreDuplicateYamlKeys) {
  auto r = load_only(with_head(R"y(
units:
  name: area
  rows:
    north: {base: 0.6}
    north: {base: 0.7}
)y"));
  expect_only(r.diags, {7, 5, "", {"duplicate key 'north'", "line 6"}});
}

TEST(UnitsSection, InlineRowMissingAColumnNamesTheUnitAndTheColumn) {
  auto r = load_only(with_head(R"y(
units:
  name: area
  rows:
    north: {base: 0.6, volume: 10}
    south: {base: 0.5}
)y"));
  expect_only(r.diags, {7, 5, "", {"unit 'south'", "no value for column 'volume'"}});
}

TEST(UnitsSection, InlineRowWithAnExtraColumnIsAnUnknownKey) {
  auto r = load_only(with_head(R"y(
units:
  name: area
  rows:
    north: {base: 0.6}
    south: {base: 0.5, volume: 20}
)y"));
  expect_only(r.diags, {7, 24, "", {"unknown key 'volume'", "unit 'south'"}});
}

TEST(UnitsSection, InlineValueThatIsNotANumberNamesTheUnitAndColumn) {
  auto r = load_only(with_head(R"y(
units:
  name: area
  rows:
    north: {base: 0.6}
    south: {base: high}
)y"));
  ASSERT_EQ(r.diags.size(), 1u) << r.diags.to_string();
  const rules::Diagnostic& d = r.diags.list()[0];
  EXPECT_EQ(d.pos.line, 7);
  EXPECT_EQ(d.pos.col, 19);
  EXPECT_NE(d.message.find("south"), std::string::npos) << d.message;
  EXPECT_NE(d.message.find("base"), std::string::npos) << d.message;
}

TEST(UnitsSection, InlineInvalidColumnNameIsReported) {
  auto r = load_only(with_head(R"y(
units:
  name: area
  rows:
    north: {Base: 0.6}
)y"));
  ASSERT_FALSE(r.diags.ok());
  expect_diagnostic(r.diags.list()[0], {6, 13, "", {"column name 'Base'", "not a valid name"}});
}

TEST(UnitsSection, InlineInvalidColumnNameIsReportedOnce) {
  auto r = load_only(with_head(R"y(
units:
  name: area
  rows:
    north: {Base: 0.6}
    south: {Base: 0.7}
)y"));
  expect_only(r.diags, {6, 13, "", {"column name 'Base'", "not a valid name"}});
}

TEST(UnitsSection, InlineRowsThatAreNotAMappingAreRefused) {
  auto r = load_only(with_head(R"y(
units:
  name: area
  rows: [north, south]
)y"));
  expect_only(r.diags, {5, 9, "", {"mapping from unit id"}});
  auto empty = load_only(with_head(R"y(
units:
  name: area
  rows: {}
)y"));
  expect_only(empty.diags, {5, 9, "", {"has no rows"}});
}

TEST(UnitsSection, AColumnWithTheNameOfANodeIsAnError) {
  auto r = load_only(with_head(R"y(
units:
  name: area
  rows: {north: {base: 0.6, volume: 10}}
assumptions:
  volume: normal(1, 0.1)
)y"));
  expect_only(r.diags, {7, 3, "volume", {"'volume' is both a node and a column"}, {"rename"}});
}

TEST(UnitsSection, ALocalNodeWithTheNameOfAColumnIsAnError) {
  auto r = load_only(with_head(R"y(
units:
  name: area
  rows: {north: {base: 0.6}}
local:
  measures:
    base: {baseline: 0.5}
)y"));
  expect_only(r.diags, {8, 5, "base", {"'base' is both a node and a column"}});
}

TEST(UnitsSection, LocalWithoutUnitsIsAnError) {
  auto r = load_only(with_head(R"y(
measures:
  nat: {baseline: 1}
local:
  measures:
    rate: {baseline: 0.5}
)y"));
  expect_only(r.diags, {5, 1, "", {"section 'local' needs a 'units' section"}, {"units:"}});
}

TEST(UnitsSection, LocalAcceptsOnlyNodeSections) {
  auto r = load_only(with_head(R"y(
units:
  name: area
  rows: {north: {base: 0.6}}
local:
  measure:
    rate: {baseline: base}
)y"));
  ASSERT_FALSE(r.diags.ok());
  expect_diagnostic(r.diags.list()[0], {7, 3, "", {"unknown key 'measure'"}, {"did you mean 'measures'?"}});
}

TEST(UnitsSection, LocalNodesAreMarkedLocalAndShareTheNamespace) {
  auto ok = load_only(with_head(R"y(
units:
  name: area
  rows: {north: {base: 0.6}}
local:
  assumptions:
    drift: normal(0, 0.01)
  measures:
    rate: {baseline: base, value: prev(rate) + drift}
measures:
  nat: {value: average(rate)}
)y"));
  ASSERT_TRUE(ok.diags.ok()) << ok.diags.to_string();
  EXPECT_TRUE(ok.plan->assumptions[0].info.local);
  for (const auto& m : ok.plan->measures) EXPECT_EQ(m.info.local, m.info.name == "rate") << m.info.name;

  // A local and a plan-wide node of one name are one name used twice.
  auto twice = load_only(with_head(R"y(
units:
  name: area
  rows: {north: {base: 0.6}}
local:
  measures:
    rate: {baseline: base}
measures:
  rate: {baseline: 0.5}
)y"));
  ASSERT_EQ(twice.diags.size(), 1u) << twice.diags.to_string();
  EXPECT_NE(twice.diags.list()[0].message.find("rate"), std::string::npos);
}

TEST(UnitsSection, LocalBaselinesAndThresholdsMayUseColumnsPlanWideOnesOnlyTheirAggregations) {
  auto ok = load_only(with_head(R"y(
units:
  name: area
  rows: {north: {base: 0.6, volume: 10}}
local:
  measures:
    rate: {baseline: base - 0.01}
  targets:
    low: {measure: rate, at_most: base - 0.12}
measures:
  nat: {value: "weighted(rate, volume)"}
targets:
  nat_low: {measure: nat, at_most: "weighted(base, volume) + 0.02"}
)y"));
  EXPECT_TRUE(ok.diags.ok()) << ok.diags.to_string();

  auto column = load_only(with_head(R"y(
units:
  name: area
  rows: {north: {base: 0.6, volume: 10}}
measures:
  nat: {baseline: 0.5}
targets:
  nat_low: {measure: nat, at_most: base}
)y"));
  expect_only(column.diags, {9, 36, "nat_low", {"threshold must be a constant", "aggregations of table columns"}});

  auto node = load_only(with_head(R"y(
units:
  name: area
  rows: {north: {base: 0.6}}
assumptions:
  c: 0.5
local:
  measures:
    rate: {baseline: base}
  targets:
    low: {measure: rate, at_most: c}
)y"));
  expect_only(node.diags, {12, 35, "low", {"threshold must be a constant", "columns of the units table"}});
}

}  // namespace
}  // namespace plansim::graph
