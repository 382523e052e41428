// Reading and checking a workflow's `flags` (shouhu/workflow.h FlagDef):
// the loader's and the validator's part for them.
#pragma once

#include <nlohmann/json.hpp>

#include "shouhu/workflow.h"
#include "workflow/json_reader.h"

namespace shouhu {

// Parses doc["flags"] (optional) into `out`: id, label, level and exactly
// one condition; duplicate ids and unknown members are errors.
void ParseFlags(const nlohmann::json& doc, JsonReader& r, std::vector<FlagDef>* out);

// Cross-references: a flag's `field` is a declared boolean field; its
// `overdue` names a deadline (not a recurring timer) of at least one state,
// that escalates.
void CheckFlags(const Workflow& w, JsonReader& r);

}  // namespace shouhu
