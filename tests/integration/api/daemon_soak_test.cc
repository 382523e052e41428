// Soak (issue 16): the real shouhud under HTTP load, SIGKILLed at a random
// moment, again and again on the same data directory. The daemon runs on
// simulated time with the bundled deadlines, and a client moves its clock
// half an hour at a time while teachers file reports and police accept them,
// so timers come due and fire between the kills. After every kill:
//   - `shouhu audit verify` passes on the data directory (the chain is whole);
// and once restarted (its clock where the last one left off; everything due
// meanwhile fired, FakeClock::AwaitIdle through POST /api/v1/clock):
//   - every acknowledged write is there: its case, and its history entry;
//   - nothing is half-applied: each case's history is exactly 1..last_seq;
//   - no timer fired twice, and every acceptance deadline that passed with
//     the report still unaccepted fired exactly once.
// It prints the cycles, the writes acknowledged and the writes lost.
//
// The short form (3 kills) runs in the default suite; the long form is
//   SHOUHU_SOAK_CYCLES=1000 build/tests/daemon_soak_test
// SHOUHU_SOAK_SEED picks another sequence of kill points. A kill is
// triggered by the number of acknowledgements, never by the wall clock.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <random>
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


int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoi(v) : fallback;
}

json Body(const cli::HttpReply& r) { return json::parse(r.body, nullptr, false); }

// One cycle's load: reporters file and the police accept, a clock keeper
// moves time on; every 2xx answer is an acknowledged write, kept here.
class Load {
 public:
  struct Ack {
    std::string case_id;
    uint64_t seq;
  };

  Load(ApiDaemon& daemon, Instant clock_at, uint64_t seed)
      : daemon_(daemon), clock_at_(clock_at), seed_(seed) {}

  // Runs until `acks` writes are acknowledged; false when that takes more
  // than two minutes of real time (the daemon stopped answering).
  bool RunUntil(size_t acks) {
    for (int i = 0; i < 3; ++i) threads_.emplace_back([this, i] { Report(i); });
    threads_.emplace_back([this] { KeepTime(); });
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::minutes(2), [&] { return acks_.size() >= acks; });
  }
  // After the kill: the clients see their connections fail and stop.
  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    for (std::thread& t : threads_) t.join();
  }
  const std::vector<Ack>& acks() const { return acks_; }
  // Where the clock may stand: past the last move answered, and the one in
  // flight when the daemon died (time never goes back).
  Instant clock_at() const { return clock_at_ + std::chrono::minutes(30); }

 private:
  void Acked(const cli::HttpReply& r) {
    json b = Body(r);
    std::lock_guard<std::mutex> lock(mu_);
    acks_.push_back({b.value("case_id", ""), b.value("seq", uint64_t{0})});
    cv_.notify_all();
  }
  void Report(int worker) {
    auto teacher = daemon_.ClientFor(kTeacher);
    auto police = daemon_.ClientFor(kPolice);
    std::mt19937_64 rng(seed_ * 31 + static_cast<uint64_t>(worker));
    for (int n = 0; !stop_; ++n) {
      std::string key = "soak-" + std::to_string(seed_) + "-" + std::to_string(worker) + "-" +
                        std::to_string(n);
      auto filed = teacher->Send("POST", "/api/v1/cases", ReportBody().dump(),
                                 {{"Idempotency-Key", key}});
      if (filed.status != 201) continue;  // refused, or the daemon is gone
      Acked(filed);
      if (rng() % 2) continue;  // half stay unaccepted: their deadline runs
      json accept = {{"event", "accept"},
                     {"data", {{"intake_kind", "administrative"},
                               {"accepted_at", FormatInstant(Now())}}}};
      auto fired = police->Send("POST", "/api/v1/cases/" + Body(filed).value("case_id", "") +
                                            "/events", accept.dump(),
                                {{"Idempotency-Key", key + "-accept"}});
      if (fired.status == 200) Acked(fired);
    }
  }
  // Half an hour on for every five writes acknowledged.
  void KeepTime() {
    auto admin = daemon_.ClientFor("u0007");
    for (size_t seen = 0; !stop_;) {
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return stop_ || acks_.size() >= seen + 5; });
        seen = acks_.size();
      }
      if (stop_) break;
      auto moved = admin->Send("POST", "/api/v1/clock", json{{"advance", "PT30M"}}.dump());
      if (moved.status != 200) continue;
      auto at = ParseInstant(Body(moved).value("now", ""));
      std::lock_guard<std::mutex> lock(mu_);
      if (at.ok()) clock_at_ = *at;
    }
  }
  Instant Now() {
    std::lock_guard<std::mutex> lock(mu_);
    return clock_at_;
  }

  ApiDaemon& daemon_;
  Instant clock_at_;
  const uint64_t seed_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Ack> acks_;
  std::vector<std::thread> threads_;
};

