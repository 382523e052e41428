// The real shouhud, started as a user would start it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "../support/data_key.h"
#include "../support/pg_cluster.h"
#include "../support/subprocess.h"
#include "../support/test_paths.h"

namespace shouhu {
namespace {

namespace fs = std::filesystem;
using testing::Subprocess;

const std::string kDaemon = BuildTree("/engine/shouhud");

class DaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/shouhu-daemon-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string WriteConfig(const std::string& workflows,
                          const std::string& data_dir = "data") {
    std::string path = dir_ + "/shouhud.json";
    if (!fs::exists(dir_ + "/shouhud.key")) testing::WriteTestKeyFile(dir_ + "/shouhud.key");
    std::ofstream(path) << R"({"data_dir": ")" << data_dir << R"(", "workflows": [")" << workflows
                        << R"("], "listen": "127.0.0.1:0",
                              "encryption": {"key_file": "shouhud.key"}})";
    return path;
  }

  std::string dir_;
};

TEST_F(DaemonTest, RunsUntilSigtermThenExitsZero) {
  Subprocess d({kDaemon, "--config", WriteConfig(SourceTree("/workflows"))});
  ASSERT_TRUE(d.started());
  ASSERT_TRUE(d.WaitForLine("ready")) << d.output();
  EXPECT_NE(d.output().find("mandatory_report v1"), std::string::npos);
  // The data directory is a RocksDB database now.
  EXPECT_TRUE(fs::exists(dir_ + "/data/CURRENT"));
  d.Signal(SIGTERM);
  std::string out = d.ReadAll();
  EXPECT_EQ(d.Wait(), 0) << out;
  EXPECT_NE(out.find("SIGTERM received"), std::string::npos) << out;
  EXPECT_NE(out.find("stopped"), std::string::npos) << out;
}

// The README's run command names var/data in a fresh clone, where var/ does
// not exist yet.
TEST_F(DaemonTest, CreatesAMissingDataDirectoryAndItsParents) {
  Subprocess d({kDaemon, "--config",
                WriteConfig(SourceTree("/workflows"), "var/nested/data")});
  ASSERT_TRUE(d.WaitForLine("ready")) << d.output();
  EXPECT_TRUE(fs::exists(dir_ + "/var/nested/data/CURRENT"));
  d.Signal(SIGTERM);
  std::string out = d.ReadAll();
  EXPECT_EQ(d.Wait(), 0) << out;
}

// The sample configuration of deploy/ loads: its county, its workflows and
// its notifier channels. Its plugin_dir names the release build's plugins
// (../build/plugins); the test takes this build's, so a tree with only
// another build (build-asan) passes too.
TEST_F(DaemonTest, StartsWithTheSampleConfiguration) {
  std::ifstream in(SourceTree("/deploy/shouhud.json"));
  nlohmann::json config = nlohmann::json::parse(in);
  const fs::path deploy = SourceTree("/deploy");
  for (const char* member : {"data_dir", "organisation"}) {
    config[member] = (deploy / config[member].get<std::string>()).lexically_normal();
  }
  for (auto& w : config["workflows"]) w = (deploy / w.get<std::string>()).lexically_normal();
  ASSERT_EQ(config["notifiers"]["plugin_dir"], "../build/plugins");
  // Its key file is made by the README's run command (`shouhu key init`).
  ASSERT_EQ(config["encryption"]["key_file"], "../var/shouhud.key");
  testing::WriteTestKeyFile(dir_ + "/sample.key");
  config["encryption"]["key_file"] = dir_ + "/sample.key";
  config["notifiers"]["plugin_dir"] = BuildTree("/plugins");
  std::ofstream(dir_ + "/shouhud.json") << config.dump();
  Subprocess d({kDaemon, "--config", dir_ + "/shouhud.json", "--data-dir", dir_ + "/sample-data",
                "--listen", "127.0.0.1:0"});
  ASSERT_TRUE(d.WaitForLine("ready")) << d.output();
  EXPECT_NE(d.output().find("organisation: 122 units, 294 users"), std::string::npos)
      << d.output();
  d.Signal(SIGTERM);
  std::string out = d.ReadAll();
  EXPECT_EQ(d.Wait(), 0) << out;
}

// The production unit hands the data key over as a systemd credential
// (deploy/shouhud.service: LoadCredential=shouhud.key:...).
TEST_F(DaemonTest, ReadsTheDataKeyFromASystemdCredential) {
  fs::create_directories(dir_ + "/credentials");
  const std::string id = testing::WriteTestKeyFile(dir_ + "/credentials/shouhud.key");
  const std::string path = dir_ + "/shouhud.json";
  std::ofstream(path) << R"({"data_dir": "data", "workflows": [")" << SourceTree("") <<
                         R"(/workflows"], "listen": "127.0.0.1:0",
                         "encryption": {"key_credential": "shouhud.key"}})";
  ::unsetenv("CREDENTIALS_DIRECTORY");
  {
    Subprocess d({kDaemon, "--config", path});
    std::string out = d.ReadAll();
    EXPECT_EQ(d.Wait(), 1);
    EXPECT_NE(out.find("$CREDENTIALS_DIRECTORY is not set"), std::string::npos) << out;
  }
  ::setenv("CREDENTIALS_DIRECTORY", (dir_ + "/credentials").c_str(), 1);
  Subprocess d({kDaemon, "--config", path});
  ::unsetenv("CREDENTIALS_DIRECTORY");
  ASSERT_TRUE(d.WaitForLine("ready")) << d.output();
  EXPECT_NE(d.output().find("encrypted at rest under key " + id), std::string::npos)
      << d.output();
  d.Signal(SIGTERM);
  EXPECT_EQ(d.Wait(), 0) << d.ReadAll();
}

