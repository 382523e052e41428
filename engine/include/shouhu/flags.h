// The flags a case raises (a workflow's `flags`): what its page, the lists
// and the statistics show as coloured tags — the 3-day feedback late
// (yellow), the 3-month reply late (red), a late report. This is the one
// place they are evaluated.
//
// Thread safety: a pure function over immutable data.
#pragma once

#include <vector>

#include "shouhu/case.h"
#include "shouhu/workflow.h"

namespace shouhu {

// The flags of `w` that case `c` raises now, in the workflow's order.
//
// A flag on a boolean field is raised while the case's field is true. A
// flag on a deadline (`overdue: timer`) is raised while the case is in a
// state that has the timer, the obligation is not met (the timer's `until`
// field is unset) and the timer is not armed although it could be (it has
// a duration for the case): it fired, so its escalation has started and the
// deadline passed. The case record alone decides; no clock is read, so the
// page, the lists and the statistics agree with the escalations.
std::vector<const FlagDef*> RaisedFlags(const Workflow& w, const CaseRecord& c);

}  // namespace shouhu
