#include "graph/unit_table.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "graph/plan_loader.h"

namespace plansim::graph {
namespace {

using rules::Diagnostics;
using rules::SourcePos;

struct Cell {
  std::string text;
  SourcePos pos;
};

// Splits CSV text into rows of cells, keeping each cell's line and column.
// Quoted cells may hold commas, line breaks and doubled quotes. Blank lines
// are skipped. Returns false after reporting an unclosed quote.
bool split_rows(const std::string& text, const std::string& file, std::vector<std::vector<Cell>>& rows,
                Diagnostics& diags) {
  std::size_t i = text.rfind("\xEF\xBB\xBF", 0) == 0 ? 3 : 0;  // byte order mark
  int line = 1, col = 1;
  std::vector<Cell> row;
  Cell cell{{}, {line, col}};
  bool row_has_text = false;
  auto end_cell = [&] {
    row.push_back(std::move(cell));
    cell = Cell{{}, {line, col}};
  };
  auto end_row = [&] {
    end_cell();
    if (row_has_text || row.size() > 1) rows.push_back(std::move(row));
    row.clear();
    row_has_text = false;
  };
  while (i < text.size()) {
    const char c = text[i];
    if (c == '"' && cell.text.find_first_not_of(" \t") == std::string::npos) {
      const SourcePos open{line, col};
      cell.text.clear();
      ++i, ++col;
      for (;;) {
        if (i >= text.size()) {
          diags.error(file, open, "", "a quoted value is not closed", "add the closing '\"'");
          return false;
        }
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            cell.text += '"';
            i += 2, col += 2;
            continue;
          }
          ++i, ++col;
          break;
        }
        if (text[i] == '\n') ++line, col = 0;
        cell.text += text[i++];
        ++col;
      }
      row_has_text = true;
      // Anything after the closing quote, up to the separator, is kept as
      // written so that the number check reports it.
      continue;
    }
    if (c == ',') {
      ++i, ++col;
      end_cell();
      continue;
    }
    if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
    if (c == '\n' || c == '\r') {
      ++i;
      end_row();
      ++line, col = 1;
      cell.pos = {line, col};
      continue;
    }
    if (c != ' ' && c != '\t') row_has_text = true;
    cell.text += c;
    ++i, ++col;
  }
  end_row();
  return true;
}

std::string trimmed(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

std::optional<double> parse_cell_number(const std::string& s) {
  double v = 0.0;
  const char* first = s.data();
  const char* last = s.data() + s.size();
  if (first != last && *first == '+') ++first;
  auto [end, ec] = std::from_chars(first, last, v);
  if (ec != std::errc() || end != last || !std::isfinite(v)) return std::nullopt;
  return v;
}

const char* const kNameRule =
    "names are lower-case letters, digits and '_', starting with a letter or '_', and not a function "
    "name, keyword, 't' or 'funding'";

// Checks a column name; reports at `pos` in `file`.
bool check_column_name(const std::string& name, const std::string& file, SourcePos pos,
                       std::set<std::string>& seen, Diagnostics& diags) {
  if (!valid_node_name(name)) {
    diags.error(file, pos, "", "column name '" + name + "' is not a valid name for expressions to read",
                std::string("rename it in the header: ") + kNameRule);
    return false;
  }
  if (!seen.insert(name).second) {
    diags.error(file, pos, "", "column '" + name + "' appears twice", "give each column its own name");
    return false;
  }
  return true;
}

// Adds a unit id, checking that it is not empty and not a repeat.
bool add_id(UnitTable& out, const std::string& id, const std::string& file, SourcePos pos,
            std::map<std::string, int>& first_line, Diagnostics& diags) {
  if (id.empty()) {
    diags.error(file, pos, "", "the unit id is empty", "every row needs an id in its first column");
    return false;
  }
  auto [it, inserted] = first_line.emplace(id, pos.line);
  if (!inserted) {
    diags.error(file, pos, "", "unit id '" + id + "' is already used at line " + std::to_string(it->second),
                "unit ids must be unique");
    return false;
  }
  if (out.ids.size() >= kMaxUnits) {
    diags.error(file, pos, "", "the table has more than " + std::to_string(kMaxUnits) + " units",
                "split the plan, or raise kMaxUnits in graph/unit_table.h");
    return false;
  }
  out.ids.push_back(id);
  return true;
}

}  // namespace

