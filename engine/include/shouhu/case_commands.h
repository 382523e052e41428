// CaseCommands: the commands users give a case -- open it, fire one of its
// events, add a note, assign its owner.
//
// Thread safety: every method is safe to call from many threads at once.
// Commands on one case are serialised by the case's lock; commands on
// different cases proceed in parallel and share fsyncs through the store's
// group commit.
//
// Every command goes through one pipeline (src/runtime/command_pipeline.h),
// which takes the runtime's locks in this order, each at most once and all
// released when the commit is over:
//   1. the request id's lock (a stripe of 1024), held while a stored answer
//      is looked for and until the new answer is committed;
//   2. the case's lock (a stripe of 4096; several cases: in stripe order);
//   3. a child's identity or file lock (a stripe of 256; several: in address
//      order), when the command links or changes a child's file.
// No hook (RuntimeOptions::on_*) is called with the request id's or an
// identity lock held; on_timer_armed and on_outbox_filled run with the case's
// lock held and must not call back into the runtime.
//
// Every command is validated against the workflow version the case started
// on. A refused command writes nothing. An accepted one is written as one
// atomic, synced batch holding the case's new state, its history entry, its
// timer-index changes, its outbox entries, its index entries, its audit
// record and its answer for the request id, and only then acknowledged.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "shouhu/actor.h"
#include "shouhu/status.h"

namespace shouhu {

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

class CaseCommands {
 public:
  virtual ~CaseCommands() = default;

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
};

}  // namespace shouhu
