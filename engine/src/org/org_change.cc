// The checks of one change of the organisation (shouhu/org_directory.h):
// the change's own members first, each problem as one `field "x": ...` line
// (the API lists them by field), then the whole organisation after it
// through Organisation::Parse, the checks of the file.
#include <algorithm>
#include <cctype>

#include "shouhu/org_directory.h"

namespace shouhu {
namespace {

using json = nlohmann::json;

class FieldProblems {
 public:
  void Add(const std::string& field, const std::string& message) {
    text_ += (text_.empty() ? "" : "\n") + ("field \"" + field + "\": ") + message;
  }
  bool any() const { return !text_.empty(); }
  Status status() const { return InvalidArgument(text_); }

 private:
  std::string text_;
};

bool IdChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
}

// Ids go into store keys, URLs and audit actions: letters, digits, _ - .
// only, 1 to 64 of them, starting with a letter or digit.
std::string IdProblem(const std::string& id) {
  if (id.empty() || id.size() > 64 || !std::isalnum(static_cast<unsigned char>(id[0])) ||
      !std::all_of(id.begin(), id.end(), IdChar)) {
    return "编号须为 1 到 64 个字母、数字或 _ - .，以字母或数字开头 / an id is 1 to 64 letters, "
           "digits, _ - or ., starting with a letter or digit";
  }
  return "";
}

std::string Trimmed(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

json* FindById(json& list, const std::string& id) {
  for (json& j : list) {
    if (j.value("id", "") == id) return &j;
  }
  return nullptr;
}

// The whole document after the change, checked as the file is.
StatusOr<json> Whole(json doc) {
  auto checked = Organisation::Parse(doc, "organisation");
  if (!checked.ok()) return checked.status();
  return doc;
}

}  // namespace

std::string NormalPhone(const std::string& value) {
  std::string digits;
  for (char c : value) {
    if (c != ' ' && c != '-') digits.push_back(c);
  }
  if (digits.rfind("+86", 0) == 0) digits.erase(0, 3);
  return digits;
}

std::string PhoneProblem(const std::string& value) {
  std::string d = NormalPhone(value);
  bool ok = d.size() == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9' &&
            std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; });
  return ok ? "" : "手机号须为 11 位中国大陆手机号（1[3-9] 开头，可加 +86）/ expected a mainland "
                   "mobile number: 11 digits starting 13 to 19, +86 allowed";
}

std::string EmailProblem(const std::string& value) {
  const std::string kBad = "邮箱格式不对 / expected an email address such as name@example.cn";
  size_t at = value.find('@');
  if (value.size() > 254 || at == std::string::npos || at == 0 ||
      value.find('@', at + 1) != std::string::npos) {
    return kBad;
  }
  std::string local = value.substr(0, at), domain = value.substr(at + 1);
  bool local_ok = std::all_of(local.begin(), local.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("._%+-").find(c) !=
                                                              std::string_view::npos;
  });
  size_t dot = domain.rfind('.');
  bool domain_ok = dot != std::string::npos && dot > 0 && domain.size() - dot - 1 >= 2 &&
                   domain.find("..") == std::string::npos && domain.front() != '.' &&
                   std::all_of(domain.begin(), domain.end(), [](char c) {
                     return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.';
                   });
  return local_ok && domain_ok ? "" : kBad;
}

std::string AccountIdProblem(const std::string& value) {
  bool ok = !value.empty() && value.size() <= 64 &&
            std::all_of(value.begin(), value.end(), [](char c) { return IdChar(c) || c == '@'; });
  return ok ? "" : "账号须为 1 到 64 个字母、数字或 _ . @ - / expected 1 to 64 letters, digits, "
                   "_ . @ or -";
}

StatusOr<json> CheckUnitChange(const Organisation& org, const UnitChange& change,
                               size_t open_cases) {
  FieldProblems p;
  const Unit* existing = org.FindUnit(change.id);
  if (change.create) {
    if (std::string bad = IdProblem(change.id); !bad.empty()) p.Add("id", bad);
    if (existing) return AlreadyExists("单位编号已存在 / unit \"" + change.id + "\" exists");
    if (!change.name || Trimmed(change.name->zh).empty()) {
      p.Add("name", "单位须有中文名称 / a unit needs a name (zh, and en beside it)");
    }
    if (!change.type || change.type->empty()) p.Add("type", "单位须有类型 / a unit needs a type");
    if (!change.parent || change.parent->empty()) {
      p.Add("parent", "新单位须有上级单位 / a new unit needs a parent");
    }
  } else if (!existing) {
    return NotFound("没有单位 / no unit \"" + change.id + "\"");
  } else {
    if (change.name && Trimmed(change.name->zh).empty()) {
      p.Add("name", "单位须有中文名称 / a unit needs a name (zh, and en beside it)");
    }
    if (change.type && change.type->empty()) p.Add("type", "单位须有类型 / a unit needs a type");
  }
  if (change.type && !change.type->empty() && !IdProblem(*change.type).empty()) {
    p.Add("type", "类型须为字母、数字或 _ - / a type is letters, digits, _ or -");
  }
  if (change.parent && !change.parent->empty()) {
    const Unit* parent = org.FindUnit(*change.parent);
    if (!parent) {
      p.Add("parent", "没有上级单位 / no unit \"" + *change.parent + "\"");
    } else if (!parent->active) {
      p.Add("parent", "上级单位已停用 / unit \"" + *change.parent + "\" is deactivated");
    } else if (existing && org.InSubtree(*change.parent, change.id)) {
      p.Add("parent", "不能移到自己或下级单位之下（会成环）/ moving \"" + change.id + "\" under \"" +
                          *change.parent + "\" would make a cycle");
    }
  } else if (change.parent && existing && !existing->parent.empty()) {
    p.Add("parent", "只能有一个顶级单位 / only the root unit has no parent");
  }
  for (const std::string& s : change.serves.value_or(std::vector<std::string>{})) {
    if (!org.FindUnit(s)) p.Add("serves", "没有单位 / no unit \"" + s + "\"");
  }
  if (existing && change.active == false && existing->active) {
    for (const User& u : org.users()) {
      if (u.unit == change.id && u.active) {
        p.Add("active", "单位还有在用的用户，请先停用或调走 / the unit still has active users (" +
                            u.id + "...): deactivate or move them first");
        break;
      }
    }
    for (const Unit& u : org.units()) {
      if (u.parent == change.id && u.active) {
        p.Add("active", "单位还有在用的下级单位 / the unit still has active units below it (" +
                            u.id + "...)");
        break;
      }
    }
    if (open_cases > 0) {
      p.Add("active", "单位还有 " + std::to_string(open_cases) +
                          " 件未结案件 / the unit still has " + std::to_string(open_cases) +
                          " open case(s)");
    }
  }
  if (existing && change.active == true && !existing->active && !change.parent) {
    const Unit* parent = org.FindUnit(existing->parent);
    if (parent && !parent->active) {
      p.Add("active", "上级单位已停用 / the unit's parent is deactivated");
    }
  }
  if (p.any()) return p.status();

  json doc = org.ToJson();
  json* unit = change.create ? &doc["units"].emplace_back(json{{"id", change.id}})
                             : FindById(doc["units"], change.id);
  if (change.name) {
    (*unit)["name"] = {{"zh", Trimmed(change.name->zh)}, {"en", Trimmed(change.name->en)}};
  }
  if (change.type) (*unit)["type"] = *change.type;
  if (change.parent) (*unit)["parent"] = *change.parent;
  if (change.serves) (*unit)["serves"] = *change.serves;
  if (change.active) (*unit)["active"] = *change.active;
  return Whole(std::move(doc));
}

