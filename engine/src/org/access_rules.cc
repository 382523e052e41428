// Loading and checking the access rules file (shouhu/access.h).
//
// The file:
//   {"kind": "access_rules",
//    "roles": {"<role>": ["<capability>", ...], ...},
//    "workflow_roles": {"<workflow>": {"<role>": ["case.read", ...]}},
//    "sensitivity": {"public": [<capability>...], "personal": [...],
//                    "sensitive": [...]},
//    "contacts": {"webhook": ["public"], ...}}
// "workflow_roles" (optional) grants case capabilities (case.read, case.work,
// case.fire) on the cases of one workflow only: the principal carries the
// school's dropout cases without reading any mandatory report.
// "sensitivity" says which capabilities see a field of each level (any one
// of them suffices); every level must be listed, so nothing is shown by an
// omission. "contacts" (optional) caps what a notification sent to an
// address of that kind shows, whatever its recipient sees: a webhook posts to
// a group chat, so unless listed it shows public fields only.
#include <algorithm>
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
    "supervise", "child.read", "users.admin", "child.write",
    "child.create", "child.merge", "system.backup", "org.manage", "reports.read"};

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

// "contacts": {"<email|phone|webhook>": ["<level>", ...]} into `out`
// (contact -> level bits), replacing the defaults of the contacts it lists.
void ParseContacts(const json& contacts, std::vector<std::pair<std::string, unsigned>>& out,
                   Problems& p) {
  if (!contacts.is_object()) {
    p.Add("/contacts", "expected an object: contact -> the levels its messages may show");
    return;
  }
  for (auto it = contacts.begin(); it != contacts.end(); ++it) {
    std::string ptr = "/contacts/" + Token(it.key());
    if (it.key() != "email" && it.key() != "phone" && it.key() != "webhook") {
      p.Add(ptr, "unknown contact \"" + it.key() + "\" (expected email, phone, webhook)");
      continue;
    }
    if (!it->is_array()) {
      p.Add(ptr, "expected a list of sensitivity levels");
      continue;
    }
    unsigned bits = 0;
    for (size_t i = 0; i < it->size(); ++i) {
      Sensitivity s;
      const json& level = (*it)[i];
      if (!level.is_string() || !ParseSensitivity(level.get<std::string>(), &s)) {
        p.Add(ptr + "/" + std::to_string(i),
              "unknown sensitivity " + level.dump() + " (expected public, personal, sensitive)");
        continue;
      }
      bits |= 1u << static_cast<unsigned>(s);
    }
    auto known = std::find_if(out.begin(), out.end(),
                              [&](const auto& c) { return c.first == it.key(); });
    if (known != out.end()) known->second = bits;
    else out.emplace_back(it.key(), bits);
  }
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
        it.key() != "note" && it.key() != "contacts" && it.key() != "workflow_roles") {
      p.Add("/" + Token(it.key()),
            "unknown member (expected kind, note, roles, workflow_roles, sensitivity, contacts)");
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
  if (auto scoped = doc.find("workflow_roles"); scoped != doc.end()) {
    if (!scoped->is_object()) p.Add("/workflow_roles", "expected {workflow: {role: [...]}}");
    const unsigned kCaseBits =
        Bit(Capability::kCaseRead) | Bit(Capability::kCaseWork) | Bit(Capability::kCaseFire);
    for (auto w = scoped->begin(); scoped->is_object() && w != scoped->end(); ++w) {
      std::string wp = "/workflow_roles/" + Token(w.key());
      if (!w->is_object()) {
        p.Add(wp, "expected {role: [capabilities]}");
        continue;
      }
      for (auto r = w->begin(); r != w->end(); ++r) {
        std::string rp = wp + "/" + Token(r.key());
        if (!known_roles.count(r.key())) {
          p.Add(rp, "unknown role \"" + r.key() +
                        "\": no user of the organisation and no workflow has it");
          continue;
        }
        unsigned bits = CapabilityBits(*r, rp, p);
        if (bits & ~kCaseBits) {
          p.Add(rp, "only case.read, case.work and case.fire are held on one workflow's cases");
        }
        rules.scoped_.push_back({w.key(), r.key(), bits & kCaseBits});
      }
    }
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
  if (doc.contains("contacts")) ParseContacts(doc["contacts"], rules.contacts_, p);
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

bool AccessRules::Has(const User& user, Capability c, std::string_view workflow) const {
  if (Has(user, c)) return true;
  for (const Scoped& s : scoped_) {
    if (s.workflow != workflow || !(s.bits & Bit(c))) continue;
    for (const std::string& r : user.roles) {
      if (r == s.role) return true;
    }
  }
  return false;
}

bool AccessRules::HasOnSome(const User& user, Capability c) const {
  for (const Scoped& s : scoped_) {
    if (Has(user, c, s.workflow)) return true;
  }
  return Has(user, c);
}

std::vector<std::string> AccessRules::NamesOf(const User& user) const {
  std::vector<std::string> out;
  for (size_t i = 0; i < kCapabilityCount; ++i) {
    if (HasOnSome(user, static_cast<Capability>(i))) out.emplace_back(kNames[i]);
  }
  return out;
}

bool AccessRules::Sees(const User& user, Sensitivity level, std::string_view workflow) const {
  unsigned seeing = levels_[static_cast<size_t>(level)];
  for (size_t i = 0; i < kCapabilityCount; ++i) {
    if ((seeing & (1u << i)) && Has(user, static_cast<Capability>(i), workflow)) return true;
  }
  return false;
}

bool AccessRules::ContactShows(std::string_view contact, Sensitivity level) const {
  for (const auto& [name, bits] : contacts_) {
    if (name == contact) return bits & (1u << static_cast<unsigned>(level));
  }
  return true;
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
