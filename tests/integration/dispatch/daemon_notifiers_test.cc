// The real shouhud with a "notifiers" section: it starts with good plugins
// and refuses to start, with a message naming the channel and the problem,
// on a plugin built for another ABI version, one without the entry symbol,
// a missing plugin, bad plugin settings or a bad section.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "../plugins/peer.h"
#include "../../support/test_paths.h"

namespace shouhu {
namespace {

namespace fs = std::filesystem;
using testing::Peer;
using testing::Subprocess;

const std::string kDaemon = BuildTree("/engine/shouhud");
const std::string kTestPlugins = BuildTree("/tests/notify_plugins");

class DaemonNotifiersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/shouhu-notifiers-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Config(const std::string& notifiers) {
    std::string path = dir_ + "/shouhud.json";
    std::ofstream(path)
        << R"({"data_dir": "data", "workflows": [")" << SourceTree("") <<
           R"(/tests/fixtures/dispatch/workflows"], "organisation": ")" << SourceTree("") <<
           R"(/tests/fixtures/dispatch/org/organisation.json", "listen": "127.0.0.1:0",
                           "encryption": {"none": "development"}, "notifiers": )"
        << notifiers << "}";
    return path;
  }
  // A notifiers section with one channel "email" on the test plugin `plugin`.
  std::string TestPlugin(const std::string& plugin,
                         const std::string& settings) {
    return Config(R"({"plugin_dir": ")" + kTestPlugins +
                  R"(", "channels": {"email":
        {"plugin": ")" +
                  plugin + R"(", "config": )" + settings + "}}}");
  }
  // Runs shouhud to its end; returns its exit code and output.
  std::pair<int, std::string> Refused(const std::string& config) {
    Subprocess d({kDaemon, "--config", config});
    std::string out = d.ReadAll();
    return {d.Wait(), out};
  }

  std::string dir_;
};

TEST_F(DaemonNotifiersTest, StartsWithTheBundledPluginsAndStopsCleanly) {
  std::string config =
      Config(R"({"plugin_dir": ")" + BuildTree("") + R"(/plugins",
      "retry": {"initial": "PT1S", "max": "PT1M", "max_attempts": 3, "jitter": 0.1},
      "channels": {
        "email": {"plugin": "email", "concurrency": 2,
                  "config": {"url": "smtp://127.0.0.1:9", "starttls": "none", "from": "a@b.cn"}},
        "sms": {"plugin": "sms", "rate_per_minute": 30, "burst": 3,
                "quiet_hours": {"start": "22:00", "end": "07:00"},
                "config": {"url": "http://127.0.0.1:9/sms"}},
        "webhook": {"plugin": "webhook", "enabled": false, "config": {"url": "http://x"}}}})");
  Subprocess d({kDaemon, "--config", config});
  ASSERT_TRUE(d.WaitForLine("ready")) << d.output();
  EXPECT_NE(
      d.output().find(
          "dispatching notifications: email (2 at once), sms (1 at once)\n"),
      std::string::npos)
      << d.output();
  d.Signal(SIGTERM);
  std::string out = d.ReadAll();
  EXPECT_EQ(d.Wait(), 0) << out;
}

// Cases opened by the crash test's driver leave their notifications in the
// outbox; shouhud, started on that data, delivers them on its own.
TEST_F(DaemonNotifiersTest, TheDaemonDeliversWhatTheOutboxHolds) {
  Peer peer("http_peer.py", {"--dedup"});
  ASSERT_TRUE(peer.started()) << peer.output();
  Subprocess driver({BuildTree("/tests/dispatch_driver"), dir_ + "/data",
                     peer.url("http"), "4", "open-only"});
  ASSERT_EQ(driver.Wait(), 0) << driver.ReadAll();
  const std::string hook =
      R"({"plugin": "webhook", "config": {"format": "shouhu", "url": ")";
  Subprocess d({kDaemon, "--config",
                Config(R"({"plugin_dir": ")" + BuildTree("") +
                       R"(/plugins", "channels": {
      "email": )" + hook +
                       peer.url("http", "/mail/{{recipient}}") + R"("}},
      "webhook": )" + hook +
                       peer.url("http", "/hooks/{{recipient}}") + R"("}}}})")});
  ASSERT_TRUE(d.WaitForLine("ready")) << d.output();
  std::map<std::string, int> paths;
  std::set<std::string> keys;
  while (keys.size() < 12) {  // 4 cases: 2 emails and a webhook each
    nlohmann::json e = peer.NextEvent();
    ASSERT_TRUE(e.is_object()) << peer.output();
    if (e["new"] == true) keys.insert(e["key"].get<std::string>());
    ++paths[e["path"].get<std::string>()];
  }
  EXPECT_EQ(paths,
            (std::map<std::string, int>{{"/hooks/robot-county", 4},
                                        {"/mail/off1%40town.example.cn", 4},
                                        {"/mail/off2%40town.example.cn", 4}}));
  d.Signal(SIGTERM);
  std::string out = d.ReadAll();
  EXPECT_EQ(d.Wait(), 0) << out;
}

