// Scenario tests: one case driven from report to close through the runtime's
// public interface, on a FakeClock, with the real workflows/ folder, a real
// RocksDB store in a temporary directory and the real sample county
// (deploy/county/organisation.json), acting as its real users.
//
// A scenario is a function registered with SCENARIO(suite, name): it runs as
// its own test, and coverage_test runs every scenario again to collect the
// transitions they took and compare them with the definitions.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "shouhu/catalog.h"
#include "shouhu/clock.h"
#include "shouhu/org.h"
#include "shouhu/runtime.h"
#include "shouhu/store.h"

namespace shouhu::scenario {

using json = nlohmann::json;

Instant At(std::string_view rfc3339);

// One step a case took: the event fired, the state it fired from and the
// state it led to ("open" for the opening, from "").
struct Step {
  std::string workflow;
  int version = 0;
  std::string event;
  std::string from;
  std::string to;
  bool operator<(const Step& o) const {
    return std::tie(workflow, version, event, from, to) <
           std::tie(o.workflow, o.version, o.event, o.from, o.to);
  }
};

class Scenario {
 public:
  // The clock starts on Monday 2 March 2026, 09:00 in Beijing.
  Scenario();
  ~Scenario();
  Scenario(const Scenario&) = delete;
  Scenario& operator=(const Scenario&) = delete;

  const Organisation& org() const { return org_; }
  Runtime& runtime() { return *rt_; }
  Instant Now() const { return clock_.Now(); }

  // The organisation's user `id`, acting for their unit with all their roles.
  Actor As(const std::string& user_id) const;

  // Opens a case as `user`; a refusal fails the test.
  std::string Open(const std::string& user, const std::string& workflow,
                   const json& data);
  // Expects the opening to be refused with `code`, writing nothing.
  void OpenRefused(const std::string& user, const std::string& workflow,
                   const json& data, StatusCode code);
  // Fires `event` as `user`; a refusal fails the test. Returns the new state.
  std::string Fire(const std::string& case_id, const std::string& user,
                   const std::string& event, const json& data = json::object());
  // Expects `event` as `user` to be refused with `code` and the case to be
  // left exactly as it was.
  void Refused(const std::string& case_id, const std::string& user,
               const std::string& event, const json& data, StatusCode code);
  void Assign(const std::string& case_id, const std::string& by,
              const std::string& owner);

  // As after a crash and restart: a new store handle and runtime on the same
  // data directory.
  void Restart();
  // As a daemon restarted with other definition files (paths relative to the
  // source tree, e.g. {"workflows/versions/mandatory_report.v2.json",
  // "workflows/calendars"}): the cases and their timers stay in the store.
  void Deploy(const std::vector<std::string>& definitions);

  // Moves the clock and fires every timer now due; returns how many fired.
  size_t Advance(std::chrono::milliseconds d);
  size_t AdvanceTo(Instant at);

  CaseRecord Case(const std::string& id);
  std::string State(const std::string& id) { return Case(id).state; }
  // When the case's armed timer `name` is due, if it is armed.
  std::optional<Instant> TimerDue(const std::string& case_id,
                                  const std::string& name);
  std::vector<std::string> TimerNames(const std::string& case_id);
  std::vector<HistoryEntry> History(const std::string& id);

  // Outbox entries queued since the last call, oldest first.
  std::vector<OutboxEntry> TakeOutbox();
  // Who an entry reaches, as organisation user ids (sorted): roles resolve
  // through the tree from the case's unit, the owner is the case's owner
  // (or, unassigned, the owner role at the case's unit), the reporter the
  // user who opened the case.
  std::vector<std::string> Recipients(const OutboxEntry& e) const;
  // Expects exactly one entry of `entries` with `template_id`, reaching
  // exactly `users` through `channels`; returns it.
  OutboxEntry ExpectNotice(const std::vector<OutboxEntry>& entries,
                           const std::string& template_id,
                           std::vector<std::string> users,
                           std::vector<std::string> channels);

  // The steps every case opened here took, from their histories.
  std::set<Step> Steps();

 private:
  std::string NextRequest() { return "s-" + std::to_string(++requests_); }

  std::string dir_;
  FakeClock clock_;
  Catalog catalog_;
  Organisation org_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Runtime> rt_;
  std::vector<std::string> cases_;
  uint64_t outbox_seen_ = 0;
  int requests_ = 0;
};

// The police name the entrusted guardian (委托监护人) on mandatory report
// `case_id` as `officer`: a branch record the guardian arrangements need, and
// a change of the child's file.
void NameEntrustedGuardian(Scenario& s, const std::string& case_id,
                           const std::string& officer);

// The scenario registry, for coverage_test.
using ScenarioFn = std::function<void(Scenario&)>;
std::vector<std::pair<std::string, ScenarioFn>>& Registry();
bool Register(std::string name, ScenarioFn fn);

#define SCENARIO(suite, name)                                                \
  static void suite##_##name(::shouhu::scenario::Scenario& s);               \
  static const bool suite##_##name##_registered =                            \
      ::shouhu::scenario::Register(#suite "." #name, suite##_##name);        \
  TEST(suite, name) {                                                        \
    ::shouhu::scenario::Scenario s;                                          \
    suite##_##name(s);                                                       \
  }                                                                          \
  static void suite##_##name(::shouhu::scenario::Scenario& s)

}  // namespace shouhu::scenario
