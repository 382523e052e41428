// Loading notifier plugins: the good path, each way a plugin file can be
// wrong, configuration checks against the settings table, and the mapping of
// send results. The plugins are built from test_plugin.c.
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "shouhu/notifier.h"

namespace shouhu {
namespace {

const std::string kDir = SHOUHU_TEST_PLUGIN_DIR;
const std::string kGood = R"({"greeting": "你好"})";

// Instances of the good plugin alive inside it (init minus shutdown).
int LiveInstances() {
  void* h = dlopen((kDir + "/shouhu_notifier_good.so").c_str(),
                   RTLD_NOW | RTLD_NOLOAD);
  if (!h) return -1;
  auto fn = reinterpret_cast<int (*)()>(dlsym(h, "shouhu_test_live_instances"));
  int n = fn ? fn() : -1;
  dlclose(h);
  return n;
}

NotifierMessage To(const std::string& recipient) {
  NotifierMessage m;
  m.idempotency_key = "k1";
  m.recipient = recipient;
  return m;
}

bool Contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

TEST(LoaderTest, GoodPluginLoadsAndDescribesItself) {
  auto plugin = NotifierPlugin::Open(kDir, "good");
  ASSERT_TRUE(plugin.ok()) << plugin.status().ToString();
  EXPECT_EQ((*plugin)->name(), "good");
  EXPECT_EQ((*plugin)->path(), kDir + "/shouhu_notifier_good.so");
  ASSERT_EQ((*plugin)->settings().size(), 6u);
  const NotifierSetting& count = (*plugin)->settings()[1];
  EXPECT_EQ(count.name, "count");
  EXPECT_EQ(count.type, NotifierSetting::Type::kInt);
  EXPECT_TRUE(count.has_default);
  EXPECT_EQ(count.default_value, "3");
  EXPECT_EQ((*plugin)->settings()[2].choices,
            (std::vector<std::string>{"ok", "retry", "permanent", "bogus"}));
}

TEST(LoaderTest, HelpDocumentsEverySettingFromTheTable) {
  auto plugin = NotifierPlugin::Open(kDir, "good");
  ASSERT_TRUE(plugin.ok());
  std::string help = (*plugin)->Help();
  EXPECT_TRUE(Contains(help, "good: A plugin for the loader tests.")) << help;
  EXPECT_TRUE(Contains(help, "greeting (string, required)")) << help;
  EXPECT_TRUE(Contains(help, "count (integer, default 3)")) << help;
  EXPECT_TRUE(Contains(help, "mode (ok|retry|permanent|bogus, default ok)"))
      << help;
  EXPECT_TRUE(Contains(help, "token (secret string, default \"\")")) << help;
  EXPECT_TRUE(Contains(help, "What send returns.")) << help;
}

TEST(LoaderTest, WrongAbiVersionNamesFileAndBothVersions) {
  auto plugin = NotifierPlugin::Open(kDir, "wrong_abi");
  ASSERT_FALSE(plugin.ok());
  EXPECT_EQ(plugin.status().code(), StatusCode::kFailedPrecondition);
  const std::string m = plugin.status().message();
  EXPECT_TRUE(Contains(m, kDir + "/shouhu_notifier_wrong_abi.so")) << m;
  EXPECT_TRUE(Contains(m, "ABI version 2, expected 1")) << m;
}

TEST(LoaderTest, MissingEntrySymbolIsAClearError) {
  auto plugin = NotifierPlugin::Open(kDir, "no_entry");
  ASSERT_FALSE(plugin.ok());
  EXPECT_EQ(plugin.status().code(), StatusCode::kFailedPrecondition);
  const std::string m = plugin.status().message();
  EXPECT_TRUE(Contains(m, "shouhu_notifier_no_entry.so")) << m;
  EXPECT_TRUE(Contains(m, "missing symbol \"shouhu_notifier_entry\"")) << m;
}

TEST(LoaderTest, PluginWhoseNameDiffersFromItsFileIsRefused) {
  auto plugin = NotifierPlugin::Open(kDir, "misnamed");
  ASSERT_FALSE(plugin.ok());
  EXPECT_TRUE(Contains(plugin.status().message(),
                       "calls itself \"good\", expected \"misnamed\""))
      << plugin.status().message();
}

TEST(LoaderTest, MalformedSettingsTableIsThePluginsFault) {
  auto plugin = NotifierPlugin::Open(kDir, "bad_table");
  ASSERT_FALSE(plugin.ok());
  EXPECT_EQ(plugin.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Contains(plugin.status().message(), "default of \"count\""))
      << plugin.status().message();
}

TEST(LoaderTest, MissingFileIsNotFound) {
  auto plugin = NotifierPlugin::Open(kDir, "absent");
  ASSERT_FALSE(plugin.ok());
  EXPECT_EQ(plugin.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(Contains(plugin.status().message(), "shouhu_notifier_absent.so"));
}

TEST(LoaderTest, NameThatCouldEscapeTheDirectoryIsRefused) {
  for (std::string name : {"../good", "Good", "", "a/b"}) {
    auto plugin = NotifierPlugin::Open(kDir, name);
    ASSERT_FALSE(plugin.ok()) << name;
    EXPECT_EQ(plugin.status().code(), StatusCode::kInvalidArgument) << name;
  }
}

TEST(LoaderTest, FileThatIsNotASharedObjectIsAClearError) {
  char tmpl[] = "/tmp/shouhu-notify-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::ofstream(dir + "/shouhu_notifier_junk.so") << "not an ELF file\n";
  auto plugin = NotifierPlugin::Open(dir, "junk");
  std::filesystem::remove_all(dir);
  ASSERT_FALSE(plugin.ok());
  EXPECT_EQ(plugin.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Contains(plugin.status().message(),
                       "shouhu_notifier_junk.so: cannot load"))
      << plugin.status().message();
}

// --- configuration against the settings table ---

Status CreateError(const std::string& config) {
  auto n = LoadNotifier(kDir, "good", config);
  return n.ok() ? Status::Ok() : n.status();
}

TEST(LoaderConfigTest, UnknownSettingIsNamedWithTheKnownOnes) {
  Status s = CreateError(R"({"greeting": "hi", "greting": "x"})");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "notifier \"good\": unknown setting \"greting\" (known: greeting, "
            "count, mode, token, loud, extra)");
}

TEST(LoaderConfigTest, MissingRequiredSettingIsNamed) {
  Status s = CreateError("{}");
  EXPECT_EQ(s.message(),
            "notifier \"good\": missing required setting \"greeting\": Any "
            "non-empty text.");
}

TEST(LoaderConfigTest, WrongTypesAreNamed) {
  EXPECT_EQ(CreateError(R"({"greeting": "hi", "count": "3"})").message(),
            "notifier \"good\": setting \"count\": expected an integer, got a "
            "string");
  EXPECT_EQ(CreateError(R"({"greeting": "hi", "count": 1.5})").message(),
            "notifier \"good\": setting \"count\": expected an integer, got a "
            "fractional number");
  EXPECT_EQ(CreateError(R"({"greeting": "hi", "loud": "yes"})").message(),
            "notifier \"good\": setting \"loud\": expected true or false, got "
            "a string");
  EXPECT_EQ(CreateError(R"({"greeting": "hi", "mode": "maybe"})").message(),
            "notifier \"good\": setting \"mode\": must be one of ok, retry, "
            "permanent, bogus, got \"maybe\"");
  EXPECT_EQ(
      CreateError(R"({"greeting": "hi", "extra": {"a": 1}})").message(),
      "notifier \"good\": setting \"extra\": value of \"a\" must be a string");
}

TEST(LoaderConfigTest, SecretValuesNeverAppearInErrors) {
  Status s = CreateError(R"({"greeting": "hi", "token": ["hunter2"]})");
  EXPECT_EQ(
      s.message(),
      "notifier \"good\": setting \"token\": expected a string, got an array");
  EXPECT_FALSE(Contains(s.message(), "hunter2"));
}

TEST(LoaderConfigTest, MalformedJsonIsRefused) {
  EXPECT_EQ(CreateError("{greeting").message(),
            "notifier \"good\": configuration is not valid JSON");
  EXPECT_EQ(CreateError("[]").message(),
            "notifier \"good\": configuration must be a JSON object");
}

TEST(LoaderConfigTest, PluginInitErrorIsReportedWithThePluginName) {
  Status s = CreateError(R"({"greeting": ""})");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "notifier \"good\": setting \"greeting\": must not be empty");
}

TEST(LoaderConfigTest, InitReceivesTheConfigWithDefaultsFilledIn) {
  auto n = LoadNotifier(kDir, "good", kGood);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  SendResult r = (*n)->Send(To("echo-config"));
  EXPECT_EQ(
      r.message,
      R"({"count":3,"extra":{},"greeting":"你好","loud":false,"mode":"ok","token":""})");
}

// --- Send ---

SendResult SendWithMode(const std::string& mode) {
  auto n = LoadNotifier(kDir, "good",
                        R"({"greeting": "hi", "mode": ")" + mode + "\"}");
  EXPECT_TRUE(n.ok()) << n.status().ToString();
  return (*n)->Send(To("someone"));
}

