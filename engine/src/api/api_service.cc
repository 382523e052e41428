// The request pipeline: rate limit, route, authenticate, handle, count.
// Also the service routes (health, readiness, metrics, OpenAPI, whoami).
#include "api/api_service.h"

#include "api/errors.h"
#include "api/policy.h"

namespace shouhu::api {

using nlohmann::json;

ApiService::ApiService(ApiDeps deps, ApiOptions options)
    : deps_(deps),
      options_(options),
      limiter_(options.rate_per_second, options.rate_burst) {
  AddServiceRoutes();
  AddCaseRoutes();
  AddListRoutes();
  AddInfoRoutes();
  AddAdminRoutes();
}

HttpResponse ApiService::Handle(const HttpRequest& request) {
  auto started = std::chrono::steady_clock::now();
  std::string route_name = "unmatched";
  HttpResponse response;
  try {
    // The client is its token's id when it sends one, else its address.
    std::string client = request.Header("authorization");
    client = client.rfind("Bearer shh_", 0) == 0 && client.size() >= 23
                 ? "token " + client.substr(11, 12)
                 : "address " + request.remote.substr(0, request.remote.rfind(':'));
    RouteMatch match;
    Router::Result found = router_.Match(request.method, request.path, &match);
    if (found == Router::Result::kFound) route_name = match.route->name;
    bool is_probe = route_name == "healthz" || route_name == "readyz" ||
                    route_name == "metrics";
    if (!is_probe && !limiter_.Allow(client, started)) {
      response = ErrorResponse(429, kRateLimited,
                               "too many requests from this client; slow down");
    } else if (found == Router::Result::kNoPath) {
      response = ErrorResponse(404, kNotFound, "no route " + request.path);
    } else if (found == Router::Result::kWrongMethod) {
      response = ErrorResponse(405, kMethodNotAllowed,
                               request.method + " is not allowed on " + request.path);
    } else {
      response = match.route->handler(request, match);
    }
  } catch (const std::exception& e) {
    response = ErrorResponse(500, kInternal, std::string("internal error: ") + e.what());
  }
  metrics_.Record(route_name, response.status,
                  std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::steady_clock::now() - started));
  return response;
}

std::optional<Principal> ApiService::Authenticate(const HttpRequest& request,
                                                  HttpResponse* error) {
  std::string header = request.Header("authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (header.compare(0, kBearer.size(), kBearer) != 0) {
    *error = ErrorResponse(401, kUnauthenticated,
                           "send Authorization: Bearer <token> (issue one with "
                           "`shouhu token issue`)");
    return std::nullopt;
  }
  auto info = deps_.tokens.Verify(std::string_view(header).substr(kBearer.size()),
                                  deps_.clock.Now());
  if (!info.ok()) {
    *error = ErrorResponse(401, kUnauthenticated, info.status().message());
    return std::nullopt;
  }
  const User* user = deps_.org.FindUser(info->user);
  if (!user) {
    *error = ErrorResponse(401, kUnauthenticated,
                           "the token's user \"" + info->user +
                               "\" is not in the organisation any more");
    return std::nullopt;
  }
  Principal p;
  p.user = user;
  p.token_id = info->id;
  p.actor = {user->id, user->unit, user->roles, request.remote};
  return p;
}

void ApiService::AddAuthed(std::string method, std::string pattern,
                           std::string name, Authed handler) {
  router_.Add(std::move(method), std::move(pattern), std::move(name),
              [this, handler = std::move(handler)](const HttpRequest& request,
                                                   const RouteMatch& match) {
                HttpResponse error;
                auto who = Authenticate(request, &error);
                if (!who) return error;
                return handler(request, match, *who);
              });
}

EngineGauges ApiService::Gauges() {
  EngineGauges g;
  g.commits = deps_.store.Stats().commits;
  g.timers_in_memory = deps_.runtime.TimersInMemory();
  g.timers_fired = timers_fired_.load();
  // Bounded counts: a scrape never walks more than 10000 index entries.
  Page page;
  page.limit = 1000;
  for (int i = 0; i < 10; ++i) {
    auto list = deps_.runtime.ListOverdue(page);
    if (!list.ok()) break;
    g.overdue_cases += list->cases.size();
    if (list->next.empty()) break;
    page.after = list->next;
  }
  if (auto outbox = deps_.runtime.Outbox(10'000); outbox.ok()) {
    g.outbox_depth = outbox->size();
  }
  return g;
}

void ApiService::AddServiceRoutes() {
  router_.Add("GET", "/healthz", "healthz", [](const HttpRequest&, const RouteMatch&) {
    return JsonResponse(200, {{"status", "ok"}});
  });
  router_.Add("GET", "/readyz", "readyz", [this](const HttpRequest&, const RouteMatch&) {
    if (!ready_.load()) {
      return ErrorResponse(503, kUnavailable, "not ready (starting or stopping)");
    }
    return JsonResponse(200, {{"status", "ready"}});
  });
  router_.Add("GET", "/metrics", "metrics", [this](const HttpRequest&, const RouteMatch&) {
    HttpResponse r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = metrics_.Render(Gauges());
    return r;
  });
  router_.Add("GET", "/api/v1/openapi.json", "openapi",
              [](const HttpRequest&, const RouteMatch&) {
                HttpResponse r;
                r.body = OpenApiDocument();
                return r;
              });
  AddAuthed("GET", "/api/v1/me", "me",
            [this](const HttpRequest&, const RouteMatch&, const Principal& who) {
              const Unit* unit = deps_.org.FindUnit(who.user->unit);
              return JsonResponse(
                  200, {{"id", who.user->id},
                        {"name", who.user->name},
                        {"unit", who.user->unit},
                        {"unit_name", unit ? json{{"zh", unit->name.zh}, {"en", unit->name.en}}
                                           : json(nullptr)},
                        {"roles", who.user->roles},
                        {"capabilities", deps_.access.NamesOf(*who.user)},
                        {"token_id", who.token_id}});
            });
}

}  // namespace shouhu::api
