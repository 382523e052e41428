// Units and users at run time (org.manage, in one's jurisdiction): add,
// change, move and deactivate them without a restart. Each change is one
// batch with its audit record (shouhu/org_directory.h); a deactivated user's
// sessions end and tokens are revoked in the same request, and every later
// request of theirs is refused because the next snapshot no longer holds
// them active.
#include "api/api_service.h"
#include "api/errors.h"
#include "api/request_helpers.h"

namespace shouhu::api {
namespace {

using nlohmann::json;

json LabelJson(const Label& l) { return {{"zh", l.zh}, {"en", l.en}}; }

// Reads the body's members into a change, each wrong type or unknown member
// a `field "x"` line, so that the client learns every problem at once.
class BodyReader {
 public:
  explicit BodyReader(const json& body) : body_(body) {}

  void String(const char* name, std::optional<std::string>* out) {
    seen_.push_back(name);
    auto it = body_.find(name);
    if (it == body_.end()) return;
    if (!it->is_string()) return Bad(name, "应为文字 / expected a string");
    *out = it->get<std::string>();
  }
  void Bool(const char* name, std::optional<bool>* out) {
    seen_.push_back(name);
    auto it = body_.find(name);
    if (it == body_.end()) return;
    if (!it->is_boolean()) return Bad(name, "应为 true 或 false / expected true or false");
    *out = it->get<bool>();
  }
  void Strings(const char* name, std::optional<std::vector<std::string>>* out) {
    seen_.push_back(name);
    auto it = body_.find(name);
    if (it == body_.end()) return;
    std::vector<std::string> v;
    for (const json& s : it->is_array() ? *it : json::array({nullptr})) {
      if (!s.is_string()) return Bad(name, "应为文字列表 / expected an array of strings");
      v.push_back(s.get<std::string>());
    }
    *out = std::move(v);
  }
  void Name(std::optional<Label>* out) {
    seen_.push_back("name");
    auto it = body_.find("name");
    if (it == body_.end()) return;
    if (!it->is_object() || !it->value("zh", json()).is_string() ||
        !it->value("en", json("")).is_string()) {
      return Bad("name", "应为 {\"zh\": …, \"en\": …} / expected {\"zh\": ..., \"en\": ...}");
    }
    *out = Label{(*it)["zh"].get<std::string>(), it->value("en", "")};
  }
  // The problems, with every member no reader asked for; "" when none.
  std::string Problems() {
    for (const auto& [key, value] : body_.items()) {
      if (std::find(seen_.begin(), seen_.end(), key) == seen_.end()) {
        Bad(key, "未知字段 / unknown member");
      }
    }
    return problems_;
  }

