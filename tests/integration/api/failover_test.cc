// Failover (issue 18), its own command, not in the default suite:
//   ctest --test-dir build -L failover --output-on-failure
// shouhud on the PostgreSQL store of the sample Patroni cluster
// (deploy/ha/cluster.sh: three etcd members, a primary and a synchronous
// replica) under HTTP load: teachers file reports, each with its own
// Idempotency-Key, and retry a report until it is acknowledged, as the web
// app does. Then the primary's whole node dies (Patroni and PostgreSQL,
// SIGKILL): the replica is promoted, shouhud's multi-host DSN finds it, and
// the retried reports whose first commit was cut off in doubt are answered
// by their request id. It prints the acknowledged writes lost (0), the
// reports filed twice (0) and how long writes failed.
//
// The cluster needs postgresql-15, patroni and etcd-server
// (deploy/install-deps.sh) and runs its servers as the `postgres` user.
#include <signal.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "api_daemon.h"

namespace shouhu {
namespace {

using nlohmann::json;
using testing::ApiDaemon;
using testing::kTeacher;
using testing::kPolice;
using testing::ReportBody;
using SteadyClock = std::chrono::steady_clock;

constexpr int kBasePort = 24100;           // cluster.sh's ports: 24100..24131

std::string Run(std::vector<std::string> argv, int* code) {
  testing::Subprocess p(std::move(argv), {"SHOUHU_HA_PORT=" + std::to_string(kBasePort)});
  std::string out = p.ReadAll();
  *code = p.Wait();
  return out;
}

// The sample cluster in a directory of its own, taken down at the end.
class Cluster {
 public:
  Cluster() {
    char tmpl[] = "/tmp/shouhu-ha-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  ~Cluster() {
    int code = 0;
    Run({"/bin/bash", script_, "down", dir_}, &code);
    std::filesystem::remove_all(dir_);
  }
  // Starts it; the DSN shouhud takes ("" when it did not come up).
  std::string Up() {
    int code = 0;
    std::string out = Run({"/bin/bash", script_, "up", dir_}, &code);
    if (code != 0) {
      ADD_FAILURE() << out;
      return "";
    }
    std::string dsn = Run({"/bin/bash", script_, "dsn", dir_}, &code);
    while (!dsn.empty() && dsn.back() == '\n') dsn.pop_back();
    return dsn;
  }
  // SIGKILLs the node that leads, Patroni and PostgreSQL both (the
  // postmaster's children notice its death and exit). Its name, or "".
  std::string KillLeader() {
    for (int i = 0; i < 2; ++i) {
      cli::HttpClient rest("http://127.0.0.1:" + std::to_string(kBasePort + 30 + i), "");
      if (rest.Send("GET", "/primary").status != 200) continue;
      std::string name = "pg" + std::to_string(i);
      for (const std::string& file : {dir_ + "/" + name + ".pid", dir_ + "/" + name +
                                                                       "/postmaster.pid"}) {
        pid_t pid = 0;
        std::ifstream(file) >> pid;
        if (pid > 0) kill(pid, SIGKILL);
      }
      return name;
    }
    return "";
  }

 private:
  const std::string script_ = SourceTree("/deploy/ha/cluster.sh");
  std::string dir_;
};

std::string ChildOf(const std::string& key) { return "童" + key.substr(key.find('-') + 1); }

// Teachers filing reports, each retried under its key until acknowledged.
class Reporters {
 public:
  explicit Reporters(ApiDaemon& daemon) : daemon_(daemon) {}
  void Start(int n) {
    for (int i = 0; i < n; ++i) threads_.emplace_back([this, i] { File(i); });
  }
  // Waits until `acks` reports are acknowledged in all (false after 3 min).
  bool WaitFor(size_t acks) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::minutes(3), [&] { return acked_.size() >= acks; });
  }
  // Stops once every report in flight is acknowledged.
  void Stop() {
    stop_ = true;
    for (std::thread& t : threads_) t.join();
  }
  // Marks the moment the primary died; outage() is from then until the first
  // report acknowledged that was first sent after it.
  void MarkKill() {
    std::lock_guard<std::mutex> lock(mu_);
    killed_at_ = SteadyClock::now();
  }
  double outage_seconds() const {
    return std::chrono::duration<double>(first_after_ - killed_at_).count();
  }
  std::map<std::string, std::string> acked() const {  // key -> case id
    std::lock_guard<std::mutex> lock(mu_);
    return acked_;
  }
  size_t retries() const { return retries_; }

