// Parsing of bodies, idempotency keys and paging parameters.
#include "api/request_helpers.h"

#include <algorithm>

#include <openssl/rand.h>

#include "api/errors.h"
#include "shouhu/json_parse.h"

namespace shouhu::api {

using nlohmann::json;

std::optional<json> ObjectBody(const HttpRequest& request, HttpResponse* error) {
  StatusOr<json> body = ParseJson(request.body, kMaxRequestJsonDepth);
  if (!body.ok()) {
    // The parser's reason: where the syntax broke, or the nesting limit.
    *error = ErrorResponse(400, kMalformed,
                           "the body must be a JSON object; " + body.status().message());
    return std::nullopt;
  }
  if (!body->is_object()) {
    *error = ErrorResponse(400, kMalformed, "the body must be a JSON object");
    return std::nullopt;
  }
  return std::move(body).value();
}

std::string RandomId(size_t bytes) {
  std::string raw(bytes, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes));
  static const char* kDigits = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : raw) {
    hex.push_back(kDigits[c >> 4]);
    hex.push_back(kDigits[c & 15]);
  }
  return hex;
}

std::optional<std::string> RequestId(const HttpRequest& request,
                                     const Principal& who, HttpResponse* error) {
  std::string key = request.Header("idempotency-key");
  if (key.empty()) return "api/auto/" + RandomId(12);
  bool printable = key.size() <= 100 &&
                   std::all_of(key.begin(), key.end(),
                               [](char c) { return c > 0x20 && c < 0x7f; });
  if (!printable) {
    *error = ErrorResponse(400, kMalformed,
                           "Idempotency-Key must be 1 to 100 printable ASCII "
                           "characters");
    return std::nullopt;
  }
  // Scoped to the user, so two clients choosing the same key never collide.
  return "api/" + who.actor.user + "/" + key;
}

std::optional<Page> PageOf(const HttpRequest& request, HttpResponse* error) {
  Page page;
  page.after = request.Query("after");
  std::string limit = request.Query("limit");
  if (!limit.empty()) {
    size_t used = 0;
    int n = 0;
    try {
      n = std::stoi(limit, &used);
    } catch (...) {
      used = 0;
    }
    if (used != limit.size() || n < 1 || n > 200) {
      *error = ErrorResponse(400, kMalformed, "limit must be an integer from 1 to 200");
      return std::nullopt;
    }
    page.limit = n;
  }
  return page;
}

std::optional<std::string> StringMember(const json& body, const std::string& name,
                                        HttpResponse* error) {
  if (!body.contains(name)) return std::string();
  if (!body[name].is_string()) {
    *error = ErrorResponse(422, kInvalidData, "\"" + name + "\" must be a string");
    return std::nullopt;
  }
  return body[name].get<std::string>();
}

Policy PolicyOf(const ApiDeps& deps, const Principal& who) {
  Runtime& runtime = deps.runtime;
  return Policy(deps.access, *who.org, *who.user,
                [&runtime](const std::string& id) -> std::optional<CaseRecord> {
                  auto c = runtime.GetCase(id);
                  if (!c.ok()) return std::nullopt;
                  return std::move(*c);
                });
}

HttpResponse CaseNotFound(const std::string& id) {
  return ErrorResponse(404, kNotFound, "no case \"" + id + "\"");
}

HttpResponse ChildNotFound(const std::string& id) {
  return ErrorResponse(404, kNotFound, "no child \"" + id + "\"");
}

std::vector<std::string> UnitsInReach(const ApiDeps& deps, const Policy& policy, Capability c,
                                      const std::string& within) {
  std::vector<std::string> out;
  for (const Unit& u : policy.org().units()) {
    if (policy.CanIn(c, u.id) && (within.empty() || policy.org().InSubtree(u.id, within))) {
      out.push_back(u.id);
    }
  }
  return out;
}

HttpResponse RefusedRead(const ApiDeps& deps, const Principal& who, const std::string& action,
                         HttpResponse refusal, const std::string& case_id,
                         const std::string& child_id) {
  Status audited =
      deps.runtime.RecordAccess({who.actor, action + ".refused", case_id, child_id});
  return audited.ok() ? refusal : StatusResponse(audited);
}

}  // namespace shouhu::api
