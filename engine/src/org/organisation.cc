#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "org/problems.h"
#include "shouhu/org.h"
#include "shouhu/json_parse.h"

namespace shouhu {
namespace {

using json = nlohmann::json;

std::string Str(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : "";
}

// A county's tree is 2 or 3 levels deep (county, township, village or
// school); a province's a few more. A deeper chain is a mistake in the file,
// and every walk up the tree (jurisdiction, escalation) is bounded by it.
constexpr int kMaxUnitDepth = 64;

// One pass: each walk up stops at the first unit whose depth is known, so
// every unit is visited once and a 20,000-level chain costs no more than
// 20,000 flat units (it used to be walked from every unit: quadratic).
Status ComputeDepths(std::vector<Unit>& units,
                     const std::map<std::string, size_t, std::less<>>& index,
                     const std::string& path) {
  constexpr int kUnknown = -1, kOnWalk = -2;
  std::vector<int> depth(units.size(), kUnknown);
  std::vector<size_t> walk;
  for (size_t i = 0; i < units.size(); ++i) {
    walk.clear();
    size_t at = i;
    int above = -1;  // the depth of the unit above the walk's top; -1 above the root
    while (depth[at] == kUnknown) {
      depth[at] = kOnWalk;
      walk.push_back(at);
      if (units[at].parent.empty()) break;
      at = index.find(units[at].parent)->second;
    }
    if (depth[at] == kOnWalk && !units[at].parent.empty()) {
      return InvalidArgument(path + ":/units: the parents of \"" + units[at].id +
                             "\" form a cycle");
    }
    if (depth[at] >= 0) above = depth[at];
    for (size_t k = walk.size(); k-- > 0;) {
      depth[walk[k]] = ++above;
      units[walk[k]].depth = above;
      if (above > kMaxUnitDepth) {
        return InvalidArgument(
            path + ":/units: 单位层级超过 " + std::to_string(kMaxUnitDepth) +
            " 层 / unit \"" + units[walk[k]].id + "\" is more than " +
            std::to_string(kMaxUnitDepth) + " levels below the root");
      }
    }
  }
  return Status::Ok();
}

// "Asia/Shanghai": letters, digits and _+-/ only, as IANA names are.
bool TimeZoneName(const std::string& s) {
  return !s.empty() && s.size() < 64 && s.front() != '/' &&
         s.find("..") == std::string::npos &&
         std::all_of(s.begin(), s.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '+' ||
                  c == '-' || c == '/';
         });
}

// "active": optional, true when absent.
bool Active(const json& obj, const std::string& ptr, Problems& p) {
  auto it = obj.find("active");
  if (it == obj.end()) return true;
  if (!it->is_boolean()) {
    p.Add(ptr + "/active", "expected true or false");
    return true;
  }
  return it->get<bool>();
}

std::string DigitsOf(std::string_view phone) {
  std::string out;
  for (char c : phone) {
    if (c != ' ' && c != '-') out.push_back(c);
  }
  return out;
}

}  // namespace

StatusOr<Organisation> Organisation::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return InvalidArgument(path + ": cannot read the organisation file");
  std::stringstream text;
  text << in.rdbuf();
  StatusOr<json> parsed = ParseJson(text.str(), kMaxConfigJsonDepth);
  if (!parsed.ok()) {
    Problems p(path);
    p.Add("", parsed.status().message());
    return p.status();
  }
  return Parse(*parsed, path);
}

