// Every route of the API against a real shouhud over real HTTP (libcurl),
// including each error code; nothing is written on any error.
#include <gtest/gtest.h>

#include <set>

#include "api_daemon.h"
#include "../../support/test_paths.h"

namespace shouhu {
namespace {

using nlohmann::json;
using testing::ApiDaemon;
using testing::kTeacher;
using testing::kPolice;
using testing::kAdmin;
using testing::ReportBody;

// Users of the sample county (deploy/county/organisation.json).
constexpr const char* kPoliceChief = "u0010";     // police_supervisor, chengguan
constexpr const char* kCaseWorker = "u0011";      // township_case_worker, chengguan
constexpr const char* kOtherPolice = "u0034";     // police_officer, qingshi
constexpr const char* kCountySupervisor = "u0001";

json Body(const cli::HttpReply& r) {
  json j = json::parse(r.body, nullptr, false);
  return j.is_discarded() ? json() : j;
}
std::string ErrorCode(const cli::HttpReply& r) {
  json j = Body(r);
  return j.contains("error") ? j["error"].value("code", "") : "";
}

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override { daemon_.Start(); }

  std::string FileReport(const std::string& key = "") {
    auto teacher = daemon_.ClientFor(kTeacher);
    std::map<std::string, std::string> headers;
    if (!key.empty()) headers["Idempotency-Key"] = key;
    auto r = teacher->Send("POST", "/api/v1/cases", ReportBody().dump(), headers);
    EXPECT_EQ(r.status, 201) << r.body;
    return Body(r).value("case_id", "");
  }
  json GetCase(const std::string& user, const std::string& id) {
    auto r = daemon_.ClientFor(user)->Send("GET", "/api/v1/cases/" + id);
    EXPECT_EQ(r.status, 200) << r.body;
    return Body(r);
  }

