// Units and users at run time against the real shouhud (issue 15, item 1):
// a user added through the API is invited, signs in and files a report at
// once; deactivated, their session and token are refused on the very next
// request; a bad change gets every problem at once and changes nothing;
// the changes are in the audit trail and survive a restart (the file is
// only the seed); the CLI's unit and user commands go through the same API.
#include <gtest/gtest.h>

#include <algorithm>

#include "../../support/run_program.h"
#include "api_daemon.h"

namespace shouhu {
namespace {

using nlohmann::json;
using testing::ApiDaemon;
using testing::kAdmin;

constexpr const char* kCaseWorker = "u0011";  // township case worker, 城关镇

class OrgRuntimeTest : public ::testing::Test {
 protected:
  void SetUp() override { daemon_.Start(); }

  cli::HttpReply Send(const std::string& user, const std::string& method,
                      const std::string& path, const json& body = nullptr) {
    return daemon_.ClientFor(user)->Send(method, path, body.is_null() ? "" : body.dump());
  }
  static json Body(const cli::HttpReply& r) {
    return r.body.empty() ? json() : json::parse(r.body, nullptr, false);
  }
  static std::string Header(const cli::HttpReply& r, const std::string& name) {
    auto it = r.headers.find(name);
    return it == r.headers.end() ? "" : it->second;
  }
  json Users(const std::string& unit) {
    return Body(Send(kAdmin, "GET", "/api/v1/users?unit=" + unit))["users"];
  }
  json Unit(const std::string& id) {
    json body = Body(Send(kAdmin, "GET", "/api/v1/units"));
    for (const json& u : body["units"]) {
      if (u["id"] == id) return u;
    }
    return nullptr;
  }
  static bool Has(const json& list, const std::string& id) {
    return std::any_of(list.begin(), list.end(), [&](const json& u) { return u["id"] == id; });
  }
  // Signs in with a password; the cookie and CSRF token, or "" on failure.
  std::pair<std::string, std::string> SignIn(cli::HttpClient& browser, const std::string& login,
                                             const std::string& password, long* status) {
    cli::HttpReply r = browser.Send("POST", "/api/v1/session",
                                    json{{"login", login}, {"password", password}}.dump());
    *status = r.status;
    if (r.status != 200) return {"", ""};
    std::string set_cookie = Header(r, "set-cookie");
    return {set_cookie.substr(0, set_cookie.find(';')), Body(r).value("csrf_token", "")};
  }
  json AuditLog() {
    EXPECT_EQ(daemon_.Stop(), 0);
    auto r = testing::RunProgram(testing::kCliPath,
                                 {"audit", "show", "--data-dir", daemon_.data_dir(), "--key-file",
                                  daemon_.key_path(), "--json"},
                                 daemon_.dir());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out);
  }

