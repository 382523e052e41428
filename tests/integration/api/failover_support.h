// What the failover rounds (issue 18) share: the sample Patroni cluster
// (deploy/ha/cluster.sh) in a directory of its own, and teachers filing
// reports under HTTP load on one shouhud node or several, each report
// retried under its own Idempotency-Key until acknowledged, as the web app
// does.
//
// The cluster needs postgresql-15, patroni and etcd-server
// (deploy/install-deps.sh) and runs its servers as the `postgres` user.
#pragma once

#include <signal.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "api_daemon.h"

namespace shouhu::testing {

using SteadyClock = std::chrono::steady_clock;

inline constexpr int kHaBasePort = 24100;  // cluster.sh's ports: 24100..24131

inline std::string RunHaScript(std::vector<std::string> argv, int* code) {
  Subprocess p(std::move(argv), {"SHOUHU_HA_PORT=" + std::to_string(kHaBasePort)});
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
    RunHaScript({"/bin/bash", script_, "down", dir_}, &code);
    std::filesystem::remove_all(dir_);
  }
  // Starts it; the DSN shouhud takes ("" when it did not come up).
  std::string Up() {
    int code = 0;
    std::string out = RunHaScript({"/bin/bash", script_, "up", dir_}, &code);
    if (code != 0) {
      ADD_FAILURE() << out;
      return "";
    }
    std::string dsn = RunHaScript({"/bin/bash", script_, "dsn", dir_}, &code);
    while (!dsn.empty() && dsn.back() == '\n') dsn.pop_back();
    return dsn;
  }
  // SIGKILLs the node that leads, Patroni and PostgreSQL both (the
  // postmaster's children notice its death and exit). Its name, or "".
  std::string KillLeader() {
    for (int i = 0; i < 2; ++i) {
      cli::HttpClient rest("http://127.0.0.1:" + std::to_string(kHaBasePort + 30 + i), "");
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

inline std::string ChildOf(const std::string& key) {
  return "童" + key.substr(key.find('-') + 1);
}

// Teachers filing reports, each retried under its key until acknowledged.
// Worker i files on node i % nodes; once a node is marked down its workers
// retry on the first node that is not, under the same key (the store, and so
// each key's outcome, is shared by the nodes).
class Reporters {
 public:
  explicit Reporters(std::vector<ApiDaemon*> nodes)
      : nodes_(std::move(nodes)), down_(nodes_.size()) {}
  // A test that failed before Stop still ends its workers (a joinable
  // thread's destructor would abort every later test).
  ~Reporters() { Stop(); }
  // Starts `n` workers, each filing its next report `pace` after the last
  // was acknowledged. Their clients are made here, on the caller's thread
  // (ApiDaemon::ClientFor is not thread-safe).
  void Start(int n, std::chrono::milliseconds pace = {}) {
    pace_ = pace;
    for (int i = 0; i < n; ++i) {
      std::vector<std::unique_ptr<cli::HttpClient>> clients;
      for (ApiDaemon* node : nodes_) clients.push_back(node->ClientFor(kTeacher));
      threads_.emplace_back(
          [this, i, c = std::move(clients)]() mutable { File(i, std::move(c)); });
    }
  }
  // Waits until `done()` holds, checked at each acknowledgement (false after
  // 3 min).
  bool WaitUntil(const std::function<bool(size_t acks)>& done) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::minutes(3), [&] { return done(acked_.size()); });
  }
  // Waits until `acks` reports are acknowledged in all (false after 3 min).
  bool WaitFor(size_t acks) {
    return WaitUntil([acks](size_t n) { return n >= acks; });
  }
  // Stops once every report in flight is acknowledged.
  void Stop() {
    stop_ = true;
    for (std::thread& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  // Marks the moment something died; outage() is from then until the first
  // report acknowledged that was first sent after it.
  void MarkKill() {
    std::lock_guard<std::mutex> lock(mu_);
    killed_at_ = SteadyClock::now();
  }
  // Node `index` is gone: file and retry on the others from now on.
  void MarkDown(size_t index) { down_[index] = true; }
  double outage_seconds() const {
    std::lock_guard<std::mutex> lock(mu_);
    return std::chrono::duration<double>(first_after_ - killed_at_).count();
  }
  std::map<std::string, std::string> acked() const {  // key -> case id
    std::lock_guard<std::mutex> lock(mu_);
    return acked_;
  }
  size_t retries() const { return retries_; }

 private:
  size_t NodeFor(int worker) const {
    size_t preferred = static_cast<size_t>(worker) % nodes_.size();
    if (!down_[preferred]) return preferred;
    for (size_t i = 0; i < nodes_.size(); ++i) {
      if (!down_[i]) return i;
    }
    return preferred;
  }

  void File(int worker, std::vector<std::unique_ptr<cli::HttpClient>> clients) {
    for (int n = 0; !stop_; ++n) {
      std::string key = "failover-" + std::to_string(worker) + "-" + std::to_string(n);
      // A child of its own per report: reports about one child join one
      // case, so a report applied twice would show as a join.
      const std::string body = ReportBody(ChildOf(key)).dump();
      SteadyClock::time_point sent = SteadyClock::now();
      for (int attempt = 0;; ++attempt) {
        auto r = clients[NodeFor(worker)]->Send("POST", "/api/v1/cases", body,
                                                {{"Idempotency-Key", key}});
        if (r.status == 201) {
          nlohmann::json b = nlohmann::json::parse(r.body, nullptr, false);
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
        // The store is failing over, or the node died: try again soon (the
        // daemon answers 503 at once, so this is the client's pace, not a
        // wait for a deadline).
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        if (attempt > 1200) return;  // two minutes: the test fails on its count
      }
      std::this_thread::sleep_for(pace_);
    }
  }

  const std::vector<ApiDaemon*> nodes_;
  std::chrono::milliseconds pace_{};
  std::vector<std::atomic<bool>> down_;
  std::atomic<bool> stop_{false};
  std::atomic<size_t> retries_{0};
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, std::string> acked_;
  SteadyClock::time_point killed_at_{}, first_after_{};
  std::vector<std::thread> threads_;
};

// What became of the acknowledged reports, read on `node`.
struct Filed {
  size_t lost = 0;   // not readable, or not about their own child
  size_t twice = 0;  // filed as a second case, or joined to their own
};
// Every acknowledged report is there, about its own child, once: a retry
// applied a second time would have opened a second case or joined its own.
inline Filed CheckFiled(ApiDaemon& node, const std::map<std::string, std::string>& acked) {
  Filed out;
  auto teacher = node.ClientFor(kTeacher);
  auto police = node.ClientFor(kPolice);
  size_t joined = 0;
  for (const auto& [key, id] : acked) {
    auto got = police->Send("GET", "/api/v1/cases/" + id);
    nlohmann::json c = nlohmann::json::parse(got.body, nullptr, false);
    if (got.status != 200 || !c.is_object() ||
        c["data"].value("child_name", "") != ChildOf(key)) {
      ++out.lost;
      continue;
    }
    for (const nlohmann::json& h : c["history"]) {
      joined += h.value("kind", "") == "report_joined";
    }
  }
  std::set<std::string> seen;
  std::string after;
  do {
    auto page = teacher->Send("GET", "/api/v1/cases?mine=true&limit=200" +
                                         (after.empty() ? "" : "&after=" + after));
    EXPECT_EQ(page.status, 200) << page.body;
    if (page.status != 200) break;
    nlohmann::json b = nlohmann::json::parse(page.body);
    for (const nlohmann::json& c : b["cases"]) seen.insert(c.value("id", ""));
    after = b.value("next", "");
  } while (!after.empty());
  out.twice = (seen.size() > acked.size() ? seen.size() - acked.size() : 0) + joined;
  return out;
}

}  // namespace shouhu::testing
