// JSON renderings of cases and child files for the API, redacted per reader.
#include "api/case_views.h"

#include "shouhu/flags.h"

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
    out[it.key()] =
        policy.SeesField(CaseView::kFull, catalog, w, it.key()) ? *it : Redacted();
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

// True when `user` reported `c` and the reader may not know it.
bool HidesReporter(const Policy& policy, const CaseRecord& c, const std::string& user) {
  return !policy.Can(Capability::kCaseReporterIdentity) && user != policy.user().id &&
         Policy::IsReporter(c, user);
}

json HistoryJson(const Policy& policy, const Catalog& catalog, const Workflow* w,
                 const CaseRecord& c, const HistoryEntry& h) {
  json data = h.data;
  if (h.kind == "opened" || h.kind == "event" || h.kind == "report_joined") {
    data = RedactData(policy, catalog, w, h.data);
  } else if (h.kind == "note") {
    // Free text may hold anything: the highest level.
    if (!policy.Sees(Sensitivity::kSensitive, w ? w->id : "")) data = {{"text", Redacted()}};
  } else if (h.kind == "child_linked" && data.is_object() && data.contains("other_cases")) {
    data["other_cases"] = VisibleCases(policy, data["other_cases"]);
  } else if (h.kind == "delivery" && data.is_object() &&
             HidesReporter(policy, c, data.value("recipient", ""))) {
    data["recipient"] = Redacted();
  } else if (h.kind == "duplicate" && data.is_object() &&
             !policy.SeesCase(data.value("duplicate_of", ""))) {
    data["duplicate_of"] = Redacted();  // another place's case stays unseen
  } else if (h.kind == "child_proposal" && data.is_object() &&
             HidesReporter(policy, c, data.value("proposed_by", ""))) {
    data["proposed_by"] = Redacted();
  }
  return {{"seq", h.seq},
          {"at", FormatInstant(h.at)},
          {"actor", HidesReporter(policy, c, h.actor) ? Redacted() : json(h.actor)},
          {"kind", h.kind},
          {"name", h.name},
          {"from_state", h.from_state},
          {"to_state", h.to_state},
          {"data", std::move(data)}};
}

// Who reported, for readers with case.reporter_identity: name, unit and
// phone of the first reporter and of each whose report joined the case.
json ReportersJson(const Policy& policy, const CaseRecord& c) {
  json out = json::array();
  std::vector<std::string> ids{c.reporter};
  ids.insert(ids.end(), c.joined_reporters.begin(), c.joined_reporters.end());
  for (const std::string& id : ids) {
    // A reporter without case.reporter_identity knows only themselves.
    if (HidesReporter(policy, c, id)) continue;
    json person = {{"id", id}, {"joined", id != c.reporter}};
    if (const User* u = policy.org().FindUser(id)) {
      const Unit* unit = policy.org().FindUnit(u->unit);
      person["name"] = u->name;
      person["unit"] = u->unit;
      person["unit_name"] =
          unit ? json{{"zh", unit->name.zh}, {"en", unit->name.en}} : json(nullptr);
      person["phone"] = u->phone;
    }
    out.push_back(std::move(person));
  }
  return out;
}

// The reporter's view: what they filed (their own submission, as they
// wrote it), and the case's progress since -- steps, states and the values
// the workflow addresses to the reporter (the police feedback) -- nothing
// else of the file and nobody's name. A reporter whose report joined the
// case sees its progress from their report on.
json FeedbackJson(const Policy& policy, const Catalog& catalog, const Workflow* w,
                  const CaseRecord& c, const std::vector<HistoryEntry>& history) {
  const std::string& me = policy.user().id;
  bool first = c.reporter == me;
  json submission = nullptr;
  json progress = json::array();
  bool following = first;
  std::string state;  // the case's state at each entry
  for (const HistoryEntry& h : history) {
    if (!h.to_state.empty()) state = h.to_state;
    if (!following && h.kind == "report_joined" && h.actor == me) {
      following = true;
      submission = h.data;
      progress.push_back({{"at", FormatInstant(h.at)},
                          {"step", "opened"},
                          {"step_label", nullptr},
                          {"state", state},
                          {"state_label", StateLabel(w, state)}});
      continue;
    }
    if (!following || (h.kind != "opened" && h.kind != "event")) continue;
    if (h.kind == "opened") submission = h.data;
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
        if (policy.SeesField(CaseView::kFeedback, catalog, w, it.key())) {
          data[it.key()] = it.value();
        }
      }
    }
    if (!data.empty()) entry["data"] = std::move(data);
    progress.push_back(std::move(entry));
  }
  return {{"id", c.id},
          {"view", "feedback"},
          {"workflow", c.workflow_id},
          {"workflow_version", c.workflow_version},
          {"state", c.state},
          {"state_label", StateLabel(w, c.state)},
          {"opened_at", FormatInstant(c.opened_at)},
          {"updated_at", FormatInstant(c.updated_at)},
          {"submission", std::move(submission)},
          {"progress", std::move(progress)}};
}

}  // namespace

json Redacted() { return {{"redacted", true}}; }

json CaseSummaryJson(const Policy& policy, const Workflow* w, const CaseRecord& c) {
  bool full = policy.ViewOf(c) == CaseView::kFull;
  // The flags' labels and levels are in the definition the API serves.
  json flags = json::array();
  if (w) {
    for (const FlagDef* f : RaisedFlags(*w, c)) flags.push_back(f->id);
  }
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
          {"flags", std::move(flags)},
          {"opened_at", FormatInstant(c.opened_at)},
          {"updated_at", FormatInstant(c.updated_at)},
          {"last_seq", c.last_seq}};
}

json CaseJson(const Policy& policy, const Catalog& catalog, const Workflow* w,
              const CaseRecord& c, const std::vector<HistoryEntry>& history) {
  if (policy.ViewOf(c) != CaseView::kFull) return FeedbackJson(policy, catalog, w, c, history);
  json out = CaseSummaryJson(policy, w, c);
  out["reporters"] = policy.SeesReporterOf(c) ? ReportersJson(policy, c) : Redacted();
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
  bool is_reporter = !case_id.empty() && policy.IsReporterOf(case_id, actor);
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
  // A direct change of the file (no case) shows its author to every reader.
  bool sees_case = r.case_id.empty() || policy.SeesCase(r.case_id);
  return {{"revision", r.revision},
          {"at", FormatInstant(r.at)},
          {"actor", ChildActor(policy, r.actor, r.case_id)},
          {"case_id", sees_case ? json(r.case_id) : Redacted()},
          {"changes", RedactData(policy, catalog, nullptr, r.changes)},
          {"linked_case", sees_case || r.linked_case.empty() ? json(r.linked_case)
                                                             : Redacted()}};
}

}  // namespace shouhu::api
