// The PostgreSQL adapter (see pg_store.h). libpq is used directly through
// pg_conn.h; this file holds the SQL, the group write and the snapshot scan.
#include "store/pg_store.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <limits>
#include <span>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "store/chain_sealer.h"
#include "store/group_committer.h"
#include "store/key_range.h"
#include "store/pg_conn.h"
#include "store/pg_group.h"
#include "store/pg_schema.h"

namespace shouhu {
namespace {

// Rows per page of a scan: big enough that a long scan is few round trips,
// small enough that one page's result stays a few hundred KiB.
constexpr int kScanPage = 512;
// Reader connections a node keeps: enough for the API's and the runtime's
// concurrent reads, few enough that several nodes stay well inside the
// server's max_connections (100 by default). Each is a server process.
constexpr size_t kReaders = 16;
// The longest a commit in doubt waits for its server backend to end
// (SettleDoubt): a backend finishing a received transaction takes a commit's
// time; one stuck longer is left to the server.
constexpr auto kSettleAtMost = std::chrono::seconds(10);

const pg::Statement kGet{"shouhu_get", "SELECT value FROM shouhu_kv WHERE key = $1", 1};
const pg::Statement kLast{"shouhu_last",
                          "SELECT key FROM shouhu_kv WHERE key >= $1 AND key < $2 "
                          "ORDER BY key DESC LIMIT 1",
                          2};
const pg::Statement kLastOpen{"shouhu_last_open",
                              "SELECT key FROM shouhu_kv WHERE key >= $1 "
                              "ORDER BY key DESC LIMIT 1",
                              1};
// A scan's pages: the first from `start` (>=), the next after the last key
// seen (>); bounded by the prefix's successor unless it has none.
#define SHOUHU_SCAN_SQL(op, bound) \
  "SELECT key, value FROM shouhu_kv WHERE key " op " $1" bound " ORDER BY key LIMIT 512"
const pg::Statement kScanFrom{"shouhu_scan_from", SHOUHU_SCAN_SQL(">=", " AND key < $2"), 2};
const pg::Statement kScanAfter{"shouhu_scan_after", SHOUHU_SCAN_SQL(">", " AND key < $2"), 2};
const pg::Statement kScanFromOpen{"shouhu_scan_from_open", SHOUHU_SCAN_SQL(">=", ""), 1};
const pg::Statement kScanAfterOpen{"shouhu_scan_after_open", SHOUHU_SCAN_SQL(">", ""), 1};
#undef SHOUHU_SCAN_SQL
const pg::Statement kPut{"shouhu_put",
                         "INSERT INTO shouhu_kv (key, value) VALUES ($1, $2) "
                         "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                         2};
// Sealed chain records are inserted: a second record with the same number
// is an error, never a silent overwrite.
const pg::Statement kInsert{"shouhu_insert",
                            "INSERT INTO shouhu_kv (key, value) VALUES ($1, $2)", 2};
const pg::Statement kDelete{"shouhu_delete", "DELETE FROM shouhu_kv WHERE key = $1", 1};
// Mutation::kFence: fails the transaction unless the lease is at the epoch
// (migration 2).
const pg::Statement kFence{"shouhu_fence", "SELECT shouhu_fence($1, $2)", 2};
// The chains' lock: every write transaction of every node takes it first,
// so one node's appends to the audit chain never run beside another's. It
// is held until the transaction ends.
#define SHOUHU_CHAIN_LOCK "pg_advisory_xact_lock(126892383758453)"  // "shouhu"
const pg::Statement kChainLock{"shouhu_chain_lock", "SELECT " SHOUHU_CHAIN_LOCK, 0};
const pg::Statement kCommit{"shouhu_commit", "COMMIT", 0};

class PgStore final : public Store {
 public:
  PgStore(const std::string& dsn, const StoreOptions& options, std::unique_ptr<pg::Conn> writer)
      : readers_(dsn, kReaders),
        sync_(options.sync),
        writer_(std::move(writer)),
        sealer_(*this),
        committer_(std::make_unique<GroupCommitter>(
            [this](std::span<const GroupCommitter::Batch* const> group,
                   std::span<Status> each) { return WriteGroup(group, each); },
            options.max_group_bytes)) {}

  ~PgStore() override { committer_.reset(); }

  Status Commit(std::vector<Mutation> batch) override {
    if (batch.empty()) return Status::Ok();
    // libpq passes lengths as int.
    constexpr size_t kMaxLen = std::numeric_limits<int32_t>::max();
    for (const Mutation& m : batch) {
      if (m.key.empty()) return InvalidArgument("store: empty key");
      if (m.key.size() > kMaxLen || m.value.size() > kMaxLen) {
        return InvalidArgument("store: key or value longer than 2 GiB");
      }
    }
    return committer_->Commit(batch);
  }

  StatusOr<std::string> Get(std::string_view key) override {
    auto conn = readers_.Take();
    if (!conn.ok()) return conn.status();
    const std::string_view params[] = {key};
    auto r = (*conn)->Run("get", kGet, params);
    if (!r.ok()) return r.status();
    if (pg::Rows(r->get()) == 0) return NotFound("store: no such key");
    return std::string(pg::Value(r->get(), 0, 0));
  }

  Status Scan(std::string_view prefix, std::string_view start,
              const std::function<bool(std::string_view, std::string_view)>& fn) override {
    auto conn = readers_.Take();
    if (!conn.ok()) return conn.status();
    // The snapshot is taken at the first page's query and kept to the end.
    auto begun = (*conn)->Exec("scan", "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    if (!begun.ok()) return begun.status();
    const std::string upper = PrefixSuccessor(prefix);
    std::string from(start > prefix ? start : prefix);
    for (bool first = true;; first = false) {
      const pg::Statement& stmt = upper.empty() ? (first ? kScanFromOpen : kScanAfterOpen)
                                                : (first ? kScanFrom : kScanAfter);
      const std::string_view params[] = {from, upper};
      auto page = (*conn)->Run("scan", stmt, std::span(params, stmt.params));
      if (!page.ok()) return page.status();  // the lease drops the connection
      const int rows = pg::Rows(page->get());
      for (int i = 0; i < rows; ++i) {
        if (!fn(pg::Value(page->get(), i, 0), pg::Value(page->get(), i, 1))) {
          return EndScan(**conn);
        }
      }
      if (rows < kScanPage) break;
      from = std::string(pg::Value(page->get(), rows - 1, 0));
    }
    return EndScan(**conn);
  }

  StatusOr<std::string> LastKeyWithPrefix(std::string_view prefix) override {
    auto conn = readers_.Take();
    if (!conn.ok()) return conn.status();
    const std::string upper = PrefixSuccessor(prefix);
    const std::string_view params[] = {prefix, upper};
    const pg::Statement& stmt = upper.empty() ? kLastOpen : kLast;
    auto r = (*conn)->Run("last key", stmt, std::span(params, stmt.params));
    if (!r.ok()) return r.status();
    if (pg::Rows(r->get()) == 0) return NotFound("store: no key with this prefix");
    return std::string(pg::Value(r->get(), 0, 0));
  }

  // A RocksDB store holding every row of one snapshot: what `shouhu backup`
  // and the online backup expect, restorable into either backend.
  Status Checkpoint(const std::string& dir) override {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::exists(dir, ec) && (!fs::is_directory(dir, ec) || !fs::is_empty(dir, ec))) {
      return FailedPrecondition("store: checkpoint dir is not empty: " + dir);
    }
    auto copy = OpenRocksStore(dir, {});
    if (!copy.ok()) return copy.status();
    std::vector<Mutation> batch;
    size_t bytes = 0;
    Status written = Status::Ok();
    auto flush = [&] {
      written = (*copy)->Commit(std::move(batch));
      batch.clear();
      bytes = 0;
      return written.ok();
    };
    Status scanned = Scan("", "", [&](std::string_view key, std::string_view value) {
      batch.push_back(Mutation::Put(std::string(key), std::string(value)));
      bytes += key.size() + value.size();
      return bytes < (4 << 20) || flush();
    });
    if (scanned.ok() && written.ok()) flush();
    copy->reset();
    if (!scanned.ok() || !written.ok()) {
      fs::remove_all(dir, ec);
      return !scanned.ok() ? scanned : written;
    }
    return Status::Ok();
  }

  StoreStats Stats() const override { return committer_->Stats(); }

  // From the counter's sequence (migration 3), on a reader's connection. A
  // sequence behind `floor` (data copied in by `shouhu migrate`, whose ids
  // came from no sequence) is moved on first; in a store whose ids all came
  // from the sequence that never happens, so no node can move it back under
  // another's feet.
  StatusOr<std::vector<uint64_t>> TakeIds(std::string_view counter, size_t n,
                                          uint64_t floor) override {
    if (counter != "case" && counter != "outbox") {
      return InvalidArgument("postgres: no id counter \"" + std::string(counter) + "\"");
    }
    const std::string seq = "shouhu_ids_" + std::string(counter);
    auto conn = readers_.Take();
    if (!conn.ok()) return conn.status();
    std::vector<uint64_t> ids;
    for (int attempt = 0; attempt < 2; ++attempt) {
      auto r = (*conn)->Exec("ids", "SELECT nextval('" + seq + "') FROM generate_series(1, " +
                                        std::to_string(n) + ")");
      if (!r.ok()) return r.status();
      ids.clear();
      for (int row = 0; row < pg::Rows(r->get()); ++row) {
        ids.push_back(std::stoull(std::string(pg::Value(r->get(), row, 0))));
      }
      std::sort(ids.begin(), ids.end());
      if (ids.empty() || ids.front() > floor) return ids;
      auto moved = (*conn)->Exec(
          "ids", "SELECT setval('" + seq + "', " + std::to_string(floor) + ") FROM " + seq +
                     " WHERE last_value < " + std::to_string(floor));
      if (!moved.ok()) return moved.status();
    }
    return Internal("postgres: sequence " + seq + " does not move past " + std::to_string(floor));
  }

  // Asks the server (one round trip): reachable, not a standby, and not
  // read-only for new transactions.
  Status WriteHealth() const override {
    auto conn = readers_.Take();
    if (!conn.ok()) return conn.status();
    auto r = (*conn)->Exec(
        "health", "SELECT pg_is_in_recovery()::text, current_setting('transaction_read_only')");
    if (!r.ok()) return r.status();
    if (pg::Value(r->get(), 0, 0) == "true") {
      return Unavailable(
          "postgres: the server is a standby (in recovery) and read-only 数据库为只读备库");
    }
    if (pg::Value(r->get(), 0, 1) == "on") {
      return Unavailable(
          "postgres: the server is read-only (default_transaction_read_only) 数据库只读");
    }
    return Status::Ok();
  }

 private:
  static Status EndScan(pg::Conn& conn) {
    auto r = conn.Exec("scan", "COMMIT");
    return r.ok() ? Status::Ok() : r.status();
  }

  // The writer's connection: kept open between groups, opened again when the
  // server closed it.
  Status EnsureWriter() {
    if (writer_ && writer_->Reusable()) return Status::Ok();
    writer_.reset();
    auto conn = pg::Conn::Connect(readers_.dsn());
    if (!conn.ok()) return conn.status();
    if (!sync_) {
      auto set = (*conn)->Exec("set", "SET synchronous_commit = off");
      if (!set.ok()) return set.status();
    }
    std::vector<const pg::Statement*> statements = pg::FoldedGroup::Statements();
    statements.insert(statements.end(), {&kPut, &kInsert, &kDelete, &kFence, &kChainLock, &kCommit});
    for (const pg::Statement* s : statements) SHOUHU_RETURN_IF_ERROR((*conn)->Prepare(*s));
    writer_ = std::move(*conn);
    return Status::Ok();
  }

  // Runs on the committer thread only, so the members it uses need no lock.
  // The group is one transaction, sealed from the chain heads this node
  // knows. When it is refused (kFailedPrecondition) another node may have
  // moved a chain on since, or a batch's guard failed (kInsert, kFence): the
  // group is written again under the chains' lock with the heads read
  // afresh, which no other node can move meanwhile; if that is refused too,
  // a guard failed, and the batches are written one by one (each under the
  // lock), each answered for itself, so a conflict fails only its batch.
  Status WriteGroup(std::span<const GroupCommitter::Batch* const> group,
                    std::span<Status> each) {
    Status s = WriteTransaction(group, /*heads_under_lock=*/false);
    if (s.code() != StatusCode::kFailedPrecondition) return s;
    s = WriteTransaction(group, /*heads_under_lock=*/true);
    if (s.code() != StatusCode::kFailedPrecondition || group.size() == 1) return s;
    for (size_t i = 0; i < group.size(); ++i) {
      each[i] = WriteTransaction(group.subspan(i, 1), /*heads_under_lock=*/true);
    }
    return Status::Ok();
  }

  // One transaction of `group`, the chains' lock taken first. With
  // `heads_under_lock`, the lock is taken before the records are sealed (a
  // round trip more) and the heads are read while it is held, so no other
  // node's append can make them stale. Every failure is kUnavailable, as the
  // Store contract promises, except a failed guard or a chain moved on
  // (kFailedPrecondition) and an unreadable chain head (kInternal).
  Status WriteTransaction(std::span<const GroupCommitter::Batch* const> group,
                          bool heads_under_lock) {
    SHOUHU_RETURN_IF_ERROR(EnsureWriter());
    sealer_.Discard();
    ops_.clear();
    if (heads_under_lock) {
      auto locked = writer_->Exec("lock", "BEGIN; SELECT " SHOUHU_CHAIN_LOCK);
      if (!locked.ok()) return Abandon(locked.status(), true, false, 0);
      sealer_.Forget();  // read through the readers: every commit is visible
    } else {
      ops_.push_back({&kChainLock, {}});
    }
    // The group's writes folded into a few set statements (pg_group.h), or,
    // when they do not fold, one statement each in key order.
    folded_.Clear();
    each_.clear();
    bool folds = true;
    for (const GroupCommitter::Batch* batch : group) {
      Status sealed = sealer_.SealBatch(
          *batch, [&](Mutation::Kind kind, std::string_view key, std::string_view value) {
            if (kind == Mutation::Kind::kFence) {
              ops_.push_back({&kFence, {key, value}});
              return;
            }
            each_.push_back({StatementOf(kind), {key, value}});
            folds = folds && folded_.Add(kind, key, value);
          });
      if (!sealed.ok()) return heads_under_lock ? Abandon(sealed, true, false, 0) : sealed;
    }
    if (folds) {
      folded_.AppendSteps(&ops_);
    } else {
      // In key order (stable: writes to one key keep theirs).
      std::stable_sort(each_.begin(), each_.end(), [](const pg::Step& a, const pg::Step& b) {
        return a.params[0] < b.params[0];
      });
      ops_.insert(ops_.end(), each_.begin(), each_.end());
    }
    if (heads_under_lock) ops_.push_back({&kCommit, {}});
    bool in_doubt = false;
    const int backend = writer_->BackendPid();
    Status s = writer_->RunPipeline("commit", ops_, &in_doubt);
    if (!s.ok()) return Abandon(s, heads_under_lock, in_doubt, backend);
    sealer_.Commit();
    return Status::Ok();
  }

  // After a failed transaction: every head forgotten, not only this
  // group's (after a commit in doubt the records may be there after all,
  // and after a conflict another node may have moved a chain on, so they
  // are read again); an explicit transaction (`began`) rolled back; the
  // connection dropped when it cannot be used again.
  Status Abandon(const Status& s, bool began, bool in_doubt, int backend) {
    sealer_.Forget();
    if (in_doubt) SettleDoubt(backend);
    if (began && writer_->Reusable() && !writer_->Exec("rollback", "ROLLBACK").ok()) {
      writer_.reset();
    }
    if (writer_ && !writer_->Reusable()) writer_.reset();
    if (s.code() == StatusCode::kFailedPrecondition || s.code() == StatusCode::kInternal) {
      return s;
    }
    return s.code() == StatusCode::kUnavailable ? s : Unavailable(s.message());
  }

  // A commit cut off in doubt may still be running on the server: its
  // backend received the whole transaction and commits it unless the server
  // dies first. Callers retry at once by request id, and the retry must read
  // the settled outcome (else a report the server did commit would be filed
  // again), so the failure is answered only once that backend has ended. If
  // the server cannot be asked (it died, or failed over: the new primary
  // holds the outcome already), there is nothing to wait for.
  void SettleDoubt(int backend) {
    if (backend <= 0) return;
    const auto give_up = std::chrono::steady_clock::now() + kSettleAtMost;
    const std::string sql =
        "SELECT count(*) FROM pg_stat_activity WHERE pid = " + std::to_string(backend);
    while (std::chrono::steady_clock::now() < give_up) {
      auto conn = readers_.Take();
      if (!conn.ok()) return;
      auto r = (*conn)->Exec("settle", sql);
      if (!r.ok() || pg::Value(r->get(), 0, 0) == "0") return;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }

  static const pg::Statement* StatementOf(Mutation::Kind kind) {
    switch (kind) {
      case Mutation::Kind::kDelete: return &kDelete;
      case Mutation::Kind::kInsert: return &kInsert;
      case Mutation::Kind::kFence: return &kFence;
      default: return &kPut;
    }
  }

  mutable pg::Pool readers_;
  const bool sync_;
  // Committer thread only.
  std::unique_ptr<pg::Conn> writer_;
  std::vector<pg::Step> ops_;   // the transaction's statements
  std::vector<pg::Step> each_;  // the group's writes one by one
  pg::FoldedGroup folded_;      // ... and folded  // points into the group's batches and sealer_
  ChainSealer sealer_;
  // Declared last: must stop before the members above go away.
  std::unique_ptr<GroupCommitter> committer_;
};

}  // namespace

StatusOr<std::unique_ptr<Store>> OpenPostgresStore(const std::string& dsn,
                                                   const StoreOptions& options) {
  SHOUHU_RETURN_IF_ERROR(CheckPostgresDsn(dsn));
  auto conn = pg::Conn::Connect(dsn);
  if (!conn.ok()) return conn.status();
  SHOUHU_RETURN_IF_ERROR(pg::MigrateSchema(**conn));
  // The committer opens its own connection on its first group.
  return std::unique_ptr<Store>(std::make_unique<PgStore>(dsn, options, nullptr));
}

Status CheckPostgresDsn(const std::string& dsn) {
  if (dsn.empty()) return InvalidArgument("empty PostgreSQL connection string 数据库连接串为空");
  return pg::CheckDsn(dsn);
}

}  // namespace shouhu
