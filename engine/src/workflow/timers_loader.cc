// Parsing who is told and when: notifications and their recipients, state
// timers, escalation chains and service levels (see timers_loader.h).
#include "workflow/timers_loader.h"

#include "workflow/fields_loader.h"

namespace shouhu {

using json = nlohmann::json;

Recipient ParseRecipient(const json& j, const std::string& p, JsonReader& r) {
  Recipient to;
  if (!r.IsObject(j, p)) return to;
  r.OnlyMembers(j, p, {"role", "up", "owner", "reporter"});
  bool flag = false;
  if (r.Bool(j, p, "owner", &flag) && flag) {
    to.kind = Recipient::Kind::kOwner;
  } else if (r.Bool(j, p, "reporter", &flag) && flag) {
    to.kind = Recipient::Kind::kReporter;
  } else {
    to.kind = Recipient::Kind::kRole;
    r.String(j, p, "role", &to.role, true);
    if (r.Int(j, p, "up", &to.up, false) && (to.up < 0 || to.up > 3)) {
      r.Error(p + "/up", "\"up\" counts levels above the case's unit: 0 to 3");
    }
  }
  return to;
}

Notification ParseNotification(const json& j, const std::string& p,
                               JsonReader& r) {
  Notification n;
  if (!r.IsObject(j, p)) return n;
  r.OnlyMembers(j, p, {"template", "to", "channels", "urgent", "when"});
  r.String(j, p, "template", &n.template_id, true);
  if (const json* to = r.Array(j, p, "to", true)) {
    for (size_t i = 0; i < to->size(); ++i) {
      n.recipients.push_back(ParseRecipient((*to)[i], Idx(p, "to", i), r));
    }
  }
  r.StringList(j, p, "channels", &n.channels, true);
  r.Bool(j, p, "urgent", &n.urgent);
  if (j.contains("when")) n.when = ParseGuard(j["when"], p + "/when", r);
  return n;
}

TimerDef ParseTimer(const json& j, const std::string& p, JsonReader& r) {
  TimerDef t;
  r.OnlyMembers(j, p, {"id", "after", "every", "service_level", "in", "event",
                       "escalate", "from_field", "keep", "until", "when"});
  r.String(j, p, "id", &t.id, true);
  bool after = j.contains("after"), every = j.contains("every");
  bool level = j.contains("service_level");
  if (int(after) + int(every) + int(level) != 1) {
    r.Error(p, "a timer has exactly one of \"after\" (deadline), \"every\" "
               "(recurring) or \"service_level\" (a named deadline)");
  } else if (level) {
    // Duration and units are copied from the level once the file is read.
    t.kind = TimerDef::Kind::kDeadline;
    r.String(j, p, "service_level", &t.service_level, true);
    if (j.contains("in")) {
      r.Error(p + "/in", "a service-level timer counts in the level's units");
    }
  } else if (after) {
    t.kind = TimerDef::Kind::kDeadline;
    r.DurationAt(j, p, "after", &t.duration);
  } else {
    t.kind = TimerDef::Kind::kRecurring;
    if (r.DurationAt(j, p, "every", &t.duration) && t.duration.is_zero()) {
      r.Error(p + "/every", "bad duration: a recurring timer needs a period "
                            "above zero");
    }
  }
  std::string units;
  if (r.String(j, p, "in", &units, false)) {
    if (units == "working_days") {
      t.units = TimerDef::Units::kWorkingDays;
      if (!t.duration.whole_days_only()) {
        r.Error(p + "/" + (after ? "after" : "every"),
                "bad duration: working-day timers count whole days (P3D)");
      }
    } else if (units != "calendar_time") {
      r.Error(p + "/in", "expected \"calendar_time\" or \"working_days\"");
    }
  }
  r.String(j, p, "from_field", &t.from_field, false);
  r.Bool(j, p, "keep", &t.keep);
  r.String(j, p, "until", &t.until_field, false);
  if (j.contains("when")) t.when = ParseGuard(j["when"], p + "/when", r);
  bool ev = r.String(j, p, "event", &t.fire_event, false);
  bool esc = r.String(j, p, "escalate", &t.escalation, false);
  if (ev == esc) {
    r.Error(p, "a timer fires exactly one of \"event\" or \"escalate\"");
  }
  return t;
}


EscalationDef ParseEscalation(const json& j, const std::string& p,
                              JsonReader& r) {
  EscalationDef e;
  r.OnlyMembers(j, p, {"id", "label", "steps"});
  r.String(j, p, "id", &e.id, true);
  r.Label(j, p, "label", &e.label, true);
  const json* steps = r.Array(j, p, "steps", true);
  if (steps && steps->empty()) r.Error(p + "/steps", "a chain has steps");
  for (size_t i = 0; steps && i < steps->size(); ++i) {
    std::string sp = Idx(p, "steps", i);
    const json& s = (*steps)[i];
    if (!r.IsObject(s, sp)) continue;
    r.OnlyMembers(s, sp, {"after", "to", "raise_priority", "template",
                          "channels"});
    EscalationStep step;
    if (!s.contains("after")) r.Error(sp, "missing member \"after\"");
    r.DurationAt(s, sp, "after", &step.after);
    if (s.contains("to")) {
      step.to = ParseRecipient(s["to"], sp + "/to", r);
    } else {
      r.Error(sp, "missing member \"to\"");
    }
    r.Bool(s, sp, "raise_priority", &step.raise_priority);
    r.String(s, sp, "template", &step.template_id, true);
    r.StringList(s, sp, "channels", &step.channels, true);
    e.steps.push_back(std::move(step));
  }
  return e;
}

ServiceLevel ParseServiceLevel(const json& j, const std::string& p,
                               JsonReader& r) {
  ServiceLevel l;
  r.OnlyMembers(j, p, {"id", "label", "within", "in", "by"});
  r.String(j, p, "id", &l.id, true);
  r.Label(j, p, "label", &l.label, true);
  if (!j.contains("within")) r.Error(p, "missing member \"within\"");
  std::vector<std::pair<std::string, Duration*>> durations;
  if (r.String(j, p, "by", &l.by_field, false)) {
    // One duration per value of the field: {"high": "P2D", ...}.
    const json* within = j.contains("within") ? &j["within"] : nullptr;
    if (within && !within->is_object()) {
      r.Error(p + "/within", "a level \"by\" a field has an object of durations, "
                             "one per value of the field");
    } else if (within) {
      for (const auto& [value, text] : within->items()) {
        Duration& d = l.within_by[value];
        if (r.DurationAt(*within, p + "/within", value.c_str(), &d)) {
          durations.push_back({p + "/within/" + value, &d});
        }
      }
    }
  } else if (r.DurationAt(j, p, "within", &l.within)) {
    durations.push_back({p + "/within", &l.within});
  }
  std::string units;
  if (r.String(j, p, "in", &units, false)) {
    if (units == "working_days") {
      l.units = TimerDef::Units::kWorkingDays;
      for (const auto& [at, d] : durations) {
        if (!d->whole_days_only()) {
          r.Error(at, "bad duration: working-day timers count whole days (P3D)");
        }
      }
    } else if (units != "calendar_time") {
      r.Error(p + "/in", "expected \"calendar_time\" or \"working_days\"");
    }
  }
  return l;
}


void ResolveServiceLevels(Workflow& w) {
  auto resolve_late = [&](EventDef& e) {
    if (!e.late) return;
    if (const ServiceLevel* l = w.FindServiceLevel(e.late->service_level)) {
      e.late->within = l->within;
      e.late->working_days = l->units == TimerDef::Units::kWorkingDays;
    }
  };
  resolve_late(w.open);
  for (EventDef& e : w.events) resolve_late(e);
  for (StateDef& s : w.states) {
    for (TimerDef& t : s.timers) {
      if (t.service_level.empty()) continue;
      if (const ServiceLevel* l = w.FindServiceLevel(t.service_level)) {
        t.duration = l->within;
        t.units = l->units;
        t.duration_by = l->by_field;
        t.durations = l->within_by;
      }
    }
  }
}

}  // namespace shouhu
