// The loader's part for the data a workflow asks for: its fields (type,
// limits, value labels) and the guards written over them.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "shouhu/workflow.h"
#include "workflow/json_reader.h"

namespace shouhu {

// One entry of "fields" at pointer `p`.
FieldDef ParseField(const nlohmann::json& j, const std::string& p, JsonReader& r);
// A guard at `p`; nullopt (with an error) when it is malformed or nests
// deeper than a readable rule needs. `depth`: its level, 1 at the top.
std::optional<Guard> ParseGuard(const nlohmann::json& j, const std::string& p,
                                JsonReader& r, int depth = 1);

}  // namespace shouhu
