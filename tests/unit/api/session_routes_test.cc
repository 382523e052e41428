// Sign-in, sessions, CSRF, lockout and invitations through the service on a
// real store with a fake clock (the same over real HTTP: tests/integration/
// api/web_test.cc). Every sign-in event leaves an audit record.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "api_service_fixture.h"
#include "shouhu/audit.h"

namespace shouhu::api {
namespace {

using nlohmann::json;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr const char* kPassword = "班主任的密码 correct";

class SessionRoutesTest : public ApiServiceTest {
 protected:
  void SetUp() override {
    ApiServiceTest::SetUp();
    ApiOptions options = TestOptions();
    options.sessions = {minutes(30), std::chrono::hours(12), 1000};
    options.sign_in.free_failures = 2;
    options.sign_in.delay = seconds(1);
    options.sign_in.account_failures = 4;
    options.sign_in.address_failures = 8;
    options.sign_in.lock = minutes(15);
    service_ = std::make_unique<ApiService>(
        ApiDeps{*runtime_, catalog_, *orgs_, *tokens_, *store_, clock_, access_}, options);
  }

  // Sends a request as a browser would: cookie and headers, from `remote`.
  HttpResponse Send(const std::string& method, const std::string& target,
                    const std::string& body = "", const std::string& cookie = "",
                    std::map<std::string, std::string> headers = {},
                    const std::string& remote = "10.1.1.1:4000") {
    HttpRequest r;
    r.method = method;
    EXPECT_TRUE(ParseTarget(target, &r.path, &r.query));
    r.headers = std::move(headers);
    if (!cookie.empty()) r.headers["cookie"] = "theme=dark; shouhu_session=" + cookie;
    r.body = body;
    r.remote = remote;
    return service_->Handle(r);
  }
  HttpResponse SignIn(const std::string& login, const std::string& password,
                      const std::string& remote = "10.1.1.1:4000") {
    return Send("POST", "/api/v1/session",
                json{{"login", login}, {"password", password}}.dump(), "", {}, remote);
  }
  // The cookie's value from a Set-Cookie header.
  static std::string CookieOf(const HttpResponse& r) {
    std::string h = r.headers.count("Set-Cookie") ? r.headers.at("Set-Cookie") : "";
    auto eq = h.find('='), semi = h.find(';');
    return eq == std::string::npos ? "" : h.substr(eq + 1, semi - eq - 1);
  }
  // Invites `user` as the administrator over the API and sets `password`.
  void SetPassword(const std::string& user, const std::string& password) {
    HttpResponse invited = Call("POST", "/api/v1/users/" + user + "/invitation",
                                TokenFor("u0007"), "");
    ASSERT_EQ(invited.status, 201) << invited.body;
    std::string code = json::parse(invited.body)["code"];
    HttpResponse accepted = Send("POST", "/api/v1/invitations/accept",
                                 json{{"code", code}, {"password", password}}.dump());
    ASSERT_EQ(accepted.status, 200) << accepted.body;
    EXPECT_EQ(json::parse(accepted.body)["user"], user);
  }
  std::vector<std::string> AuditActions() {
    auto log = ReadAuditLog(*store_, "");
    EXPECT_TRUE(log.ok());
    std::vector<std::string> out;
    for (const AuditRecord& a : *log) {
      if (a.action.rfind("auth.", 0) == 0) out.push_back(a.action + " " + a.user);
    }
    return out;
  }
};

TEST_F(SessionRoutesTest, SignInByUserIdOrPhoneGivesACookieSession) {
  SetPassword("u0021", kPassword);
  HttpResponse by_id = SignIn("u0021", kPassword);
  ASSERT_EQ(by_id.status, 200) << by_id.body;
  json body = json::parse(by_id.body);
  EXPECT_EQ(body["user"]["id"], "u0021");
  EXPECT_EQ(body["user"]["auth"], "session");
  EXPECT_EQ(body["user"]["time_zone"], "Asia/Shanghai");
  EXPECT_EQ(body["idle_timeout"], "PT30M");
  EXPECT_EQ(body["csrf_token"].get<std::string>().size(), 64u);
  std::string set_cookie = by_id.headers["Set-Cookie"];
  EXPECT_NE(set_cookie.find("; Path=/; HttpOnly; SameSite=Strict"), std::string::npos);
  EXPECT_EQ(set_cookie.find("Secure"), std::string::npos);  // not TLS here
  std::string cookie = CookieOf(by_id);
  ASSERT_EQ(cookie.size(), 64u);

  HttpResponse me = Send("GET", "/api/v1/me", "", cookie);
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(json::parse(me.body)["auth"], "session");
  HttpResponse again = Send("GET", "/api/v1/session", "", cookie);
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(json::parse(again.body)["csrf_token"], body["csrf_token"]);

  // The teacher's phone in the organisation file is 13800000021.
  const User* teacher = org_.FindUser("u0021");
  ASSERT_NE(teacher, nullptr);
  HttpResponse by_phone = SignIn(teacher->phone, kPassword);
  ASSERT_EQ(by_phone.status, 200) << by_phone.body;
  EXPECT_EQ(json::parse(by_phone.body)["user"]["id"], "u0021");
  EXPECT_NE(CookieOf(by_phone), cookie);
  EXPECT_EQ(Send("GET", "/api/v1/session").status, 401);
}

TEST_F(SessionRoutesTest, WrongPasswordAndUnknownLoginGetTheSameAnswer) {
  SetPassword("u0021", kPassword);
  // From three addresses, so that no attempt is slowed by the others.
  HttpResponse wrong = SignIn("u0021", "not the password", "10.0.0.1:1");
  HttpResponse unknown = SignIn("nobody", kPassword, "10.0.0.2:1");
  HttpResponse no_password = SignIn("u0008", kPassword, "10.0.0.3:1");  // never invited
  for (const HttpResponse* r : {&wrong, &unknown, &no_password}) {
    EXPECT_EQ(r->status, 401);
    EXPECT_EQ(json::parse(r->body)["error"]["message"], "用户名或密码错误 / wrong user or password");
    EXPECT_EQ(r->headers.count("Set-Cookie"), 0u);
  }
  std::vector<std::string> audited = AuditActions();
  EXPECT_EQ(std::count(audited.begin(), audited.end(), "auth.sign_in_failed u0021"), 1);
  EXPECT_EQ(std::count(audited.begin(), audited.end(), "auth.sign_in_failed "), 1);
  EXPECT_EQ(std::count(audited.begin(), audited.end(), "auth.sign_in_failed u0008"), 1);
}

TEST_F(SessionRoutesTest, AccountLocksAfterFailuresAndUnlocksAfterTheLockTime) {
  SetPassword("u0021", kPassword);
  // Two free failures, then each attempt waits: 1 s, then 2 s; the fourth
  // failure locks the account for 15 minutes, from any address.
  EXPECT_EQ(SignIn("u0021", "wrong 1").status, 401);
  EXPECT_EQ(SignIn("u0021", "wrong 2").status, 401);
  HttpResponse slowed = SignIn("u0021", kPassword);
  EXPECT_EQ(slowed.status, 429);
  EXPECT_EQ(slowed.headers["Retry-After"], "1");
  clock_.Advance(seconds(1));
  EXPECT_EQ(SignIn("u0021", "wrong 3").status, 401);
  clock_.Advance(seconds(2));
  EXPECT_EQ(SignIn("u0021", "wrong 4").status, 401);
  HttpResponse locked = SignIn("u0021", kPassword, "10.9.9.9:1");
  EXPECT_EQ(locked.status, 429);
  EXPECT_EQ(json::parse(locked.body)["error"]["code"], "rate_limited");
  EXPECT_EQ(locked.headers["Retry-After"], "900");
  // By phone it is the same account.
  EXPECT_EQ(SignIn(org_.FindUser("u0021")->phone, kPassword, "10.9.9.8:1").status, 429);
  clock_.Advance(minutes(15) - seconds(1));
  EXPECT_EQ(SignIn("u0021", kPassword, "10.9.9.9:1").status, 429);
  clock_.Advance(seconds(1));
  EXPECT_EQ(SignIn("u0021", kPassword, "10.9.9.9:1").status, 200);
  std::vector<std::string> audited = AuditActions();
  EXPECT_EQ(std::count(audited.begin(), audited.end(), "auth.sign_in_refused u0021"), 4);
  EXPECT_EQ(std::count(audited.begin(), audited.end(), "auth.sign_in u0021"), 1);
}

TEST_F(SessionRoutesTest, AnAddressGuessingAtManyAccountsIsLocked) {
  SetPassword("u0021", kPassword);
  // Eight failures from one address, each on another login and spaced past
  // the delays, lock the address, even for a right password.
  for (int i = 0; i < 8; ++i) {
    clock_.Advance(minutes(1));
    ASSERT_EQ(SignIn("u00" + std::to_string(30 + i), "guess", "10.6.6.6:1").status, 401) << i;
  }
  HttpResponse locked = SignIn("u0021", kPassword, "10.6.6.6:2");
  EXPECT_EQ(locked.status, 429);
  // The same account from another address is fine.
  EXPECT_EQ(SignIn("u0021", kPassword, "10.7.7.7:1").status, 200);
  clock_.Advance(minutes(15));
  EXPECT_EQ(SignIn("u0021", kPassword, "10.6.6.6:3").status, 200);
}

TEST_F(SessionRoutesTest, IdleSessionExpiresAndUseKeepsItAlive) {
  SetPassword("u0021", kPassword);
  std::string cookie = CookieOf(SignIn("u0021", kPassword));
  clock_.Advance(minutes(29));
  EXPECT_EQ(Send("GET", "/api/v1/me", "", cookie).status, 200);
  clock_.Advance(minutes(29));
  EXPECT_EQ(Send("GET", "/api/v1/me", "", cookie).status, 200);
  clock_.Advance(minutes(30));
  HttpResponse expired = Send("GET", "/api/v1/me", "", cookie);
  EXPECT_EQ(expired.status, 401);
  EXPECT_EQ(json::parse(expired.body)["error"]["code"], "unauthenticated");
  EXPECT_EQ(Send("GET", "/api/v1/session", "", cookie).status, 401);
}

TEST_F(SessionRoutesTest, CookieWritesNeedTheCsrfTokenAndBearerWritesDoNot) {
  SetPassword("u0021", kPassword);
  HttpResponse signed_in = SignIn("u0021", kPassword);
  std::string cookie = CookieOf(signed_in);
  std::string csrf = json::parse(signed_in.body)["csrf_token"];
  const std::string report = R"({"workflow": "mandatory_report", "data": {
    "child_name": "小明", "category": "missing", "reporter_kind": "mandated",
    "reporter_category": "school", "discovered_at": "2026-03-02T08:00:00+08:00"}})";
  HttpResponse none = Send("POST", "/api/v1/cases", report, cookie);
  EXPECT_EQ(none.status, 403);
  EXPECT_EQ(json::parse(none.body)["error"]["code"], "csrf");
  HttpResponse wrong = Send("POST", "/api/v1/cases", report, cookie,
                            {{"x-csrf-token", std::string(64, 'a')}});
  EXPECT_EQ(wrong.status, 403);
  EXPECT_EQ(json::parse(wrong.body)["error"]["code"], "csrf");
  // Nothing was filed by the refused requests.
  HttpResponse mine = Send("GET", "/api/v1/cases?mine=true", "", cookie);
  EXPECT_EQ(json::parse(mine.body)["cases"].size(), 0u);
  HttpResponse right = Send("POST", "/api/v1/cases", report, cookie, {{"x-csrf-token", csrf}});
  EXPECT_EQ(right.status, 201) << right.body;
  // A script with a token needs no CSRF header.
  EXPECT_EQ(Call("POST", "/api/v1/cases", TokenFor("u0021"), report).status, 201);
}

