#include "workflow/validator.h"

#include "workflow/flags_loader.h"
#include "workflow/reports_loader.h"

#include <algorithm>
#include <deque>

namespace shouhu {
namespace {

using json = nlohmann::json;

const std::set<std::string, std::less<>> kChannels = {"sms", "email",
                                                      "webhook"};

std::string Q(std::string_view s) { return "\"" + std::string(s) + "\""; }

class Validator {
 public:
  Validator(const Workflow& w, JsonReader& r) : w_(w), r_(r) {}

  void Role(const std::string& role, const std::string& p) {
    if (role == kSystemRole) return;
    if (!w_.FindRole(role)) r_.Error(p, "unknown role " + Q(role));
  }
  void State(const std::string& s, const std::string& p) {
    if (!w_.FindState(s)) r_.Error(p, "unknown state " + Q(s));
  }
  void Template(const std::string& t, const std::string& p) {
    if (!w_.FindTemplate(t)) r_.Error(p, "unknown template " + Q(t));
  }
  void Channels(const std::vector<std::string>& cs, const std::string& p) {
    for (size_t i = 0; i < cs.size(); ++i) {
      if (!kChannels.count(cs[i])) {
        r_.Error(p + "/" + std::to_string(i),
                 "unknown channel " + Q(cs[i]) + ": expected sms, email or webhook");
      }
    }
  }
  void RecipientAt(const Recipient& to, const std::string& p) {
    if (to.kind == Recipient::Kind::kRole) Role(to.role, p + "/role");
  }
  // A placeholder that names nothing would reach people as "-".
  void Placeholders(const TemplateDef& t, const std::string& p) {
    for (const TextTemplate* text : {&t.parsed.subject_zh, &t.parsed.subject_en,
                                     &t.parsed.body_zh, &t.parsed.body_en}) {
      if (!text->error().empty()) r_.Error(p, "malformed placeholder: " + text->error());
    }
    for (const std::string& name : t.placeholders) {
      if (w_.FindField(name) ||
          std::ranges::find(kTemplateCasePlaceholders, name) !=
              std::end(kTemplateCasePlaceholders)) {
        continue;
      }
      r_.Error(p, "unknown placeholder " + Q("{{" + name + "}}") +
                      ": expected a field, or case_id, state_label, unit or priority");
    }
  }
  void Notify(const Notification& n, const std::string& p) {
    Template(n.template_id, p + "/template");
    for (size_t i = 0; i < n.recipients.size(); ++i) {
      RecipientAt(n.recipients[i], Idx(p, "to", i));
    }
    Channels(n.channels, p + "/channels");
    if (n.when) CheckGuard(w_, *n.when, p + "/when", r_);
  }


  void Reachability() {
    std::set<std::string, std::less<>> seen;
    std::deque<std::string> todo;
    if (w_.FindState(w_.initial_state)) {
      seen.insert(w_.initial_state);
      todo.push_back(w_.initial_state);
    }
    while (!todo.empty()) {
      std::string s = todo.front();
      todo.pop_front();
      for (const EventDef* e : w_.EventsFrom(s)) {
        for (const Target& t : e->to) {
          if (w_.FindState(t.state) && seen.insert(t.state).second) {
            todo.push_back(t.state);
          }
        }
      }
    }
    for (size_t i = 0; i < w_.states.size(); ++i) {
      const StateDef& s = w_.states[i];
      std::string p = "/states/" + std::to_string(i);
      if (!seen.count(s.id) && w_.FindState(w_.initial_state)) {
        r_.Error(p, "unreachable state " + Q(s.id) + ": no event leads to it from " +
                        Q(w_.initial_state));
      }
      auto out = w_.EventsFrom(s.id);
      bool leaves = std::any_of(out.begin(), out.end(),
                                [](const EventDef* e) { return !e->stay; });
      if (!s.terminal && !leaves) {
        r_.Error(p, "state " + Q(s.id) +
                        " has no way out and is not terminal");
      }
      if (s.terminal && !out.empty()) {
        r_.Error(p, "terminal state " + Q(s.id) + " has an event out: " +
                        Q(out[0]->id));
      }
    }
  }

