// Small helpers the route handlers share: JSON bodies, idempotency keys,
// paging parameters and case look-ups with the caller's view.
//
// Thread safety: stateless functions.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "api/api_service.h"
#include "api/policy.h"

namespace shouhu::api {

// The body as a JSON object, or a 400 response in *error.
std::optional<nlohmann::json> ObjectBody(const HttpRequest& request,
                                         HttpResponse* error);
// The runtime request id for a command: the Idempotency-Key header scoped to
// the caller, or a fresh random id when the client sent none. A malformed
// key gives a 400 in *error.
std::optional<std::string> RequestId(const HttpRequest& request,
                                     const Principal& who, HttpResponse* error);
// ?after=&limit= (limit 1..200, default 50), or a 400 in *error.
std::optional<Page> PageOf(const HttpRequest& request, HttpResponse* error);
// A string member of `body`, or "" when absent; a 422 when present but not a
// string.
std::optional<std::string> StringMember(const nlohmann::json& body,
                                        const std::string& name,
                                        HttpResponse* error);
// The access rules as they apply to the caller (cases looked up in the runtime).
Policy PolicyOf(const ApiDeps& deps, const Principal& who);
// The answer for a case or child that does not exist -- and, so that ids
// cannot be counted, for one outside the caller's reach: the same 404 body.
HttpResponse CaseNotFound(const std::string& id);
HttpResponse ChildNotFound(const std::string& id);
// A refused read (403 or 404), audited like an allowed one: records
// "<action>.refused" and returns `refusal`, or the 503 when the audit record
// cannot be written.
HttpResponse RefusedRead(const ApiDeps& deps, const Principal& who, const std::string& action,
                         HttpResponse refusal, const std::string& case_id = "",
                         const std::string& child_id = "");
// The units where the caller holds `c` (their jurisdiction), within
// `within`'s subtree when it is not "".
std::vector<std::string> UnitsInReach(const ApiDeps& deps, const Policy& policy, Capability c,
                                      const std::string& within);
// What an org.manage holder sees of a user: contacts and whether active
// (org_routes.cc; GET /api/v1/users too).
nlohmann::json ManagedUserJson(const User& u);
// Random hex from OpenSSL.
std::string RandomId(size_t bytes);

}  // namespace shouhu::api
