// The web app's side of shouhud over real HTTP: the built app served from
// web_root with its content types, cache headers and fallback, security
// headers on every response (the API's too), HEAD, refused traversal; and
// the browser's way in: an invitation made offline with the CLI, a
// password, a cookie session with its CSRF token, sign-out. The password
// never appears in any file or in the daemon's output.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "api_daemon.h"

namespace shouhu {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr const char* kCsp =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

void ExpectSecurityHeaders(const cli::HttpReply& r, const std::string& what) {
  EXPECT_EQ(r.headers.count("content-security-policy") ? r.headers.at("content-security-policy")
                                                       : "",
            kCsp)
      << what;
  EXPECT_EQ(r.headers.count("x-content-type-options") ? r.headers.at("x-content-type-options")
                                                      : "",
            "nosniff")
      << what;
  EXPECT_EQ(r.headers.count("referrer-policy") ? r.headers.at("referrer-policy") : "",
            "no-referrer")
      << what;
  EXPECT_EQ(r.headers.count("x-frame-options") ? r.headers.at("x-frame-options") : "", "DENY")
      << what;
}

std::string Header(const cli::HttpReply& r, const std::string& name) {
  auto it = r.headers.find(name);
  return it == r.headers.end() ? "" : it->second;
}

class WebTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/shouhu-webroot-XXXXXX";
    web_ = mkdtemp(tmpl);
    fs::create_directories(web_ + "/app/assets");
    std::ofstream(web_ + "/app/index.html") << "<!doctype html><title>守护</title>";
    std::ofstream(web_ + "/app/assets/index-5d1c.js") << "export const x = 1;";
    std::ofstream(web_ + "/secret.txt") << "outside the web root";
    daemon_ = std::make_unique<testing::ApiDaemon>(json::object(),
                                                   json{{"web_root", web_ + "/app"}});
    daemon_->Start();
  }
  void TearDown() override {
    daemon_.reset();
    fs::remove_all(web_);
  }
  std::string web_;
  std::unique_ptr<testing::ApiDaemon> daemon_;
};