TEST_F(DaemonTest, RestartsOnTheSameDataDirectory) {
  for (int i = 0; i < 2; ++i) {
    Subprocess d({kDaemon, "--config", WriteConfig(SourceTree("/workflows"))});
    ASSERT_TRUE(d.WaitForLine("ready")) << d.output();
    d.Signal(SIGINT);
    EXPECT_EQ(d.Wait(), 0) << d.ReadAll();
  }
}

TEST_F(DaemonTest, RefusesToStartOnAnInvalidDefinition) {
  fs::create_directories(dir_ + "/wf");
  std::ifstream in(SourceTree("/workflows/mandatory_report.json"));
  std::string text((std::istreambuf_iterator<char>(in)), {});
  auto at = text.find("\"PT2H\"");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 6, "\"PT2X\"");
  std::ofstream(dir_ + "/wf/mandatory_report.json") << text;
  fs::copy(SourceTree("/workflows/calendars"), dir_ + "/wf/calendars");

  Subprocess d({kDaemon, "--config", WriteConfig(dir_ + "/wf")});
  std::string out = d.ReadAll();
  EXPECT_EQ(d.Wait(), 1);
  // The same file:json-pointer: message line that `shouhu validate` prints.
  EXPECT_NE(out.find(dir_ + "/wf/mandatory_report.json:/service_levels/2/within: "
                            "bad duration \"PT2X\""),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("refusing to start"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir_ + "/data"));  // nothing was created
}

// Access rules are checked at start-up like workflows (issue 12): a wrong
// capability is a file:json-pointer: message and nothing starts.
TEST_F(DaemonTest, RefusesInvalidAccessRules) {
  std::ifstream in(SourceTree("/deploy/county/access.json"));
  std::string text((std::istreambuf_iterator<char>(in)), {});
  auto at = text.find("\"case.reporter_identity\"");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 24, "\"case.everything\"");
  std::ofstream(dir_ + "/access.json") << text;
  std::string path = dir_ + "/shouhud.json";
  std::ofstream(path) << R"({"data_dir": "data", "workflows": [")" << SourceTree("") <<
                         R"(/workflows"], "organisation": ")" << SourceTree("") <<
                         R"(/deploy/county/organisation.json", "access": "access.json",
                         "listen": "127.0.0.1:0", "encryption": {"none": "development"}})";
  Subprocess d({kDaemon, "--config", path});
  std::string out = d.ReadAll();
  EXPECT_EQ(d.Wait(), 1);
  EXPECT_NE(out.find(dir_ + "/access.json:/roles/police_officer/1: unknown capability "
                            "\"case.everything\""),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("refusing to start"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir_ + "/data"));
}

TEST_F(DaemonTest, RefusesABadConfigurationFile) {
  std::string path = dir_ + "/bad.json";
  std::ofstream(path) << R"({"data_dir": "data", "workflow": ["x"]})";
  Subprocess d({kDaemon, "--config", path});
  std::string out = d.ReadAll();
  EXPECT_EQ(d.Wait(), 1);
  EXPECT_NE(out.find("unknown member \"workflow\""), std::string::npos) << out;
}

// `shouhud --check-config`: everything start-up checks, every problem at
// once, and nothing opened or created (issue 17).
TEST_F(DaemonTest, ChecksItsConfigurationWithoutOpeningTheStore) {
  std::string path = WriteConfig(SourceTree("/workflows"));
  Subprocess ok({kDaemon, "--check-config=" + path});
  std::string out = ok.ReadAll();
  EXPECT_EQ(ok.Wait(), 0) << out;
  EXPECT_NE(out.find("ok  workflow mandatory_report v1"), std::string::npos) << out;
  EXPECT_NE(out.find("ok  data key "), std::string::npos) << out;
  EXPECT_NE(out.find("the configuration is valid 配置有效"), std::string::npos) << out;
  EXPECT_FALSE(fs::exists(dir_ + "/data"));

  // Two problems: TLS files that do not load, and a key others may read.
  std::ofstream(path) << R"({"data_dir": "data", "workflows": [")" << SourceTree("") <<
                         R"(/workflows"], "encryption": {"key_file": "shouhud.key"},
                         "api": {"tls_cert": "missing.pem", "tls_key": "missing.key"}})";
  ASSERT_EQ(::chmod((dir_ + "/shouhud.key").c_str(), 0644), 0);
  Subprocess bad({kDaemon, "--check-config", path});
  out = bad.ReadAll();
  EXPECT_EQ(bad.Wait(), 1) << out;
  EXPECT_NE(out.find("cannot load the TLS certificate \"" + dir_ + "/missing.pem\""),
            std::string::npos) << out;
  EXPECT_NE(out.find("shouhud.key has mode 0644"), std::string::npos) << out;
  EXPECT_NE(out.find("2 problem(s)"), std::string::npos) << out;
  EXPECT_FALSE(fs::exists(dir_ + "/data"));

  Subprocess version({kDaemon, "--version"});
  out = version.ReadAll();
  EXPECT_EQ(version.Wait(), 0);
  EXPECT_EQ(out.rfind("shouhud ", 0), 0u) << out;
}

