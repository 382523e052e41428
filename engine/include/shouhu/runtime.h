// Runtime: cases as durable state machines on the store, with durable timers
// and escalations. It is the aggregate of the runtime's narrow services, one
// header each, which say what they do, their thread safety and their locks:
//   CaseCommands   open, fire, note, assign              (case_commands.h)
//   CaseQueries    a case, its history, lists            (case_queries.h)
//   TimerService   due timers, request retention         (timer_service.h)
//   OutboxService  outbox, deliveries, dead letters      (outbox_service.h)
//   AuditTrail     reads recorded in the audit trail     (audit_trail.h)
//   ChildFiles     the child's file and its changes      (child_files.h)
// A component that needs one of them takes that one (the dispatcher takes
// an OutboxService, the timer loop a TimerService); Runtime::Create makes
// the one object that is all of them.
//
// Thread safety: every method is safe to call from many threads at once.
// The runtime's locks and their order are in case_commands.h: the request
// id's lock, then the case locks (in stripe order), then a child's identity
// or file locks (in address order), then the timer window's lock; the store
// takes its own locks below all of them.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "shouhu/actor.h"
#include "shouhu/audit_trail.h"
#include "shouhu/case.h"
#include "shouhu/case_commands.h"
#include "shouhu/case_queries.h"
#include "shouhu/catalog.h"
#include "shouhu/child.h"
#include "shouhu/child_files.h"
#include "shouhu/clock.h"
#include "shouhu/delivery.h"
#include "shouhu/leases.h"
#include "shouhu/notification.h"
#include "shouhu/outbox_service.h"
#include "shouhu/status.h"
#include "shouhu/store.h"
#include "shouhu/timer_service.h"

namespace shouhu {

struct RuntimeOptions {
  // Timers due within this horizon are kept in memory; the rest stay only in
  // the store's due-time index.
  std::chrono::milliseconds timer_window{std::chrono::seconds(60)};
  // At most this many timers are held in memory at once.
  size_t max_timers_in_memory = 200'000;
  // At most this many timers are fired per commit by FireDueTimers. Smaller
  // batches keep live commands from queueing behind a large write during a
  // burst of timers (shouhu-bench: p99 of live commands about 20-40 ms at 256
  // against 30-75 ms at 1024), at the same firing rate.
  size_t timer_batch = 256;
  // A timer's firing is written as one firing record (its history entries
  // and its notifications, codec.h) that the outbox entries and the audit
  // record reference, instead of a history record per entry and an outbox
  // entry carrying its own copy of the case's facts. False writes the
  // layout from before firing records (the benchmark's before/after, and
  // tests that readers still read it); both are always read.
  bool firing_records = true;
  // Idempotency records (a request id and its first answer) are kept this
  // long, then deleted by ExpireRequests: a retry must come within it.
  std::chrono::hours request_retention{24 * 30};
  // True when `actor` may write the child's file kept for `child_unit`
  // (the daemon: the unit lies in the actor's jurisdiction). When false, the
  // values a command reports for that file become a ChildProposal. Unset:
  // every actor writes every file.
  std::function<bool(const Actor& actor, const std::string& child_unit)> child_in_reach;
  // Called (from the committing thread) with the due time of every timer a
  // command arms, so a timer thread waiting for a later time can wake early.
  std::function<void(Instant)> on_timer_armed;
  // Called after each committed batch of firings with the due times of the
  // timers it fired (for lateness metrics).
  std::function<void(const std::vector<Instant>& dues)> on_timers_fired;
  // Called (from the committing thread) after a commit that left
  // notifications in the outbox or made deliveries due again (a re-drive),
  // so the dispatcher can start on them at once.
  std::function<void()> on_outbox_filled;
  // The type of the organisation unit a unit id names (village, school,
  // police_station, ...), "" when it names none: a case whose workflow takes
  // its unit from a field (the child's place) is refused with
  // kInvalidArgument when the field names no unit, and a field restricted to
  // some unit types (a transfer to a competent unit) when it names another.
  // Unset: not checked.
  std::function<std::string(std::string_view unit)> unit_type;
  // The leases of the work one node at a time may do (shouhu/leases.h):
  // timer shards and the outbox. Null: this runtime is the store's only
  // writer (RocksDB), holds everything and fences nothing. When shared(),
  // each batch of firings and each outbox expansion and delivery record
  // commits fenced by its lease, and a timer shard's window is read again
  // from the store's index at each FireDueTimers call, so a timer armed
  // by another node fires within about one poll (a second) of its due time.
  // REQUIRES: outlives the runtime.
  const Leases* leases = nullptr;
};

class Runtime : public CaseCommands,
                public CaseQueries,
                public TimerService,
                public OutboxService,
                public AuditTrail,
                public ChildFiles {
 public:
  // REQUIRES: store, catalog and clock outlive the runtime.
  static StatusOr<std::unique_ptr<Runtime>> Create(Store& store,
                                                   const Catalog& catalog,
                                                   const Clock& clock,
                                                   RuntimeOptions options = {});
  ~Runtime() override = default;
};

}  // namespace shouhu