TEST_F(WebTest, ServesTheAppWithTypesCachingFallbackAndSecurityHeaders) {
  cli::HttpClient browser(daemon_->base_url(), "");
  cli::HttpReply index = browser.Send("GET", "/");
  ASSERT_EQ(index.status, 200) << index.error;
  EXPECT_EQ(index.body, "<!doctype html><title>守护</title>");
  EXPECT_EQ(Header(index, "content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(Header(index, "cache-control"), "no-cache");
  ExpectSecurityHeaders(index, "index");

  cli::HttpReply script = browser.Send("GET", "/assets/index-5d1c.js");
  EXPECT_EQ(script.status, 200);
  EXPECT_EQ(Header(script, "content-type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(Header(script, "cache-control"), "public, max-age=31536000, immutable");
  ExpectSecurityHeaders(script, "script");

  cli::HttpReply route = browser.Send("GET", "/cases/C0000000001");
  EXPECT_EQ(route.status, 200);
  EXPECT_EQ(route.body, index.body);

  cli::HttpReply head = browser.Send("HEAD", "/assets/index-5d1c.js");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.body, "");
  EXPECT_EQ(Header(head, "content-length"), "19");
  EXPECT_EQ(Header(head, "content-type"), "text/javascript; charset=utf-8");
  // The connection is still in step after a HEAD.
  EXPECT_EQ(browser.Send("GET", "/assets/index-5d1c.js").body, "export const x = 1;");

  cli::HttpReply traversal = browser.Send("GET", "/assets/%2e%2e/%2e%2e/secret.txt");
  EXPECT_EQ(traversal.status, 400);
  EXPECT_EQ(traversal.body.find("outside the web root"), std::string::npos);

  // The API's answers, and the daemon's probes, carry the headers too.
  for (const char* path : {"/api/v1/me", "/healthz", "/api/v1/nothing"}) {
    cli::HttpReply r = browser.Send("GET", path);
    EXPECT_NE(r.status, 0) << path;
    ExpectSecurityHeaders(r, path);
    EXPECT_EQ(Header(r, "content-type"), "application/json; charset=utf-8") << path;
  }
}

TEST_F(WebTest, InvitationSignInCsrfAndSignOutOverHttp) {
  const std::string password = "teacher-密码-2026";
  // The administrator's CLI makes the code offline, beside the tokens.
  testing::Subprocess cli({testing::kCliPath, "user", "invite", "--data-dir",
                           daemon_->data_dir(), "--user", "u0021", "--quiet"});
  std::string code = cli.ReadAll();
  ASSERT_EQ(cli.Wait(), 0) << code;
  while (!code.empty() && (code.back() == '\n' || code.back() == '\r')) code.pop_back();
  ASSERT_EQ(code.size(), 19u) << code;

  cli::HttpClient browser(daemon_->base_url(), "");
  cli::HttpReply accepted = browser.Send("POST", "/api/v1/invitations/accept",
                                         json{{"code", code}, {"password", password}}.dump());
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  EXPECT_EQ(browser.Send("POST", "/api/v1/invitations/accept",
                         json{{"code", code}, {"password", password}}.dump()).status, 404);

  cli::HttpReply wrong = browser.Send("POST", "/api/v1/session",
                                      json{{"login", "u0021"}, {"password", "nope nope"}}.dump());
  EXPECT_EQ(wrong.status, 401);
  cli::HttpReply signed_in = browser.Send(
      "POST", "/api/v1/session", json{{"login", "13800000021"}, {"password", password}}.dump());
  ASSERT_EQ(signed_in.status, 200) << signed_in.body;
  std::string set_cookie = Header(signed_in, "set-cookie");
  EXPECT_NE(set_cookie.find("HttpOnly"), std::string::npos) << set_cookie;
  EXPECT_NE(set_cookie.find("SameSite=Strict"), std::string::npos) << set_cookie;
  std::string cookie = set_cookie.substr(0, set_cookie.find(';'));
  std::string csrf = json::parse(signed_in.body)["csrf_token"];

  cli::HttpReply me = browser.Send("GET", "/api/v1/me", "", {{"Cookie", cookie}});
  ASSERT_EQ(me.status, 200) << me.body;
  json who = json::parse(me.body);
  EXPECT_EQ(who["id"], "u0021");
  EXPECT_EQ(who["auth"], "session");
  EXPECT_EQ(who["time_zone"], "Asia/Shanghai");

  json report = testing::ReportBody();
  EXPECT_EQ(browser.Send("POST", "/api/v1/cases", report.dump(), {{"Cookie", cookie}}).status,
            403);
  cli::HttpReply filed = browser.Send("POST", "/api/v1/cases", report.dump(),
                                      {{"Cookie", cookie}, {"X-CSRF-Token", csrf}});
  EXPECT_EQ(filed.status, 201) << filed.body;

  cli::HttpReply out = browser.Send("DELETE", "/api/v1/session", "",
                                    {{"Cookie", cookie}, {"X-CSRF-Token", csrf}});
  EXPECT_EQ(out.status, 204);
  EXPECT_EQ(browser.Send("GET", "/api/v1/me", "", {{"Cookie", cookie}}).status, 401);

  // Nothing the daemon wrote or printed holds the password or the code.
  ASSERT_EQ(daemon_->Stop(), 0);
  std::string bare = code;
  std::erase(bare, '-');
  EXPECT_NE(daemon_->output().find("listening on"), std::string::npos);
  EXPECT_EQ(daemon_->output().find(password), std::string::npos);
  EXPECT_EQ(daemon_->output().find(bare), std::string::npos);
  for (const auto& entry : fs::recursive_directory_iterator(daemon_->dir())) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    EXPECT_EQ(bytes.str().find(password), std::string::npos) << entry.path();
    EXPECT_EQ(bytes.str().find(bare), std::string::npos) << entry.path();
  }
  EXPECT_TRUE(fs::exists(daemon_->data_dir() + "/credentials.json"));
}

}  // namespace
}  // namespace shouhu
