// The loader: what a valid definition turns into, and the structural errors
// (JSON, members, types, durations, duplicate ids, calendars) it reports as
// `file:json-pointer: message`, one fixture per error kind.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "definitions.h"

namespace shouhu {
namespace {

using testing::FixturePath;
using testing::InvalidFixture;
using testing::Line;
using testing::Load;
using testing::Loaded;
using testing::LoadInvalid;
using testing::SourcePath;
using testing::TestCalendarFile;

// invalid/<kind>.json gives exactly `rest` (pointer and message) and the
// workflow is left out of the catalog.
void ExpectRefused(const std::string& kind, const std::string& rest) {
  Loaded l = LoadInvalid(kind);
  EXPECT_EQ(l.Lines(), std::vector<std::string>{Line(kind, rest)});
  EXPECT_TRUE(l.catalog.All().empty());
}

// A bad calendar gives exactly `rest`; the valid test calendar beside it
// still loads.
void ExpectCalendarRefused(const std::string& kind, const std::string& rest) {
  Loaded l = LoadInvalid(kind);
  EXPECT_EQ(l.Lines(), std::vector<std::string>{Line(kind, rest)});
  const Calendar* cal = l.catalog.FindCalendar("test-cal");
  ASSERT_NE(cal, nullptr);
  EXPECT_EQ(cal->utc_offset(), std::chrono::minutes{5 * 60 + 45});
}

TEST(LoaderTest, RealWorkflowsFolderLoadsWithoutErrors) {
  Loaded l = Load({SourcePath("workflows")});
  EXPECT_EQ(l.Lines(), std::vector<std::string>{});
  // mandatory_report v1 to v4, dropout_return v1 and v2, care_plan,
  // guardianship_intervention v1 and v2, annual_survey; old versions live in
  // workflows/versions/.
  ASSERT_EQ(l.catalog.All().size(), 10u);
  auto w = l.catalog.Find("mandatory_report", 1);
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->source_file,
            SourcePath("workflows") + "/versions/mandatory_report.v1.json");
  ASSERT_NE(l.catalog.Find("mandatory_report", 2), nullptr);
  EXPECT_EQ(l.catalog.Find("mandatory_report", 2)->source_file,
            SourcePath("workflows") + "/versions/mandatory_report.v2.json");
  EXPECT_EQ(l.catalog.Newest("mandatory_report")->version, 4);
  EXPECT_EQ(l.catalog.Newest("dropout_return")->version, 2);
  EXPECT_EQ(l.catalog.Newest("guardianship_intervention")->version, 2);
  EXPECT_EQ(w->calendar_id, "cn-mainland");
  EXPECT_NE(l.catalog.FindCalendar("cn-mainland"), nullptr);
  EXPECT_EQ(w->FindState("assessment")->timers.at(0).units,
            TimerDef::Units::kWorkingDays);
  EXPECT_EQ(w->FindField("co_assessors")->item_type, FieldType::kEnum);
  ASSERT_NE(w->FindField("category")->ValueLabel("living_alone"), nullptr);
  EXPECT_EQ(w->FindField("category")->ValueLabel("living_alone")->zh, "脱离监护单独居住");
  EXPECT_EQ(w->FindField("co_assessors")->ValueLabel("medical")->en, "Medical staff");
  EXPECT_EQ(w->FindField("category")->ValueLabel("living"), nullptr);
  EXPECT_EQ(w->FindEvent("respond")->to.size(), 2u);
  EXPECT_EQ(w->FindEscalation("police_acceptance_overdue")->steps.size(), 3u);
  EXPECT_EQ(w->EventsFrom("monitoring").size(), 3u);
  EXPECT_TRUE(w->EventsFrom("closed").empty());
}

TEST(LoaderTest, MinimalFixtureLoadsWithoutErrors) {
  Loaded l = Load({FixturePath("valid")});
  EXPECT_EQ(l.Lines(), std::vector<std::string>{});
  EXPECT_NE(l.catalog.Find("minimal", 1), nullptr);
  EXPECT_NE(l.catalog.FindCalendar("test-cal"), nullptr);
}

TEST(LoaderTest, EveryInvalidFixtureIsRefused) {
  int count = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(FixturePath("invalid"))) {
    if (entry.path().extension() != ".json") continue;
    std::string kind = entry.path().stem().string();
    if (kind == "duplicate_workflow_version") continue;  // needs its twin
    SCOPED_TRACE(kind);
    ++count;
    Loaded l = LoadInvalid(kind);
    EXPECT_FALSE(l.errors.empty());
    EXPECT_EQ(l.catalog.Find("minimal", 1), nullptr);
  }
  EXPECT_GE(count, 50);
}

