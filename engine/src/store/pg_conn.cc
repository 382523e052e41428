#include "store/pg_conn.h"

#include <libpq-fe.h>

#include <poll.h>

#include <string>
#include <utility>

namespace shouhu::pg {
namespace {

constexpr Oid kByteaOid = 17;
constexpr Oid kByteaArrayOid = 1001;

void PutInt32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}

// libpq prints server notices (e.g. "relation already exists, skipping") on
// standard error by default; the store has nothing to say about them.
void IgnoreNotice(void*, const char*) {}

std::string Trimmed(const char* message) {
  std::string s = message ? message : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

void ResultDeleter::operator()(pg_result* r) const { PQclear(r); }

std::string_view Value(const pg_result* r, int row, int col) {
  return {PQgetvalue(r, row, col), static_cast<size_t>(PQgetlength(r, row, col))};
}
int Rows(const pg_result* r) { return PQntuples(r); }
bool IsNull(const pg_result* r, int row, int col) { return PQgetisnull(r, row, col) != 0; }

StatusOr<std::unique_ptr<Conn>> Conn::Connect(const std::string& dsn) {
  // Later keywords override earlier ones, and the DSN is expanded where
  // "dbname" stands: so its own connect_timeout wins over ours.
  const char* keys[] = {"connect_timeout", "dbname", nullptr};
  const char* values[] = {"10", dsn.c_str(), nullptr};
  PGconn* raw = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (raw == nullptr) return Unavailable("postgres: out of memory connecting");
  if (PQstatus(raw) != CONNECTION_OK) {
    std::string message = Trimmed(PQerrorMessage(raw));
    PQfinish(raw);
    return Unavailable("postgres: cannot connect 无法连接数据库: " + message);
  }
  PQsetNoticeProcessor(raw, IgnoreNotice, nullptr);
  return std::unique_ptr<Conn>(new Conn(raw));
}

Conn::~Conn() { PQfinish(conn_); }

bool Conn::Alive() {
  if (PQstatus(conn_) != CONNECTION_OK) return false;
  // Reads whatever the server sent while we were idle. A server that ends
  // the session sends an error, then closes: the first read may take only
  // the error, the second meets the end of the stream and marks the
  // connection bad (neither blocks: libpq's socket is non-blocking).
  for (int i = 0; i < 2; ++i) {
    if (PQconsumeInput(conn_) == 0) return false;
  }
  return PQstatus(conn_) == CONNECTION_OK;
}

int Conn::BackendPid() { return PQbackendPID(conn_); }

bool Conn::Reusable() {
  return PQtransactionStatus(conn_) == PQTRANS_IDLE && Alive();
}

Status Conn::Error(std::string_view what, const pg_result* r) {
  std::string message = std::string("postgres: ") + std::string(what) + ": ";
  if (PQstatus(conn_) != CONNECTION_OK) {
    return Unavailable(message + "connection lost 数据库连接中断: " +
                       Trimmed(PQerrorMessage(conn_)));
  }
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  const std::string sqlstate = state ? state : "";
  message += r ? Trimmed(PQresultErrorMessage(r)) : Trimmed(PQerrorMessage(conn_));
  if (!sqlstate.empty()) message += " (SQLSTATE " + sqlstate + ")";
  // A batch's guard (shouhu/store.h): a create-only write met a record
  // (unique violation), or its lease moved on (shouhu_fence).
  if (sqlstate == "23505") return FailedPrecondition(message + "; a concurrent change came first");
  if (sqlstate == "SH001") return FailedPrecondition(message + "; the lease moved on 租约已失效");
  if (sqlstate == "25006") {
    return Unavailable(message + "; the server is read-only 数据库只读");
  }
  // Connection exceptions (08), serialization failures and deadlocks (40),
  // exhausted resources (53), operator intervention: shutdown, cancel (57),
  // system errors (58): worth retrying.
  for (const char* transient : {"08", "40", "53", "57", "58"}) {
    if (sqlstate.starts_with(transient)) return Unavailable(message);
  }
  if (sqlstate.empty()) return Unavailable(message);
  return Internal(message);
}

StatusOr<Result> Conn::Exec(std::string_view what, const std::string& sql) {
  Result r(PQexec(conn_, sql.c_str()));
  const ExecStatusType status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return Error(what, r.get());
  return r;
}

std::string ByteaArray(std::span<const std::string_view> elements) {
  // array_send: dimensions, a has-nulls flag, the element type; each
  // dimension's size and lower bound; then each element's length and bytes.
  size_t bytes = 20;
  for (std::string_view e : elements) bytes += 4 + e.size();
  std::string out;
  out.reserve(bytes);
  PutInt32(out, 1);
  PutInt32(out, 0);
  PutInt32(out, kByteaOid);
  PutInt32(out, static_cast<uint32_t>(elements.size()));
  PutInt32(out, 1);
  for (std::string_view e : elements) {
    PutInt32(out, static_cast<uint32_t>(e.size()));
    out.append(e);
  }
  return out;
}

Status Conn::Prepare(const Statement& stmt) {
  if (prepared_.contains(stmt.name)) return Status::Ok();
  const Oid element = stmt.arrays ? kByteaArrayOid : kByteaOid;
  const Oid types[] = {element, element, element};
  Result r(PQprepare(conn_, stmt.name, stmt.sql, stmt.params, types));
  if (!r || PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
    return Error(std::string("prepare ") + stmt.name, r.get());
  }
  prepared_.emplace(stmt.name);
  return Status::Ok();
}

StatusOr<Result> Conn::Run(std::string_view what, const Statement& stmt,
                           std::span<const std::string_view> params) {
  SHOUHU_RETURN_IF_ERROR(Prepare(stmt));
  const char* values[3];
  int lengths[3];
  const int formats[3] = {1, 1, 1};
  for (size_t i = 0; i < params.size() && i < 3; ++i) {
    values[i] = params[i].data();
    lengths[i] = static_cast<int>(params[i].size());
  }
  Result r(PQexecPrepared(conn_, stmt.name, stmt.params, values, lengths, formats,
                          /*resultFormat=*/1));
  const ExecStatusType status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return Error(what, r.get());
  return r;
}

Status Conn::RunPipeline(std::string_view what, std::span<const Step> steps,
                         bool* in_doubt) {
  *in_doubt = false;
  if (PQenterPipelineMode(conn_) != 1) return Error(what, nullptr);
  // Non-blocking while sending: a large group must not fill the socket both
  // ways (the server blocked writing results we do not read yet).
  PQsetnonblocking(conn_, 1);
  auto done = [&](Status s) {
    if (PQexitPipelineMode(conn_) != 1) {
      // Only a broken connection leaves results unread; the caller drops it.
      if (s.ok()) s = Unavailable("postgres: " + std::string(what) + ": pipeline not drained");
    }
    PQsetnonblocking(conn_, 0);
    return s;
  };
  const int formats[2] = {1, 1};
  for (const Step& step : steps) {
    const char* values[2] = {step.params[0].data(), step.params[1].data()};
    const int lengths[2] = {static_cast<int>(step.params[0].size()),
                            static_cast<int>(step.params[1].size())};
    if (PQsendQueryPrepared(conn_, step.stmt->name, step.stmt->params, values, lengths,
                            formats, /*resultFormat=*/0) != 1) {
      return done(Error(what, nullptr));
    }
  }
  if (PQpipelineSync(conn_) != 1) return done(Error(what, nullptr));
  // From here the server may commit: a connection lost before its answer
  // leaves the outcome unknown.
  auto lost = [&] {
    *in_doubt = true;
    return done(Unavailable("postgres: " + std::string(what) +
                            ": connection lost before the commit was confirmed, it may or may "
                            "not have been written 提交结果未知: " +
                            Trimmed(PQerrorMessage(conn_))));
  };
  for (;;) {
    const int flushed = PQflush(conn_);
    if (flushed < 0) return lost();
    if (flushed == 0) break;
    pollfd fd{PQsocket(conn_), POLLIN | POLLOUT, 0};
    if (poll(&fd, 1, -1) < 0) continue;  // EINTR
    if ((fd.revents & POLLIN) && PQconsumeInput(conn_) != 1) return lost();
  }
  Status first_error = Status::Ok();
  for (size_t i = 0; i < steps.size(); ++i) {
    Result r(PQgetResult(conn_));
    if (PQstatus(conn_) != CONNECTION_OK || !r) return lost();
    const ExecStatusType status = PQresultStatus(r.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK &&
        status != PGRES_PIPELINE_ABORTED && first_error.ok()) {
      first_error = Error(what, r.get());
    }
    Result end(PQgetResult(conn_));  // the NULL that ends each statement's results
    if (PQstatus(conn_) != CONNECTION_OK) return lost();
  }
  // The sync point, where the transaction commits (or reports why not).
  for (;;) {
    Result r(PQgetResult(conn_));
    if (PQstatus(conn_) != CONNECTION_OK || !r) return lost();
    const ExecStatusType status = PQresultStatus(r.get());
    if (status == PGRES_PIPELINE_SYNC) break;
    if (first_error.ok()) first_error = Error(what, r.get());
  }
  return done(first_error);
}

Pool::Lease::~Lease() {
  if (!pool_ || !counted_) return;  // moved from, or an overflow: closed here
  pool_->Give(std::move(conn_));
}

StatusOr<Pool::Lease> Pool::Take() {
  MutexLock lock(mu_);
  const auto give_up = std::chrono::steady_clock::now() + overflow_after_;
  for (;;) {
    while (!idle_.empty()) {
      std::unique_ptr<Conn> conn = std::move(idle_.back());
      idle_.pop_back();
      // One the server closed while it sat idle is dropped, not handed out:
      // after a server restart the next call works at once.
      if (conn->Alive()) return Lease(this, std::move(conn), true);
      --open_;
    }
    if (open_ < size_) break;
    if (returned_.wait_until(lock.native(), give_up) == std::cv_status::timeout &&
        idle_.empty()) {
      lock.Unlock();
      auto extra = Conn::Connect(dsn_);
      if (!extra.ok()) return extra.status();
      return Lease(nullptr, std::move(*extra), false);
    }
  }
  ++open_;  // counted before connecting, so others wait rather than open more
  lock.Unlock();
  auto conn = Conn::Connect(dsn_);
  if (!conn.ok()) {
    lock.Lock();
    --open_;
    returned_.notify_one();
    return conn.status();
  }
  return Lease(this, std::move(*conn), true);
}

void Pool::Give(std::unique_ptr<Conn> conn) {
  const bool fit = conn && conn->Reusable();
  MutexLock lock(mu_);
  if (fit) {
    idle_.push_back(std::move(conn));
  } else {
    --open_;
  }
  returned_.notify_one();
}

size_t Pool::open() const {
  MutexLock lock(mu_);
  return open_;
}

Status CheckDsn(const std::string& dsn) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(dsn.c_str(), &error);
  if (options == nullptr) {
    std::string message = error ? Trimmed(error) : "out of memory";
    PQfreemem(error);
    return InvalidArgument("not a PostgreSQL connection string 数据库连接串无效: " + message);
  }
  PQconninfoFree(options);
  return Status::Ok();
}

}  // namespace shouhu::pg