  ApiDaemon daemon_{json{{"max_body_bytes", 4096}}};
};

TEST_F(ApiTest, ProbesAndOpenApiNeedNoToken) {
  auto anon = daemon_.ClientFor("");
  EXPECT_EQ(anon->Send("GET", "/healthz").status, 200);
  EXPECT_EQ(anon->Send("GET", "/readyz").status, 200);
  auto doc = anon->Send("GET", "/api/v1/openapi.json");
  EXPECT_EQ(doc.status, 200);
  EXPECT_EQ(Body(doc).value("openapi", ""), "3.0.3");
}

TEST_F(ApiTest, FileAReportThenReadItAsPoliceWithTimersAndOwnerRole) {
  std::string id = FileReport();
  ASSERT_FALSE(id.empty());
  json c = GetCase(kPolice, id);
  EXPECT_EQ(c["state"], "reported");
  EXPECT_EQ(c["state_label"]["zh"], "已报告");
  EXPECT_EQ(c["owner_role"], "police_officer");
  EXPECT_EQ(c["unit"], "chengguan-primary");
  EXPECT_EQ(c["reporter"], kTeacher);  // police may see the reporter
  EXPECT_EQ(c["data"]["child_name"], "小明");
  ASSERT_EQ(c["timers"].size(), 1u);
  EXPECT_EQ(c["timers"][0]["name"], "acceptance_sla");
  EXPECT_FALSE(c["timers"][0]["due"].get<std::string>().empty());
  ASSERT_EQ(c["history"].size(), 1u);
  EXPECT_EQ(c["history"][0]["kind"], "opened");
}

TEST_F(ApiTest, ReporterSeesOnlyFeedbackAndCaseWorkerNotTheReporter) {
  std::string id = FileReport();
  json feedback = GetCase(kTeacher, id);
  EXPECT_EQ(feedback["view"], "feedback");
  EXPECT_FALSE(feedback.contains("data"));
  EXPECT_FALSE(feedback.contains("history"));
  json worker = GetCase(kCaseWorker, id);
  EXPECT_EQ(worker["reporter"], json({{"redacted", true}}));
  EXPECT_EQ(worker["history"][0]["actor"], json({{"redacted", true}}));
  EXPECT_EQ(worker.dump().find(kTeacher), std::string::npos) << worker.dump();
}

TEST_F(ApiTest, IdempotencyKeyReturnsTheFirstAnswer) {
  std::string first = FileReport("report-1");
  auto teacher = daemon_.ClientFor(kTeacher);
  auto again = teacher->Send("POST", "/api/v1/cases", ReportBody().dump(),
                             {{"Idempotency-Key", "report-1"}});
  EXPECT_EQ(again.status, 201);
  EXPECT_EQ(Body(again)["case_id"], first);
  EXPECT_EQ(Body(again)["replayed"], true);
  EXPECT_EQ(again.headers["idempotent-replayed"], "true");
  // The same key for a different command is a conflict.
  auto other = teacher->Send("POST", "/api/v1/cases", ReportBody("小红").dump(),
                             {{"Idempotency-Key", "report-1"}});
  EXPECT_EQ(other.status, 409) << other.body;
  auto list = daemon_.ClientFor(kPolice)->Send("GET", "/api/v1/cases?unit=chengguan-primary");
  EXPECT_EQ(Body(list)["cases"].size(), 1u) << list.body;
}

TEST_F(ApiTest, FireNoteAssignAndVersionConflict) {
  std::string id = FileReport();
  auto police = daemon_.ClientFor(kPolice);
  json accept = {{"event", "accept"}, {"data", testing::AcceptData("administrative")}};
  auto fired = police->Send("POST", "/api/v1/cases/" + id + "/events", accept.dump(),
                            {{"If-Match", "\"1\""}});
  ASSERT_EQ(fired.status, 200) << fired.body;
  EXPECT_EQ(Body(fired)["state"], "police_intake");
  EXPECT_EQ(fired.headers["etag"], "\"2\"");
  // Stale If-Match: 409, nothing written.
  json note = {{"text", "已联系监护人 / guardian contacted"}};
  auto stale = police->Send("POST", "/api/v1/cases/" + id + "/events",
                            json{{"event", "respond"}}.dump(), {{"If-Match", "\"1\""}});
  EXPECT_EQ(stale.status, 409);
  EXPECT_EQ(ErrorCode(stale), "conflict");
  auto noted = police->Send("POST", "/api/v1/cases/" + id + "/notes", note.dump());
  EXPECT_EQ(noted.status, 201) << noted.body;
  // An officer may take the case; a supervisor assigns others.
  auto take = police->Send("PUT", "/api/v1/cases/" + id + "/owner",
                           json{{"owner", kPolice}}.dump());
  EXPECT_EQ(take.status, 200) << take.body;
  auto give = police->Send("PUT", "/api/v1/cases/" + id + "/owner",
                           json{{"owner", "u0009"}}.dump());
  EXPECT_EQ(give.status, 403);
  auto chief = daemon_.ClientFor(kPoliceChief);
  auto assigned = chief->Send("PUT", "/api/v1/cases/" + id + "/owner",
                              json{{"owner", "u0009"}}.dump());
  EXPECT_EQ(assigned.status, 200) << assigned.body;
  json c = GetCase(kPolice, id);
  EXPECT_EQ(c["owner"], "u0009");
  EXPECT_EQ(c["last_seq"], 5);  // opened, accept, note, two assigns
  EXPECT_EQ(c["history"][2]["kind"], "note");
}

TEST_F(ApiTest, EachErrorCodeWritesNothing) {
  std::string id = FileReport();
  auto police = daemon_.ClientFor(kPolice);
  auto before = GetCase(kPolice, id);
  std::string events = "/api/v1/cases/" + id + "/events";

  auto malformed = police->Send("POST", events, "{not json");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(ErrorCode(malformed), "malformed");

  auto anonymous = daemon_.ClientFor("")->Send("GET", "/api/v1/cases/" + id);
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(ErrorCode(anonymous), "unauthenticated");
  cli::HttpClient forged(daemon_.base_url(), "shh_000000000000_" + std::string(64, 'a'));
  EXPECT_EQ(forged.Send("GET", "/api/v1/cases/" + id).status, 401);

  auto outside = daemon_.ClientFor(kOtherPolice)->Send(
      "POST", events, json{{"event", "accept"}, {"data", testing::AcceptData("criminal")}}.dump());
  // Outside one's jurisdiction a case answers as a missing one (no enumeration).
  EXPECT_EQ(outside.status, 404);
  EXPECT_EQ(ErrorCode(outside), "not_found");
  // A teacher may not fire police events even on their own report.
  auto teacher = daemon_.ClientFor(kTeacher)->Send(
      "POST", events, json{{"event", "accept"}, {"data", testing::AcceptData("criminal")}}.dump());
  EXPECT_EQ(teacher.status, 403);
  // The case worker is in jurisdiction but the workflow refuses the role.
  auto role = daemon_.ClientFor(kCaseWorker)->Send(
      "POST", events, json{{"event", "accept"}, {"data", testing::AcceptData("criminal")}}.dump());
  EXPECT_EQ(role.status, 403) << role.body;

  auto missing = police->Send("GET", "/api/v1/cases/C9999999999");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(ErrorCode(missing), "not_found");
  EXPECT_EQ(police->Send("GET", "/api/v1/nothing").status, 404);
  EXPECT_EQ(police->Send("DELETE", "/api/v1/cases/" + id).status, 405);

  auto wrong_state = police->Send("POST", events, json{{"event", "respond"}}.dump());
  EXPECT_EQ(wrong_state.status, 409);
  EXPECT_EQ(ErrorCode(wrong_state), "conflict");

  json unknown_kind = testing::AcceptData("unknown");
  auto invalid = police->Send(
      "POST", events, json{{"event", "accept"}, {"data", unknown_kind}}.dump());
  EXPECT_EQ(invalid.status, 422);
  EXPECT_EQ(ErrorCode(invalid), "invalid_data");
  auto missing_field = police->Send("POST", events, json{{"event", "accept"}}.dump());
  EXPECT_EQ(missing_field.status, 422);

  auto too_large = police->Send("POST", events, std::string(8000, ' ') + "{}");
  EXPECT_EQ(too_large.status, 413);
  EXPECT_EQ(ErrorCode(too_large), "too_large");

  auto bad_key = police->Send("POST", events, json{{"event", "accept"}}.dump(),
                              {{"Idempotency-Key", std::string(150, 'k')}});
  EXPECT_EQ(bad_key.status, 400);

  json after = GetCase(kPolice, id);
  EXPECT_EQ(after["last_seq"], before["last_seq"]);
  EXPECT_EQ(after["state"], "reported");
}

TEST_F(ApiTest, ListsPageAndStayInJurisdiction) {
  for (int i = 0; i < 3; ++i) FileReport();
  auto police = daemon_.ClientFor(kPolice);
  auto page1 = police->Send("GET", "/api/v1/cases?unit=chengguan-primary&limit=2");
  ASSERT_EQ(page1.status, 200) << page1.body;
  EXPECT_EQ(Body(page1)["cases"].size(), 2u);
  std::string next = Body(page1)["next"];
  ASSERT_FALSE(next.empty());
  auto page2 = police->Send("GET", "/api/v1/cases?unit=chengguan-primary&limit=2&after=" + next);
  EXPECT_EQ(Body(page2)["cases"].size(), 1u);
  EXPECT_EQ(Body(page2)["next"], "");
  auto by_state = police->Send("GET", "/api/v1/cases?workflow=mandatory_report&state=reported");
  EXPECT_EQ(Body(by_state)["cases"].size(), 3u);
  auto other = daemon_.ClientFor(kOtherPolice);
  EXPECT_EQ(Body(other->Send("GET", "/api/v1/cases?workflow=mandatory_report&state=reported"))
                ["cases"].size(), 0u);
  EXPECT_EQ(other->Send("GET", "/api/v1/cases?unit=chengguan-primary").status, 403);
  auto mine = daemon_.ClientFor(kTeacher)->Send("GET", "/api/v1/cases?mine=true");
  EXPECT_EQ(Body(mine)["cases"].size(), 3u) << mine.body;
  EXPECT_EQ(daemon_.ClientFor(kTeacher)->Send("GET", "/api/v1/cases?unit=chengguan-primary").status, 403);
  EXPECT_EQ(police->Send("GET", "/api/v1/cases").status, 400);
  EXPECT_EQ(police->Send("GET", "/api/v1/cases?unit=chengguan-primary&limit=0").status, 400);
  auto by_owner = police->Send("GET", "/api/v1/cases?owner=me");
  EXPECT_EQ(by_owner.status, 200);
  EXPECT_EQ(Body(by_owner)["cases"].size(), 0u);
}

// The daemon on simulated time with the bundled deadlines: a day of the
// police's silence passes in one call, not in a day.
class ApiOnSimulatedTime : public ApiTest {
 protected:
  void SetUp() override {
    daemon_.SimulateTime();
    daemon_.Start();
  }
};

TEST_F(ApiOnSimulatedTime, OverdueEscalationReachesOwnerThenSupervisor) {
  std::string id = FileReport();
  auto police = daemon_.ClientFor(kPolice);
  ASSERT_EQ(police->Send("PUT", "/api/v1/cases/" + id + "/owner", json{{"owner", kPolice}}.dump()).status, 200);
  // Accepted at the daemon's (simulated) now: the township notice is owed
  // 24 hours from accepted_at, the response 24 hours from entering intake.
  const std::string now = daemon_.Advance("PT0S");
  ASSERT_EQ(police->Send("POST", "/api/v1/cases/" + id + "/events",
                         json{{"event", "accept"},
                              {"data", {{"intake_kind", "criminal"}, {"accepted_at", now}}}}
                             .dump())
                .status, 200);
  auto chief = daemon_.ClientFor(kPoliceChief);
  auto escalations = [&](const std::unique_ptr<cli::HttpClient>& who) {
    return Body(who->Send("GET", "/api/v1/escalations"))["escalations"];
  };
  // The response and the township notice are owed at the "first moment"
  // level: 24 hours from acceptance. A minute before, nobody is told.
  daemon_.Advance("PT23H59M");
  EXPECT_EQ(escalations(police).size(), 0u);
  daemon_.Advance("PT1M");
  auto mine = escalations(police);
  ASSERT_EQ(mine.size(), 2u) << mine.dump();
  std::set<std::string> chains;
  for (const json& e : mine) {
    EXPECT_EQ(e["case_id"], id);
    chains.insert(e["escalation"].get<std::string>());
  }
  EXPECT_EQ(chains, (std::set<std::string>{"police_response_overdue", "township_notice_overdue"}));
  EXPECT_EQ(escalations(chief).size(), 0u);
  // Two hours on, the station's supervisor is told of the response.
  daemon_.Advance("PT2H");
  ASSERT_EQ(escalations(chief).size(), 1u) << escalations(chief).dump();
  EXPECT_EQ(escalations(chief)[0]["escalation"], "police_response_overdue");
  auto overdue = Body(chief->Send("GET", "/api/v1/cases?overdue=true"));
  ASSERT_EQ(overdue["cases"].size(), 1u);
  EXPECT_EQ(overdue["cases"][0]["overdue"], true);
  // Nobody in another township is told.
  EXPECT_EQ(Body(daemon_.ClientFor("u0036")->Send("GET", "/api/v1/escalations"))["escalations"].size(), 0u);
  auto metrics = daemon_.ClientFor("")->Send("GET", "/metrics");
  EXPECT_NE(metrics.body.find("shouhu_cases_overdue 1"), std::string::npos) << metrics.body;
  EXPECT_NE(metrics.body.find("shouhu_http_requests_total{route=\"cases.fire\",code=\"200\"} 1"),
            std::string::npos);
  EXPECT_NE(metrics.body.find("shouhu_http_request_duration_seconds_bucket"), std::string::npos);
  EXPECT_EQ(metrics.body.find("shouhu_timers_fired_total 0"), std::string::npos);
  // Each escalation fired is counted and logged by its ids (issue 17).
  EXPECT_NE(metrics.body.find("\nshouhu_escalations_fired_total "), std::string::npos);
  EXPECT_EQ(metrics.body.find("\nshouhu_escalations_fired_total 0\n"), std::string::npos);
  EXPECT_TRUE(daemon_.WaitForLine("event=escalation_fired case=" + id +
                                  " workflow=mandatory_report escalation=police_response_overdue"))
      << daemon_.output();
}

TEST_F(ApiOnSimulatedTime, TheClockMovesOnlyForAnAdministratorAndOnlyForward) {
  auto police = daemon_.ClientFor(kPolice);
  EXPECT_EQ(police->Send("POST", "/api/v1/clock", json{{"advance", "PT1H"}}.dump()).status, 403);
  auto admin = daemon_.ClientFor(kAdmin);
  EXPECT_EQ(admin->Send("POST", "/api/v1/clock", json{{"advance", "P1M"}}.dump()).status, 422);
  EXPECT_EQ(admin->Send("POST", "/api/v1/clock", json{{"advance", "-PT1H"}}.dump()).status, 422);
  EXPECT_EQ(admin->Send("POST", "/api/v1/clock", json{{"when", "PT1H"}}.dump()).status, 400);
  EXPECT_EQ(admin->Send("POST", "/api/v1/clock", json{{"to", "2020-01-01T00:00:00Z"}}.dump()).status,
            422);
  auto before = Body(admin->Send("POST", "/api/v1/clock", "{}"))["now"].get<std::string>();
  auto after = daemon_.Advance("P2DT3H");
  auto a = ParseInstant(before), b = ParseInstant(after);
  ASSERT_TRUE(a.ok() && b.ok()) << before << " " << after;
  EXPECT_EQ(*b - *a, std::chrono::hours(51));
}

TEST_F(ApiTest, OnTheRealClockThereIsNoClockToMove) {
  auto admin = daemon_.ClientFor(kAdmin);
  EXPECT_EQ(admin->Send("POST", "/api/v1/clock", json{{"advance", "PT1H"}}.dump()).status, 404);
}

TEST_F(ApiTest, WorkflowsChildrenMeUsersDeadLetters) {
  auto police = daemon_.ClientFor(kPolice);
  auto list = police->Send("GET", "/api/v1/workflows");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(Body(list)["workflows"][0]["id"], "mandatory_report");
  auto one = police->Send("GET", "/api/v1/workflows/mandatory_report");
  EXPECT_EQ(Body(one)["definition"]["kind"], "workflow");
  EXPECT_EQ(police->Send("GET", "/api/v1/workflows/nope").status, 404);
  EXPECT_EQ(police->Send("GET", "/api/v1/workflows/mandatory_report?version=x").status, 400);
  EXPECT_EQ(police->Send("GET", "/api/v1/children/child-1").status, 404);
  EXPECT_EQ(police->Send("GET", "/api/v1/children/child-1/history").status, 404);
  EXPECT_EQ(police->Send("GET", "/api/v1/children/child-1?as_of=yesterday").status, 400);
  auto me = Body(police->Send("GET", "/api/v1/me"));
  EXPECT_EQ(me["unit"], "chengguan-police");  // the station serving 城关镇
  EXPECT_EQ(me["roles"][0], "police_officer");
  EXPECT_EQ(police->Send("GET", "/api/v1/users").status, 403);
  auto users = Body(daemon_.ClientFor(kPoliceChief)->Send("GET", "/api/v1/users"));
  for (const auto& u : users["users"]) {
    EXPECT_EQ(u["unit"].get<std::string>().rfind("chengguan", 0), 0u) << u.dump();
  }
  // The administrator sees every user of the sample county.
  std::ifstream org_file(SourceTree("/deploy/county/organisation.json"));
  std::size_t county_users = json::parse(org_file)["users"].size();
  ASSERT_GT(county_users, 200u);
  EXPECT_EQ(Body(daemon_.ClientFor(kAdmin)->Send("GET", "/api/v1/users"))["users"].size(),
            county_users);
  EXPECT_EQ(police->Send("GET", "/api/v1/dead-letters").status, 403);
  auto letters = daemon_.ClientFor(kCountySupervisor)->Send("GET", "/api/v1/dead-letters");
  EXPECT_EQ(letters.status, 200);
  EXPECT_EQ(Body(letters)["dead_letters"].size(), 0u);
  EXPECT_EQ(daemon_.ClientFor(kCountySupervisor)
                ->Send("POST", "/api/v1/dead-letters/none/redrive").status, 404);
}

TEST_F(ApiTest, TokensIssuedAndRevokedByAdministratorOnly) {
  auto admin = daemon_.ClientFor(kAdmin);
  EXPECT_EQ(daemon_.ClientFor(kPolice)->Send("GET", "/api/v1/tokens").status, 403);
  auto issued = admin->Send("POST", "/api/v1/tokens",
                            json{{"user", kCaseWorker}, {"ttl", "P1D"}, {"label", "t"}}.dump());
  ASSERT_EQ(issued.status, 201) << issued.body;
  std::string token = Body(issued)["token"];
  std::string token_id = Body(issued)["id"];
  cli::HttpClient worker(daemon_.base_url(), token);
  EXPECT_EQ(Body(worker.Send("GET", "/api/v1/me"))["id"], kCaseWorker);
  auto listed = admin->Send("GET", "/api/v1/tokens");
  EXPECT_EQ(listed.body.find(token), std::string::npos) << "secrets are never listed";
  EXPECT_NE(listed.body.find(token_id), std::string::npos);
  EXPECT_EQ(admin->Send("DELETE", "/api/v1/tokens/" + token_id).status, 200);
  auto revoked = worker.Send("GET", "/api/v1/me");
  EXPECT_EQ(revoked.status, 401);
  EXPECT_NE(revoked.body.find("revoked"), std::string::npos);
  EXPECT_EQ(admin->Send("DELETE", "/api/v1/tokens/nope").status, 404);
  EXPECT_EQ(admin->Send("POST", "/api/v1/tokens", json{{"user", "nobody"}}.dump()).status, 422);
  EXPECT_EQ(admin->Send("POST", "/api/v1/tokens", json{{"user", kPolice}, {"ttl", "soon"}}.dump()).status, 422);
  // The tokens file holds hashes only.
  std::ifstream in(daemon_.data_dir() + "/tokens.json");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(text.find(token.substr(17)), std::string::npos);
}

TEST_F(ApiTest, ExpiredTokenIsRefused) {
  // Issued two seconds ago for one second: expired on arrival.
  std::string token = daemon_.TokenFor(kPolice, std::chrono::seconds(1),
                                       SystemClock().Now() - std::chrono::seconds(2));
  cli::HttpClient client(daemon_.base_url(), token);
  EXPECT_EQ(client.Send("GET", "/api/v1/me").status, 401);
  EXPECT_NE(client.Send("GET", "/api/v1/me").body.find("expired"), std::string::npos);
}

TEST(ApiLimitsTest, RateLimitPerClientAnswers429) {
  ApiDaemon daemon(json{{"rate_per_second", 0.001}, {"rate_burst", 3}});
  daemon.Start();
  auto police = daemon.ClientFor(kPolice);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(police->Send("GET", "/api/v1/me").status, 200);
  auto limited = police->Send("GET", "/api/v1/me");
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(ErrorCode(limited), "rate_limited");
  EXPECT_EQ(limited.headers["retry-after"], "1");
  // Another client has its own bucket; probes are never limited.
  EXPECT_EQ(daemon.ClientFor(kPoliceChief)->Send("GET", "/api/v1/me").status, 200);
  EXPECT_EQ(daemon.ClientFor("")->Send("GET", "/healthz").status, 200);
}

TEST(ApiConfigTest, BadApiSectionRefusesToStart) {
  ApiDaemon daemon(json{{"workers", "many"}});
  testing::Subprocess d({testing::kDaemonPath, "--config", daemon.config_path()});
  std::string out = d.ReadAll();
  EXPECT_EQ(d.Wait(), 1) << out;
  EXPECT_NE(out.find("/api/workers"), std::string::npos) << out;
}

}  // namespace
}  // namespace shouhu
