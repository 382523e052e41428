// JSON renderings of cases and child files for the API, redacted per reader.
#include "api/case_views.h"

namespace shouhu::api {
namespace {

using nlohmann::json;

json LabelJson(const Label& l) { return {{"zh", l.zh}, {"en", l.en}}; }

json StateLabel(const Workflow* w, const std::string& state) {
  const StateDef* s = w ? w->FindState(state) : nullptr;
  return s ? LabelJson(s->label) : json(nullptr);
}

// `data` (field -> value) with each value the reader may not see redacted.
json RedactData(const Policy& policy, const Catalog& catalog, const Workflow* w,
                const json& data) {
  if (!data.is_object()) return data;
  json out = json::object();
  for (auto it = data.begin(); it != data.end(); ++it) {
    out[it.key()] = policy.Sees(FieldLevel(catalog, w, it.key())) ? *it : Redacted();
  }
  return out;
}

// Case ids the reader may not see are left out.
json VisibleCases(const Policy& policy, const json& ids) {
  json out = json::array();
  if (!ids.is_array()) return out;
  for (const json& id : ids) {
    if (id.is_string() && policy.SeesCase(id.get<std::string>())) out.push_back(id);
  }
  return out;
}

json HistoryJson(const Policy& policy, const Catalog& catalog, const Workflow* w,
                 const CaseRecord& c, const HistoryEntry& h) {
  bool show_reporter = policy.SeesReporterOf(c);
  json data = h.data;
  if (h.kind == "opened" || h.kind == "event") {
    data = RedactData(policy, catalog, w, h.data);
  } else if (h.kind == "note") {
    // Free text may hold anything: the highest level.
    if (!policy.Sees(Sensitivity::kSensitive)) data = {{"text", Redacted()}};
  } else if (h.kind == "child_linked" && data.is_object() && data.contains("other_cases")) {
    data["other_cases"] = VisibleCases(policy, data["other_cases"]);
  } else if (h.kind == "delivery" && data.is_object() && !show_reporter &&
             data.value("recipient", "") == c.reporter) {
    data["recipient"] = Redacted();
  }
  return {{"seq", h.seq},
          {"at", FormatInstant(h.at)},
          {"actor", !show_reporter && h.actor == c.reporter ? Redacted() : json(h.actor)},
          {"kind", h.kind},
          {"name", h.name},
          {"from_state", h.from_state},
          {"to_state", h.to_state},
          {"data", std::move(data)}};
}

json FeedbackJson(const Workflow* w, const CaseRecord& c,
                  const std::vector<HistoryEntry>& history) {
  json progress = json::array();
  for (const HistoryEntry& h : history) {
    if (h.kind != "opened" && h.kind != "event") continue;
    const EventDef* e = w && h.kind == "event" ? w->FindEvent(h.name) : nullptr;
    json entry = {{"at", FormatInstant(h.at)},
                  {"step", h.kind == "opened" ? "opened" : h.name},
                  {"step_label", e ? LabelJson(e->label) : json(nullptr)},
                  {"state", h.to_state},
                  {"state_label", StateLabel(w, h.to_state)}};
    // Only what the workflow addresses to the reporter (the police feedback).
    json data = json::object();
    if (e && h.data.is_object()) {
      for (auto it = h.data.begin(); it != h.data.end(); ++it) {
        const FieldDef* f = w->FindField(it.key());
        if (f && f->to_reporter) data[it.key()] = it.value();
      }
    }
    if (!data.empty()) entry["data"] = std::move(data);
    progress.push_back(std::move(entry));
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

}  // namespace

json Redacted() { return {{"redacted", true}}; }

Sensitivity FieldLevel(const Catalog& catalog, const Workflow* w,
                       const std::string& field) {
  if (w) {
    const FieldDef* f = w->FindField(field);
    return f ? f->sensitivity : Sensitivity::kSensitive;
  }
  std::optional<Sensitivity> level;
  for (const auto& any : catalog.All()) {
    if (const FieldDef* f = any->FindField(field)) {
      if (!level || f->sensitivity > *level) level = f->sensitivity;
    }
  }
  return level.value_or(Sensitivity::kSensitive);
}

json CaseSummaryJson(const Policy& policy, const Workflow* w, const CaseRecord& c) {
  bool full = policy.ViewOf(c) == CaseView::kFull;
  return {{"id", c.id},
          {"workflow", c.workflow_id},
          {"workflow_version", c.workflow_version},
          {"state", c.state},
          {"state_label", StateLabel(w, c.state)},
          {"priority", std::string(PriorityName(c.priority))},
          {"unit", c.unit},
          {"owner", full ? json(c.owner) : Redacted()},
          {"reporter", policy.SeesReporterOf(c) ? json(c.reporter) : Redacted()},
          {"overdue", c.overdue},
          {"opened_at", FormatInstant(c.opened_at)},
          {"updated_at", FormatInstant(c.updated_at)},
          {"last_seq", c.last_seq}};
}

json CaseJson(const Policy& policy, const Catalog& catalog, const Workflow* w,
              const CaseRecord& c, const std::vector<HistoryEntry>& history) {
  if (policy.ViewOf(c) != CaseView::kFull) return FeedbackJson(w, c, history);
  json out = CaseSummaryJson(policy, w, c);
  const StateDef* s = w ? w->FindState(c.state) : nullptr;
  out["view"] = "full";
  out["owner_role"] = s ? s->owner_role : "";
  out["state_entered_at"] = FormatInstant(c.state_entered_at);
  out["child_id"] = c.child_id;
  out["data"] = RedactData(policy, catalog, w, c.data);
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
  for (const HistoryEntry& e : history) h.push_back(HistoryJson(policy, catalog, w, c, e));
  out["history"] = std::move(h);
  return out;
}

json EscalationJson(const Policy& policy, const Workflow* w, const CaseRecord& c,
                    const HistoryEntry& step) {
  const EscalationDef* chain = w ? w->FindEscalation(step.name) : nullptr;
  bool full = policy.ViewOf(c) == CaseView::kFull;
  return {{"case_id", c.id},
          {"escalation", step.name},
          {"label", chain ? LabelJson(chain->label) : json(nullptr)},
          {"step", step.data.value("step", 0)},
          {"at", FormatInstant(step.at)},
          {"state", c.state},
          {"unit", c.unit},
          {"owner", full ? json(c.owner) : Redacted()},
          {"priority", std::string(PriorityName(c.priority))}};
}

json ChildJson(const Policy& policy, const Catalog& catalog, const ChildFile& child) {
  json cases = json::array();
  for (const std::string& id : child.case_ids) {
    if (policy.SeesCase(id)) cases.push_back(id);
  }
  return {{"id", child.id},
          {"unit", child.unit},
          {"fields", RedactData(policy, catalog, nullptr, child.fields)},
          {"case_ids", std::move(cases)},
          {"created_at", FormatInstant(child.created_at)},
          {"updated_at", FormatInstant(child.updated_at)},
          {"revision", child.revision}};
}

namespace {

// The actor of a change to a child's file, unless that names the reporter of
// the change's case to a reader who may not know them.
json ChildActor(const Policy& policy, const std::string& actor, const std::string& case_id) {
  bool is_reporter = actor == policy.ReporterOf(case_id);
  bool show = !is_reporter || policy.Can(Capability::kCaseReporterIdentity) ||
              actor == policy.user().id;
  return show ? json(actor) : Redacted();
}

}  // namespace

json ChildProposalJson(const Policy& policy, const Catalog& catalog, const ChildProposal& p) {
  return {{"id", p.id},
          {"at", FormatInstant(p.at)},
          {"actor", ChildActor(policy, p.actor, p.case_id)},
          {"case_id", policy.SeesCase(p.case_id) ? json(p.case_id) : Redacted()},
          {"changes", RedactData(policy, catalog, nullptr, p.changes)}};
}

json ChildRevisionJson(const Policy& policy, const Catalog& catalog,
                       const ChildRevision& r) {
  bool sees_case = policy.SeesCase(r.case_id);
  return {{"revision", r.revision},
          {"at", FormatInstant(r.at)},
          {"actor", ChildActor(policy, r.actor, r.case_id)},
          {"case_id", sees_case ? json(r.case_id) : Redacted()},
          {"changes", RedactData(policy, catalog, nullptr, r.changes)},
          {"linked_case", sees_case || r.linked_case.empty() ? json(r.linked_case)
                                                             : Redacted()}};
}

}  // namespace shouhu::api
