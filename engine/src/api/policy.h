// Who may see and do what: the access rules (shouhu/access.h, capabilities
// per role, as data) applied within jurisdiction (属地管理、分级负责): a user
// acts for one unit and a capability reaches the cases and children of that
// unit's subtree only. The code names no role.
//
// Which events a user may fire is the workflow's rule, checked by the runtime.
//
// Thread safety: a Policy is built per request and used by one thread.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "shouhu/access.h"
#include "shouhu/case_access.h"
#include "shouhu/case.h"
#include "shouhu/org.h"
#include "shouhu/org_directory.h"
#include "shouhu/runtime.h"

namespace shouhu::api {

// The reader's view of a case and jurisdiction: shouhu/case_access.h, shared
// with the dispatcher's messages.
using shouhu::CaseView;
using shouhu::InJurisdiction;

// RuntimeOptions::child_in_reach for the organisation as it is now: a
// child's file is written only by actors whose jurisdiction holds its unit.
// REQUIRES: orgs outlives the result.
std::function<bool(const Actor&, const std::string&)> ChildInReach(
    const OrganisationDirectory& orgs);

class Policy {
 public:
  // Finds a case by id for the views that name other cases (linked cases,
  // child revisions); nullopt when unknown.
  using FindCase = std::function<std::optional<CaseRecord>(const std::string&)>;
  // REQUIRES: rules, org and user outlive the policy.
  Policy(const AccessRules& rules, const Organisation& org, const User& user,
         FindCase find_case = nullptr);

  const User& user() const { return user_; }
  const Organisation& org() const { return org_; }
  bool Can(Capability c) const { return rules_.Has(user_, c); }
  // Can(c), for something in `unit`.
  bool CanIn(Capability c, std::string_view unit) const;
  // `c` on case `k`: held on every case or on its workflow's, in `k`'s unit.
  bool CanOn(Capability c, const CaseRecord& k) const;
  // `c` on every case or on some workflow's (a list, filtered by ViewOf).
  bool CanOnSome(Capability c) const { return rules_.HasOnSome(user_, c); }
  // CanOnSome(c), for cases in `unit`.
  bool CanOnSomeIn(Capability c, std::string_view unit) const;
  // Sees fields of `level` (of `workflow`'s cases, when given).
  bool Sees(Sensitivity level, std::string_view workflow = {}) const {
    return rules_.Sees(user_, level, workflow);
  }
  // Who reported a case (case.reporter_identity; a reporter knows themselves).
  bool SeesReporterOf(const CaseRecord& c) const;
  // Whether `user` reported case `c` (shouhu::IsReporter).
  static bool IsReporter(const CaseRecord& c, const std::string& user) {
    return shouhu::IsReporter(c, user);
  }
  CaseView ViewOf(const CaseRecord& c) const { return ViewOfCase(rules_, org_, user_, c); }
  // Whether the reader, with `view` of a case of `w`, sees its field `field`
  // (shouhu::SeesField).
  bool SeesField(CaseView view, const Catalog& catalog, const Workflow* w,
                 const std::string& field) const {
    return shouhu::SeesField(rules_, user_, view, catalog, w, field);
  }
  // The full view of case `id` (looked up once per policy).
  bool SeesCase(const std::string& id) const;
  // Whether `user` reported case `id` (IsReporter); false when unknown.
  bool IsReporterOf(const std::string& id, const std::string& user) const;

 private:
  const std::optional<CaseRecord>& Lookup(const std::string& id) const;

  const AccessRules& rules_;
  const Organisation& org_;
  const User& user_;
  FindCase find_case_;
  mutable std::map<std::string, std::optional<CaseRecord>> cases_;
};

}  // namespace shouhu::api
