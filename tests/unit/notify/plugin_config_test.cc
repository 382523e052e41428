// Each bundled plugin's settings, checked through the real plugin file the way
// shouhud loads it (config_test style): a valid config, invalid values caught
// by the plugin's own checks, an unknown setting, a missing required one.
#include <gtest/gtest.h>

#include "shouhu/notifier.h"
#include "../../support/test_paths.h"

namespace shouhu {
namespace {

const std::string kPlugins = BuildTree("/plugins");

// "OK", or the message of the load error.
std::string Error(const std::string& name, const std::string& config) {
  auto n = LoadNotifier(kPlugins, name, config);
  if (n.ok()) return "OK";
  EXPECT_EQ(n.status().code(), StatusCode::kInvalidArgument);
  return n.status().message();
}

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.rfind(prefix, 0) == 0;
}

// --- email ---

const char kEmail[] =
    R"({"url": "smtps://mail.example.cn:465", "from": "守护 <noreply@example.cn>"})";

TEST(EmailConfigTest, ValidConfigLoads) {
  EXPECT_EQ(Error("email", kEmail), "OK");
  EXPECT_EQ(
      Error("email", R"({"url": "smtp://127.0.0.1:2525", "starttls": "none",
      "from": "a@b.cn", "username": "u", "password": "p", "timeout_ms": 5000})"),
      "OK");
}

