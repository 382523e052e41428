// crash_driver: the child process of crash_test. It runs the real runtime on
// a RocksDB store (sync on) under load until it is SIGKILLed:
//
//   crash_driver <data dir> <workflows path> <seed> <start ms since epoch>
//
// Eight command threads open cases and fire events, notes and assignments on
// the tests/crash workflow (some refused on purpose); a clock thread advances
// a FakeClock 20 minutes for every 6 commands and fires due timers, and a
// second timer thread fires concurrently with it, as the daemon's TimerLoop
// does. Pacing the clock by commands, not by the wall clock, keeps the mix
// of commands and timer firings the same on fast and slow machines.
//
// Protocol on stdout (fd 1), one line per write(2) so that no line is torn or
// interleaved, each written only after the call it reports returned OK:
//   ack <json>    a command was acknowledged: the command itself (enough to
//                 retry it) and its result
//   fired <n>     FireDueTimers fired and committed n timers
// Any unexpected error is printed on stderr and ends the process with exit
// code 3. It runs until killed, and dies with its parent (PR_SET_PDEATHSIG)
// if the test goes away first. Request ids are "s<seed>-t<thread>-<n>", unique across runs as long as
// the parent gives every run its own seed.
#include <limits.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "shouhu/catalog.h"
#include "shouhu/clock.h"
#include "shouhu/runtime.h"
#include "shouhu/store.h"

namespace shouhu {
namespace {

using json = nlohmann::json;

constexpr std::string_view kWorkflow = "crash_case";
constexpr int kCommandThreads = 8;
constexpr auto kClockStep = std::chrono::minutes(20);
constexpr uint64_t kCommandsPerStep = 6;
// The parent kills the driver long before either cap.
constexpr uint64_t kCommandCap = 1'000'000;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "crash_driver: %s\n", what.c_str());
  std::fflush(stderr);
  std::_Exit(3);
}

// One line, one write(2): a pipe write of at most PIPE_BUF bytes is atomic,
// so concurrent writers never interleave and a kill never tears a line.
void WriteLine(std::string line) {
  line.push_back('\n');
  if (line.size() > PIPE_BUF) Die("line longer than PIPE_BUF: " + line);
  ssize_t n;
  do {
    n = ::write(STDOUT_FILENO, line.data(), line.size());
  } while (n < 0 && errno == EINTR);
  if (n != static_cast<ssize_t>(line.size())) Die("short write on stdout");
}

// Cases the command threads pick from: those found at start-up and those
// opened since.
class CasePool {
 public:
  void Add(std::string id) {
    std::lock_guard<std::mutex> lock(mu_);
    ids_.push_back(std::move(id));
  }
  void Remove(const std::string& id) {
    std::lock_guard<std::mutex> lock(mu_);
    std::erase(ids_, id);
  }
  std::optional<std::string> Pick(std::mt19937_64& rng) {
    std::lock_guard<std::mutex> lock(mu_);
    if (ids_.empty()) return std::nullopt;
    // Favour recent cases so that most commands hit cases mid-workflow.
    size_t n = ids_.size();
    size_t window = std::min<size_t>(n, 64);
    size_t i = rng() % 4 == 0 ? rng() % n : n - 1 - rng() % window;
    return ids_[i];
  }

 private:
  std::mutex mu_;
  std::vector<std::string> ids_;
};

struct Users {
  Actor intake{"ivy", "unit-1", {"intake"}, "test"};
  Actor worker{"wang", "unit-1", {"worker"}, "test"};
  Actor supervisor{"zhao", "unit-1", {"supervisor"}, "test"};
};

// The first of our users allowed to act with one of `roles`.
Actor ActorFor(const Users& u, const std::vector<std::string>& roles) {
  for (const Actor* a : {&u.intake, &u.worker, &u.supervisor}) {
    for (const std::string& r : roles) {
      if (a->roles[0] == r) return *a;
    }
  }
  return u.intake;  // refused with kPermissionDenied
}

json ActorJson(const Actor& a) {
  return {{"user", a.user}, {"unit", a.unit}, {"roles", a.roles}};
}

class Driver {
 public:
  Driver(Runtime& rt, const Workflow& wf, FakeClock& clock, uint64_t seed)
      : rt_(rt), wf_(wf), clock_(clock), seed_(seed) {}

  void LoadLiveCases() {
    for (const StateDef& s : wf_.states) {
      if (s.terminal) continue;
      Page page{.after = "", .limit = 1000};
      for (;;) {
        auto list = rt_.ListByState(wf_.id, s.id, page);
        if (!list.ok()) Die("list: " + list.status().ToString());
        for (const CaseRecord& c : list->cases) pool_.Add(c.id);
        if (list->next.empty()) break;
        page.after = list->next;
      }
    }
  }

