// Online key rotation (issue 12, item 4): a real shouhud keeps serving writes
// while `shouhu key rotate --online` re-encrypts its store under a new key;
// afterwards every case reads, the child's file is still found by its
// re-keyed identity hash, `shouhu audit verify` passes with the rotation in
// the trail, and the old key alone no longer opens the store. A daemon killed
// mid-way leaves every record readable and, started again with the old key,
// goes on to the end.
#include <gtest/gtest.h>
#include <signal.h>

#include <set>

#include "../../support/run_program.h"
#include "api_daemon.h"

namespace shouhu {
namespace {

using nlohmann::json;
using testing::ApiDaemon;

// One record per batch: the rotation takes long enough to write during it
// and to kill the daemon half-way.
const json kSlowRotation = {{"encryption", {{"key_file", "shouhud.key"}, {"rotation_batch", 1}}}};

testing::ProgramResult Cli(const ApiDaemon& d, const std::vector<std::string>& args) {
  return testing::RunProgram(testing::kCliPath, args, d.dir());
}

// A report about a child of its own (name and birth date from `n`).
json Report(int n) {
  json body = testing::ReportBody("轮换儿童" + std::to_string(n));
  body["data"]["child_birth_date"] = "2014-0" + std::to_string(n % 9 + 1) + "-1" +
                                     std::to_string(n % 10);
  body["data"]["guardian_phone"] = "1370000" + std::to_string(1000 + n);
  return body;
}

// Files report `n` as the teacher and a note as the police; the case id.
std::string FileCase(ApiDaemon& d, int n) {
  auto r = d.ClientFor("u0021")->Send("POST", "/api/v1/cases", Report(n).dump());
  EXPECT_EQ(r.status, 201) << r.body;
  std::string id = json::parse(r.body).value("case_id", "");
  auto note = d.ClientFor("u0008")->Send("POST", "/api/v1/cases/" + id + "/notes",
                                         json{{"text", "轮换笔记" + std::to_string(n)}}.dump());
  EXPECT_EQ(note.status, 201) << note.body;
  return id;
}

// Every case reads in full, with its guardian's phone and its note.
void ExpectEveryCaseReads(ApiDaemon& d, const std::map<std::string, int>& cases) {
  auto supervisor = d.ClientFor("u0001");
  for (const auto& [id, n] : cases) {
    auto r = supervisor->Send("GET", "/api/v1/cases/" + id);
    ASSERT_EQ(r.status, 200) << id << ": " << r.body;
    EXPECT_NE(r.body.find("1370000" + std::to_string(1000 + n)), std::string::npos) << r.body;
    EXPECT_NE(r.body.find("轮换笔记" + std::to_string(n)), std::string::npos) << r.body;
  }
}

json KeyState(ApiDaemon& d) {
  auto r = d.ClientFor("u0007")->Send("GET", "/api/v1/key");
  EXPECT_EQ(r.status, 200) << r.body;
  return json::parse(r.body, nullptr, false);
}

std::string NewKey(const ApiDaemon& d) {
  const std::string path = d.dir() + "/next.key";
  auto init = Cli(d, {"key", "init", path});
  EXPECT_EQ(init.exit_code, 0) << init.err;
  return path;
}

void UseKey(const ApiDaemon& d, const std::string& key_file) {
  std::ifstream in(d.config_path());
  json config = json::parse(in);
  config["encryption"]["key_file"] = key_file;
  std::ofstream(d.config_path()) << config.dump(1);
}

TEST(KeyRotationTest, RotatesOnlineWhileTheDaemonServesWrites) {
  ApiDaemon daemon(json{{"rate_per_second", 0}}, kSlowRotation);
  daemon.Start();
  std::map<std::string, int> cases;  // id -> report number
  for (int n = 0; n < 12; ++n) cases[FileCase(daemon, n)] = n;
  const std::string next = NewKey(daemon);
  const std::string next_id = testing::ReadFile(next).substr(14, 8);

  // Only users.admin may rotate; a bad key file is refused, nothing begun.
  auto police = daemon.ClientFor("u0008");
  EXPECT_EQ(police->Send("POST", "/api/v1/key/rotation", json{{"new_key_file", next}}.dump()).status,
            403);
  auto admin = daemon.ClientFor("u0007");
  auto missing = admin->Send("POST", "/api/v1/key/rotation",
                             json{{"new_key_file", daemon.dir() + "/none.key"}}.dump());
  EXPECT_EQ(missing.status, 422) << missing.body;
  EXPECT_EQ(KeyState(daemon)["rotating"], false);

  auto begun = Cli(daemon, {"key", "rotate", "--online", "--new-key", next, "--no-wait",
                            "--server", daemon.base_url(), "--token", daemon.TokenFor("u0007")});
  ASSERT_EQ(begun.exit_code, 0) << begun.out << begun.err;
  EXPECT_NE(begun.out.find("rotating 轮换中: key " + daemon.key_id() + " -> " + next_id),
            std::string::npos)
      << begun.out;
  auto again = admin->Send("POST", "/api/v1/key/rotation", json{{"new_key_file", next}}.dump());
  EXPECT_EQ(again.status, 409) << again.body;

  // Cases filed and noted while it runs; until it says it is done.
  int n = 100, during = 0;
  for (json state = KeyState(daemon); state["rotating"] == true; state = KeyState(daemon)) {
    cases[FileCase(daemon, n)] = n;
    ++n;
    during += KeyState(daemon)["rotating"] == true;
  }
  EXPECT_GE(during, 1) << "no write landed while the rotation ran";
  json done = KeyState(daemon);
  EXPECT_EQ(done["key"], next_id);
  EXPECT_GT(done["resealed"].get<int>(), 12);
  ExpectEveryCaseReads(daemon, cases);
  // 一人一档: the first child is found through its re-keyed identity hash.
  auto joined = daemon.ClientFor("u0021")->Send("POST", "/api/v1/cases", Report(0).dump());
  EXPECT_EQ(joined.status, 200) << joined.body;
  EXPECT_TRUE(json::parse(joined.body).value("joined", false)) << joined.body;
  ASSERT_EQ(daemon.Stop(), 0);
  EXPECT_NE(daemon.output().find("key rotation finished: every record is under key " + next_id),
            std::string::npos)
      << daemon.output();

  auto verify = Cli(daemon, {"audit", "verify", "--data-dir", daemon.data_dir(), "--key-file", next});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  auto trail = Cli(daemon, {"audit", "show", "--data-dir", daemon.data_dir(), "--key-file", next});
  EXPECT_NE(trail.out.find("key.rotate.begin:" + next_id), std::string::npos) << trail.out;
  EXPECT_NE(trail.out.find("key.rotate.done:" + next_id), std::string::npos) << trail.out;
  // The old key alone opens nothing: neither the audit nor the daemon.
  EXPECT_EQ(Cli(daemon, {"audit", "verify", "--data-dir", daemon.data_dir(), "--key-file",
                         daemon.key_path()})
                .exit_code,
            1);
  daemon.Launch();
  EXPECT_EQ(daemon.WaitForExit(), 1);
  EXPECT_NE(daemon.output().find("wrong data key"), std::string::npos) << daemon.output();
  // With the new key it starts, and every case reads.
  UseKey(daemon, next);
  daemon.Start();
  ExpectEveryCaseReads(daemon, cases);
  ASSERT_EQ(daemon.Stop(), 0);
}

TEST(KeyRotationTest, ADaemonKilledMidRotationGoesOnWhenStartedAgain) {
  ApiDaemon daemon(json{{"rate_per_second", 0}}, kSlowRotation);
  daemon.Start();
  std::map<std::string, int> cases;
  for (int n = 0; n < 12; ++n) cases[FileCase(daemon, n)] = n;
  const std::string next = NewKey(daemon);
  const std::string next_id = testing::ReadFile(next).substr(14, 8);
  auto begun = daemon.ClientFor("u0007")->Send("POST", "/api/v1/key/rotation",
                                               json{{"new_key_file", next}}.dump());
  ASSERT_EQ(begun.status, 202) << begun.body;
  // Killed as soon as the first batch is in: a crash half-way.
  ASSERT_TRUE(daemon.WaitForLine("record(s) re-encrypted under key " + next_id)) << daemon.output();
  ASSERT_EQ(::kill(daemon.pid(), SIGKILL), 0);
  daemon.WaitForExit();
  auto status = Cli(daemon, {"key", "status", "--data-dir", daemon.data_dir()});
  EXPECT_NE(status.out.find("an online rotation to key " + next_id + " is under way"),
            std::string::npos)
      << status.out << status.err;

  // Started again as it was configured (the old key): it reads the new key
  // from the file the rotation began with, and finishes.
  daemon.Start();
  EXPECT_NE(daemon.output().find("resuming the key rotation to key " + next_id), std::string::npos)
      << daemon.output();
  const bool finished = daemon.output().find("key rotation finished") != std::string::npos ||
                        daemon.WaitForLine("key rotation finished");
  ASSERT_TRUE(finished) << daemon.output();
  ExpectEveryCaseReads(daemon, cases);
  ASSERT_EQ(daemon.Stop(), 0);
  auto verify = Cli(daemon, {"audit", "verify", "--data-dir", daemon.data_dir(), "--key-file", next});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  UseKey(daemon, next);
  daemon.Start();
  ExpectEveryCaseReads(daemon, cases);
}

TEST(KeyRotationTest, TheCliFollowsTheRotationBatchByBatchToItsEnd) {
  ApiDaemon daemon(json{{"rate_per_second", 0}}, kSlowRotation);
  daemon.Start();
  daemon.KeepReading();  // one log line per batch of one record
  std::map<std::string, int> cases;
  for (int n = 0; n < 6; ++n) cases[FileCase(daemon, n)] = n;
  const std::string next = NewKey(daemon);
  const std::string next_id = testing::ReadFile(next).substr(14, 8);
  auto admin = daemon.ClientFor("u0007");
  // The long poll's parameters come together, and waits are short.
  EXPECT_EQ(admin->Send("GET", "/api/v1/key?after=3").status, 400);
  EXPECT_EQ(admin->Send("GET", "/api/v1/key?after=x&wait=PT1S").status, 400);
  EXPECT_EQ(admin->Send("GET", "/api/v1/key?after=0&wait=PT5M").status, 400);
  // Not rotating: the poll answers at once.
  auto idle = admin->Send("GET", "/api/v1/key?after=0&wait=PT30S");
  ASSERT_EQ(idle.status, 200) << idle.body;
  EXPECT_EQ(json::parse(idle.body)["rotating"], false);

  // Without --no-wait the command follows each batch (a request waiting for
  // the next, no polling interval) and ends when the daemon is done.
  auto followed = Cli(daemon, {"key", "rotate", "--online", "--new-key", next, "--server",
                               daemon.base_url(), "--token", daemon.TokenFor("u0007")});
  ASSERT_EQ(followed.exit_code, 0) << followed.out << followed.err;
  EXPECT_NE(followed.out.find("ok: every record is re-encrypted under key " + next_id),
            std::string::npos)
      << followed.out;
  size_t shown = 0;
  for (size_t at = 0; (at = followed.out.find("record(s) re-encrypted so far", at)) !=
                      std::string::npos;
       ++at) {
    ++shown;
  }
  EXPECT_GE(shown, 3u) << followed.out;  // progress as it went, not one line at the end
  EXPECT_EQ(json::parse(admin->Send("GET", "/api/v1/key").body)["key"], next_id);
  ExpectEveryCaseReads(daemon, cases);
}

}  // namespace
}  // namespace shouhu
