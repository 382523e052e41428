// Flags (issue 19): declared in a workflow, read and checked with it, and
// evaluated on a case in one place for every view.
#include <algorithm>
#include <set>

#include "shouhu/flags.h"
#include "workflow/flags_loader.h"

namespace shouhu {
namespace {

using json = nlohmann::json;

constexpr std::pair<FlagDef::Level, std::string_view> kLevels[] = {
    {FlagDef::Level::kInfo, "info"},
    {FlagDef::Level::kWarning, "warning"},
    {FlagDef::Level::kDanger, "danger"}};

FlagDef ParseFlag(const json& j, const std::string& p, JsonReader& r) {
  FlagDef f;
  r.OnlyMembers(j, p, {"id", "label", "level", "overdue", "field"});
  r.String(j, p, "id", &f.id, true);
  r.Label(j, p, "label", &f.label, true);
  if (std::string level; r.String(j, p, "level", &level, true)) {
    auto it = std::find_if(std::begin(kLevels), std::end(kLevels),
                           [&](const auto& l) { return l.second == level; });
    if (it == std::end(kLevels)) {
      r.Error(p + "/level", "wrong level \"" + level + "\": expected info, warning or danger");
    } else {
      f.level = it->first;
    }
  }
  r.String(j, p, "overdue", &f.overdue_timer, false);
  r.String(j, p, "field", &f.field, false);
  if (j.contains("overdue") == j.contains("field")) {
    r.Error(p, "a flag needs exactly one of \"overdue\" (a deadline) or \"field\" "
               "(a boolean field)");
  }
  return f;
}

// The timer `id` of state `s`, or null.
const TimerDef* TimerOf(const StateDef& s, std::string_view id) {
  auto it = std::find_if(s.timers.begin(), s.timers.end(),
                         [&](const TimerDef& t) { return t.id == id; });
  return it == s.timers.end() ? nullptr : &*it;
}

bool Has(const json& data, const std::string& field) {
  auto v = data.find(field);
  return v != data.end() && !v->is_null();
}

// The timer is overdue and its obligation unmet (see RaisedFlags).
bool Overdue(const StateDef& s, const std::string& timer, const CaseRecord& c) {
  const TimerDef* t = TimerOf(s, timer);
  if (!t) return false;
  if (!t->until_field.empty() && Has(c.data, t->until_field)) return false;
  if (!t->duration_by.empty()) {
    auto v = c.data.find(t->duration_by);
    if (v == c.data.end() || !v->is_string() || !t->durations.count(v->get<std::string>())) {
      return false;  // never armed: no duration for this case
    }
  }
  return std::none_of(c.timers.begin(), c.timers.end(),
                      [&](const ArmedTimer& a) { return a.name == timer; });
}

}  // namespace

std::string_view FlagLevelName(FlagDef::Level level) {
  for (const auto& [l, name] : kLevels) {
    if (l == level) return name;
  }
  return "warning";
}

void ParseFlags(const json& doc, JsonReader& r, std::vector<FlagDef>* out) {
  const json* flags = r.Array(doc, "", "flags", false);
  if (!flags) return;
  std::set<std::string> seen;
  for (size_t i = 0; i < flags->size(); ++i) {
    std::string p = "/flags/" + std::to_string(i);
    if (!r.IsObject((*flags)[i], p)) continue;
    out->push_back(ParseFlag((*flags)[i], p, r));
    if (!out->back().id.empty() && !seen.insert(out->back().id).second) {
      r.Error(p + "/id", "duplicate id \"" + out->back().id + "\" among flags");
    }
  }
}

void CheckFlags(const Workflow& w, JsonReader& r) {
  for (size_t i = 0; i < w.flags.size(); ++i) {
    const FlagDef& f = w.flags[i];
    std::string p = "/flags/" + std::to_string(i);
    if (!f.field.empty()) {
      const FieldDef* field = w.FindField(f.field);
      if (!field) {
        r.Error(p + "/field", "unknown field \"" + f.field + "\"");
      } else if (field->type != FieldType::kBoolean) {
        r.Error(p + "/field", "wrong field type: a flag's field is a boolean field");
      }
    }
    if (f.overdue_timer.empty()) continue;
    bool found = false;
    for (const StateDef& s : w.states) {
      const TimerDef* t = TimerOf(s, f.overdue_timer);
      if (!t) continue;
      found = true;
      if (t->kind != TimerDef::Kind::kDeadline || t->escalation.empty()) {
        r.Error(p + "/overdue", "timer \"" + f.overdue_timer + "\" of state \"" + s.id +
                                    "\" is not a deadline that escalates");
      }
    }
    if (!found) r.Error(p + "/overdue", "no state has timer \"" + f.overdue_timer + "\"");
  }
}

std::vector<const FlagDef*> RaisedFlags(const Workflow& w, const CaseRecord& c) {
  std::vector<const FlagDef*> out;
  const StateDef* s = w.FindState(c.state);
  for (const FlagDef& f : w.flags) {
    bool raised = !f.field.empty()
                      ? c.data.is_object() && c.data.value(f.field, json(false)) == json(true)
                      : s && c.data.is_object() && Overdue(*s, f.overdue_timer, c);
    if (raised) out.push_back(&f);
  }
  return out;
}

}  // namespace shouhu
