// The audit trail (审计日志): who read or changed which case or child's file,
// when, and from where, as one append-only, hash-chained log in the store
// (under codec's "a/" prefix; the chain format and what a check can and
// cannot detect are in chain.h). Writes are audited in the batch of the
// change itself, reads by Runtime::RecordAccess.
//
// Thread safety: free functions over a Store; each reads consistent
// snapshots and writes nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "shouhu/chain.h"
#include "shouhu/duration.h"
#include "shouhu/status.h"
#include "shouhu/store.h"

namespace shouhu {

struct AuditRecord {
  uint64_t seq = 0;      // position in the chain, from 1
  std::string hash;      // the record's hash, hex
  Instant at;
  std::string user;      // who: the user, or "system" for timers
  std::string unit;      // the unit the user acted for ("" for the system)
  std::string origin;    // from where: "203.0.113.7:51234", "cli", "timer"
  std::string action;    // "open", "fire:<event>", "note", "assign",
                         // "timer", "redrive", "case.read", "child.read", ...
  std::string case_id;   // "" when not about one case
  std::string child_id;  // "" when not about one child
  // An evidence file stored or read ("att_…"), and its SHA-256: the chain
  // seals which bytes were seen.
  std::string file;
  std::string file_sha256;
  // What else the record says, as JSON text ("" for none): a spot check's
  // seed and sample.
  std::string detail;
  // For writes: the case's history seq after the change.
  std::optional<uint64_t> case_seq;
  // For a timer's firing: the firing record it wrote (the case's history
  // record at this seq; runtime/codec.h) and the SHA-256 of its value, hex,
  // so the chain covers the record that history and the outbox read.
  std::optional<uint64_t> firing_seq;
  std::string firing_sha256;
};

struct AuditReport {
  ChainReport chain;
  uint64_t cases_checked = 0;
  // Cases whose newest change has no audit record: a removed write record
  // that the chain alone cannot show (the newest records cut off). The
  // first few, and how many in all.
  std::vector<std::string> unaudited_cases;
  uint64_t unaudited_count = 0;
  // Case records that cannot be decoded (not an audit failure, but damage
  // worth knowing; their timers are quarantined): how many, and the first.
  uint64_t unreadable_case_count = 0;
  std::string first_unreadable_case;
  // Firing records named by the intact chain (AuditRecord::firing_seq):
  // how many were checked, and those missing or whose value no longer has
  // the digest the chain holds (changed after the fact): how many, and the
  // first, as "<case> seq <seq>: <why>".
  uint64_t firing_records_checked = 0;
  uint64_t firing_mismatch_count = 0;
  std::string first_firing_mismatch;
  // Records whose payload is not an audit record (the chain is intact, so
  // they were written so): the first such seq, 0 if none.
  uint64_t unreadable_seq = 0;
  std::string unreadable_problem;

  // The anchor check (when an anchor was given): "" when it holds.
  std::string anchor_problem;

  bool ok() const {
    return chain.ok && unaudited_count == 0 && unreadable_seq == 0 &&
           firing_mismatch_count == 0 && anchor_problem.empty();
  }
};

// A head noted earlier, outside the data directory (from the report of an
// earlier verify): record `seq` must still exist with this hash. It catches
// what the chain alone cannot: records cut off the end, and a chain rewritten
// from some record on.
struct AuditAnchor {
  uint64_t seq = 0;
  std::string hash;  // hex, as printed
};

// Verifies the audit chain and cross-checks it against the cases: every
// case's newest change must have its write record, every firing record the
// chain names must hold the digest the chain holds (so `store` must read
// clear values: the sealed store, opened with its key); and, when given,
// the anchor. A non-OK Status only when the store cannot be read.
StatusOr<AuditReport> VerifyAuditLog(Store& store,
                                     const AuditAnchor* anchor = nullptr);

// The audit records, oldest first, optionally only those of one case;
// at most `limit` (0 = all). Records that cannot be read are an error.
StatusOr<std::vector<AuditRecord>> ReadAuditLog(Store& store,
                                                const std::string& case_id,
                                                size_t limit = 0);

}  // namespace shouhu
