// Transition coverage: runs every scenario again, collects the steps their
// cases took (from the case histories), and checks that together they visit
// every state of the newest version of every workflow, fire every event from
// each of its `from` states and reach each of its targets.
#include <map>

#include "scenario/scenario.h"
#include "../support/test_paths.h"

namespace shouhu::scenario {
namespace {

TEST(ScenarioCoverage, EveryStateAndTransitionIsTaken) {
  std::set<Step> steps;
  for (const auto& [name, run] : Registry()) {
    SCOPED_TRACE(name);
    Scenario s;
    run(s);
    std::set<Step> taken = s.Steps();
    steps.insert(taken.begin(), taken.end());
  }
  std::vector<DefinitionError> errors;
  Catalog catalog = Catalog::Load({SourceTree("/workflows")}, &errors);
  ASSERT_TRUE(errors.empty());
  std::map<std::string, std::shared_ptr<const Workflow>> newest;
  for (const auto& w : catalog.All()) newest[w->id] = catalog.Newest(w->id);
  ASSERT_EQ(newest.size(), 4u);

  for (const auto& [id, w] : newest) {
    std::set<std::string> visited, fired_from, reached;  // "event@state"
    for (const Step& s : steps) {
      if (s.workflow != id || s.version != w->version) continue;  // old versions' cases
      visited.insert(s.to);
      fired_from.insert(s.event + "@" + s.from);
      reached.insert(s.event + "@" + s.to);
    }
    size_t expected = 0;
    for (const StateDef& st : w->states) {
      ++expected;
      EXPECT_TRUE(visited.count(st.id)) << id << ": no scenario enters state " << st.id;
    }
    EXPECT_TRUE(reached.count("open@" + w->initial_state)) << id << ": never opened";
    for (const EventDef& e : w->events) {
      for (const std::string& from : e.from) {
        ++expected;
        EXPECT_TRUE(fired_from.count(e.id + "@" + from))
            << id << ": no scenario fires " << e.id << " from " << from;
      }
      for (const Target& t : e.to) {
        ++expected;
        EXPECT_TRUE(reached.count(e.id + "@" + t.state))
            << id << ": no scenario takes " << e.id << " to " << t.state;
      }
    }
    RecordProperty(id + "_checked", static_cast<int>(expected));
  }
}

// Every role a workflow names is held by someone in the sample county, so no
// step, notification or escalation resolves to nobody for want of a role.
TEST(ScenarioCoverage, EveryRoleIsHeldInTheSampleCounty) {
  Scenario s;
  std::vector<DefinitionError> errors;
  Catalog catalog = Catalog::Load({SourceTree("/workflows")}, &errors);
  ASSERT_TRUE(errors.empty());
  std::set<std::string> held;
  for (const User& u : s.org().users()) held.insert(u.roles.begin(), u.roles.end());
  for (const auto& w : catalog.All()) {
    for (const RoleDef& r : w->roles) {
      EXPECT_TRUE(held.count(r.id)) << w->id << " v" << w->version << ": nobody holds role "
                                    << r.id;
    }
  }
  for (const char* role : {"administrator", "county_supervisor", "township_supervisor",
                           "school_admin", "voluntary_reporter", "village_committee", "helper"}) {
    EXPECT_TRUE(held.count(role)) << role;
  }
}

}  // namespace
}  // namespace shouhu::scenario
