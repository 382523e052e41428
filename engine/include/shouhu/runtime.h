// Runtime: cases as durable state machines on the store, with durable timers
// and escalations.
//
// Thread safety: every method is safe to call from many threads at once.
// Commands on one case are serialised; commands on different cases proceed in
// parallel and share fsyncs through the store's group commit.
//
// Every command is validated against the workflow version the case started
// on. A refused command writes nothing. An accepted one is written as one
// atomic, synced batch holding the case's new state, its history entry, its
// timer-index changes, its outbox entries, its index entries and its audit
// record, and only then acknowledged.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "shouhu/case.h"
#include "shouhu/child.h"
#include "shouhu/delivery.h"
#include "shouhu/notification.h"
#include "shouhu/catalog.h"
#include "shouhu/clock.h"
#include "shouhu/status.h"
#include "shouhu/store.h"

namespace shouhu {

// Who is acting: a user for one unit with roles. Never "system": only the
// runtime's timers act as the system.
struct Actor {
  std::string user;
  std::string unit;
  std::vector<std::string> roles;
  // Where the request came from ("203.0.113.7:51234", "cli", ...), kept in
  // the audit record.
  std::string origin = {};
};

// A read of a case or a child's file, for the audit trail. Writes are audited
// by the command that makes them, in the same batch.
struct Access {
  Actor actor;
  std::string action;    // "case.read", "case.list", "child.read", ...
  std::string case_id;   // "" when not about one case
  std::string child_id;  // "" when not about one child
  std::string file{};         // an evidence file stored or read ("att_…"), or ""
  std::string file_sha256{};  // its SHA-256, hex
};

// Common to every command: `request_id` is the client's idempotency key; a
// retried command with the same id returns the first result, applied once.
struct OpenCase {
  std::string request_id;
  Actor actor;
  std::string workflow_id;  // new cases use the newest version
  std::string unit;         // the case's unit ("" = the actor's unit)
  nlohmann::json data = nlohmann::json::object();
};

struct FireEvent {
  std::string request_id;
  Actor actor;
  std::string case_id;
  std::string event;
  nlohmann::json data = nlohmann::json::object();
  // When set, the command is refused with kFailedPrecondition ("version
  // conflict") unless the case's last_seq equals it.
  std::optional<uint64_t> expected_seq;
};

struct AddNote {
  std::string request_id;
  Actor actor;
  std::string case_id;
  std::string text;
  // Evidence files the note carries: a list of {id, sha256, kind, size,
  // name} (the API resolves uploaded ids into these).
  nlohmann::json attachments = nlohmann::json::array();
};

struct AssignOwner {
  std::string request_id;
  Actor actor;
  std::string case_id;
  std::string owner;  // user id; "" unassigns
};

struct RedriveDeadLetter {
  std::string request_id;
  Actor actor;
  std::string dead_letter_id;
};

// Accepts (the values become a revision of the file, by `actor`) or rejects
// a ChildProposal; recorded in the history of the proposal's case.
struct DecideChildProposal {
  std::string request_id;
  Actor actor;
  std::string child_id;
  std::string proposal_id;
  bool accept = false;
};

// A change of a child's file (「及时补充或变更」) made directly, not by a case:
// `fields` (file field -> new value, null clears) become one revision by
// `actor`. Each field must be a file field of a loaded workflow, of its type
// and within its bounds.
struct UpdateChildFields {
  std::string request_id;
  Actor actor;
  std::string child_id;
  nlohmann::json fields = nlohmann::json::object();
};

struct CommandResult {
  std::string case_id;
  uint64_t seq = 0;        // the history entry written
  std::string state;       // the case's state after the command
  bool replayed = false;   // true when answered from an earlier request
  // Open: the report joined this (already open) case, which case_id names.
  bool joined = false;
  // Open: the new case is flagged as a duplicate of this open case.
  std::string duplicate_of;
  // UpdateChild: the child's file revision written (case_id is "").
  uint64_t child_revision = 0;
};

// OutboxEntry: one notification waiting in the outbox (shouhu/notification.h).

struct Page {
  std::string after;  // exclusive cursor: the last case id of the prior page
  size_t limit = 50;
};

struct CaseList {
  std::vector<CaseRecord> cases;
  std::string next;  // cursor for the next page, "" when done
};

// One of `count` disjoint parts of the cases, for one timer thread.
struct TimerShard {
  unsigned index = 0;
  unsigned count = 1;  // 1: every case
};

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
};

class Runtime {
 public:
  // REQUIRES: store, catalog and clock outlive the runtime.
  static StatusOr<std::unique_ptr<Runtime>> Create(Store& store,
                                                   const Catalog& catalog,
                                                   const Clock& clock,
                                                   RuntimeOptions options = {});
  virtual ~Runtime() = default;

