// CaseReplay: folds one case's history, entry by entry, into the record it
// must have produced: state, data, owner, priority, overdue flag, and the
// exact set of armed timers. It follows the rules as workflows/README.md
// states them, written apart from the engine's code, and reports every entry
// those rules do not allow:
//   - an entry dated before the one ahead of it;
//   - an entry that does not start in the state the previous one ended in,
//     or a move without an event, or an event not allowed from there;
//   - a system event not fired by its state's timer;
//   - a timer or escalation step that fires while not armed (never armed,
//     already fired, or cancelled by leaving the state), before its due time,
//     or while another timer of the case due strictly earlier is still armed
//     (timers fire oldest first, so a timer that would have left the state
//     first must not be skipped);
//   - an escalation step run neither by its timer nor right after the step
//     before it.
//
// Thread safety: not thread-safe; one replay per case.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "shouhu/calendar.h"
#include "shouhu/case.h"
#include "shouhu/workflow.h"

namespace shouhu::crash {

class CaseReplay {
 public:
  // `calendar` may be null. Messages are prefixed with `where` and appended
  // to `errors`.
  CaseReplay(const Workflow& workflow, const Calendar* calendar,
             std::string where, std::vector<std::string>* errors);

  // REQUIRES: entries in seq order, starting with the first.
  void Apply(const HistoryEntry& e);
  // Checks that no step due at once was left unrun.
  void Finish();

  const std::string& state() const { return state_; }
  const nlohmann::json& data() const { return data_; }
  const std::string& owner() const { return owner_; }
  Priority priority() const { return priority_; }
  bool overdue() const { return overdue_; }
  Instant entered() const { return entered_; }
  // The timers that must be armed now, by name.
  const std::map<std::string, ArmedTimer>& armed() const { return armed_; }
  // How many outbox entries the entry `seq` must have sent.
  size_t notifications(uint64_t seq) const {
    auto it = notifications_.find(seq);
    return it == notifications_.end() ? 0 : it->second;
  }
  size_t timer_entries() const { return timer_entries_; }
  size_t step_firings() const { return step_firings_; }
  size_t escalations() const { return escalations_; }

 private:
  void Fail(const HistoryEntry& e, const std::string& message);
  Instant Due(const TimerDef& t, Instant from) const;
  Instant StepDue(const EscalationDef& chain, int step, Instant started) const;
  void Enter(const std::string& state, Instant at);
  // A timer fires: it must be armed with `due` and be the oldest armed.
  bool CheckFiring(const HistoryEntry& e, const std::string& name, Instant due);
  void OnTimer(const HistoryEntry& e);
  void OnEscalation(const HistoryEntry& e);
  // After step `step` ran at `at`: arm the next step, or expect it at once.
  void AfterStep(const EscalationDef& chain, int step, Instant started,
                 Instant at);

  const Workflow& wf_;
  const Calendar* calendar_;
  const std::string where_;
  std::vector<std::string>* errors_;

  std::string prev_kind_, prev_name_;  // of the entry before; "" at first
  Instant prev_at_{};
  std::string state_, owner_;
  nlohmann::json data_;
  Priority priority_ = Priority::kNormal;
  bool overdue_ = false;
  Instant entered_{};
  std::map<std::string, ArmedTimer> armed_;
  // A step due at once when the one before it ran: it must come next.
  struct InlineStep {
    std::string chain;
    int step = -1;
    Instant started{};
  };
  std::optional<InlineStep> inline_next_;
  std::set<std::pair<std::string, Instant>> fired_;  // (timer, due)
  std::map<uint64_t, size_t> notifications_;
  size_t timer_entries_ = 0, step_firings_ = 0, escalations_ = 0;
};

}  // namespace shouhu::crash
