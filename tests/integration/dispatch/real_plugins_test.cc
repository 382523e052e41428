// The dispatcher with the real plugins against real peers on loopback: a
// rendered Chinese notification arrives by email (decoded by Python's email
// package), by SMS (request body and cloud-style signature) and by webhook
// (JSON body and HMAC header), each with its idempotency key.
#include "../../unit/dispatch/dispatch_fixture.h"
#include "../plugins/peer.h"
#include "plugin_channels.h"

namespace shouhu::dispatch_test {
namespace {

using json = nlohmann::json;
using shouhu::testing::Peer;

class RealPluginsTest : public DispatcherTest {};

TEST_F(RealPluginsTest, EmailArrivesWithChineseSubjectAndBodyDecoded) {
  Peer smtp("smtp_peer.py", {});
  ASSERT_TRUE(smtp.started()) << smtp.output();
  pending_channels_.push_back(PluginChannel(
      "email", "email",
      R"({"url": ")" + smtp.url("smtp") +
          R"(", "starttls": "none", "from": "守护平台 <shouhu@county.example.cn>"})"));
  Start();
  std::string id = OpenCaseAt("village", "小明");
  DispatchRound round = Run();
  ASSERT_EQ(round.delivered, 2u)
      << round.retried << " retried, " << round.dead << " dead";
  std::set<std::string> to;
  for (int i = 0; i < 2; ++i) {
    json e = smtp.NextEvent();
    ASSERT_TRUE(e.is_object()) << smtp.output();
    to.insert(e["rcpt_tos"][0].get<std::string>());
    EXPECT_EQ(e["subject"], "新的报告：小明 / New report: 小明");
    EXPECT_EQ(e["from_decoded"], "守护平台 <shouhu@county.example.cn>");
    std::string body = e["body"];
    EXPECT_NE(body.find("和平村的案件 " + id +
                        "，状态：处理中。迹象：独居、营养不良。"),
              std::string::npos)
        << body;
    EXPECT_NE(body.find("Case " + id + " in Heping Village, state: Open."),
              std::string::npos)
        << body;
    EXPECT_TRUE(e["seven_bit"]) << "UTF-8 must be encoded for SMTP";
    // The plugin derives the Message-ID from the idempotency key.
    EXPECT_TRUE(e["headers"].contains("Message-ID")) << e.dump();
  }
  EXPECT_EQ(to, (std::set<std::string>{"off1@town.example.cn",
                                       "off2@town.example.cn"}));
  EXPECT_EQ(Deliveries(id).size(), 2u);
}

TEST_F(RealPluginsTest,
       SmsCarriesPhoneProviderTemplateParamsAndAValidSignature) {
  Peer http("http_peer.py",
            {"--secret", "sms-secret", "--response", R"({"Code": "OK"})"});
  ASSERT_TRUE(http.started()) << http.output();
  ChannelOptions sms =
      PluginChannel("sms", "sms",
                    R"({"url": ")" + http.url("http", "/sms/send") +
                        R"(", "sign_name": "守护平台",
      "body_template": "{\"PhoneNumbers\":\"{{phone}}\",\"SignName\":\"{{sign_name}}\",\"TemplateCode\":\"{{template_id}}\",\"TemplateParam\":\"{{params_json_string}}\",\"OutId\":\"{{idempotency_key}}\"}",
      "headers": {"X-Nonce": "{{nonce}}", "X-Timestamp": "{{timestamp}}"},
      "hmac_key": "sms-secret", "hmac_header": "X-Sign", "hmac_encoding": "base64",
      "hmac_payload": "{{nonce}}{{timestamp}}{{body}}",
      "success_field": "/Code", "success_value": "OK"})");
  sms.template_ids = {{"urgent_alert", "SMS_0042"}};
  pending_channels_.push_back(std::move(sms));
  Channel("email");  // the opening's emails, to the in-test peer
  Start();
  std::string id = OpenCaseAt("village", "小红");
  FireOn(id, "alert");
  ASSERT_EQ(Run().delivered, 4u);
  std::set<std::string> phones;
  for (int i = 0; i < 2; ++i) {
    json e = http.NextEvent();
    ASSERT_TRUE(e.is_object()) << http.output();
    EXPECT_EQ(e["method"], "POST");
    EXPECT_EQ(e["path"], "/sms/send");
    EXPECT_EQ(e["verified"], json({{"cloud", true}})) << e.dump();
    json body = json::parse(e["body"].get<std::string>());
    phones.insert(body["PhoneNumbers"].get<std::string>());
    EXPECT_EQ(body["SignName"], "守护平台");
    EXPECT_EQ(body["TemplateCode"], "SMS_0042");
    EXPECT_EQ(json::parse(body["TemplateParam"].get<std::string>()),
              json({{"child_name", "小红"}, {"case_id", id}}));
    std::string key = body["OutId"];
    EXPECT_EQ(key.rfind(id + "/", 0), 0u) << key;
    EXPECT_TRUE(key.ends_with("/sms")) << key;
  }
  EXPECT_EQ(phones, (std::set<std::string>{"13800000002", "13800000003"}));
}

TEST_F(RealPluginsTest, WebhookPostsSignedJsonToTheRecipientsRobot) {
  Peer http("http_peer.py", {"--secret", "hook-secret"});
  ASSERT_TRUE(http.started()) << http.output();
  pending_channels_.push_back(PluginChannel(
      "webhook", "webhook",
      R"({"url": ")" + http.url("http", "/hooks/{{recipient}}") +
          R"(", "format": "shouhu", "sign": "header", "secret": "hook-secret"})"));
  Channel("email");
  Start();
  std::string id = OpenCaseAt("village", "小刚");
  FireOn(id, "hook");  // officers two levels up: the county's chief
  ASSERT_EQ(Run().delivered, 3u);
  json e = http.NextEvent();
  ASSERT_TRUE(e.is_object()) << http.output();
  EXPECT_EQ(e["method"], "POST");
  EXPECT_EQ(e["path"], "/hooks/robot-county");
  EXPECT_EQ(e["verified"], json({{"shouhu", true}})) << e.dump();
  json body = json::parse(e["body"].get<std::string>());
  // A webhook posts to a group chat: the child's name (not public) is masked
  // although the chief may read it (access.json has no "contacts").
  EXPECT_EQ(body["subject"], "新的报告：（已隐去） / New report: (withheld)");
  EXPECT_EQ(body["recipient"], "robot-county");
  EXPECT_EQ(body["template_id"], "new_case");
  EXPECT_EQ(body["urgent"], false);
  EXPECT_TRUE(
      body["idempotency_key"].get<std::string>().ends_with("/chief/webhook"));
  EXPECT_EQ(e["headers"]["x-shouhu-idempotency-key"], body["idempotency_key"]);
}

}  // namespace
}  // namespace shouhu::dispatch_test
