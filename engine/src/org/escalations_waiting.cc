#include <algorithm>

#include "shouhu/escalations.h"

namespace shouhu {
namespace {

using json = nlohmann::json;

bool Holds(const Organisation& org, std::string_view unit, std::string_view role,
           int up, const User& user) {
  auto users = org.Resolve(unit, role, up);
  return std::any_of(users.begin(), users.end(),
                     [&](const User* u) { return u->id == user.id; });
}

bool Reaches(const Organisation& org, const Workflow& w, const CaseRecord& c,
             const HistoryEntry& entry, const User& user) {
  const json& to = entry.data.contains("to") ? entry.data["to"] : json();
  std::string kind = to.is_object() ? to.value("kind", "") : "";
  if (kind == "reporter") return c.reporter == user.id;
  if (kind == "role") return Holds(org, c.unit, to.value("role", ""), to.value("up", 0), user);
  if (kind != "owner") return false;
  if (!c.owner.empty()) return c.owner == user.id;
  // Nobody owns the step: its role's holders at the case's unit were told.
  const StateDef* s = w.FindState(c.state);
  return s && !s->owner_role.empty() && Holds(org, c.unit, s->owner_role, 0, user);
}

// The timers of the current state that start escalation `chain`.
std::vector<const TimerDef*> Starters(const Workflow& w, const CaseRecord& c,
                                      const std::string& chain) {
  std::vector<const TimerDef*> out;
  if (const StateDef* s = w.FindState(c.state)) {
    for (const TimerDef& t : s->timers) {
      if (t.escalation == chain) out.push_back(&t);
    }
  }
  return out;
}

bool Met(const Workflow& w, const CaseRecord& c, const std::vector<HistoryEntry>& history,
         const HistoryEntry& step) {
  for (const TimerDef* t : Starters(w, c, step.name)) {
    if (t->until_field.empty()) continue;
    auto v = c.data.find(t->until_field);
    if (v != c.data.end() && !v->is_null()) return true;
  }
  for (const HistoryEntry& h : history) {
    if (h.seq <= step.seq || h.kind != "event") continue;
    const EventDef* e = w.FindEvent(h.name);
    if (!e) continue;
    for (const TimerDef* t : Starters(w, c, step.name)) {
      if (std::count(e->restart.begin(), e->restart.end(), t->id)) return true;
    }
  }
  return false;
}

}  // namespace

std::vector<const HistoryEntry*> EscalationsWaiting(const Organisation& org,
                                                    const Workflow& w,
                                                    const CaseRecord& c,
                                                    const std::vector<HistoryEntry>& history,
                                                    const User& user) {
  std::vector<const HistoryEntry*> out;
  for (const HistoryEntry& h : history) {
    if (h.kind != "escalation") continue;
    bool running = std::any_of(c.timers.begin(), c.timers.end(),
                               [&](const ArmedTimer& a) { return a.chain == h.name; });
    if (!running && h.at < c.state_entered_at) continue;
    if (Met(w, c, history, h) || !Reaches(org, w, c, h, user)) continue;
    out.push_back(&h);
  }
  return out;
}

}  // namespace shouhu
