// The role sets behind the jurisdiction rules. Role ids are those of the
// organisation file (deploy/county/organisation.json) and the workflows.
#include "api/policy.h"

#include <algorithm>
#include <array>

namespace shouhu::api {
namespace {

constexpr std::array<std::string_view, 3> kSupervisors = {
    "police_supervisor", "township_supervisor", "county_supervisor"};
constexpr std::array<std::string_view, 3> kNonCaseWork = {
    "reporter", "school_admin", "administrator"};

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

bool IsCaseWorker(const User& user) {
  return std::any_of(user.roles.begin(), user.roles.end(), [](const std::string& r) {
    return std::find(kNonCaseWork.begin(), kNonCaseWork.end(), r) ==
           kNonCaseWork.end();
  });
}

bool MaySeeReporter(const User& user) { return IsPolice(user) || IsSupervisor(user); }

std::vector<std::string> CapabilitiesOf(const User& user) {
  std::vector<std::string> caps;
  bool only_admin = user.roles.size() == 1 && IsAdministrator(user);
  if (!only_admin) caps.insert(caps.end(), {"report.file", "report.own_progress"});
  if (IsCaseWorker(user)) caps.insert(caps.end(), {"case.read", "case.work", "case.fire", "child.read"});
  if (MaySeeReporter(user)) caps.push_back("case.reporter_identity");
  if (IsSupervisor(user)) caps.push_back("supervise");
  if (IsAdministrator(user)) caps.push_back("users.admin");
  return caps;
}

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