  void Run(const std::set<std::string, std::less<>>& calendars) {
    State(w_.initial_state, "/initial_state");
    if (!w_.calendar_id.empty() && !calendars.count(w_.calendar_id)) {
      r_.Error("/calendar", "unknown calendar " + Q(w_.calendar_id));
    }
    for (size_t i = 0; i < w_.states.size(); ++i) States(w_.states[i], "/states/" + std::to_string(i));
    Events(w_.open, "/open");
    UnitField();
    for (size_t i = 0; i < w_.events.size(); ++i) Events(w_.events[i], "/events/" + std::to_string(i));
    for (size_t i = 0; i < w_.escalations.size(); ++i) {
      const EscalationDef& e = w_.escalations[i];
      std::string p = "/escalations/" + std::to_string(i);
      int64_t last = -1;
      for (size_t k = 0; k < e.steps.size(); ++k) {
        const EscalationStep& s = e.steps[k];
        std::string sp = Idx(p, "steps", k);
        RecipientAt(s.to, sp + "/to");
        Template(s.template_id, sp + "/template");
        Channels(s.channels, sp + "/channels");
        // Order by a rough length; months count as 28 days for this check.
        int64_t len = (s.after.years * 365LL + s.after.months * 28LL +
                       s.after.days) * 86400LL + s.after.seconds;
        if (len < last) {
          r_.Error(sp + "/after", "steps must come in order of \"after\"");
        }
        last = len;
      }
    }
    for (size_t i = 0; i < w_.templates.size(); ++i) {
      Placeholders(w_.templates[i], "/templates/" + std::to_string(i));
    }
    for (size_t i = 0; i < w_.service_levels.size(); ++i) {
      ServiceLevelBy(w_.service_levels[i], "/service_levels/" + std::to_string(i));
    }
    if (w_.child) ChildFile(*w_.child);
    if (w_.open.same_child != EventDef::SameChild::kParallel && !w_.child) {
      r_.Error("/open/same_child", "needs the workflow's \"child\" (who the child is)");
    }
    for (size_t i = 0; i < w_.fields.size(); ++i) Bounds(w_.fields[i], "/fields/" + std::to_string(i));
    Reachability();
  }

 private:
  // The case's unit is set at opening only: its field is a string the
  // opening may carry, and no event may change it afterwards.
  void UnitField() {
    const std::string& id = w_.open.unit_field;
    if (id.empty()) return;
    const FieldDef* f = w_.FindField(id);
    if (!f) {
      r_.Error("/open/unit_field", "unknown field " + Q(id));
      return;
    }
    if (f->type != FieldType::kString) {
      r_.Error("/open/unit_field", "wrong field type: a unit id is a string");
    }
    auto named = [&](const EventDef& e) {
      return std::count(e.requires_fields.begin(), e.requires_fields.end(), id) +
             std::count(e.optional_fields.begin(), e.optional_fields.end(), id);
    };
    if (!named(w_.open)) {
      r_.Error("/open/unit_field", Q(id) + " is neither required nor optional at opening");
    }
    for (size_t i = 0; i < w_.events.size(); ++i) {
      if (named(w_.events[i])) {
        r_.Error("/events/" + std::to_string(i), "event " + Q(w_.events[i].id) +
                     " may not carry " + Q(id) + ": the case's unit is set at opening");
      }
    }
  }

