// What one reader may see of one case: the single place where the access
// rules (shouhu/access.h) meet a case and its fields. The API's responses
// (api/case_views.h) and the dispatcher's messages (one rendering per
// recipient) both ask here, so a field hidden in one is hidden in the other.
//
// Thread safety: stateless functions.
#pragma once

#include <string>
#include <string_view>

#include "shouhu/access.h"
#include "shouhu/case.h"
#include "shouhu/catalog.h"
#include "shouhu/org.h"
#include "shouhu/workflow.h"

namespace shouhu {

enum class CaseView {
  kNone,      // nothing: answered exactly as a case that does not exist
  kFeedback,  // the reporter's view: state and progress only
  kFull,      // the file, each field as its sensitivity allows
};

// True when `unit` lies in the user's jurisdiction: their unit's subtree, or
// the subtrees of the units it serves (a police station's townships).
bool InJurisdiction(const Organisation& org, const User& user, std::string_view unit);

// Whether `user` reported case `c`: its first reporter or one whose later
// report joined it.
bool IsReporter(const CaseRecord& c, const std::string& user);

// The reader's view of case `c`: the full view with case.read in its
// jurisdiction, else the feedback view for one of its reporters with
// report.own_progress, else none. Reads c.unit, c.reporter and
// c.joined_reporters only.
CaseView ViewOfCase(const AccessRules& rules, const Organisation& org, const User& reader,
                    const CaseRecord& c);

// The sensitivity of a field of workflow `w`; with no workflow, the highest
// any loaded workflow gives the field (child files gather fields of several
// workflows). Unknown fields are sensitive.
Sensitivity FieldLevel(const Catalog& catalog, const Workflow* w, const std::string& field);

// Whether a reader with `view` of a case of workflow `w` sees the value of
// its data field `field`: in the full view when the rules let the reader see
// the field's level; in the feedback view only when the workflow addresses
// the field to the reporter (`to_reporter`, the police feedback); in no view
// never.
bool SeesField(const AccessRules& rules, const User& reader, CaseView view,
               const Catalog& catalog, const Workflow* w, const std::string& field);

}  // namespace shouhu
