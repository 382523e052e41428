// Internal to the store area: one libpq connection with binary prepared
// statements and libpq results mapped to shouhu Status, and a small pool of
// them. No libpq type leaves the store area's .cc files except through this
// header (libpq's own header is not included here).
//
// Thread safety: a PgConn is used by one thread at a time; PgPool is
// thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "shouhu/mutex.h"
#include "shouhu/status.h"

struct pg_conn;
struct pg_result;

namespace shouhu::pg {

struct ResultDeleter {
  void operator()(pg_result* r) const;
};
using Result = std::unique_ptr<pg_result, ResultDeleter>;

// The bytes of row `row`, column `col` of a result in binary format.
std::string_view Value(const pg_result* r, int row, int col);
int Rows(const pg_result* r);
bool IsNull(const pg_result* r, int row, int col);

// One prepared statement: its name, text and number of bytea parameters.
struct Statement {
  const char* name;
  const char* sql;
  int params;
  bool arrays = false;  // its parameters are bytea[] (ByteaArray), not bytea
};

// A bytea[] parameter in PostgreSQL's binary array format.
std::string ByteaArray(std::span<const std::string_view> elements);

// One statement of a pipeline: a prepared statement and its parameters.
struct Step {
  const Statement* stmt;
  std::string_view params[2];
};

class Conn {
 public:
  // Connects to `dsn` (a libpq connection string or URI; a 10 s
  // connect_timeout unless the DSN sets one). kUnavailable when the server
  // cannot be reached or refuses us.
  static StatusOr<std::unique_ptr<Conn>> Connect(const std::string& dsn);
  ~Conn();
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  pg_conn* raw() { return conn_; }
  // False when the connection is broken, including a server that closed it
  // while it was idle (a restart, a failover): reads what has arrived.
  bool Alive();
  // Idle, outside any transaction, and alive: fit to go back to a pool.
  bool Reusable();
  // The server process serving this connection (0 when not connected).
  int BackendPid();

  // Runs `sql` (no parameters) and returns its result.
  StatusOr<Result> Exec(std::string_view what, const std::string& sql);
  // Runs a prepared statement (prepared on first use on this connection)
  // with bytea parameters; results in binary format.
  StatusOr<Result> Run(std::string_view what, const Statement& stmt,
                       std::span<const std::string_view> params);
  // Runs `steps` in order as one transaction (implicit: it commits at the
  // pipeline's sync point), sent in one go without waiting for each result
  // (libpq pipeline mode). OK only when every step ran and the transaction
  // committed; on any error nothing of it is written, except that
  // *in_doubt is set when the connection broke after the steps were sent:
  // then the transaction may or may not have committed. REQUIRES: every
  // step's statement is prepared.
  Status RunPipeline(std::string_view what, std::span<const Step> steps, bool* in_doubt);
  // Prepares `stmt` on this connection unless it already is.
  Status Prepare(const Statement& stmt);

  // The error of the last failed call, as a Status: kUnavailable for a lost
  // connection, a read-only server, a shutdown, a serialization failure or
  // exhausted resources; kFailedPrecondition for a failed guard (a unique
  // violation, a fence: shouhu/store.h); kInternal for the rest (a bug, a
  // schema mismatch).
  Status Error(std::string_view what, const pg_result* r);

 private:
  explicit Conn(pg_conn* conn) : conn_(conn) {}
  pg_conn* conn_;
  std::set<std::string, std::less<>> prepared_;
};

// Connections to one DSN for the store's readers: taken for a call and given
// back after it. At most `size` are open for the pool at once: a caller that
// finds them all taken waits for one to come back (a new connection is a new
// server process, and opening one per read under load costs more than the
// read). A caller that waited `overflow_after` without one opens an extra
// connection, closed when it is given back: a scan's callback may read the
// store while its scan holds a connection, so a full pool must never make
// readers wait for each other in a circle.
class Pool {
 public:
  Pool(std::string dsn, size_t size,
       std::chrono::milliseconds overflow_after = std::chrono::milliseconds(20))
      : dsn_(std::move(dsn)), size_(size), overflow_after_(overflow_after) {}

  // A connection of this pool; goes back to it when the Lease ends, if it is
  // still fit for use.
  class Lease {
   public:
    Lease(Pool* pool, std::unique_ptr<Conn> conn, bool counted)
        : pool_(pool), conn_(std::move(conn)), counted_(counted) {}
    Lease(Lease&& other) noexcept
        : pool_(std::exchange(other.pool_, nullptr)),
          conn_(std::move(other.conn_)),
          counted_(other.counted_) {}
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    Conn* operator->() { return conn_.get(); }
    Conn& operator*() { return *conn_; }

   private:
    Pool* pool_;
    std::unique_ptr<Conn> conn_;
    bool counted_;  // one of the pool's `size`, not an overflow
  };

  // An idle connection that is still alive, else a new one (see above).
  StatusOr<Lease> Take() SHOUHU_EXCLUDES(mu_);
  const std::string& dsn() const { return dsn_; }
  // Connections open for the pool now, taken or idle (not overflows).
  size_t open() const SHOUHU_EXCLUDES(mu_);

 private:
  // A counted connection comes back: kept when fit for use, else closed.
  void Give(std::unique_ptr<Conn> conn) SHOUHU_EXCLUDES(mu_);

  const std::string dsn_;
  const size_t size_;
  const std::chrono::milliseconds overflow_after_;
  mutable Mutex mu_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<Conn>> idle_ SHOUHU_GUARDED_BY(mu_);
  size_t open_ SHOUHU_GUARDED_BY(mu_) = 0;  // counted connections, taken or idle
};

// InvalidArgument naming what is wrong when `dsn` is not a connection string
// or URI libpq can parse. Connects to nothing.
Status CheckDsn(const std::string& dsn);

}  // namespace shouhu::pg