StatusOr<Organisation> Organisation::Parse(const json& doc, const std::string& path) {
  Problems p(path);
  if (!doc.is_object() || !doc.contains("units") ||
      !doc["units"].is_array() || !doc.contains("users") || !doc["users"].is_array()) {
    p.Add("", "expected an object with arrays \"units\" and \"users\"");
    return p.status();
  }
  Organisation org;
  if (doc.contains("time_zone")) {
    std::string tz = doc["time_zone"].is_string() ? doc["time_zone"].get<std::string>() : "";
    if (!TimeZoneName(tz)) {
      p.Add("/time_zone", "expected an IANA time zone name such as \"Asia/Shanghai\"");
    }
    org.time_zone_ = tz;
  }
  const json& units = doc["units"];
  for (size_t i = 0; i < units.size(); ++i) {
    std::string ptr = "/units/" + std::to_string(i);
    const json& u = units[i];
    Unit unit;
    unit.id = u.is_object() ? Str(u, "id") : "";
    if (unit.id.empty()) {
      p.Add(ptr + "/id", "a unit needs an id");
      continue;
    }
    if (u.contains("name") && u["name"].is_object()) {
      unit.name = {Str(u["name"], "zh"), Str(u["name"], "en")};
    }
    if (unit.name.zh.empty()) p.Add(ptr + "/name", "a unit needs a name with zh and en");
    unit.type = Str(u, "type");
    unit.parent = Str(u, "parent");
    unit.active = Active(u, ptr, p);
    if (u.contains("serves")) {
      if (!u["serves"].is_array()) p.Add(ptr + "/serves", "expected an array of unit ids");
      for (const json& s : u["serves"].is_array() ? u["serves"] : json::array()) {
        if (s.is_string() && !s.get<std::string>().empty()) {
          unit.serves.push_back(s.get<std::string>());
        } else {
          p.Add(ptr + "/serves", "expected an array of unit ids");
        }
      }
    }
    if (!org.unit_index_.emplace(unit.id, org.units_.size()).second) {
      p.Add(ptr + "/id", "duplicate id \"" + unit.id + "\"");
      continue;
    }
    org.units_.push_back(std::move(unit));
  }
  int roots = 0;
  for (size_t i = 0; i < org.units_.size(); ++i) {
    Unit& u = org.units_[i];
    if (u.parent.empty()) {
      ++roots;
      continue;
    }
    if (!org.FindUnit(u.parent)) {
      p.Add("/units/" + std::to_string(i) + "/parent",
            "unknown unit \"" + u.parent + "\"");
    }
  }
  for (size_t i = 0; i < org.units_.size(); ++i) {
    const Unit& u = org.units_[i];
    for (size_t k = 0; k < u.serves.size(); ++k) {
      if (!org.FindUnit(u.serves[k])) {
        p.Add("/units/" + std::to_string(i) + "/serves/" + std::to_string(k),
              "unknown unit \"" + u.serves[k] + "\"");
      } else {
        org.served_by_[u.serves[k]].push_back(u.id);
      }
    }
  }
  if (roots != 1) p.Add("/units", "expected exactly one root unit (no parent)");
  if (p.any()) return p.status();
  SHOUHU_RETURN_IF_ERROR(ComputeDepths(org.units_, org.unit_index_, path));
  const json& users = doc["users"];
  for (size_t i = 0; i < users.size(); ++i) {
    std::string ptr = "/users/" + std::to_string(i);
    const json& j = users[i];
    User user;
    user.id = j.is_object() ? Str(j, "id") : "";
    if (user.id.empty()) {
      p.Add(ptr + "/id", "a user needs an id");
      continue;
    }
    user.name = Str(j, "name");
    user.unit = Str(j, "unit");
    user.phone = Str(j, "phone");
    user.email = Str(j, "email");
    user.webhook = Str(j, "webhook");
    user.wecom = Str(j, "wecom");
    user.dingtalk = Str(j, "dingtalk");
    user.active = Active(j, ptr, p);
    if (!org.FindUnit(user.unit)) {
      p.Add(ptr + "/unit", "unknown unit \"" + user.unit + "\"");
    }
    if (j.contains("roles") && j["roles"].is_array()) {
      for (const json& r : j["roles"]) {
        if (r.is_string() && !r.get<std::string>().empty()) {
          user.roles.push_back(r.get<std::string>());
        }
      }
    }
    if (user.roles.empty()) p.Add(ptr + "/roles", "a user needs at least one role");
    if (std::count(user.roles.begin(), user.roles.end(), std::string(kSystemRole))) {
      p.Add(ptr + "/roles", "no user may hold role \"system\"");
    }
    if (!org.user_index_.emplace(user.id, org.users_.size()).second) {
      p.Add(ptr + "/id", "duplicate id \"" + user.id + "\"");
      continue;
    }
    org.users_.push_back(std::move(user));
  }
  if (p.any()) return p.status();
  return org;
}

