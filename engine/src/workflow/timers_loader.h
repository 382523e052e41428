// The loader's part for who is told and when: notifications and their
// recipients, a state's timers, escalation chains and service levels.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "shouhu/workflow.h"
#include "workflow/json_reader.h"

namespace shouhu {

// Each parses one object at JSON pointer `p`, reporting problems to `r`.
Recipient ParseRecipient(const nlohmann::json& j, const std::string& p, JsonReader& r);
Notification ParseNotification(const nlohmann::json& j, const std::string& p, JsonReader& r);
TimerDef ParseTimer(const nlohmann::json& j, const std::string& p, JsonReader& r);
EscalationDef ParseEscalation(const nlohmann::json& j, const std::string& p, JsonReader& r);
ServiceLevel ParseServiceLevel(const nlohmann::json& j, const std::string& p, JsonReader& r);

// Copies each service-level timer's (and late flag's) duration from its
// level once the whole file is read; an unknown level is left for the
// validator to report.
void ResolveServiceLevels(Workflow& w);

}  // namespace shouhu
