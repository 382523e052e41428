// The API's application layer: authentication, rate limit, routing, and the
// handlers of every /api/v1 route, on plain requests and responses (no
// Beast), so it is tested without sockets and compiles fast.
//
// Thread safety: Handle and HandleAsync are safe from many threads at once
// (the server's workers call them in parallel); the runtime serialises
// commands per case.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include "api/http_message.h"
#include "api/metrics.h"
#include "api/rate_limiter.h"
#include "api/router.h"
#include "api/static_files.h"
#include "auth/credential_store.h"
#include "auth/session_store.h"
#include "auth/sign_in_limiter.h"
#include "auth/token_store.h"
#include "evidence/attachment_store.h"
#include "shouhu/access.h"
#include "shouhu/async_commands.h"
#include "shouhu/backup.h"
#include "shouhu/catalog.h"
#include "shouhu/clock.h"
#include "shouhu/key_rotation.h"
#include "shouhu/org.h"
#include "shouhu/org_directory.h"
#include "shouhu/runtime.h"
#include "shouhu/store.h"

namespace shouhu::api {

struct ApiOptions {
  double rate_per_second = 50;  // per client; 0 = no limit
  double rate_burst = 100;
  // The web app's folder (static_files.h); "" = none.
  std::string web_root;
  // Session cookies get the Secure attribute (set when serving TLS).
  bool secure_cookies = false;
  SessionOptions sessions;
  SignInLimits sign_in;
  evidence::AttachmentLimits attachments;  // evidence files: sizes, counts, chunks
  // Children one helper is paired with at most (帮扶结对), enforced by roster
  // imports; DOMAIN.md: usually 1-2.
  size_t helper_cap = 2;
  BackupOptions backup;                    // online backups (backup_routes.cc)
};

// Everything the handlers use. REQUIRES: all outlive the service. Passwords
// and invitations live in the credentials file beside the tokens file.
struct ApiDeps {
  Runtime& runtime;
  const Catalog& catalog;
  // The organisation: each request reads the one snapshot it authenticated
  // against (Principal::org); administrators change it (org_routes.cc).
  OrganisationDirectory& orgs;
  TokenStore& tokens;
  Store& store;         // for commit counts in /metrics
  const Clock& clock;   // token expiry
  const AccessRules& access;  // who may do and see what
  // The data key's online rotation; null when the store is not encrypted.
  KeyRotationService* key_rotation = nullptr;
  // Simulated time only (tests): the clock POST /api/v1/clock moves.
  FakeClock* simulated_clock = nullptr;
};

// The cookie that holds a browser session's secret (session_routes.cc).
inline constexpr std::string_view kSessionCookie = "shouhu_session";

// The authenticated caller of a request.
struct Principal {
  // The organisation as the request found it: the user and everything the
  // handler looks up come from this one snapshot.
  std::shared_ptr<const Organisation> org;
  const User* user = nullptr;  // in *org
  std::string auth = "token";  // "token" (Bearer) or "session" (cookie)
  std::string token_id;        // for "token"
  std::string session_id;      // for "session"
  std::string csrf;            // for "session": its X-CSRF-Token
  Actor actor;  // user, unit, roles, origin (remote address)
};

class ApiService {
 public:
  ApiService(ApiDeps deps, ApiOptions options);

  // Answers one request. Never throws.
  HttpResponse Handle(const HttpRequest& request);
  // Answers one request through `respond`, exactly once: at once, or for a
  // command on a case, once its commit is durable (from the store's
  // committer thread), without holding this thread meanwhile. Never throws.
  void HandleAsync(const HttpRequest& request, Respond respond);

  // /readyz answers 503 until SetReady(true) and after SetReady(false).
  void SetReady(bool ready) { ready_.store(ready); }
  // Counts timer firings for /metrics (wire to RuntimeOptions::on_timers_fired).
  void CountTimersFired(size_t n) { timers_fired_.fetch_add(n); }
  // Records a response the server made without calling Handle (overload,
  // timeout, too large), so /metrics counts it.
  void CountServerResponse(const std::string& route, int status,
                           std::chrono::microseconds latency) {
    metrics_.Record(route, status, latency);
  }

