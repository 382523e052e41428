// JSON renderings of cases and child files for the API.
#include "api/case_views.h"

namespace shouhu::api {
namespace {

using nlohmann::json;

json LabelJson(const Label& l) { return {{"zh", l.zh}, {"en", l.en}}; }

json StateLabel(const Workflow* w, const std::string& state) {
  const StateDef* s = w ? w->FindState(state) : nullptr;
  return s ? LabelJson(s->label) : json(nullptr);
}

json HistoryJson(const HistoryEntry& h, const std::string& reporter,
                 bool show_reporter) {
  bool hide = !show_reporter && h.actor == reporter;
  return {{"seq", h.seq},
          {"at", FormatInstant(h.at)},
          {"actor", hide ? RedactedReporter() : json(h.actor)},
          {"kind", h.kind},
          {"name", h.name},
          {"from_state", h.from_state},
          {"to_state", h.to_state},
          {"data", h.data}};
}

}  // namespace

json RedactedReporter() { return {{"redacted", true}}; }

json CaseSummaryJson(const Workflow* w, const CaseRecord& c, bool show_reporter) {
  return {{"id", c.id},
          {"workflow", c.workflow_id},
          {"workflow_version", c.workflow_version},
          {"state", c.state},
          {"state_label", StateLabel(w, c.state)},
          {"priority", std::string(PriorityName(c.priority))},
          {"unit", c.unit},
          {"owner", c.owner},
          {"reporter", show_reporter ? json(c.reporter) : RedactedReporter()},
          {"overdue", c.overdue},
          {"opened_at", FormatInstant(c.opened_at)},
          {"updated_at", FormatInstant(c.updated_at)},
          {"last_seq", c.last_seq}};
}

json FullCaseJson(const Workflow* w, const CaseRecord& c,
                  const std::vector<HistoryEntry>& history, bool show_reporter) {
  json out = CaseSummaryJson(w, c, show_reporter);
  const StateDef* s = w ? w->FindState(c.state) : nullptr;
  out["owner_role"] = s ? s->owner_role : "";
  out["state_entered_at"] = FormatInstant(c.state_entered_at);
  out["child_id"] = c.child_id;
  out["data"] = c.data;
  json timers = json::array();
  for (const ArmedTimer& t : c.timers) {
    json j = {{"name", t.name}, {"due", FormatInstant(t.due)}};
    if (!t.chain.empty()) {
      j["escalation"] = t.chain;
      j["step"] = t.step;
    }
    timers.push_back(std::move(j));
  }
  out["timers"] = std::move(timers);
  json events = json::array();
  if (w) {
    for (const EventDef* e : w->EventsFrom(c.state)) {
      events.push_back({{"id", e->id}, {"label", LabelJson(e->label)},
                        {"roles", e->roles}, {"requires", e->requires_fields},
                        {"optional", e->optional_fields}});
    }
  }
  out["events"] = std::move(events);
  json h = json::array();
  for (const HistoryEntry& e : history) h.push_back(HistoryJson(e, c.reporter, show_reporter));
  out["history"] = std::move(h);
  return out;
}

json FeedbackJson(const Workflow* w, const CaseRecord& c,
                  const std::vector<HistoryEntry>& history) {
  json progress = json::array();
  for (const HistoryEntry& h : history) {
    if (h.kind != "opened" && h.kind != "event") continue;
    const EventDef* e = w && h.kind == "event" ? w->FindEvent(h.name) : nullptr;
    progress.push_back({{"at", FormatInstant(h.at)},
                        {"step", h.kind == "opened" ? "opened" : h.name},
                        {"step_label", e ? LabelJson(e->label) : json(nullptr)},
                        {"state", h.to_state},
                        {"state_label", StateLabel(w, h.to_state)}});
  }
  return {{"id", c.id},
          {"view", "feedback"},
          {"workflow", c.workflow_id},
          {"state", c.state},
          {"state_label", StateLabel(w, c.state)},
          {"opened_at", FormatInstant(c.opened_at)},
          {"updated_at", FormatInstant(c.updated_at)},
          {"progress", std::move(progress)}};
}

json ChildJson(const ChildFile& child) {
  return {{"id", child.id},
          {"unit", child.unit},
          {"fields", child.fields},
          {"case_ids", child.case_ids},
          {"created_at", FormatInstant(child.created_at)},
          {"updated_at", FormatInstant(child.updated_at)},
          {"revision", child.revision}};
}

json ChildRevisionJson(const ChildRevision& r) {
  return {{"revision", r.revision},
          {"at", FormatInstant(r.at)},
          {"actor", r.actor},
          {"case_id", r.case_id},
          {"changes", r.changes},
          {"linked_case", r.linked_case}};
}

}  // namespace shouhu::api
