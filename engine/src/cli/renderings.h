// The CLI's human-readable renderings of the API's answers, one per kind of
// answer; `--json` prints the answer itself instead.
#pragma once

#include <nlohmann/json.hpp>

namespace shouhu::cli {

void RenderResult(const nlohmann::json& r);         // a command's result
void RenderCase(const nlohmann::json& c);           // one case (full or feedback view)
void RenderCaseList(const nlohmann::json& r);       // a page of cases
void RenderEscalations(const nlohmann::json& r);    // the caller's escalations
void RenderMe(const nlohmann::json& m);             // who the caller is
void RenderBackup(const nlohmann::json& b);         // one backup
void RenderBackups(const nlohmann::json& r);        // the list of backups

}  // namespace shouhu::cli
