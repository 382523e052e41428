// .xlsx rosters in and out.
//
// Reading: Debian has no maintained C/C++ library that reads .xlsx, so the
// container is opened with libzip (libzip-dev) and the first worksheet and
// the shared strings are read with expat (libexpat1-dev), a streaming XML
// parser: both kept, fuzzed and patched by Debian, and neither holds the
// whole document in memory. Only what a roster needs is read: cell text
// (shared, inline and formula-result strings), numbers as written, and the
// first sheet. Dates are numbers in a cell; the importer turns a number in a
// date column into a date (Excel's 1900 date system).
//
// Writing: libxlsxwriter (libxlsxwriter-dev), in constant-memory mode. It
// writes to a file: a private temporary file, removed before returning.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "roster/sheet.h"
#include "shouhu/status.h"

namespace shouhu::roster {

// The first worksheet. kInvalidArgument when `bytes` is no .xlsx workbook
// (with the reason), or an entry inflates beyond 64 MiB (a zip bomb).
StatusOr<Sheet> ReadXlsx(std::string_view bytes);

// One sheet named `sheet_name`: the headings in bold, then the rows, every
// cell as text, except in the columns `numeric` marks true, where a cell
// that is a number ("12", "0.5") is written as one (a report's figures, so
// that Excel sums them).
StatusOr<std::string> WriteXlsx(const std::string& sheet_name,
                                const std::vector<std::string>& headings,
                                const std::vector<std::vector<std::string>>& rows,
                                const std::vector<bool>& numeric = {});

// True when `bytes` start as a zip archive (an .xlsx) does.
bool LooksLikeZip(std::string_view bytes);

}  // namespace shouhu::roster
