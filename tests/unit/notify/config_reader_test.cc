// Reading a plugin's config through its settings table, and reading a
// gateway's verdict from a JSON response.
#include <gtest/gtest.h>

#include "common/config.h"
#include "common/response_check.h"

namespace shouhu::plugin {
namespace {

const shouhu_setting kTable[] = {
    {"url", SHOUHU_SETTING_STRING, 1, nullptr, nullptr, "u"},
    {"mode", SHOUHU_SETTING_ENUM, 0, "a", "a|b", "m"},
    {"n", SHOUHU_SETTING_INT, 0, "7", nullptr, "n"},
    {"on", SHOUHU_SETTING_BOOL, 0, "true", nullptr, "o"},
    {"h", SHOUHU_SETTING_MAP, 0, "{\"k\":\"v\"}", nullptr, "h"},
    {"key", SHOUHU_SETTING_SECRET, 0, nullptr, nullptr, "k"},
    {"success_field", SHOUHU_SETTING_STRING, 0, "", nullptr, ""},
    {"success_value", SHOUHU_SETTING_STRING, 0, "", nullptr, ""},
    {"retry_values", SHOUHU_SETTING_STRING, 0, "", nullptr, ""},
    {nullptr, 0, 0, nullptr, nullptr, nullptr},
};

TEST(ConfigReaderTest, GivenValuesAndDefaults) {
  ConfigReader r(kTable, R"({"url": "http://x", "n": 3})");
  std::string url, mode, key = "unset";
  int64_t n = 0;
  bool on = false;
  std::map<std::string, std::string> h;
  r.String("url", &url);
  r.String("mode", &mode);
  r.Int("n", &n);
  r.Bool("on", &on);
  r.Map("h", &h);
  r.String("key", &key);
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(url, "http://x");
  EXPECT_EQ(mode, "a");
  EXPECT_EQ(n, 3);
  EXPECT_TRUE(on);
  EXPECT_EQ(h, (std::map<std::string, std::string>{{"k", "v"}}));
  EXPECT_EQ(key, "unset");  // no value, no default: left alone
}

TEST(ConfigReaderTest, ErrorsNameTheSettingAndTheFirstOneWins) {
  ConfigReader r(kTable, R"({"url": "x", "mode": "c", "n": "7"})");
  std::string mode;
  int64_t n;
  r.String("mode", &mode);
  r.Int("n", &n);
  EXPECT_EQ(r.error(), "setting \"mode\": must be one of a|b");
}

TEST(ConfigReaderTest, MissingRequiredAndWrongType) {
  std::string url;
  ConfigReader missing(kTable, "{}");
  missing.String("url", &url);
  EXPECT_EQ(missing.error(), "setting \"url\": required setting is missing");
  int64_t n;
  ConfigReader wrong(kTable, R"({"url": "x", "n": "7"})");
  wrong.Int("n", &n);
  EXPECT_EQ(wrong.error(), "setting \"n\": has the wrong type");
}

TEST(ConfigReaderTest, ReadingAnUndeclaredSettingIsAPluginBug) {
  ConfigReader r(kTable, R"({"url": "x"})");
  int64_t n;
  r.Int("url", &n);
  EXPECT_EQ(
      r.error(),
      "internal: setting \"url\" is not in the settings table with that type");
}

TEST(ConfigReaderTest, NotAnObject) {
  EXPECT_EQ(ConfigReader(kTable, "[1]").error(),
            "configuration must be a JSON object");
}

ResponseCheck Check(const std::string& config) {
  ConfigReader r(kTable, config.c_str());
  ResponseCheck check;
  check.Configure(r);
  EXPECT_TRUE(r.ok()) << r.error();
  return check;
}

TEST(ResponseCheckTest, OffByDefault) {
  std::string reason;
  EXPECT_EQ(Check(R"({"url": "x"})").Check("not json", &reason),
            SHOUHU_SEND_OK);
}

TEST(ResponseCheckTest, SuccessRetryAndPermanentValues) {
  ResponseCheck c = Check(R"({"url": "x", "success_field": "/errcode",
      "success_value": "0", "retry_values": "45009|130101"})");
  std::string reason;
  EXPECT_EQ(c.Check(R"({"errcode": 0, "errmsg": "ok"})", &reason),
            SHOUHU_SEND_OK);
  EXPECT_EQ(c.Check(R"({"errcode": 45009})", &reason), SHOUHU_SEND_RETRY);
  EXPECT_EQ(reason, "response /errcode is 45009, expected \"0\"");
  EXPECT_EQ(c.Check(R"({"errcode": 310000})", &reason), SHOUHU_SEND_PERMANENT);
  EXPECT_EQ(c.Check(R"({"other": 1})", &reason), SHOUHU_SEND_PERMANENT);
  EXPECT_EQ(c.Check("<html>", &reason), SHOUHU_SEND_PERMANENT);
}

TEST(ResponseCheckTest, NestedStringField) {
  ResponseCheck c = Check(
      R"({"url": "x", "success_field": "/Response/Status", "success_value": "Ok"})");
  std::string reason;
  EXPECT_EQ(c.Check(R"({"Response": {"Status": "Ok"}})", &reason),
            SHOUHU_SEND_OK);
  EXPECT_EQ(c.Check(R"({"Response": {"Status": "Fail"}})", &reason),
            SHOUHU_SEND_PERMANENT);
}

}  // namespace
}  // namespace shouhu::plugin
