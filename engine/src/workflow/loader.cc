#include "workflow/loader.h"

#include "workflow/fields_loader.h"
#include "workflow/flags_loader.h"
#include "workflow/reports_loader.h"
#include "workflow/timers_loader.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <set>

namespace shouhu {
namespace {

using json = nlohmann::json;

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
