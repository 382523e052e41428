#include <algorithm>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "org/problems.h"
#include "shouhu/org.h"

namespace shouhu {
namespace {

using json = nlohmann::json;

std::string Str(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

StatusOr<Organisation> Organisation::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return InvalidArgument(path + ": cannot read the organisation file");
  std::stringstream text;
  text << in.rdbuf();
  json doc = json::parse(text.str(), nullptr, false);
  Problems p(path);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("units") ||
      !doc["units"].is_array() || !doc.contains("users") || !doc["users"].is_array()) {
    p.Add("", "expected an object with arrays \"units\" and \"users\"");
    return p.status();
  }
  Organisation org;
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
  if (roots != 1) p.Add("/units", "expected exactly one root unit (no parent)");
  if (p.any()) return p.status();
  // Depths, refusing cycles: a chain longer than the tree is a cycle.
  for (Unit& u : org.units_) {
    int depth = 0;
    const Unit* at = &u;
    while (!at->parent.empty() && depth <= static_cast<int>(org.units_.size())) {
      at = org.FindUnit(at->parent);
      ++depth;
    }
    if (depth > static_cast<int>(org.units_.size())) {
      p.Add("/units", "the parents of \"" + u.id + "\" form a cycle");
      return p.status();
    }
    u.depth = depth;
  }
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

std::vector<const User*> Organisation::Resolve(std::string_view unit,
                                               std::string_view role, int up) const {
  for (const Unit* at = Ancestor(unit, up); at;
       at = at->parent.empty() ? nullptr : FindUnit(at->parent)) {
    std::vector<const User*> found;
    for (const User& u : users_) {
      if (u.unit == at->id &&
          std::find(u.roles.begin(), u.roles.end(), role) != u.roles.end()) {
        found.push_back(&u);
      }
    }
    if (!found.empty()) return found;
  }
  return {};
}

}  // namespace shouhu
