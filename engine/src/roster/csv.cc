// CSV in and out (sheet.h).
#include <algorithm>

#include "roster/sheet.h"

namespace shouhu::roster {
namespace {

bool AllEmpty(const std::vector<std::string>& row) {
  return std::all_of(row.begin(), row.end(), [](const std::string& c) {
    return c.find_first_not_of(" \t") == std::string::npos;
  });
}

void AppendCell(std::string* out, const std::string& cell) {
  if (cell.find_first_of(",\"\r\n") == std::string::npos) {
    out->append(cell);
    return;
  }
  out->push_back('"');
  for (char c : cell) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

}  // namespace

StatusOr<Sheet> ParseCsv(std::string_view text) {
  Sheet sheet;
  std::vector<std::string> row;
  std::string cell;
  bool quoted = false, in_quotes = false, have_row = false;
  size_t line = 1, row_line = 1;
  auto end_cell = [&] {
    row.push_back(std::move(cell));
    cell.clear();
    quoted = false;
  };
  auto end_row = [&]() -> Status {
    end_cell();
    if (!AllEmpty(row)) {
      if (!have_row) {
        sheet.headings = std::move(row);
        have_row = true;
      } else {
        if (sheet.rows.size() >= kMaxRosterRows) {
          return InvalidArgument("花名册过大 more than " + std::to_string(kMaxRosterRows) +
                                 " rows");
        }
        sheet.rows.push_back(std::move(row));
        sheet.row_numbers.push_back(row_line);
      }
    }
    row.clear();
    return Status::Ok();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_quotes) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        cell.push_back('"');
        ++i;
      } else if (c == '"') {
        in_quotes = false;
      } else {
        if (c == '\n') ++line;
        cell.push_back(c);
      }
      continue;
    }
    if (c == '"' && !quoted && cell.find_first_not_of(" \t") == std::string::npos) {
      cell.clear();
      in_quotes = quoted = true;
    } else if (c == ',') {
      end_cell();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      continue;
    } else if (c == '\n' || c == '\r') {
      SHOUHU_RETURN_IF_ERROR(end_row());
      row_line = ++line;
    } else {
      cell.push_back(c);
    }
  }
  if (in_quotes) {
    return InvalidArgument("第" + std::to_string(row_line) + "行的引号没有结束 row " +
                           std::to_string(row_line) + ": a quoted cell is not closed");
  }
  SHOUHU_RETURN_IF_ERROR(end_row());
  return sheet;
}

std::string WriteCsv(const std::vector<std::string>& headings,
                     const std::vector<std::vector<std::string>>& rows) {
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    for (size_t i = 0; i < cells.size(); ++i) {
      if (i) out.push_back(',');
      AppendCell(&out, cells[i]);
    }
    out += "\r\n";
  };
  line(headings);
  for (const auto& r : rows) line(r);
  return out;
}

}  // namespace shouhu::roster
