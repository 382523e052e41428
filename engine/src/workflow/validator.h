// Cross-reference checks on a parsed workflow: every state, event, role,
// field, escalation, template and calendar named is declared; guards compare
// declared fields with values of the right type; every state is reachable and
// every non-terminal state has a way out.
#pragma once

#include <set>
#include <string>

#include "shouhu/workflow.h"
#include "workflow/json_reader.h"

namespace shouhu {

// `calendars`: ids of the calendars loaded beside the workflow.
void ValidateWorkflow(const Workflow& w,
                      const std::set<std::string, std::less<>>& calendars,
                      JsonReader& r);

// One guard at `p` (guard_validator.cc): its fields are declared and each
// value it compares has the field's type; "wrong field type" otherwise.
void CheckGuard(const Workflow& w, const Guard& g, const std::string& p, JsonReader& r);

}  // namespace shouhu
