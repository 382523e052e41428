// CaseChange: one state change of one case, computed in memory and rendered
// as the mutations of a single atomic batch — the case record, its history
// entries, its timer-index changes, its index changes, its outbox entries and
// its audit record.
//
// Thread safety: not thread-safe; the caller holds the case's lock.
//
// It applies the workflow's rules for timers and escalations (arm on entering
// a state, cancel on leaving it, escalation steps in order) but checks no
// permission or data: the caller has validated the command first.
#pragma once

#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include "shouhu/calendar.h"
#include "shouhu/case.h"
#include "shouhu/runtime.h"
#include "shouhu/store.h"
#include "shouhu/workflow.h"

namespace shouhu {

class CaseChange {
 public:
  // `before` is nullopt for a new case; `after` starts as a copy of it.
  // `actor` is who acts (its user in the history, user, unit and origin in
  // the audit record).
  CaseChange(const Workflow& workflow, const Calendar* calendar,
             std::optional<CaseRecord> before, CaseRecord after, Instant now,
             Actor actor);
  // The same, knowing only the user: the audit record has no unit or origin.
  // Kept for callers written before Actor was passed; prefer the above.
  CaseChange(const Workflow& workflow, const Calendar* calendar,
             std::optional<CaseRecord> before, CaseRecord after, Instant now,
             std::string user)
      : CaseChange(workflow, calendar, std::move(before), std::move(after), now,
                   Actor{std::move(user), "", {}, ""}) {}

  CaseRecord& record() { return after_; }
  Instant now() const { return now_; }

  // Appends a history entry (from/to default to the current state) and
  // returns its seq.
  uint64_t AddHistory(std::string kind, std::string name, nlohmann::json data,
                      std::string from_state = "", std::string to_state = "");

  // Leaves the current state (cancelling every armed timer, clearing overdue)
  // and enters `state`, arming its timers from now. Also used for a
  // transition to the same state, which re-arms its timers.
  void EnterState(const std::string& state);

  // Cancels the current state's timers whose `until` field the case now has,
  // with the escalation chains they started.
  void DropSatisfiedTimers();
  // Sets the event's late flag: whether now is later than its field plus
  // its service level (left unset when the case has no such field).
  void MarkLate(const EventDef& e);
  // Re-arms the current state's timer `id` from now, stopping the
  // escalation chain it started.
  void RestartTimer(const std::string& id);

  // Queues the notification, produced by history entry `seq`.
  void Notify(const Notification& n, uint64_t seq);

  // Fires the armed timer `name` (REQUIRES: armed). Deadlines are removed;
  // recurring timers re-arm at their next occurrence after now. Returns the
  // timer's definition, or nullptr for an escalation step.
  const TimerDef* ConsumeTimer(const ArmedTimer& timer);

  // Starts (or restarts) an escalation chain counted from `started` (the
  // due time of the timer that started it, so that after an outage the
  // steps keep their places on the clock): runs the steps already due and
  // arms the next one.
  void StartEscalation(const EscalationDef& chain, Instant started);
  // Runs step `step` of a running chain, then arms or runs the following one.
  void RunEscalationStep(const EscalationDef& chain, int step,
                         Instant chain_started);

  // Writes that belong to this change without being part of the case (the
  // child's file): they commit in the same batch.
  void AddMutation(Mutation m) { extra_.push_back(std::move(m)); }
  // A timer of another case armed by those writes (a linked case's), to add
  // to the in-memory window once committed.
  void AddArmedKey(std::string timer_key) { armed_keys_.push_back(std::move(timer_key)); }
  const std::vector<std::string>& armed_keys() const { return armed_keys_; }

  // Timers armed by this change (to add to the in-memory window).
  const std::vector<ArmedTimer>& newly_armed() const { return armed_; }
  // The history entries this change adds (escalations fired, for the log).
  const std::vector<HistoryEntry>& history() const { return history_; }

  // Render writes the history entries and notifications as one firing
  // record that the outbox entries and the audit record reference (codec.h):
  // for a timer's firing, where a burst makes every byte count.
  void UseFiringRecord() { firing_record_ = true; }

  // Whether this change opens its case (there was no case before it).
  bool opening() const { return !before_; }
  // The notifications this change queues (each takes an outbox id).
  size_t notifications() const { return outbox_.size(); }

  // Renders everything as mutations. `next_outbox_id` hands out an outbox id
  // for each notification, in order; the audit record is a chained append
  // (the store numbers it). `extra` is appended (e.g. the idempotency record).
  std::vector<Mutation> Render(const std::function<uint64_t()>& next_outbox_id,
                               const std::string& audit_action,
                               std::vector<Mutation> extra);

 private:
  Instant TimerDue(const TimerDef& t, Instant from) const;
  // When the timer starts counting: its `from_field` if the case has it, else now.
  Instant TimerStart(const TimerDef& t) const;
  bool Satisfied(const TimerDef& t) const;  // its `until` field is set
  // Its duration, from the case's value of `duration_by` when it has one;
  // none while the case has no value for that field.
  std::optional<Duration> TimerDuration(const TimerDef& t) const;
  bool Armable(const TimerDef& t) const;  // not satisfied, and has a duration
  void Arm(ArmedTimer t);
  // What a notification's message is rendered from: the case's ids, state,
  // unit, people and priority, and the data fields that `shown` (the
  // notification's template) names.
  NotificationContext Context(const TemplateDef* shown) const;
  // The workflow's measures on timer `timer` (shouhu/reports.h): met on
  // time, or late (it fired first).
  void CountMeasure(const std::string& timer, bool on_time);

  const Workflow& wf_;
  const Calendar* calendar_;
  std::optional<CaseRecord> before_;
  CaseRecord after_;
  Instant now_;
  Actor actor_;
  std::vector<HistoryEntry> history_;
  std::vector<OutboxEntry> outbox_;
  std::vector<ArmedTimer> armed_;
  std::vector<Mutation> extra_;
  std::vector<std::string> armed_keys_;
  std::vector<std::pair<const MeasureDef*, bool>> measured_;  // (measure, on time)
  bool firing_record_ = false;
};

}  // namespace shouhu
