// What the web app needs to show names instead of ids and to draw the
// supervisors' charts: the unit tree, the people around the caller, and
// open and overdue counts within the caller's jurisdiction.
#include <map>
#include <set>

#include "api/api_service.h"
#include "api/errors.h"
#include "api/policy.h"
#include "api/request_helpers.h"
#include "shouhu/flags.h"

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
            [](const HttpRequest&, const RouteMatch&, const Principal& who) {
    json units = json::array();
    for (const Unit& u : who.org->units()) {
      json unit = {{"id", u.id}, {"name", LabelJson(u.name)}, {"type", u.type},
                   {"parent", u.parent}, {"active", u.active}};
      if (!u.serves.empty()) unit["serves"] = u.serves;
      units.push_back(std::move(unit));
    }
    return JsonResponse(200, {{"time_zone", who.org->time_zone()}, {"units", units}});
  });

  // The people a user deals with: those of their own subtree (whom a case
  // may be assigned to), of the units above (the township office) and of
  // the units serving those (the police station). No contact details.
  AddAuthed("GET", "/api/v1/people", "people.list",
            [](const HttpRequest&, const RouteMatch&, const Principal& who) {
    std::set<std::string, std::less<>> above;
    for (const Unit* u = who.org->FindUnit(who.user->unit); u && !u->parent.empty();) {
      above.insert(u->parent);
      u = who.org->FindUnit(u->parent);
    }
    // And the stations serving the user's unit or a unit above it.
    above.insert(who.user->unit);
    for (const Unit& u : who.org->units()) {
      for (const std::string& served : u.serves) {
        if (above.count(served)) above.insert(u.id);
      }
    }
    json people = json::array();
    for (const User& u : who.org->users()) {
      if (!u.active) continue;  // nobody to deal with any more
      if (!InJurisdiction(*who.org, *who.user, u.unit) && !above.count(u.unit)) continue;
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
    // The rows: the children of the caller's unit and of the units it
    // serves (townships for a county user or for a procuratorate serving
    // the county, villages for a police station), or the unit itself when
    // there are none.
    std::set<std::string, std::less<>> parents{who.user->unit};
    if (const Unit* mine = who.org->FindUnit(who.user->unit)) {
      parents.insert(mine->serves.begin(), mine->serves.end());
    }
    std::vector<const Unit*> rows;
    for (const Unit& u : who.org->units()) {
      if (parents.count(u.parent)) rows.push_back(&u);
    }
    if (rows.empty()) rows.push_back(who.org->FindUnit(who.user->unit));
    struct Counts {
      uint64_t open = 0, overdue = 0;
    };
    std::map<std::string, Counts> by_row;
    // The flags raised (shouhu/flags.h), per workflow and flag, by row;
    // every flag of each workflow's newest version is listed, raised or
    // not, in the order the definition declares them.
    struct Flagged {
      std::string workflow;
      int version = 0;  // of the definition the label comes from
      const FlagDef* def = nullptr;
      std::map<std::string, uint64_t> by_unit;
      uint64_t count = 0;
    };
    std::vector<Flagged> by_flag;
    std::map<std::pair<std::string, std::string>, size_t> flag_index;
    auto flag_entry = [&](const Workflow& w, const FlagDef& f) -> Flagged& {
      auto [at, added] = flag_index.try_emplace({w.id, f.id}, by_flag.size());
      if (added) {
        by_flag.emplace_back();
        by_flag.back().workflow = w.id;
      }
      Flagged& entry = by_flag[at->second];
      if (w.version > entry.version) entry.version = w.version, entry.def = &f;
      return entry;
    };
    auto all = deps_.catalog.All();
    for (const auto& w : all) {
      if (deps_.catalog.Newest(w->id) != w) continue;
      for (const FlagDef& f : w->flags) flag_entry(*w, f);
    }
    struct StateKey {
      std::string workflow, state;
      int version;
      auto operator<=>(const StateKey&) const = default;
    };
    std::map<StateKey, uint64_t> by_state;
    size_t walked = 0;
    bool truncated = false;
    for (const Unit& unit : who.org->units()) {
      if (!InJurisdiction(*who.org, *who.user, unit.id)) continue;
      const Unit* row = nullptr;
      for (const Unit* r : rows) {
        if (r && who.org->InSubtree(unit.id, r->id)) row = r;
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
          // Flags count whether the case is open or not (a late report
          // stays one).
          if (row && w) {
            for (const FlagDef* f : RaisedFlags(*w, c)) {
              Flagged& entry = flag_entry(*w, *f);
              ++entry.by_unit[row->id];
              ++entry.count;
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
      units.push_back({{"unit", r->id}, {"open", c.open}, {"overdue", c.overdue}});
    }
    json flags = json::array();
    for (const Flagged& entry : by_flag) {
      json per_unit = json::object();
      for (const Unit* r : rows) {
        if (r) per_unit[r->id] = entry.by_unit.count(r->id) ? entry.by_unit.at(r->id) : 0;
      }
      flags.push_back({{"workflow", entry.workflow}, {"flag", entry.def->id},
                       {"label", LabelJson(entry.def->label)},
                       {"level", std::string(FlagLevelName(entry.def->level))},
                       {"count", entry.count}, {"by_unit", std::move(per_unit)}});
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
    return JsonResponse(200, {{"by_unit", units}, {"by_state", states}, {"by_flag", flags},
                              {"truncated", truncated}});
  });
}

}  // namespace shouhu::api
