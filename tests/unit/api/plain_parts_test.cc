// The API's plain parts: target parsing, routing, tokens, rate limits.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "api/http_message.h"
#include "api/rate_limiter.h"
#include "api/router.h"
#include "auth/token_store.h"

namespace shouhu::api {
namespace {

TEST(ParseTargetTest, DecodesPathAndQuery) {
  std::string path;
  std::map<std::string, std::string> query;
  ASSERT_TRUE(ParseTarget("/api/v1/cases?unit=%E5%9F%8E&mine=true&x=a+b", &path, &query));
  EXPECT_EQ(path, "/api/v1/cases");
  EXPECT_EQ(query["unit"], "城");
  EXPECT_EQ(query["mine"], "true");
  EXPECT_EQ(query["x"], "a b");
  EXPECT_FALSE(ParseTarget("/a?b=%G1", &path, &query));
  EXPECT_FALSE(ParseTarget("/a%2", &path, &query));
  EXPECT_FALSE(ParseTarget("http://x/a", &path, &query));
}

TEST(RouterTest, MatchesParamsAndTellsWrongMethodFromNoPath) {
  Router router;
  int called = 0;
  router.Add("GET", "/api/v1/cases/{id}", "get", [&](auto&, auto&) { ++called; return HttpResponse{}; });
  router.Add("POST", "/api/v1/cases/{id}/events", "fire", [](auto&, auto&) { return HttpResponse{}; });
  RouteMatch m;
  ASSERT_EQ(router.Match("GET", "/api/v1/cases/C1", &m), Router::Result::kFound);
  EXPECT_EQ(m.route->name, "get");
  EXPECT_EQ(m.Param("id"), "C1");
  EXPECT_EQ(router.Match("POST", "/api/v1/cases/C1", &m), Router::Result::kWrongMethod);
  EXPECT_EQ(router.Match("GET", "/api/v1/cases/C1/x", &m), Router::Result::kNoPath);
  ASSERT_EQ(router.Match("POST", "/api/v1/cases/C2/events", &m), Router::Result::kFound);
  EXPECT_EQ(m.Param("id"), "C2");
}

TEST(RateLimiterTest, BurstThenRefillPerClient) {
  RateLimiter limiter(2, 3);  // 2 per second, bursts of 3
  auto t = std::chrono::steady_clock::time_point{};
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Allow("a", t));
  EXPECT_FALSE(limiter.Allow("a", t));
  EXPECT_TRUE(limiter.Allow("b", t));
  t += std::chrono::milliseconds(500);  // one more token
  EXPECT_TRUE(limiter.Allow("a", t));
  EXPECT_FALSE(limiter.Allow("a", t));
  RateLimiter unlimited(0, 0);
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(unlimited.Allow("a", t));
}

class TokenStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/shouhu-tokens-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path() const { return dir_ + "/data/tokens.json"; }
  std::string dir_;
  Instant now_{std::chrono::milliseconds(1'772'000'000'000)};
};

TEST_F(TokenStoreTest, IssueVerifyRevokeExpire) {
  TokenStore store(path());
  auto issued = store.Issue("u0008", std::chrono::hours(1), "laptop", now_);
  ASSERT_TRUE(issued.ok()) << issued.status().ToString();
  auto ok = store.Verify(issued->token, now_);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->user, "u0008");
  EXPECT_FALSE(store.Verify(issued->token, now_ + std::chrono::hours(1)).ok());
  std::string tampered = issued->token;
  tampered.back() = tampered.back() == '0' ? '1' : '0';
  EXPECT_FALSE(store.Verify(tampered, now_).ok());
  EXPECT_FALSE(store.Verify("Bearer nonsense", now_).ok());
  ASSERT_TRUE(store.Revoke(issued->info.id, now_).ok());
  auto revoked = store.Verify(issued->token, now_);
  EXPECT_EQ(revoked.status().message(), "the token was revoked");
  EXPECT_EQ(store.Revoke("nope", now_).code(), StatusCode::kNotFound);
  EXPECT_EQ(store.Issue("", std::chrono::hours(1), "", now_).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(TokenStoreTest, StoresOnlySaltedHashesPrivately) {
  TokenStore store(path());
  auto a = store.Issue("u0008", std::chrono::hours(1), "", now_);
  auto b = store.Issue("u0008", std::chrono::hours(1), "", now_);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->token, b->token);
  std::ifstream in(path());
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(text.find(a->token.substr(17)), std::string::npos);
  EXPECT_EQ(text.find(b->token.substr(17)), std::string::npos);
  auto perms = std::filesystem::status(path()).permissions();
  EXPECT_EQ(perms & std::filesystem::perms::others_read, std::filesystem::perms::none);
}

// Two stores on one file stand for the CLI and the daemon.
TEST_F(TokenStoreTest, AnotherProcessSeesIssueAndRevoke) {
  TokenStore cli(path()), daemon(path());
  EXPECT_TRUE(daemon.List()->empty());
  auto issued = cli.Issue("u0007", std::chrono::hours(1), "", now_);
  ASSERT_TRUE(issued.ok());
  EXPECT_TRUE(daemon.Verify(issued->token, now_).ok());
  auto second = daemon.Issue("u0008", std::chrono::hours(1), "", now_);
  ASSERT_TRUE(cli.Revoke(issued->info.id, now_).ok());
  EXPECT_FALSE(daemon.Verify(issued->token, now_).ok());
  EXPECT_TRUE(daemon.Verify(second->token, now_).ok());
  EXPECT_EQ(cli.List()->size(), 2u);
}

}  // namespace
}  // namespace shouhu::api
