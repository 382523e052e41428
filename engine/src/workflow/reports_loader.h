// Reading and checking a workflow's `reports` (shouhu/workflow.h ReportsDef):
// the loader's and the validator's part for them.
#pragma once

#include <nlohmann/json.hpp>

#include "shouhu/workflow.h"
#include "workflow/json_reader.h"

namespace shouhu {

// Parses doc["reports"] (optional) into `out`; unknown members and duplicate
// measure ids are errors.
void ParseReports(const nlohmann::json& doc, JsonReader& r, ReportsDef* out);

// Cross-references: `category` and `reporter_kind` are enum fields,
// `surveyed` an integer field, a measure's `timer` a timer of some state,
// its `by` "owner" or a string or list field.
void CheckReports(const Workflow& w, JsonReader& r);

}  // namespace shouhu
