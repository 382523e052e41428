// The data key (数据密钥): its online rotation (administrators), as
// `shouhu key rotate --online` drives it. The daemon reads the new key file
// itself, so the key never travels over the API; the request names the file.
#include <cstdlib>

#include "api/api_service.h"
#include "api/errors.h"
#include "api/request_helpers.h"
#include "shouhu/key_rotation.h"

namespace shouhu::api {
namespace {

using nlohmann::json;

json ProgressJson(const RotationProgress& p) {
  json out = {{"key", DataKeyIdText(p.key_id)}, {"rotating", p.rotating},
              {"resealed", p.resealed}};
  if (p.rotating) {
    out["from"] = DataKeyIdText(p.from);
    out["key_file"] = p.key_file;
  }
  return out;
}

}  // namespace

void ApiService::AddKeyRoutes() {
  auto refused = [](const char* why) { return ErrorResponse(403, kForbidden, why); };
  auto unencrypted = [] {
    return ErrorResponse(409, kConflict,
                         "the store is not encrypted (\"encryption\": {\"none\": ...}); "
                         "encrypt it offline with `shouhu key rotate --from-clear`");
  };
  // ?after=N&wait=PT20S: a long poll for a client following the rotation;
  // answers once more than N records are re-sealed, the rotation ends, or
  // the wait (at most 30 s) is over.
  AddAuthed("GET", "/api/v1/key", "key.show",
            [=, this](const HttpRequest& req, const RouteMatch&, const Principal& who) {
              if (!PolicyOf(deps_, who).Can(Capability::kUsersAdmin)) {
                return refused("only users.admin sees the data key's state");
              }
              if (!deps_.key_rotation) return unencrypted();
              const std::string after = req.Query("after"), wait = req.Query("wait");
              if (after.empty() && wait.empty()) {
                return JsonResponse(200, ProgressJson(deps_.key_rotation->Progress()));
              }
              char* end = nullptr;
              unsigned long long seen = std::strtoull(after.c_str(), &end, 10);
              auto limit = ParseDuration(wait);
              if (after.empty() || *end != '\0' || !limit.ok() || limit->years ||
                  limit->months || limit->days || limit->seconds > 30) {
                return ErrorResponse(400, kMalformed,
                                     "after=<records re-sealed>&wait=<ISO 8601 duration of at "
                                     "most PT30S>, both or neither");
              }
              return JsonResponse(200, ProgressJson(deps_.key_rotation->AwaitProgress(
                                           seen, std::chrono::seconds(limit->seconds))));
            });

  AddAuthed("POST", "/api/v1/key/rotation", "key.rotate",
            [=, this](const HttpRequest& req, const RouteMatch&, const Principal& who) {
              if (!PolicyOf(deps_, who).Can(Capability::kUsersAdmin)) {
                return refused("only users.admin rotates the data key");
              }
              if (!deps_.key_rotation) return unencrypted();
              HttpResponse error;
              auto body = ObjectBody(req, &error);
              if (!body) return error;
              auto file = StringMember(*body, "new_key_file", &error);
              if (!file) return error;
              if (file->empty() || file->front() != '/') {
                return ErrorResponse(422, kInvalidData,
                                     "new_key_file must be an absolute path on the "
                                     "daemon's machine (made by `shouhu key init`)");
              }
              auto begun = deps_.key_rotation->Begin(*file, who.actor);
              if (!begun.ok()) {
                // A key file the daemon cannot use is the request's fault.
                Status s = begun.status();
                if (s.code() == StatusCode::kNotFound ||
                    s.code() == StatusCode::kPermissionDenied) {
                  return ErrorResponse(422, kInvalidData, s.message());
                }
                return StatusResponse(s);
              }
              return JsonResponse(202, ProgressJson(*begun));
            });
}

}  // namespace shouhu::api
