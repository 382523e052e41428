// Online backup (issue 17): taken through the running daemon while reports
// keep coming in, it holds every report acknowledged before it began, its
// audit chain verifies, old backups beyond "keep" go, and restored in place of
// the data directory it is what the daemon serves.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include "../../support/run_program.h"
#include "api_daemon.h"

namespace shouhu {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::ApiDaemon;
using testing::kCliPath;
using testing::RunProgram;

// Teachers filing reports on several connections until told to stop; every
// report the daemon acknowledged (201) is in `acked`, in order.
class Writers {
 public:
  Writers(ApiDaemon& daemon, int threads) {
    for (int t = 0; t < threads; ++t) {
      threads_.emplace_back([this, &daemon, t] {
        auto client = daemon.ClientFor("u0021");
        for (int i = 0; !stop_; ++i) {
          auto reply = client->Send("POST", "/api/v1/cases",
                                    testing::ReportBody("儿童" + std::to_string(t) + "-" +
                                                        std::to_string(i)).dump(),
                                    {{"Idempotency-Key", "w" + std::to_string(t) + "-" +
                                                             std::to_string(i)}});
          if (reply.status != 201) continue;
          std::lock_guard<std::mutex> lock(mu_);
          acked_.push_back(json::parse(reply.body)["case_id"]);
          grew_.notify_all();
        }
      });
    }
  }
  ~Writers() { Stop(); }

  // Blocks until at least `n` reports have been acknowledged.
  void WaitFor(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    grew_.wait(lock, [&] { return acked_.size() >= n; });
  }
  std::vector<std::string> Acked() {
    std::lock_guard<std::mutex> lock(mu_);
    return acked_;
  }
  void Stop() {
    stop_ = true;
    for (auto& t : threads_) t.join();
    threads_.clear();
  }

 private:
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable grew_;
  std::vector<std::string> acked_;
  std::vector<std::thread> threads_;
};

TEST(OnlineBackupTest, ABackupTakenUnderLoadHoldsEveryAcknowledgedReportAndRestores) {
  ApiDaemon daemon(json{{"rate_per_second", 0}}, json{{"backup", {{"keep", 2}}}});
  daemon.Start();
  auto admin = daemon.ClientFor("u0007");
  std::vector<std::string> before;
  json first;
  {
    Writers writers(daemon, 4);
    writers.WaitFor(40);
    before = writers.Acked();  // acknowledged before the backup began
    auto reply = admin->Send("POST", "/api/v1/backups");
    ASSERT_EQ(reply.status, 201) << reply.body;
    first = json::parse(reply.body);
    writers.WaitFor(before.size() + 40);  // and the writes went on
  }
  EXPECT_GE(first["cases"].get<size_t>(), before.size()) << first.dump();
  EXPECT_GT(first["audit_records"].get<uint64_t>(), 0u);
  const std::string backup = daemon.dir() + "/backups/" + first["name"].get<std::string>();
  ASSERT_TRUE(fs::exists(backup + "/CURRENT")) << backup;

  // Two more: only the newest two are kept.
  for (int i = 0; i < 2; ++i) ASSERT_EQ(admin->Send("POST", "/api/v1/backups").status, 201);
  auto list = json::parse(admin->Send("GET", "/api/v1/backups").body);
  ASSERT_EQ(list["backups"].size(), 2u) << list.dump();
  EXPECT_NE(list["backups"][0], first["name"]);
  ASSERT_FALSE(fs::exists(backup)) << "the oldest backup was removed";
  const std::string kept = daemon.dir() + "/backups/" + list["backups"][0].get<std::string>();

  // Nobody else may take one.
  EXPECT_EQ(daemon.ClientFor("u0001")->Send("POST", "/api/v1/backups").status, 403);

  // The operator puts the backup back in place of the data directory.
  ASSERT_EQ(daemon.Stop(), 0);
  auto restored = RunProgram(kCliPath,
                             {"restore", "--from", kept, "--data-dir", daemon.data_dir(),
                              "--key-file", daemon.key_path(), "--force"},
                             daemon.dir());
  ASSERT_EQ(restored.exit_code, 0) << restored.out << restored.err;
  auto verified = RunProgram(kCliPath,
                             {"audit", "verify", "--data-dir", daemon.data_dir(), "--key-file",
                              daemon.key_path()},
                             daemon.dir());
  ASSERT_EQ(verified.exit_code, 0) << verified.out << verified.err;

  // Taking a backup reads every case: the restored log holds the first
  // backup's record, by the administrator (the second's came after it).
  auto audit = RunProgram(kCliPath,
                          {"audit", "show", "--json", "--data-dir", daemon.data_dir(),
                           "--key-file", daemon.key_path()},
                          daemon.dir());
  ASSERT_EQ(audit.exit_code, 0) << audit.err;
  int taken = 0;
  for (const json& r : json::parse(audit.out)) {
    if (r["action"] == "backup.take") {
      EXPECT_EQ(r["user"], "u0007");
      ++taken;
    }
  }
  EXPECT_EQ(taken, 1) << audit.out.substr(0, 2000);

  daemon.Start();
  // API tokens live beside the store, not in it: the restored directory has
  // none of the old ones, so the officer gets a new token.
  cli::HttpClient police_client(daemon.base_url(), daemon.TokenFor("u0008", std::chrono::hours(2)));
  auto* police = &police_client;
  for (const std::string& id : before) {
    ASSERT_EQ(police->Send("GET", "/api/v1/cases/" + id).status, 200) << id;
  }
}

}  // namespace
}  // namespace shouhu
