#include "runtime/case_change.h"

#include <algorithm>

#include "runtime/codec.h"

namespace shouhu {
namespace {

using json = nlohmann::json;

json RecipientJson(const Recipient& r) {
  switch (r.kind) {
    case Recipient::Kind::kOwner: return {{"kind", "owner"}};
    case Recipient::Kind::kReporter: return {{"kind", "reporter"}};
    case Recipient::Kind::kRole: break;
  }
  return {{"kind", "role"}, {"role", r.role}, {"up", r.up}};
}

std::string StepTimerName(const std::string& chain, int step) {
  return chain + "#" + std::to_string(step);
}

}  // namespace

std::string_view PriorityName(Priority p) {
  switch (p) {
    case Priority::kNormal: return "normal";
    case Priority::kHigh: return "high";
    case Priority::kUrgent: return "urgent";
  }
  return "normal";
}

CaseChange::CaseChange(const Workflow& workflow, const Calendar* calendar,
                       std::optional<CaseRecord> before, CaseRecord after,
                       Instant now, Actor actor)
    : wf_(workflow),
      calendar_(calendar),
      before_(std::move(before)),
      after_(std::move(after)),
      now_(now),
      actor_(std::move(actor)) {
  after_.updated_at = now;
}

uint64_t CaseChange::AddHistory(std::string kind, std::string name, json data,
                                std::string from_state, std::string to_state) {
  HistoryEntry h;
  h.seq = ++after_.last_seq;
  h.at = now_;
  h.actor = actor_.user;
  h.kind = std::move(kind);
  h.name = std::move(name);
  h.from_state = from_state.empty() ? after_.state : std::move(from_state);
  h.to_state = to_state.empty() ? after_.state : std::move(to_state);
  h.data = std::move(data);
  history_.push_back(std::move(h));
  return after_.last_seq;
}

Instant CaseChange::TimerStart(const TimerDef& t) const {
  if (t.from_field.empty()) return now_;
  auto v = after_.data.find(t.from_field);
  if (v == after_.data.end() || !v->is_string()) return now_;
  auto at = ParseInstant(v->get<std::string>());
  return at.ok() ? *at : now_;
}

std::optional<Duration> CaseChange::TimerDuration(const TimerDef& t) const {
  if (t.duration_by.empty()) return t.duration;
  auto v = after_.data.find(t.duration_by);
  if (v == after_.data.end() || !v->is_string()) return std::nullopt;
  auto d = t.durations.find(v->get<std::string>());
  if (d == t.durations.end()) return std::nullopt;
  return d->second;
}

Instant CaseChange::TimerDue(const TimerDef& t, Instant from) const {
  Duration d = TimerDuration(t).value_or(t.duration);
  if (t.units == TimerDef::Units::kWorkingDays && calendar_) {
    return calendar_->AddWorkingDays(from, d.days);
  }
  auto offset = calendar_ ? calendar_->utc_offset() : std::chrono::minutes(0);
  return AddDuration(from, d, offset);
}

bool CaseChange::Armable(const TimerDef& t) const {
  if (t.when && !EvaluateGuard(*t.when, after_.data)) return false;
  return !Satisfied(t) && TimerDuration(t).has_value();
}

void CaseChange::Arm(ArmedTimer t) {
  std::erase_if(after_.timers,
                [&](const ArmedTimer& a) { return a.name == t.name; });
  after_.timers.push_back(t);
  armed_.push_back(std::move(t));
}

void CaseChange::EnterState(const std::string& state) {
  const StateDef* old_def = wf_.FindState(after_.state);
  const StateDef* def = wf_.FindState(state);
  // Leaving a state cancels all of its timers, except those marked `keep`
  // when the transition comes back to the same state.
  // A timer counted from a case field that the state being left also has
  // (same id, field, duration and escalation) is one deadline across both
  // states: it carries over as it stood, with the escalation it started, and
  // is not armed again (the legal 3-day feedback, the 24-hour township
  // notice counted from acceptance).
  // A `keep` timer on a return to the same state stays as it was: armed,
  // or fired with its escalation running (a logged visit does not tell the
  // county again about a reply that is three months late).
  std::vector<ArmedTimer> kept;
  std::vector<std::string> carried;
  if (def && old_def) {
    for (const TimerDef& t : def->timers) {
      bool same_state = after_.state == state;
      // Re-entering the same state re-arms them (a logged visit restarts
      // the cadence counted from it); only a move to another state carries.
      bool shared = !same_state && !t.from_field.empty() &&
                    std::any_of(old_def->timers.begin(), old_def->timers.end(),
                                [&](const TimerDef& o) {
                                  return o.id == t.id && o.from_field == t.from_field &&
                                         o.duration.years == t.duration.years &&
                                         o.duration.months == t.duration.months &&
                                         o.duration.days == t.duration.days &&
                                         o.duration.seconds == t.duration.seconds &&
                                         o.units == t.units &&
                                         o.duration_by == t.duration_by &&
                                         o.durations == t.durations &&
                                         o.escalation == t.escalation &&
                                         o.fire_event == t.fire_event;
                                });
      if (!(same_state && t.keep) && !shared) continue;
      // Either way the timer stands as it was: still armed, or fired with
      // its escalation running on (a visit logged does not tell the same
      // people again of a report still owed), and is not armed again.
      carried.push_back(t.id);
      for (const ArmedTimer& a : after_.timers) {
        if (a.name == t.id || (!t.escalation.empty() && a.chain == t.escalation)) {
          kept.push_back(a);
        }
      }
    }
  }
  after_.timers = kept;
  armed_.clear();
  after_.overdue = false;
  if (!old_def || !def || old_def->owner_role != def->owner_role) {
    after_.owner.clear();  // a new kind of owner: unassigned until assigned
  }
  after_.state = state;
  after_.state_entered_at = now_;
  if (!def) return;
  for (const TimerDef& t : def->timers) {
    bool is_carried = std::find(carried.begin(), carried.end(), t.id) != carried.end();
    if (!is_carried && Armable(t)) Arm({t.id, TimerDue(t, TimerStart(t)), "", -1, {}});
  }
}

bool CaseChange::Satisfied(const TimerDef& t) const {
  if (t.until_field.empty()) return false;
  auto v = after_.data.find(t.until_field);
  return v != after_.data.end() && !v->is_null();
}

void CaseChange::RestartTimer(const std::string& id) {
  const StateDef* def = wf_.FindState(after_.state);
  if (!def) return;
  for (const TimerDef& t : def->timers) {
    if (t.id != id) continue;
    if (std::any_of(after_.timers.begin(), after_.timers.end(),
                    [&](const ArmedTimer& a) { return a.name == t.id; })) {
      CountMeasure(t.id, true);  // met while it was armed
    }
    std::erase_if(after_.timers, [&](const ArmedTimer& a) {
      return a.name == t.id || (!t.escalation.empty() && a.chain == t.escalation);
    });
    if (Armable(t)) Arm({t.id, TimerDue(t, TimerStart(t)), "", -1, {}});
  }
}

void CaseChange::MarkLate(const EventDef& e) {
  if (!e.late) return;
  auto v = after_.data.find(e.late->from_field);
  if (v == after_.data.end() || !v->is_string()) return;
  auto from = ParseInstant(v->get<std::string>());
  if (!from.ok()) return;
  Instant due;
  if (e.late->working_days && calendar_) {
    due = calendar_->AddWorkingDays(*from, e.late->within.days);
  } else {
    auto offset = calendar_ ? calendar_->utc_offset() : std::chrono::minutes(0);
    due = AddDuration(*from, e.late->within, offset);
  }
  after_.data[e.late->field] = now_ > due;
}

void CaseChange::DropSatisfiedTimers() {
  const StateDef* def = wf_.FindState(after_.state);
  if (!def) return;
  for (const TimerDef& t : def->timers) {
    if (!Satisfied(t)) continue;
    if (std::any_of(after_.timers.begin(), after_.timers.end(),
                    [&](const ArmedTimer& a) { return a.name == t.id; })) {
      CountMeasure(t.id, true);  // met before it fell due
    }
    std::erase_if(after_.timers, [&](const ArmedTimer& a) {
      return a.name == t.id || (!t.escalation.empty() && a.chain == t.escalation);
    });
  }
}

NotificationContext CaseChange::Context(const TemplateDef* shown) const {
  const StateDef* s = wf_.FindState(after_.state);
  const StateDef* before_state = before_ ? wf_.FindState(before_->state) : nullptr;
  NotificationContext c;
  c.case_id = after_.id;
  c.workflow = wf_.id;
  c.version = wf_.version;
  c.state = after_.state;
  if (s) c.state_label = s->label;
  c.owner_role = s ? s->owner_role : "";
  c.unit = after_.unit;
  c.owner = after_.owner;
  c.previous_owner = before_ ? before_->owner : "";
  c.previous_owner_role = before_state ? before_state->owner_role : "";
  c.reporter = after_.reporter;
  c.joined_reporters = after_.joined_reporters;
  c.priority = PriorityName(after_.priority);
  // Only the case data the template shows: the outbox is not a second copy
  // of the child's details (data minimisation), and a firing writes less.
  if (!shown) {
    c.data = after_.data;  // no template (the dispatcher reports it): keep all
  } else if (after_.data.is_object()) {
    for (const std::string& name : shown->placeholders) {
      auto v = after_.data.find(name);
      if (v != after_.data.end()) c.data[name] = *v;
    }
  }
  return c;
}

void CaseChange::CountMeasure(const std::string& timer, bool on_time) {
  for (const MeasureDef& m : wf_.reports.measures) {
    if (m.timer == timer) measured_.emplace_back(&m, on_time);
  }
}

void CaseChange::Notify(const Notification& n, uint64_t seq) {
  if (n.when && !EvaluateGuard(*n.when, after_.data)) return;
  OutboxEntry o;
  o.case_id = after_.id;
  o.case_seq = seq;
  o.idempotency_key = after_.id + "/" + std::to_string(seq) + "/" +
                      std::to_string(outbox_.size());
  o.template_id = n.template_id;
  o.recipients = n.recipients;
  o.channels = n.channels;
  o.urgent = n.urgent;
  o.created_at = now_;
  o.context = Context(wf_.FindTemplate(n.template_id));
  outbox_.push_back(std::move(o));
}

const TimerDef* CaseChange::ConsumeTimer(const ArmedTimer& timer) {
  std::erase_if(after_.timers,
                [&](const ArmedTimer& a) { return a.name == timer.name; });
  if (!timer.chain.empty()) return nullptr;
  CountMeasure(timer.name, false);  // it fell due before it was met
  const StateDef* s = wf_.FindState(after_.state);
  if (!s) return nullptr;
  for (const TimerDef& t : s->timers) {
    if (t.id != timer.name) continue;
    if (t.kind == TimerDef::Kind::kRecurring) {
      // Next occurrence after now: a long outage fires once, not once per
      // missed period. Month and year periods count from entering the state
      // (entry + k periods): stepping from the last due date would clamp
      // once and stay clamped (31 Jan, 28 Feb, 28 Mar, ...). Days and
      // seconds are exact, so stepping is the same there.
      Instant next;
      if (t.units == TimerDef::Units::kCalendar &&
          (t.duration.years != 0 || t.duration.months != 0)) {
        auto offset = calendar_ ? calendar_->utc_offset() : std::chrono::minutes(0);
        for (int32_t k = 1;; ++k) {
          Duration d{t.duration.years * k, t.duration.months * k,
                     t.duration.days * k, t.duration.seconds * k};
          next = AddDuration(after_.state_entered_at, d, offset);
          if (next > now_ && next > timer.due) break;
        }
      } else {
        next = TimerDue(t, timer.due);
        while (next <= now_) next = TimerDue(t, next);
      }
      Arm({t.id, next, "", -1, {}});
    }
    return &t;
  }
  return nullptr;
}

void CaseChange::StartEscalation(const EscalationDef& chain, Instant started) {
  std::erase_if(after_.timers,
                [&](const ArmedTimer& a) { return a.chain == chain.id; });
  RunEscalationStep(chain, 0, started);
}

void CaseChange::RunEscalationStep(const EscalationDef& chain, int step,
                                   Instant started) {
  auto offset = calendar_ ? calendar_->utc_offset() : std::chrono::minutes(0);
  for (; step < static_cast<int>(chain.steps.size()); ++step) {
    const EscalationStep& s = chain.steps[step];
    Instant due = AddDuration(started, s.after, offset);
    if (due > now_) {
      Arm({StepTimerName(chain.id, step), due, chain.id, step, started});
      return;
    }
    if (s.raise_priority && after_.priority != Priority::kUrgent) {
      after_.priority = static_cast<Priority>(static_cast<int>(after_.priority) + 1);
    }
    after_.overdue = true;
    uint64_t seq = AddHistory("escalation", chain.id,
                              {{"step", step},
                               {"to", RecipientJson(s.to)},
                               {"template", s.template_id},
                               {"channels", s.channels},
                               {"priority", PriorityName(after_.priority)}});
    Notify({s.template_id, {s.to}, s.channels, s.raise_priority, std::nullopt}, seq);
  }
}

}  // namespace shouhu
