// Sign-in with a user id or phone and a password, browser sessions, their
// administration, and invitations (one-time setup codes) to set a password.
// Every sign-in, failed or refused attempt, sign-out and session ended by an
// administrator is one audit record (action "auth.*"); an attempt whose
// record cannot be written is refused with 503, like an audited read.
#include <cmath>

#include "api/api_service.h"
#include "api/errors.h"
#include "api/policy.h"
#include "api/request_helpers.h"

namespace shouhu::api {
namespace {

using nlohmann::json;

// The same answer for an unknown login and a wrong password.
constexpr const char* kWrongLogin = "用户名或密码错误 / wrong user or password";

std::string CookieAttributes(bool secure) {
  return std::string("; Path=/; HttpOnly; SameSite=Strict") + (secure ? "; Secure" : "");
}

std::string IsoDuration(std::chrono::milliseconds d) {
  Duration iso;
  iso.seconds = std::chrono::duration_cast<std::chrono::seconds>(d).count();
  return iso.ToString();
}

HttpResponse LockedResponse(std::chrono::milliseconds wait) {
  auto seconds = static_cast<long long>(std::ceil(wait.count() / 1000.0));
  long long minutes = (seconds + 59) / 60;
  HttpResponse r = ErrorResponse(
      429, kRateLimited,
      "登录失败次数过多，请" + std::to_string(minutes) + "分钟后再试 / too many failed "
      "attempts; try again in " + std::to_string(seconds) + " s");
  r.headers["Retry-After"] = std::to_string(seconds);
  return r;
}

json SessionJson(const Session& s) {
  return {{"id", s.id},
          {"user", s.user},
          {"created_at", FormatInstant(s.created_at)},
          {"last_seen_at", FormatInstant(s.last_seen_at)},
          {"origin", s.origin}};
}

}  // namespace

void ApiService::AddSessionRoutes() {
  auto session_body = [this](const Principal& who) {
    return json{{"user", MeJson(who)},
                {"csrf_token", who.csrf},
                {"idle_timeout", IsoDuration(sessions_.options().idle)}};
  };

  router_.Add("POST", "/api/v1/session", "session.create",
              [this, session_body](const HttpRequest& req, const RouteMatch&) {
    HttpResponse error;
    auto body = ObjectBody(req, &error);
    if (!body) return error;
    auto login = StringMember(*body, "login", &error);
    auto password = StringMember(*body, "password", &error);
    if (!login || !password) return error;
    if (login->empty() || password->empty() || login->size() > 200) {
      return ErrorResponse(422, kInvalidData, "give a login (user id or phone) and a password");
    }
    Instant now = deps_.clock.Now();
    auto org = deps_.orgs.Current();
    const User* user = org->FindUser(*login);
    if (!user) user = org->FindUserByPhone(*login);
    // A deactivated user is answered as a wrong password is.
    if (user && !user->active) user = nullptr;
    // Guesses at logins nobody has are limited too, under the login itself.
    std::string account = user ? user->id : "login:" + *login;
    std::string address = req.RemoteAddress();
    Actor actor{user ? user->id : "", user ? user->unit : "", {}, req.remote};
    if (user) actor.roles = user->roles;
    auto wait = sign_in_.WaitFor(account, address, now);
    if (wait.count() > 0) {
      Status audited = AuditAuth(actor, "auth.sign_in_refused");
      if (!audited.ok()) return StatusResponse(audited);
      return LockedResponse(wait);
    }
    // Checked even for an unknown login (against a dummy hash): the answer
    // takes as long either way.
    bool ok = credentials_.VerifyPassword(user ? user->id : "", *password);
    if (!ok) {
      sign_in_.Failed(account, address, now);
      Status audited = AuditAuth(actor, "auth.sign_in_failed");
      if (!audited.ok()) return StatusResponse(audited);
      return ErrorResponse(401, kUnauthenticated, kWrongLogin);
    }
    sign_in_.Succeeded(account);
    Status audited = AuditAuth(actor, "auth.sign_in");
    if (!audited.ok()) return StatusResponse(audited);
    auto started = sessions_.Start(user->id, address, now);
    if (!started.ok()) return StatusResponse(started.status());
    Principal who;
    who.org = org;
    who.user = user;
    who.auth = "session";
    who.session_id = started->session.id;
    who.csrf = started->session.csrf;
    HttpResponse r = JsonResponse(200, session_body(who));
    r.headers["Set-Cookie"] = std::string(kSessionCookie) + "=" + started->secret +
                              CookieAttributes(options_.secure_cookies);
    r.headers["Cache-Control"] = "no-store";
    return r;
  });

  router_.Add("GET", "/api/v1/session", "session.get",
              [this, session_body](const HttpRequest& req, const RouteMatch&) {
    std::string secret = req.Cookie(kSessionCookie);
    if (secret.empty()) {
      return ErrorResponse(401, kUnauthenticated, "not signed in (未登录)");
    }
    HttpResponse error;
    auto who = SessionPrincipal(req, secret, &error);
    if (!who) return error;
    HttpResponse r = JsonResponse(200, session_body(*who));
    r.headers["Cache-Control"] = "no-store";
    return r;
  });

  router_.Add("DELETE", "/api/v1/session", "session.delete",
              [this](const HttpRequest& req, const RouteMatch&) {
    std::string secret = req.Cookie(kSessionCookie);
    if (!secret.empty()) {
      HttpResponse error;
      auto who = SessionPrincipal(req, secret, &error);
      // A session that is over already needs no ending; a live one is ended
      // only with its CSRF token, so no other site can sign the user out.
      if (!who && error.status != 401) return error;
      if (who) {
        sessions_.End(who->session_id);
        Status audited = AuditAuth(who->actor, "auth.sign_out");
        if (!audited.ok()) return StatusResponse(audited);
      }
    }
    HttpResponse r;
    r.status = 204;
    r.headers["Set-Cookie"] = std::string(kSessionCookie) + "=; Max-Age=0" +
                              CookieAttributes(options_.secure_cookies);
    return r;
  });

  AddAuthed("GET", "/api/v1/sessions", "sessions.list",
            [this](const HttpRequest&, const RouteMatch&, const Principal& who) {
    if (!PolicyOf(deps_, who).Can(Capability::kUsersAdmin)) {
      return ErrorResponse(403, kForbidden, "only administrators see sessions");
    }
    json out = json::array();
    for (const Session& s : sessions_.List(deps_.clock.Now())) out.push_back(SessionJson(s));
    return JsonResponse(200, {{"sessions", out}});
  });

  AddAuthed("DELETE", "/api/v1/sessions/{id}", "sessions.end",
            [this](const HttpRequest&, const RouteMatch& m, const Principal& who) {
    if (!PolicyOf(deps_, who).Can(Capability::kUsersAdmin)) {
      return ErrorResponse(403, kForbidden, "only administrators end sessions");
    }
    std::string user;
    for (const Session& s : sessions_.List(deps_.clock.Now())) {
      if (s.id == m.Param("id")) user = s.user;
    }
    if (user.empty()) {
      return ErrorResponse(404, kNotFound, "no session \"" + m.Param("id") + "\"");
    }
    Status audited = AuditAuth(who.actor, "auth.end_session:" + user);
    if (!audited.ok()) return StatusResponse(audited);
    sessions_.End(m.Param("id"));
    HttpResponse r;
    r.status = 204;
    return r;
  });

  AddAuthed("POST", "/api/v1/users/{id}/invitation", "invitations.issue",
            [this](const HttpRequest& req, const RouteMatch& m, const Principal& who) {
    if (!PolicyOf(deps_, who).Can(Capability::kUsersAdmin)) {
      return ErrorResponse(403, kForbidden, "only administrators invite users");
    }
    const User* user = who.org->FindUser(m.Param("id"));
    if (!user) return ErrorResponse(404, kNotFound, "no user \"" + m.Param("id") + "\"");
    if (!user->active) {
      return ErrorResponse(409, kConflict, "用户已停用 / user \"" + user->id + "\" is deactivated");
    }
    std::string ttl_text = "P3D";
    if (!req.body.empty()) {
      HttpResponse error;
      auto body = ObjectBody(req, &error);
      if (!body) return error;
      auto ttl = StringMember(*body, "ttl", &error);
      if (!ttl) return error;
      if (!ttl->empty()) ttl_text = *ttl;
    }
    Instant now = deps_.clock.Now();
    auto ttl = LifetimeOf(ttl_text, now);
    if (!ttl) {
      return ErrorResponse(422, kInvalidData, "ttl must be an ISO 8601 duration such as P3D");
    }
    Status audited = AuditAuth(who.actor, "auth.invite:" + user->id);
    if (!audited.ok()) return StatusResponse(audited);
    auto issued = credentials_.Invite(user->id, *ttl, who.user->id, now);
    if (!issued.ok()) return StatusResponse(issued.status());
    return JsonResponse(201, {{"user", user->id},
                              {"id", issued->info.id},
                              {"code", issued->code},
                              {"expires_at", FormatInstant(issued->info.expires_at)}});
  });

  router_.Add("POST", "/api/v1/invitations/accept", "invitations.accept",
              [this](const HttpRequest& req, const RouteMatch&) {
    HttpResponse error;
    auto body = ObjectBody(req, &error);
    if (!body) return error;
    auto code = StringMember(*body, "code", &error);
    auto password = StringMember(*body, "password", &error);
    if (!code || !password) return error;
    Instant now = deps_.clock.Now();
    std::string address = req.RemoteAddress();
    // Guessing codes counts against the address like guessing passwords.
    auto wait = sign_in_.WaitFor("", address, now);
    if (wait.count() > 0) return LockedResponse(wait);
    auto user = credentials_.Accept(*code, *password, now);
    if (!user.ok()) {
      Status audited = Status::Ok();
      switch (user.status().code()) {
        case StatusCode::kNotFound:
          sign_in_.Failed("", address, now);
          audited = AuditAuth({"", "", {}, req.remote}, "auth.invitation_failed");
          if (!audited.ok()) return StatusResponse(audited);
          return ErrorResponse(404, kNotFound, "邀请码无效或已使用 / " + user.status().message());
        case StatusCode::kFailedPrecondition:
          return ErrorResponse(410, kExpired, "邀请码已过期 / " + user.status().message());
        default:
          return StatusResponse(user.status());
      }
    }
    // A new password ends the sessions the old one opened.
    sessions_.EndForUser(*user);
    const User* u = deps_.orgs.Current()->FindUser(*user);
    Actor actor{*user, u ? u->unit : "", u ? u->roles : std::vector<std::string>{}, req.remote};
    Status audited = AuditAuth(actor, "auth.password_set");
    if (!audited.ok()) return StatusResponse(audited);
    return JsonResponse(200, {{"user", *user}});
  });
}

}  // namespace shouhu::api
