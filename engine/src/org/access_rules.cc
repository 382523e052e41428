// Loading and checking the access rules file (shouhu/access.h).
//
// The file:
//   {"kind": "access_rules",
//    "roles": {"<role>": ["<capability>", ...], ...},
//    "sensitivity": {"public": [<capability>...], "personal": [...],
//                    "sensitive": [...]}}
// "sensitivity" says which capabilities see a field of each level (any one
// of them suffices); every level must be listed, so nothing is shown by an
// omission.
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "org/problems.h"
#include "shouhu/access.h"
#include "shouhu/catalog.h"

namespace shouhu {
namespace {

using json = nlohmann::json;

constexpr std::array<std::string_view, kCapabilityCount> kNames = {
    "report.file", "report.own_progress", "case.read",
    "case.reporter_identity", "case.work", "case.fire",
    "supervise", "child.read", "users.admin", "child.write", "system.backup"};

unsigned Bit(Capability c) { return 1u << static_cast<unsigned>(c); }

// JSON pointer escaping of one reference token (RFC 6901).
std::string Token(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

// The capability bits of a list of names at `ptr`; problems reported.
unsigned CapabilityBits(const json& list, const std::string& ptr, Problems& p) {
  unsigned bits = 0;
  if (!list.is_array()) {
    p.Add(ptr, "expected a list of capabilities");
    return 0;
  }
  for (size_t i = 0; i < list.size(); ++i) {
    Capability c;
    if (!list[i].is_string() || !ParseCapability(list[i].get<std::string>(), &c)) {
      std::string known;
      for (std::string_view n : kNames) known += (known.empty() ? "" : ", ") + std::string(n);
      p.Add(ptr + "/" + std::to_string(i),
            "unknown capability " + list[i].dump() + " (known: " + known + ")");
      continue;
    }
    bits |= Bit(c);
  }
  return bits;
}

}  // namespace

std::string_view CapabilityName(Capability c) {
  return kNames[static_cast<size_t>(c)];
}

bool ParseCapability(std::string_view name, Capability* out) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) {
      *out = static_cast<Capability>(i);
      return true;
    }
  }
  return false;
}

StatusOr<AccessRules> AccessRules::Load(const std::string& path,
                                        const std::set<std::string>& known_roles) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return InvalidArgument(path + ": cannot read the access rules file (roles and "
                                  "capabilities; see deploy/county/access.json)");
  }
  std::stringstream text;
  text << in.rdbuf();
  json doc = json::parse(text.str(), nullptr, false);
  if (doc.is_discarded()) return InvalidArgument(path + ": not valid JSON");
  return Parse(doc, path, known_roles);
}

StatusOr<AccessRules> AccessRules::Parse(const json& doc, const std::string& file,
                                         const std::set<std::string>& known_roles) {
  Problems p(file);
  if (!doc.is_object() || !doc.contains("roles") || !doc["roles"].is_object() ||
      !doc.contains("sensitivity") || !doc["sensitivity"].is_object()) {
    p.Add("", "expected an object with objects \"roles\" and \"sensitivity\"");
    return p.status();
  }
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    if (it.key() != "kind" && it.key() != "roles" && it.key() != "sensitivity" &&
        it.key() != "note") {
      p.Add("/" + Token(it.key()), "unknown member (expected kind, note, roles, sensitivity)");
    }
  }
  AccessRules rules;
  rules.file_ = file;
  const json& roles = doc["roles"];
  for (auto it = roles.begin(); it != roles.end(); ++it) {
    std::string ptr = "/roles/" + Token(it.key());
    if (!known_roles.count(it.key())) {
      p.Add(ptr, "unknown role \"" + it.key() +
                     "\": no user of the organisation and no workflow has it");
      continue;
    }
    rules.roles_.emplace_back(it.key(), CapabilityBits(*it, ptr, p));
  }
  const json& levels = doc["sensitivity"];
  for (auto it = levels.begin(); it != levels.end(); ++it) {
    Sensitivity s;
    if (!ParseSensitivity(it.key(), &s)) {
      p.Add("/sensitivity/" + Token(it.key()),
            "unknown sensitivity \"" + it.key() +
                "\" (expected public, personal, sensitive)");
      continue;
    }
    rules.levels_[static_cast<size_t>(s)] =
        CapabilityBits(*it, "/sensitivity/" + Token(it.key()), p);
  }
  for (Sensitivity s :
       {Sensitivity::kPublic, Sensitivity::kPersonal, Sensitivity::kSensitive}) {
    if (!levels.contains(std::string(SensitivityName(s)))) {
      p.Add("/sensitivity", "missing level \"" + std::string(SensitivityName(s)) +
                                "\": say which capabilities see it ([] for none)");
    }
  }
  if (p.any()) return p.status();
  return rules;
}

bool AccessRules::Has(const User& user, Capability c) const {
  for (const auto& [role, bits] : roles_) {
    if (bits & Bit(c)) {
      for (const std::string& r : user.roles) {
        if (r == role) return true;
      }
    }
  }
  return false;
}

std::vector<std::string> AccessRules::NamesOf(const User& user) const {
  std::vector<std::string> out;
  for (size_t i = 0; i < kCapabilityCount; ++i) {
    if (Has(user, static_cast<Capability>(i))) out.emplace_back(kNames[i]);
  }
  return out;
}

bool AccessRules::Sees(const User& user, Sensitivity level) const {
  unsigned seeing = levels_[static_cast<size_t>(level)];
  for (size_t i = 0; i < kCapabilityCount; ++i) {
    if ((seeing & (1u << i)) && Has(user, static_cast<Capability>(i))) return true;
  }
  return false;
}

std::vector<std::string> AccessRules::RolesWith(Capability c) const {
  std::vector<std::string> out;
  for (const auto& [role, bits] : roles_) {
    if (bits & Bit(c)) out.push_back(role);
  }
  return out;
}

std::set<std::string> KnownRoles(const Organisation& org, const Catalog& catalog) {
  std::set<std::string> roles;
  for (const User& u : org.users()) roles.insert(u.roles.begin(), u.roles.end());
  for (const auto& w : catalog.All()) {
    for (const RoleDef& r : w->roles) roles.insert(r.id);
  }
  return roles;
}

}  // namespace shouhu
