// The SMS plugin against a real HTTP server (python3's http.server) on
// loopback: request shape per configuration, signatures verified by the
// server, and the mapping of HTTP outcomes to OK / RETRY / PERMANENT.
#include <gtest/gtest.h>

#include "peer.h"
#include "shouhu/notifier.h"
#include "../../support/test_paths.h"

namespace shouhu {
namespace {

using nlohmann::json;
using testing::Peer;

const std::string kPlugins = BuildTree("/plugins");

std::unique_ptr<Notifier> Sms(const std::string& config) {
  auto n = LoadNotifier(kPlugins, "sms", config);
  EXPECT_TRUE(n.ok()) << n.status().ToString();
  return n.ok() ? std::move(*n) : nullptr;
}

// A config for `peer` with `extra` settings appended.
std::string Config(const Peer& peer, const std::string& path,
                   const std::string& extra = "") {
  return R"({"url": ")" + peer.url("http", path) + R"(", "timeout_ms": 10000)" +
         extra + "}";
}

NotifierMessage Sample() {
  NotifierMessage m;
  m.idempotency_key = "case-42/timer-assess/1";
  m.recipient = "+8613800138000";
  m.template_id = "SMS_20260101";
  m.template_params_json = R"({"case": "42", "deadline": "1月5日"})";
  m.body = "案件 42 已逾期，请处置";
  return m;
}

TEST(SmsPluginTest, GenericJsonGatewayWithShouhuSignature) {
  Peer peer("http_peer.py", {"--secret", "k3y"});
  ASSERT_TRUE(peer.started()) << peer.output();
  auto sms = Sms(
      Config(peer, "/v1/sms", R"(, "sign_name": "守护平台", "hmac_key": "k3y",
      "hmac_header": "X-Shouhu-Signature", "hmac_prefix": "sha256=",
      "headers": {"X-Shouhu-Timestamp": "{{timestamp}}"})"));
  ASSERT_TRUE(sms);
  SendResult r = sms->Send(Sample());
  ASSERT_EQ(r.code, SendResult::Code::kOk) << r.message;

  json e = peer.NextEvent();
  ASSERT_TRUE(e.is_object()) << peer.output();
  EXPECT_EQ(e["method"], "POST");
  EXPECT_EQ(e["path"], "/v1/sms");
  EXPECT_EQ(e["headers"]["content-type"], "application/json");
  EXPECT_EQ(e["headers"]["x-shouhu-idempotency-key"], "case-42/timer-assess/1");
  EXPECT_EQ(e["verified"], json({{"shouhu", true}})) << e.dump();
  json body = json::parse(e["body"].get<std::string>());
  EXPECT_EQ(body, json({{"phone", "+8613800138000"},
                        {"template_id", "SMS_20260101"},
                        {"params", {{"case", "42"}, {"deadline", "1月5日"}}},
                        {"sign_name", "守护平台"},
                        {"idempotency_key", "case-42/timer-assess/1"}}));
}

TEST(SmsPluginTest, CloudStyleApiWithBase64SignatureOverNonceTimestampAndBody) {
  Peer peer("http_peer.py", {"--secret", "cloud-secret", "--response",
                             R"({"Code": "OK", "BizId": "9001"})"});
  ASSERT_TRUE(peer.started()) << peer.output();
  auto sms = Sms(Config(peer, "/", R"(, "sign_name": "守护平台",
      "body_template": "{\"PhoneNumbers\":\"{{phone}}\",\"SignName\":\"{{sign_name}}\",\"TemplateCode\":\"{{template_id}}\",\"TemplateParam\":\"{{params_json_string}}\",\"OutId\":\"{{idempotency_key}}\"}",
      "headers": {"X-Nonce": "{{nonce}}", "X-Timestamp": "{{timestamp}}", "Authorization": "APPCODE abc"},
      "hmac_key": "cloud-secret", "hmac_header": "X-Sign", "hmac_encoding": "base64",
      "hmac_payload": "{{nonce}}{{timestamp}}{{body}}",
      "success_field": "/Code", "success_value": "OK")"));
  ASSERT_TRUE(sms);
  SendResult r = sms->Send(Sample());
  ASSERT_EQ(r.code, SendResult::Code::kOk) << r.message;

  json e = peer.NextEvent();
  EXPECT_EQ(e["verified"], json({{"cloud", true}})) << e.dump();
  EXPECT_EQ(e["headers"]["authorization"], "APPCODE abc");
  EXPECT_EQ(e["headers"]["x-nonce"].get<std::string>().size(), 32u);
  json body = json::parse(e["body"].get<std::string>());
  EXPECT_EQ(body["SignName"], "守护平台");
  EXPECT_EQ(body["OutId"], "case-42/timer-assess/1");
  // TemplateParam is the params object as a JSON string.
  EXPECT_EQ(json::parse(body["TemplateParam"].get<std::string>()),
            json({{"case", "42"}, {"deadline", "1月5日"}}));
}

TEST(SmsPluginTest, NonceIsFreshForEveryAttempt) {
  Peer peer("http_peer.py", {});
  ASSERT_TRUE(peer.started()) << peer.output();
  auto sms = Sms(Config(peer, "/", R"(, "headers": {"X-Nonce": "{{nonce}}"})"));
  ASSERT_TRUE(sms);
  ASSERT_TRUE(sms->Send(Sample()).ok());
  ASSERT_TRUE(sms->Send(Sample()).ok());
  EXPECT_NE(peer.NextEvent()["headers"]["x-nonce"],
            peer.NextEvent()["headers"]["x-nonce"]);
}

TEST(SmsPluginTest, GetGatewayWithPercentEncodedQuery) {
  Peer peer("http_peer.py", {});
  ASSERT_TRUE(peer.started()) << peer.output();
  auto sms = Sms(Config(peer, "/send?mobile={{phone}}&text={{content}}&key=abc",
                        R"(, "method": "GET")"));
  ASSERT_TRUE(sms);
  ASSERT_TRUE(sms->Send(Sample()).ok());
  json e = peer.NextEvent();
  EXPECT_EQ(e["method"], "GET");
  EXPECT_EQ(e["query"], json({{"mobile", "+8613800138000"},
                              {"text", "案件 42 已逾期，请处置"},
                              {"key", "abc"}}));
  EXPECT_EQ(e["body"], "");
}

TEST(SmsPluginTest, FormEncodedBody) {
  Peer peer("http_peer.py", {});
  ASSERT_TRUE(peer.started()) << peer.output();
  auto sms = Sms(Config(peer, "/form", R"(, "body_encoding": "form",
      "content_type": "application/x-www-form-urlencoded",
      "body_template": "mobile={{phone}}&content={{content}}")"));
  ASSERT_TRUE(sms);
  ASSERT_TRUE(sms->Send(Sample()).ok());
  json e = peer.NextEvent();
  EXPECT_EQ(e["headers"]["content-type"], "application/x-www-form-urlencoded");
  EXPECT_EQ(e["body"],
            "mobile=%2B8613800138000&content=%E6%A1%88%E4%BB%B6%2042%20%E5%B7%"
            "B2%E9%80%BE"
            "%E6%9C%9F%EF%BC%8C%E8%AF%B7%E5%A4%84%E7%BD%AE");
}

TEST(SmsPluginTest, HttpStatusMapsToOkRetryOrPermanent) {
  const std::pair<int, SendResult::Code> cases[] = {
      {200, SendResult::Code::kOk},        {204, SendResult::Code::kOk},
      {500, SendResult::Code::kRetry},     {503, SendResult::Code::kRetry},
      {429, SendResult::Code::kRetry},     {408, SendResult::Code::kRetry},
      {400, SendResult::Code::kPermanent}, {401, SendResult::Code::kPermanent},
      {404, SendResult::Code::kPermanent}, {302, SendResult::Code::kPermanent},
  };
  for (const auto& [status, code] : cases) {
    Peer peer("http_peer.py", {"--status", std::to_string(status)});
    ASSERT_TRUE(peer.started()) << peer.output();
    auto sms = Sms(Config(peer, "/"));
    ASSERT_TRUE(sms);
    SendResult r = sms->Send(Sample());
    EXPECT_EQ(r.code, code) << status << ": " << r.message;
    if (code != SendResult::Code::kOk) {
      EXPECT_EQ(r.message.rfind("HTTP " + std::to_string(status), 0), 0u)
          << r.message;
    }
  }
}

TEST(SmsPluginTest, GatewayFailingTheNthCallIsRetriedThenRecovers) {
  Peer peer("http_peer.py", {"--fail-nth", "2", "--fail-status", "503"});
  ASSERT_TRUE(peer.started()) << peer.output();
  auto sms = Sms(Config(peer, "/"));
  ASSERT_TRUE(sms);
  EXPECT_EQ(sms->Send(Sample()).code, SendResult::Code::kOk);
  SendResult second = sms->Send(Sample());
  EXPECT_EQ(second.code, SendResult::Code::kRetry);
  EXPECT_EQ(second.message, R"(HTTP 503: {"error": "injected"})");
  EXPECT_EQ(sms->Send(Sample()).code, SendResult::Code::kOk);
  EXPECT_EQ(peer.NextEvent()["status"], 200);
  EXPECT_EQ(peer.NextEvent()["status"], 503);
  EXPECT_EQ(peer.NextEvent()["status"], 200);
}

TEST(SmsPluginTest, GatewayDownIsRetry) {
  Peer peer("http_peer.py", {});
  ASSERT_TRUE(peer.started()) << peer.output();
  auto sms = Sms(Config(peer, "/"));
  ASSERT_TRUE(sms);
  peer.Stop();
  SendResult r = sms->Send(Sample());
  EXPECT_EQ(r.code, SendResult::Code::kRetry);
  EXPECT_EQ(r.message.rfind("no response: ", 0), 0u) << r.message;
}

TEST(SmsPluginTest, GatewayThatNeverAnswersTimesOutAsRetry) {
  Peer peer("http_peer.py", {"--hang"});
  ASSERT_TRUE(peer.started()) << peer.output();
  auto sms =
      Sms(R"({"url": ")" + peer.url("http", "/") + R"(", "timeout_ms": 300})");
  ASSERT_TRUE(sms);
  SendResult r = sms->Send(Sample());
  EXPECT_EQ(r.code, SendResult::Code::kRetry) << r.message;
  EXPECT_TRUE(peer.NextEvent().is_object());  // the request did arrive
}

TEST(SmsPluginTest, SuccessFieldDecidesA200) {
  struct Case {
    const char* response;
    SendResult::Code code;
  } cases[] = {
      {R"({"Code": "OK"})", SendResult::Code::kOk},
      {R"({"Code": "Throttling"})", SendResult::Code::kRetry},
      {R"({"Code": "isv.MOBILE_NUMBER_ILLEGAL"})",
       SendResult::Code::kPermanent},
      {"<html>busy</html>", SendResult::Code::kPermanent},
  };
  for (const Case& c : cases) {
    Peer peer("http_peer.py", {"--response", c.response});
    ASSERT_TRUE(peer.started()) << peer.output();
    auto sms = Sms(
        Config(peer, "/", R"(, "success_field": "/Code", "success_value": "OK",
        "retry_values": "Throttling|isv.BUSINESS_LIMIT_CONTROL")"));
    ASSERT_TRUE(sms);
    SendResult r = sms->Send(Sample());
    EXPECT_EQ(r.code, c.code) << c.response << ": " << r.message;
  }
}

TEST(SmsPluginTest, MessagesThePluginCannotSendArePermanentWithoutARequest) {
  Peer peer("http_peer.py", {});
  ASSERT_TRUE(peer.started()) << peer.output();
  auto sms = Sms(Config(peer, "/"));
  ASSERT_TRUE(sms);
  NotifierMessage m = Sample();
  m.recipient = "caseworker@county.example.cn";
  EXPECT_EQ(sms->Send(m).code, SendResult::Code::kPermanent);
  m = Sample();
  m.template_params_json = "[1, 2]";
  EXPECT_EQ(sms->Send(m).code, SendResult::Code::kPermanent);
  m = Sample();
  m.idempotency_key = "k\r\nX-Injected: 1";
  SendResult r = sms->Send(m);
  EXPECT_EQ(r.code, SendResult::Code::kPermanent);
  EXPECT_EQ(r.message,
            "header \"X-Shouhu-Idempotency-Key\" would contain a line break");
  peer.Stop();
  EXPECT_EQ(peer.output().find("EVENT"), std::string::npos) << peer.output();
}

// --- Alibaba Cloud and Tencent Cloud SMS (issue 17) ---
// The loopback server checks each request's signature with the provider's
// published algorithm, written independently in cloud_signatures.py, and
// answers as the provider does.

std::string CloudConfig(const Peer& peer, const std::string& provider,
                        const std::string& secret, const std::string& extra = "") {
  return R"({"provider": ")" + provider + R"(", "url": ")" + peer.url("http", "/") +
         R"(", "access_key_id": "LTAI-test-id", "access_key_secret": ")" + secret +
         R"(", "sign_name": "守护平台")" + extra + "}";
}

TEST(SmsPluginTest, AlibabaCloudSmsSignedWithAcs3) {
  Peer peer("http_peer.py", {"--secret", "ali-secret", "--refuse-bad-signature", "--response",
                             R"({"Code": "OK", "Message": "OK", "BizId": "9001"})"});
  ASSERT_TRUE(peer.started()) << peer.output();
  auto sms = Sms(CloudConfig(peer, "aliyun", "ali-secret"));
  ASSERT_TRUE(sms);
  SendResult r = sms->Send(Sample());
  ASSERT_EQ(r.code, SendResult::Code::kOk) << r.message;
  json e = peer.NextEvent();
  ASSERT_TRUE(e.is_object()) << peer.output();
  EXPECT_EQ(e["verified"]["aliyun"], true) << e.dump();
  EXPECT_EQ(e["method"], "POST");
  EXPECT_EQ(e["headers"]["x-acs-action"], "SendSms");
  EXPECT_EQ(e["headers"]["x-acs-version"], "2017-05-25");
  EXPECT_EQ(e["query"]["PhoneNumbers"], "+8613800138000");
  EXPECT_EQ(e["query"]["SignName"], "守护平台");
  EXPECT_EQ(e["query"]["TemplateCode"], "SMS_20260101");
  EXPECT_EQ(json::parse(e["query"]["TemplateParam"].get<std::string>()),
            json({{"case", "42"}, {"deadline", "1月5日"}}));
  EXPECT_EQ(e["query"]["OutId"], "case-42/timer-assess/1");
  EXPECT_NE(e["headers"]["authorization"].get<std::string>().find("Credential=LTAI-test-id,"),
            std::string::npos);
}

TEST(SmsPluginTest, TencentCloudSmsSignedWithTc3WithPositionalParameters) {
  Peer peer("http_peer.py",
            {"--secret", "tc-secret", "--refuse-bad-signature", "--response",
             R"({"Response": {"SendStatusSet": [{"SerialNo": "5000", "PhoneNumber": "+8613800138000", "Code": "Ok", "Message": "send success"}], "RequestId": "r1"}})"});
  ASSERT_TRUE(peer.started()) << peer.output();
  auto sms = Sms(CloudConfig(peer, "tencent", "tc-secret",
                             R"(, "sdk_app_id": "1400000001", "region": "ap-beijing",
                                "template_params": {"SMS_20260101": "deadline,case"})"));
  ASSERT_TRUE(sms);
  SendResult r = sms->Send(Sample());
  ASSERT_EQ(r.code, SendResult::Code::kOk) << r.message;
  json e = peer.NextEvent();
  ASSERT_TRUE(e.is_object()) << peer.output();
  EXPECT_EQ(e["verified"]["tencent"], true) << e.dump();
  EXPECT_EQ(e["headers"]["x-tc-action"], "SendSms");
  EXPECT_EQ(e["headers"]["x-tc-version"], "2021-01-11");
  EXPECT_EQ(e["headers"]["x-tc-region"], "ap-beijing");
  json body = json::parse(e["body"].get<std::string>());
  EXPECT_EQ(body["PhoneNumberSet"], json::array({"+8613800138000"}));
  EXPECT_EQ(body["SmsSdkAppId"], "1400000001");
  EXPECT_EQ(body["SignName"], "守护平台");
  EXPECT_EQ(body["TemplateId"], "SMS_20260101");
  // The template's {1} is the deadline, {2} the case, as configured.
  EXPECT_EQ(body["TemplateParamSet"], json::array({"1月5日", "42"}));
  EXPECT_EQ(body["SessionContext"], "case-42/timer-assess/1");
}

TEST(SmsPluginTest, AWrongSecretIsRefusedByTheProviderAndFailsForGood) {
  for (std::string provider : {"aliyun", "tencent"}) {
    SCOPED_TRACE(provider);
    Peer peer("http_peer.py", {"--secret", "the-real-secret", "--refuse-bad-signature"});
    ASSERT_TRUE(peer.started()) << peer.output();
    auto sms = Sms(CloudConfig(peer, provider, "a-wrong-secret",
                               provider == "tencent" ? R"(, "sdk_app_id": "1400000001")" : ""));
    ASSERT_TRUE(sms);
    SendResult r = sms->Send(Sample());
    EXPECT_EQ(r.code, SendResult::Code::kPermanent) << r.message;
    EXPECT_NE(r.message.find(provider == "aliyun" ? "SignatureDoesNotMatch"
                                                  : "AuthFailure.SignatureFailure"),
              std::string::npos)
        << r.message;
    json e = peer.NextEvent();
    EXPECT_EQ(e["verified"][provider], false) << e.dump();
  }
}

TEST(SmsPluginTest, CloudErrorCodesMapToRetryOrPermanent) {
  struct Case {
    std::string provider, response;
    SendResult::Code want;
  } cases[] = {
      {"aliyun", R"({"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发分钟级流控"})",
       SendResult::Code::kRetry},
      {"aliyun", R"({"Code": "Throttling.User", "Message": "Request was denied due to user flow control."})",
       SendResult::Code::kRetry},
      {"aliyun", R"({"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"})",
       SendResult::Code::kPermanent},
      {"aliyun", R"({"Code": "isv.SMS_TEMPLATE_ILLEGAL", "Message": "模板不合法"})",
       SendResult::Code::kPermanent},
      {"tencent", R"({"Response": {"SendStatusSet": [{"Code": "LimitExceeded.PhoneNumberThirtySecondLimit", "Message": "30秒内发送短信条数超过上限"}], "RequestId": "r"}})",
       SendResult::Code::kRetry},
      {"tencent", R"({"Response": {"Error": {"Code": "InternalError.Timeout", "Message": "timeout"}, "RequestId": "r"}})",
       SendResult::Code::kRetry},
      {"tencent", R"({"Response": {"SendStatusSet": [{"Code": "FailedOperation.TemplateIncorrectOrUnapproved", "Message": "模板未审批"}], "RequestId": "r"}})",
       SendResult::Code::kPermanent},
      {"tencent", R"({"Response": {"Error": {"Code": "InvalidParameterValue.IncorrectPhoneNumber", "Message": "手机号格式错误"}, "RequestId": "r"}})",
       SendResult::Code::kPermanent},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.response);
    Peer peer("http_peer.py", {"--response", c.response});
    ASSERT_TRUE(peer.started()) << peer.output();
    auto sms = Sms(CloudConfig(peer, c.provider, "s",
                               c.provider == "tencent" ? R"(, "sdk_app_id": "1400000001")" : ""));
    ASSERT_TRUE(sms);
    SendResult r = sms->Send(Sample());
    EXPECT_EQ(r.code, c.want) << r.message;
  }
}

TEST(SmsPluginTest, CloudProvidersNeedTheirCredentials) {
  auto missing = LoadNotifier(kPlugins, "sms",
                              R"({"provider": "tencent", "url": "https://sms.tencentcloudapi.com/",
                                  "access_key_id": "id", "access_key_secret": "s",
                                  "sign_name": "守护平台"})");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("sdk_app_id"), std::string::npos)
      << missing.status().message();
  auto no_secret = LoadNotifier(kPlugins, "sms",
                                R"({"provider": "aliyun", "url": "https://dysmsapi.aliyuncs.com/",
                                    "access_key_id": "id", "sign_name": "守护平台"})");
  ASSERT_FALSE(no_secret.ok());
  EXPECT_NE(no_secret.status().message().find("access_key_secret"), std::string::npos);
}

}  // namespace
}  // namespace shouhu
