// The definition features the domain workflows need (workflows/README.md):
// service levels, timers counted from a field, kept on re-entry or running
// until a field is set, events that stay and restart timers, and the child's
// file. One invalid fixture per error kind, as in validator_test.cc.
#include <algorithm>
#include <functional>

#include <gtest/gtest.h>

#include "definitions.h"

namespace shouhu {
namespace {

using testing::Line;
using testing::Load;
using testing::Loaded;
using testing::LoadInvalid;
using testing::SourcePath;

void ExpectRefused(const std::string& kind, const std::string& rest) {
  Loaded l = LoadInvalid(kind);
  EXPECT_EQ(l.Lines(), std::vector<std::string>{Line(kind, rest)});
  EXPECT_EQ(l.catalog.Find("minimal", 1), nullptr);
}

TEST(DomainFeaturesTest, UnknownServiceLevel) {
  ExpectRefused("unknown_service_level",
                "/states/0/timers/0/service_level: unknown service level \"immediatly\"");
}

TEST(DomainFeaturesTest, TimerWithBothAfterAndServiceLevel) {
  ExpectRefused("timer_after_and_service_level",
                "/states/0/timers/0: a timer has exactly one of \"after\" (deadline), "
                "\"every\" (recurring) or \"service_level\" (a named deadline)");
}

TEST(DomainFeaturesTest, WorkingDayServiceLevelInHours) {
  ExpectRefused("service_level_working_day_hours",
                "/service_levels/0/within: bad duration: working-day timers count "
                "whole days (P3D)");
}

TEST(DomainFeaturesTest, TimerCountedFromANonDatetimeField) {
  ExpectRefused("timer_from_non_datetime_field",
                "/states/0/timers/0/from_field: wrong field type: a timer counts from "
                "a datetime field, and \"name\" is string");
}

TEST(DomainFeaturesTest, TimerUntilAnUnknownField) {
  ExpectRefused("timer_until_unknown_field",
                "/states/0/timers/0/until: unknown field \"sent_at\"");
}

TEST(DomainFeaturesTest, EventThatBothStaysAndMoves) {
  ExpectRefused("event_stay_and_to",
                "/events/1/stay: an event either stays in its state or goes \"to\" "
                "one, not both");
}

TEST(DomainFeaturesTest, RestartOnAnEventThatMoves) {
  ExpectRefused("restart_without_stay",
                "/events/1/restart: only an event that stays in its state restarts "
                "timers (a transition re-arms them all)");
}

TEST(DomainFeaturesTest, RestartOfAnUnknownTimer) {
  ExpectRefused("restart_unknown_timer",
                "/events/1/restart/0: unknown timer \"nudg\" in state \"working\"");
}

TEST(DomainFeaturesTest, ServiceLevelByAFieldMissesAValue) {
  ExpectRefused("service_level_by_missing_value",
                "/service_levels/0/within: no duration for value \"low\"");
}

TEST(DomainFeaturesTest, ServiceLevelByANonEnumField) {
  ExpectRefused("service_level_by_non_enum",
                "/service_levels/0/by: wrong field type: a level is chosen by an enum "
                "field, and \"name\" is string");
}

TEST(DomainFeaturesTest, EventClearsAFieldItCarries) {
  ExpectRefused("event_clears_carried_field",
                "/events/0/clears/0: event \"start\" may not clear \"level\": it also "
                "carries it");
}

TEST(DomainFeaturesTest, AnEventAddsToATotalThatIsNoInteger) {
  ExpectRefused("adds_to_a_non_integer",
                "/events/0/adds/name: wrong field type: \"name\" is a total, an integer field");
}

TEST(DomainFeaturesTest, AnEventAddsToATotalItAlsoCarries) {
  ExpectRefused("adds_to_a_carried_total",
                "/events/0/adds/age: event \"start\" adds to \"age\" and also carries it");
}

TEST(DomainFeaturesTest, LateFlagOnANonBooleanField) {
  ExpectRefused("late_flag_not_boolean",
                "/open/late/field: wrong field type: the late flag is a boolean field");
}

TEST(DomainFeaturesTest, ChildIdentityOutsideTheFileFields) {
  ExpectRefused("child_identity_not_in_fields",
                "/child/identity/0: identity field \"name\" is not among the child's "
                "file \"fields\"");
}

TEST(DomainFeaturesTest, ChildFileWithAnUnknownField) {
  ExpectRefused("child_unknown_field", "/child/fields/1: unknown field \"nmae\"");
}

TEST(DomainFeaturesTest, ChildFileWithoutIdentity) {
  ExpectRefused("child_without_identity",
                "/child/identity: the child's file needs at least one identity field");
}

TEST(DomainFeaturesTest, OpensAnUnknownWorkflow) {
  ExpectRefused("opens_unknown_workflow",
                "/events/1/opens/workflow: unknown workflow \"minimall\"");
}

TEST(DomainFeaturesTest, OpensWithAFieldTheOtherWorkflowDoesNotAccept) {
  ExpectRefused("opens_field_not_accepted",
                "/events/1/opens/copy/nmae: field \"nmae\" is not accepted when "
                "opening \"minimal\"");
}

TEST(DomainFeaturesTest, OpensWithoutAFieldTheOtherWorkflowRequires) {
  ExpectRefused("opens_required_field_missing",
                "/events/1/opens: field \"name\" required to open \"minimal\" is "
                "neither copied nor set");
}

TEST(DomainFeaturesTest, OpensCopyingAnUndeclaredField) {
  ExpectRefused("opens_copy_unknown_field", "/events/1/opens/copy/name: unknown field \"nom\"");
}

TEST(DomainFeaturesTest, UnitTypesOnANonStringField) {
  ExpectRefused("unit_types_on_a_non_string_field",
                "/fields/2/unit_types: wrong field type: a unit id is a string");
}

TEST(DomainFeaturesTest, TimerArmedWhenAGuardOnAnUnknownField) {
  ExpectRefused("timer_when_unknown_field",
                "/states/0/timers/0/when/field: guard on undeclared field \"sfae\"");
}

TEST(DomainFeaturesTest, NotificationSentWhenAValueTheFieldHasNot) {
  ExpectRefused("notify_when_wrong_value",
                "/events/3/notify/0/when/eq: value \"middle\" is not one of the values of "
                "\"level\"");
}

// A field holding a unit id names a unit of one of its types: a transfer
// goes to a competent unit, never to a school or to free text.
TEST(DomainFeaturesTest, UnitTypesOfAFieldHoldingAUnitId) {
  FieldDef to;
  to.id = "transfer_to";
  to.type = FieldType::kString;
  to.unit_types = {"police_station", "public_security"};
  Workflow w;
  w.fields = {to};
  std::function<std::string(std::string_view)> unit_type = [](std::string_view id) {
    return id == "dongfeng-police" ? "police_station" : id == "chengguan-primary" ? "school" : "";
  };
  FieldBounds bounds{*ParseInstant("2026-03-02T01:00:00Z"), std::nullopt, nullptr, &unit_type};
  EXPECT_TRUE(CheckFieldBounds(w, to, "dongfeng-police", bounds).ok());
  Status school = CheckFieldBounds(w, to, "chengguan-primary", bounds);
  EXPECT_EQ(school.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(school.message(),
            "field \"transfer_to\" must name a unit of type police_station, public_security, "
            "got \"chengguan-primary\" (a school)");
  Status text = CheckFieldBounds(w, to, "邻县公安局", bounds);
  EXPECT_NE(text.message().find("(no such unit)"), std::string::npos) << text.message();
  // Without the organisation nothing is checked.
  bounds.unit_type = nullptr;
  EXPECT_TRUE(CheckFieldBounds(w, to, "邻县公安局", bounds).ok());
}

// The timer `id` of `state` (by id: a state's timers may be added to).
const TimerDef& TimerOf(const Workflow& w, const std::string& state, const std::string& id) {
  static const TimerDef kNone;
  const StateDef* s = w.FindState(state);
  EXPECT_NE(s, nullptr) << state;
  if (!s) return kNone;
  for (const TimerDef& t : s->timers) {
    if (t.id == id) return t;
  }
  ADD_FAILURE() << "no timer " << id << " in " << state;
  return kNone;
}

TEST(DomainFeaturesTest, TheDomainWorkflowsUseEveryFeature) {
  Loaded l = Load({SourcePath("workflows")});
  ASSERT_EQ(l.Lines(), std::vector<std::string>{});
  auto report = l.catalog.Newest("mandatory_report");
  ASSERT_NE(report, nullptr);
  // Service levels are copied into the timers that name them.
  const TimerDef& acceptance = TimerOf(*report, "reported", "acceptance_sla");
  EXPECT_EQ(acceptance.service_level, "immediate");
  EXPECT_EQ(acceptance.duration, (Duration{0, 0, 0, 2 * 3600}));
  const TimerDef& assessment = TimerOf(*report, "assessment", "assessment_sla");
  EXPECT_EQ(assessment.units, TimerDef::Units::kWorkingDays);
  EXPECT_EQ(assessment.duration, (Duration{0, 0, 5, 0}));
  const TimerDef& feedback = TimerOf(*report, "police_intake", "feedback_due");
  EXPECT_EQ(feedback.from_field, "accepted_at");
  EXPECT_EQ(feedback.until_field, "feedback_sent_at");
  EXPECT_EQ(feedback.duration, (Duration{0, 0, 3, 0}));
  EXPECT_TRUE(TimerOf(*report, "monitoring_low", "six_month_review").keep);
  EXPECT_TRUE(report->FindEvent("send_feedback")->stay);
  ASSERT_TRUE(report->child.has_value());
  EXPECT_EQ(report->child->identity,
            (std::vector<std::string>{"child_name", "child_birth_date"}));
  const TimerDef& notice = TimerOf(*report, "police_intake", "township_notice_due");
  EXPECT_EQ(notice.id, "township_notice_due");
  EXPECT_EQ(notice.from_field, "accepted_at");
  EXPECT_EQ(notice.until_field, "township_notified_at");
  // The first visit's working days come from the level, by risk.
  const TimerDef& first = TimerOf(*report, "assistance", "first_visit");
  EXPECT_EQ(first.id, "first_visit");
  EXPECT_EQ(first.duration_by, "risk_level");
  EXPECT_EQ(first.units, TimerDef::Units::kWorkingDays);
  EXPECT_EQ(first.durations.at("high"), (Duration{0, 0, 2, 0}));
  EXPECT_EQ(first.durations.at("low"), (Duration{0, 0, 10, 0}));
  EXPECT_EQ(report->FindEvent("assess")->clears, std::vector<std::string>{"visited_at"});
  auto care = l.catalog.Newest("care_plan");
  ASSERT_NE(care, nullptr);
  EXPECT_EQ(care->FindEvent("log_talk")->restart, std::vector<std::string>{"monthly_talk"});
  ASSERT_TRUE(care->FindEvent("file_report")->opens.has_value());
  EXPECT_EQ(care->FindEvent("file_report")->opens->workflow, "mandatory_report");
  // Dates that make sense, and one case per child while it is open.
  EXPECT_EQ(report->FindField("child_birth_date")->type, FieldType::kDate);
  EXPECT_EQ(report->FindField("child_birth_date")->not_after, "now");
  EXPECT_EQ(report->FindField("discovered_at")->not_after, "now");
  EXPECT_EQ(report->FindField("accepted_at")->not_before, "reported_at");
  EXPECT_EQ(report->open.same_child, EventDef::SameChild::kJoin);
  EXPECT_EQ(care->open.same_child, EventDef::SameChild::kParallel);
  // Obligations only some cases owe, and a transfer only to a competent unit.
  const StateDef* monitoring = report->FindState("monitoring_high");
  auto enrolment = std::find_if(monitoring->timers.begin(), monitoring->timers.end(),
                                [](const TimerDef& t) { return t.id == "assistance_enrolment"; });
  ASSERT_NE(enrolment, monitoring->timers.end());
  EXPECT_TRUE(enrolment->when.has_value());
  ASSERT_EQ(report->FindEvent("assess")->notify.size(), 1u);
  EXPECT_TRUE(report->FindEvent("assess")->notify[0].when.has_value());
  EXPECT_EQ(report->FindField("transfer_to")->unit_types,
            (std::vector<std::string>{"police_station", "public_security"}));
}

TEST(DomainFeaturesTest, ABoundOnAFieldThatIsNoDate) {
  ExpectRefused("bound_on_a_string_field",
                "/fields/0/not_after: wrong field type: only a datetime or date field has "
                "bounds");
}

TEST(DomainFeaturesTest, ABoundNamingNeitherNowNorADateField) {
  ExpectRefused("bound_naming_no_datetime",
                "/fields/4/not_before: expected \"now\", \"reported_at\" or a datetime or "
                "date field, got \"yesterday\"");
}

TEST(DomainFeaturesTest, AnUnknownSameChildSetting) {
  ExpectRefused("same_child_unknown",
                "/open/same_child: expected join, flag or parallel, got \"merge\"");
}

TEST(DomainFeaturesTest, JoiningNeedsTheChildsIdentity) {
  ExpectRefused("same_child_without_child",
                "/open/same_child: needs the workflow's \"child\" (who the child is)");
}

TEST(DomainFeaturesTest, DatesAndTheirBounds) {
  FieldDef birth;
  birth.id = "birth";
  birth.type = FieldType::kDate;
  birth.not_after = "now";
  birth.sensitivity = Sensitivity::kPersonal;
  EXPECT_TRUE(CheckFieldValue(birth, "2015-02-28").ok());
  for (const char* bad : {"2015-02-29", "2015-2-28", "20150228", "2015-02-28T00:00:00Z", "明年"}) {
    Status s = CheckFieldValue(birth, bad);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(s.message().find(bad), std::string::npos) << "a personal value is not echoed";
  }
  Workflow w;
  w.fields = {birth};
  auto now = *ParseInstant("2026-03-02T01:00:00Z");  // 09:00 in Beijing
  FieldBounds bounds{now, std::nullopt, nullptr, nullptr};
  // Today is 2 March in Beijing and further east; the 3rd nowhere yet.
  EXPECT_TRUE(CheckFieldBounds(w, birth, "2026-03-02", bounds).ok());
  EXPECT_FALSE(CheckFieldBounds(w, birth, "2026-03-03", bounds).ok());
  FieldDef accepted;
  accepted.id = "accepted";
  accepted.type = FieldType::kDatetime;
  accepted.not_before = "reported_at";
  bounds.reported_at = now;
  EXPECT_TRUE(CheckFieldBounds(w, accepted, "2026-03-02T09:00:00+08:00", bounds).ok());
  Status early = CheckFieldBounds(w, accepted, "2026-03-02T08:59:59+08:00", bounds);
  EXPECT_EQ(early.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(early.message().find("field \"accepted\" must not be before the report"),
            std::string::npos) << early.message();
}

}  // namespace
}  // namespace shouhu
