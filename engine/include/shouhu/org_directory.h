// The organisation at run time: the units and users live in the store,
// seeded once from the organisation file, and administrators add, change,
// move and deactivate them while the daemon runs. Each change is checked as
// a whole (every problem at once), written with its audit record in one
// atomic batch, and then published as a new immutable Organisation.
//
// Readers take one snapshot (Current) per request or dispatch round and
// keep it: a change is seen by the next reader at once, and no reader ever
// sees half of one.
//
// Thread safety: Current from any thread; changes are serialised.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "shouhu/clock.h"
#include "shouhu/mutex.h"
#include "shouhu/org.h"
#include "shouhu/runtime.h"
#include "shouhu/status.h"
#include "shouhu/store.h"

namespace shouhu {

// A unit added (create) or changed: unset members keep their value (for a
// new unit: none). Moving a unit is changing its parent.
struct UnitChange {
  std::string id;
  bool create = false;
  std::optional<Label> name;
  std::optional<std::string> type;
  std::optional<std::string> parent;
  std::optional<std::vector<std::string>> serves;
  std::optional<bool> active;
};

// A user added (create) or changed, likewise.
struct UserChange {
  std::string id;
  bool create = false;
  std::optional<std::string> name;
  std::optional<std::string> unit;
  std::optional<std::vector<std::string>> roles;
  std::optional<std::string> phone;
  std::optional<std::string> email;
  std::optional<std::string> webhook;
  std::optional<std::string> wecom;
  std::optional<std::string> dingtalk;
  std::optional<bool> active;
};

struct OrgChangeResult {
  std::shared_ptr<const Organisation> org;  // the organisation after it
  uint64_t version = 0;                     // its version in the store
  std::string action;  // the audit action: "org.user.deactivate:u0300", ...
};

// The checks of a change against `org`, without writing: the organisation
// document after it, or kInvalidArgument listing every problem as a
// `field "name": 中文 / English` line; kNotFound for a change of an unknown
// id, kAlreadyExists for a new one whose id is taken. `roles`: the roles a
// user may hold. `open_cases`: the open cases in the unit (a unit with some
// is not deactivated).
StatusOr<nlohmann::json> CheckUnitChange(const Organisation& org, const UnitChange& change,
                                         size_t open_cases = 0);
StatusOr<nlohmann::json> CheckUserChange(const Organisation& org, const UserChange& change,
                                         const std::set<std::string>& roles);

// Contacts: "" when `value` is good, else the problem (中文 / English).
// A phone is a mainland mobile number, 1[3-9] and 9 more digits, with or
// without +86, spaces and dashes; NormalPhone gives its 11 digits.
std::string PhoneProblem(const std::string& value);
std::string NormalPhone(const std::string& value);
std::string EmailProblem(const std::string& value);
// A WeCom or DingTalk user id, or a robot webhook key: 1 to 64 letters,
// digits and _ . @ -.
std::string AccountIdProblem(const std::string& value);

class OrganisationDirectory {
 public:
  // A directory over a fixed organisation, in memory only (tests, and a
  // daemon without one): changes are refused with kFailedPrecondition.
  explicit OrganisationDirectory(Organisation org);

  struct Options {
    // The roles users may be given: the workflows' and the access rules'
    // (KnownRoles of the seed).
    std::set<std::string> roles;
    std::string seed_source;  // the file, named in the store's version record
  };
  // Reads the organisation from the store; a store that holds none is
  // seeded from `seed` in one batch (audited "org.seed" by the system), so
  // from then on the file is only the seed. kInternal for records that do
  // not decode or no longer form a valid organisation; kUnavailable when
  // the store cannot write. REQUIRES: store and clock outlive the directory.
  static StatusOr<std::unique_ptr<OrganisationDirectory>> Open(Store& store, const Clock& clock,
                                                               const Organisation& seed,
                                                               Options options);

  std::shared_ptr<const Organisation> Current() const;
  uint64_t version() const;
  // True when Open seeded the store from the file just now.
  bool seeded() const { return seeded_; }

  // Checks the change (Check*Change), writes it and its audit record by
  // `by` in one batch, and publishes the new organisation. Errors as
  // Check*Change, and kUnavailable when the store cannot write (nothing
  // changed).
  StatusOr<OrgChangeResult> ChangeUnit(const Actor& by, const UnitChange& change,
                                       size_t open_cases = 0);
  StatusOr<OrgChangeResult> ChangeUser(const Actor& by, const UserChange& change);

 private:
  OrganisationDirectory() = default;
  // Writes `doc`'s record `key` (the unit or user at `index` of its list),
  // the new version and the audit record; then publishes.
  StatusOr<OrgChangeResult> Commit(const Actor& by, nlohmann::json doc, bool unit,
                                   const std::string& id, std::string action);

  Store* store_ = nullptr;  // null: fixed
  const Clock* clock_ = nullptr;
  Options options_;
  bool seeded_ = false;
  Mutex change_mu_ SHOUHU_ACQUIRED_BEFORE(mu_);  // one change at a time
  mutable Mutex mu_;  // guards current_ and version_
  std::shared_ptr<const Organisation> current_ SHOUHU_GUARDED_BY(mu_);
  uint64_t version_ SHOUHU_GUARDED_BY(mu_) = 0;
};

}  // namespace shouhu
