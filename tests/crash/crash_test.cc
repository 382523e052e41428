// Crash test: a child process (crash_driver) applies commands and fires
// timers under load on a RocksDB store; the test SIGKILLs it at pseudo-random
// points, 25 times on the same data directory (state accumulates across
// kills, as for a real daemon), and after every kill reopens the store and
// checks that
//   - every acknowledged command is present: its idempotency record, its
//     history entry, and a retry answered as a replay with the same result;
//   - nothing is half-applied: every record agrees with every other
//     (store_checker.h lists the checks);
//   - every acknowledged timer firing is present, and no timer fired twice.
// After the last kill it fires everything due far in the future and checks
// that no timer is left behind.
//
// The kill is triggered by the number of acknowledgements read, never by the
// wall clock. SHOUHU_CRASH_SEED picks another sequence of kill points and
// commands; SHOUHU_CRASH_KEEP=1 keeps the data directory.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "runtime/codec.h"
#include "shouhu/catalog.h"
#include "shouhu/clock.h"
#include "shouhu/runtime.h"
#include "shouhu/store.h"
#include "store_checker.h"
#include "../support/test_paths.h"

extern char** environ;

namespace shouhu::crash {
namespace {

using json = nlohmann::json;

constexpr int kKills = 25;
constexpr size_t kMinAcks = 20;
constexpr size_t kMaxAcks = 400;
constexpr int kStallMs = 60'000;
const std::string kDriver = BuildTree("/tests/crash_driver");
const std::string kWorkflows = SourceTree("/tests/crash");

std::string Join(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += "\n  " + l;
  return out;
}

// What one driver run reported before it died.
struct DriverRun {
  std::vector<json> acks;
  uint64_t fired = 0;  // timer firings acknowledged by FireDueTimers
  int wait_status = 0;
  std::vector<std::string> protocol_errors;
};

// Starts the driver, SIGKILLs it once it has acknowledged `kill_after`
// commands, and keeps reading until the pipe closes: a line written before
// the kill is an acknowledgement like any other.
DriverRun RunAndKill(const std::string& data_dir, uint64_t seed, Instant start,
                     size_t kill_after) {
  DriverRun run;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    run.protocol_errors.push_back("pipe2 failed");
    return run;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  std::vector<std::string> args = {
      kDriver, data_dir, kWorkflows, std::to_string(seed),
      std::to_string(start.time_since_epoch().count())};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  int err = posix_spawn(&pid, kDriver.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (err != 0) {
    close(fds[0]);
    run.protocol_errors.push_back(std::string("cannot start ") + kDriver);
    return run;
  }

  bool killed = false;
  std::string pending;
  char chunk[1 << 16];
  for (;;) {
    // Only a guard against a hung driver (a deadlock would show up here);
    // the kill itself is triggered by the acknowledgement count.
    pollfd pfd{fds[0], POLLIN, 0};
    if (poll(&pfd, 1, kStallMs) == 0 && !killed) {
      run.protocol_errors.push_back("the driver wrote nothing for " +
                                    std::to_string(kStallMs / 1000) +
                                    " s: hung?");
      kill(pid, SIGKILL);
      killed = true;
    }
    ssize_t n = read(fds[0], chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    pending.append(chunk, n);
    size_t begin = 0;
    for (size_t nl; (nl = pending.find('\n', begin)) != std::string::npos;
         begin = nl + 1) {
      std::string_view line(pending.data() + begin, nl - begin);
      if (line.starts_with("ack ")) {
        json j = json::parse(line.substr(4), nullptr, false);
        if (j.is_discarded()) {
          run.protocol_errors.push_back("bad ack line: " + std::string(line));
          continue;
        }
        run.acks.push_back(std::move(j));
        if (!killed && run.acks.size() >= kill_after) {
          kill(pid, SIGKILL);
          killed = true;
        }
      } else if (line.starts_with("fired ")) {
        run.fired += std::stoull(std::string(line.substr(6)));
      } else {
        run.protocol_errors.push_back("unknown line: " + std::string(line));
      }
    }
    pending.erase(0, begin);
  }
  close(fds[0]);
  if (!pending.empty()) run.protocol_errors.push_back("torn line: " + pending);
  if (!killed) kill(pid, SIGKILL);  // it died on its own or the pipe failed
  while (waitpid(pid, &run.wait_status, 0) < 0 && errno == EINTR) {
  }
  return run;
}

Actor ActorOf(const json& j) {
  return {j["user"].get<std::string>(), j["unit"].get<std::string>(),
          j["roles"].get<std::vector<std::string>>(), "test"};
}

// Retries the acknowledged command, as a client would after the crash.
StatusOr<CommandResult> Retry(Runtime& rt, const json& ack) {
  const std::string id = ack["req"], op = ack["op"];
  const Actor actor = ActorOf(ack["actor"]);
  if (op == "open") {
    OpenCase cmd{.request_id = id,
                 .actor = actor,
                 .workflow_id = ack["workflow"].get<std::string>(),
                 .unit = "",
                 .data = ack["data"]};
    return rt.Open(cmd);
  }
  const std::string case_id = ack["case"];
  if (op == "fire") {
    FireEvent cmd{.request_id = id,
                  .actor = actor,
                  .case_id = case_id,
                  .event = ack["event"].get<std::string>(),
                  .data = ack["data"],
                  .expected_seq = std::nullopt};
    return rt.Fire(cmd);
  }
  if (op == "note")
    return rt.Note({id, actor, case_id, ack["text"].get<std::string>()});
  return rt.Assign({id, actor, case_id, ack["owner"].get<std::string>()});
}

// Checks every acknowledged command against the store and the runtime.
void VerifyAcks(Store& store, Runtime& rt, const std::vector<json>& acks,
                std::vector<std::string>* errors) {
  static const std::map<std::string, std::string> kKind = {
      {"open", "opened"},
      {"fire", "event"},
      {"note", "note"},
      {"assign", "assigned"}};
  std::map<std::string, std::vector<HistoryEntry>> histories;
  for (const json& ack : acks) {
    if (errors->size() >= 200) return;
    const std::string id = ack["req"];
    const json& want = ack["result"];
    const std::string case_id = want["case"];
    const uint64_t seq = want["seq"];
    auto stored = store.Get(codec::RequestKey(id));
    std::string fingerprint;
    auto result = stored.ok() ? codec::DecodeResult(*stored, &fingerprint)
                              : StatusOr<CommandResult>(stored.status());
    if (!result.ok() || result->case_id != case_id || result->seq != seq ||
        result->state != want["state"]) {
      errors->push_back("ack " + id +
                        ": idempotency record missing or different");
    }
    auto h = histories.find(case_id);
    if (h == histories.end()) {
      auto read = rt.History(case_id);
      h = histories
              .emplace(case_id, read.ok() ? *read : std::vector<HistoryEntry>{})
              .first;
    }
    if (seq < 1 || seq > h->second.size() ||
        h->second[seq - 1].kind != kKind.at(ack["op"]) ||
        RequestIdOf(h->second[seq - 1]) != id) {
      errors->push_back("ack " + id + ": history of " + case_id +
                        " lacks seq " + std::to_string(seq));
    }
    auto retry = Retry(rt, ack);
    if (!retry.ok() || !retry->replayed || retry->case_id != case_id ||
        retry->seq != seq || retry->state != want["state"]) {
      errors->push_back("ack " + id +
                        ": retry not answered as a replay of seq " +
                        std::to_string(seq) + ": " +
                        (retry.ok() ? std::to_string(retry->seq)
                                    : retry.status().ToString()));
    }
  }
}

Instant At(const char* text) { return *ParseInstant(text); }

TEST(CrashTest, AcknowledgedChangesSurviveSigkillAndNothingIsHalfApplied) {
  const char* seed_env = std::getenv("SHOUHU_CRASH_SEED");
  const uint64_t base_seed =
      seed_env ? std::strtoull(seed_env, nullptr, 10) : 1;
  std::cout << "SHOUHU_CRASH_SEED=" << base_seed << "\n";
  std::mt19937_64 rng(base_seed);

  std::string tmpl = "/tmp/shouhu_crash_test_XXXXXX";
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  const std::string root = tmpl, data_dir = root + "/db";
  // SHOUHU_CRASH_KEEP=1 keeps the data directory for a post-mortem.
  struct Cleanup {
    std::string dir;
    ~Cleanup() {
      if (std::getenv("SHOUHU_CRASH_KEEP")) {
        std::cout << "data kept in " << dir << "\n";
      } else {
        std::filesystem::remove_all(dir);
      }
    }
  } cleanup{root};

  std::vector<DefinitionError> definition_errors;
  Catalog catalog = Catalog::Load({kWorkflows}, &definition_errors);
  ASSERT_TRUE(definition_errors.empty()) << definition_errors[0].ToString();

  Instant start = At("2026-03-02T00:00:00Z");  // a Monday
  std::vector<json> acks;
  uint64_t fired_acked = 0;
  StoreSummary summary;
  for (int i = 0; i < kKills; ++i) {
    const size_t kill_after = kMinAcks + rng() % (kMaxAcks - kMinAcks + 1);
    DriverRun run =
        RunAndKill(data_dir, base_seed * 1000 + i + 1, start, kill_after);
    ASSERT_TRUE(run.protocol_errors.empty())
        << "run " << i << Join(run.protocol_errors);
    ASSERT_TRUE(WIFSIGNALED(run.wait_status) &&
                WTERMSIG(run.wait_status) == SIGKILL)
        << "run " << i << ": the driver was not killed but ended with status "
        << run.wait_status << " after " << run.acks.size() << " acks";
    ASSERT_GE(run.acks.size(), kill_after);
    acks.insert(acks.end(), run.acks.begin(), run.acks.end());
    fired_acked += run.fired;

    auto store = OpenRocksStore(data_dir);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    std::vector<std::string> errors;
    summary = CheckStore(**store, catalog, &errors);
    ASSERT_TRUE(errors.empty()) << "after kill " << i << ":" << Join(errors);
    FakeClock clock(summary.latest);
    auto rt = Runtime::Create(**store, catalog, clock);
    ASSERT_TRUE(rt.ok()) << rt.status().ToString();
    VerifyAcks(**store, **rt, acks, &errors);
    ASSERT_TRUE(errors.empty()) << "after kill " << i << ":" << Join(errors);
    // Every acknowledged firing left its entry: a state timer's "timer"
    // entry, or an escalation step's entry (step > 0).
    ASSERT_GE(summary.timer_entries + summary.step_entries, fired_acked)
        << "after kill " << i;
    // The next run starts where this one's last durable change left off.
    start = std::max(start, summary.latest + std::chrono::minutes(1));
  }

  // Far past every due time, everything due fires once and nothing is left
  // behind: every armed timer is in the future.
  auto store = OpenRocksStore(data_dir);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  const Instant far = std::max(summary.latest, summary.latest_due) +
                      std::chrono::hours(24 * 30);
  FakeClock clock(far);
  auto rt = Runtime::Create(**store, catalog, clock);
  ASSERT_TRUE(rt.ok()) << rt.status().ToString();
  size_t final_fired = 0;
  for (int round = 0;; ++round) {
    ASSERT_LT(round, 10) << "FireDueTimers keeps finding due timers";
    auto fired = (*rt)->FireDueTimers();
    ASSERT_TRUE(fired.ok()) << fired.status().ToString();
    if (*fired == 0) break;
    final_fired += *fired;
  }
  std::vector<std::string> errors;
  StoreSummary end = CheckStore(**store, catalog, &errors);
  Status s = (*store)->Scan(
      codec::kTimerPrefix, "", [&](std::string_view key, std::string_view) {
        if (codec::TimerKeyDue(key) <= far)
          errors.push_back("timer still due: " + std::string(key));
        return true;
      });
  ASSERT_TRUE(s.ok()) << s.ToString();
  auto next = (*rt)->NextDue();
  if (next && *next <= far) errors.push_back("NextDue is in the past");
  VerifyAcks(**store, **rt, acks, &errors);
  EXPECT_TRUE(errors.empty()) << "after the final firing:" << Join(errors);
  EXPECT_GE(end.timer_entries + end.step_entries, fired_acked + final_fired);

  std::cout << "kills: " << kKills << ", acks verified: " << acks.size()
            << " (+" << end.requests - acks.size()
            << " commands committed but not acknowledged when killed)"
            << ", cases: " << end.cases << ", history entries: " << end.history
            << ", timer firings acknowledged: " << fired_acked
            << " (in effect: " << end.timer_entries << " state timers + "
            << end.step_entries << " escalation steps, of which " << final_fired
            << " in the final catch-up)"
            << ", escalation entries: " << end.escalations
            << ", outbox: " << end.outbox
            << ", armed timers left: " << end.armed_timers << "\n";
}

}  // namespace
}  // namespace shouhu::crash
