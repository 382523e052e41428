// A notification as the runtime leaves it in the outbox for the dispatcher:
// who it goes to (the workflow's recipients, resolved to users only when it
// is sent) and what it may say (the case as it was when the change was
// made). Written by the runtime (runtime/case_change.cc), stored by one
// codec (runtime/codec.h: OutboxEntry, format 2; format 1 entries, JSON with
// a free-form context, are still read), read by the dispatcher
// (dispatch/): every field is named here, none is agreed on between files.
//
// Thread safety: value types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "shouhu/duration.h"
#include "shouhu/workflow.h"

namespace shouhu {

// The case as a notification's message is rendered from, and as its
// recipients are resolved against.
struct NotificationContext {
  std::string case_id;
  std::string workflow;  // the case's workflow and version: its templates
  int version = 0;
  std::string state;
  std::optional<Label> state_label;  // none when the state is not defined
  std::string owner_role;  // the state's owner role ("" when none)
  std::string unit;        // the case's unit
  std::string owner;       // user id, "" when unassigned
  // Who held the step just left and its owner role: a notification "to the
  // owner" on a transition into an unowned state (closed) goes to them.
  std::string previous_owner;
  std::string previous_owner_role;
  std::string reporter;
  std::vector<std::string> joined_reporters;  // whose reports joined the case
  std::string priority;  // PriorityName: "normal", "high", "urgent"
  // Only the case's data fields that the template shows (data
  // minimisation): field id -> value, as the case holds it.
  nlohmann::json data = nlohmann::json::object();

  bool operator==(const NotificationContext&) const = default;
};

// One notification waiting in the outbox for the dispatcher.
struct OutboxEntry {
  uint64_t id = 0;
  std::string case_id;
  uint64_t case_seq = 0;        // the history entry that produced it
  std::string idempotency_key;  // "<case>/<seq>/<n>": stable across retries
  std::string template_id;
  std::vector<Recipient> recipients;
  std::vector<std::string> channels;
  bool urgent = false;
  Instant created_at;
  NotificationContext context;

  bool operator==(const OutboxEntry&) const = default;
};

}  // namespace shouhu
