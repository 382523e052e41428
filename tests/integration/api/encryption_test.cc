// Encryption at rest (issue 12): after a real shouhud stored cases with known
// names, phones and notes, no file of the data directory (WAL, SST after the
// backup's flush) or of the backup holds any of them in clear; a wrong,
// missing or exposed key refuses to start and changes nothing; `shouhu key
// rotate` re-encrypts, every case still reads, the audit chain verifies and
// the child's file (一人一档) is still found by identity.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <map>

#include "../../support/run_program.h"
#include "api_daemon.h"

namespace shouhu {
namespace {

using nlohmann::json;
using testing::ApiDaemon;
namespace fs = std::filesystem;

// A report whose personal and sensitive values are markers.
json MarkedReport(const std::string& tag) {
  json body = testing::ReportBody("标记姓名" + tag);
  body["data"]["child_birth_date"] = "2015-06-07";
  body["data"]["guardian_name"] = "标记监护人" + tag;
  body["data"]["guardian_phone"] = "1391234" + tag;
  body["data"]["guardian_address"] = "标记地址青山路" + tag;
  body["data"]["medical_history"] = "标记病史" + tag;
  body["data"]["description"] = "标记描述" + tag;
  return body;
}
std::vector<std::string> Markers(const std::string& tag) {
  return {"标记姓名" + tag,       "标记监护人" + tag, "1391234" + tag,
          "标记地址青山路" + tag, "标记病史" + tag,   "标记描述" + tag,
          "标记笔记" + tag};
}

// Every file under `dir`, path -> bytes.
std::map<std::string, std::string> Files(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file())
      out[e.path().string()] = testing::ReadFile(e.path().string());
  }
  return out;
}

testing::ProgramResult Cli(const ApiDaemon& d,
                           const std::vector<std::string>& args) {
  return testing::RunProgram(testing::kCliPath, args, d.dir());
}

// Files a marked report (teacher u0021), adds a marked note (police u0008);
// returns the case id and the child id. The police's view carries the
// markers: the positive control for the greps below.
std::pair<std::string, std::string> FileMarkedCase(ApiDaemon& d,
                                                   const std::string& tag) {
  auto teacher = d.ClientFor("u0021");
  auto police = d.ClientFor("u0008");
  auto r = teacher->Send("POST", "/api/v1/cases", MarkedReport(tag).dump());
  EXPECT_EQ(r.status, 201) << r.body;
  std::string id = json::parse(r.body).value("case_id", "");
  EXPECT_EQ(police
                ->Send("POST", "/api/v1/cases/" + id + "/notes",
                       json{{"text", "标记笔记" + tag}}.dump())
                .status,
            201);
  auto seen = police->Send("GET", "/api/v1/cases/" + id);
  EXPECT_EQ(seen.status, 200);
  for (const std::string& m : Markers(tag)) {  // the note is in its history
    EXPECT_NE(seen.body.find(m), std::string::npos)
        << m << " not in the case view";
  }
  return {id, json::parse(seen.body).value("child_id", "")};
}

// The markers of `tag` found in any of `files`.
std::vector<std::string> FoundIn(
    const std::map<std::string, std::string>& files, const std::string& tag) {
  std::vector<std::string> found;
  for (const std::string& m : Markers(tag)) {
    for (const auto& [path, bytes] : files) {
      if (bytes.find(m) != std::string::npos)
        found.push_back(m + " in " + path);
    }
  }
  return found;
}

