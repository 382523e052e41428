#include "store/pg_schema.h"

#include <string>

namespace shouhu::pg {
namespace {

// Append only: migration i takes the schema from version i to i + 1. A
// released migration is never edited.
const char* const kMigrations[] = {
    // 1: the key/value table. The primary key's b-tree orders keys bytewise,
    // as RocksDB does; the timer index (keys by due time) is a range of it.
    "CREATE TABLE shouhu_kv (key bytea PRIMARY KEY, value bytea NOT NULL)",
    // 2: leases of work that one node at a time may do (a timer shard, the
    // outbox), held until expires_at by the server's clock; epoch grows at
    // every change of owner. shouhu_fence(lease, epoch) is a batch's
    // Mutation::kFence: it fails (SQLSTATE SH001) unless the lease is still
    // at that epoch, and holds the row FOR SHARE until the commit, so a
    // takeover waits for the commits under the old epoch to end.
    "CREATE TABLE shouhu_leases (name text PRIMARY KEY, owner text NOT NULL, "
    "epoch bigint NOT NULL, expires_at timestamptz NOT NULL);"
    "CREATE FUNCTION shouhu_fence(p_lease bytea, p_epoch bytea) RETURNS void "
    "LANGUAGE plpgsql AS $$ BEGIN "
    "PERFORM 1 FROM shouhu_leases WHERE name = convert_from(p_lease, 'UTF8') "
    "AND epoch = convert_from(p_epoch, 'UTF8')::bigint FOR SHARE; "
    "IF NOT FOUND THEN RAISE EXCEPTION 'lease % is at another epoch than %', "
    "convert_from(p_lease, 'UTF8'), convert_from(p_epoch, 'UTF8') USING ERRCODE = 'SH001'; "
    "END IF; END $$",
    // 3: ids that every node takes from one place (Store::TakeIds): a
    // sequence per counter.
    "CREATE SEQUENCE shouhu_ids_case; CREATE SEQUENCE shouhu_ids_outbox",
};

// Any constant will do, as long as nothing else in the database uses it:
// "shouhu" in ASCII.
constexpr const char* kLockId = "115104111117104117";

StatusOr<int> CurrentVersion(Conn& conn) {
  auto exists = conn.Exec("schema", "SELECT to_regclass('shouhu_schema') IS NOT NULL");
  if (!exists.ok()) return exists.status();
  if (Value(exists->get(), 0, 0) != "t") return 0;
  auto r = conn.Exec("schema", "SELECT coalesce(max(version), 0) FROM shouhu_schema");
  if (!r.ok()) return r.status();
  return std::stoi(std::string(Value(r->get(), 0, 0)));
}

}  // namespace

int SchemaVersion() { return static_cast<int>(std::size(kMigrations)); }

Status MigrateSchema(Conn& conn) {
  auto version = CurrentVersion(conn);
  if (!version.ok()) return version.status();
  if (*version == SchemaVersion()) return Status::Ok();
  auto migrate = [&]() -> Status {
    auto begun = conn.Exec("schema", "BEGIN");
    if (!begun.ok()) return begun.status();
    auto locked = conn.Exec("schema", std::string("SELECT pg_advisory_xact_lock(") + kLockId + ")");
    if (!locked.ok()) return locked.status();
    auto created = conn.Exec("schema",
                             "CREATE TABLE IF NOT EXISTS shouhu_schema (version integer PRIMARY "
                             "KEY, applied_at timestamptz NOT NULL DEFAULT now())");
    if (!created.ok()) return created.status();
    // Another node may have migrated while we waited for the lock.
    version = CurrentVersion(conn);
    if (!version.ok()) return version.status();
    for (int v = *version; v < SchemaVersion(); ++v) {
      auto ran = conn.Exec("schema migration " + std::to_string(v + 1), kMigrations[v]);
      if (!ran.ok()) return ran.status();
      auto noted = conn.Exec("schema", "INSERT INTO shouhu_schema (version) VALUES (" +
                                           std::to_string(v + 1) + ")");
      if (!noted.ok()) return noted.status();
    }
    auto committed = conn.Exec("schema", "COMMIT");
    return committed.ok() ? Status::Ok() : committed.status();
  };
  if (*version > SchemaVersion()) {
    return FailedPrecondition("postgres: the database's schema is version " +
                              std::to_string(*version) + ", newer than this shouhu knows (" +
                              std::to_string(SchemaVersion()) +
                              "): upgrade shouhu 数据库版本高于本程序");
  }
  Status s = migrate();
  if (!s.ok() && conn.Alive()) (void)conn.Exec("schema", "ROLLBACK");
  return s;
}

}  // namespace shouhu::pg
