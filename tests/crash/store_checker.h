// StoreChecker: reads every record the runtime keeps in a store and checks
// that they agree with one another, as they must after any crash if every
// change was one atomic batch.
//
// Thread safety: a function of the store's contents; call it while nothing
// writes to the store.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "shouhu/case.h"
#include "shouhu/catalog.h"
#include "shouhu/duration.h"
#include "shouhu/store.h"

namespace shouhu::crash {

// What the checker counted.
struct StoreSummary {
  size_t cases = 0;
  size_t history = 0;        // history entries
  size_t timer_entries = 0;  // "timer" entries: state timers that fired
  size_t escalations = 0;    // "escalation" entries
  size_t step_entries = 0;   // escalation steps run by their own timer
  size_t armed_timers = 0;   // timers armed now (and index keys)
  size_t outbox = 0;
  size_t audit = 0;
  size_t requests = 0;   // idempotency records
  Instant latest{};      // latest `at` of any history entry
  Instant latest_due{};  // latest due time of any armed timer
};

// Checks, for every case: history seqs are exactly 1..last_seq, and the
// history, replayed by CaseReplay (case_replay.h: transitions chain, timers
// fire only while armed, once, oldest first, at or after their due time),
// yields the case record: state, data, owner, priority, overdue flag,
// timestamps and exactly the armed timers, each with its due-time index key
// and no other key; every secondary index key holds; every outbox entry and
// audit record belongs to an existing history entry, with exactly as many
// notifications as the entry's definition sends; every idempotency record
// points at the history entry of its command and every user command's entry
// has its record (commands carry their request id as "ref"); the audit
// records form one unbroken hash chain (chain.h). Appends one
// message per violation to `errors`.
// The request id a user command's history entry carries, "" if none: the
// driver puts it in the data as "ref", in a note's text, and in an assigned
// owner's name ("o:<id>").
std::string RequestIdOf(const HistoryEntry& e);

StoreSummary CheckStore(Store& store, const Catalog& catalog,
                        std::vector<std::string>* errors);

}  // namespace shouhu::crash
