// The workflow model: what a loaded, validated definition says.
//
// Thread safety: immutable after loading; a `std::shared_ptr<const Workflow>`
// is shared freely between threads.
//
// A workflow is data, not code: the engine knows nothing of police or schools.
// The JSON form is documented in workflows/README.md; every member below maps
// to one member there.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "shouhu/duration.h"
#include "shouhu/text_template.h"

namespace shouhu {

// A text in Chinese first, with English beside it.
struct Label {
  std::string zh;
  std::string en;
  bool operator==(const Label&) const = default;
};

// kDate: a calendar date, "2015-03-02" (a birth date); kDatetime: an RFC 3339
// instant with its offset. kAttachments: evidence files (photos, video, PDF)
// uploaded beforehand; the value is a list of {id, sha256, kind, size, name}
// the API fills in from the ids a client sends (evidence/attachment_store.h).
enum class FieldType { kString, kEnum, kInteger, kBoolean, kDatetime, kList, kDate, kAttachments };
std::string_view FieldTypeName(FieldType t);

// How sensitive a value is (issue 12): the access rules (shouhu/access.h) say
// which capabilities see each level. A field that names none is sensitive.
enum class Sensitivity { kPublic, kPersonal, kSensitive };
std::string_view SensitivityName(Sensitivity s);
// False when `name` is not public, personal or sensitive.
bool ParseSensitivity(std::string_view name, Sensitivity* out);

struct FieldDef {
  std::string id;
  Label label;
  FieldType type = FieldType::kString;
  std::vector<std::string> values;  // kEnum: the allowed values
  // kList: the type of each item (never kList), and its allowed values if kEnum.
  FieldType item_type = FieldType::kString;
  std::vector<std::string> item_values;
  Sensitivity sensitivity = Sensitivity::kSensitive;
  // Shown to the reporter in the progress of their own report where an event
  // recorded it (e.g. the police feedback the law owes the reporting unit);
  // every other field stays out of the reporter's view.
  bool to_reporter = false;
  // Bounds of a datetime or date value ("data that makes sense"): "now" (the
  // command's time: no date in the future), "reported_at" (when the case was
  // opened) or the id of another datetime or date field of the workflow (its
  // value in the case, when set). "" = no bound.
  std::string not_after;
  std::string not_before;
  // kAttachments: at most this many files (0: the configuration's limit),
  // and whether photos keep their location and device metadata (stripped
  // unless the workflow says so, e.g. for forensic evidence).
  size_t max_files = 0;
  bool keep_metadata = false;
  // What people read for each of `values` (kEnum) or `item_values` (a list
  // of enum): "living_alone" -> 脱离监护单独居住 / Living alone. Every value
  // has one (the loader refuses a definition that misses any).
  std::map<std::string, Label, std::less<>> value_labels;
  // kString: the value is the id of an organisation unit of one of these
  // types (a transfer goes only to a competent unit: a police station, the
  // public security bureau); empty = any text.
  std::vector<std::string> unit_types;