  // Errors, all writing nothing:
  //   kNotFound           unknown case, workflow or event
  //   kPermissionDenied   none of the actor's roles may do this
  //   kFailedPrecondition wrong state, failed guard, version conflict, or a
  //                       request id reused for a different command
  //   kInvalidArgument    missing, unknown or mistyped data; bad request
  //   kUnavailable        the store could not write; retry with backoff
  virtual StatusOr<CommandResult> Open(const OpenCase& cmd) = 0;
  virtual StatusOr<CommandResult> Fire(const FireEvent& cmd) = 0;
  virtual StatusOr<CommandResult> Note(const AddNote& cmd) = 0;
  virtual StatusOr<CommandResult> Assign(const AssignOwner& cmd) = 0;

  // Fires every timer due at the clock's now, oldest first, in batches; a
  // timer whose state was left never fires. Returns how many fired. The
  // daemon's timer threads call it; tests call it after advancing a FakeClock.
  // With a shard, only the timers of that shard's cases: cases of different
  // shards never share a lock, so timer threads on different shards fire
  // side by side instead of waiting for each other's batches. Calls with and
  // without shards may run at the same time.
  virtual StatusOr<size_t> FireDueTimers(TimerShard shard = {}) = 0;
  // When the next timer (of the shard) within the in-memory window is due,
  // if any; timers beyond the window are not looked for (the timer thread
  // polls at least once a second, which loads them as they come near).
  virtual std::optional<Instant> NextDue(TimerShard shard = {}) = 0;
  // Timers held in memory now (the near-term window).
  virtual size_t TimersInMemory() const = 0;

  // Queries, served from indexes.
  virtual StatusOr<CaseRecord> GetCase(const std::string& id) = 0;
  virtual StatusOr<std::vector<HistoryEntry>> History(const std::string& id) = 0;
  virtual StatusOr<CaseList> ListByState(const std::string& workflow_id,
                                         const std::string& state,
                                         const Page& page) = 0;
  virtual StatusOr<CaseList> ListByOwner(const std::string& owner,
                                         const Page& page) = 0;
  virtual StatusOr<CaseList> ListByUnit(const std::string& unit,
                                        const Page& page) = 0;
  virtual StatusOr<CaseList> ListOverdue(const Page& page) = 0;
  // The cases `user` reported: opened, or joined with a later report.
  virtual StatusOr<CaseList> ListByReporter(const std::string& user, const Page& page) = 0;
  // The outbox, oldest first (the dispatcher's queue).
  virtual StatusOr<std::vector<OutboxEntry>> Outbox(size_t limit) = 0;

  // Retention: deletes the idempotency records written more than
  // options.request_retention before the clock's now (a record from before
  // records carried their time is stamped now and kept). Returns how many
  // were deleted. The daemon's timer loop calls it hourly.
  virtual StatusOr<size_t> ExpireRequests() = 0;

  // Audit: records a read (one synced audit record). kUnavailable when the
  // store cannot write; the caller then refuses the read.
  virtual Status RecordAccess(const Access& access) = 0;

  // The child's file (一人一档), see child.h. `as_of` gives the file as it
  // stood at that instant. kNotFound for an unknown child.
  virtual StatusOr<ChildFile> GetChild(const std::string& child_id,
                                       std::optional<Instant> as_of) = 0;
  virtual StatusOr<std::vector<ChildRevision>> ChildHistory(
      const std::string& child_id) = 0;
  // The proposals waiting on a child's file, oldest first.
  virtual StatusOr<std::vector<ChildProposal>> ChildProposals(
      const std::string& child_id) = 0;
  // kNotFound for an unknown proposal (decided already, or never made).
  virtual StatusOr<CommandResult> DecideProposal(const DecideChildProposal& cmd) = 0;
  // kNotFound for an unknown child; kInvalidArgument listing every field
  // that is no file field, of the wrong type or out of bounds;
  // kFailedPrecondition when the new identity is another child's.
  virtual StatusOr<CommandResult> UpdateChild(const UpdateChildFields& cmd) = 0;

  // Notifications that could not be delivered (see delivery.h), oldest first.
  virtual StatusOr<std::vector<DeadLetter>> DeadLetters(const std::string& after,
                                                       size_t limit) = 0;
  // Puts a dead letter back in the outbox for another round of attempts,
  // recorded in the case history. kNotFound for an unknown id.
  virtual StatusOr<CommandResult> Redrive(const RedriveDeadLetter& cmd) = 0;

  // The outbox dispatcher's side (dispatcher.h; records in delivery.h).
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
};

}  // namespace shouhu
