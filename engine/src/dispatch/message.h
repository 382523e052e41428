// What a notification says and to whom: the template rendered for one case
// and one reader (templates.cc), what that reader may read of it
// (audience.cc), the recipients resolved to users (recipients.cc) and the
// deliveries an outbox entry becomes (expand.cc).
// Private to the dispatcher.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "shouhu/access.h"
#include "shouhu/catalog.h"
#include "shouhu/delivery.h"
#include "shouhu/notification.h"
#include "shouhu/org.h"
#include "shouhu/workflow.h"

namespace shouhu::dispatch {

struct RenderedMessage {
  std::string subject;      // "<zh> / <en>"
  std::string body;         // zh, a blank line, en
  std::string params_json;  // the zh values of the template's placeholders
};

// Whether one reader may read placeholder `name` of a message.
using Shows = std::function<bool(std::string_view name)>;

// The mask a placeholder its reader may not read is rendered as.
inline constexpr std::string_view kMaskZh = "（已隐去）";
inline constexpr std::string_view kMaskEn = "(withheld)";

// Fills the template's {{name}} placeholders (its texts as the loader parsed
// them) from `context`: case_id, state_label and unit (in the text's language),
// priority, and any of the case's data fields (lists joined), an enum value
// as its label in `w` (in the text's language), not its code. A placeholder
// with no value is rendered as "-"; one `shows` refuses as the mask, in
// the subject, the body and the provider's parameters alike.
// REQUIRES: `t` is one of `w`'s templates.
RenderedMessage RenderMessage(const Workflow& w, const TemplateDef& t,
                              const NotificationContext& context,
                              const Organisation* org, const Shows& shows);

// What the reader of one delivery may read of a message about the case in
// `context`: the recipient's own view of the case
// and its fields (shouhu/case_access.h, the rule the API's responses follow),
// narrowed by where the message goes (AccessRules::ContactShows: a webhook
// posts to a group chat). case_id and state_label say which case and step
// the notice is about and are always shown; unit and priority only in the
// full view. A delivery to no user (`reader` null) shows nothing else.
// REQUIRES: rules, org, catalog, w and reader outlive the result.
Shows ShownTo(const AccessRules& rules, const Organisation& org, const Catalog& catalog,
              const Workflow& w, const NotificationContext& context, const User* reader,
              std::string_view contact);

// One user a notification goes to, or why nobody could be found.
struct Addressee {
  std::string user;  // user id ("" when nobody was found)
  const User* found = nullptr;
  std::string problem;  // set when found is null
};

// Resolves an outbox entry's recipients against the organisation for the
// case in `context`, in order, without duplicates. The owner of an
// unowned step is whoever held the step just left, else the holders of the
// step's owner role at the case's unit.
std::vector<Addressee> ResolveRecipients(const Organisation& org,
                                         const std::vector<Recipient>& recipients,
                                         const NotificationContext& context);

// An outbox entry's deliveries (see shouhu/dispatcher.h): one per recipient
// user and channel on which the user has an address, each rendered for its
// reader, all due at `now`. `contact_of` names the user field a channel
// addresses. Deliveries that cannot be sent (no template, nobody found, no
// address) carry their problem.
std::vector<Delivery> ExpandEntry(const OutboxEntry& entry, Instant now, const Catalog& catalog,
                                  const Organisation& org, const AccessRules& rules,
                                  const std::function<std::string(const std::string&)>& contact_of);

// The user's address for a channel whose contact is "email", "phone" or
// "webhook"; "" when the user has none.
std::string ContactOf(const User& user, std::string_view contact);

}  // namespace shouhu::dispatch