  void CommandLoop(int thread) {
    std::mt19937_64 rng(seed_ * 1000 + thread);
    for (uint64_t n = 0;; ++n) {
      uint64_t done = commands_.fetch_add(1);
      if (done >= kCommandCap) return;
      if (done % kCommandsPerStep == kCommandsPerStep - 1) {
        { std::lock_guard<std::mutex> lock(step_mu_); }  // no lost wake-up
        step_cv_.notify_all();
      }
      std::string id = "s" + std::to_string(seed_) + "-t" +
                       std::to_string(thread) + "-" + std::to_string(n);
      auto picked = pool_.Pick(rng);
      if (!picked || rng() % 100 < 12) {
        OpenOne(id, rng);
      } else {
        OnCase(id, *picked, rng);
      }
    }
  }

  // The clock thread: one clock step per kCommandsPerStep commands, each
  // followed by firing what is due.
  void ClockLoop() {
    for (uint64_t steps = 0;;) {
      {
        std::unique_lock<std::mutex> lock(step_mu_);
        step_cv_.wait(
            lock, [&] { return commands_.load() / kCommandsPerStep > steps; });
        clock_.Advance(kClockStep);
        steps_ = ++steps;
      }
      step_cv_.notify_all();
      FireDue();
    }
  }

  // A second timer thread, firing after every clock step too, so that two
  // FireDueTimers calls race as the daemon's timer threads do.
  void FiringLoop() {
    for (uint64_t seen = 0;;) {
      {
        std::unique_lock<std::mutex> lock(step_mu_);
        step_cv_.wait(lock, [&] { return steps_ > seen; });
        seen = steps_;
      }
      FireDue();
    }
  }

 private:
  void FireDue() {
    auto fired = rt_.FireDueTimers();
    if (!fired.ok()) Die("FireDueTimers: " + fired.status().ToString());
    if (*fired > 0) WriteLine("fired " + std::to_string(*fired));
  }

  void OpenOne(const std::string& id, std::mt19937_64& rng) {
    OpenCase cmd;
    cmd.request_id = id;
    cmd.actor = users_.intake;
    cmd.actor.unit = "unit-" + std::to_string(1 + rng() % 3);
    cmd.workflow_id = wf_.id;
    cmd.data = {{"level", rng() % 3 == 0 ? "high" : "low"}, {"ref", id}};
    if (rng() % 20 == 0) cmd.data.erase("level");  // refused: required
    auto r = rt_.Open(cmd);
    if (!Expected(r.status(), "open")) return;
    pool_.Add(r->case_id);
    Ack({{"req", id},
         {"op", "open"},
         {"actor", ActorJson(cmd.actor)},
         {"workflow", cmd.workflow_id},
         {"data", cmd.data}},
        *r);
  }

  void OnCase(const std::string& id, const std::string& case_id,
              std::mt19937_64& rng) {
    auto c = rt_.GetCase(case_id);
    if (!c.ok()) Die("get " + case_id + ": " + c.status().ToString());
    const StateDef* state = wf_.FindState(c->state);
    if (!state) Die("case " + case_id + " in unknown state " + c->state);
    if (state->terminal && rng() % 4 != 0) {
      pool_.Remove(case_id);
      return;
    }
    int dice = rng() % 100;
    if (dice < 12) {
      AddNote cmd{id, users_.worker, case_id, id};
      auto r = rt_.Note(cmd);
      if (Expected(r.status(), "note")) {
        Ack({{"req", id},
             {"op", "note"},
             {"actor", ActorJson(cmd.actor)},
             {"case", case_id},
             {"text", cmd.text}},
            *r);
      }
      return;
    }
    if (dice < 24) {
      AssignOwner cmd{id, users_.supervisor, case_id, "o:" + id};
      auto r = rt_.Assign(cmd);
      if (Expected(r.status(), "assign")) {
        Ack({{"req", id},
             {"op", "assign"},
             {"actor", ActorJson(cmd.actor)},
             {"case", case_id},
             {"owner", cmd.owner}},
            *r);
      }
      return;
    }
    // Fire an event: mostly one allowed from the state, sometimes any event
    // (wrong state), a wrong role, or missing data.
    std::vector<const EventDef*> events;
    for (const EventDef& e : wf_.events) {
      bool user_event =
          std::any_of(e.roles.begin(), e.roles.end(),
                      [](const std::string& r) { return r != kSystemRole; });
      bool from_here = std::count(e.from.begin(), e.from.end(), c->state) > 0;
      if (user_event && (from_here || dice >= 92)) events.push_back(&e);
    }
    if (events.empty()) return;
    const EventDef& e = *events[rng() % events.size()];
    // Closing ends a case's timers: keep it rare so that cases live long
    // enough (in fake time) for their deadlines and escalations to fire.
    if (e.id == "close" && rng() % 8 != 0) return;
    FireEvent cmd;
    cmd.request_id = id;
    cmd.case_id = case_id;
    cmd.event = e.id;
    cmd.actor = ActorFor(users_, e.roles);
    if (rng() % 15 == 0) cmd.actor = users_.intake;  // often not allowed
    cmd.data = {{"ref", id}};
    bool needs_outcome = std::count(e.requires_fields.begin(),
                                    e.requires_fields.end(), "outcome") > 0;
    bool takes_outcome =
        needs_outcome || std::count(e.optional_fields.begin(),
                                    e.optional_fields.end(), "outcome") > 0;
    if (takes_outcome && (needs_outcome || rng() % 2 == 0)) {
      cmd.data["outcome"] = rng() % 3 == 0 ? "concern" : "ok";
    }
    if (needs_outcome && rng() % 20 == 0) cmd.data.erase("outcome");
    if (rng() % 5 == 0) cmd.expected_seq = c->last_seq;  // may conflict
    auto r = rt_.Fire(cmd);
    if (!Expected(r.status(), "fire " + e.id)) return;
    if (r->state == "closed") pool_.Remove(case_id);
    Ack({{"req", id},
         {"op", "fire"},
         {"actor", ActorJson(cmd.actor)},
         {"case", case_id},
         {"event", cmd.event},
         {"data", cmd.data}},
        *r);
  }

