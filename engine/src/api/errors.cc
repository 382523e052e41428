// JSON error bodies and the mapping from runtime Status to HTTP.
#include "api/errors.h"

namespace shouhu::api {

HttpResponse ErrorResponse(int status, std::string_view code,
                           const std::string& message) {
  HttpResponse r = JsonResponse(
      status, {{"error", {{"code", std::string(code)}, {"message", message}}}});
  if (status == 401) r.headers["WWW-Authenticate"] = "Bearer realm=\"shouhu\"";
  if (status == 429 || status == 503) r.headers["Retry-After"] = "1";
  return r;
}

HttpResponse StatusResponse(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return JsonResponse(200, nlohmann::json::object());
    case StatusCode::kNotFound:
      return ErrorResponse(404, kNotFound, status.message());
    case StatusCode::kPermissionDenied:
      return ErrorResponse(403, kForbidden, status.message());
    case StatusCode::kFailedPrecondition:
    case StatusCode::kAlreadyExists:
      return ErrorResponse(409, kConflict, status.message());
    case StatusCode::kInvalidArgument:
      return ErrorResponse(422, kInvalidData, status.message());
    case StatusCode::kUnavailable:
      return ErrorResponse(503, kUnavailable, status.message());
    case StatusCode::kInternal:
      break;
  }
  return ErrorResponse(500, kInternal, status.message());
}

}  // namespace shouhu::api