TEST(LoaderTest, InvalidJson) {
  Loaded l = LoadInvalid("invalid_json");
  ASSERT_EQ(l.errors.size(), 1u) << ::testing::PrintToString(l.Lines());
  EXPECT_EQ(l.errors[0].file, InvalidFixture("invalid_json"));
  EXPECT_EQ(l.errors[0].pointer, "");
  EXPECT_EQ(l.Lines()[0].rfind(Line("invalid_json", ": not valid JSON: "), 0),
            0u)
      << l.Lines()[0];
  EXPECT_NE(l.errors[0].message.find("line 3"), std::string::npos);
}

TEST(LoaderTest, MissingKind) {
  ExpectRefused("missing_kind", ": missing member \"kind\"");
}

TEST(LoaderTest, UnknownKind) {
  ExpectRefused("unknown_kind", "/kind: expected \"workflow\" or \"calendar\"");
}

TEST(LoaderTest, UnknownMemberIsATypo) {
  ExpectRefused("unknown_member", "/events/3/gaurd: unknown member \"gaurd\"");
}

// Regression: a leaf guard ignored members it did not know, so a typo such
// as {"field": "age", "ge": 18, "lte": 65} silently dropped a condition.
TEST(LoaderTest, UnknownMemberInAGuard) {
  ExpectRefused("unknown_member_in_guard",
                "/events/3/guard/all/1/any/0/unit: unknown member \"unit\"");
}

TEST(LoaderTest, GuardWithTwoOperators) {
  ExpectRefused("guard_two_ops",
                "/events/3/guard/all/0: a guard compares its field with "
                "exactly one of eq, ne, in, not_in, lt, le, gt, ge, exists, "
                "contains");
}

TEST(LoaderTest, LabelNeedsBothLanguages) {
  ExpectRefused("label_missing_en", "/states/2/label: missing member \"en\"");
}

TEST(LoaderTest, VersionStartsAtOne) {
  ExpectRefused("bad_version", "/version: a version is an integer from 1 up");
}

TEST(LoaderTest, SystemRoleCannotBeDeclared) {
  ExpectRefused("system_role_declared",
                "/roles/2/id: \"system\" is the timers' role and cannot be "
                "declared");
}

TEST(LoaderTest, UnknownFieldType) {
  ExpectRefused("unknown_field_type",
                "/fields/0/type: wrong field type \"text\": expected string, "
                "enum, integer, boolean, datetime, date, list or attachments");
}

TEST(LoaderTest, DuplicateStateId) {
  ExpectRefused("duplicate_state_id",
                "/states/4/id: duplicate id \"urgent\" among states");
}

TEST(LoaderTest, DuplicateEventId) {
  ExpectRefused("duplicate_event_id",
                "/events/4/id: duplicate id \"cancel\" among events");
}

TEST(LoaderTest, DuplicateFieldId) {
  ExpectRefused("duplicate_field_id",
                "/fields/1/id: duplicate id \"name\" among fields");
}

TEST(LoaderTest, DuplicateRoleId) {
  ExpectRefused("duplicate_role_id",
                "/roles/2/id: duplicate id \"clerk\" among roles");
}

TEST(LoaderTest, DuplicateTimerIdWithinAState) {
  ExpectRefused("duplicate_timer_id",
                "/states/1/timers/1/id: duplicate id \"sla\" among the "
                "state's timers");
}

