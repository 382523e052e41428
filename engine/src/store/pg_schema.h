// Internal to the store area: the PostgreSQL store's schema and its
// versioned migrations (see pg_store.h).
#pragma once

#include "shouhu/status.h"
#include "store/pg_conn.h"

namespace shouhu::pg {

// The schema version this program writes and reads.
int SchemaVersion();

// Brings the database's schema up to SchemaVersion(): the missing
// migrations run in one transaction, under an advisory lock that serialises
// nodes starting together, and are recorded in shouhu_schema. A database
// already up to date is only read (so a read-only server opens).
// kFailedPrecondition when the database is of a newer version.
Status MigrateSchema(Conn& conn);

}  // namespace shouhu::pg