TEST(EncryptionTest,
     NoFileOfTheDataDirectoryOrItsBackupHoldsPersonalDataInClear) {
  ApiDaemon daemon;
  daemon.Start();
  FileMarkedCase(daemon, "A1");
  FileMarkedCase(daemon, "A2");
  ASSERT_EQ(daemon.Stop(), 0) << daemon.output();
  EXPECT_NE(
      daemon.output().find("encrypted at rest under key " + daemon.key_id()),
      std::string::npos)
      << daemon.output();

  // The backup's checkpoint flushes the memtable: the data is then in SST
  // files too, besides the WAL.
  const std::string backup = daemon.dir() + "/backup";
  auto b = Cli(daemon, {"backup", "--data-dir", daemon.data_dir(), "--to",
                        backup, "--key-file", daemon.key_path()});
  ASSERT_EQ(b.exit_code, 0) << b.out << b.err;
  EXPECT_NE(b.out.find("backup 备份: 2 cases; audit chain"), std::string::npos)
      << b.out;
  auto files = Files(daemon.data_dir());
  int sst = 0, wal = 0;
  for (const auto& [path, bytes] : files) {
    sst += path.ends_with(".sst");
    wal += path.ends_with(".log");
  }
  EXPECT_GT(sst, 0);
  EXPECT_GT(wal, 0);
  auto backup_files = Files(backup);
  files.insert(backup_files.begin(), backup_files.end());
  for (const char* tag : {"A1", "A2"}) {
    EXPECT_EQ(FoundIn(files, tag), std::vector<std::string>())
        << "in clear on disk";
  }
  // Without the key the backup does not open.
  auto no_key = Cli(daemon, {"audit", "verify", "--data-dir", backup});
  EXPECT_EQ(no_key.exit_code, 1);
  EXPECT_NE(no_key.err.find("--key-file"), std::string::npos) << no_key.err;
}

// The control for the test above: the same grep over a store written
// without encryption finds the markers, so it can fail.
TEST(EncryptionTest, WithoutEncryptionTheSameGrepFindsTheMarkers) {
  ApiDaemon daemon(json::object(), {{"encryption", {{"none", "development"}}}});
  daemon.Start();
  FileMarkedCase(daemon, "C1");
  ASSERT_EQ(daemon.Stop(), 0);
  EXPECT_NE(daemon.output().find("WARNING 警告: the store is not encrypted"),
            std::string::npos);
  EXPECT_EQ(FoundIn(Files(daemon.data_dir()), "C1").size(),
            Markers("C1").size())
      << "every marker in the WAL";
}

// Starts the daemon expecting it to refuse; returns what it printed.
std::string RefusedStart(ApiDaemon& daemon) {
  daemon.Launch();
  EXPECT_EQ(daemon.WaitForExit(), 1) << daemon.output();
  return daemon.output();
}

void PointConfigAt(const ApiDaemon& daemon, const json& encryption) {
  std::ifstream in(daemon.config_path());
  json config = json::parse(in);
  config["encryption"] = encryption;
  std::ofstream(daemon.config_path()) << config.dump(1);
}