  const Router& router() const { return router_; }

 private:
  using Authed = std::function<HttpResponse(const HttpRequest&, const RouteMatch&,
                                            const Principal&)>;
  // Adds a route that requires a valid Bearer token or session cookie (with
  // the CSRF header on writes).
  void AddAuthed(std::string method, std::string pattern, std::string name,
                 Authed handler);
  using AuthedAsync = std::function<void(const HttpRequest&, const RouteMatch&,
                                         const Principal&, Respond)>;
  // The same for a handler that answers through Respond (router.h).
  void AddAuthedAsync(std::string method, std::string pattern, std::string name,
                      AuthedAsync handler);
  std::optional<Principal> Authenticate(const HttpRequest& request,
                                        HttpResponse* error);
  // The cookie's session, CSRF-checked for writes; nullopt with a 401 or
  // 403 in *error.
  std::optional<Principal> SessionPrincipal(const HttpRequest& request,
                                            const std::string& secret,
                                            HttpResponse* error);
  // GET /api/v1/me's body.
  nlohmann::json MeJson(const Principal& who) const;
  // One audit record of a sign-in event (no case, no child).
  Status AuditAuth(const Actor& actor, std::string action);

  void AddServiceRoutes();  // health, readiness, metrics, OpenAPI, me
  void AddCaseRoutes();     // case_routes.cc
  void AddListRoutes();     // list_routes.cc
  void AddAdminRoutes();    // admin_routes.cc: tokens, users, dead letters
  void AddInfoRoutes();     // info_routes.cc: workflows, children
  void AddRegisterRoutes();  // register_routes.cc: search, create, merge children
  void AddRosterRoutes();    // roster_routes.cc: roster preview and import
  void AddExportRoutes();    // export_routes.cc: the register and case lists as .xlsx, .csv
  void AddSessionRoutes();  // session_routes.cc: sign-in, sessions, invitations
  void AddDirectoryRoutes();  // directory_routes.cc: units, people, stats
  void AddAttachmentRoutes();  // attachment_routes.cc: uploads, files of a case
  void AddKeyRoutes();         // key_routes.cc: the data key's online rotation
  void AddClockRoutes();       // clock_routes.cc: simulated time (tests only)
  void AddBackupRoutes();      // backup_routes.cc: online backups
  void AddOrgRoutes();         // org_routes.cc: units and users changed at run time
  void AddReportRoutes();      // report_routes.cc: reports, their exports, spot checks

  // Whether the caller files, acts on or works cases somewhere (and so may
  // upload evidence).
  bool MayHandleFiles(const Principal& who) const;
  // The records of the caller's finished uploads named by `ids` (a list of
  // ids), at most `max` (0: the configured limit); nullopt with a 422 naming
  // `field` in *error when one is not the caller's finished upload.
  std::optional<nlohmann::json> ResolveFiles(const Principal& who, const nlohmann::json& ids,
                                             const std::string& field, size_t max,
                                             HttpResponse* error);
  // Replaces the ids in `data`'s attachment fields (workflow `w`) by the
  // files' records (id, SHA-256, kind, size, name). False with the error.
  bool ResolveFileFields(const Workflow* w, const Principal& who, nlohmann::json* data,
                         HttpResponse* error);

  EngineGauges Gauges();

  ApiDeps deps_;
  AsyncCommands* async_;  // the runtime's, or null: commands then wait
  ApiOptions options_;
  Router router_;
  Metrics metrics_;
  RateLimiter limiter_;
  CredentialStore credentials_;
  SessionStore sessions_;
  SignInLimiter sign_in_;
  StaticFiles static_files_;
  evidence::AttachmentStore files_;
  std::atomic<bool> ready_{false};
  std::atomic<uint64_t> timers_fired_{0};
};

// The OpenAPI document (openapi.json, embedded at build time).
const std::string& OpenApiDocument();

}  // namespace shouhu::api