// The copy reads first in path order (invalid/ < valid/), so the error is on
// the later file, minimal.json, which is the one left out.
TEST(LoaderTest, DuplicateWorkflowIdAndVersionAcrossFiles) {
  std::string minimal = FixturePath("valid/minimal.json");
  std::string copy = InvalidFixture("duplicate_workflow_version");
  Loaded l = Load({minimal, copy, TestCalendarFile()});
  EXPECT_EQ(l.Lines(), std::vector<std::string>{
                           minimal +
                           ":/version: duplicate id: workflow \"minimal\" "
                           "version 1 is also defined in " +
                           copy});
  auto w = l.catalog.Find("minimal", 1);
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->source_file, copy);
  EXPECT_EQ(w->label.en, "Minimal workflow, copied");
}

TEST(LoaderTest, DuplicateCalendarIdAcrossFiles) {
  std::string copy = InvalidFixture("duplicate_calendar_id");
  Loaded l = LoadInvalid("duplicate_calendar_id");
  EXPECT_EQ(l.Lines(),
            std::vector<std::string>{TestCalendarFile() +
                                     ":/id: duplicate id \"test-cal\": "
                                     "calendar also in " +
                                     copy});
}

TEST(LoaderTest, BadDuration) {
  ExpectRefused("bad_duration",
                "/states/0/timers/0/after: bad duration \"2 hours\": expected "
                "ISO 8601 like PT2H, P3D or P1M");
}

TEST(LoaderTest, WorkingDayTimerCountsWholeDays) {
  ExpectRefused("working_day_timer_hours",
                "/states/1/timers/0/after: bad duration: working-day timers "
                "count whole days (P3D)");
}

TEST(LoaderTest, RecurringTimerNeedsAPeriod) {
  ExpectRefused("recurring_zero",
                "/states/1/timers/1/every: bad duration: a recurring timer "
                "needs a period above zero");
}

TEST(LoaderTest, TimerFiresEventOrEscalatesNotBoth) {
  ExpectRefused("timer_event_and_escalate",
                "/states/0/timers/0: a timer fires exactly one of \"event\" "
                "or \"escalate\"");
}

TEST(LoaderTest, BadCalendarDate) {
  ExpectCalendarRefused("bad_calendar_date",
                        "/holidays/0: expected a date like 2026-10-01");
}

TEST(LoaderTest, BadCalendarWeekday) {
  ExpectCalendarRefused(
      "bad_calendar_weekday",
      "/rest_weekdays/0: expected mon, tue, wed, thu, fri, sat or sun");
}

TEST(LoaderTest, BadCalendarOffset) {
  ExpectCalendarRefused("bad_calendar_offset",
                        "/utc_offset: expected an offset like +08:00");
}

TEST(LoaderTest, CalendarDuplicateDate) {
  ExpectCalendarRefused("calendar_duplicate_date",
                        "/holidays/1: duplicate date 2026-03-02");
}

// Regression: the offset was read with sscanf("%c%2d:%2d"), which took
// "+08:0x" for +08:00 and "+-8:00" for -08:00.
TEST(LoaderTest, CalendarOffsetMustBeDigits) {
  char tmpl[] = "/tmp/shouhu_loader_test_XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string dir = tmpl;
  std::ifstream in(TestCalendarFile());
  std::string base((std::istreambuf_iterator<char>(in)), {});
  for (const char* bad :
       {"+08:0x", "+-8:00", "+ 8:00", "+08:-1", "+15:00", "08:00+", "Z"}) {
    SCOPED_TRACE(bad);
    std::string text = base;
    text.replace(text.find("+05:45"), 6, bad);
    std::string file = dir + "/cal.json";
    std::ofstream(file) << text;
    Loaded l = Load({file});
    EXPECT_EQ(l.Lines(),
              std::vector<std::string>{
                  file + ":/utc_offset: expected an offset like +08:00"});
  }
  std::filesystem::remove_all(dir);
}

// What the minimal fixture turns into: every list in file order.
class MinimalModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Loaded l = Load({FixturePath("valid")});
    ASSERT_TRUE(l.errors.empty()) << l.Lines().front();
    w_ = l.catalog.Find("minimal", 1);
    ASSERT_NE(w_, nullptr);
  }
  std::shared_ptr<const Workflow> w_;
};