  ApiDaemon daemon_{json{{"rate_per_second", 0}}};
};

TEST_F(OrgRuntimeTest, AddedUserActsAtOnceAndDeactivatedIsRefusedAtOnce) {
  const json teacher = {{"id", "u9001"},
                        {"name", "王新"},
                        {"unit", "chengguan-primary"},
                        {"roles", {"reporter"}},
                        {"phone", "+86 139 1234 5678"},
                        {"email", "wangxin@qingshan.example.cn"}};
  // Only org.manage adds people.
  EXPECT_EQ(Send(kCaseWorker, "POST", "/api/v1/users", teacher).status, 403);
  cli::HttpReply added = Send(kAdmin, "POST", "/api/v1/users", teacher);
  ASSERT_EQ(added.status, 201) << added.body;
  EXPECT_EQ(Body(added)["user"]["phone"], "13912345678");
  EXPECT_EQ(Send(kAdmin, "POST", "/api/v1/users", teacher).status, 409);  // the id is taken

  // Invited, they set a password and sign in by phone, without a restart.
  cli::HttpReply invited = Send(kAdmin, "POST", "/api/v1/users/u9001/invitation", json::object());
  ASSERT_EQ(invited.status, 201) << invited.body;
  cli::HttpClient browser(daemon_.base_url(), "");
  const std::string password = "wang-密码-2026";
  ASSERT_EQ(browser
                .Send("POST", "/api/v1/invitations/accept",
                      json{{"code", Body(invited)["code"]}, {"password", password}}.dump())
                .status,
            200);
  long status = 0;
  auto [cookie, csrf] = SignIn(browser, "13912345678", password, &status);
  ASSERT_EQ(status, 200);
  cli::HttpReply filed = browser.Send("POST", "/api/v1/cases", testing::ReportBody().dump(),
                                      {{"Cookie", cookie}, {"X-CSRF-Token", csrf}});
  ASSERT_EQ(filed.status, 201) << filed.body;
  EXPECT_EQ(Body(filed)["state"], "reported");
  // And with a token the administrator issues.
  cli::HttpReply issued =
      Send(kAdmin, "POST", "/api/v1/tokens", json{{"user", "u9001"}, {"label", "phone"}});
  ASSERT_EQ(issued.status, 201) << issued.body;
  cli::HttpClient with_token(daemon_.base_url(), Body(issued)["token"]);
  ASSERT_EQ(with_token.Send("GET", "/api/v1/me").status, 200);

  // Deactivated: the very next request of the session and of the token is refused.
  cli::HttpReply off = Send(kAdmin, "PATCH", "/api/v1/users/u9001", json{{"active", false}});
  ASSERT_EQ(off.status, 200) << off.body;
  EXPECT_EQ(Body(off)["sessions_ended"], 1);
  EXPECT_EQ(Body(off)["tokens_revoked"], 1);
  EXPECT_EQ(browser.Send("GET", "/api/v1/me", "", {{"Cookie", cookie}}).status, 401);
  EXPECT_EQ(with_token.Send("GET", "/api/v1/me").status, 401);
  EXPECT_EQ(with_token.Send("POST", "/api/v1/cases", testing::ReportBody().dump()).status, 401);
  SignIn(browser, "u9001", password, &status);
  EXPECT_EQ(status, 401);
  // Not invited, given a token or assigned any more.
  EXPECT_EQ(Send(kAdmin, "POST", "/api/v1/users/u9001/invitation", json::object()).status, 409);
  EXPECT_EQ(Send(kAdmin, "POST", "/api/v1/tokens", json{{"user", "u9001"}}).status, 409);
  // Nobody deactivates themselves.
  EXPECT_EQ(Send(kAdmin, "PATCH", "/api/v1/users/u0007", json{{"active", false}}).status, 409);

  // A unit added, then moved to another township; both at once.
  cli::HttpReply unit = Send(kAdmin, "POST", "/api/v1/units",
                             json{{"id", "chengguan-v99"},
                                  {"name", {{"zh", "新建村"}, {"en", "New Village"}}},
                                  {"type", "village"},
                                  {"parent", "chengguan"}});
  ASSERT_EQ(unit.status, 201) << unit.body;
  EXPECT_EQ(Unit("chengguan-v99")["parent"], "chengguan");
  ASSERT_EQ(Send(kAdmin, "PATCH", "/api/v1/units/chengguan-v99", json{{"parent", "qingshi"}}).status,
            200);
  EXPECT_EQ(Unit("chengguan-v99")["parent"], "qingshi");

  // Restarted (on another port): the store's organisation, not the file's.
  ASSERT_EQ(daemon_.Stop(), 0);
  daemon_.Start();
  cli::HttpClient browser_again(daemon_.base_url(), "");
  cli::HttpClient old_token(daemon_.base_url(), Body(issued)["token"]);
  EXPECT_NE(daemon_.output().find("organisation from the store"), std::string::npos)
      << daemon_.output();
  json users = Users("chengguan-primary");
  auto kept = std::find_if(users.begin(), users.end(), [](const json& u) { return u["id"] == "u9001"; });
  ASSERT_NE(kept, users.end());
  EXPECT_EQ((*kept)["active"], false);
  EXPECT_EQ(Unit("chengguan-v99")["parent"], "qingshi");
  SignIn(browser_again, "13912345678", password, &status);
  EXPECT_EQ(status, 401);
  // Reactivated, the old token stays revoked; the password works again.
  ASSERT_EQ(Send(kAdmin, "PATCH", "/api/v1/users/u9001", json{{"active", true}}).status, 200);
  EXPECT_EQ(old_token.Send("GET", "/api/v1/me").status, 401);
  SignIn(browser_again, "u9001", password, &status);
  EXPECT_EQ(status, 200);

  json log = AuditLog();
  std::vector<std::string> org_actions;
  for (const json& a : log) {
    std::string action = a["action"];
    if (action.rfind("org.", 0) == 0) org_actions.push_back(a["user"].get<std::string>() + " " + action);
  }
  EXPECT_EQ(org_actions, (std::vector<std::string>{
                             "system org.seed", "u0007 org.user.add:u9001",
                             "u0007 org.user.deactivate:u9001", "u0007 org.unit.add:chengguan-v99",
                             "u0007 org.unit.move:chengguan-v99", "u0007 org.user.activate:u9001"}));
}

TEST_F(OrgRuntimeTest, BadChangesListEveryProblemAndChangeNothing) {
  json units_before = Body(Send(kAdmin, "GET", "/api/v1/units"))["units"];
  cli::HttpReply bad_unit = Send(kAdmin, "POST", "/api/v1/units",
                                 json{{"id", "no spaces!"}, {"parent", "nowhere"}, {"colour", 1}});
  ASSERT_EQ(bad_unit.status, 422) << bad_unit.body;
  json fields = Body(bad_unit)["error"]["fields"];
  for (const char* f : {"colour"}) EXPECT_TRUE(fields.contains(f)) << bad_unit.body;
  // Wrong members are reported first; the rest once they are right.
  bad_unit = Send(kAdmin, "POST", "/api/v1/units", json{{"id", "no spaces!"}, {"parent", "nowhere"}});
  ASSERT_EQ(bad_unit.status, 422) << bad_unit.body;
  fields = Body(bad_unit)["error"]["fields"];
  for (const char* f : {"id", "name", "type", "parent"}) {
    EXPECT_TRUE(fields.contains(f)) << f << ": " << bad_unit.body;
  }
  cli::HttpReply cycle =
      Send(kAdmin, "PATCH", "/api/v1/units/chengguan", json{{"parent", "chengguan-v02"}});
  ASSERT_EQ(cycle.status, 422) << cycle.body;
  EXPECT_NE(cycle.body.find("cycle"), std::string::npos) << cycle.body;
  EXPECT_EQ(Send(kAdmin, "PATCH", "/api/v1/units/atlantis", json{{"type", "x"}}).status, 404);
  // A township with people and cases is not deactivated.
  cli::HttpReply busy = Send(kAdmin, "PATCH", "/api/v1/units/chengguan", json{{"active", false}});
  ASSERT_EQ(busy.status, 422) << busy.body;
  EXPECT_TRUE(Body(busy)["error"]["fields"].contains("active"));

  cli::HttpReply bad_user = Send(kAdmin, "POST", "/api/v1/users",
                                 json{{"id", "u9002"},
                                      {"name", "李四"},
                                      {"unit", "nowhere"},
                                      {"roles", {"wizard"}},
                                      {"phone", "12345"},
                                      {"email", "li@"},
                                      {"dingtalk", "钉钉"}});
  ASSERT_EQ(bad_user.status, 422) << bad_user.body;
  fields = Body(bad_user)["error"]["fields"];
  for (const char* f : {"unit", "roles", "phone", "email", "dingtalk"}) {
    EXPECT_TRUE(fields.contains(f)) << f << ": " << bad_user.body;
  }
  // The message is Chinese with English beside it.
  EXPECT_NE(fields["phone"].get<std::string>().find("手机号"), std::string::npos);
  EXPECT_NE(fields["phone"].get<std::string>().find("mobile"), std::string::npos);

  EXPECT_EQ(Body(Send(kAdmin, "GET", "/api/v1/units"))["units"], units_before);
  EXPECT_FALSE(Has(Body(Send(kAdmin, "GET", "/api/v1/users"))["users"], "u9002"));
  json log = AuditLog();
  EXPECT_EQ(std::count_if(log.begin(), log.end(),
                          [](const json& a) {
                            return a["action"].get<std::string>().rfind("org.", 0) == 0;
                          }),
            1);  // the seed only
}

TEST_F(OrgRuntimeTest, CliAddsMovesAndDeactivates) {
  auto cli = [&](std::vector<std::string> args) {
    args.insert(args.end(), {"--server", daemon_.base_url(), "--token", daemon_.TokenFor(kAdmin)});
    return testing::RunProgram(testing::kCliPath, args, daemon_.dir());
  };
  auto r = cli({"unit", "add", "chengguan-v98", "--name-zh", "试点村", "--name-en", "Pilot Village",
                "--type", "village", "--parent", "chengguan"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("chengguan-v98"), std::string::npos) << r.out;
  r = cli({"user", "add", "u9003", "--name", "赵六", "--unit", "chengguan-v98", "--roles",
           "child_director", "--phone", "13712345678", "--wecom", "ZhaoLiu"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  r = cli({"unit", "move", "chengguan-v98", "--parent", "qingshi"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(Unit("chengguan-v98")["parent"], "qingshi");
  // The new child director works in the moved village's township at once.
  json me = Body(Send("u9003", "GET", "/api/v1/me"));
  EXPECT_EQ(me["unit"], "chengguan-v98");
  r = cli({"unit", "deactivate", "chengguan-v98"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;  // the director is still in it
  r = cli({"user", "set", "u9003", "--phone", "123"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE((r.out + r.err).find("phone"), std::string::npos) << r.out << r.err;
  r = cli({"user", "deactivate", "u9003"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(Send("u9003", "GET", "/api/v1/me").status, 401);
  r = cli({"unit", "deactivate", "chengguan-v98"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(Unit("chengguan-v98")["active"], false);
}

}  // namespace
}  // namespace shouhu
