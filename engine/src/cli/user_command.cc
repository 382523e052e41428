// `shouhu user invite`: a one-time setup code with which a user sets their
// password, through a running daemon's admin API or offline on the data
// directory (--data-dir) — how the first administrator signs in to the web
// app before anyone could invite them.
#include <cstdio>

#include "auth/credential_store.h"
#include "auth/token_store.h"
#include "cli/client.h"
#include "cli/table.h"
#include "shouhu/clock.h"

namespace shouhu::cli {
namespace {

using nlohmann::json;

constexpr const char* kUsage =
    "usage: shouhu user list [--unit UNIT]\n"
    "       shouhu user add ID --name 姓名 --unit UNIT --roles ROLE[,ROLE]\n"
    "                       [--phone 138...] [--email ..] [--wecom ..] [--dingtalk ..]\n"
    "       shouhu user set ID [--name ..] [--unit ..] [--roles ..] [--phone ..] ...\n"
    "       shouhu user deactivate ID | shouhu user activate ID\n"
    "       shouhu user invite --user ID [--ttl P3D] [--quiet] [--data-dir DIR]\n"
    "\n"
    "The users of the organisation (用户). `list` shows those you may see\n"
    "(administrators; supervisors see their subtree). add, set, deactivate and\n"
    "activate change a user in the running daemon at once, audited (org.manage);\n"
    "a deactivated user's sessions end and tokens are revoked at once. A phone\n"
    "is a mainland mobile number (1[3-9] and 9 digits, +86 allowed).\n"
    "`invite` gives a user a one-time code to set their password.\n";

constexpr const char* kInviteUsage =
    "usage: shouhu user invite --user USER [--ttl P3D] [--quiet] [--data-dir DIR]\n"
    "\n"
    "A one-time setup code (邀请码) with which USER sets a password in the web\n"
    "app; valid for --ttl (default 3 days), once. A new code for the same user\n"
    "voids the earlier one; using it replaces the user's password and ends\n"
    "their sessions. Through the running daemon (an administrator's --token),\n"
    "or offline with --data-dir DIR, writing DIR/credentials.json (hashes\n"
    "only) directly. The code is shown once; --quiet prints only the code.\n";

constexpr const char* kListUsage =
    "usage: shouhu user list [--unit UNIT]\n"
    "       shouhu users [--unit UNIT]\n"
    "\nLists users (administrators; supervisors see their subtree).\n";

void RenderUsers(const json& r) {
  std::vector<std::vector<std::string>> rows;
  for (const json& u : r["users"]) {
    std::string roles;
    for (const json& x : u["roles"]) roles += (roles.empty() ? "" : ",") + CellText(x);
    rows.push_back({CellText(u["id"]), CellText(u["name"]), CellText(u["unit"]), roles,
                    u.value("active", true) ? "" : "已停用 deactivated"});
  }
  PrintTable({"user 用户", "name 姓名", "unit 单位", "roles 角色", ""}, rows);
}

int Users(HttpClient& c, const ClientArgs& a) {
  std::string q = a.Has("unit") ? "?unit=" + UrlEncode(a.Get("unit")) : "";
  return SendAndPrint(c, a, "GET", "/api/v1/users" + q, "", {}, RenderUsers);
}

void RenderInvitation(const json& i) {
  std::printf("code     %s\nuser     %s\nexpires  %s\n", i.value("code", "").c_str(),
              i.value("user", "").c_str(), i.value("expires_at", "").c_str());
}
void RenderQuiet(const json& i) { std::printf("%s\n", i.value("code", "").c_str()); }

int Invite(const ClientArgs& args) {
  auto render = args.Has("quiet") ? RenderQuiet : RenderInvitation;
  if (!args.Has("data-dir")) {
    auto client = MakeClient(args);
    json body = {{"ttl", args.Get("ttl", "P3D")}};
    return SendAndPrint(*client, args, "POST",
                        "/api/v1/users/" + UrlEncode(args.Get("user")) + "/invitation",
                        body.dump(), {}, render);
  }
  Instant now = SystemClock().Now();
  auto ttl = LifetimeOf(args.Get("ttl", "P3D"), now);
  if (!ttl) {
    PrintError("--ttl 须为 ISO 8601 时长，如 P3D", "--ttl must be an ISO 8601 duration such as P3D");
    return 2;
  }
  CredentialStore store(CredentialsPathBeside(TokensPathFor(args.Get("data-dir"))));
  auto issued = store.Invite(args.Get("user"), *ttl, "cli", now);
  if (!issued.ok()) {
    PrintError("无法生成邀请码", issued.status().message());
    return 1;
  }
  return PrintResult(args,
                     {{"user", issued->info.user},
                      {"id", issued->info.id},
                      {"code", issued->code},
                      {"expires_at", FormatInstant(issued->info.expires_at)}},
                     render);
}

}  // namespace

void AddUserCommands(CommandLine& cl) {
  CLI::App* user = cl.Group(nullptr, "user", "用户 / the users of the organisation", kUsage);
  auto list = cl.Add(user, "list", "用户列表 / the users you may see", kListUsage,
                     WithClient(Users));
  AddValue(list, "unit", "UNIT", "单位 / of this unit's subtree");
  AddServerOptions(list);
  // The older spelling, kept for scripts.
  auto users = cl.Add(nullptr, "users", "用户列表 / the users you may see (= user list)",
                      kListUsage, WithClient(Users));
  AddValue(users, "unit", "UNIT", "单位 / of this unit's subtree");
  AddServerOptions(users);

  auto invite = cl.Add(user, "invite", "邀请码 / a one-time code to set a password",
                       kInviteUsage, Invite);
  AddValue(invite, "user", "USER", "用户 / the user")->required();
  AddValue(invite, "ttl", "DURATION", "有效期 / valid for (ISO 8601, default P3D)");
  AddFlag(invite, "quiet", "只输出邀请码 / print only the code");
  AddValue(invite, "data-dir", "DIR", "离线：此数据目录 / work offline on this data directory");
  AddServerOptions(invite);
  AddUserOrgCommands(cl, user);
}

}  // namespace shouhu::cli