std::vector<std::string> Ids(const std::vector<const EventDef*>& events) {
  std::vector<std::string> ids;
  for (const EventDef* e : events) ids.push_back(e->id);
  return ids;
}

TEST_F(MinimalModelTest, Header) {
  EXPECT_EQ(w_->id, "minimal");
  EXPECT_EQ(w_->version, 1);
  EXPECT_EQ(w_->label.zh, "最小流程");
  EXPECT_EQ(w_->label.en, "Minimal workflow");
  EXPECT_EQ(w_->calendar_id, "test-cal");
  EXPECT_EQ(w_->initial_state, "new");
  EXPECT_EQ(w_->source_file, FixturePath("valid") + "/minimal.json");
  // The open block is an event into the initial state.
  EXPECT_EQ(w_->open.id, "open");
  EXPECT_TRUE(w_->open.from.empty());
  ASSERT_EQ(w_->open.to.size(), 1u);
  EXPECT_EQ(w_->open.to[0].state, "new");
  EXPECT_EQ(w_->open.requires_fields, std::vector<std::string>{"name"});
  EXPECT_EQ(w_->open.optional_fields, std::vector<std::string>{"seen_at"});
  ASSERT_EQ(w_->open.notify.size(), 1u);
  EXPECT_TRUE(w_->open.notify[0].urgent);
  EXPECT_EQ(w_->open.notify[0].recipients[0].role, "chief");
}

TEST_F(MinimalModelTest, Fields) {
  ASSERT_NE(w_->FindField("level"), nullptr);
  EXPECT_EQ(w_->FindField("level")->type, FieldType::kEnum);
  EXPECT_EQ(w_->FindField("level")->values,
            (std::vector<std::string>{"high", "low"}));
  EXPECT_EQ(w_->FindField("age")->type, FieldType::kInteger);
  EXPECT_EQ(w_->FindField("safe")->type, FieldType::kBoolean);
  EXPECT_EQ(w_->FindField("seen_at")->type, FieldType::kDatetime);
  const FieldDef* tags = w_->FindField("tags");
  ASSERT_NE(tags, nullptr);
  EXPECT_EQ(tags->type, FieldType::kList);
  EXPECT_EQ(tags->item_type, FieldType::kEnum);
  EXPECT_EQ(tags->item_values, (std::vector<std::string>{"minor", "school"}));
  EXPECT_EQ(w_->FindField("nickname"), nullptr);
}

TEST_F(MinimalModelTest, StatesAndTimers) {
  ASSERT_EQ(w_->states.size(), 4u);
  EXPECT_EQ(w_->states[3].id, "done");
  EXPECT_TRUE(w_->FindState("done")->terminal);
  EXPECT_FALSE(w_->FindState("new")->terminal);
  EXPECT_EQ(w_->FindState("new")->owner_role, "clerk");
  EXPECT_EQ(w_->FindState("nowhere"), nullptr);
  const TimerDef& expire = w_->FindState("new")->timers.at(0);
  EXPECT_EQ(expire.kind, TimerDef::Kind::kDeadline);
  EXPECT_EQ(expire.units, TimerDef::Units::kCalendar);
  EXPECT_EQ(expire.duration, (Duration{.seconds = 7200}));
  EXPECT_EQ(expire.fire_event, "expire");
  EXPECT_EQ(expire.escalation, "");
  const auto& timers = w_->FindState("working")->timers;
  ASSERT_EQ(timers.size(), 2u);
  EXPECT_EQ(timers[0].units, TimerDef::Units::kWorkingDays);
  EXPECT_EQ(timers[0].duration, (Duration{.days = 3}));
  EXPECT_EQ(timers[0].escalation, "late");
  EXPECT_EQ(timers[1].kind, TimerDef::Kind::kRecurring);
  EXPECT_EQ(timers[1].duration, (Duration{.months = 1}));
}

