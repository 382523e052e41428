// Plain-text tables for the CLI, aligned by display width (a Chinese
// character takes two columns).
#pragma once

#include <string>
#include <vector>

namespace shouhu::cli {

// Columns of a terminal that `text` (UTF-8) takes.
size_t DisplayWidth(const std::string& text);

// Prints the header and rows aligned, two spaces between columns.
void PrintTable(const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows);

}  // namespace shouhu::cli
