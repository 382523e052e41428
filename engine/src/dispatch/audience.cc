// What the reader of one delivery may read of a notification: the
// recipient's view of the case, by the same rule as the API's responses
// (shouhu/case_access.h), narrowed by where the message goes.
#include "dispatch/message.h"
#include "shouhu/case_access.h"

namespace shouhu::dispatch {

Shows ShownTo(const AccessRules& rules, const Organisation& org, const Catalog& catalog,
              const Workflow& w, const NotificationContext& context, const User* reader,
              std::string_view contact) {
  CaseView view = CaseView::kNone;
  if (reader) {
    // The view depends on the case's unit and reporters, which the outbox
    // entry's context carries.
    CaseRecord c;
    c.unit = context.unit;
    c.reporter = context.reporter;
    c.joined_reporters = context.joined_reporters;
    view = ViewOfCase(rules, org, *reader, c);
  }
  return [&rules, &catalog, &w, reader, view,
          contact = std::string(contact)](std::string_view name) {
    if (name == "case_id" || name == "state_label") return true;
    if (name == "unit" || name == "priority") {
      return view == CaseView::kFull && rules.ContactShows(contact, Sensitivity::kPublic);
    }
    if (!reader) return false;
    std::string field(name);
    return SeesField(rules, *reader, view, catalog, &w, field) &&
           rules.ContactShows(contact, FieldLevel(catalog, &w, field));
  };
}

}  // namespace shouhu::dispatch