TEST_F(MinimalModelTest, EventsBranchesAndGuards) {
  const EventDef* start = w_->FindEvent("start");
  ASSERT_NE(start, nullptr);
  ASSERT_EQ(start->to.size(), 2u);
  ASSERT_TRUE(start->to[0].when.has_value());
  EXPECT_EQ(start->to[0].when->op, Guard::Op::kEq);
  EXPECT_EQ(start->to[0].when->field, "level");
  EXPECT_EQ(start->to[0].state, "urgent");
  EXPECT_FALSE(start->to[1].when.has_value());
  EXPECT_EQ(start->to[1].state, "working");

  const EventDef* finish = w_->FindEvent("finish");
  ASSERT_TRUE(finish->guard.has_value());
  const Guard& g = *finish->guard;
  ASSERT_EQ(g.op, Guard::Op::kAll);
  ASSERT_EQ(g.children.size(), 2u);
  EXPECT_EQ(g.children[1].op, Guard::Op::kAny);
  EXPECT_EQ(g.children[1].children[0].op, Guard::Op::kGe);
  EXPECT_EQ(g.children[1].children[0].values.at(0), 18);
  EXPECT_EQ(g.children[1].children[1].op, Guard::Op::kNot);
  EXPECT_EQ(g.children[1].children[1].children[0].op, Guard::Op::kContains);
  EXPECT_TRUE(EvaluateGuard(g, {{"safe", true}, {"tags", {"school"}}}));
  EXPECT_FALSE(EvaluateGuard(g, {{"safe", true}, {"tags", {"minor"}}}));
  EXPECT_TRUE(
      EvaluateGuard(g, {{"safe", true}, {"tags", {"minor"}}, {"age", 18}}));
  const auto& to = finish->notify.at(0).recipients;
  ASSERT_EQ(to.size(), 2u);
  EXPECT_EQ(to[0].kind, Recipient::Kind::kOwner);
  EXPECT_EQ(to[1].kind, Recipient::Kind::kReporter);
  EXPECT_EQ(w_->FindEvent("expire")->roles,
            std::vector<std::string>{std::string(kSystemRole)});
  EXPECT_EQ(w_->FindEvent("open"), nullptr);  // not a listed event
}

TEST_F(MinimalModelTest, EventsFromInFileOrder) {
  EXPECT_EQ(Ids(w_->EventsFrom("new")),
            (std::vector<std::string>{"start", "expire", "cancel"}));
  EXPECT_EQ(Ids(w_->EventsFrom("working")),
            (std::vector<std::string>{"raise", "finish", "cancel"}));
  EXPECT_EQ(Ids(w_->EventsFrom("urgent")),
            (std::vector<std::string>{"finish", "cancel"}));
  EXPECT_TRUE(w_->EventsFrom("done").empty());
  EXPECT_TRUE(w_->EventsFrom("nowhere").empty());
}

TEST_F(MinimalModelTest, RolesEscalationsTemplates) {
  EXPECT_EQ(w_->FindRole("chief")->label.en, "Chief");
  EXPECT_EQ(w_->FindRole(kSystemRole), nullptr);  // implicit, not declared
  const EscalationDef* late = w_->FindEscalation("late");
  ASSERT_NE(late, nullptr);
  ASSERT_EQ(late->steps.size(), 2u);
  EXPECT_TRUE(late->steps[0].after.is_zero());
  EXPECT_EQ(late->steps[0].to.kind, Recipient::Kind::kOwner);
  EXPECT_FALSE(late->steps[0].raise_priority);
  EXPECT_EQ(late->steps[1].after, (Duration{.days = 1}));
  EXPECT_EQ(late->steps[1].to.role, "chief");
  EXPECT_EQ(late->steps[1].to.up, 1);
  EXPECT_TRUE(late->steps[1].raise_priority);
  EXPECT_EQ(late->steps[1].channels,
            (std::vector<std::string>{"sms", "email"}));
  EXPECT_EQ(w_->FindEscalation("lat"), nullptr);
  ASSERT_NE(w_->FindTemplate("closed"), nullptr);
  EXPECT_EQ(w_->FindTemplate("closed")->body.en, "Case {{case_id}} is closed");
  EXPECT_EQ(w_->FindTemplate("colsed"), nullptr);
}

}  // namespace
}  // namespace shouhu