bool parse_unit_csv(const std::string& text, const std::string& file, UnitTable& out, Diagnostics& diags) {
  std::vector<std::vector<Cell>> rows;
  if (!split_rows(text, file, rows, diags)) return false;
  if (rows.empty()) {
    diags.error(file, {1, 1}, "", "the units table is empty",
                "the first row names the columns (the id column first), then one row per unit");
    return false;
  }
  const std::size_t errors_before = diags.size();
  const std::vector<Cell>& header = rows[0];
  if (header.size() - 1 > kMaxUnitColumns) {
    diags.error(file, header[0].pos, "", "the table has more than " + std::to_string(kMaxUnitColumns) + " columns",
                "keep the columns the plan reads, or raise kMaxUnitColumns in graph/unit_table.h");
    return false;
  }
  std::set<std::string> seen;
  out.columns.clear();
  for (std::size_t c = 1; c < header.size(); ++c) {
    const std::string name = trimmed(header[c].text);
    check_column_name(name, file, header[c].pos, seen, diags);
    out.columns.push_back(name);
  }
  out.values.assign(out.columns.size(), {});
  out.ids.clear();
  std::map<std::string, int> first_line;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    const std::vector<Cell>& row = rows[r];
    if (row.size() != header.size()) {
      diags.error(file, row[0].pos, "",
                  "row has " + std::to_string(row.size()) + " values, the header has " +
                      std::to_string(header.size()),
                  "every row needs an id and one value per column");
      continue;
    }
    if (!add_id(out, trimmed(row[0].text), file, row[0].pos, first_line, diags)) continue;
    for (std::size_t c = 1; c < row.size(); ++c) {
      const std::string cell = trimmed(row[c].text);
      auto v = parse_cell_number(cell);
      if (!v) {
        const std::string& column = out.columns[c - 1];
        diags.error(file, row[c].pos, "",
                    cell.empty() ? "column '" + column + "' of unit '" + out.ids.back() + "' is empty"
                                 : "column '" + column + "' of unit '" + out.ids.back() + "': '" + cell +
                                       "' is not a number",
                    "write a plain number such as 0.62 or 1200 (no thousands separators, units or %)");
        v = 0.0;
      }
      out.values[c - 1].push_back(*v);
    }
  }
  if (diags.size() == errors_before && out.ids.empty())
    diags.error(file, {static_cast<int>(rows.size()) + 1, 1}, "", "the units table has no rows",
                "add one row per unit under the header");
  return diags.size() == errors_before;
}

namespace {

std::string read_table_file(const std::string& path, const std::string& plan_file, SourcePos pos,
                            const std::string& written, bool& ok, Diagnostics& diags) {
  ok = false;
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    diags.error(plan_file, pos, "", "units table '" + written + "' is a directory", "name a CSV file");
    return {};
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diags.error(plan_file, pos, "",
                "cannot read units table '" + written + "' (" + path + "): " + std::strerror(errno),
                "the path is relative to the plan file's folder");
    return {};
  }
  in.seekg(0, std::ios::end);
  const auto size = static_cast<std::size_t>(in.tellg());
  if (size > kMaxUnitTableBytes) {
    diags.error(plan_file, pos, "",
                "units table '" + written + "' is " + std::to_string(size >> 20) + " MiB, over the limit of " +
                    std::to_string(kMaxUnitTableBytes >> 20) + " MiB",
                "keep only the columns the plan reads, or raise kMaxUnitTableBytes in graph/unit_table.h");
    return {};
  }
  in.seekg(0);
  std::string text(size, '\0');
  in.read(text.data(), static_cast<std::streamsize>(size));
  ok = static_cast<bool>(in);
  if (!ok) diags.error(plan_file, pos, "", "cannot read units table '" + written + "'", "check the file");
  return text;
}

