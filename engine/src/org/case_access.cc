// A reader's view of a case and of each of its fields (shouhu/case_access.h).
#include "shouhu/case_access.h"

#include <algorithm>
#include <optional>

namespace shouhu {

bool InJurisdiction(const Organisation& org, const User& user, std::string_view unit) {
  return org.FindUnit(unit) != nullptr && org.Covers(user.unit, unit);
}

bool IsReporter(const CaseRecord& c, const std::string& user) {
  return c.reporter == user || std::find(c.joined_reporters.begin(), c.joined_reporters.end(),
                                         user) != c.joined_reporters.end();
}

CaseView ViewOfCase(const AccessRules& rules, const Organisation& org, const User& reader,
                    const CaseRecord& c) {
  if (rules.Has(reader, Capability::kCaseRead, c.workflow_id) &&
      InJurisdiction(org, reader, c.unit)) {
    return CaseView::kFull;
  }
  if (IsReporter(c, reader.id) && rules.Has(reader, Capability::kReportOwnProgress)) {
    return CaseView::kFeedback;
  }
  return CaseView::kNone;
}

Sensitivity FieldLevel(const Catalog& catalog, const Workflow* w, const std::string& field) {
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

bool SeesField(const AccessRules& rules, const User& reader, CaseView view,
               const Catalog& catalog, const Workflow* w, const std::string& field) {
  switch (view) {
    case CaseView::kFull:
      return rules.Sees(reader, FieldLevel(catalog, w, field), w ? w->id : "");
    case CaseView::kFeedback: {
      const FieldDef* f = w ? w->FindField(field) : nullptr;
      return f && f->to_reporter;
    }
    case CaseView::kNone:
      break;
  }
  return false;
}

}  // namespace shouhu
