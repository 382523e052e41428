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
// Sends the response; called exactly once, from any thread.
using Respond = std::function<void(HttpResponse)>;
// A handler that answers later (once a command's commit is durable) through
// `respond`, without holding the calling thread meanwhile. REQUIRES: it
// keeps no reference to the request or the match past its return.
using AsyncRouteHandler =
    std::function<void(const HttpRequest&, const RouteMatch&, Respond respond)>;

struct Route {
  std::string method;   // "GET", "POST", "DELETE"
  std::string pattern;  // "/api/v1/cases/{id}/events", as in openapi.json
  std::string name;     // metrics label, e.g. "cases.fire"
  RouteHandler handler;         // one of these two is set
  AsyncRouteHandler async_handler;
  std::vector<std::string> segments;  // SplitPath(pattern), split once
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
  void AddAsync(std::string method, std::string pattern, std::string name,
                AsyncRouteHandler handler);

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