TEST_F(SessionRoutesTest, SignOutEndsTheSession) {
  SetPassword("u0021", kPassword);
  HttpResponse signed_in = SignIn("u0021", kPassword);
  std::string cookie = CookieOf(signed_in);
  std::string csrf = json::parse(signed_in.body)["csrf_token"];
  // Without the CSRF token another site cannot sign the user out.
  EXPECT_EQ(Send("DELETE", "/api/v1/session", "", cookie).status, 403);
  EXPECT_EQ(Send("GET", "/api/v1/me", "", cookie).status, 200);
  HttpResponse out = Send("DELETE", "/api/v1/session", "", cookie, {{"x-csrf-token", csrf}});
  EXPECT_EQ(out.status, 204);
  EXPECT_NE(out.headers["Set-Cookie"].find("shouhu_session=; Max-Age=0"), std::string::npos);
  EXPECT_EQ(Send("GET", "/api/v1/me", "", cookie).status, 401);
  // Signing out again is harmless.
  EXPECT_EQ(Send("DELETE", "/api/v1/session", "", cookie).status, 204);
  std::vector<std::string> audited = AuditActions();
  EXPECT_EQ(std::count(audited.begin(), audited.end(), "auth.sign_out u0021"), 1);
}

TEST_F(SessionRoutesTest, AdministratorListsAndEndsSessions) {
  SetPassword("u0021", kPassword);
  std::string cookie = CookieOf(SignIn("u0021", kPassword));
  std::string admin = TokenFor("u0007");
  HttpResponse list = Call("GET", "/api/v1/sessions", admin, "");
  ASSERT_EQ(list.status, 200);
  json sessions = json::parse(list.body)["sessions"];
  ASSERT_EQ(sessions.size(), 1u);
  EXPECT_EQ(sessions[0]["user"], "u0021");
  EXPECT_EQ(sessions[0]["origin"], "10.1.1.1");
  EXPECT_EQ(sessions[0].dump().find(cookie), std::string::npos);
  // Not for others.
  EXPECT_EQ(Call("GET", "/api/v1/sessions", TokenFor("u0008"), "").status, 403);
  std::string id = sessions[0]["id"];
  EXPECT_EQ(Call("DELETE", "/api/v1/sessions/" + id, TokenFor("u0008"), "").status, 403);
  EXPECT_EQ(Call("DELETE", "/api/v1/sessions/" + id, admin, "").status, 204);
  EXPECT_EQ(Send("GET", "/api/v1/me", "", cookie).status, 401);
  EXPECT_EQ(Call("DELETE", "/api/v1/sessions/" + id, admin, "").status, 404);
  std::vector<std::string> audited = AuditActions();
  EXPECT_EQ(std::count(audited.begin(), audited.end(), "auth.end_session:u0021 u0007"), 1);
}

