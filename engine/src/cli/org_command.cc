// `shouhu unit add|set|move|deactivate|activate` and `shouhu user
// add|set|deactivate|activate`: the organisation changed through the running
// daemon's API (org.manage), without a restart.
#include <algorithm>
#include <array>
#include <cstdio>

#include "cli/client.h"
#include "cli/table.h"

namespace shouhu::cli {
namespace {

using nlohmann::json;

constexpr const char* kUnitUsage =
    "usage: shouhu unit list\n"
    "       shouhu unit add ID --name-zh 名称 [--name-en NAME] --type TYPE --parent UNIT\n"
    "                       [--serves UNIT,UNIT]\n"
    "       shouhu unit set ID [--name-zh ..] [--name-en ..] [--type ..] [--serves ..]\n"
    "       shouhu unit move ID --parent UNIT\n"
    "       shouhu unit deactivate ID | shouhu unit activate ID\n"
    "\n"
    "The units of the organisation (单位). Changes apply in the running daemon at\n"
    "once and are audited. A unit with active users, active units below it or\n"
    "open cases is not deactivated. Changes need org.manage.\n";

std::vector<std::string> List(const std::string& csv) {
  std::vector<std::string> out;
  for (size_t start = 0; start <= csv.size();) {
    size_t comma = csv.find(',', start);
    if (comma == std::string::npos) comma = csv.size();
    if (comma > start) out.push_back(csv.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

std::string Str(const json& j) { return j.is_string() ? j.get<std::string>() : ""; }

void RenderUnits(const json& r) {
  std::vector<std::vector<std::string>> rows;
  for (const json& u : r["units"]) {
    rows.push_back({Str(u["id"]), CellText(u["name"]), Str(u["type"]), Str(u["parent"]),
                    u.value("active", true) ? "" : "已停用 deactivated"});
  }
  PrintTable({"unit 单位", "name 名称", "type 类型", "parent 上级", ""}, rows);
}

void RenderUnit(const json& r) {
  const json& u = r["unit"];
  std::printf("unit %s  %s %s  type %s  parent %s  %s  (organisation version %llu)\n",
              Str(u["id"]).c_str(), Str(u["name"]["zh"]).c_str(), Str(u["name"]["en"]).c_str(),
              Str(u["type"]).c_str(), Str(u["parent"]).c_str(),
              u.value("active", true) ? "active 在用" : "deactivated 已停用",
              r.value("version", 0ull));
}

void RenderUser(const json& r) {
  const json& u = r["user"];
  std::string roles;
  for (const json& x : u["roles"]) roles += (roles.empty() ? "" : ",") + Str(x);
  std::printf("user %s  %s  unit %s  roles %s  %s  (organisation version %llu)\n",
              Str(u["id"]).c_str(), Str(u["name"]).c_str(), Str(u["unit"]).c_str(),
              roles.c_str(), u.value("active", true) ? "active 在用" : "deactivated 已停用",
              r.value("version", 0ull));
  if (r.contains("sessions_ended")) {
    std::printf("sessions ended 已结束会话: %llu, tokens revoked 已吊销令牌: %llu\n",
                r.value("sessions_ended", 0ull), r.value("tokens_revoked", 0ull));
  }
}

// The options given, as the body's members (`--name-zh`/`--name-en` as
// "name" for units, lists split at commas).
json BodyOf(const ClientArgs& args, bool unit) {
  json body = json::object();
  if (unit && (args.Has("name-zh") || args.Has("name-en"))) {
    body["name"] = {{"zh", args.Get("name-zh")}, {"en", args.Get("name-en")}};
  }
  for (const char* name : {"name", "type", "parent", "unit", "phone", "email", "wecom",
                           "dingtalk", "webhook"}) {
    if (args.Has(name) && !(unit && std::string(name) == "name")) body[name] = args.Get(name);
  }
  for (const char* name : {"serves", "roles"}) {
    if (args.Has(name)) body[name] = List(args.Get(name));
  }
  return body;
}

// `action` on the unit or user ID (positional[0]).
int Change(const std::string& action, bool unit, const ClientArgs& args) {
  const std::string& id = args.positional[0];
  json body = action == "deactivate" ? json{{"active", false}}
              : action == "activate" ? json{{"active", true}}
              : action == "move"     ? json{{"parent", args.Get("parent")}}
                                     : BodyOf(args, unit);
  std::string collection = unit ? "/api/v1/units" : "/api/v1/users";
  auto client = MakeClient(args);
  if (action == "add") {
    body["id"] = id;
    return SendAndPrint(*client, args, "POST", collection, body.dump(), {},
                        unit ? RenderUnit : RenderUser);
  }
  return SendAndPrint(*client, args, "PATCH", collection + "/" + UrlEncode(id), body.dump(), {},
                      unit ? RenderUnit : RenderUser);
}

int Units(HttpClient& c, const ClientArgs& a) {
  return SendAndPrint(c, a, "GET", "/api/v1/units", "", {}, RenderUnits);
}

// The actions common to units and users: add (its `required` options),
// set, deactivate and activate; `fields` are the options of add and set.
void AddChanges(CommandLine& cl, CLI::App* group, bool unit, const std::string& prose,
                const std::vector<std::array<const char*, 3>>& fields,
                const std::vector<std::string>& required) {
  const std::string what = unit ? "单位 / the unit" : "用户 / the user";
  for (const char* action : {"add", "set", "deactivate", "activate"}) {
    const std::string a = action;
    const std::string summary = a == "add"          ? "新增 / add"
                                : a == "set"        ? "修改 / change"
                                : a == "deactivate" ? "停用 / deactivate"
                                                    : "启用 / activate";
    auto c = cl.Add(group, a, summary, prose,
                    [a, unit](const ClientArgs& args) { return Change(a, unit, args); });
    AddPositional(c, "ID", what);
    if (a == "add" || a == "set") {
      for (const auto& [name, type, help] : fields) {
        CLI::Option* o = AddValue(c, name, type, help);
        if (a == "add" && std::count(required.begin(), required.end(), name)) o->required();
      }
    }
    AddServerOptions(c);
  }
}

}  // namespace

void AddUnitCommands(CommandLine& cl) {
  CLI::App* unit = cl.Group(nullptr, "unit", "单位 / the units of the organisation", kUnitUsage);
  AddServerOptions(cl.Add(unit, "list", "单位列表 / the units", kUnitUsage, WithClient(Units)));
  AddChanges(cl, unit, true, kUnitUsage,
             {{"name-zh", "名称", "中文名称 / the name in Chinese"},
              {"name-en", "NAME", "英文名称 / the name in English"},
              {"type", "TYPE", "类型 / the unit's type"},
              {"parent", "UNIT", "上级单位 / the unit above"},
              {"serves", "UNIT,UNIT", "服务的单位 / the units it serves"}},
             {"name-zh", "type", "parent"});
  auto move = cl.Add(unit, "move", "移动 / move under another unit", kUnitUsage,
                     [](const ClientArgs& args) { return Change("move", true, args); });
  AddPositional(move, "ID", "单位 / the unit");
  AddValue(move, "parent", "UNIT", "新的上级单位 / the new unit above")->required();
  AddServerOptions(move);
}

void AddUserOrgCommands(CommandLine& cl, CLI::App* user) {
  AddChanges(cl, user, false, "usage: shouhu user add ID --name 姓名 --unit UNIT --roles ROLE[,ROLE]\n"
             "                       [--phone 138...] [--email ..] [--wecom ..] [--dingtalk ..]\n"
             "       shouhu user set ID [--name ..] [--unit ..] [--roles ..] [--phone ..] ...\n"
             "       shouhu user deactivate ID | shouhu user activate ID\n"
             "\nAdds or changes a user in the running daemon; the change applies at once and\n"
             "is audited. A deactivated user's sessions end and tokens are revoked at once.\n"
             "A phone is a mainland mobile number (1[3-9] and 9 digits, +86 allowed).\n"
             "Needs org.manage. `shouhu user invite` gives the new user a code to set\n"
             "their password.\n",
             {{"name", "姓名", "姓名 / the user's name"},
              {"unit", "UNIT", "单位 / the user's unit"},
              {"roles", "ROLE,ROLE", "角色 / the user's roles"},
              {"phone", "PHONE", "手机号 / mainland mobile number"},
              {"email", "EMAIL", "邮箱 / e-mail address"},
              {"wecom", "ID", "企业微信 / WeCom user id"},
              {"dingtalk", "ID", "钉钉 / DingTalk user id"},
              {"webhook", "URL", "回调地址 / webhook"}},
             {"name", "unit", "roles"});
}

}  // namespace shouhu::cli
