// Writes a one-sheet .xlsx with libxlsxwriter (xlsx.h).
#include <stdlib.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "roster/xlsx.h"

namespace shouhu::roster {

StatusOr<std::string> WriteXlsx(const std::string& sheet_name,
                                const std::vector<std::string>& headings,
                                const std::vector<std::vector<std::string>>& rows,
                                const std::vector<bool>& numeric) {
  // A private directory (0700), so the clear copy is nobody else's to read
  // for the moment it exists.
  std::error_code ec;
  std::string tmpl = (std::filesystem::temp_directory_path(ec) / "shouhu-xlsx-XXXXXX").string();
  if (ec || mkdtemp(tmpl.data()) == nullptr) return Unavailable("no temporary directory for the .xlsx");
  const std::string dir = tmpl;
  const std::string path = dir + "/export.xlsx";
  auto cleanup = [&] { std::filesystem::remove_all(dir, ec); };

  lxw_workbook_options options = {};
  options.constant_memory = LXW_TRUE;
  options.tmpdir = const_cast<char*>(dir.c_str());
  lxw_workbook* book = workbook_new_opt(path.c_str(), &options);
  if (!book) {
    cleanup();
    return Internal("libxlsxwriter could not start a workbook");
  }
  lxw_worksheet* sheet = workbook_add_worksheet(book, sheet_name.c_str());
  lxw_format* bold = workbook_add_format(book);
  format_set_bold(bold);
  lxw_error err = LXW_NO_ERROR;
  for (size_t c = 0; c < headings.size() && err == LXW_NO_ERROR; ++c) {
    err = worksheet_write_string(sheet, 0, static_cast<lxw_col_t>(c), headings[c].c_str(), bold);
  }
  for (size_t r = 0; r < rows.size() && err == LXW_NO_ERROR; ++r) {
    for (size_t c = 0; c < rows[r].size() && err == LXW_NO_ERROR; ++c) {
      if (rows[r][c].empty()) continue;
      if (c < numeric.size() && numeric[c]) {
        char* end = nullptr;
        double v = std::strtod(rows[r][c].c_str(), &end);
        if (end && *end == '\0') {
          err = worksheet_write_number(sheet, static_cast<lxw_row_t>(r + 1),
                                       static_cast<lxw_col_t>(c), v, nullptr);
          continue;
        }
      }
      err = worksheet_write_string(sheet, static_cast<lxw_row_t>(r + 1), static_cast<lxw_col_t>(c),
                                   rows[r][c].c_str(), nullptr);
    }
  }
  lxw_error closed = workbook_close(book);
  if (err == LXW_NO_ERROR) err = closed;
  if (err != LXW_NO_ERROR) {
    cleanup();
    return Internal(std::string("libxlsxwriter: ") + lxw_strerror(err));
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  cleanup();
  return bytes.str();
}

}  // namespace shouhu::roster