TEST(EncryptionTest, AWrongMissingOrExposedKeyRefusesToStartAndChangesNothing) {
  ApiDaemon daemon;
  daemon.Start();
  const std::string id = FileMarkedCase(daemon, "W1").first;
  ASSERT_EQ(daemon.Stop(), 0);
  const auto before = Files(daemon.data_dir());

  // Another key.
  const std::string other = daemon.dir() + "/other.key";
  const std::string other_id = testing::WriteTestKeyFile(other);
  PointConfigAt(daemon, {{"key_file", other}});
  std::string out = RefusedStart(daemon);
  EXPECT_NE(out.find("数据密钥错误 wrong data key: " + daemon.data_dir() +
                     " is encrypted under data key " + daemon.key_id() + ", " +
                     other + " holds key " + other_id),
            std::string::npos)
      << out;
  EXPECT_EQ(Files(daemon.data_dir()), before) << "the data directory changed";

  // The right key id but other bytes (a damaged key file).
  const std::string damaged = daemon.dir() + "/damaged.key";
  testing::WriteTestKeyFile(damaged);
  std::string text = testing::ReadFile(damaged);
  text.replace(14, 8, daemon.key_id());
  std::ofstream(damaged) << text;
  PointConfigAt(daemon, {{"key_file", damaged}});
  out = RefusedStart(daemon);
  EXPECT_NE(out.find("does not open its check value"), std::string::npos)
      << out;
  EXPECT_EQ(Files(daemon.data_dir()), before);

  // No key file.
  PointConfigAt(daemon, {{"key_file", daemon.dir() + "/gone.key"}});
  out = RefusedStart(daemon);
  EXPECT_NE(out.find("the data key file " + daemon.dir() +
                     "/gone.key does not exist"),
            std::string::npos)
      << out;

  // The right key, readable by others.
  PointConfigAt(daemon, {{"key_file", daemon.key_path()}});
  ASSERT_EQ(::chmod(daemon.key_path().c_str(), 0644), 0);
  out = RefusedStart(daemon);
  EXPECT_NE(
      out.find("the data key file " + daemon.key_path() + " has mode 0644"),
      std::string::npos)
      << out;
  ASSERT_EQ(::chmod(daemon.key_path().c_str(), 0600), 0);

  // No "encryption" at all.
  {
    std::ifstream in(daemon.config_path());
    json config = json::parse(in);
    config.erase("encryption");
    std::ofstream(daemon.config_path()) << config.dump(1);
  }
  daemon.Launch();
  EXPECT_EQ(daemon.WaitForExit(), 1);
  EXPECT_NE(daemon.output().find(":/encryption: missing"), std::string::npos)
      << daemon.output();

  // Without encryption, an encrypted store is refused too.
  PointConfigAt(daemon, {{"none", "development"}});
  out = RefusedStart(daemon);
  EXPECT_NE(out.find("is encrypted under data key " + daemon.key_id() +
                     " and no key was given"),
            std::string::npos)
      << out;
  EXPECT_EQ(Files(daemon.data_dir()), before);

  // And the right key still opens it, with the case as it was.
  PointConfigAt(daemon, {{"key_file", daemon.key_path()}});
  daemon.Start();
  auto police = daemon.ClientFor("u0008");
  auto again = police->Send("GET", "/api/v1/cases/" + id);
  EXPECT_EQ(again.status, 200);
  EXPECT_NE(again.body.find("标记病史W1"), std::string::npos) << again.body;
}

