// The escalations waiting for a person ("escalations waiting for me"): the
// escalation steps of a case that told them, while the obligation behind the
// escalation is not met.
//
// Thread safety: a pure function over immutable data.
#pragma once

#include <vector>

#include "shouhu/case.h"
#include "shouhu/org.h"
#include "shouhu/workflow.h"

namespace shouhu {

// The escalation entries of `history` (the case's, oldest first) that reached
// `user` and still wait: the steps of an escalation chain that is still
// running (a step is armed) or that was started in the current state, unless
// its obligation was met since — the timer that started it counts `until` a
// field the case now has, or an event restarted that timer after the step
// (the feedback was sent, the visit was logged). The history keeps them all.
//
// A step reached `user` when it named them by role (resolved through the tree
// from the case's unit), as the reporter, or as the owner: the case's owner
// or, when nobody owns the step, the holders of the state's owner role in the
// case's unit.
std::vector<const HistoryEntry*> EscalationsWaiting(const Organisation& org,
                                                    const Workflow& w,
                                                    const CaseRecord& c,
                                                    const std::vector<HistoryEntry>& history,
                                                    const User& user);

}  // namespace shouhu
