// `shouhu token issue|revoke|list`: through a running daemon's admin API, or
// offline on the data directory (--data-dir) — how the first administrator
// gets a token before the daemon ever ran.
#include <cstdio>

#include "auth/token_store.h"
#include "cli/client.h"
#include "cli/table.h"
#include "shouhu/clock.h"

namespace shouhu::cli {
namespace {

using nlohmann::json;

constexpr const char* kUsage =
    "usage: shouhu token issue --user USER [--ttl P90D] [--label TEXT] [--quiet]\n"
    "       shouhu token revoke TOKEN_ID\n"
    "       shouhu token list\n"
    "\n"
    "API tokens (API 令牌). Through the running daemon (an administrator's --token),\n"
    "or offline with --data-dir DIR, writing the daemon's tokens file\n"
    "(DIR/tokens.json, salted SHA-256 hashes only) directly: that is how the first\n"
    "administrator's token is issued. The daemon sees offline changes at once.\n"
    "A token is shown once, when issued; --quiet prints only the token.\n";

void RenderIssued(const json& t) {
  std::printf("token    %s\nid       %s\nuser     %s\nexpires  %s\n",
              t.value("token", "").c_str(), t.value("id", "").c_str(),
              t.value("user", "").c_str(), t.value("expires_at", "").c_str());
}
void RenderQuiet(const json& t) { std::printf("%s\n", t.value("token", "").c_str()); }
void RenderRevoked(const json& t) { std::printf("revoked %s\n", t.value("id", "").c_str()); }
void RenderList(const json& r) {
  std::vector<std::vector<std::string>> rows;
  for (const json& t : r["tokens"]) {
    rows.push_back({t.value("id", ""), t.value("user", ""), t.value("label", ""),
                    t.value("expires_at", ""), t.value("revoked", false) ? "revoked 已吊销" : ""});
  }
  PrintTable({"id", "user", "label", "expires", "revoked"}, rows);
}

int Offline(const std::string& action, const ClientArgs& args) {
  TokenStore store(TokensPathFor(args.Get("data-dir")));
  Instant now = SystemClock().Now();
  if (action == "issue") {
    auto ttl = LifetimeOf(args.Get("ttl", "P90D"), now);
    if (!ttl) {
      PrintError("--ttl 须为 ISO 8601 时长，如 P90D",
                 "--ttl must be an ISO 8601 duration such as P90D");
      return 2;
    }
    auto issued = store.Issue(args.Get("user"), *ttl, args.Get("label"), now);
    if (!issued.ok()) {
      PrintError("无法签发令牌", issued.status().message());
      return 1;
    }
    json out = TokenInfoJson(issued->info);
    out["token"] = issued->token;
    return PrintResult(args, out, args.Has("quiet") ? RenderQuiet : RenderIssued);
  }
  if (action == "revoke") {
    Status s = store.Revoke(args.positional[0], now);
    if (!s.ok()) {
      PrintError("无法吊销令牌", s.message());
      return 1;
    }
    return PrintResult(args, {{"id", args.positional[0]}, {"revoked", true}}, RenderRevoked);
  }
  auto list = store.List();
  if (!list.ok()) {
    PrintError("无法读取令牌", list.status().message());
    return 1;
  }
  json tokens = json::array();
  for (const TokenInfo& t : *list) tokens.push_back(TokenInfoJson(t));
  return PrintResult(args, {{"tokens", tokens}}, RenderList);
}

int Run(const std::string& action, const ClientArgs& args) {
  if (args.Has("data-dir")) return Offline(action, args);
  auto client = MakeClient(args);
  if (action == "issue") {
    json body = {{"user", args.Get("user")}, {"ttl", args.Get("ttl", "P90D")},
                 {"label", args.Get("label")}};
    return SendAndPrint(*client, args, "POST", "/api/v1/tokens", body.dump(), {},
                        args.Has("quiet") ? RenderQuiet : RenderIssued);
  }
  if (action == "revoke") {
    return SendAndPrint(*client, args, "DELETE", "/api/v1/tokens/" + UrlEncode(args.positional[0]),
                        "", {}, RenderRevoked);
  }
  return SendAndPrint(*client, args, "GET", "/api/v1/tokens", "", {}, RenderList);
}

}  // namespace

void AddTokenCommands(CommandLine& cl) {
  CLI::App* token = cl.Group(nullptr, "token", "API 令牌 / API tokens (offline with --data-dir)",
                             kUsage);
  auto both = [](const CommandLine::Command& c) {
    AddValue(c, "data-dir", "DIR", "离线：此数据目录 / work offline on this data directory");
    AddServerOptions(c);
  };
  auto issue = cl.Add(token, "issue", "签发 / issue a token", kUsage,
                      [](const ClientArgs& a) { return Run("issue", a); });
  AddValue(issue, "user", "USER", "用户 / the token's user")->required();
  AddValue(issue, "ttl", "DURATION", "有效期 / valid for (ISO 8601, default P90D)");
  AddValue(issue, "label", "TEXT", "备注 / a label");
  AddFlag(issue, "quiet", "只输出令牌 / print only the token");
  both(issue);
  auto revoke = cl.Add(token, "revoke", "吊销 / revoke a token", kUsage,
                       [](const ClientArgs& a) { return Run("revoke", a); });
  AddPositional(revoke, "TOKEN_ID", "令牌编号 / the token's id");
  both(revoke);
  both(cl.Add(token, "list", "列表 / list the tokens", kUsage,
              [](const ClientArgs& a) { return Run("list", a); }));
}

}  // namespace shouhu::cli
