// LeaseHolder over PostgreSQL (shouhu/leases.h): the shouhu_leases table of
// schema migration 2, one connection of its own for the renewals.
//
// Thread safety: Held reads held_ under mu_ (a leaf); RenewOnce and the
// renewing thread are serialised by renew_mu_, taken before mu_ and never
// while mu_ is held. Lock order: run_mu_ (Start, Stop), renew_mu_, mu_.
#include <unistd.h>

#include <map>
#include <random>
#include <thread>

#include "shouhu/leases.h"
#include "shouhu/log.h"
#include "shouhu/mutex.h"
#include "store/pg_conn.h"

namespace shouhu {
namespace {

// Takes the lease when it is free, expired by the server's clock, or ours
// (then the epoch stays: the same holder goes on); else changes nothing and
// returns no row.
const pg::Statement kAcquire{
    "shouhu_lease_acquire",
    "INSERT INTO shouhu_leases AS l (name, owner, epoch, expires_at) "
    "VALUES (convert_from($1, 'UTF8'), convert_from($2, 'UTF8'), 1, "
    "now() + convert_from($3, 'UTF8')::bigint * interval '1 millisecond') "
    "ON CONFLICT (name) DO UPDATE SET owner = EXCLUDED.owner, "
    "epoch = CASE WHEN l.owner = EXCLUDED.owner THEN l.epoch ELSE l.epoch + 1 END, "
    "expires_at = EXCLUDED.expires_at "
    "WHERE l.owner = EXCLUDED.owner OR l.expires_at < now() "
    "RETURNING epoch::text",
    3};
const pg::Statement kRelease{"shouhu_lease_release",
                             "UPDATE shouhu_leases SET expires_at = now() - interval '1 "
                             "millisecond' WHERE owner = convert_from($1, 'UTF8')",
                             1};

class PgLeases final : public LeaseHolder {
 public:
  PgLeases(std::string dsn, const Clock& clock, std::string owner,
           std::vector<std::string> names, LeaseOptions options)
      : dsn_(std::move(dsn)),
        clock_(clock),
        owner_(std::move(owner)),
        names_(std::move(names)),
        options_(options),
        alarm_(clock.NewAlarm()) {}
  ~PgLeases() override { Stop(false); }

  std::optional<uint64_t> Held(std::string_view name) const override SHOUHU_EXCLUDES(mu_) {
    MutexLock lock(mu_);
    auto it = held_.find(name);
    if (it == held_.end() || clock_.Steady() >= it->second.valid_until) return std::nullopt;
    return it->second.epoch;
  }
  bool shared() const override { return true; }
  const std::string& owner() const override { return owner_; }

  Status RenewOnce() override SHOUHU_EXCLUDES(renew_mu_, mu_) {
    MutexLock renewing(renew_mu_);
    Status first = Status::Ok();
    for (const std::string& name : names_) {
      Status s = RenewLocked(name);
      if (!s.ok() && first.ok()) first = s;
    }
    return first;
  }

  void Start() override SHOUHU_EXCLUDES(run_mu_) {
    MutexLock lock(run_mu_);
    if (thread_.joinable()) return;
    stop_ = false;
    thread_ = std::thread([this] {
      log::NameThread("shouhu-leases");
      Run();
    });
  }

  void Stop(bool release) override SHOUHU_EXCLUDES(run_mu_, renew_mu_, mu_) {
    {
      MutexLock lock(run_mu_);
      if (thread_.joinable()) {
        stop_ = true;
        alarm_->Wake();
        thread_.join();
      }
    }
    if (!release) return;
    MutexLock renewing(renew_mu_);
    {
      MutexLock lock(mu_);
      held_.clear();
    }
    if (!EnsureConn().ok()) return;
    const std::string_view params[] = {owner_};
    auto r = conn_->Run("lease release", kRelease, params);
    if (!r.ok()) conn_.reset();
  }

 private:
  struct Hold {
    uint64_t epoch;
    std::chrono::steady_clock::time_point valid_until;
  };

