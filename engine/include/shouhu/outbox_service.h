// OutboxService: the notifications commands leave in the outbox, from the
// dispatcher's side (expanding an entry into deliveries, the due-time queue,
// one record per attempt) and the supervisors' (dead letters and their
// re-drive). Records are in delivery.h and notification.h.
//
// Thread safety: every method is safe to call from many threads at once.
// Every write of a delivery is made under its case's lock (the case-lock
// stripes of CaseCommands), so a delivery's record and its case's
// "delivery" history entry are written by one batch and never disagree.
// Redrive is a user's command and takes the request id's lock first
// (CaseCommands' lock order); RecordDelivery is the runtime's own and takes
// only the case's. The reads take no lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "shouhu/actor.h"
#include "shouhu/case_commands.h"
#include "shouhu/delivery.h"
#include "shouhu/duration.h"
#include "shouhu/notification.h"
#include "shouhu/status.h"

namespace shouhu {

// Puts a dead letter back in the outbox for another round of attempts.
struct RedriveDeadLetter {
  std::string request_id;  // as for CaseCommands
  Actor actor;
  std::string dead_letter_id;
};

class OutboxService {
 public:
  virtual ~OutboxService() = default;

  // The outbox, oldest first (the dispatcher's queue).
  virtual StatusOr<std::vector<OutboxEntry>> Outbox(size_t limit) = 0;
  // Replaces outbox entry `outbox_id` by its deliveries, each due at its
  // next_at, in one batch. kNotFound when the entry is gone (expanded).
  virtual Status ExpandOutbox(uint64_t outbox_id,
                              const std::vector<Delivery>& deliveries) = 0;
  // Pending deliveries due at or before `now`, earliest first.
  virtual StatusOr<std::vector<Delivery>> DueDeliveries(Instant now,
                                                        size_t limit) = 0;
  // When the earliest pending delivery is due; nullopt when none is pending.
  virtual StatusOr<std::optional<Instant>> NextDeliveryDue() = 0;
  // Records one attempt's outcome in one batch, with a "delivery" history
  // entry on the case (none for kDeferred). kNotFound when the delivery is
  // not pending (delivered or dead already).
  virtual Status RecordDelivery(const DeliveryOutcome& outcome) = 0;

  // Notifications that could not be delivered, oldest first.
  virtual StatusOr<std::vector<DeadLetter>> DeadLetters(const std::string& after,
                                                       size_t limit) = 0;
  // Puts a dead letter back in the outbox, recorded in the case history; a
  // command like CaseCommands' (request id, replay, errors). kNotFound for
  // an unknown id.
  virtual StatusOr<CommandResult> Redrive(const RedriveDeadLetter& cmd) = 0;
};

}  // namespace shouhu