  // The late flag: a boolean the event does not carry, counted from a
  // datetime field by a plain service level.
  void LateAt(const EventDef& e, const std::string& p) {
    const LateFlag& l = *e.late;
    const FieldDef* f = w_.FindField(l.field);
    if (!f) {
      r_.Error(p + "/field", "unknown field " + Q(l.field));
    } else if (f->type != FieldType::kBoolean) {
      r_.Error(p + "/field", "wrong field type: the late flag is a boolean field");
    } else if (std::count(e.requires_fields.begin(), e.requires_fields.end(), l.field) +
               std::count(e.optional_fields.begin(), e.optional_fields.end(), l.field)) {
      r_.Error(p + "/field", "the late flag is set by the engine, not carried by the event");
    }
    const FieldDef* from = w_.FindField(l.from_field);
    if (!from) {
      r_.Error(p + "/from_field", "unknown field " + Q(l.from_field));
    } else if (from->type != FieldType::kDatetime) {
      r_.Error(p + "/from_field", "wrong field type: lateness counts from a datetime field");
    }
    const ServiceLevel* level = w_.FindServiceLevel(l.service_level);
    if (!level) {
      r_.Error(p + "/service_level", "unknown service level " + Q(l.service_level));
    } else if (!level->by_field.empty()) {
      r_.Error(p + "/service_level", "a late flag needs a level with one duration");
    }
  }

  // A level "by" a field: an enum field, and one duration for each of its
  // values, no more, so no case falls between the configured levels.
  void ServiceLevelBy(const ServiceLevel& l, const std::string& p) {
    if (l.by_field.empty()) return;
    const FieldDef* f = w_.FindField(l.by_field);
    if (!f) {
      r_.Error(p + "/by", "unknown field " + Q(l.by_field));
      return;
    }
    if (f->type != FieldType::kEnum) {
      r_.Error(p + "/by", "wrong field type: a level is chosen by an enum field, and " +
                              Q(f->id) + " is " + std::string(FieldTypeName(f->type)));
      return;
    }
    for (const std::string& v : f->values) {
      if (!l.within_by.count(v)) r_.Error(p + "/within", "no duration for value " + Q(v));
    }
    for (const auto& [v, d] : l.within_by) {
      if (std::find(f->values.begin(), f->values.end(), v) == f->values.end()) {
        r_.Error(p + "/within/" + v, "unknown value " + Q(v) + " of field " + Q(f->id));
      }
    }
  }

  void States(const StateDef& s, const std::string& p) {
    if (!s.owner_role.empty()) Role(s.owner_role, p + "/owner_role");
    for (size_t k = 0; k < s.timers.size(); ++k) {
      const TimerDef& t = s.timers[k];
      std::string tp = Idx(p, "timers", k);
      if (t.units == TimerDef::Units::kWorkingDays && w_.calendar_id.empty()) {
        r_.Error(tp + "/in", "a working-day timer needs the workflow's "
                             "\"calendar\"");
      }
      if (!t.fire_event.empty()) {
        const EventDef* e = w_.FindEvent(t.fire_event);
        if (!e) {
          r_.Error(tp + "/event", "unknown event " + Q(t.fire_event));
        } else if (std::find(e->from.begin(), e->from.end(), s.id) ==
                   e->from.end()) {
          r_.Error(tp + "/event", "event " + Q(t.fire_event) +
                                      " cannot fire from state " + Q(s.id));
        } else if (std::find(e->roles.begin(), e->roles.end(), kSystemRole) ==
                   e->roles.end()) {
          r_.Error(tp + "/event", "event " + Q(t.fire_event) +
                                      " fired by a timer must allow role "
                                      "\"system\"");
        }
      }
      if (!t.service_level.empty() && !w_.FindServiceLevel(t.service_level)) {
        r_.Error(tp + "/service_level", "unknown service level " + Q(t.service_level));
      }
      if (t.units == TimerDef::Units::kWorkingDays && !t.service_level.empty() &&
          w_.calendar_id.empty()) {
        r_.Error(tp + "/service_level", "a working-day timer needs the "
                                        "workflow's \"calendar\"");
      }
      if (!t.until_field.empty() && !w_.FindField(t.until_field)) {
        r_.Error(tp + "/until", "unknown field " + Q(t.until_field));
      }
      if (t.when) CheckGuard(w_, *t.when, tp + "/when", r_);
      if (!t.from_field.empty()) {
        const FieldDef* f = w_.FindField(t.from_field);
        if (!f) {
          r_.Error(tp + "/from_field", "unknown field " + Q(t.from_field));
        } else if (f->type != FieldType::kDatetime) {
          r_.Error(tp + "/from_field", "wrong field type: a timer counts from a "
                                       "datetime field, and " + Q(f->id) + " is " +
                                       std::string(FieldTypeName(f->type)));
        }
      }
      if (!t.escalation.empty() && !w_.FindEscalation(t.escalation)) {
        r_.Error(tp + "/escalate", "unknown escalation " + Q(t.escalation));
      }
    }
  }

