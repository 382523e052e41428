// Who may see and do what: roles and jurisdiction (属地管理、分级负责).
//
// A user acts for one unit and sees the cases of that unit's subtree only.
// Case workers (police, township, village, civil affairs, education,
// supervisors) see the whole file of a case in their subtree; a reporter sees
// only the progress feedback of the reports they filed; the reporter's
// identity is shown only to police and supervisors. Which events a user may
// fire is the workflow's rule, checked by the runtime.
//
// Thread safety: stateless functions over immutable data.
#pragma once

#include <string_view>

#include "shouhu/case.h"
#include "shouhu/org.h"

namespace shouhu::api {

bool HasRole(const User& user, std::string_view role);
// police_supervisor, township_supervisor, county_supervisor.
bool IsSupervisor(const User& user);
bool IsPolice(const User& user);
bool IsAdministrator(const User& user);
// A role that works on cases: police, township, child directors, county
// bureaus and supervisors. Every other role, named or not, is not one.
bool IsCaseWorker(const User& user);
// Police and supervisors: may see who reported.
bool MaySeeReporter(const User& user);

enum class CaseView {
  kNone,      // not in the user's jurisdiction and not their report
  kFeedback,  // the reporter's view: state and progress only
  kFull,      // the whole file (reporter identity per MaySeeReporter)
};

// How much of `c` the user may see.
CaseView ViewOf(const Organisation& org, const User& user, const CaseRecord& c);
// True when `unit` lies in the user's jurisdiction (their unit's subtree).
bool InJurisdiction(const Organisation& org, const User& user,
                    std::string_view unit);

}  // namespace shouhu::api
