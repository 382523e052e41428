// Plain HTTP request and response values, so the router, the handlers and
// their tests never see Boost.Beast (only server.cc does).
//
// Thread safety: value types.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace shouhu::api {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // "/api/v1/cases/C1", percent-decoded, no query
  std::map<std::string, std::string> query;    // decoded ?a=b&c=d
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  std::string remote;  // "127.0.0.1:51234"

  // The header's value, or "" when absent. `name` in lower case.
  std::string Header(std::string_view name) const;
  std::string Query(std::string_view name) const;
  // The value of cookie `name` in the Cookie header, or "".
  std::string Cookie(std::string_view name) const;
  // The client's address without its port ("127.0.0.1", "::1").
  std::string RemoteAddress() const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::map<std::string, std::string> headers;
  std::string body;
};

HttpResponse JsonResponse(int status, const nlohmann::json& body);

// Splits "/a/b?x=1&y=%E5%AE%88" into path and decoded query. False when the
// target is not a valid origin-form target (bad percent-encoding, no leading /).
bool ParseTarget(std::string_view target, std::string* path,
                 std::map<std::string, std::string>* query);

}  // namespace shouhu::api
