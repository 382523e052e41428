// How cases, histories and child files look in the API's JSON: the full
// file, the reporter's progress feedback, and list summaries, with the
// reporter's identity redacted for those who may not see it.
//
// Thread safety: stateless functions.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "shouhu/case.h"
#include "shouhu/child.h"
#include "shouhu/workflow.h"

namespace shouhu::api {

// What stands in for a hidden reporter: {"redacted": true}.
nlohmann::json RedactedReporter();

// The whole file: state (with label and owner role), data, priority, unit,
// owner, timers with due times, the events that may fire now, and history.
// `w` may be null (workflow version no longer loaded).
nlohmann::json FullCaseJson(const Workflow* w, const CaseRecord& c,
                            const std::vector<HistoryEntry>& history,
                            bool show_reporter);
// The reporter's view: the state and the progress milestones (events and
// their times), without the case data, notes or other people.
nlohmann::json FeedbackJson(const Workflow* w, const CaseRecord& c,
                            const std::vector<HistoryEntry>& history);
// One line of a list.
nlohmann::json CaseSummaryJson(const Workflow* w, const CaseRecord& c,
                               bool show_reporter);

nlohmann::json ChildJson(const ChildFile& child);
nlohmann::json ChildRevisionJson(const ChildRevision& revision);

}  // namespace shouhu::api
