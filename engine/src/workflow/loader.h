// Turns one parsed JSON document into a Workflow or a Calendar, reporting
// structural problems (missing members, wrong JSON types, bad durations,
// unknown field types, duplicate ids). Cross-references are the validator's.
#pragma once

#include <optional>

#include <nlohmann/json.hpp>

#include "shouhu/calendar.h"
#include "shouhu/workflow.h"
#include "workflow/json_reader.h"

namespace shouhu {

// REQUIRES: doc is an object with "kind": "workflow".
Workflow ParseWorkflow(const nlohmann::json& doc, JsonReader& r);
// REQUIRES: doc is an object with "kind": "calendar".
std::optional<Calendar> ParseCalendar(const nlohmann::json& doc, JsonReader& r);

}  // namespace shouhu
