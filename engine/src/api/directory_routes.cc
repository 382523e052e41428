// What the web app needs to show names instead of ids and to draw the
// supervisors' charts: the unit tree, the people around the caller, and
// open and overdue counts within the caller's jurisdiction.
#include <map>
#include <set>

#include "api/api_service.h"
#include "api/errors.h"
#include "api/policy.h"
#include "api/request_helpers.h"

namespace shouhu::api {
namespace {

using nlohmann::json;

json LabelJson(const Label& l) { return {{"zh", l.zh}, {"en", l.en}}; }

// A bound on the cases one stats request walks (a county has hundreds of
// reports a year; this is a guard, not a size).
constexpr size_t kMaxStatsCases = 50'000;

}  // namespace

void ApiService::AddDirectoryRoutes() {
  // Unit names are public to every signed-in user: the app shows names,
  // never ids.
  AddAuthed("GET", "/api/v1/units", "units.list",
            [this](const HttpRequest&, const RouteMatch&, const Principal&) {
    json units = json::array();
    for (const Unit& u : deps_.org.units()) {
      json unit = {{"id", u.id}, {"name", LabelJson(u.name)}, {"type", u.type},
                   {"parent", u.parent}};
      if (!u.serves.empty()) unit["serves"] = u.serves;
      units.push_back(std::move(unit));
    }
    return JsonResponse(200, {{"time_zone", deps_.org.time_zone()}, {"units", units}});
  });

  // The people a user deals with: those of their own subtree (whom a case
  // may be assigned to), of the units above (the township office) and of
  // the units serving those (the police station). No contact details.
  AddAuthed("GET", "/api/v1/people", "people.list",
            [this](const HttpRequest&, const RouteMatch&, const Principal& who) {
    std::set<std::string, std::less<>> above;
    for (const Unit* u = deps_.org.FindUnit(who.user->unit); u && !u->parent.empty();) {
      above.insert(u->parent);
      u = deps_.org.FindUnit(u->parent);
    }
    // And the stations serving the user's unit or a unit above it.
    above.insert(who.user->unit);
    for (const Unit& u : deps_.org.units()) {
      for (const std::string& served : u.serves) {
        if (above.count(served)) above.insert(u.id);
      }
    }
    json people = json::array();
    for (const User& u : deps_.org.users()) {
      if (!InJurisdiction(deps_.org, *who.user, u.unit) && !above.count(u.unit)) continue;
      people.push_back({{"id", u.id}, {"name", u.name}, {"unit", u.unit}, {"roles", u.roles}});
    }
    return JsonResponse(200, {{"people", people}});
  });

  AddAuthed("GET", "/api/v1/stats", "stats",
            [this](const HttpRequest&, const RouteMatch&, const Principal& who) {
    if (!PolicyOf(deps_, who).Can(Capability::kSupervise)) {
      return RefusedRead(deps_, who, "case.stats",
                         ErrorResponse(403, kForbidden, "only supervisors see statistics"));
    }
    // The rows: the caller's unit's children (townships for a county
    // user), or the unit itself when it has none.
    std::vector<const Unit*> rows;
    for (const Unit& u : deps_.org.units()) {
      if (u.parent == who.user->unit) rows.push_back(&u);
    }
    if (rows.empty()) rows.push_back(deps_.org.FindUnit(who.user->unit));
    struct Counts {
      uint64_t open = 0, overdue = 0, late = 0;
    };
    std::map<std::string, Counts> by_row;
    struct StateKey {
      std::string workflow, state;
      int version;
      auto operator<=>(const StateKey&) const = default;
    };
    std::map<StateKey, uint64_t> by_state;
    size_t walked = 0;
    bool truncated = false;
    for (const Unit& unit : deps_.org.units()) {
      if (!InJurisdiction(deps_.org, *who.user, unit.id)) continue;
      const Unit* row = nullptr;
      for (const Unit* r : rows) {
        if (r && deps_.org.InSubtree(unit.id, r->id)) row = r;
      }
      Page page;
      page.limit = 500;
      for (;;) {
        auto list = deps_.runtime.ListByUnit(unit.id, page);
        if (!list.ok()) return StatusResponse(list.status());
        for (const CaseRecord& c : list->cases) {
          auto w = deps_.catalog.Find(c.workflow_id, c.workflow_version);
          const StateDef* s = w ? w->FindState(c.state) : nullptr;
          ++by_state[{c.workflow_id, c.state, c.workflow_version}];
          // Late reports (迟报) count whether still open or not: the
          // workflow's opening names the flag.
          if (row && w && w->open.late && c.data.is_object()) {
            auto flag = c.data.find(w->open.late->field);
            if (flag != c.data.end() && flag->is_boolean() && flag->get<bool>()) {
              ++by_row[row->id].late;
            }
          }
          if (!row || (s && s->terminal)) continue;
          ++by_row[row->id].open;
          if (c.overdue) ++by_row[row->id].overdue;
        }
        walked += list->cases.size();
        if (walked >= kMaxStatsCases) truncated = true;
        if (list->next.empty() || truncated) break;
        page.after = list->next;
      }
      if (truncated) break;
    }
    Status audited = deps_.runtime.RecordAccess({who.actor, "case.stats", "", ""});
    if (!audited.ok()) return StatusResponse(audited);
    json units = json::array();
    for (const Unit* r : rows) {
      if (!r) continue;
      Counts c = by_row[r->id];
      units.push_back(
          {{"unit", r->id}, {"open", c.open}, {"overdue", c.overdue}, {"late", c.late}});
    }
    // Versions of one workflow are one row per state; the label is the
    // newest version's that has the state.
    std::map<std::pair<std::string, std::string>, std::pair<uint64_t, Label>> merged;
    for (const auto& [key, count] : by_state) {
      auto& entry = merged[{key.workflow, key.state}];
      entry.first += count;
      auto w = deps_.catalog.Find(key.workflow, key.version);
      if (const StateDef* s = w ? w->FindState(key.state) : nullptr) entry.second = s->label;
    }
    json states = json::array();
    for (const auto& [key, entry] : merged) {
      states.push_back({{"workflow", key.first}, {"state", key.second},
                        {"label", LabelJson(entry.second)}, {"count", entry.first}});
    }
    return JsonResponse(200, {{"by_unit", units}, {"by_state", states}, {"truncated", truncated}});
  });
}

}  // namespace shouhu::api