 private:
  void Bad(const std::string& name, const std::string& message) {
    problems_ += (problems_.empty() ? "" : "\n") + ("field \"" + name + "\": ") + message;
  }
  const json& body_;
  std::vector<std::string> seen_;
  std::string problems_;
};

json UnitJson(const Unit& u) {
  json j = {{"id", u.id}, {"name", LabelJson(u.name)}, {"type", u.type},
            {"parent", u.parent}, {"active", u.active}};
  if (!u.serves.empty()) j["serves"] = u.serves;
  return j;
}

}  // namespace

json ManagedUserJson(const User& u) {
  return {{"id", u.id},       {"name", u.name},         {"unit", u.unit},
          {"roles", u.roles}, {"phone", u.phone},       {"email", u.email},
          {"wecom", u.wecom}, {"dingtalk", u.dingtalk}, {"webhook", u.webhook},
          {"active", u.active}};
}

void ApiService::AddOrgRoutes() {
  // Refused unless the caller holds org.manage in every unit the change
  // touches; a 403 names the unit.
  auto reach = [](const Policy& policy, std::initializer_list<const std::string*> units)
      -> std::optional<HttpResponse> {
    if (!policy.Can(Capability::kOrgManage)) {
      return ErrorResponse(403, kForbidden, "只有组织管理员可以修改单位和用户 / only org.manage "
                                            "changes units and users");
    }
    for (const std::string* u : units) {
      // An unknown unit is the change's problem, said with the others.
      if (u && policy.org().FindUnit(*u) && !policy.CanIn(Capability::kOrgManage, *u)) {
        return ErrorResponse(403, kForbidden, "单位不在您的管辖范围内 / unit \"" + *u +
                                                  "\" is outside your jurisdiction");
      }
    }
    return std::nullopt;
  };

  // The open cases of `unit` (a unit with some is not deactivated), or the
  // store's error.
  auto open_cases = [this](const std::string& unit) -> StatusOr<size_t> {
    size_t open = 0;
    Page page;
    page.limit = 500;
    for (;;) {
      auto list = deps_.runtime.ListByUnit(unit, page);
      if (!list.ok()) return list.status();
      for (const CaseRecord& c : list->cases) {
        auto w = deps_.catalog.Find(c.workflow_id, c.workflow_version);
        const StateDef* s = w ? w->FindState(c.state) : nullptr;
        if (!s || !s->terminal) ++open;
      }
      if (list->next.empty()) return open;
      page.after = list->next;
    }
  };

  auto unit_change = [this, reach, open_cases](const HttpRequest& req, const Principal& who,
                                               bool create, std::string id) {
    UnitChange change;
    change.create = create;
    change.id = std::move(id);
    Policy policy = PolicyOf(deps_, who);
    if (auto refused = reach(policy, {})) return *refused;
    HttpResponse error;
    auto body = ObjectBody(req, &error);
    if (!body) return error;
    BodyReader in(*body);
    std::optional<std::string> new_id;
    if (change.create) in.String("id", &new_id);
    if (change.create) change.id = new_id.value_or("");
    in.Name(&change.name);
    in.String("type", &change.type);
    in.String("parent", &change.parent);
    in.Strings("serves", &change.serves);
    in.Bool("active", &change.active);
    if (std::string bad = in.Problems(); !bad.empty()) {
      return StatusResponse(InvalidArgument(bad));
    }
    const std::string* current = change.create ? nullptr : &change.id;
    const Unit* existing = who.org->FindUnit(change.id);
    if (!change.create && !existing) {
      return ErrorResponse(404, kNotFound, "没有单位 / no unit \"" + change.id + "\"");
    }
    if (auto refused = reach(policy, {current, change.parent ? &*change.parent : nullptr})) {
      return *refused;
    }
    for (const std::string& s : change.serves.value_or(std::vector<std::string>{})) {
      if (auto refused = reach(policy, {&s})) return *refused;
    }
    size_t open = 0;
    if (existing && change.active == false) {
      auto counted = open_cases(change.id);
      if (!counted.ok()) return StatusResponse(counted.status());
      open = *counted;
    }
    auto done = deps_.orgs.ChangeUnit(who.actor, change, open);
    if (!done.ok()) return StatusResponse(done.status());
    return JsonResponse(change.create ? 201 : 200,
                        {{"unit", UnitJson(*done->org->FindUnit(change.id))},
                         {"version", done->version}});
  };

  auto user_change = [this, reach](const HttpRequest& req, const Principal& who, bool create,
                                   std::string id) {
    UserChange change;
    change.create = create;
    change.id = std::move(id);
    Policy policy = PolicyOf(deps_, who);
    if (auto refused = reach(policy, {})) return *refused;
    HttpResponse error;
    auto body = ObjectBody(req, &error);
    if (!body) return error;
    BodyReader in(*body);
    std::optional<std::string> new_id;
    if (change.create) in.String("id", &new_id);
    if (change.create) change.id = new_id.value_or("");
    in.String("name", &change.name);
    in.String("unit", &change.unit);
    in.Strings("roles", &change.roles);
    in.String("phone", &change.phone);
    in.String("email", &change.email);
    in.String("webhook", &change.webhook);
    in.String("wecom", &change.wecom);
    in.String("dingtalk", &change.dingtalk);
    in.Bool("active", &change.active);
    if (std::string bad = in.Problems(); !bad.empty()) {
      return StatusResponse(InvalidArgument(bad));
    }
    const User* existing = who.org->FindUser(change.id);
    if (!change.create && !existing) {
      return ErrorResponse(404, kNotFound, "没有用户 / no user \"" + change.id + "\"");
    }
    if (auto refused = reach(policy, {existing ? &existing->unit : nullptr,
                                      change.unit ? &*change.unit : nullptr})) {
      return *refused;
    }
    if (change.id == who.user->id && change.active == false) {
      return ErrorResponse(409, kConflict, "不能停用自己 / you cannot deactivate yourself");
    }
    auto done = deps_.orgs.ChangeUser(who.actor, change);
    if (!done.ok()) return StatusResponse(done.status());
    json out = {{"user", ManagedUserJson(*done->org->FindUser(change.id))},
                {"version", done->version}};
    if (done->action.starts_with("org.user.deactivate:")) {
      // Already refused by the snapshot; ended and revoked so that a later
      // reactivation does not bring them back.
      out["sessions_ended"] = sessions_.EndForUser(change.id);
      size_t revoked = 0;
      auto tokens = deps_.tokens.List();
      if (!tokens.ok()) return StatusResponse(tokens.status());
      for (const TokenInfo& t : *tokens) {
        if (t.user != change.id || t.revoked) continue;
        Status s = deps_.tokens.Revoke(t.id, deps_.clock.Now());
        if (!s.ok()) return StatusResponse(s);
        ++revoked;
      }
      out["tokens_revoked"] = revoked;
    }
    return JsonResponse(change.create ? 201 : 200, out);
  };

  // POST <collection> adds, PATCH <collection>/{id} changes.
  auto add_routes = [this](const std::string& collection, const std::string& name,
                           auto handle) {
    AddAuthed("POST", collection, name + ".create",
              [handle](const HttpRequest& req, const RouteMatch&, const Principal& who) {
                return handle(req, who, true, std::string());
              });
    AddAuthed("PATCH", collection + "/{id}", name + ".update",
              [handle](const HttpRequest& req, const RouteMatch& m, const Principal& who) {
                return handle(req, who, false, m.Param("id"));
              });
  };
  add_routes("/api/v1/units", "units", unit_change);
  add_routes("/api/v1/users", "users", user_change);
}

}  // namespace shouhu::api