// What the checks found in one case; `errors` gets one line per violation.
void CheckCase(const json& c, Instant now, std::vector<std::string>* errors) {
  const std::string id = c.value("id", "");
  const auto& history = c["history"];
  uint64_t expect = 1;
  std::set<std::pair<std::string, std::string>> fired;  // (timer, due)
  int acceptance_firings = 0;
  for (const json& h : history) {
    if (h.value("seq", uint64_t{0}) != expect++) {
      errors->push_back(id + ": history is not 1..last_seq");
      break;
    }
    if (h.value("kind", "") != "timer") continue;
    std::string due = h["data"].is_object() ? h["data"].value("due", "") : "";
    if (!fired.insert({h.value("name", ""), due}).second) {
      errors->push_back(id + ": timer " + h.value("name", "") + " due " + due + " fired twice");
    }
    acceptance_firings += h.value("name", "") == "acceptance_sla";
  }
  if (c.value("last_seq", uint64_t{0}) != history.size()) {
    errors->push_back(id + ": last_seq " + std::to_string(c.value("last_seq", 0)) + " but " +
                      std::to_string(history.size()) + " history entries");
  }
  auto opened = ParseInstant(c.value("opened_at", ""));
  bool unaccepted = history.size() > 0 && c.value("state", "") == "reported";
  if (opened.ok() && unaccepted && *opened + std::chrono::hours(2) <= now &&
      acceptance_firings != 1) {
    errors->push_back(id + ": the acceptance deadline passed and fired " +
                      std::to_string(acceptance_firings) + " time(s)");
  }
}

TEST(DaemonSoak, SigkillUnderHttpLoadLosesNothingAcknowledged) {
  const int cycles = EnvInt("SHOUHU_SOAK_CYCLES", 3);
  const uint64_t seed = static_cast<uint64_t>(EnvInt("SHOUHU_SOAK_SEED", 1));
  std::mt19937_64 rng(seed);
  ApiDaemon daemon(json{{"rate_per_second", 0}});
  auto start = ParseInstant("2026-03-02T01:00:00Z");
  ASSERT_TRUE(start.ok());
  Instant clock_at = *start;
  daemon.SimulateTime(FormatInstant(clock_at));
  daemon.Start();
  daemon.KeepReading();

  std::map<std::string, uint64_t> acked;  // case -> highest seq acknowledged
  size_t writes = 0, lost = 0;
  for (int cycle = 1; cycle <= cycles; ++cycle) {
    Load load(daemon, clock_at, seed * 1000 + static_cast<uint64_t>(cycle));
    const size_t kill_after = 10 + rng() % 110;
    ASSERT_TRUE(load.RunUntil(kill_after)) << "cycle " << cycle << ": the daemon stopped answering";
    daemon.Kill();
    load.Stop();
    for (const Load::Ack& a : load.acks()) {
      uint64_t& seq = acked[a.case_id];
      seq = std::max(seq, a.seq);
    }
    writes += load.acks().size();

    // Offline: the audit chain is whole.
    testing::Subprocess verify({testing::kCliPath, "audit", "verify", "--data-dir",
                                daemon.data_dir(), "--key-file", daemon.key_path()});
    std::string said = verify.ReadAll();
    ASSERT_EQ(verify.Wait(), 0) << "cycle " << cycle << ": " << said;

    // Restarted where the clock was; what came due meanwhile fires first.
    clock_at = load.clock_at();
    daemon.SimulateTime(FormatInstant(clock_at));
    daemon.Start();
    daemon.KeepReading();
    auto restarted_at = ParseInstant(daemon.Advance("PT0S"));
    ASSERT_TRUE(restarted_at.ok());
    clock_at = *restarted_at;

    // Every case written this cycle (the long form checks the rest at the end).
    std::set<std::string> touched;
    for (const Load::Ack& a : load.acks()) touched.insert(a.case_id);
    auto police = daemon.ClientFor(kPolice);
    std::vector<std::string> errors;
    for (const std::string& id : touched) {
      auto got = police->Send("GET", "/api/v1/cases/" + id);
      if (got.status != 200) {
        ++lost;
        errors.push_back(id + ": acknowledged, answered " + std::to_string(got.status));
        continue;
      }
      json c = Body(got);
      if (c.value("last_seq", uint64_t{0}) < acked[id]) {
        ++lost;
        errors.push_back(id + ": seq " + std::to_string(acked[id]) + " acknowledged, " +
                         std::to_string(c.value("last_seq", 0)) + " kept");
      }
      CheckCase(c, clock_at, &errors);
    }
    ASSERT_TRUE(errors.empty()) << "cycle " << cycle << ":\n" << [&] {
      std::string all;
      for (const std::string& e : errors) all += "  " + e + "\n";
      return all;
    }();
    if (cycle % 100 == 0) {
      std::printf("soak: %d of %d cycle(s), %zu write(s) acknowledged, %zu lost\n", cycle,
                  cycles, writes, lost);
      std::fflush(stdout);
    }
  }
  std::printf("soak: %d cycle(s), %zu write(s) acknowledged, %zu lost, %zu case(s)\n", cycles,
              writes, lost, acked.size());
  EXPECT_EQ(lost, 0u);
  EXPECT_GT(writes, 0u);
}

}  // namespace
}  // namespace shouhu
