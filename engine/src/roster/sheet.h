// A roster as rows of text cells, whatever file it came from (CSV or
// .xlsx): the first row holds the column headings.
//
// Thread safety: value types and pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "shouhu/status.h"

namespace shouhu::roster {

struct Sheet {
  std::vector<std::string> headings;
  // Data rows, each as long as it was written (may be shorter or longer than
  // the headings); row_numbers[i] is rows[i]'s row in the file, from 1 for
  // the headings, as a spreadsheet shows it.
  std::vector<std::vector<std::string>> rows;
  std::vector<size_t> row_numbers;
};

// At most this many data rows in one roster.
inline constexpr size_t kMaxRosterRows = 50'000;

// RFC 4180 CSV in UTF-8 (from DecodeText): commas, quoted fields with
// doubled quotes and line breaks inside, CRLF or LF. Rows of empty cells
// are skipped. kInvalidArgument for an unterminated quote or too many rows.
StatusOr<Sheet> ParseCsv(std::string_view utf8);

// A sheet as CSV (UTF-8, CRLF, quoted where needed), headings first.
std::string WriteCsv(const std::vector<std::string>& headings,
                     const std::vector<std::vector<std::string>>& rows);

}  // namespace shouhu::roster