  // The label of `value`, or null when it has none (not one of the values).
  const Label* ValueLabel(std::string_view value) const;
};

// A predicate on the case's data (the event's data merged over it).
struct Guard {
  enum class Op {
    kAll, kAny, kNot,                 // combinators over `children`
    kEq, kNe, kIn, kNotIn,            // field vs value(s)
    kLt, kLe, kGt, kGe,               // integer or datetime field vs value
    kExists, kContains,               // field set; list field holds value
  };
  Op op = Op::kAll;
  std::string field;
  std::vector<nlohmann::json> values;  // scalar values compared with
  std::vector<Guard> children;
};

// Where a notification or escalation step goes.
struct Recipient {
  enum class Kind { kRole, kOwner, kReporter };
  Kind kind = Kind::kRole;
  std::string role;  // kRole: users with this role...
  int up = 0;        // ...in the case's unit (0) or 1, 2 levels above it
  bool operator==(const Recipient&) const = default;
};

struct Notification {
  std::string template_id;
  std::vector<Recipient> recipients;
  std::vector<std::string> channels;  // "sms", "email", "webhook"
  bool urgent = false;                // overrides quiet hours
  // Sent only when this holds on the case's data after the event (civil
  // affairs is told of an enrolment task only when the assessment found
  // hardship and eligibility); absent: always.
  std::optional<Guard> when;
};

struct Target {
  std::optional<Guard> when;  // absent: always taken
  std::string state;
};

// An event's effect that opens a case of another workflow (a care-plan visit
// that finds a reportable situation files the mandatory report), in the same
// atomic write, on the same child's file.
struct OpensCase {
  std::string workflow;  // the newest version is opened
  // The new case's field -> this case's field whose value it copies.
  std::vector<std::pair<std::string, std::string>> copy;
  // As `copy`, but this case does not keep the value: fields the event
  // carries only to pass them on (the survey's child, to the care plan).
  std::vector<std::pair<std::string, std::string>> move;
  nlohmann::json set = nlohmann::json::object();  // the new case's field -> value
  std::string record_as;  // this case's string field that gets the new case id
};

// An integer total an event adds to (`adds`): the survey's households and
// children counted visit by visit. `total` grows by the event's integer field
// `from`, or by `amount` when `from` is empty.
struct Addition {
  std::string total;
  std::string from;
  int64_t amount = 0;
};

// A case flagged as late when a command comes later than a case field plus
// a service level: a report filed long after the discovery (迟报). The
// boolean `field` is set to whether it was late.
struct LateFlag {
  std::string field;
  std::string from_field;
  std::string service_level;
  Duration within;  // copied from the service level at load time
  bool working_days = false;
};

// A flag a case shows on its page, in lists and in the statistics (issue
// 19): raised while a named deadline is overdue and its obligation not met
// (the 3-day feedback late: yellow; the 3-month reply late: red), or while a
// boolean field is true (a late report). Evaluated in one place,
// shouhu/flags.h.
struct FlagDef {
  enum class Level { kInfo, kWarning, kDanger };  // grey, yellow, red
  std::string id;
  Label label;
  Level level = Level::kWarning;
  std::string overdue_timer;  // a deadline timer id; or
  std::string field;          // a boolean field
};
std::string_view FlagLevelName(FlagDef::Level level);

struct EventDef {
  std::string id;
  Label label;
  std::vector<std::string> from;  // states the event may fire from
  std::vector<Target> to;         // first target whose guard holds wins
  // Records its data and notifies without leaving the state (no timer is
  // re-armed); `to` is then empty.
  bool stay = false;
  // A staying event restarts these timers of the state from now (and stops
  // the escalations they started): an obligation met resets its cadence.
  std::vector<std::string> restart;
  std::optional<OpensCase> opens;
  std::vector<Addition> adds;
  // Open block only: the string field naming the organisation unit the case
  // belongs to (the child's village or school), when the opening carries it;
  // else the case belongs to the opener's unit. A report is the child's
  // place's, whoever files it.
  std::string unit_field;
  // Open block only: what a report about a child who already has an open
  // case of this workflow does. kParallel: opens its own case (the default);
  // kJoin: joins that case (its reporter follows it and sees their own
  // submission and the feedback given after it); kFlag: opens its own case,
  // flagged as a duplicate of the open one.
  enum class SameChild { kParallel, kJoin, kFlag };
  SameChild same_child = SameChild::kParallel;
  std::vector<std::string> roles; // roles allowed; "system" = timers only
  std::vector<std::string> requires_fields;
  std::vector<std::string> optional_fields;
  // Fields the event removes from the case data: an obligation that starts
  // again (the first visit after each assessment runs until a visit is
  // logged; the assessment clears the last one's visited_at).
  std::vector<std::string> clears;
  std::optional<LateFlag> late;
  std::optional<Guard> guard;     // must hold, or the event is refused
  std::vector<Notification> notify;
};

struct TimerDef {
  enum class Kind { kDeadline, kRecurring };
  enum class Units { kCalendar, kWorkingDays };
  std::string id;
  Kind kind = Kind::kDeadline;
  Duration duration;
  Units units = Units::kCalendar;
  std::string fire_event;       // one of fire_event / escalation is set
  std::string escalation;
  // Set when the file names a service level instead of `after`: duration and
  // units above are then copied from it at load time.
  std::string service_level;
  // Count from this datetime field of the case instead of from entering the
  // state (when the case has it); "" = from entering the state.
  std::string from_field;
  // A transition back into the same state leaves this timer as it is instead
  // of re-arming it (a long review deadline survives each logged visit).
  bool keep = false;
  // The timer runs until the case has this field: it is not armed when the
  // field is set, and setting it cancels the timer and the escalation it
  // started ("" = runs until the state is left).
  std::string until_field;
  // From a service level that depends on a case field (the first visit due
  // by risk level): the duration for each of the enum field's values. The
  // timer is not armed while the case has no value for the field.
  std::string duration_by;
  std::map<std::string, Duration, std::less<>> durations;
  // Armed (on entering the state, or on a restart) only when this holds on
  // the case's data: an obligation that only some cases owe (social
  // assistance after hardship was found). Absent: always armed.
  std::optional<Guard> when;
};

struct StateDef {
  std::string id;
  Label label;
  bool terminal = false;
  std::string owner_role;  // who owns the step while the case is here
  std::vector<TimerDef> timers;
};

struct EscalationStep {
  Duration after;  // after the chain starts (step 0 is usually PT0S)
  Recipient to;    // who is told at this step
  bool raise_priority = false;
  std::string template_id;
  std::vector<std::string> channels;
};

struct EscalationDef {
  std::string id;
  Label label;
  std::vector<EscalationStep> steps;
};

// The placeholders a template may use besides the workflow's own fields; the
// dispatcher fills them from the case (dispatch/templates.cc).
inline constexpr std::string_view kTemplateCasePlaceholders[] = {
    "case_id", "state_label", "unit", "priority"};

struct TemplateDef {
  std::string id;
  Label subject;
  Label body;  // with {{placeholders}} from the case
  // The names between {{ and }} in the subject and body, in both languages,
  // each once, in order of first appearance (filled by the loader).
  std::vector<std::string> placeholders;
  // The four texts parsed once (filled by the loader, ParseTemplate): what
  // the validator checks and the dispatcher renders for each reader.
  struct Parsed {
    TextTemplate subject_zh, subject_en, body_zh, body_en;
  } parsed = {};
};

// The placeholders of `t`'s texts, as TemplateDef::placeholders holds them.
std::vector<std::string> TemplatePlaceholders(const TemplateDef& t);
// Fills t->parsed and t->placeholders from its texts.
void ParseTemplate(TemplateDef* t);

// A named, configurable deadline (立即 / 第一时间 / 及时): timers refer to it
// by id, so a place changes the level once and every step using it follows.
struct ServiceLevel {
  std::string id;
  Label label;
  Duration within;
  TimerDef::Units units = TimerDef::Units::kCalendar;
  // `"by": enum field` with `within` an object: one duration per value of
  // the field (configurable working days per risk level).
  std::string by_field;
  std::map<std::string, Duration, std::less<>> within_by;
};

// The child's file (一人一档) a workflow keeps: which case fields identify the
// child (all present = the case is linked to the child's one file) and which
// fields are copied to the file whenever a command carries them.
struct ChildFileDef {
  std::vector<std::string> identity;
  std::vector<std::string> fields;  // includes every identity field
};

struct RoleDef {
  std::string id;
  Label label;
};

// What a workflow's cases count for in the reports (issue 15 item 5), so the
// engine knows no step, field or timer by name: the fields the monthly
// counts are broken down by, the number a closing survey contributes, and
// the measured obligations. Read and checked in workflow/reports.cc.
struct MeasureDef {
  std::string id;
  Label label;
  // A timer of one or more states: the obligation is met on time when the
  // timer's `until` field is set or an event restarts it while it is armed,
  // and late when it fires first.
  std::string timer;
  // Whom the figure is counted for besides the unit: "" (the unit only),
  // "owner" (the case's owner then), or a string or list field (each value).
  std::string by;
};
struct ReportsDef {
  std::string category;       // an enum field: monthly counts by category
  std::string reporter_kind;  // an enum field: monthly counts by reporter kind
  // An integer field whose value, when a case closes, is children surveyed
  // (the denominator of 建档率).
  std::string surveyed;
  std::vector<MeasureDef> measures;
};

// The role that timers fire events as; no user holds it.
inline constexpr std::string_view kSystemRole = "system";

// Every list is in file order, so /states/3 in the file is states[3] here.
struct Workflow {
  std::string id;
  int version = 0;
  Label label;
  std::string initial_state;
  // How a case is opened: who may open one, the data it needs, who is told.
  // Its `from` is empty and its single target is `initial_state`.
  EventDef open;
  std::string calendar_id;  // required when a timer counts working days
  std::vector<RoleDef> roles;
  std::vector<FieldDef> fields;
  std::vector<StateDef> states;
  std::vector<EventDef> events;
  std::vector<EscalationDef> escalations;
  std::vector<TemplateDef> templates;
  std::vector<ServiceLevel> service_levels;
  std::vector<FlagDef> flags;
  std::optional<ChildFileDef> child;  // absent: cases keep no child's file
  ReportsDef reports;                 // empty: counted by state only
  std::string source_file;

