// Delivery of outbox notifications: what the dispatcher records and what
// supervisors see when a notification could not be delivered.
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
  std::string id;          // stable, sortable
  std::string case_id;
  uint64_t outbox_id = 0;
  std::string idempotency_key;
  std::string template_id;
  std::string recipient;   // user id
  std::string unit;        // the case's unit (for jurisdiction)
  std::string channel;     // "email", "sms", "webhook", ...
  std::string reason;      // the last error
  int attempts = 0;
  Instant failed_at;
};
}  // namespace shouhu
