// Access rules as data (deploy/county/access.json): which capabilities each
// role holds, which case capabilities a role holds on one workflow's cases
// only (school staff carry their dropout cases and see no mandatory report),
// and which capabilities see fields of each sensitivity. The code checks
// capabilities, never role names; a role the rules do not list holds nothing
// (deny by default).
//
// Jurisdiction (属地管理) is not here: a capability acts within the user's
// unit's subtree (api/policy.h applies both).
//
// Thread safety: immutable after loading; safe to share between threads.
#pragma once

#include <array>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "shouhu/catalog.h"
#include "shouhu/org.h"
#include "shouhu/status.h"
#include "shouhu/workflow.h"

namespace shouhu {

enum class Capability {
  kReportFile,            // report.file: open cases (file reports)
  kReportOwnProgress,     // report.own_progress: the progress of one's own reports
  kCaseRead,              // case.read: the case file in one's jurisdiction
  kCaseReporterIdentity,  // case.reporter_identity: who reported
  kCaseWork,              // case.work: add notes, take or be given a case
  kCaseFire,              // case.fire: fire the events the workflow allows
  kSupervise,             // supervise: escalations, overdue lists, dead letters,
                          // assigning others, stats
  kChildRead,             // child.read: the child's file (一人一档) and history
  kUsersAdmin,            // users.admin: users and tokens
  kChildWrite,            // child.write: change the child's file (及时补充或变更)
  kChildCreate,           // child.create: register a child's file directly (建档)
  kChildMerge,            // child.merge: merge two files of one child
  kSystemBackup,          // system.backup: take and list online backups
  kOrgManage,             // org.manage: add, change, move, deactivate units and
                          // users (in one's jurisdiction)
  kReportsRead,           // reports.read: reports, their exports, spot checks
};
inline constexpr size_t kCapabilityCount = 15;

// "report.file" ... "users.admin", as written in the rules and /api/v1/me.
std::string_view CapabilityName(Capability c);
// False when `name` is no capability.
bool ParseCapability(std::string_view name, Capability* out);

class AccessRules {
 public:
  // Reads and checks the rules file against the roles that exist (the
  // organisation's users' roles and the workflows' roles): unknown role,
  // unknown capability, unknown or missing sensitivity level. Every problem is
  // one `file:json-pointer: message` line of one InvalidArgument.
  static StatusOr<AccessRules> Load(const std::string& path,
                                    const std::set<std::string>& known_roles);
  // The same from a parsed document (`file` names it in errors).
  static StatusOr<AccessRules> Parse(const nlohmann::json& doc, const std::string& file,
                                     const std::set<std::string>& known_roles);

  // True when one of the user's roles holds `c`.
  bool Has(const User& user, Capability c) const;
  // True when one of the user's roles holds `c`, or holds it on the cases of
  // `workflow` ("workflow_roles").
  bool Has(const User& user, Capability c, std::string_view workflow) const;
  // True when the user holds `c`, on every case or on some workflow's.
  bool HasOnSome(const User& user, Capability c) const;
  // The capabilities the user holds on every case or on some workflow's, in
  // the order of the Capability enum (what the apps may offer them).
  std::vector<std::string> NamesOf(const User& user) const;
  // True when the user holds one of the capabilities that see `level` (on
  // the cases of `workflow`, when given).
  bool Sees(const User& user, Sensitivity level, std::string_view workflow = {}) const;
  // Whether a notification sent to an address of `contact` ("email",
  // "phone", "webhook") may show a field of `level`, whatever its recipient
  // may see: the rules' "contacts" (levels per contact), else every level,
  // except for "webhook" (a robot posting to a group chat), public only.
  bool ContactShows(std::string_view contact, Sensitivity level) const;
  // The roles that hold `c` (for a generated authorisation test).
  std::vector<std::string> RolesWith(Capability c) const;
  const std::string& file() const { return file_; }

 private:
  std::string file_;
  // role -> capability bits
  std::vector<std::pair<std::string, unsigned>> roles_;
  struct Scoped {
    std::string workflow, role;
    unsigned bits;
  };
  std::vector<Scoped> scoped_;  // case capabilities on one workflow's cases
  // sensitivity level -> the capability bits that see it
  std::array<unsigned, 3> levels_{};
  // contact -> the bits (1 << level) of the levels its messages may show
  std::vector<std::pair<std::string, unsigned>> contacts_ = {{"webhook", 1u}};
};

// The roles that exist: every role a user holds and every workflow role.
std::set<std::string> KnownRoles(const Organisation& org, const Catalog& catalog);

}  // namespace shouhu
