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
    "API tokens. Through the running daemon (an administrator's --token), or\n"
    "offline with --data-dir DIR, writing the daemon's tokens file\n"
    "(DIR/tokens.json, salted SHA-256 hashes only) directly: that is how the first\n"
    "administrator's token is issued. The daemon sees offline changes at once.\n"
    "A token is shown once, when issued; --quiet prints only the token.\n"
    "\n"
    "  --data-dir DIR  work offline on this data directory\n"
    "  --server, --token, --cacert, --insecure, --json  as for other commands\n";

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
      std::fprintf(stderr, "shouhu: --ttl must be an ISO 8601 duration such as P90D\n");
      return 2;
    }
    auto issued = store.Issue(args.Get("user"), *ttl, args.Get("label"), now);
    if (!issued.ok()) {
      std::fprintf(stderr, "shouhu: %s\n", issued.status().message().c_str());
      return 1;
    }
    json out = TokenInfoJson(issued->info);
    out["token"] = issued->token;
    return PrintResult(args, out, args.Has("quiet") ? RenderQuiet : RenderIssued);
  }
  if (action == "revoke") {
    Status s = store.Revoke(args.positional[1], now);
    if (!s.ok()) {
      std::fprintf(stderr, "shouhu: %s\n", s.message().c_str());
      return 1;
    }
    return PrintResult(args, {{"id", args.positional[1]}, {"revoked", true}}, RenderRevoked);
  }
  auto list = store.List();
  if (!list.ok()) {
    std::fprintf(stderr, "shouhu: %s\n", list.status().message().c_str());
    return 1;
  }
  json tokens = json::array();
  for (const TokenInfo& t : *list) tokens.push_back(TokenInfoJson(t));
  return PrintResult(args, {{"tokens", tokens}}, RenderList);
}

}  // namespace

int RunTokenCommand(int argc, char** argv) {
  ClientArgs args;
  if (!ParseClientArgs(argc, argv, {"user", "ttl", "label", "data-dir"}, {"quiet"}, &args)) {
    return 2;
  }
  if (args.help) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  std::string action = args.positional.empty() ? "" : args.positional[0];
  bool usage_ok = (action == "issue" && args.Has("user")) ||
                  (action == "revoke" && args.positional.size() == 2) || action == "list";
  if (!usage_ok) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  if (args.Has("data-dir")) return Offline(action, args);
  auto client = MakeClient(args);
  if (action == "issue") {
    json body = {{"user", args.Get("user")}, {"ttl", args.Get("ttl", "P90D")},
                 {"label", args.Get("label")}};
    return SendAndPrint(*client, args, "POST", "/api/v1/tokens", body.dump(), {},
                        args.Has("quiet") ? RenderQuiet : RenderIssued);
  }
  if (action == "revoke") {
    return SendAndPrint(*client, args, "DELETE", "/api/v1/tokens/" + UrlEncode(args.positional[1]),
                        "", {}, RenderRevoked);
  }
  return SendAndPrint(*client, args, "GET", "/api/v1/tokens", "", {}, RenderList);
}

}  // namespace shouhu::cli