  // True for OK. Refusals the driver provokes (or races into) are expected;
  // anything else, above all kUnavailable from the store, ends the run.
  bool Expected(const Status& s, const std::string& what) {
    switch (s.code()) {
      case StatusCode::kOk:
        return true;
      case StatusCode::kFailedPrecondition:
      case StatusCode::kPermissionDenied:
      case StatusCode::kInvalidArgument:
        return false;
      default:
        Die(what + ": " + s.ToString());
    }
  }

  void Ack(json command, const CommandResult& r) {
    if (r.replayed)
      Die("fresh request " + command["req"].get<std::string>() +
          " answered as a replay");
    command["result"] = {
        {"case", r.case_id}, {"seq", r.seq}, {"state", r.state}};
    WriteLine("ack " + command.dump());
  }

  Runtime& rt_;
  const Workflow& wf_;
  FakeClock& clock_;
  const uint64_t seed_;
  const Users users_;
  CasePool pool_;
  std::atomic<uint64_t> commands_{0};
  std::mutex step_mu_;
  std::condition_variable step_cv_;
  uint64_t steps_ = 0;  // clock steps taken; guarded by step_mu_
};

int Main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr,
                 "usage: crash_driver <data dir> <workflows path> <seed> "
                 "<start ms since epoch>\n");
    return 2;
  }
  // If the test process dies (or is killed) first, die with it rather than
  // write to a pipe nobody reads: no wall-clock cap is needed.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() == 1) return 0;
  const std::string dir = argv[1];
  const uint64_t seed = std::strtoull(argv[3], nullptr, 10);
  FakeClock clock(
      Instant(std::chrono::milliseconds(std::strtoll(argv[4], nullptr, 10))));

  std::vector<DefinitionError> errors;
  Catalog catalog = Catalog::Load({argv[2]}, &errors);
  for (const DefinitionError& e : errors) Die(e.ToString());
  auto wf = catalog.Newest(kWorkflow);
  if (!wf) Die("no workflow crash_case under " + std::string(argv[2]));

  auto store = OpenRocksStore(dir, StoreOptions{.sync = true});
  if (!store.ok()) Die("open store: " + store.status().ToString());
  auto rt = Runtime::Create(**store, catalog, clock);
  if (!rt.ok()) Die("runtime: " + rt.status().ToString());

  Driver driver(**rt, *wf, clock, seed);
  driver.LoadLiveCases();
  std::vector<std::thread> threads;
  for (int i = 0; i < kCommandThreads; ++i) {
    threads.emplace_back([&driver, i] { driver.CommandLoop(i); });
  }
  threads.emplace_back([&driver] { driver.ClockLoop(); });
  threads.emplace_back([&driver] { driver.FiringLoop(); });

  // Runs until the test kills it; the threads never return on their own.
  for (std::thread& t : threads) t.join();
  return 0;
}

}  // namespace
}  // namespace shouhu

int main(int argc, char** argv) { return shouhu::Main(argc, argv); }
