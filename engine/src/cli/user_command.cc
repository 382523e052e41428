// `shouhu user invite`: a one-time setup code with which a user sets their
// password, through a running daemon's admin API or offline on the data
// directory (--data-dir) — how the first administrator signs in to the web
// app before anyone could invite them.
#include <cstdio>

#include "auth/credential_store.h"
#include "auth/token_store.h"
#include "cli/client.h"
#include "shouhu/clock.h"

namespace shouhu::cli {
namespace {

using nlohmann::json;

constexpr const char* kUsage =
    "usage: shouhu user invite --user USER [--ttl P3D] [--quiet]\n"
    "\n"
    "A one-time setup code (邀请码) with which USER sets a password in the web\n"
    "app; valid for --ttl (default 3 days), once. A new code for the same user\n"
    "voids the earlier one; using it replaces the user's password and ends\n"
    "their sessions. Through the running daemon (an administrator's --token),\n"
    "or offline with --data-dir DIR, writing DIR/credentials.json (hashes\n"
    "only) directly. The code is shown once; --quiet prints only the code.\n"
    "\n"
    "  --data-dir DIR  work offline on this data directory\n"
    "  --server, --token, --cacert, --insecure, --json  as for other commands\n"
    "\n"
    "Adding, changing and deactivating users: `shouhu user add --help`.\n";

void RenderInvitation(const json& i) {
  std::printf("code     %s\nuser     %s\nexpires  %s\n", i.value("code", "").c_str(),
              i.value("user", "").c_str(), i.value("expires_at", "").c_str());
}
void RenderQuiet(const json& i) { std::printf("%s\n", i.value("code", "").c_str()); }

}  // namespace

int RunUserCommand(int argc, char** argv) {
  // add, set, deactivate, activate: org_command.cc.
  if (argc > 0 && std::string(argv[0]) != "invite" && argv[0][0] != '-') {
    return RunUserOrgCommand(argc, argv);
  }
  ClientArgs args;
  if (!ParseClientArgs(argc, argv, {"user", "ttl", "data-dir"}, {"quiet"}, &args)) return 2;
  if (args.help) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  std::string action = args.positional.empty() ? "" : args.positional[0];
  if (action != "invite" || !args.Has("user") || args.positional.size() != 1) {
    std::fputs(kUsage, stderr);
    return 2;
  }
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
    std::fprintf(stderr, "shouhu: --ttl must be an ISO 8601 duration such as P3D\n");
    return 2;
  }
  CredentialStore store(CredentialsPathBeside(TokensPathFor(args.Get("data-dir"))));
  auto issued = store.Invite(args.Get("user"), *ttl, "cli", now);
  if (!issued.ok()) {
    std::fprintf(stderr, "shouhu: %s\n", issued.status().message().c_str());
    return 1;
  }
  return PrintResult(args,
                     {{"user", issued->info.user},
                      {"id", issued->info.id},
                      {"code", issued->code},
                      {"expires_at", FormatInstant(issued->info.expires_at)}},
                     render);
}

}  // namespace shouhu::cli