  // unit_types: on a string field. not_after / not_before: on a datetime or
  // date field, naming "now", "reported_at" or another datetime or date field.
  void Bounds(const FieldDef& f, const std::string& p) {
    if (!f.unit_types.empty() && f.type != FieldType::kString) {
      r_.Error(p + "/unit_types", "wrong field type: a unit id is a string");
    }
    for (const auto& [key, bound] : {std::pair{"not_after", &f.not_after},
                                     std::pair{"not_before", &f.not_before}}) {
      if (bound->empty()) continue;
      std::string bp = p + "/" + key;
      if (f.type != FieldType::kDatetime && f.type != FieldType::kDate) {
        r_.Error(bp, "wrong field type: only a datetime or date field has bounds");
        continue;
      }
      if (*bound == "now" || *bound == "reported_at") continue;
      const FieldDef* other = w_.FindField(*bound);
      if (!other || (other->type != FieldType::kDatetime && other->type != FieldType::kDate)) {
        r_.Error(bp, "expected \"now\", \"reported_at\" or a datetime or date field, got " +
                         Q(*bound));
      }
    }
  }

  // The child's file: declared fields, and an identity drawn from them.
  void ChildFile(const ChildFileDef& c) {
    for (size_t k = 0; k < c.fields.size(); ++k) {
      if (!w_.FindField(c.fields[k])) {
        r_.Error(Idx("/child", "fields", k), "unknown field " + Q(c.fields[k]));
      }
    }
    if (c.identity.empty()) {
      r_.Error("/child/identity", "the child's file needs at least one "
                                  "identity field");
    }
    for (size_t k = 0; k < c.identity.size(); ++k) {
      if (std::find(c.fields.begin(), c.fields.end(), c.identity[k]) ==
          c.fields.end()) {
        r_.Error(Idx("/child", "identity", k),
                 "identity field " + Q(c.identity[k]) +
                     " is not among the child's file \"fields\"");
      }
    }
  }