// "store": {"kind": "postgres", "dsn": ...}: shouhud runs on the PostgreSQL
// store (sealed under its data key as on RocksDB), restarts on it, and
// `--check-config` names bad store settings.
TEST_F(DaemonTest, RunsOnThePostgresStoreAndChecksItsSettings) {
  auto write = [&](const std::string& store) {
    WriteConfig(SourceTree("/workflows"));
    std::string path = dir_ + "/shouhud.json";
    std::ofstream(path) << R"({"data_dir": "data", "workflows": [")" << SourceTree("/workflows")
                        << R"("], "listen": "127.0.0.1:0", "store": )" << store
                        << R"(, "encryption": {"key_file": "shouhud.key"}})";
    return path;
  };
  const std::pair<std::string, std::string> bad[] = {
      {R"({"kind": "postgresql", "dsn": "x"})", "store/kind: expected \"rocksdb\" or \"postgres\""},
      {R"({"kind": "postgres"})", "store/dsn: expected the PostgreSQL connection string"},
      {R"({"kind": "postgres", "dsn": "host=db dbname"})", "store/dsn: not a PostgreSQL connection"},
      {R"({"kind": "rocksdb", "dsn": "host=db"})", "store/dsn: unknown member"},
      {R"({"kind": "postgres", "dsn": "host=db", "lease": {"ttl": "PT3S", "renew": "PT3S"}})",
       "store/lease: expected"},
      {R"({"kind": "postgres", "dsn": "host=db", "lease": {"ttl": "10"}})", "store/lease: expected"},
  };
  for (const auto& [store, message] : bad) {
    Subprocess check({kDaemon, "--check-config", write(store)});
    std::string out = check.ReadAll();
    EXPECT_EQ(check.Wait(), 1) << out;
    EXPECT_NE(out.find(message), std::string::npos) << store << "\n" << out;
  }

  testing::PgCluster pg;
  ASSERT_TRUE(pg.ok()) << pg.error();
  const std::string path = write(R"({"kind": "postgres", "dsn": ")" + pg.Dsn() +
                                  R"(", "lease": {"ttl": "PT10S", "renew": "PT3S"}})");
  Subprocess check({kDaemon, "--check-config", path});
  std::string out = check.ReadAll();
  EXPECT_EQ(check.Wait(), 0) << out;
  for (int run = 0; run < 2; ++run) {
    Subprocess d({kDaemon, "--config", path});
    ASSERT_TRUE(d.WaitForLine("shouhud: ready")) << d.output();
    d.Signal(SIGTERM);
    out = d.ReadAll();
    EXPECT_EQ(d.Wait(), 0) << out;
  }
  EXPECT_FALSE(fs::exists(dir_ + "/data/CURRENT")) << "no RocksDB store beside PostgreSQL";
  EXPECT_TRUE(pg.Sql("SELECT 1/count(*) FROM shouhu_kv")) << "the store's rows: " << pg.error();
  // It held the timer shards' and the outbox's leases, and handed them over
  // when it stopped (expired at once: another node need not wait).
  EXPECT_TRUE(pg.Sql("SELECT 1/(count(*) = 3)::int FROM shouhu_leases WHERE expires_at <= now()"))
      << "three leases, released: " << pg.error();
}

// SIGHUP (systemctl reload) no longer ends the daemon: it checks the
// configuration on disk, says whether a restart would take it, and serves on.
TEST_F(DaemonTest, SighupChecksTheConfigurationAndKeepsServing) {
  std::string path = WriteConfig(SourceTree("/workflows"));
  Subprocess d({kDaemon, "--config", path});
  ASSERT_TRUE(d.WaitForLine("shouhud: ready")) << d.output();
  d.Signal(SIGHUP);
  ASSERT_TRUE(d.WaitForLine("reloaded 已重新加载")) << d.output();
  std::ofstream(path) << R"({"data_dir": "data", "workflows": ["/nonexistent"],
                             "encryption": {"key_file": "shouhud.key"}})";
  d.Signal(SIGHUP);
  ASSERT_TRUE(d.WaitForLine("the running one is kept")) << d.output();
  EXPECT_NE(d.output().find("has 1 problem(s)"), std::string::npos) << d.output();
  d.Signal(SIGTERM);
  std::string out = d.ReadAll();
  EXPECT_EQ(d.Wait(), 0) << out;
  EXPECT_NE(out.find("stopped"), std::string::npos) << out;
}

}  // namespace
}  // namespace shouhu
