// Leases: work that one node at a time may do when several shouhud nodes
// share one store (a PostgreSQL database): firing one shard's timers,
// dispatching the outbox. A node does such work only while Held says it
// holds the lease, and every commit of that work carries the lease's fence
// (Mutation::Fence(name, epoch), shouhu/store.h), which the store refuses
// once another node has taken the lease. So a node that stalls past its
// lease (a pause, a lost network) may finish a commit too late, but that
// commit is refused instead of repeating what the new holder does.
//
// Thread safety: every implementation is safe to call from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shouhu/clock.h"
#include "shouhu/status.h"

namespace shouhu {

class Leases {
 public:
  virtual ~Leases() = default;
  // The epoch under which this node holds `name` now, with time to spare
  // for a commit; nullopt when it does not (another node does, or the last
  // renewal is too old). Reads memory only: cheap enough for every batch.
  virtual std::optional<uint64_t> Held(std::string_view name) const = 0;
  // True when other nodes may write the same store: timers armed on
  // another node must be looked for in the store's index (TimerLoop).
  virtual bool shared() const = 0;
};

// One process's store (RocksDB): every lease is held, at epoch 0, and no
// fence is needed.
std::unique_ptr<Leases> LocalLeases();

// The lease of timer shard `index` of `count` (TimerShard), and the
// outbox's. Every node of one store must run the same number of timer
// threads, or their shards (and leases) would not line up.
inline std::string TimerLeaseName(unsigned index, unsigned count) {
  return "timers/" + std::to_string(index) + "-of-" + std::to_string(count);
}
inline constexpr std::string_view kOutboxLease = "outbox";

// How a node holds its leases in a shared store: the time-to-live the
// server gives each acquisition or renewal (by its own clock), how often
// the node renews, and the margin before the end of the ttl at which the
// node stops the work (measured on its own monotonic clock from when it
// sent the renewal, so it has stopped before another node can start).
// REQUIRES: renew + margin < ttl.
struct LeaseOptions {
  std::chrono::milliseconds ttl{10'000};
  std::chrono::milliseconds renew{3'000};
  std::chrono::milliseconds margin{2'000};
};

// Leases held in a PostgreSQL database (its shouhu_leases table, made by
// the store's schema): a lease is taken when it is free or its holder let
// its ttl pass, by a conditional write that compares expiry times on the
// server's clock only, so the nodes' clocks need not agree; each change of
// holder raises the lease's epoch. Held answers from memory: a lease
// counts as held until `ttl - margin` after the renewal that was last
// answered was sent, on the clock's monotonic reading (Clock::Steady).
class LeaseHolder : public Leases {
 public:
  // Renews (or takes) every lease once, now. OK when the server answered
  // each; a lease another node holds is simply not held.
  [[nodiscard]] virtual Status RenewOnce() = 0;
  // Renews on a thread every `renew` (waiting on the clock) until Stop.
  virtual void Start() = 0;
  // Stops renewing; with `release`, gives the leases up at once (their
  // expiry set to the server's now) so another node takes them without
  // waiting out the ttl. REQUIRES for `release`: this node's work under
  // them has stopped. Idempotent.
  virtual void Stop(bool release) = 0;
  virtual const std::string& owner() const = 0;
};

// Leases `names` for `owner` (unique to this process: host, pid and a
// random part make one) in the database `dsn`. kUnavailable when it cannot
// be reached; kInvalidArgument for options that break renew + margin < ttl.
// REQUIRES: clock outlives the holder; the schema is migrated (the store
// was opened).
StatusOr<std::unique_ptr<LeaseHolder>> OpenPostgresLeases(const std::string& dsn,
                                                          const Clock& clock, std::string owner,
                                                          std::vector<std::string> names,
                                                          LeaseOptions options = {});

// "host:pid:random": an owner name no other process uses.
std::string UniqueLeaseOwner();

}  // namespace shouhu