TEST(NotifierSendTest, ResultsMapToTheirCodes) {
  EXPECT_EQ(SendWithMode("ok").code, SendResult::Code::kOk);
  SendResult retry = SendWithMode("retry");
  EXPECT_EQ(retry.code, SendResult::Code::kRetry);
  EXPECT_EQ(retry.message, "retry as configured");
  SendResult permanent = SendWithMode("permanent");
  EXPECT_EQ(permanent.code, SendResult::Code::kPermanent);
  EXPECT_EQ(permanent.message, "permanent as configured");
}

TEST(NotifierSendTest, ResultOutsideTheAbiIsRetriedNotDropped) {
  SendResult r = SendWithMode("bogus");
  EXPECT_EQ(r.code, SendResult::Code::kRetry);
  EXPECT_EQ(r.message, "plugin \"good\" returned unknown result 42");
}

TEST(NotifierSendTest, EveryMessageFieldReachesThePlugin) {
  auto n = LoadNotifier(kDir, "good", kGood);
  ASSERT_TRUE(n.ok());
  NotifierMessage m = To("echo-message");
  m.idempotency_key = "case-7/esc-2";
  m.subject = "逾期";
  m.body = "请处置";
  m.template_id = "SMS_1";
  m.template_params_json = R"({"case":"7"})";
  m.urgent = true;
  EXPECT_EQ((*n)->Send(m).message,
            R"(case-7/esc-2|echo-message|逾期|请处置|SMS_1|{"case":"7"}|1)");
  m.template_params_json = "";  // the ABI promises "{}" at least
  m.urgent = false;
  EXPECT_EQ((*n)->Send(m).message,
            "case-7/esc-2|echo-message|逾期|请处置|SMS_1|{}|0");
}

TEST(NotifierSendTest, MessageWithANulByteIsPermanent) {
  auto n = LoadNotifier(kDir, "good", kGood);
  ASSERT_TRUE(n.ok());
  NotifierMessage m = To("x");
  m.body = std::string("a\0b", 3);
  SendResult r = (*n)->Send(m);
  EXPECT_EQ(r.code, SendResult::Code::kPermanent);
}

TEST(NotifierSendTest,
     ShutdownRunsOncePerInstanceEvenAfterThePluginHandleIsGone) {
  auto plugin = NotifierPlugin::Open(kDir, "good");
  ASSERT_TRUE(plugin.ok());
  int before = LiveInstances();
  auto a = (*plugin)->Create(kGood);
  auto b = (*plugin)->Create(kGood);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(LiveInstances(), before + 2);
  plugin = NotFound("dropped");  // instances keep the library loaded
  EXPECT_EQ((*a)->Send(To("r")).code, SendResult::Code::kOk);
  a->reset();
  EXPECT_EQ(LiveInstances(), before + 1);
  b->reset();
  EXPECT_EQ(LiveInstances(), before);
}

}  // namespace
}  // namespace shouhu
