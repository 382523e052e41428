// The application layer in-process: storage that cannot write answers 503
// and writes nothing (commands and audited reads alike).
#include <gtest/gtest.h>

#include <tuple>

#include "api_service_fixture.h"

namespace shouhu::api {
namespace {

using nlohmann::json;

const std::string kReport = R"({"workflow": "mandatory_report", "data": {
  "child_name": "小明", "category": "missing", "reporter_kind": "mandated",
  "reporter_category": "school",
  "discovered_at": "2026-03-02T08:00:00+08:00"}})";

TEST_F(ApiServiceTest, StorageThatCannotWriteGives503AndWritesNothing) {
  std::string teacher = TokenFor("u0021"), police = TokenFor("u0008");
  store_->FailNextCommits(1);
  HttpResponse refused = Call("POST", "/api/v1/cases", teacher, kReport);
  EXPECT_EQ(refused.status, 503);
  EXPECT_EQ(json::parse(refused.body)["error"]["code"], "unavailable");
  EXPECT_EQ(refused.headers["Retry-After"], "1");
  HttpResponse list = Call("GET", "/api/v1/cases?unit=chengguan-primary", police, "");
  EXPECT_EQ(json::parse(list.body)["cases"].size(), 0u);

  HttpResponse opened = Call("POST", "/api/v1/cases", teacher, kReport);
  ASSERT_EQ(opened.status, 201) << opened.body;
  std::string id = json::parse(opened.body)["case_id"];
  // A read whose audit record cannot be written is refused too.
  store_->FailNextCommits(1);
  EXPECT_EQ(Call("GET", "/api/v1/cases/" + id, police, "").status, 503);
  EXPECT_EQ(Call("GET", "/api/v1/cases/" + id, police, "").status, 200);
}

// Regression (issue 11): a value nested 100,000 deep in "data" overflowed the
// stack of the thread that copied it, killing the daemon. Now 400, naming the
// limit, and the service goes on answering.
TEST_F(ApiServiceTest, DataNestedDeeperThanTheLimitIs400NotACrash) {
  std::string teacher = TokenFor("u0021"), police = TokenFor("u0008");
  HttpResponse opened = Call("POST", "/api/v1/cases", teacher, kReport);
  ASSERT_EQ(opened.status, 201) << opened.body;
  std::string id = json::parse(opened.body)["case_id"];

  std::string deep = std::string(100'000, '[') + std::string(100'000, ']');
  std::string report = R"({"workflow": "mandatory_report", "data": {"child_name": )" +
                       deep + "}}";
  std::string event = R"({"event": "accept", "data": {"intake_kind": )" + deep + "}}";
  for (const auto& [target, token, body] :
       {std::tuple{std::string("/api/v1/cases"), teacher, report},
        std::tuple{"/api/v1/cases/" + id + "/events", police, event}}) {
    HttpResponse r = Call("POST", target, token, body);
    EXPECT_EQ(r.status, 400) << target;
    EXPECT_NE(r.body.find("nested deeper than 64 levels"), std::string::npos) << r.body;
  }
  // Up to the limit is parsed (and then refused as usual: wrong type or state).
  std::string legal = std::string(61, '[') + std::string(61, ']');
  HttpResponse typed = Call("POST", "/api/v1/cases/" + id + "/events", police,
                            R"({"event": "accept", "data": {"intake_kind": )" + legal + "}}");
  EXPECT_TRUE(typed.status == 409 || typed.status == 422) << typed.status << typed.body;
  EXPECT_EQ(Call("GET", "/api/v1/cases/" + id, police, "").status, 200);
}

TEST_F(ApiServiceTest, ReadinessFollowsSetReady) {
  EXPECT_EQ(Call("GET", "/readyz", "", "").status, 503);
  service().SetReady(true);
  EXPECT_EQ(Call("GET", "/readyz", "", "").status, 200);
}

TEST_F(ApiServiceTest, MetricsCountRequestsByRouteAndCode) {
  Call("GET", "/api/v1/me", "", "");
  Call("GET", "/api/v1/me", TokenFor("u0008"), "");
  std::string text = Call("GET", "/metrics", "", "").body;
  EXPECT_NE(text.find("shouhu_http_requests_total{route=\"me\",code=\"401\"} 1"), std::string::npos) << text;
  EXPECT_NE(text.find("shouhu_http_requests_total{route=\"me\",code=\"200\"} 1"), std::string::npos);
  EXPECT_NE(text.find("shouhu_http_request_duration_seconds_count{route=\"me\"} 2"), std::string::npos);
  EXPECT_NE(text.find("# TYPE shouhu_store_commits_total counter"), std::string::npos);
  EXPECT_NE(text.find("shouhu_outbox_depth 0"), std::string::npos);
}

}  // namespace
}  // namespace shouhu::api