TEST(EncryptionTest, KeyRotationKeepsEveryCaseTheAuditChainAndTheChildFiles) {
  ApiDaemon daemon;
  daemon.Start();
  auto [first, child] = FileMarkedCase(daemon, "R1");
  auto [second, child2] = FileMarkedCase(daemon, "R2");
  ASSERT_FALSE(child.empty());
  ASSERT_NE(child, child2);
  ASSERT_EQ(daemon.Stop(), 0);
  auto verify = Cli(daemon, {"audit", "verify", "--data-dir", daemon.data_dir(),
                             "--key-file", daemon.key_path()});
  ASSERT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  const std::string head = verify.out.substr(verify.out.find("head 链头"));

  const std::string next = daemon.dir() + "/next.key";
  auto init = Cli(daemon, {"key", "init", next});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  struct stat st;
  ASSERT_EQ(::stat(next.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(Cli(daemon, {"key", "init", next}).exit_code, 1)
      << "never overwrites a key";

  auto rotate =
      Cli(daemon, {"key", "rotate", "--data-dir", daemon.data_dir(),
                   "--key-file", daemon.key_path(), "--new-key", next});
  ASSERT_EQ(rotate.exit_code, 0) << rotate.out << rotate.err;
  const std::string next_id = testing::ReadFile(next).substr(14, 8);
  EXPECT_NE(rotate.out.find("is encrypted under key " + next_id),
            std::string::npos)
      << rotate.out;
  auto status = Cli(daemon, {"key", "status", "--data-dir", daemon.data_dir()});
  EXPECT_NE(status.out.find("encrypted under key 加密密钥 " + next_id),
            std::string::npos)
      << status.out;

  // The audit chain is the same chain, and verifies under the new key.
  verify = Cli(daemon, {"audit", "verify", "--data-dir", daemon.data_dir(),
                        "--key-file", next});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_NE(verify.out.find(head), std::string::npos) << verify.out;
  // The old key no longer opens the store.
  EXPECT_EQ(Cli(daemon, {"audit", "verify", "--data-dir", daemon.data_dir(),
                         "--key-file", daemon.key_path()})
                .exit_code,
            1);
  std::string out = RefusedStart(daemon);
  EXPECT_NE(out.find("wrong data key"), std::string::npos) << out;

  PointConfigAt(daemon, {{"key_file", next}});
  daemon.Start();
  auto police = daemon.ClientFor("u0008");
  for (const auto& [id, tag] :
       {std::pair{first, "R1"}, std::pair{second, "R2"}}) {
    auto r = police->Send("GET", "/api/v1/cases/" + id);
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_NE(r.body.find(std::string("标记监护人") + tag), std::string::npos)
        << r.body;
    EXPECT_NE(r.body.find(std::string("标记笔记") + tag), std::string::npos)
        << r.body;
  }
  // 一人一档: a new report about the first child (name and birth date) is
  // found through the re-keyed identity hash: it joins that child's open case.
  auto teacher = daemon.ClientFor("u0021");
  auto r = teacher->Send("POST", "/api/v1/cases", MarkedReport("R1").dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(json::parse(r.body).value("joined", false)) << r.body;
  const std::string third = json::parse(r.body)["case_id"];
  EXPECT_EQ(third, first);
  auto seen = police->Send("GET", "/api/v1/cases/" + third);
  EXPECT_EQ(json::parse(seen.body).value("child_id", ""), child) << seen.body;
  auto file = police->Send("GET", "/api/v1/children/" + child);
  EXPECT_EQ(file.status, 200) << file.body;
  EXPECT_NE(file.body.find("标记地址青山路R1"), std::string::npos) << file.body;
  ASSERT_EQ(daemon.Stop(), 0);

  // Once more on disk: nothing in clear under the new key either.
  EXPECT_EQ(FoundIn(Files(daemon.data_dir()), "R1"),
            std::vector<std::string>());
}

// A store written without encryption is refused with a key until it is
// encrypted with `key rotate --from-clear`; its cases then read as before.
TEST(EncryptionTest, AStoreWrittenWithoutEncryptionIsEncryptedInPlace) {
  ApiDaemon daemon(json::object(), {{"encryption", {{"none", "development"}}}});
  daemon.Start();
  auto [id, child] = FileMarkedCase(daemon, "P1");
  ASSERT_EQ(daemon.Stop(), 0);
  PointConfigAt(daemon, {{"key_file", daemon.key_path()}});
  std::string out = RefusedStart(daemon);
  EXPECT_NE(out.find("holds records written without encryption"),
            std::string::npos)
      << out;

  auto rotate = Cli(daemon, {"key", "rotate", "--data-dir", daemon.data_dir(),
                             "--from-clear", "--new-key", daemon.key_path()});
  ASSERT_EQ(rotate.exit_code, 0) << rotate.out << rotate.err;
  // The clear values are compacted away, not just overwritten.
  EXPECT_EQ(FoundIn(Files(daemon.data_dir()), "P1"),
            std::vector<std::string>());
  daemon.Start();
  auto police = daemon.ClientFor("u0008");
  auto r = police->Send("GET", "/api/v1/cases/" + id);
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("标记病史P1"), std::string::npos) << r.body;
  auto teacher = daemon.ClientFor("u0021");
  auto again =
      teacher->Send("POST", "/api/v1/cases", MarkedReport("P1").dump());
  // Found through the identity hash: it joins the child's open case.
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(json::parse(again.body)["case_id"], id);
  auto seen = police->Send(
      "GET",
      "/api/v1/cases/" + json::parse(again.body)["case_id"].get<std::string>());
  EXPECT_EQ(json::parse(seen.body).value("child_id", ""), child);
  ASSERT_EQ(daemon.Stop(), 0);
  auto verify = Cli(daemon, {"audit", "verify", "--data-dir", daemon.data_dir(),
                             "--key-file", daemon.key_path()});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
}

}  // namespace
}  // namespace shouhu
