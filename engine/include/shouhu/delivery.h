// Delivery of outbox notifications: what the dispatcher records and what
// supervisors see when a notification could not be delivered.
//
// An outbox entry (one notification of a case, runtime.h) is expanded by the
// dispatcher into deliveries, one per recipient user and channel. Each
// delivery is durable until it is delivered or dead: its record and its place
// in the due-time queue change in one atomic batch per attempt outcome, with
// the case's history entry for the attempt.
//
// Thread safety: value types.
#pragma once

#include <string>

#include "shouhu/duration.h"

namespace shouhu {

// A notification to one recipient over one channel that failed for good
// (permanent failure, or retries exhausted). Supervisors see these and can
// re-drive them.
struct DeadLetter {
  std::string id;  // stable, sortable
  std::string case_id;
  uint64_t outbox_id = 0;
  std::string idempotency_key;
  std::string template_id;
  std::string recipient;  // user id
  std::string unit;       // the case's unit (for jurisdiction)
  std::string channel;    // "email", "sms", "webhook", ...
  std::string reason;     // the last error
  int attempts = 0;
  Instant failed_at;
};

// One notification to one recipient over one channel, as rendered when its
// outbox entry was expanded. Re-sent unchanged (same idempotency key, same
// text) on every attempt, before and after a restart.
struct Delivery {
  // "<outbox id, 16 digits>-<index, 3 digits>": stable and sortable; also
  // the id of its dead letter.
  std::string id;
  uint64_t outbox_id = 0;
  std::string case_id;
  std::string unit;             // the case's unit
  std::string idempotency_key;  // "<outbox key>/<recipient>/<channel>"
  std::string template_id;
  std::string recipient;  // user id; "" when nobody holds the role
  std::string address;    // email, phone or webhook id
  std::string channel;
  bool urgent = false;
  std::string subject;
  std::string body;
  std::string params_json = "{}";  // template parameters for SMS providers
  // Why it cannot be sent at all (no such user, no address on the channel);
  // such a delivery goes to the dead letters at its first attempt.
  std::string problem;
  int attempts = 0;  // attempts made so far
  Instant next_at;   // when it is due (its key in the due-time queue)
  Instant created_at;
  bool dead = false;  // in the dead-letter list
  std::string last_error;
};

// The outcome of one attempt (or a deferral) of a delivery, as the
// dispatcher decided it.
struct DeliveryOutcome {
  enum class Kind {
    kDelivered,  // the peer accepted it: the delivery is done
    kRetry,      // try again at next_at
    kDead,       // permanent failure or retries exhausted: a dead letter
    kDeferred,   // not attempted (quiet hours): due again at next_at
  };
  std::string delivery_id;
  Kind kind = Kind::kDelivered;
  std::string error;  // why, when not delivered
  Instant next_at;    // kRetry and kDeferred
};

std::string_view DeliveryOutcomeName(DeliveryOutcome::Kind kind);

}  // namespace shouhu
