// A table as a downloadable file: .xlsx (libxlsxwriter, roster/xlsx.h) or
// CSV in UTF-8 with a byte-order mark (so Excel opens it as UTF-8). The
// exports and the reports answer with it.
#pragma once

#include <string>
#include <vector>

#include "api/http_message.h"

namespace shouhu::api {

// `format` is "xlsx" or "csv"; `numeric` marks the columns whose numbers an
// .xlsx holds as numbers.
HttpResponse Spreadsheet(const std::string& format, const std::string& name,
                         const std::vector<std::string>& headings,
                         const std::vector<std::vector<std::string>>& rows,
                         const std::vector<bool>& numeric = {});

}  // namespace shouhu::api