  const StateDef* FindState(std::string_view id) const;
  const EventDef* FindEvent(std::string_view id) const;
  const FieldDef* FindField(std::string_view id) const;
  const RoleDef* FindRole(std::string_view id) const;
  const EscalationDef* FindEscalation(std::string_view id) const;
  const TemplateDef* FindTemplate(std::string_view id) const;
  const ServiceLevel* FindServiceLevel(std::string_view id) const;
  // Events that may fire from `state`, in file order.
  std::vector<const EventDef*> EventsFrom(std::string_view state) const;
};

// Evaluates `guard` on `data` (a JSON object). A missing field makes every
// comparison false except kNe / kNotIn, which hold.
bool EvaluateGuard(const Guard& guard, const nlohmann::json& data);

// Checks `value` against the field's type: nothing else is stored in a case.
Status CheckFieldValue(const FieldDef& field, const nlohmann::json& value);

// What a field's not_after / not_before bounds are checked against.
struct FieldBounds {
  Instant now;
  std::optional<Instant> reported_at;  // unset: the case is being opened (now)
  const nlohmann::json* data = nullptr;  // the case's data after the command
  // The type of an organisation unit, "" when there is none, for fields
  // holding unit ids (FieldDef::unit_types). Null: not checked.
  const std::function<std::string(std::string_view unit)>* unit_type = nullptr;
};
// Checks `value` (already of the field's type) against the field's bounds.
// A bound naming a field the data does not hold is not checked.
Status CheckFieldBounds(const Workflow& w, const FieldDef& field,
                        const nlohmann::json& value, const FieldBounds& bounds);
// The instant a date or datetime value stands for: a datetime itself; a date
// its first instant anywhere (00:00 at UTC+14), so a date is "not after now"
// wherever today is that date already.
std::optional<Instant> FieldInstant(FieldType type, const nlohmann::json& value);

}  // namespace shouhu