// `rows:` inline: a mapping from unit id to a mapping of its columns. Every
// row must have the same columns as the first, in any order.
void load_rows(const YamlNode& rows, FieldReader& in, UnitTable& out, Diagnostics& diags) {
  if (!rows.is_map()) {
    in.error(rows.pos, "",
             std::string("units rows must be a mapping from unit id to its columns, not ") + rows.kind_name(),
             "write e.g. rows: {north: {base: 0.62, volume: 1200}, south: {base: 0.58, volume: 900}}");
    return;
  }
  if (rows.entries.empty()) {
    in.error(rows.pos, "", "the units table has no rows", "add one entry per unit");
    return;
  }
  std::map<std::string, int> first_line;
  std::set<std::string> seen;
  const YamlNode& first = *rows.entries.front().value;
  bool names_ok = true;
  if (first.is_map())
    for (const auto& e : first.entries) {
      names_ok = check_column_name(e.key, in.file(), e.key_pos, seen, diags) && names_ok;
      out.columns.push_back(e.key);
    }
  if (!names_ok) return;  // reported once, not again in every row
  out.values.assign(out.columns.size(), {});
  for (const auto& row : rows.entries) {
    if (!add_id(out, row.key, in.file(), row.key_pos, first_line, diags)) continue;
    const YamlNode& cells = *row.value;
    if (!cells.is_map()) {
      in.error(cells.pos, "", "unit '" + row.key + "' must map column names to numbers, not " +
                                  std::string(cells.kind_name()),
               "write e.g. " + row.key + ": {base: 0.62}");
      continue;
    }
    in.check_keys(cells, out.columns, "", "unit '" + row.key + "' (the columns are those of the first row)");
    for (std::size_t c = 0; c < out.columns.size(); ++c) {
      const YamlNode* v = cells.find(out.columns[c]);
      std::optional<double> x;
      if (!v)
        in.error(row.key_pos, "", "unit '" + row.key + "' has no value for column '" + out.columns[c] + "'",
                 "every row needs the columns of the first row");
      else
        x = in.number(*v, "", "unit '" + row.key + "' column '" + out.columns[c] + "'");
      out.values[c].push_back(x.value_or(0.0));
    }
  }
}

}  // namespace

void load_units(const YamlNode& section, FieldReader& in, Plan& plan, Diagnostics& diags) {
  if (!in.expect_map(section, "", "units")) return;
  in.check_keys(section, {"name", "table", "rows"}, "", "units");
  UnitTable table;
  table.pos = section.pos;
  if (const YamlNode* n = section.find("name")) {
    table.name = in.text(*n, "", "units name");
    if (n->is_scalar() && table.name.empty()) in.error(n->pos, "", "the units' name is empty", "e.g. name: area");
  }
  const YamlNode* csv = section.find("table");
  const YamlNode* rows = section.find("rows");
  if (csv && rows) {
    in.error(rows->pos, "", "units has both 'table' and 'rows'", "give the units in a CSV table or inline, not both");
    return;
  }
  if (!csv && !rows) {
    in.error(section.pos, "", "units needs a 'table' (a CSV file) or inline 'rows'",
             "e.g. table: areas.csv, with a header row and one row per unit");
    return;
  }
  const std::size_t errors_before = diags.size();
  if (rows) {
    load_rows(*rows, in, table, diags);
  } else {
    table.source = in.text(*csv, "", "units table");
    if (table.source.empty()) {
      if (csv->is_scalar()) in.error(csv->pos, "", "the units table path is empty", "e.g. table: areas.csv");
      return;
    }
    const std::filesystem::path dir = std::filesystem::path(plan.file).parent_path();
    const std::string path = (dir / table.source).lexically_normal().string();
    bool ok = false;
    const std::string text = read_table_file(path, plan.file, csv->pos, table.source, ok, diags);
    if (!ok) return;
    parse_unit_csv(text, path, table, diags);
  }
  if (diags.size() == errors_before) plan.units = std::move(table);
}

}  // namespace plansim::graph
