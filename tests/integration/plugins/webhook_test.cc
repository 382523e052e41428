// The webhook plugin against a real HTTP server (python3's http.server) on
// loopback: WeCom/DingTalk robot shapes, both signature schemes verified by
// the server, and the mapping of outcomes to OK / RETRY / PERMANENT.
#include <gtest/gtest.h>

#include <chrono>

#include "peer.h"
#include "shouhu/notifier.h"
#include "../../support/test_paths.h"

namespace shouhu {
namespace {

using nlohmann::json;
using testing::Peer;

const std::string kPlugins = BuildTree("/plugins");

std::unique_ptr<Notifier> Webhook(const Peer& peer, const std::string& path,
                                  const std::string& extra = "") {
  std::string config =
      R"({"url": ")" + peer.url("http", path) + R"(")" + extra + "}";
  auto n = LoadNotifier(kPlugins, "webhook", config);
  EXPECT_TRUE(n.ok()) << n.status().ToString();
  return n.ok() ? std::move(*n) : nullptr;
}

NotifierMessage Sample() {
  NotifierMessage m;
  m.idempotency_key = "case-42/timer-assess/1";
  m.recipient = "robot-key/县民政局";
  m.subject = "【紧急】案件 42 调查评估逾期";
  m.body = "请在今日内处置。\n详情见系统。";
  m.template_id = "escalation";
  m.template_params_json = R"({"case": "42"})";
  m.urgent = true;
  return m;
}

TEST(WebhookPluginTest, WeComRobotTextMessageWithRecipientInUrl) {
  Peer peer("http_peer.py",
            {"--response", R"({"errcode": 0, "errmsg": "ok"})"});
  ASSERT_TRUE(peer.started()) << peer.output();
  auto hook = Webhook(peer, "/cgi-bin/webhook/send?key={{recipient}}",
                      R"(, "success_field": "/errcode", "success_value": "0")");
  ASSERT_TRUE(hook);
  SendResult r = hook->Send(Sample());
  ASSERT_EQ(r.code, SendResult::Code::kOk) << r.message;

  json e = peer.NextEvent();
  ASSERT_TRUE(e.is_object()) << peer.output();
  EXPECT_EQ(e["method"], "POST");
  EXPECT_EQ(e["path"], "/cgi-bin/webhook/send");
  EXPECT_EQ(e["query"], json({{"key", "robot-key/县民政局"}}));
  EXPECT_EQ(e["headers"]["content-type"], "application/json; charset=utf-8");
  EXPECT_EQ(e["headers"]["x-shouhu-idempotency-key"], "case-42/timer-assess/1");
  EXPECT_EQ(json::parse(e["body"].get<std::string>()),
            json({{"msgtype", "text"},
                  {"text",
                   {{"content",
                     "【紧急】案件 42 "
                     "调查评估逾期\n请在今日内处置。\n详情见系统。"}}}}));
}

TEST(WebhookPluginTest, ShouhuFormatWithHeaderSignatureVerifiedByTheServer) {
  Peer peer("http_peer.py", {"--secret", "whsec"});
  ASSERT_TRUE(peer.started()) << peer.output();
  auto hook =
      Webhook(peer, "/hooks/shouhu", R"(, "format": "shouhu", "sign": "header",
      "secret": "whsec", "headers": {"Authorization": "Bearer t0ken"})");
  ASSERT_TRUE(hook);
  ASSERT_TRUE(hook->Send(Sample()).ok());

  json e = peer.NextEvent();
  EXPECT_EQ(e["verified"], json({{"shouhu", true}})) << e.dump();
  EXPECT_EQ(
      e["headers"]["x-shouhu-signature"].get<std::string>().rfind("sha256=", 0),
      0u);
  EXPECT_EQ(e["headers"]["authorization"], "Bearer t0ken");
  long long ts =
      std::stoll(e["headers"]["x-shouhu-timestamp"].get<std::string>());
  long long now = std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  EXPECT_LE(std::llabs(now - ts), 60);
  EXPECT_EQ(json::parse(e["body"].get<std::string>()),
            json({{"idempotency_key", "case-42/timer-assess/1"},
                  {"recipient", "robot-key/县民政局"},
                  {"subject", "【紧急】案件 42 调查评估逾期"},
                  {"body", "请在今日内处置。\n详情见系统。"},
                  {"template_id", "escalation"},
                  {"params", {{"case", "42"}}},
                  {"urgent", true}}));
}

TEST(WebhookPluginTest, SignatureWithTheWrongSecretFailsTheServersCheck) {
  Peer peer("http_peer.py", {"--secret", "whsec"});
  ASSERT_TRUE(peer.started()) << peer.output();
  auto hook =
      Webhook(peer, "/", R"(, "sign": "header", "secret": "not-whsec")");
  ASSERT_TRUE(hook);
  ASSERT_TRUE(hook->Send(Sample()).ok());
  EXPECT_EQ(peer.NextEvent()["verified"], json({{"shouhu", false}}));
}

TEST(WebhookPluginTest, DingTalkSignedUrlVerifiedByTheServer) {
  Peer peer("http_peer.py", {"--secret", "SECabc123"});
  ASSERT_TRUE(peer.started()) << peer.output();
  auto hook = Webhook(peer, "/robot/send?access_token=tok",
                      R"(, "sign": "dingtalk", "secret": "SECabc123")");
  ASSERT_TRUE(hook);
  ASSERT_TRUE(hook->Send(Sample()).ok());

  json e = peer.NextEvent();
  EXPECT_EQ(e["verified"], json({{"dingtalk", true}})) << e.dump();
  EXPECT_EQ(e["path"], "/robot/send");
  EXPECT_EQ(e["query"]["access_token"], "tok");
  long long ts = std::stoll(e["query"]["timestamp"].get<std::string>());
  long long now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  EXPECT_LE(std::llabs(now_ms - ts), 60000);  // milliseconds, as DingTalk wants
  EXPECT_FALSE(e["headers"].contains("x-shouhu-signature"));
}

TEST(WebhookPluginTest, HttpStatusMapsToOkRetryOrPermanent) {
  const std::pair<int, SendResult::Code> cases[] = {
      {200, SendResult::Code::kOk},        {500, SendResult::Code::kRetry},
      {502, SendResult::Code::kRetry},     {429, SendResult::Code::kRetry},
      {400, SendResult::Code::kPermanent}, {403, SendResult::Code::kPermanent},
  };
  for (const auto& [status, code] : cases) {
    Peer peer("http_peer.py", {"--status", std::to_string(status)});
    ASSERT_TRUE(peer.started()) << peer.output();
    auto hook = Webhook(peer, "/");
    ASSERT_TRUE(hook);
    SendResult r = hook->Send(Sample());
    EXPECT_EQ(r.code, code) << status << ": " << r.message;
  }
}

TEST(WebhookPluginTest, RobotErrcodeInA200DecidesTheOutcome) {
  struct Case {
    const char* response;
    SendResult::Code code;
  } cases[] = {
      {R"({"errcode": 0, "errmsg": "ok"})", SendResult::Code::kOk},
      {R"({"errcode": 45009, "errmsg": "api freq out of limit"})",
       SendResult::Code::kRetry},
      {R"({"errcode": 310000, "errmsg": "sign not match"})",
       SendResult::Code::kPermanent},
  };
  for (const Case& c : cases) {
    Peer peer("http_peer.py", {"--response", c.response});
    ASSERT_TRUE(peer.started()) << peer.output();
    auto hook = Webhook(peer, "/",
                        R"(, "success_field": "/errcode", "success_value": "0",
        "retry_values": "45009|130101")");
    ASSERT_TRUE(hook);
    SendResult r = hook->Send(Sample());
    EXPECT_EQ(r.code, c.code) << c.response << ": " << r.message;
  }
}

TEST(WebhookPluginTest, EndpointFailingTheNthCallIsRetriedThenRecovers) {
  Peer peer("http_peer.py", {"--fail-nth", "3", "--fail-status", "500"});
  ASSERT_TRUE(peer.started()) << peer.output();
  auto hook = Webhook(peer, "/");
  ASSERT_TRUE(hook);
  EXPECT_EQ(hook->Send(Sample()).code, SendResult::Code::kOk);
  EXPECT_EQ(hook->Send(Sample()).code, SendResult::Code::kOk);
  EXPECT_EQ(hook->Send(Sample()).code, SendResult::Code::kRetry);
  EXPECT_EQ(hook->Send(Sample()).code, SendResult::Code::kOk);
}

TEST(WebhookPluginTest, EndpointDownIsRetry) {
  Peer peer("http_peer.py", {});
  ASSERT_TRUE(peer.started()) << peer.output();
  auto hook = Webhook(peer, "/");
  ASSERT_TRUE(hook);
  peer.Stop();
  EXPECT_EQ(hook->Send(Sample()).code, SendResult::Code::kRetry);
}

TEST(WebhookPluginTest, EmptyRecipientForAPerRecipientUrlIsPermanent) {
  Peer peer("http_peer.py", {});
  ASSERT_TRUE(peer.started()) << peer.output();
  auto hook = Webhook(peer, "/send?key={{recipient}}");
  ASSERT_TRUE(hook);
  NotifierMessage m = Sample();
  m.recipient = "";
  EXPECT_EQ(hook->Send(m).code, SendResult::Code::kPermanent);
  peer.Stop();
  EXPECT_EQ(peer.output().find("EVENT"), std::string::npos) << peer.output();
}

}  // namespace
}  // namespace shouhu
