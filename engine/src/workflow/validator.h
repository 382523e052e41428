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

}  // namespace shouhu
