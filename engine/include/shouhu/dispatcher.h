// The outbox dispatcher: delivers the notifications that transitions and
// escalations leave in the runtime's outbox.
//
// Threads: each channel has its own pool of sending threads, one per
// Sender (its concurrency cap), kept from Create until the dispatcher is
// destroyed (Stop ends them; Start or RunOnce starts them again). A
// scheduler (RunOnce, or the loop Start runs until Stop) expands the outbox
// and hands each due delivery to its channel's pool; a send is recorded by
// the thread that made it. A channel whose peer stalls therefore holds up
// none of the others. The loop waits on an alarm of the clock, woken by
// Wake (the commit that fills the outbox), by a pool that has sent all it
// was handed, or when the next delivery falls due.
//
// Thread safety: every method is safe from any thread; rounds (RunOnce and
// the loop's) are serialised. Locks (dispatcher.cc, dispatch/channel_pool.h),
// in the order taken: the round lock; then a pool's queue lock, then an
// alarm's own lock. The loop lock (Start, Stop, Wake) is taken alone. No
// lock of the dispatcher is held while a Sender sends or while the runtime
// records an outcome.
//
// Each outbox entry is expanded, once, into deliveries: one per recipient
// user and channel on which the user has an address (a user with an address
// on none of them gets dead letters), with the message rendered from the
// workflow's template
// (Chinese first, then English) and the idempotency key
// "<outbox key>/<user>/<channel>". Each delivery's message is rendered for
// its reader: a placeholder whose field the recipient may not see in the
// API (shouhu/case_access.h), or may not be shown on that channel's kind of
// address (AccessRules::ContactShows: a webhook posts to a group chat), is
// masked. Each delivery is then attempted through
// its channel's plugin until the peer accepts it (delivered), it fails for
// good (permanent failure, or retries exhausted: a dead letter), or it is
// re-driven from the dead letters. Every attempt is one atomic batch with a
// "delivery" entry in the case's history; after a crash, what was not
// recorded as delivered is sent again with the same key.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "shouhu/access.h"
#include "shouhu/catalog.h"
#include "shouhu/clock.h"
#include "shouhu/leases.h"
#include "shouhu/notifier.h"
#include "shouhu/org_directory.h"
#include "shouhu/outbox_service.h"
#include "shouhu/status.h"

namespace shouhu {

// One sending slot of a channel. Production wraps a plugin instance
// (NotifierSender); tests may pass their own.
class Sender {
 public:
  virtual ~Sender() = default;
  // One attempt; never throws.
  virtual SendResult Send(const NotifierMessage& message) = 0;
};

// A Sender over one instance of a notifier plugin.
std::unique_ptr<Sender> NotifierSender(std::unique_ptr<Notifier> notifier);

// When retry-later outcomes are tried again: attempt n+1 comes
// min(max, initial * 2^(n-1)) after attempt n, shortened by a random part of
// up to `jitter` of it, so a burst of failures does not retry in lockstep.
struct RetryPolicy {
  std::chrono::milliseconds initial{std::chrono::seconds(30)};
  std::chrono::milliseconds max{std::chrono::hours(1)};
  int max_attempts = 10;  // then the delivery is a dead letter
  double jitter = 0.2;    // 0 to 1
};

// Hours in which a channel sends nothing but urgent messages; the others wait
// until the end. Minutes of the local day at utc_offset; start > end spans
// midnight (22:00-07:00).
struct QuietHours {
  int start_minute = 22 * 60;
  int end_minute = 7 * 60;
  std::chrono::minutes utc_offset{8 * 60};
  bool Contains(Instant at) const;
  Instant End(Instant at) const;  // REQUIRES: Contains(at)
};

// The contact a channel uses unless configured otherwise: sms → "phone",
// email → "email", wecom → "wecom", anything else → "webhook".
std::string DefaultContact(std::string_view channel);
// The user fields a channel can address: email, phone, webhook, wecom.
bool IsContactKind(std::string_view contact);

struct ChannelOptions {
  std::string name;  // "email", "sms", "webhook", as the workflows name it
  // The user field that is the address on this channel: "email", "phone"
  // or "webhook".
  std::string contact;
  // One per message that may be in flight at once on this channel: their
  // number is the channel's concurrency cap. REQUIRES: not empty.
  std::vector<std::unique_ptr<Sender>> senders;
  // Messages per minute (token bucket of `burst`); 0 means no limit.
  double rate_per_minute = 0;
  int burst = 1;
  std::optional<QuietHours> quiet_hours;
  // The provider's template id for a workflow template id (SMS providers
  // send only registered templates); templates not listed keep their id.
  std::map<std::string, std::string> template_ids;
};

struct DispatcherOptions {
  RetryPolicy retry;
  size_t batch = 256;  // outbox entries and due deliveries per round
  uint64_t seed = 0;   // for the jitter; 0 = from the system's entropy
  // How long the background thread waits at most between rounds.
  std::chrono::milliseconds poll{250};
  std::function<void(const std::string&)> log;  // one line, no newline
  // Called after each outcome the runtime recorded (from the thread that
  // recorded it, no lock of the dispatcher held): for observers and tests.
  std::function<void(const Delivery&, const DeliveryOutcome&)> on_recorded;
  // Several nodes on one store (shouhu/leases.h): rounds run and sends are
  // made only while this node holds the outbox's lease (kOutboxLease); the
  // runtime fences each expansion and record with it. Null: always. A send
  // made just before the lease moved may be made again by the next holder,
  // with the same idempotency key. REQUIRES: outlives the dispatcher.
  const Leases* leases = nullptr;
};

// What one round did.
struct DispatchRound {
  size_t expanded = 0;   // outbox entries expanded into deliveries
  size_t attempted = 0;  // sends made
  size_t delivered = 0;
  size_t retried = 0;
  size_t dead = 0;       // new dead letters
  size_t deferred = 0;   // held back by quiet hours
  size_t throttled = 0;  // due but over the channel's rate, left due
  size_t errors = 0;  // outcomes the store could not record (sent again later)
};

class Dispatcher {
 public:
  // REQUIRES: outbox, catalog, orgs, rules and clock outlive it. Each
  // outbox entry is expanded with the organisation as it is then. Errors:
  // kInvalidArgument for a channel without senders, a duplicate channel, an
  // unknown contact or a bad retry policy.
  static StatusOr<std::unique_ptr<Dispatcher>> Create(
      OutboxService& outbox, const Catalog& catalog, const OrganisationDirectory& orgs,
      const AccessRules& rules, const Clock& clock, std::vector<ChannelOptions> channels,
      DispatcherOptions options = {});
  virtual ~Dispatcher() = default;

  // Expands the outbox, then hands every delivery due at the clock's now to
  // its channel's pool (within rate limits and quiet hours; one the pools
  // still hold is not handed over twice), waits until those it handed over
  // are sent and their outcomes recorded, and says what they came to.
  virtual StatusOr<DispatchRound> RunOnce() = 0;

  // The delay before the attempt after failed attempt `attempt` (1-based).
  virtual std::chrono::milliseconds Backoff(int attempt) = 0;

  // Runs rounds on a thread until Stop (the daemon), waiting on the clock
  // between them; a round hands deliveries to the pools and does not wait
  // for their sends. Idempotent. Stop lets each pool thread finish the send
  // in hand; deliveries queued behind it stay due in the store.
  virtual void Start() = 0;
  virtual void Stop() = 0;
  // Starts the next round now (new outbox entries: the runtime's
  // on_outbox_filled). Safe from any thread; nothing when not started.
  virtual void Wake() = 0;
};

}  // namespace shouhu
