// `shouhu key rotate --online`: the data key of a running shouhud rotated
// while it serves, over the admin API (users.admin): the daemon reads the new
// key file itself, re-encrypts in the background, and this command follows
// it until it is done.
#include <cstdio>
#include <filesystem>

#include "cli/admin.h"
#include "cli/client.h"

namespace shouhu::cli {
namespace {

using nlohmann::json;

void RenderProgress(const json& p) {
  if (p.value("rotating", false)) {
    std::printf("rotating 轮换中: key %s -> %s (%s), %lld record(s) re-encrypted so far\n",
                p.value("from", "").c_str(), p.value("key", "").c_str(),
                p.value("key_file", "").c_str(), p.value("resealed", 0LL));
  } else {
    std::printf("encrypted under key 加密密钥 %s\n", p.value("key", "").c_str());
  }
}

}  // namespace

int KeyRotateOnline(const ClientArgs& args) {
  if (int missing = RequireOptions(args, {"new-key"})) return missing;
  std::error_code ec;
  const std::string file = std::filesystem::absolute(args.Get("new-key"), ec).string();
  auto client = MakeClient(args);
  HttpReply begun = client->Send("POST", "/api/v1/key/rotation",
                                 json{{"new_key_file", file}}.dump(), {});
  if (begun.status != 202 || args.Has("no-wait")) {
    return PrintReply(*client, args, begun, RenderProgress);
  }
  RenderProgress(json::parse(begun.body, nullptr, false));
  // Followed until done, each request waiting (up to 20 s) for the next
  // batch; the daemon goes on by itself if this is stopped.
  long long shown = -1;
  for (;;) {
    HttpReply now = client->Send(
        "GET", "/api/v1/key?after=" + std::to_string(shown < 0 ? 0 : shown) + "&wait=PT20S", "",
        {});
    json p = json::parse(now.body, nullptr, false);
    if (now.status != 200 || !p.is_object()) return PrintReply(*client, args, now, RenderProgress);
    if (!p.value("rotating", false)) {
      std::printf("ok: every record is re-encrypted under key %s; point \"encryption\" at %s "
                  "(the old key is no longer needed, except for older backups)\n",
                  p.value("key", "").c_str(), file.c_str());
      return 0;
    }
    if (p.value("resealed", 0LL) != shown) {
      shown = p.value("resealed", 0LL);
      RenderProgress(p);
    }
  }
}

}  // namespace shouhu::cli
