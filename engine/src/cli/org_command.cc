// `shouhu unit add|set|move|deactivate|activate` and `shouhu user
// add|set|deactivate|activate`: the organisation changed through the running
// daemon's API (org.manage), without a restart.
#include <cstdio>

#include "cli/client.h"

namespace shouhu::cli {
namespace {

using nlohmann::json;

constexpr const char* kUnitUsage =
    "usage: shouhu unit add ID --name-zh 名称 [--name-en NAME] --type TYPE --parent UNIT\n"
    "                       [--serves UNIT,UNIT]\n"
    "       shouhu unit set ID [--name-zh ..] [--name-en ..] [--type ..] [--serves ..]\n"
    "       shouhu unit move ID --parent UNIT\n"
    "       shouhu unit deactivate ID | shouhu unit activate ID\n"
    "\n"
    "Adds or changes a unit of the organisation (单位) in the running daemon; the\n"
    "change applies at once and is audited. A unit with active users, active\n"
    "units below it or open cases is not deactivated. Needs org.manage.\n"
    "\n"
    "  --server, --token, --cacert, --insecure, --json  as for other commands\n";

constexpr const char* kUserUsage =
    "usage: shouhu user add ID --name 姓名 --unit UNIT --roles ROLE[,ROLE]\n"
    "                       [--phone 138...] [--email ..] [--wecom ..] [--dingtalk ..]\n"
    "       shouhu user set ID [--name ..] [--unit ..] [--roles ..] [--phone ..] ...\n"
    "       shouhu user deactivate ID | shouhu user activate ID\n"
    "       shouhu user invite --user ID [--ttl P3D] [--quiet]\n"
    "\n"
    "Adds or changes a user in the running daemon; the change applies at once and\n"
    "is audited. A deactivated user's sessions end and tokens are revoked at once.\n"
    "A phone is a mainland mobile number (1[3-9] and 9 digits, +86 allowed).\n"
    "Needs org.manage. `user invite` (see `shouhu user invite --help`) gives the\n"
    "new user a code to set their password.\n"
    "\n"
    "  --server, --token, --cacert, --insecure, --json  as for other commands\n";

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

int Run(const char* usage, bool unit, int argc, char** argv) {
  ClientArgs args;
  if (!ParseClientArgs(argc, argv,
                       {"name", "name-zh", "name-en", "type", "parent", "serves", "unit",
                        "roles", "phone", "email", "wecom", "dingtalk", "webhook"},
                       {}, &args)) {
    return 2;
  }
  if (args.help) {
    std::fputs(usage, stdout);
    return 0;
  }
  std::string action = args.positional.empty() ? "" : args.positional[0];
  bool known = action == "add" || action == "set" || action == "deactivate" ||
               action == "activate" || (unit && action == "move");
  if (!known || args.positional.size() != 2 || (action == "move" && !args.Has("parent"))) {
    std::fputs(usage, stderr);
    return 2;
  }
  const std::string& id = args.positional[1];
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

}  // namespace

int RunUnitCommand(int argc, char** argv) { return Run(kUnitUsage, true, argc, argv); }

int RunUserOrgCommand(int argc, char** argv) { return Run(kUserUsage, false, argc, argv); }

}  // namespace shouhu::cli
