// The validator's cross-reference checks, one fixture per error kind: each
// invalid/<kind>.json is valid/minimal.json with one defect, and must give
// exactly one `file:json-pointer: message` line and be left out.
#include <gtest/gtest.h>

#include "definitions.h"

namespace shouhu {
namespace {

using testing::Line;
using testing::Loaded;
using testing::LoadInvalid;

void ExpectRefused(const std::string& kind, const std::string& rest) {
  Loaded l = LoadInvalid(kind);
  EXPECT_EQ(l.Lines(), std::vector<std::string>{Line(kind, rest)});
  EXPECT_EQ(l.catalog.Find("minimal", 1), nullptr);
  EXPECT_TRUE(l.catalog.All().empty());
  // The calendar is fine and still loads.
  EXPECT_NE(l.catalog.FindCalendar("test-cal"), nullptr);
}

// --- labels of enum values ---

TEST(ValidatorTest, EnumValueWithoutALabel) {
  ExpectRefused("enum_value_without_label",
                "/fields/1/value_labels: no label for value \"low\"");
}

TEST(ValidatorTest, EnumWithoutValueLabels) {
  ExpectRefused("enum_without_value_labels",
                "/fields/5/items: missing member \"value_labels\": every value needs a "
                "{\"zh\", \"en\"} label people read instead of the code (\"minor\", "
                "\"school\")");
}

TEST(ValidatorTest, LabelForAValueTheFieldDoesNotHave) {
  ExpectRefused("value_label_for_unknown_value",
                "/fields/1/value_labels/medium: \"medium\" is not one of the values");
}

// --- states ---

TEST(ValidatorTest, UnknownStateInFrom) {
  ExpectRefused("unknown_state_in_from",
                "/events/4/from/1: unknown state \"wroking\"");
}

TEST(ValidatorTest, UnknownStateInTo) {
  ExpectRefused("unknown_state_in_to", "/events/3/to: unknown state \"dnoe\"");
}

TEST(ValidatorTest, UnknownStateInABranch) {
  ExpectRefused("unknown_state_in_branch",
                "/events/0/to/0/state: unknown state \"urgnet\"");
}

TEST(ValidatorTest, UnknownInitialState) {
  ExpectRefused("unknown_initial_state",
                "/initial_state: unknown state \"nwe\"");
}

TEST(ValidatorTest, UnreachableState) {
  ExpectRefused("unreachable_state",
                "/states/4: unreachable state \"archived\": no event leads to "
                "it from \"new\"");
}

TEST(ValidatorTest, NonTerminalStateWithNoWayOut) {
  ExpectRefused("no_way_out",
                "/states/3: state \"done\" has no way out and is not terminal");
}

TEST(ValidatorTest, TerminalStateWithAnEventOut) {
  ExpectRefused("terminal_with_event",
                "/states/3: terminal state \"done\" has an event out: "
                "\"cancel\"");
}

// --- timers ---

TEST(ValidatorTest, UnknownTimerEvent) {
  ExpectRefused("unknown_timer_event",
                "/states/0/timers/0/event: unknown event \"expier\"");
}

TEST(ValidatorTest, TimerEventNotAllowedFromTheTimersState) {
  ExpectRefused("timer_event_wrong_state",
                "/states/0/timers/0/event: event \"raise\" cannot fire from "
                "state \"new\"");
}

TEST(ValidatorTest, TimerEventWithoutRoleSystem) {
  ExpectRefused("timer_event_without_system",
                "/states/0/timers/0/event: event \"expire\" fired by a timer "
                "must allow role \"system\"");
}

TEST(ValidatorTest, UnknownEscalation) {
  ExpectRefused("unknown_escalation",
                "/states/1/timers/0/escalate: unknown escalation \"lat\"");
}

TEST(ValidatorTest, UnknownCalendar) {
  ExpectRefused("unknown_calendar", "/calendar: unknown calendar \"tset-cal\"");
}

TEST(ValidatorTest, WorkingDayTimerWithNoCalendar) {
  ExpectRefused("working_day_timer_without_calendar",
                "/states/1/timers/0/in: a working-day timer needs the "
                "workflow's \"calendar\"");
}

// A workflow naming a calendar that failed to load is refused too: its
// timers could not be counted.
TEST(ValidatorTest, CalendarWithErrorsIsUnknownToWorkflows) {
  std::string bad = testing::InvalidFixture("bad_calendar_offset");
  Loaded l = testing::Load({testing::FixturePath("valid/minimal.json"), bad});
  EXPECT_EQ(l.Lines(), (std::vector<std::string>{
                           bad + ":/utc_offset: expected an offset like +08:00",
                           testing::FixturePath("valid/minimal.json") +
                               ":/calendar: unknown calendar \"test-cal\""}));
  EXPECT_TRUE(l.catalog.All().empty());
}

// --- notifications and escalations ---

TEST(ValidatorTest, UnknownTemplate) {
  ExpectRefused("unknown_template",
                "/events/3/notify/0/template: unknown template \"colsed\"");
}

// A misspelt placeholder would reach people as "-": refused, once however
// often the template uses it (spaces inside the braces do not count).
TEST(ValidatorTest, UnknownPlaceholder) {
  ExpectRefused("unknown_placeholder",
                "/templates/0: unknown placeholder \"{{nmae}}\": expected a field, "
                "or case_id, state_label, unit or priority");
}

TEST(ValidatorTest, TemplatePlaceholdersAreEachNameOnceInOrder) {
  TemplateDef t{"t", {"{{a}} 与 {{ b }}", "{{a}} and {{b}}"}, {"{{c}}{{a}}", "{{ c}} {{d"}, {}};
  EXPECT_EQ(TemplatePlaceholders(t), (std::vector<std::string>{"a", "b", "c"}));
  // The loader notes them once, for the runtime and the validator.
  Loaded l = testing::Load({testing::FixturePath("valid/minimal.json"), testing::TestCalendarFile()});
  auto w = l.catalog.Find("minimal", 1);
  ASSERT_NE(w, nullptr);
  ASSERT_NE(w->FindTemplate("opened"), nullptr);
  EXPECT_EQ(w->FindTemplate("opened")->placeholders,
            (std::vector<std::string>{"case_id", "name"}));
}

TEST(ValidatorTest, UnknownChannel) {
  ExpectRefused("unknown_channel",
                "/open/notify/0/channels/1: unknown channel \"wechat\": "
                "expected sms, email or webhook");
}

TEST(ValidatorTest, EscalationStepsOutOfOrder) {
  ExpectRefused("escalation_steps_out_of_order",
                "/escalations/0/steps/1/after: steps must come in order of "
                "\"after\"");
}

// --- roles ---

TEST(ValidatorTest, UnknownRoleInAnEvent) {
  ExpectRefused("unknown_role_in_event",
                "/events/4/roles/1: unknown role \"cheif\"");
}

TEST(ValidatorTest, UnknownOwnerRole) {
  ExpectRefused("unknown_owner_role",
                "/states/0/owner_role: unknown role \"clrek\"");
}

TEST(ValidatorTest, UnknownRecipientRole) {
  ExpectRefused("unknown_recipient_role",
                "/escalations/0/steps/1/to/role: unknown role \"cheif\"");
}

// --- fields and guards ---

TEST(ValidatorTest, UnknownFieldInRequires) {
  ExpectRefused("unknown_field_in_requires",
                "/events/0/requires/0: unknown field \"levle\"");
}

TEST(ValidatorTest, GuardOnUndeclaredField) {
  ExpectRefused("guard_undeclared_field",
                "/events/3/guard/all/0/field: guard on undeclared field "
                "\"saef\"");
}

TEST(ValidatorTest, GuardValueOfTheWrongType) {
  ExpectRefused("guard_value_type",
                "/events/3/guard/all/1/any/0/ge: wrong field type: \"age\" is "
                "integer, so \"18\" cannot be compared with it (expected an "
                "integer)");
}

TEST(ValidatorTest, GuardOrdersAStringField) {
  ExpectRefused("guard_orders_string",
                "/events/3/guard/all/1/any/0/ge: wrong field type: \"name\" "
                "is string and cannot be ordered");
}

TEST(ValidatorTest, GuardContainsOnANonListField) {
  ExpectRefused("guard_contains_non_list",
                "/events/3/guard/all/1/any/1/not/contains: wrong field type: "
                "contains needs a list field, \"level\" is enum");
}

TEST(ValidatorTest, GuardEnumValueNotAmongValues) {
  ExpectRefused("guard_enum_value",
                "/events/0/to/0/when/eq: value \"hihg\" is not one of the "
                "values of \"level\"");
}

TEST(ValidatorTest, GuardListItemNotAmongItemValues) {
  ExpectRefused("guard_list_item_value",
                "/events/3/guard/all/1/any/1/not/contains: value \"adult\" is "
                "not one of the values of \"tags\"");
}

}  // namespace
}  // namespace shouhu
