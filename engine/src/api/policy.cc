#include "api/policy.h"

namespace shouhu::api {

std::function<bool(const Actor&, const std::string&)> ChildInReach(
    const OrganisationDirectory& orgs) {
  return [&orgs](const Actor& actor, const std::string& unit) {
    auto org = orgs.Current();
    return org->FindUnit(unit) != nullptr && org->Covers(actor.unit, unit);
  };
}

Policy::Policy(const AccessRules& rules, const Organisation& org, const User& user,
               FindCase find_case)
    : rules_(rules), org_(org), user_(user), find_case_(std::move(find_case)) {}

bool Policy::CanIn(Capability c, std::string_view unit) const {
  return Can(c) && InJurisdiction(org_, user_, unit);
}

bool Policy::CanOn(Capability c, const CaseRecord& k) const {
  return rules_.Has(user_, c, k.workflow_id) && InJurisdiction(org_, user_, k.unit);
}

bool Policy::CanOnSomeIn(Capability c, std::string_view unit) const {
  return CanOnSome(c) && InJurisdiction(org_, user_, unit);
}

bool Policy::SeesReporterOf(const CaseRecord& c) const {
  return c.reporter == user_.id || Can(Capability::kCaseReporterIdentity);
}

const std::optional<CaseRecord>& Policy::Lookup(const std::string& id) const {
  auto it = cases_.find(id);
  if (it == cases_.end()) {
    it = cases_.emplace(id, find_case_ ? find_case_(id) : std::nullopt).first;
  }
  return it->second;
}

bool Policy::SeesCase(const std::string& id) const {
  const auto& c = Lookup(id);
  return c && ViewOf(*c) == CaseView::kFull;
}

bool Policy::IsReporterOf(const std::string& id, const std::string& user) const {
  const auto& c = Lookup(id);
  return c && IsReporter(*c, user);
}

}  // namespace shouhu::api
