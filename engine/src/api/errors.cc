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
    case StatusCode::kInvalidArgument: {
      HttpResponse r = ErrorResponse(422, kInvalidData, status.message());
      // Each line naming a field ("field \"x\" ...", the runtime lists every
      // problem at once) also goes to "fields": field -> its problems.
      nlohmann::json fields = nlohmann::json::object();
      const std::string& m = status.message();
      for (size_t start = 0; start < m.size();) {
        size_t end = m.find('\n', start);
        if (end == std::string::npos) end = m.size();
        std::string_view line(m.data() + start, end - start);
        if (line.starts_with("field \"")) {
          size_t close = line.find('"', 7);
          if (close != std::string_view::npos) {
            std::string name(line.substr(7, close - 7));
            std::string text(line);
            fields[name] = fields.contains(name)
                               ? fields[name].get<std::string>() + "; " + text
                               : text;
          }
        }
        start = end + 1;
      }
      if (fields.empty()) return r;
      return JsonResponse(422, {{"error",
                                 {{"code", std::string(kInvalidData)},
                                  {"message", m},
                                  {"fields", std::move(fields)}}}});
    }
    case StatusCode::kUnavailable:
      return ErrorResponse(503, kUnavailable, status.message());
    case StatusCode::kInternal:
      break;
  }
  return ErrorResponse(500, kInternal, status.message());
}

}  // namespace shouhu::api
