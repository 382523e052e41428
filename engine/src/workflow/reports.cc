// A workflow's `reports` (issue 15 item 5): which of its fields and timers
// the reports count, declared with it so the engine names none.
#include <algorithm>
#include <set>

#include "workflow/reports_loader.h"

namespace shouhu {

using json = nlohmann::json;

void ParseReports(const json& doc, JsonReader& r, ReportsDef* out) {
  if (!doc.contains("reports") || !r.IsObject(doc["reports"], "/reports")) return;
  const json& j = doc["reports"];
  r.OnlyMembers(j, "/reports", {"category", "reporter_kind", "surveyed", "measures"});
  r.String(j, "/reports", "category", &out->category, false);
  r.String(j, "/reports", "reporter_kind", &out->reporter_kind, false);
  r.String(j, "/reports", "surveyed", &out->surveyed, false);
  const json* measures = r.Array(j, "/reports", "measures", false);
  if (!measures) return;
  std::set<std::string> seen;
  for (size_t i = 0; i < measures->size(); ++i) {
    std::string p = "/reports/measures/" + std::to_string(i);
    if (!r.IsObject((*measures)[i], p)) continue;
    const json& m = (*measures)[i];
    MeasureDef d;
    r.OnlyMembers(m, p, {"id", "label", "timer", "by"});
    r.String(m, p, "id", &d.id, true);
    r.Label(m, p, "label", &d.label, true);
    r.String(m, p, "timer", &d.timer, true);
    r.String(m, p, "by", &d.by, false);
    if (!d.id.empty() && !seen.insert(d.id).second) {
      r.Error(p + "/id", "duplicate id \"" + d.id + "\" among measures");
    }
    out->measures.push_back(std::move(d));
  }
}

void CheckReports(const Workflow& w, JsonReader& r) {
  auto field_of = [&](const std::string& id, const char* key,
                      std::initializer_list<FieldType> types, const char* expected) {
    if (id.empty()) return;
    const FieldDef* f = w.FindField(id);
    std::string p = std::string("/reports/") + key;
    if (!f) {
      r.Error(p, "unknown field \"" + id + "\"");
    } else if (std::find(types.begin(), types.end(), f->type) == types.end()) {
      r.Error(p, std::string("wrong field type: expected ") + expected);
    }
  };
  field_of(w.reports.category, "category", {FieldType::kEnum}, "an enum field");
  field_of(w.reports.reporter_kind, "reporter_kind", {FieldType::kEnum}, "an enum field");
  field_of(w.reports.surveyed, "surveyed", {FieldType::kInteger}, "an integer field");
  for (size_t i = 0; i < w.reports.measures.size(); ++i) {
    const MeasureDef& m = w.reports.measures[i];
    std::string p = "/reports/measures/" + std::to_string(i);
    bool found = false;
    for (const StateDef& s : w.states) {
      for (const TimerDef& t : s.timers) found = found || t.id == m.timer;
    }
    if (!found) r.Error(p + "/timer", "no state has timer \"" + m.timer + "\"");
    if (m.by.empty() || m.by == "owner") continue;
    const FieldDef* f = w.FindField(m.by);
    if (!f) {
      r.Error(p + "/by", "expected \"owner\" or a field, got \"" + m.by + "\"");
    } else if (f->type != FieldType::kString && f->type != FieldType::kEnum &&
               !(f->type == FieldType::kList &&
                 (f->item_type == FieldType::kString || f->item_type == FieldType::kEnum))) {
      r.Error(p + "/by", "wrong field type: expected a string, enum or list of strings");
    }
  }
}

}  // namespace shouhu
