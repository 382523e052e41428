#include "case_replay.h"

#include <algorithm>

namespace shouhu::crash {

CaseReplay::CaseReplay(const Workflow& workflow, const Calendar* calendar,
                       std::string where, std::vector<std::string>* errors)
    : wf_(workflow),
      calendar_(calendar),
      where_(std::move(where)),
      errors_(errors) {}

void CaseReplay::Fail(const HistoryEntry& e, const std::string& message) {
  if (errors_->size() >= 200) return;
  errors_->push_back(where_ + "seq " + std::to_string(e.seq) + " (" + e.kind +
                     " " + e.name + "): " + message);
}

Instant CaseReplay::Due(const TimerDef& t, Instant from) const {
  if (t.units == TimerDef::Units::kWorkingDays && calendar_) {
    return calendar_->AddWorkingDays(from, t.duration.days);
  }
  return AddDuration(
      from, t.duration,
      calendar_ ? calendar_->utc_offset() : std::chrono::minutes(0));
}

Instant CaseReplay::StepDue(const EscalationDef& chain, int step,
                            Instant started) const {
  return AddDuration(
      started, chain.steps[step].after,
      calendar_ ? calendar_->utc_offset() : std::chrono::minutes(0));
}

void CaseReplay::Enter(const std::string& state, Instant at) {
  // Leaving a state cancels every timer and chain; entering arms its timers.
  armed_.clear();
  overdue_ = false;
  state_ = state;
  entered_ = at;
  if (const StateDef* s = wf_.FindState(state)) {
    for (const TimerDef& t : s->timers)
      armed_[t.id] = {t.id, Due(t, at), "", -1, {}};
  }
}

bool CaseReplay::CheckFiring(const HistoryEntry& e, const std::string& name,
                             Instant due) {
  auto it = armed_.find(name);
  if (it == armed_.end() || it->second.due != due) {
    Fail(e,
         "fires " + name + " due " + FormatInstant(due) +
             ", which is not armed (never armed, already fired, or cancelled)");
    return false;
  }
  if (e.at < due) Fail(e, "fires before its due time " + FormatInstant(due));
  for (const auto& [other, t] : armed_) {
    if (other != name && t.due < due) {
      Fail(e, "fires " + name + " due " + FormatInstant(due) + " while " +
                  other + ", due earlier at " + FormatInstant(t.due) +
                  ", is still armed");
      break;
    }
  }
  return true;
}

void CaseReplay::Apply(const HistoryEntry& e) {
  if (inline_next_ &&
      !(e.kind == "escalation" && e.name == inline_next_->chain &&
        e.data.value("step", -1) == inline_next_->step)) {
    Fail(e, "step " + std::to_string(inline_next_->step) + " of " +
                inline_next_->chain + " was due at once but did not run");
    inline_next_.reset();
  }
  if (!prev_kind_.empty() && e.at < prev_at_) {
    Fail(e, "dated " + FormatInstant(e.at) + ", before the entry ahead of it");
  }
  if (!prev_kind_.empty() && e.from_state != state_) {
    Fail(e, "starts in " + e.from_state + ", not in " + state_);
  }
  if (e.kind != "event" && e.from_state != e.to_state)
    Fail(e, "moves without an event");
  if (e.kind == "opened") {
    if (!prev_kind_.empty()) Fail(e, "opened twice");
    if (e.to_state != wf_.initial_state) Fail(e, "opened in the wrong state");
    data_ = e.data;
    Enter(wf_.initial_state, e.at);
    notifications_[e.seq] = wf_.open.notify.size();
  } else if (prev_kind_.empty()) {
    Fail(e, "history does not start with \"opened\"");
  } else if (e.kind == "event") {
    const EventDef* ev = wf_.FindEvent(e.name);
    if (!ev) {
      Fail(e, "unknown event");
    } else {
      if (!std::count(ev->from.begin(), ev->from.end(), e.from_state) ||
          std::none_of(ev->to.begin(), ev->to.end(), [&](const Target& t) {
            return t.state == e.to_state;
          })) {
        Fail(e, "not a transition of the event");
      }
      if (e.actor == "system") {
        const StateDef* s = wf_.FindState(state_);
        const TimerDef* t = nullptr;
        for (size_t i = 0; s && prev_kind_ == "timer" && i < s->timers.size();
             ++i) {
          if (s->timers[i].id == prev_name_) t = &s->timers[i];
        }
        if (!t || t->fire_event != e.name)
          Fail(e, "system event not fired by its timer");
      }
      notifications_[e.seq] = ev->notify.size();
    }
    data_.update(e.data);
    const StateDef* from = wf_.FindState(state_);
    const StateDef* to = wf_.FindState(e.to_state);
    if (!from || !to || from->owner_role != to->owner_role) owner_.clear();
    Enter(e.to_state, e.at);
  } else if (e.kind == "assigned") {
    owner_ = e.data.value("to", "");
  } else if (e.kind == "timer") {
    OnTimer(e);
  } else if (e.kind == "escalation") {
    OnEscalation(e);
  } else if (e.kind == "timer_skipped") {
    if (prev_kind_ != "timer") Fail(e, "not right after a timer");
  } else if (e.kind != "note") {
    Fail(e, "unknown kind");
  }
  prev_kind_ = e.kind;
  prev_name_ = e.name;
  prev_at_ = e.at;
}

void CaseReplay::OnTimer(const HistoryEntry& e) {
  ++timer_entries_;
  const StateDef* s = wf_.FindState(state_);
  const TimerDef* t = nullptr;
  for (size_t i = 0; s && i < s->timers.size(); ++i) {
    if (s->timers[i].id == e.name) t = &s->timers[i];
  }
  auto due = ParseInstant(e.data.value("due", ""));
  if (!t || !due.ok()) return Fail(e, "not a timer of state " + state_);
  if (!fired_.insert({e.name, *due}).second) {
    Fail(e, "fired twice for due " + FormatInstant(*due));
  }
  if (!CheckFiring(e, e.name, *due)) return;
  if (t->kind == TimerDef::Kind::kDeadline) {
    armed_.erase(e.name);
  } else {
    // Recurring: the next occurrence after now (a long outage fires once).
    Instant next = Due(*t, *due);
    while (next <= e.at) next = Due(*t, next);
    armed_[e.name].due = next;
  }
  if (!t->escalation.empty()) {
    // A chain (re)starts, counted from the timer's due time: its pending
    // steps are dropped, step 0 is next.
    std::erase_if(armed_, [&](const auto& kv) {
      return kv.second.chain == t->escalation;
    });
    inline_next_ = InlineStep{t->escalation, 0, *due};
  }
}

void CaseReplay::OnEscalation(const HistoryEntry& e) {
  ++escalations_;
  const EscalationDef* chain = wf_.FindEscalation(e.name);
  int step = e.data.value("step", -1);
  if (!chain || step < 0 || step >= static_cast<int>(chain->steps.size())) {
    return Fail(e, "unknown escalation step");
  }
  Instant started;
  const std::string name = e.name + "#" + std::to_string(step);
  if (inline_next_ && inline_next_->chain == e.name &&
      inline_next_->step == step) {
    started = inline_next_->started;
    inline_next_.reset();
  } else if (auto it = armed_.find(name); it != armed_.end() &&
                                          it->second.chain == e.name &&
                                          it->second.step == step) {
    ++step_firings_;
    started = it->second.chain_started;
    if (!CheckFiring(e, name, it->second.due)) return;
    armed_.erase(name);
  } else {
    return Fail(
        e,
        "step ran neither from its timer nor right after the step before it");
  }
  if (chain->steps[step].raise_priority && priority_ != Priority::kUrgent) {
    priority_ = static_cast<Priority>(static_cast<int>(priority_) + 1);
  }
  if (e.data.value("priority", "") != PriorityName(priority_))
    Fail(e, "wrong priority");
  overdue_ = true;
  notifications_[e.seq] = 1;
  AfterStep(*chain, step, started, e.at);
}

void CaseReplay::AfterStep(const EscalationDef& chain, int step,
                           Instant started, Instant at) {
  if (step + 1 >= static_cast<int>(chain.steps.size())) return;
  Instant due = StepDue(chain, step + 1, started);
  if (due <= at) {
    inline_next_ = InlineStep{chain.id, step + 1, started};
    return;
  }
  std::string name = chain.id + "#" + std::to_string(step + 1);
  armed_[name] = {name, due, chain.id, step + 1, started};
}

void CaseReplay::Finish() {
  if (inline_next_ && errors_->size() < 200) {
    errors_->push_back(where_ + "history ends before step " +
                       std::to_string(inline_next_->step) + " of " +
                       inline_next_->chain + ", due at once");
  }
}

}  // namespace shouhu::crash
