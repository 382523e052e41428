// A roster cell as a value of the child's file field it is mapped to, and
// back: what a person types in Excel (a label 留守儿童 for an enum value, 是
// for true, a date as 2015-04-01, 2015/4/1 or Excel's day number, a list
// with 、 or commas) becomes the field's JSON value; an export writes the
// labels, so an exported roster imports again.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "shouhu/status.h"
#include "shouhu/workflow.h"

namespace shouhu::roster {

// The value of `text` for `field`; null for an empty cell.
// kInvalidArgument with a message a person can act on.
StatusOr<nlohmann::json> CellValue(const FieldDef& field, std::string_view text);

// The cell text of `value` (labels in Chinese for enum values).
std::string CellText(const FieldDef* field, const nlohmann::json& value);

}  // namespace shouhu::roster