  void Run() {
    while (!stop_) {
      Status s = RenewOnce();
      if (!s.ok()) {
        log::Warning("lease renewal failed 租约续期失败",
                     {{"event", "lease_renew_failed"}, {"status", s.ToString()}});
      }
      if (stop_) break;
      alarm_->WaitUntil(clock_.Now() + options_.renew);
    }
  }

  Status EnsureConn() SHOUHU_REQUIRES(renew_mu_) {
    if (conn_ && conn_->Reusable()) return Status::Ok();
    conn_.reset();
    auto conn = pg::Conn::Connect(dsn_);
    if (!conn.ok()) return conn.status();
    // A renewal that hangs past the ttl is worth nothing: give up on it.
    auto set = (*conn)->Exec("lease", "SET statement_timeout = " +
                                          std::to_string(options_.ttl.count()));
    if (!set.ok()) return set.status();
    conn_ = std::move(*conn);
    return Status::Ok();
  }

  Status RenewLocked(const std::string& name) SHOUHU_REQUIRES(renew_mu_) SHOUHU_EXCLUDES(mu_) {
    // Measured from before the request leaves: the server's expiry is at
    // least `ttl` after this.
    const auto sent = clock_.Steady();
    SHOUHU_RETURN_IF_ERROR(EnsureConn());
    const std::string ttl = std::to_string(options_.ttl.count());
    const std::string_view params[] = {name, owner_, ttl};
    auto r = conn_->Run("lease " + name, kAcquire, params);
    if (!r.ok()) {
      conn_.reset();
      return r.status();  // what is held runs out by itself
    }
    MutexLock lock(mu_);
    if (pg::Rows(r->get()) == 0) {
      if (held_.erase(name) > 0) {
        log::Warning("lease lost 租约被其他节点取得: " + name,
                     {{"event", "lease_lost"}, {"lease", name}});
      }
      return Status::Ok();
    }
    const uint64_t epoch = std::stoull(std::string(pg::Value(r->get(), 0, 0)));
    auto [it, added] = held_.insert_or_assign(
        name, Hold{epoch, sent + options_.ttl - options_.margin});
    (void)it;
    if (added) {
      log::Info("lease taken 取得租约: " + name,
                {{"event", "lease_taken"}, {"lease", name}, {"epoch", epoch}});
    }
    return Status::Ok();
  }

  const std::string dsn_;
  const Clock& clock_;
  const std::string owner_;
  const std::vector<std::string> names_;
  const LeaseOptions options_;
  std::unique_ptr<Alarm> alarm_;
  std::atomic<bool> stop_{false};
  Mutex run_mu_;
  std::thread thread_ SHOUHU_GUARDED_BY(run_mu_);
  Mutex renew_mu_ SHOUHU_ACQUIRED_BEFORE(mu_);
  std::unique_ptr<pg::Conn> conn_ SHOUHU_GUARDED_BY(renew_mu_);
  mutable Mutex mu_;
  std::map<std::string, Hold, std::less<>> held_ SHOUHU_GUARDED_BY(mu_);
};

}  // namespace

StatusOr<std::unique_ptr<LeaseHolder>> OpenPostgresLeases(const std::string& dsn,
                                                          const Clock& clock, std::string owner,
                                                          std::vector<std::string> names,
                                                          LeaseOptions options) {
  if (options.ttl <= options.renew + options.margin || options.renew.count() <= 0 ||
      options.margin.count() < 0) {
    return InvalidArgument("leases: need 0 < renew and renew + margin < ttl 租约参数无效");
  }
  if (owner.empty()) return InvalidArgument("leases: empty owner");
  auto holder =
      std::make_unique<PgLeases>(dsn, clock, std::move(owner), std::move(names), options);
  // Reachable now, or refuse to start; leases another node holds are fine.
  Status first = holder->RenewOnce();
  if (!first.ok()) return first;
  return std::unique_ptr<LeaseHolder>(std::move(holder));
}

std::string UniqueLeaseOwner() {
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  std::random_device rd;
  return std::string(host) + ":" + std::to_string(getpid()) + ":" + std::to_string(rd());
}

}  // namespace shouhu
