#include "api/spreadsheet.h"

#include "api/errors.h"
#include "roster/sheet.h"
#include "roster/xlsx.h"

namespace shouhu::api {

HttpResponse Spreadsheet(const std::string& format, const std::string& name,
                         const std::vector<std::string>& headings,
                         const std::vector<std::vector<std::string>>& rows,
                         const std::vector<bool>& numeric) {
  HttpResponse out;
  if (format == "csv") {
    out.content_type = "text/csv; charset=utf-8";
    out.body = "\xEF\xBB\xBF" + roster::WriteCsv(headings, rows);
  } else {
    auto xlsx = roster::WriteXlsx(name, headings, rows, numeric);
    if (!xlsx.ok()) return StatusResponse(xlsx.status());
    out.content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    out.body = std::move(*xlsx);
  }
  return out;
}

}  // namespace shouhu::api