StatusOr<json> CheckUserChange(const Organisation& org, const UserChange& change,
                               const std::set<std::string>& roles) {
  FieldProblems p;
  const User* existing = org.FindUser(change.id);
  if (change.create) {
    if (std::string bad = IdProblem(change.id); !bad.empty()) p.Add("id", bad);
    if (existing) return AlreadyExists("用户编号已存在 / user \"" + change.id + "\" exists");
    if (!change.name || Trimmed(*change.name).empty()) {
      p.Add("name", "用户须有姓名 / a user needs a name");
    }
    if (!change.unit) p.Add("unit", "用户须属于一个单位 / a user needs a unit");
    if (!change.roles) p.Add("roles", "用户至少有一个角色 / a user needs at least one role");
  } else if (!existing) {
    return NotFound("没有用户 / no user \"" + change.id + "\"");
  } else if (change.name && Trimmed(*change.name).empty()) {
    p.Add("name", "用户须有姓名 / a user needs a name");
  }
  if (change.unit) {
    const Unit* unit = org.FindUnit(*change.unit);
    if (!unit) {
      p.Add("unit", "没有单位 / no unit \"" + *change.unit + "\"");
    } else if (!unit->active) {
      p.Add("unit", "单位已停用 / unit \"" + *change.unit + "\" is deactivated");
    }
  } else if (existing && change.active == true && !existing->active) {
    const Unit* unit = org.FindUnit(existing->unit);
    if (unit && !unit->active) {
      p.Add("active", "用户的单位已停用，请先调到在用单位 / the user's unit is deactivated: move "
                      "the user first");
    }
  }
  if (change.roles) {
    if (change.roles->empty()) {
      p.Add("roles", "用户至少有一个角色 / a user needs at least one role");
    }
    for (const std::string& r : *change.roles) {
      if (r == kSystemRole || !roles.count(r)) {
        p.Add("roles", "没有这个角色 / no role \"" + r + "\"");
      }
    }
  }
  if (change.phone && !change.phone->empty()) {
    if (std::string bad = PhoneProblem(*change.phone); !bad.empty()) {
      p.Add("phone", bad);
    } else {
      // Sign-in by phone finds one user only.
      const User* other = org.FindUserByPhone(NormalPhone(*change.phone));
      if (other && other->id != change.id) {
        p.Add("phone", "手机号已被其他用户使用 / the phone number is another user's");
      }
    }
  }
  if (change.email && !change.email->empty()) {
    if (std::string bad = EmailProblem(*change.email); !bad.empty()) p.Add("email", bad);
  }
  for (auto [name, value] : {std::pair<const char*, const std::optional<std::string>*>{
                                 "wecom", &change.wecom},
                             {"dingtalk", &change.dingtalk},
                             {"webhook", &change.webhook}}) {
    if (*value && !(*value)->empty()) {
      if (std::string bad = AccountIdProblem(**value); !bad.empty()) p.Add(name, bad);
    }
  }
  if (p.any()) return p.status();

  json doc = org.ToJson();
  json* user = change.create ? &doc["users"].emplace_back(json{{"id", change.id}})
                             : FindById(doc["users"], change.id);
  if (change.name) (*user)["name"] = Trimmed(*change.name);
  if (change.unit) (*user)["unit"] = *change.unit;
  if (change.roles) (*user)["roles"] = *change.roles;
  if (change.phone) (*user)["phone"] = NormalPhone(*change.phone);
  if (change.email) (*user)["email"] = Trimmed(*change.email);
  if (change.webhook) (*user)["webhook"] = *change.webhook;
  if (change.wecom) (*user)["wecom"] = *change.wecom;
  if (change.dingtalk) (*user)["dingtalk"] = *change.dingtalk;
  if (change.active) (*user)["active"] = *change.active;
  return Whole(std::move(doc));
}

}  // namespace shouhu