TEST(EmailConfigTest, InvalidValuesNameTheSetting) {
  EXPECT_EQ(
      Error("email", R"({"url": "http://mail.example.cn", "from": "a@b.cn"})"),
      "notifier \"email\": setting \"url\": must start with smtp:// or "
      "smtps://");
  EXPECT_EQ(Error("email", R"({"url": "smtp://h", "from": "not an address"})"),
            "notifier \"email\": setting \"from\": \"not an address\" is not "
            "\"local@domain\" or \"Name <local@domain>\"");
  EXPECT_EQ(
      Error("email",
            R"({"url": "smtp://h", "from": "a@b.cn", "starttls": "maybe"})"),
      "notifier \"email\": setting \"starttls\": must be one of require, none, "
      "got \"maybe\"");
  EXPECT_EQ(Error("email",
                  R"({"url": "smtp://h", "from": "a@b.cn", "timeout_ms": 0})"),
            "notifier \"email\": setting \"timeout_ms\": must be between 1 and "
            "600000");
  EXPECT_EQ(Error("email",
                  R"({"url": "smtp://h", "from": "a@b.cn", "username": "u"})"),
            "notifier \"email\": setting \"password\": required when username "
            "is set");
}

TEST(EmailConfigTest, UnknownSettingIsRefused) {
  EXPECT_EQ(
      Error("email", R"({"url": "smtp://h", "from": "a@b.cn", "tls": "on"})"),
      "notifier \"email\": unknown setting \"tls\" (known: url, starttls, "
      "username, password, from, timeout_ms)");
}

TEST(EmailConfigTest, MissingRequiredSettingIsNamed) {
  EXPECT_PRED2(StartsWith, Error("email", R"({"url": "smtp://h"})"),
               "notifier \"email\": missing required setting \"from\": ");
}

// --- sms ---

TEST(SmsConfigTest, ValidConfigsLoad) {
  EXPECT_EQ(Error("sms", R"({"url": "https://sms.example.cn/send"})"), "OK");
  EXPECT_EQ(Error("sms", R"({"url": "https://sms.example.cn/send?to={{phone}}",
      "method": "GET", "headers": {"X-Api-Key": "k", "X-Nonce": "{{nonce}}"},
      "body_encoding": "form", "body_template": "to={{phone}}&text={{content}}",
      "hmac_key": "s", "hmac_header": "X-Sign", "hmac_payload": "{{nonce}}{{timestamp}}{{body}}",
      "hmac_encoding": "base64", "success_field": "/Code", "success_value": "OK",
      "retry_values": "Throttling|isv.BUSINESS_LIMIT_CONTROL"})"),
            "OK");
}

TEST(SmsConfigTest, InvalidValuesNameTheSetting) {
  EXPECT_EQ(
      Error("sms", R"({"url": "ftp://sms.example.cn"})"),
      "notifier \"sms\": setting \"url\": must start with http:// or https://");
  EXPECT_EQ(
      Error("sms", R"({"url": "https://s/{{phone}", "body_template": "x"})"),
      "notifier \"sms\": setting \"url\": \"{{\" at offset 10 has no closing "
      "\"}}\"");
  EXPECT_PRED2(
      StartsWith,
      Error("sms", R"({"url": "https://s", "body_template": "{{mobile}}"})"),
      "notifier \"sms\": setting \"body_template\": unknown placeholder "
      "{{mobile}} (known: ");
  EXPECT_EQ(
      Error("sms", R"({"url": "https://s", "headers": {"Bad Name": "x"}})"),
      "notifier \"sms\": setting \"headers\": \"Bad Name\" is not a header "
      "name");
  EXPECT_PRED2(
      StartsWith,
      Error("sms", R"({"url": "https://s", "hmac_payload": "{{secret}}"})"),
      "notifier \"sms\": setting \"hmac_payload\": unknown placeholder "
      "{{secret}} (known: ");
  EXPECT_EQ(Error("sms", R"({"url": "https://s", "success_field": "Code"})"),
            "notifier \"sms\": setting \"success_field\": must be a JSON "
            "pointer such as /errcode");
  EXPECT_EQ(Error("sms", R"({"url": "https://s", "method": "DELETE"})"),
            "notifier \"sms\": setting \"method\": must be one of POST, PUT, "
            "GET, got \"DELETE\"");
}

TEST(SmsConfigTest, UnknownSettingIsRefused) {
  EXPECT_PRED2(StartsWith,
               Error("sms", R"({"url": "https://s", "apikey": "k"})"),
               "notifier \"sms\": unknown setting \"apikey\" (known: ");
}

TEST(SmsConfigTest, MissingRequiredSettingIsNamed) {
  EXPECT_PRED2(StartsWith, Error("sms", "{}"),
               "notifier \"sms\": missing required setting \"url\": ");
}

// --- webhook ---

TEST(WebhookConfigTest, ValidConfigsLoad) {
  EXPECT_EQ(
      Error(
          "webhook",
          R"({"url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={{recipient}}",
      "success_field": "/errcode", "success_value": "0", "retry_values": "45009"})"),
      "OK");
  EXPECT_EQ(
      Error("webhook",
            R"({"url": "https://oapi.dingtalk.com/robot/send?access_token=t",
      "sign": "dingtalk", "secret": "SEC123"})"),
      "OK");
  EXPECT_EQ(
      Error("webhook", R"({"url": "http://127.0.0.1:9/hook", "format": "shouhu",
      "sign": "header", "secret": "s", "headers": {"Authorization": "Bearer t"}})"),
      "OK");
}

TEST(WebhookConfigTest, InvalidValuesNameTheSetting) {
  EXPECT_EQ(
      Error("webhook", R"({"url": "https://h", "sign": "header"})"),
      "notifier \"webhook\": setting \"secret\": required when sign is header");
  EXPECT_EQ(
      Error("webhook", R"({"url": "https://h/{{key}}"})"),
      "notifier \"webhook\": setting \"url\": unknown placeholder {{key}} "
      "(known: {{recipient}})");
  EXPECT_EQ(
      Error("webhook", R"({"url": "https://h", "format": "markdown"})"),
      "notifier \"webhook\": setting \"format\": must be one of text, shouhu, "
      "got \"markdown\"");
  EXPECT_EQ(Error("webhook",
                  R"({"url": "https://h", "headers": {"X-A": "a\r\nX-B: b"}})"),
            "notifier \"webhook\": setting \"headers\": value of \"X-A\" "
            "contains a line break");
}

TEST(WebhookConfigTest, UnknownSettingIsRefused) {
  EXPECT_PRED2(StartsWith,
               Error("webhook", R"({"url": "https://h", "token": "t"})"),
               "notifier \"webhook\": unknown setting \"token\" (known: ");
}

TEST(WebhookConfigTest, MissingRequiredSettingIsNamed) {
  EXPECT_PRED2(StartsWith, Error("webhook", R"({"sign": "none"})"),
               "notifier \"webhook\": missing required setting \"url\": ");
}

// --- documentation ---

TEST(PluginHelpTest, EveryBundledPluginDocumentsEverySetting) {
  for (std::string name : {"email", "sms", "webhook"}) {
    auto plugin = NotifierPlugin::Open(kPlugins, name);
    ASSERT_TRUE(plugin.ok()) << plugin.status().ToString();
    std::string help = (*plugin)->Help();
    for (const NotifierSetting& s : (*plugin)->settings()) {
      EXPECT_NE(help.find("  " + s.name + " ("), std::string::npos)
          << name << ": " << s.name;
      EXPECT_FALSE(s.description.empty()) << name << ": " << s.name;
    }
  }
}

}  // namespace
}  // namespace shouhu
