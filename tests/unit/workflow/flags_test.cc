// Flags (shouhu/flags.h): declared in a workflow, checked when it loads, and
// raised on a case from its record alone — a deadline that fired and whose
// obligation is unmet, or a boolean field that is true.
#include <gtest/gtest.h>

#include "definitions.h"
#include "shouhu/flags.h"

namespace shouhu {
namespace {

using testing::FixturePath;
using testing::Line;
using testing::Load;
using testing::Loaded;
using testing::LoadInvalid;

void ExpectRefused(const std::string& kind, const std::string& rest) {
  Loaded l = LoadInvalid(kind);
  EXPECT_EQ(l.Lines(), std::vector<std::string>{Line(kind, rest)});
  EXPECT_EQ(l.catalog.Find("minimal", 1), nullptr);
}

TEST(FlagsTest, ADeclarationLoadsWithItsLabelLevelAndCondition) {
  Loaded l = Load({FixturePath("valid")});
  ASSERT_EQ(l.Lines(), std::vector<std::string>{});
  auto w = l.catalog.Find("minimal", 1);
  ASSERT_NE(w, nullptr);
  ASSERT_EQ(w->flags.size(), 2u);
  EXPECT_EQ(w->flags[0].id, "sla_late");
  EXPECT_EQ(w->flags[0].label.zh, "办理逾期");
  EXPECT_EQ(FlagLevelName(w->flags[0].level), "danger");
  EXPECT_EQ(w->flags[0].overdue_timer, "sla");
  EXPECT_EQ(w->flags[1].field, "safe");
  EXPECT_EQ(FlagLevelName(w->flags[1].level), "info");
}

TEST(FlagsTest, AFlagOnARecurringTimerIsRefused) {
  ExpectRefused("flag_on_recurring_timer",
                "/flags/0/overdue: timer \"nudge\" of state \"working\" is not a deadline "
                "that escalates");
}

TEST(FlagsTest, AFlagNeedsExactlyOneCondition) {
  ExpectRefused("flag_without_condition",
                "/flags/0: a flag needs exactly one of \"overdue\" (a deadline) or \"field\" "
                "(a boolean field)");
}

TEST(FlagsTest, AFlagOnANonBooleanFieldIsRefused) {
  ExpectRefused("flag_field_not_boolean",
                "/flags/1/field: wrong field type: a flag's field is a boolean field");
}

TEST(FlagsTest, AnUnknownLevelIsRefused) {
  ExpectRefused("flag_unknown_level",
                "/flags/0/level: wrong level \"red\": expected info, warning or danger");
}

std::vector<std::string> Raised(const Workflow& w, const CaseRecord& c) {
  std::vector<std::string> out;
  for (const FlagDef* f : RaisedFlags(w, c)) out.push_back(f->id);
  return out;
}

TEST(FlagsTest, RaisedWhileTheDeadlineHasFiredInAStateThatHasIt) {
  Loaded l = Load({FixturePath("valid")});
  auto w = l.catalog.Find("minimal", 1);
  ASSERT_NE(w, nullptr);
  CaseRecord c;
  c.state = "working";
  c.timers = {{"sla", Instant{}, "", -1, {}}, {"nudge", Instant{}, "", -1, {}}};
  EXPECT_TRUE(Raised(*w, c).empty()) << "armed: not yet due";
  c.timers = {{"nudge", Instant{}, "", -1, {}}, {"late#1", Instant{}, "late", 1, Instant{}}};
  EXPECT_EQ(Raised(*w, c), std::vector<std::string>{"sla_late"}) << "fired, escalating";
  c.timers = {{"nudge", Instant{}, "", -1, {}}};
  EXPECT_EQ(Raised(*w, c), std::vector<std::string>{"sla_late"}) << "its chain has run out";
  c.state = "urgent";  // a state without the deadline
  EXPECT_TRUE(Raised(*w, c).empty());
  c.data["safe"] = true;
  EXPECT_EQ(Raised(*w, c), std::vector<std::string>{"safe"});
  c.data["safe"] = false;
  EXPECT_TRUE(Raised(*w, c).empty());
}

}  // namespace
}  // namespace shouhu