json Organisation::ToJson() const {
  json units = json::array();
  for (const Unit& u : units_) {
    json j = {{"id", u.id}, {"name", {{"zh", u.name.zh}, {"en", u.name.en}}}, {"type", u.type}};
    if (!u.parent.empty()) j["parent"] = u.parent;
    if (!u.serves.empty()) j["serves"] = u.serves;
    if (!u.active) j["active"] = false;
    units.push_back(std::move(j));
  }
  json users = json::array();
  for (const User& u : users_) {
    json j = {{"id", u.id}, {"name", u.name}, {"unit", u.unit}, {"roles", u.roles}};
    for (auto [key, value] : {std::pair<const char*, const std::string*>{"phone", &u.phone},
                              {"email", &u.email},
                              {"webhook", &u.webhook},
                              {"wecom", &u.wecom},
                              {"dingtalk", &u.dingtalk}}) {
      if (!value->empty()) j[key] = *value;
    }
    if (!u.active) j["active"] = false;
    users.push_back(std::move(j));
  }
  return {{"time_zone", time_zone_}, {"units", std::move(units)}, {"users", std::move(users)}};
}

const User* Organisation::FindUserByPhone(std::string_view phone) const {
  std::string wanted = DigitsOf(phone);
  if (wanted.empty()) return nullptr;
  const User* found = nullptr;
  for (const User& u : users_) {
    if (!u.active || u.phone.empty() || DigitsOf(u.phone) != wanted) continue;
    if (found) return nullptr;  // shared: only the user id tells them apart
    found = &u;
  }
  return found;
}

const Unit* Organisation::FindUnit(std::string_view id) const {
  auto it = unit_index_.find(id);
  return it == unit_index_.end() ? nullptr : &units_[it->second];
}

const User* Organisation::FindUser(std::string_view id) const {
  auto it = user_index_.find(id);
  return it == user_index_.end() ? nullptr : &users_[it->second];
}

const Unit* Organisation::Ancestor(std::string_view unit, int up) const {
  const Unit* at = FindUnit(unit);
  while (at && up-- > 0 && !at->parent.empty()) at = FindUnit(at->parent);
  return at;
}

bool Organisation::InSubtree(std::string_view unit, std::string_view ancestor) const {
  for (const Unit* at = FindUnit(unit); at; at = at->parent.empty() ? nullptr : FindUnit(at->parent)) {
    if (at->id == ancestor) return true;
  }
  return false;
}

bool Organisation::Covers(std::string_view holder, std::string_view unit) const {
  if (InSubtree(unit, holder)) return true;
  const Unit* h = FindUnit(holder);
  if (!h) return false;
  return std::any_of(h->serves.begin(), h->serves.end(),
                     [&](const std::string& s) { return InSubtree(unit, s); });
}

std::vector<const User*> Organisation::Resolve(std::string_view unit,
                                               std::string_view role, int up) const {
  static const std::vector<std::string> kNone;
  for (const Unit* at = Ancestor(unit, up); at;
       at = at->parent.empty() ? nullptr : FindUnit(at->parent)) {
    auto served = served_by_.find(at->id);
    const std::vector<std::string>& servers =
        served == served_by_.end() ? kNone : served->second;
    std::vector<const User*> found;
    for (const User& u : users_) {
      bool here = u.unit == at->id ||
                  std::find(servers.begin(), servers.end(), u.unit) != servers.end();
      if (here && u.active && std::find(u.roles.begin(), u.roles.end(), role) != u.roles.end()) {
        found.push_back(&u);
      }
    }
    if (!found.empty()) return found;
  }
  return {};
}

}  // namespace shouhu
