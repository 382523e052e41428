// The router: routes as (method, path pattern) with {name} segments, matched
// against plain requests. The route table is also what the OpenAPI test
// compares with openapi.json.
//
// Thread safety: Add before serving; Match is then safe from many threads.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "api/http_message.h"

namespace shouhu::api {

struct RouteMatch;
using RouteHandler = std::function<HttpResponse(const HttpRequest&,
                                                const RouteMatch&)>;

struct Route {
  std::string method;   // "GET", "POST", "DELETE"
  std::string pattern;  // "/api/v1/cases/{id}/events", as in openapi.json
  std::string name;     // metrics label, e.g. "cases.fire"
  RouteHandler handler;
};

struct RouteMatch {
  const Route* route = nullptr;
  std::map<std::string, std::string> params;  // {id} -> "C1"
  std::string Param(const std::string& name) const;
};

class Router {
 public:
  void Add(std::string method, std::string pattern, std::string name,
           RouteHandler handler);

  enum class Result { kFound, kNoPath, kWrongMethod };
  // Finds the route for the request's method and path.
  Result Match(const std::string& method, const std::string& path,
               RouteMatch* out) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

// "/a/{id}/b" -> {"a", "{id}", "b"}.
std::vector<std::string> SplitPath(const std::string& path);

}  // namespace shouhu::api