TEST_F(DaemonNotifiersTest, RefusesAPluginBuiltForAnotherAbiVersion) {
  auto [code, out] = Refused(TestPlugin("wrong_abi", R"({"greeting": "hi"})"));
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find("channel \"email\": "), std::string::npos) << out;
  EXPECT_NE(out.find("shouhu_notifier_wrong_abi.so"), std::string::npos) << out;
  EXPECT_NE(out.find("ABI version 2"), std::string::npos) << out;
  EXPECT_NE(out.find("refusing to start"), std::string::npos) << out;
  EXPECT_FALSE(fs::exists(dir_ + "/data"))
      << "refused before the store was created";
}

TEST_F(DaemonNotifiersTest, RefusesAPluginWithoutItsEntrySymbol) {
  auto [code, out] = Refused(TestPlugin("no_entry", R"({"greeting": "hi"})"));
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find("shouhu_notifier_entry"), std::string::npos) << out;
  EXPECT_NE(out.find("refusing to start"), std::string::npos) << out;
}

TEST_F(DaemonNotifiersTest, RefusesAMissingPlugin) {
  auto [code, out] = Refused(TestPlugin("pager", "{}"));
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find("shouhu_notifier_pager.so"), std::string::npos) << out;
}

TEST_F(DaemonNotifiersTest, RefusesBadPluginSettings) {
  auto [code, out] =
      Refused(TestPlugin("good", R"({"greeting": "hi", "colour": "red"})"));
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find("channel \"email\": "), std::string::npos) << out;
  EXPECT_NE(out.find("colour"), std::string::npos) << out;

  auto [code2, out2] = Refused(TestPlugin("good", R"({"count": 3})"));
  EXPECT_EQ(code2, 1) << out2;
  EXPECT_NE(out2.find("greeting"), std::string::npos) << out2;

  // The bundled email plugin's own check: no sender address.
  auto [code3, out3] =
      Refused(Config(R"({"plugin_dir": ")" + BuildTree("") + R"(/plugins",
      "channels": {"email": {"plugin": "email", "config": {"url": "smtp://127.0.0.1:25"}}}})"));
  EXPECT_EQ(code3, 1) << out3;
  EXPECT_NE(out3.find("from"), std::string::npos) << out3;
}

TEST_F(DaemonNotifiersTest, RefusesABadNotifiersSection) {
  struct Case {
    std::string notifiers, message;
  } cases[] = {
      {R"({"channels": {}})", "/notifiers/plugin_dir: expected"},
      {R"({"plugin_dir": "p", "channels": {"sms": {"plugin": "sms", "concurrency": 0}}})",
       "/notifiers/channels/sms/concurrency: expected an integer from 1 to 64"},
      {R"({"plugin_dir": "p", "channels": {"sms": {"plugin": "sms",
           "quiet_hours": {"start": "25:00", "end": "07:00"}}}})",
       "/notifiers/channels/sms/quiet_hours/start: expected \"HH:MM\""},
      {R"({"plugin_dir": "p", "retry": {"initial": "P1M"}, "channels": {}})",
       "/notifiers/retry/initial: expected a positive duration"},
      {R"({"plugin_dir": "p", "channels": {"sms": {"plugin": "sms", "rate": 5}}})",
       "/notifiers/channels/sms/rate: unknown member \"rate\""},
  };
  for (const Case& c : cases) {
    auto [code, out] = Refused(Config(c.notifiers));
    EXPECT_EQ(code, 1) << out;
    EXPECT_NE(out.find(c.message), std::string::npos) << c.notifiers << "\n"
                                                      << out;
  }
}

}  // namespace
}  // namespace shouhu
