// The request pipeline: rate limit, route, authenticate, handle, count.
// Also the service routes (health, readiness, metrics, OpenAPI, whoami).
#include "api/api_service.h"

#include <future>
#include <memory>

#include "api/errors.h"
#include "api/policy.h"

namespace shouhu::api {

using nlohmann::json;

namespace {

// The web app's paths: GET and HEAD outside the API and the probes.
bool IsAppPath(const HttpRequest& request) {
  if (request.method != "GET" && request.method != "HEAD") return false;
  const std::string& p = request.path;
  return p.rfind("/api/", 0) != 0 && p != "/api" && p != "/healthz" && p != "/readyz" &&
         p != "/metrics";
}

bool IsWrite(const std::string& method) {
  return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

}  // namespace

ApiService::ApiService(ApiDeps deps, ApiOptions options)
    : deps_(deps),
      async_(AsyncCommandsOf(deps.runtime)),
      options_(options),
      limiter_(options.rate_per_second, options.rate_burst),
      credentials_(CredentialsPathBeside(deps.tokens.path())),
      sessions_(options.sessions),
      sign_in_(options.sign_in),
      static_files_(options.web_root),
      files_(deps.store, deps.clock, options.attachments) {
  AddServiceRoutes();
  AddCaseRoutes();
  AddListRoutes();
  AddInfoRoutes();
  AddRegisterRoutes();
  AddRosterRoutes();
  AddExportRoutes();
  AddReportRoutes();
  AddAdminRoutes();
  AddSessionRoutes();
  AddDirectoryRoutes();
  AddAttachmentRoutes();
  AddKeyRoutes();
  if (deps_.simulated_clock) AddClockRoutes();
  AddBackupRoutes();
  AddOrgRoutes();
}

HttpResponse ApiService::Handle(const HttpRequest& request) {
  // Shared with the callback: it may still be setting the value when this
  // thread, woken, returns.
  auto answer = std::make_shared<std::promise<HttpResponse>>();
  auto response = answer->get_future();
  HandleAsync(request, [answer](HttpResponse r) { answer->set_value(std::move(r)); });
  return response.get();
}

void ApiService::HandleAsync(const HttpRequest& request, Respond respond) {
  const auto started = std::chrono::steady_clock::now();
  std::string route_name = "unmatched";
  // Counts the response in /metrics and sends it, once: a handler that
  // throws after it answered is not answered again.
  struct Answer {
    ApiService* service;
    std::chrono::steady_clock::time_point started;
    Respond respond;
    std::atomic<bool> sent{false};
    void operator()(const std::string& route, HttpResponse response) {
      if (sent.exchange(true)) return;
      service->metrics_.Record(route, response.status,
                               std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::steady_clock::now() - started));
      respond(std::move(response));
    }
  };
  // Braced, not make_shared: clang 14 has no parenthesised aggregate init.
  std::shared_ptr<Answer> answer(new Answer{this, started, std::move(respond)});
  HttpResponse response;
  try {
    // The client is its token's id when it sends one, else its address.
    std::string client = request.Header("authorization");
    client = client.rfind("Bearer shh_", 0) == 0 && client.size() >= 23
                 ? "token " + client.substr(11, 12)
                 : "address " + request.RemoteAddress();
    RouteMatch match;
    Router::Result found = router_.Match(request.method, request.path, &match);
    if (found == Router::Result::kFound) route_name = match.route->name;
    bool is_probe = route_name == "healthz" || route_name == "readyz" ||
                    route_name == "metrics";
    if (!is_probe && !limiter_.Allow(client, deps_.clock.Steady())) {
      response = ErrorResponse(429, kRateLimited,
                               "too many requests from this client; slow down");
    } else if (found == Router::Result::kNoPath && IsAppPath(request)) {
      route_name = "static";
      response = static_files_.Serve(request.path);
    } else if (found == Router::Result::kNoPath) {
      response = ErrorResponse(404, kNotFound, "no route " + request.path);
    } else if (found == Router::Result::kWrongMethod) {
      response = ErrorResponse(405, kMethodNotAllowed,
                               request.method + " is not allowed on " + request.path);
    } else if (match.route->async_handler) {
      match.route->async_handler(request, match,
                                 [answer, route_name](HttpResponse r) {
                                   (*answer)(route_name, std::move(r));
                                 });
      return;
    } else {
      response = match.route->handler(request, match);
    }
  } catch (const std::exception& e) {
    response = ErrorResponse(500, kInternal, std::string("internal error: ") + e.what());
  }
  (*answer)(route_name, std::move(response));
}

std::optional<Principal> ApiService::Authenticate(const HttpRequest& request,
                                                  HttpResponse* error) {
  std::string header = request.Header("authorization");
  if (header.empty()) {
    std::string secret = request.Cookie(kSessionCookie);
    if (!secret.empty()) return SessionPrincipal(request, secret, error);
  }
  constexpr std::string_view kBearer = "Bearer ";
  if (header.compare(0, kBearer.size(), kBearer) != 0) {
    *error = ErrorResponse(401, kUnauthenticated,
                           "sign in, or send Authorization: Bearer <token> (issue one "
                           "with `shouhu token issue`)");
    return std::nullopt;
  }
  auto info = deps_.tokens.Verify(std::string_view(header).substr(kBearer.size()),
                                  deps_.clock.Now());
  if (!info.ok()) {
    *error = ErrorResponse(401, kUnauthenticated, info.status().message());
    return std::nullopt;
  }
  auto org = deps_.orgs.Current();
  const User* user = org->FindUser(info->user);
  if (!user || !user->active) {
    *error = ErrorResponse(401, kUnauthenticated,
                           "the token's user \"" + info->user +
                               "\" is not in the organisation any more (用户已停用)");
    return std::nullopt;
  }
  Principal p;
  p.org = std::move(org);
  p.user = user;
  p.token_id = info->id;
  p.actor = {user->id, user->unit, user->roles, request.remote};
  return p;
}

std::optional<Principal> ApiService::SessionPrincipal(const HttpRequest& request,
                                                      const std::string& secret,
                                                      HttpResponse* error) {
  auto session = sessions_.Touch(secret, deps_.clock.Now());
  if (!session) {
    *error = ErrorResponse(401, kUnauthenticated,
                           "the session has ended; sign in again (会话已结束，请重新登录)");
    return std::nullopt;
  }
  // A cross-site page can make the browser send the cookie but cannot read
  // the token to put in the header (SameSite=Strict is the first defence).
  if (IsWrite(request.method) &&
      !ConstantTimeEquals(request.Header("x-csrf-token"), session->csrf)) {
    *error = ErrorResponse(403, kCsrf,
                           "a write from a signed-in browser needs the X-CSRF-Token "
                           "header of its session");
    return std::nullopt;
  }
  auto org = deps_.orgs.Current();
  const User* user = org->FindUser(session->user);
  if (!user || !user->active) {
    sessions_.End(session->id);
    *error = ErrorResponse(401, kUnauthenticated,
                           "the session's user is not in the organisation any more (用户已停用)");
    return std::nullopt;
  }
  Principal p;
  p.org = std::move(org);
  p.user = user;
  p.auth = "session";
  p.session_id = session->id;
  p.csrf = session->csrf;
  p.actor = {user->id, user->unit, user->roles, request.remote};
  return p;
}

Status ApiService::AuditAuth(const Actor& actor, std::string action) {
  return deps_.runtime.RecordAccess({actor, std::move(action), "", ""});
}

json ApiService::MeJson(const Principal& who) const {
  const Unit* unit = who.org->FindUnit(who.user->unit);
  return {{"id", who.user->id},
          {"name", who.user->name},
          {"unit", who.user->unit},
          {"unit_name",
           unit ? json{{"zh", unit->name.zh}, {"en", unit->name.en}} : json(nullptr)},
          {"roles", who.user->roles},
          {"token_id", who.token_id},
          {"time_zone", who.org->time_zone()},
          {"capabilities", deps_.access.NamesOf(*who.user)},
          {"auth", who.auth}};
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

void ApiService::AddAuthedAsync(std::string method, std::string pattern, std::string name,
                                AuthedAsync handler) {
  router_.AddAsync(std::move(method), std::move(pattern), std::move(name),
                   [this, handler = std::move(handler)](const HttpRequest& request,
                                                        const RouteMatch& match,
                                                        Respond respond) {
                     HttpResponse error;
                     auto who = Authenticate(request, &error);
                     if (!who) return respond(std::move(error));
                     handler(request, match, *who, std::move(respond));
                   });
}

EngineGauges ApiService::Gauges() {
  EngineGauges g;
  g.commits = deps_.store.Stats().commits;
  g.timers_in_memory = deps_.runtime.TimersInMemory();
  g.timers_fired = timers_fired_.load();
  // Read from the store's indexes, each count bounded (shouhu/queue_gauges.h).
  if (auto queues = CountQueues(deps_.store, deps_.clock.Now()); queues.ok()) {
    g.queues = *queues;
  }
  return g;
}

void ApiService::AddServiceRoutes() {
  // The probes answer HEAD like GET (monitoring tools use it); the server
  // sends HEAD's headers without the body.
  auto probe = [this](std::string pattern, std::string name, RouteHandler handler) {
    router_.Add("GET", pattern, name, handler);
    router_.Add("HEAD", std::move(pattern), std::move(name), std::move(handler));
  };
  probe("/healthz", "healthz", [](const HttpRequest&, const RouteMatch&) {
    return JsonResponse(200, {{"status", "ok"}});
  });
  probe("/readyz", "readyz", [this](const HttpRequest&, const RouteMatch&) {
    if (!ready_.load()) {
      return ErrorResponse(503, kUnavailable, "not ready (starting or stopping)");
    }
    // Reads go on while the store cannot write, but a case cannot be filed.
    if (Status writable = deps_.store.WriteHealth(); !writable.ok()) {
      return ErrorResponse(503, kUnavailable, "storage cannot write: " + writable.message());
    }
    return JsonResponse(200, {{"status", "ready"}});
  });
  probe("/metrics", "metrics", [this](const HttpRequest&, const RouteMatch&) {
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
              return JsonResponse(200, MeJson(who));
            });
}

}  // namespace shouhu::api