TEST_F(SessionRoutesTest, InvitationsExpireAreUsedOnceAndOnlyAdministratorsIssueThem) {
  std::string admin = TokenFor("u0007");
  EXPECT_EQ(Call("POST", "/api/v1/users/u0021/invitation", TokenFor("u0008"), "").status, 403);
  EXPECT_EQ(Call("POST", "/api/v1/users/nobody/invitation", admin, "").status, 404);
  HttpResponse invited =
      Call("POST", "/api/v1/users/u0021/invitation", admin, R"({"ttl": "PT1H"})");
  ASSERT_EQ(invited.status, 201) << invited.body;
  json inv = json::parse(invited.body);
  EXPECT_EQ(inv["user"], "u0021");
  EXPECT_EQ(inv["expires_at"], FormatInstant(clock_.Now() + std::chrono::hours(1)));
  std::string code = inv["code"];

  HttpResponse weak = Send("POST", "/api/v1/invitations/accept",
                           json{{"code", code}, {"password", "short"}}.dump());
  EXPECT_EQ(weak.status, 422);
  EXPECT_EQ(json::parse(weak.body)["error"]["code"], "invalid_data");
  clock_.Advance(std::chrono::hours(1));
  HttpResponse expired = Send("POST", "/api/v1/invitations/accept",
                              json{{"code", code}, {"password", kPassword}}.dump());
  EXPECT_EQ(expired.status, 410);
  EXPECT_EQ(json::parse(expired.body)["error"]["code"], "expired");

  HttpResponse fresh = Call("POST", "/api/v1/users/u0021/invitation", TokenFor("u0007"), "");
  ASSERT_EQ(fresh.status, 201) << fresh.body;
  std::string code2 = json::parse(fresh.body)["code"];
  EXPECT_EQ(json::parse(fresh.body)["expires_at"],
            FormatInstant(clock_.Now() + std::chrono::hours(72)));
  EXPECT_EQ(Send("POST", "/api/v1/invitations/accept",
                 json{{"code", code2}, {"password", kPassword}}.dump()).status, 200);
  HttpResponse used = Send("POST", "/api/v1/invitations/accept",
                           json{{"code", code2}, {"password", "another long password"}}.dump());
  EXPECT_EQ(used.status, 404);
  EXPECT_EQ(json::parse(used.body)["error"]["code"], "not_found");
  EXPECT_EQ(SignIn("u0021", kPassword).status, 200);
  EXPECT_EQ(SignIn("u0021", "another long password").status, 401);
}

TEST_F(SessionRoutesTest, ANewPasswordEndsTheUsersSessions) {
  SetPassword("u0021", kPassword);
  std::string cookie = CookieOf(SignIn("u0021", kPassword));
  SetPassword("u0021", "a brand new password");
  EXPECT_EQ(Send("GET", "/api/v1/me", "", cookie).status, 401);
}

TEST_F(SessionRoutesTest, ThePasswordIsNeverStoredInClear) {
  SetPassword("u0021", kPassword);
  ASSERT_EQ(SignIn("u0021", kPassword).status, 200);
  ASSERT_EQ(SignIn("u0021", "wrong but secret").status, 401);
  runtime_.reset();
  store_.reset();  // flush and close RocksDB: every byte it wrote is on disk
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    EXPECT_EQ(bytes.str().find(kPassword), std::string::npos) << entry.path();
    EXPECT_EQ(bytes.str().find("wrong but secret"), std::string::npos) << entry.path();
  }
}

}  // namespace
}  // namespace shouhu::api