  void Events(const EventDef& e, const std::string& p) {
    for (size_t k = 0; k < e.from.size(); ++k) State(e.from[k], Idx(p, "from", k));
    if (&e == &w_.open || e.stay) {
      // The open block's target is initial_state, checked on its own; a
      // staying event has none.
    } else if (e.to.size() == 1 && !e.to[0].when) {
      State(e.to[0].state, p + "/to");
    } else {
      for (size_t k = 0; k < e.to.size(); ++k) {
        std::string tp = Idx(p, "to", k);
        State(e.to[k].state, tp + "/state");
        if (e.to[k].when) CheckGuard(w_, *e.to[k].when, tp + "/when", r_);
      }
    }
    for (size_t k = 0; k < e.restart.size(); ++k) {
      for (const std::string& from : e.from) {
        const StateDef* s = w_.FindState(from);
        if (!s) continue;
        bool has = std::any_of(s->timers.begin(), s->timers.end(),
                               [&](const TimerDef& t) { return t.id == e.restart[k]; });
        if (!has) {
          r_.Error(Idx(p, "restart", k), "unknown timer " + Q(e.restart[k]) +
                                            " in state " + Q(from));
        }
      }
    }
    if (e.opens) {
      for (const auto& [target, source] : e.opens->copy) {
        if (!w_.FindField(source)) {
          r_.Error(p + "/opens/copy/" + target, "unknown field " + Q(source));
        }
      }
      for (const auto& [target, source] : e.opens->move) {
        if (!w_.FindField(source)) {
          r_.Error(p + "/opens/move/" + target, "unknown field " + Q(source));
        }
      }
      if (!e.opens->record_as.empty()) {
        const FieldDef* f = w_.FindField(e.opens->record_as);
        if (!f) {
          r_.Error(p + "/opens/record_as", "unknown field " + Q(e.opens->record_as));
        } else if (f->type != FieldType::kString) {
          r_.Error(p + "/opens/record_as", "wrong field type: the new case's id is "
                                           "recorded in a string field");
        }
      }
    }
    for (const Addition& a : e.adds) Adds(e, a, p + "/adds/" + a.total);
    for (size_t k = 0; k < e.roles.size(); ++k) Role(e.roles[k], Idx(p, "roles", k));
    auto fields = [&](const std::vector<std::string>& ids, const char* key) {
      for (size_t k = 0; k < ids.size(); ++k) {
        if (!w_.FindField(ids[k])) {
          r_.Error(Idx(p, key, k), "unknown field " + Q(ids[k]));
        }
      }
    };
    fields(e.requires_fields, "requires");
    fields(e.optional_fields, "optional");
    fields(e.clears, "clears");
    if (e.late) LateAt(e, p + "/late");
    for (size_t k = 0; k < e.clears.size(); ++k) {
      const std::string& c = e.clears[k];
      bool carried = std::count(e.requires_fields.begin(), e.requires_fields.end(), c) +
                     std::count(e.optional_fields.begin(), e.optional_fields.end(), c);
      bool child = w_.child && std::count(w_.child->fields.begin(), w_.child->fields.end(), c);
      if (carried || child || c == w_.open.unit_field) {
        r_.Error(Idx(p, "clears", k), "event " + Q(e.id) + " may not clear " + Q(c) +
                     (carried ? ": it also carries it"
                              : child ? ": the child's file keeps it" : ": the case's unit"));
      }
    }
    if (e.guard) CheckGuard(w_, *e.guard, p + "/guard", r_);
    for (size_t k = 0; k < e.notify.size(); ++k) Notify(e.notify[k], Idx(p, "notify", k));
  }

  // An `adds` entry: an integer total the event does not carry itself, grown
  // by an integer field the event carries, or by a constant.
  void Adds(const EventDef& e, const Addition& a, const std::string& p) {
    auto carries = [&](const std::string& f) {
      return std::count(e.requires_fields.begin(), e.requires_fields.end(), f) +
             std::count(e.optional_fields.begin(), e.optional_fields.end(), f);
    };
    const FieldDef* total = w_.FindField(a.total);
    if (!total) {
      r_.Error(p, "unknown field " + Q(a.total));
    } else if (total->type != FieldType::kInteger) {
      r_.Error(p, "wrong field type: " + Q(a.total) + " is a total, an integer field");
    } else if (carries(a.total)) {
      r_.Error(p, "event " + Q(e.id) + " adds to " + Q(a.total) + " and also carries it");
    }
    if (a.from.empty()) return;
    const FieldDef* from = w_.FindField(a.from);
    if (!from) {
      r_.Error(p, "unknown field " + Q(a.from));
    } else if (from->type != FieldType::kInteger) {
      r_.Error(p, "wrong field type: " + Q(a.from) + " is added, an integer field");
    } else if (!carries(a.from)) {
      r_.Error(p, "event " + Q(e.id) + " adds " + Q(a.from) + " but does not carry it");
    }
  }

  const Workflow& w_;
  JsonReader& r_;
};

}  // namespace

void ValidateWorkflow(const Workflow& w,
                      const std::set<std::string, std::less<>>& calendars,
                      JsonReader& r) {
  Validator(w, r).Run(calendars);
  CheckFlags(w, r);
  CheckReports(w, r);
}

}  // namespace shouhu
