// The organisation: the tree of units (county → township/street →
// village/community and schools) and the users who act for them with roles.
// Loaded from a configuration file (deploy/county/organisation.json) that
// seeds the store on first start; from then on the store holds it and
// administrators change it while the daemon runs (shouhu/org_directory.h),
// each change a new Organisation.
//
// Thread safety: immutable after loading; safe to share between threads.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "shouhu/status.h"
#include "shouhu/workflow.h"

namespace shouhu {

struct Unit {
  std::string id;
  Label name;
  std::string type;    // county, township, street, village, community, school, ...
  std::string parent;  // "" for the root
  int depth = 0;       // 0 for the root
  // Units this one serves besides its own subtree: a police station (派出所)
  // belongs to the county public security bureau and serves one or more
  // townships; its jurisdiction is theirs.
  std::vector<std::string> serves;
  // A deactivated unit stays in the tree for the cases and files it holds;
  // no user, unit or new case may be placed in it.
  bool active = true;
};

struct User {
  std::string id;
  std::string name;
  std::string unit;
  std::vector<std::string> roles;
  std::string phone;
  std::string email;
  std::string webhook;
  std::string wecom;  // WeCom (企业微信) user id, for application messages
  std::string dingtalk;  // DingTalk (钉钉) user id
  // A deactivated user stays known (their name in the cases they touched)
  // but signs in, acts and is notified no more.
  bool active = true;
};

class Organisation {
 public:
  // Reads and checks the file: unique ids, one root, parents that exist and
  // no cycles, users in existing units with at least one role. Every problem
  // is reported as `file:json-pointer: message` in one InvalidArgument.
  static StatusOr<Organisation> Load(const std::string& path);
  // The same checks on a parsed document; `source` names it in the errors.
  static StatusOr<Organisation> Parse(const nlohmann::json& doc, const std::string& source);
  // The document Parse reads back into this organisation.
  nlohmann::json ToJson() const;

  const Unit* FindUnit(std::string_view id) const;
  const User* FindUser(std::string_view id) const;
  // The one active user with this phone number (spaces and dashes ignored);
  // null when none or several have it.
  const User* FindUserByPhone(std::string_view phone) const;
  // The IANA time zone people of this organisation read times in (the
  // file's "time_zone"; "Asia/Shanghai" when it names none).
  const std::string& time_zone() const { return time_zone_; }
  // The unit `up` levels above `unit` (0 = itself); the root when the tree
  // is not that deep. REQUIRES: the unit exists.
  const Unit* Ancestor(std::string_view unit, int up) const;
  // True when `unit` is `ancestor` or lies below it (jurisdiction).
  bool InSubtree(std::string_view unit, std::string_view ancestor) const;
  // True when `unit` lies in the jurisdiction of a user of unit `holder`:
  // in `holder`'s subtree or in the subtree of a unit `holder` serves.
  bool Covers(std::string_view holder, std::string_view unit) const;
  // The people a notification for `role`, `up` levels above the case's
  // `unit`, goes to: the users with that role in that unit or in the units
  // serving it (its police station) or, when there are none, in the nearest
  // unit above it that has some. Empty when nobody in the chain holds the
  // role. Deactivated users are left out.
  std::vector<const User*> Resolve(std::string_view unit, std::string_view role,
                                   int up) const;
  const std::vector<Unit>& units() const { return units_; }
  const std::vector<User>& users() const { return users_; }

 private:
  std::string time_zone_ = "Asia/Shanghai";
  std::vector<Unit> units_;
  std::vector<User> users_;
  std::map<std::string, size_t, std::less<>> unit_index_;
  std::map<std::string, size_t, std::less<>> user_index_;
  // unit id -> the ids of the units that serve it (Unit::serves reversed).
  std::map<std::string, std::vector<std::string>, std::less<>> served_by_;
};

}  // namespace shouhu
