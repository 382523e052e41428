#include "workflow/loader.h"

#include "workflow/flags_loader.h"
#include "workflow/reports_loader.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <set>

namespace shouhu {
namespace {

using json = nlohmann::json;

std::string Idx(const std::string& ptr, const char* key, size_t i) {
  return ptr + "/" + key + "/" + std::to_string(i);
}

// Reports a duplicate `id` among the items already seen at `ptr`.
void CheckUnique(JsonReader& r, std::set<std::string>& seen,
                 const std::string& id, const std::string& ptr,
                 const char* what) {
  if (!id.empty() && !seen.insert(id).second) {
    r.Error(ptr + "/id", std::string("duplicate id \"") + id + "\" among " +
                             what);
  }
}

std::optional<FieldType> ParseFieldType(const std::string& s) {
  if (s == "string") return FieldType::kString;
  if (s == "enum") return FieldType::kEnum;
  if (s == "integer") return FieldType::kInteger;
  if (s == "boolean") return FieldType::kBoolean;
  if (s == "datetime") return FieldType::kDatetime;
  if (s == "list") return FieldType::kList;
  if (s == "date") return FieldType::kDate;
  if (s == "attachments") return FieldType::kAttachments;
  return std::nullopt;
}

// "value_labels" of an enum at `p` (a field, or a list field's "items"):
// one {zh, en} label for each of `values` and for nothing else.
void ParseValueLabels(const json& j, const std::string& p,
                      const std::vector<std::string>& values, JsonReader& r,
                      std::map<std::string, Label, std::less<>>* out) {
  if (values.empty()) return;
  std::string lp = p + "/value_labels";
  auto it = j.find("value_labels");
  if (it == j.end()) {
    std::string missing;
    for (const std::string& v : values) missing += (missing.empty() ? "\"" : ", \"") + v + "\"";
    r.Error(p, "missing member \"value_labels\": every value needs a {\"zh\", \"en\"} "
               "label people read instead of the code (" + missing + ")");
    return;
  }
  if (!r.IsObject(*it, lp)) return;
  for (const std::string& v : values) {
    Label label;
    if (!it->contains(v)) {
      r.Error(lp, "no label for value \"" + v + "\"");
    } else if (r.Label(*it, lp, v.c_str(), &label, true)) {
      (*out)[v] = label;
    }
  }
  for (auto e = it->begin(); e != it->end(); ++e) {
    if (std::find(values.begin(), values.end(), e.key()) == values.end()) {
      r.Error(lp + "/" + e.key(), "\"" + e.key() + "\" is not one of the values");
    }
  }
}

FieldDef ParseField(const json& j, const std::string& p, JsonReader& r) {
  FieldDef f;
  r.OnlyMembers(j, p, {"id", "label", "type", "values", "value_labels", "items",
                       "sensitivity", "to_reporter", "not_after", "not_before", "max_files",
                       "keep_metadata", "unit_types"});
  r.String(j, p, "id", &f.id, true);
  r.String(j, p, "not_after", &f.not_after, false);
  r.String(j, p, "not_before", &f.not_before, false);
  r.Bool(j, p, "to_reporter", &f.to_reporter);
  if (r.StringList(j, p, "unit_types", &f.unit_types, false) && f.unit_types.empty()) {
    r.Error(p + "/unit_types", "name at least one unit type");
  }
  r.Label(j, p, "label", &f.label, true);
  if (std::string level; r.String(j, p, "sensitivity", &level, false) &&
                         !ParseSensitivity(level, &f.sensitivity)) {
    r.Error(p + "/sensitivity", "wrong sensitivity \"" + level +
                                    "\": expected public, personal or sensitive");
  }
  std::string type;
  if (r.String(j, p, "type", &type, true)) {
    auto t = ParseFieldType(type);
    if (!t) {
      r.Error(p + "/type", "wrong field type \"" + type +
                               "\": expected string, enum, integer, boolean, "
                               "datetime, date, list or attachments");
    } else {
      f.type = *t;
    }
  }
  if (f.type == FieldType::kAttachments) {
    int max_files = 0;
    if (r.Int(j, p, "max_files", &max_files, false) && max_files < 1) {
      r.Error(p + "/max_files", "max_files must be at least 1");
    }
    f.max_files = max_files > 0 ? static_cast<size_t>(max_files) : 0;
    r.Bool(j, p, "keep_metadata", &f.keep_metadata);
  } else if (j.contains("max_files") || j.contains("keep_metadata")) {
    r.Error(p, "max_files and keep_metadata are for fields of type attachments");
  }
  if (f.type == FieldType::kEnum) {
    r.StringList(j, p, "values", &f.values, true);
    if (f.values.empty() && j.contains("values")) {
      r.Error(p + "/values", "an enum needs at least one value");
    }
    ParseValueLabels(j, p, f.values, r, &f.value_labels);
  }
  if (f.type == FieldType::kList && j.contains("items")) {
    const json& items = j["items"];
    std::string ip = p + "/items";
    if (r.IsObject(items, ip)) {
      r.OnlyMembers(items, ip, {"type", "values", "value_labels"});
      std::string it;
      if (r.String(items, ip, "type", &it, true)) {
        auto t = ParseFieldType(it);
        if (!t || *t == FieldType::kList) {
          r.Error(ip + "/type", "wrong field type \"" + it +
                                    "\" for list items");
        } else {
          f.item_type = *t;
        }
      }
      if (f.item_type == FieldType::kEnum) {
        r.StringList(items, ip, "values", &f.item_values, true);
        ParseValueLabels(items, ip, f.item_values, r, &f.value_labels);
      }
    }
  }
  return f;
}

// Guards are evaluated, copied and freed recursively, one frame per level; a
// readable rule needs a handful of levels. The file's own nesting is capped
// when it is parsed (kMaxDefinitionJsonDepth), this is the clearer message.
constexpr int kMaxGuardDepth = 16;

std::optional<Guard> ParseGuard(const json& j, const std::string& p,
                                JsonReader& r, int depth = 1) {
  if (!r.IsObject(j, p)) return std::nullopt;
  if (depth > kMaxGuardDepth) {
    r.Error(p, "条件嵌套超过 " + std::to_string(kMaxGuardDepth) +
                   " 层 / guards nest deeper than " + std::to_string(kMaxGuardDepth) +
                   " levels");
    return std::nullopt;
  }
  Guard g;
  for (const char* comb : {"all", "any"}) {
    if (j.contains(comb)) {
      r.OnlyMembers(j, p, {comb});
      g.op = std::string(comb) == "all" ? Guard::Op::kAll : Guard::Op::kAny;
      const json* arr = r.Array(j, p, comb, true);
      if (!arr) return std::nullopt;
      for (size_t i = 0; i < arr->size(); ++i) {
        auto c = ParseGuard((*arr)[i], Idx(p, comb, i), r, depth + 1);
        if (c) g.children.push_back(std::move(*c));
      }
      return g;
    }
  }
  if (j.contains("not")) {
    r.OnlyMembers(j, p, {"not"});
    g.op = Guard::Op::kNot;
    auto c = ParseGuard(j["not"], p + "/not", r, depth + 1);
    if (!c) return std::nullopt;
    g.children.push_back(std::move(*c));
    return g;
  }
  static const std::pair<const char*, Guard::Op> kOps[] = {
      {"eq", Guard::Op::kEq},       {"ne", Guard::Op::kNe},
      {"in", Guard::Op::kIn},       {"not_in", Guard::Op::kNotIn},
      {"lt", Guard::Op::kLt},       {"le", Guard::Op::kLe},
      {"gt", Guard::Op::kGt},       {"ge", Guard::Op::kGe},
      {"exists", Guard::Op::kExists}, {"contains", Guard::Op::kContains}};
  r.OnlyMembers(j, p, {"field", "eq", "ne", "in", "not_in", "lt", "le", "gt",
                       "ge", "exists", "contains"});
  if (!r.String(j, p, "field", &g.field, true)) return std::nullopt;
  int found = 0;
  for (const auto& [name, op] : kOps) {
    auto it = j.find(name);
    if (it == j.end()) continue;
    ++found;
    g.op = op;
    std::string vp = p + "/" + name;
    if (op == Guard::Op::kIn || op == Guard::Op::kNotIn) {
      if (!it->is_array() || it->empty()) {
        r.Error(vp, "expected a non-empty array of values");
        return std::nullopt;
      }
      for (const auto& v : *it) g.values.push_back(v);
    } else if (op == Guard::Op::kExists) {
      if (!it->is_boolean()) r.Error(vp, "expected true or false");
      g.values.push_back(*it);
    } else {
      if (it->is_structured() || it->is_null()) {
        r.Error(vp, "expected a string, number or boolean");
        return std::nullopt;
      }
      g.values.push_back(*it);
    }
  }
  if (found != 1) {
    r.Error(p, "a guard compares its field with exactly one of eq, ne, in, "
               "not_in, lt, le, gt, ge, exists, contains");
    return std::nullopt;
  }
  return g;
}

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

StateDef ParseState(const json& j, const std::string& p, JsonReader& r) {
  StateDef s;
  r.OnlyMembers(j, p, {"id", "label", "terminal", "owner_role", "timers"});
  r.String(j, p, "id", &s.id, true);
  r.Label(j, p, "label", &s.label, true);
  r.Bool(j, p, "terminal", &s.terminal);
  r.String(j, p, "owner_role", &s.owner_role, false);
  if (const json* timers = r.Array(j, p, "timers", false)) {
    std::set<std::string> seen;
    for (size_t i = 0; i < timers->size(); ++i) {
      std::string tp = Idx(p, "timers", i);
      if (!r.IsObject((*timers)[i], tp)) continue;
      s.timers.push_back(ParseTimer((*timers)[i], tp, r));
      CheckUnique(r, seen, s.timers.back().id, tp, "the state's timers");
    }
  }
  return s;
}

// The members an event shares with the "open" block.
void ParseEventBody(const json& j, const std::string& p, JsonReader& r,
                    EventDef& e) {
  r.Label(j, p, "label", &e.label, true);
  r.StringList(j, p, "roles", &e.roles, true);
  r.StringList(j, p, "requires", &e.requires_fields, false);
  r.StringList(j, p, "optional", &e.optional_fields, false);
  if (j.contains("guard")) e.guard = ParseGuard(j["guard"], p + "/guard", r);
  if (j.contains("late") && r.IsObject(j["late"], p + "/late")) {
    const json& l = j["late"];
    LateFlag late;
    r.OnlyMembers(l, p + "/late", {"field", "from_field", "service_level"});
    r.String(l, p + "/late", "field", &late.field, true);
    r.String(l, p + "/late", "from_field", &late.from_field, true);
    r.String(l, p + "/late", "service_level", &late.service_level, true);
    e.late = std::move(late);
  }
  if (const json* n = r.Array(j, p, "notify", false)) {
    for (size_t i = 0; i < n->size(); ++i) {
      e.notify.push_back(ParseNotification((*n)[i], Idx(p, "notify", i), r));
    }
  }
}

EventDef ParseEvent(const json& j, const std::string& p, JsonReader& r) {
  EventDef e;
  r.OnlyMembers(j, p, {"id", "label", "from", "to", "stay", "restart", "roles",
                       "requires", "optional", "clears", "late", "guard", "notify",
                       "opens", "adds"});
  r.String(j, p, "id", &e.id, true);
  r.StringList(j, p, "clears", &e.clears, false);
  ParseEventBody(j, p, r, e);
  r.StringList(j, p, "from", &e.from, true);
  if (j.contains("from") && e.from.empty() && j["from"].is_array()) {
    r.Error(p + "/from", "an event fires from at least one state");
  }
  if (j.contains("opens") && r.IsObject(j["opens"], p + "/opens")) {
    const json& o = j["opens"];
    std::string op = p + "/opens";
    OpensCase opens;
    r.OnlyMembers(o, op, {"workflow", "copy", "move", "set", "record_as"});
    r.String(o, op, "workflow", &opens.workflow, true);
    r.String(o, op, "record_as", &opens.record_as, false);
    auto pairs = [&](const char* key, std::vector<std::pair<std::string, std::string>>* out) {
      if (!o.contains(key) || !r.IsObject(o[key], op + "/" + key)) return;
      for (auto it = o[key].begin(); it != o[key].end(); ++it) {
        if (!it->is_string()) {
          r.Error(op + "/" + key + "/" + it.key(), "expected the id of a field of this workflow");
          continue;
        }
        out->emplace_back(it.key(), it->get<std::string>());
      }
    };
    pairs("copy", &opens.copy);
    pairs("move", &opens.move);
    if (o.contains("set") && r.IsObject(o["set"], op + "/set")) opens.set = o["set"];
    e.opens = std::move(opens);
  }
  if (j.contains("adds") && r.IsObject(j["adds"], p + "/adds")) {
    for (auto it = j["adds"].begin(); it != j["adds"].end(); ++it) {
      Addition a{it.key(), "", 0};
      if (it->is_string()) {
        a.from = it->get<std::string>();
      } else if (it->is_number_integer()) {
        a.amount = it->get<int64_t>();
      } else {
        r.Error(p + "/adds/" + it.key(), "expected the id of an integer field the event "
                                         "carries, or an integer");
        continue;
      }
      e.adds.push_back(std::move(a));
    }
  }
  auto to = j.find("to");
  r.Bool(j, p, "stay", &e.stay);
  r.StringList(j, p, "restart", &e.restart, false);
  if (!e.restart.empty() && !e.stay) {
    r.Error(p + "/restart", "only an event that stays in its state restarts "
                            "timers (a transition re-arms them all)");
  }
  if (e.stay) {
    if (to != j.end()) {
      r.Error(p + "/stay", "an event either stays in its state or goes "
                           "\"to\" one, not both");
    }
  } else if (to == j.end()) {
    r.Error(p, "missing member \"to\"");
  } else if (to->is_string()) {
    e.to.push_back({std::nullopt, to->get<std::string>()});
  } else if (to->is_array() && !to->empty()) {
    for (size_t i = 0; i < to->size(); ++i) {
      std::string tp = Idx(p, "to", i);
      const json& t = (*to)[i];
      if (!r.IsObject(t, tp)) continue;
      r.OnlyMembers(t, tp, {"when", "state"});
      Target target;
      r.String(t, tp, "state", &target.state, true);
      if (t.contains("when")) target.when = ParseGuard(t["when"], tp + "/when", r);
      e.to.push_back(std::move(target));
    }
  } else {
    r.Error(p + "/to", "expected a state id or a non-empty array of "
                       "{\"when\", \"state\"} branches");
  }
  return e;
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

std::optional<ChildFileDef> ParseChildFile(const json& doc, JsonReader& r) {
  if (!doc.contains("child") || !r.IsObject(doc["child"], "/child")) {
    return std::nullopt;
  }
  const json& j = doc["child"];
  ChildFileDef c;
  r.OnlyMembers(j, "/child", {"identity", "fields"});
  r.StringList(j, "/child", "identity", &c.identity, true);
  r.StringList(j, "/child", "fields", &c.fields, true);
  return c;
}

// Copies each service-level timer's duration from its level; an unknown
// level is left for the validator to report.
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

// Parses the array `key` of objects with ids, checking ids are unique.
template <typename T, typename F>
void ParseList(const json& doc, const char* key, const char* what,
               JsonReader& r, bool required, std::vector<T>* out, F parse) {
  const json* arr = r.Array(doc, "", key, required);
  if (!arr) return;
  std::set<std::string> seen;
  for (size_t i = 0; i < arr->size(); ++i) {
    std::string p = Idx("", key, i);
    if (!r.IsObject((*arr)[i], p)) continue;
    out->push_back(parse((*arr)[i], p, r));
    CheckUnique(r, seen, out->back().id, p, what);
  }
}

}  // namespace

Workflow ParseWorkflow(const json& doc, JsonReader& r) {
  Workflow w;
  r.OnlyMembers(doc, "", {"$schema", "kind", "id", "version", "label",
                          "calendar", "initial_state", "open", "roles", "fields",
                          "states", "events", "escalations", "templates",
                          "service_levels", "child", "flags", "reports"});
  r.String(doc, "", "id", &w.id, true);
  if (r.Int(doc, "", "version", &w.version, true) && w.version < 1) {
    r.Error("/version", "a version is an integer from 1 up");
  }
  r.Label(doc, "", "label", &w.label, true);
  r.String(doc, "", "calendar", &w.calendar_id, false);
  r.String(doc, "", "initial_state", &w.initial_state, true);
  w.open.id = "open";
  if (doc.contains("open") && r.IsObject(doc["open"], "/open")) {
    r.OnlyMembers(doc["open"], "/open", {"label", "roles", "requires",
                                         "optional", "guard", "notify", "unit_field",
                                         "same_child", "late"});
    ParseEventBody(doc["open"], "/open", r, w.open);
    r.String(doc["open"], "/open", "unit_field", &w.open.unit_field, false);
    if (std::string same; r.String(doc["open"], "/open", "same_child", &same, false)) {
      if (same == "join") {
        w.open.same_child = EventDef::SameChild::kJoin;
      } else if (same == "flag") {
        w.open.same_child = EventDef::SameChild::kFlag;
      } else if (same != "parallel") {
        r.Error("/open/same_child", "expected join, flag or parallel, got \"" + same + "\"");
      }
    }
    w.open.to.push_back({std::nullopt, w.initial_state});
  } else if (!doc.contains("open")) {
    r.Error("", "missing member \"open\"");
  }
  ParseList(doc, "roles", "roles", r, true, &w.roles,
            [](const json& j, const std::string& p, JsonReader& r) {
              RoleDef role;
              r.OnlyMembers(j, p, {"id", "label"});
              r.String(j, p, "id", &role.id, true);
              r.Label(j, p, "label", &role.label, true);
              if (role.id == kSystemRole) {
                r.Error(p + "/id", "\"system\" is the timers' role and "
                                   "cannot be declared");
              }
              return role;
            });
  ParseList(doc, "fields", "fields", r, false, &w.fields, ParseField);
  ParseList(doc, "states", "states", r, true, &w.states, ParseState);
  ParseList(doc, "events", "events", r, true, &w.events, ParseEvent);
  ParseList(doc, "escalations", "escalations", r, false, &w.escalations,
            ParseEscalation);
  ParseList(doc, "templates", "templates", r, false, &w.templates,
            [](const json& j, const std::string& p, JsonReader& r) {
              TemplateDef t;
              r.OnlyMembers(j, p, {"id", "subject", "body"});
              r.String(j, p, "id", &t.id, true);
              r.Label(j, p, "subject", &t.subject, true);
              r.Label(j, p, "body", &t.body, true);
              ParseTemplate(&t);
              return t;
            });
  ParseList(doc, "service_levels", "service levels", r, false,
            &w.service_levels, ParseServiceLevel);
  w.child = ParseChildFile(doc, r);
  ParseFlags(doc, r, &w.flags);
  ParseReports(doc, r, &w.reports);
  ResolveServiceLevels(w);
  return w;
}

std::optional<Calendar> ParseCalendar(const json& doc, JsonReader& r) {
  int before = r.error_count();
  r.OnlyMembers(doc, "", {"$schema", "kind", "id", "label", "utc_offset",
                          "rest_weekdays", "holidays", "makeup_workdays",
                          "source"});
  std::string id, offset;
  shouhu::Label label;
  r.String(doc, "", "id", &id, true);
  r.Label(doc, "", "label", &label, true);
  int offset_minutes = 0;
  if (r.String(doc, "", "utc_offset", &offset, true)) {
    int h = 0, m = 0;
    char sign = 0;
    auto digits = [&](size_t k) {
      return std::isdigit(static_cast<unsigned char>(offset[k])) &&
             std::isdigit(static_cast<unsigned char>(offset[k + 1]));
    };
    // The digit checks first: %2d alone also takes " 8", "-8" and "0x".
    if (offset.size() == 6 && digits(1) && digits(4) &&
        std::sscanf(offset.c_str(), "%c%2d:%2d", &sign, &h, &m) == 3 &&
        (sign == '+' || sign == '-') && h <= 14 && m < 60) {
      offset_minutes = (sign == '-' ? -1 : 1) * (h * 60 + m);
    } else {
      r.Error("/utc_offset", "expected an offset like +08:00");
    }
  }
  static const char* kDays[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
  std::vector<std::string> rest;
  unsigned mask = 0;
  r.StringList(doc, "", "rest_weekdays", &rest, true);
  for (size_t i = 0; i < rest.size(); ++i) {
    bool known = false;
    for (unsigned d = 0; d < 7; ++d) {
      if (rest[i] == kDays[d]) mask |= 1u << d, known = true;
    }
    if (!known) {
      r.Error("/rest_weekdays/" + std::to_string(i),
              "expected mon, tue, wed, thu, fri, sat or sun");
    }
  }
  auto dates = [&](const char* key, std::set<std::chrono::sys_days>* out) {
    std::vector<std::string> list;
    r.StringList(doc, "", key, &list, true);
    for (size_t i = 0; i < list.size(); ++i) {
      auto at = ParseInstant(list[i] + "T00:00:00Z");
      if (list[i].size() != 10 || !at.ok()) {
        r.Error(std::string("/") + key + "/" + std::to_string(i),
                "expected a date like 2026-10-01");
        continue;
      }
      if (!out->insert(std::chrono::floor<std::chrono::days>(*at)).second) {
        r.Error(std::string("/") + key + "/" + std::to_string(i),
                "duplicate date " + list[i]);
      }
    }
  };
  std::set<std::chrono::sys_days> holidays, makeup;
  dates("holidays", &holidays);
  dates("makeup_workdays", &makeup);
  if (r.error_count() != before) return std::nullopt;
  return Calendar(id, std::chrono::minutes{offset_minutes}, mask,
                  std::move(holidays), std::move(makeup));
}

}  // namespace shouhu