 private:
  void File(int worker) {
    auto teacher = daemon_.ClientFor(kTeacher);
    for (int n = 0; !stop_; ++n) {
      std::string key = "failover-" + std::to_string(worker) + "-" + std::to_string(n);
      // A child of its own per report: reports about one child join one
      // case, so a report applied twice would show as a join (checked below).
      const std::string body = ReportBody(ChildOf(key)).dump();
      SteadyClock::time_point sent = SteadyClock::now();
      for (int attempt = 0;; ++attempt) {
        auto r = teacher->Send("POST", "/api/v1/cases", body, {{"Idempotency-Key", key}});
        if (r.status == 201) {
          json b = json::parse(r.body, nullptr, false);
          std::lock_guard<std::mutex> lock(mu_);
          acked_[key] = b.value("case_id", "");
          if (killed_at_ != SteadyClock::time_point{} && sent > killed_at_ &&
              first_after_ == SteadyClock::time_point{}) {
            first_after_ = SteadyClock::now();
          }
          cv_.notify_all();
          break;
        }
        ++retries_;
        // The store is failing over: try again soon (the daemon answers 503
        // at once, so this is the client's pace, not a wait for a deadline).
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        if (attempt > 1200) return;  // two minutes: the test fails below
      }
    }
  }

  ApiDaemon& daemon_;
  std::atomic<bool> stop_{false};
  std::atomic<size_t> retries_{0};
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, std::string> acked_;
  SteadyClock::time_point killed_at_{}, first_after_{};
  std::vector<std::thread> threads_;
};

TEST(Failover, ThePrimaryDiesUnderLoadAndNothingAcknowledgedIsLost) {
  Cluster cluster;
  const std::string dsn = cluster.Up();
  ASSERT_FALSE(dsn.empty());
  ApiDaemon daemon(json{{"rate_per_second", 0}},
                   json{{"store", {{"kind", "postgres"}, {"dsn", dsn}}}});
  daemon.Start();
  daemon.KeepReading();

  Reporters reporters(daemon);
  reporters.Start(8);
  ASSERT_TRUE(reporters.WaitFor(200));
  reporters.MarkKill();
  const std::string killed = cluster.KillLeader();
  ASSERT_FALSE(killed.empty()) << "no node led";
  const size_t at_kill = reporters.acked().size();
  ASSERT_TRUE(reporters.WaitFor(at_kill + 200)) << "writes did not come back";
  reporters.Stop();

  // Every acknowledged report is there, about its own child, once: a
  // retry applied a second time would have joined its own case.
  auto teacher = daemon.ClientFor(kTeacher);
  auto police = daemon.ClientFor(kPolice);
  size_t lost = 0, joined = 0;
  std::set<std::string> seen;
  for (const auto& [key, id] : reporters.acked()) {
    auto got = police->Send("GET", "/api/v1/cases/" + id);
    json c = json::parse(got.body, nullptr, false);
    if (got.status != 200 || !c.is_object() ||
        c["data"].value("child_name", "") != ChildOf(key)) {
      ++lost;
      continue;
    }
    for (const json& h : c["history"]) joined += h.value("kind", "") == "report_joined";
  }
  std::string after;
  do {
    auto page = teacher->Send("GET", "/api/v1/cases?mine=true&limit=200" +
                                         (after.empty() ? "" : "&after=" + after));
    ASSERT_EQ(page.status, 200) << page.body;
    json b = json::parse(page.body);
    for (const json& c : b["cases"]) seen.insert(c.value("id", ""));
    after = b.value("next", "");
  } while (!after.empty());
  const size_t acked = reporters.acked().size();
  const size_t twice = (seen.size() > acked ? seen.size() - acked : 0) + joined;
  std::printf("failover: %s killed; %zu report(s) acknowledged, %zu lost, %zu filed twice, "
              "%zu retried; writes failed for %.1f s\n",
              killed.c_str(), acked, lost, twice, reporters.retries(),
              reporters.outage_seconds());
  EXPECT_EQ(lost, 0u);
  EXPECT_EQ(twice, 0u);
  EXPECT_EQ(daemon.Stop(), 0);
}

}  // namespace
}  // namespace shouhu
