// How cases, histories, child files and escalations look in the API's JSON,
// and the one place where the access rules shape every response: a value is
// shown only to a reader whose capabilities see its field's sensitivity
// (shouhu/access.h), the reporter's identity only with
// case.reporter_identity, and another case only to a reader who may see it.
// A hidden value is {"redacted": true}.
//
// Thread safety: stateless functions.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "api/policy.h"
#include "shouhu/case.h"
#include "shouhu/catalog.h"
#include "shouhu/child.h"
#include "shouhu/workflow.h"

namespace shouhu::api {

// What stands in for a hidden value: {"redacted": true}.
nlohmann::json Redacted();

// The sensitivity of a field (shouhu/case_access.h).
using shouhu::FieldLevel;

// The case as the reader may see it. Full view: state (with label and owner
// role), data, priority, unit, owner, timers with due times, the events that
// may fire now, and history. Feedback view: the state and the progress
// milestones (events and their times), without data, notes or people.
// REQUIRES: policy.ViewOf(c) != kNone. `w` may be null (version not loaded).
nlohmann::json CaseJson(const Policy& policy, const Catalog& catalog,
                        const Workflow* w, const CaseRecord& c,
                        const std::vector<HistoryEntry>& history);
// One line of a list. REQUIRES: policy.ViewOf(c) != kNone.
nlohmann::json CaseSummaryJson(const Policy& policy, const Workflow* w,
                               const CaseRecord& c);
// One escalation step that reached the reader.
nlohmann::json EscalationJson(const Policy& policy, const Workflow* w,
                              const CaseRecord& c, const HistoryEntry& step);

nlohmann::json ChildJson(const Policy& policy, const Catalog& catalog,
                         const ChildFile& child);
nlohmann::json ChildRevisionJson(const Policy& policy, const Catalog& catalog,
                                 const ChildRevision& revision);
nlohmann::json ChildProposalJson(const Policy& policy, const Catalog& catalog,
                                 const ChildProposal& proposal);

}  // namespace shouhu::api
