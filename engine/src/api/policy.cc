// The role sets behind the jurisdiction rules. Role ids are those of the
// organisation file (deploy/county/organisation.json) and the workflows.
#include "api/policy.h"

#include <algorithm>
#include <array>

namespace shouhu::api {
namespace {

constexpr std::array<std::string_view, 3> kSupervisors = {
    "police_supervisor", "township_supervisor", "county_supervisor"};
// Deny by default: only these roles work on cases. A role not listed here
// (reporter, voluntary_reporter, helper, village_committee, school_admin,
// administrator, or one added to the organisation later) sees no case file.
constexpr std::array<std::string_view, 8> kCaseWork = {
    "police_officer",    "police_supervisor", "township_case_worker",
    "township_supervisor", "child_director",  "county_supervisor",
    "civil_affairs",     "education_bureau"};

bool HasAny(const User& user, const auto& roles) {
  return std::any_of(roles.begin(), roles.end(),
                     [&](std::string_view r) { return HasRole(user, r); });
}

}  // namespace

bool HasRole(const User& user, std::string_view role) {
  return std::find(user.roles.begin(), user.roles.end(), role) != user.roles.end();
}

bool IsSupervisor(const User& user) { return HasAny(user, kSupervisors); }

bool IsPolice(const User& user) {
  return HasRole(user, "police_officer") || HasRole(user, "police_supervisor");
}

bool IsAdministrator(const User& user) { return HasRole(user, "administrator"); }

bool IsCaseWorker(const User& user) { return HasAny(user, kCaseWork); }

bool MaySeeReporter(const User& user) { return IsPolice(user) || IsSupervisor(user); }

bool InJurisdiction(const Organisation& org, const User& user,
                    std::string_view unit) {
  return org.FindUnit(unit) != nullptr && org.InSubtree(unit, user.unit);
}

CaseView ViewOf(const Organisation& org, const User& user, const CaseRecord& c) {
  if (IsCaseWorker(user) && InJurisdiction(org, user, c.unit)) return CaseView::kFull;
  if (c.reporter == user.id) return CaseView::kFeedback;
  return CaseView::kNone;
}

}  // namespace shouhu::api
