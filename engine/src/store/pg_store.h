// The PostgreSQL store: the Store interface on one PostgreSQL table, for
// sites that keep their data in a PostgreSQL cluster (streaming replication,
// failover) rather than on one machine's disk. RocksDB stays the default.
//
// Layout: one table, shouhu_kv (key bytea primary key, value bytea not
// null). The engine's keys already order what needs ordering (the timer
// index is keyed by due time), so the primary key's b-tree is the due-time
// index and a scan is a range scan of it. bytea compares bytewise, the same
// order as RocksDB's. Schema versions are kept in shouhu_schema and applied
// at open, in one transaction under an advisory lock (two nodes starting
// together do not race); a database of a newer version is refused.
//
// Guarantees, as for the RocksDB store (shouhu/store.h):
// - One Commit is one transaction. Concurrent callers are gathered by one
//   committer thread (GroupCommitter) and each group is written as one
//   transaction whose statements are pipelined (one round trip), so the
//   group commits or rolls back as a whole.
// - Chained appends are sealed in commit order by the committer, and a
//   chain's head advances only when the transaction is known to have
//   committed; a sealed record is inserted, never upserted, so a stale head
//   can fail a commit but never overwrite a record.
// - StoreOptions::sync: synchronous_commit as the server has it (on: the
//   commit is flushed, and with a synchronous replica replicated, before
//   it is acknowledged); off: synchronous_commit = off for our writes.
//   min_free_bytes is not checked: the server's disk is the server's.
// - Scan reads one snapshot (a REPEATABLE READ, READ ONLY transaction on a
//   connection of its own), fetched in pages, so fn may call the store.
//
// Connection loss (a restart, a switchover to a replica): the failing call
// answers kUnavailable and the next call connects again (a multi-host DSN
// with target_session_attrs=read-write finds the new primary). A commit
// whose confirmation was lost with the connection also answers
// kUnavailable, yet may have been written (durability unknown, as after a
// failed fsync): the engine's callers re-read state, and a retried request
// is answered from its request id (runtime idempotency), not applied twice.
//
// Thread safety: as every Store.
#pragma once

#include <memory>
#include <string>

#include "shouhu/status.h"
#include "shouhu/store.h"

namespace shouhu {

// Connects to the database named by `dsn` (libpq connection string or URI)
// and brings its schema up to date. kUnavailable when the server cannot be
// reached (or is read-only and the schema needs changes); kFailedPrecondition
// when the schema is newer than this program knows; kInvalidArgument for a
// malformed DSN.
StatusOr<std::unique_ptr<Store>> OpenPostgresStore(const std::string& dsn,
                                                   const StoreOptions& options = {});

// kInvalidArgument when `dsn` is not a connection string or URI that libpq
// can parse (for checking a configuration; connects to nothing).
Status CheckPostgresDsn(const std::string& dsn);

}  // namespace shouhu
