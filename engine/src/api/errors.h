// The API's errors: stable codes, their HTTP statuses, and the JSON body
// {"error": {"code": "...", "message": "..."}}.
//
// Thread safety: stateless functions.
#pragma once

#include <string>
#include <string_view>

#include "api/http_message.h"
#include "shouhu/status.h"

namespace shouhu::api {

// The stable codes clients may switch on (documented in openapi.json).
inline constexpr std::string_view kMalformed = "malformed";          // 400
inline constexpr std::string_view kUnauthenticated = "unauthenticated";  // 401
inline constexpr std::string_view kForbidden = "forbidden";          // 403
inline constexpr std::string_view kCsrf = "csrf";  // 403: cookie write without its CSRF token
inline constexpr std::string_view kNotFound = "not_found";           // 404
inline constexpr std::string_view kMethodNotAllowed = "method_not_allowed";  // 405
inline constexpr std::string_view kConflict = "conflict";            // 409
inline constexpr std::string_view kExpired = "expired";              // 410
inline constexpr std::string_view kTooLarge = "too_large";           // 413
inline constexpr std::string_view kInvalidData = "invalid_data";     // 422
inline constexpr std::string_view kRateLimited = "rate_limited";     // 429
inline constexpr std::string_view kInternal = "internal";            // 500
inline constexpr std::string_view kUnavailable = "unavailable";      // 503
inline constexpr std::string_view kTimeout = "timeout";              // 503
inline constexpr std::string_view kOverloaded = "overloaded";        // 503

HttpResponse ErrorResponse(int status, std::string_view code,
                           const std::string& message);

// Maps a runtime Status: NotFound 404, PermissionDenied 403,
// FailedPrecondition (wrong state, guard, version conflict, reused request id)
// 409, InvalidArgument 422, Unavailable 503 (with Retry-After), else 500.
HttpResponse StatusResponse(const Status& status);

}  // namespace shouhu::api
