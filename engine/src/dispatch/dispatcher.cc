// The outbox dispatcher: expands outbox entries into deliveries, hands the
// due ones to their channels' pools within each channel's limits, and
// records every outcome (see shouhu/dispatcher.h, which lists the locks).
#include "shouhu/dispatcher.h"

#include <map>
#include <random>
#include <thread>
#include <vector>

#include "dispatch/channel_limits.h"
#include "dispatch/channel_pool.h"
#include "dispatch/message.h"
#include "shouhu/log.h"
#include "shouhu/mutex.h"
#include "shouhu/telemetry.h"

namespace shouhu {
namespace {

using json = nlohmann::json;
using Kind = DeliveryOutcome::Kind;

class PluginSender : public Sender {
 public:
  explicit PluginSender(std::unique_ptr<Notifier> n)
      : notifier_(std::move(n)) {}
  SendResult Send(const NotifierMessage& m) override {
    return notifier_->Send(m);
  }

 private:
  std::unique_ptr<Notifier> notifier_;
};

struct Channel {
  ChannelOptions options;
  dispatch::TokenBucket bucket;  // the scheduler's, under round_mu_
  std::unique_ptr<dispatch::ChannelPool> pool;
};

class DispatcherImpl : public Dispatcher {
 public:
  DispatcherImpl(OutboxService& outbox, const Catalog& catalog,
                 const OrganisationDirectory& orgs, const AccessRules& rules, const Clock& clock,
                 std::vector<ChannelOptions> channels,
                 DispatcherOptions options)
      : outbox_(outbox),
        catalog_(catalog),
        orgs_(orgs),
        rules_(rules),
        clock_(clock),
        options_(std::move(options)),
        random_(options_.seed ? options_.seed : std::random_device{}()) {
    for (ChannelOptions& c : channels) {
      dispatch::TokenBucket bucket(c.rate_per_minute, c.burst);
      std::string name = c.name;
      auto [it, added] = channels_.emplace(std::move(name), Channel{std::move(c), bucket, nullptr});
      Channel& channel = it->second;
      channel.pool = std::make_unique<dispatch::ChannelPool>(
          channel.options.senders, clock_,
          [this, &channel](Sender& sender, const Delivery& d, DispatchRound& tally) {
            Send(channel, sender, d, tally);
          },
          [this] { Wake(); });
      channel.pool->Start();
    }
  }
  ~DispatcherImpl() override { Stop(); }

  StatusOr<DispatchRound> RunOnce() override;
  std::chrono::milliseconds Backoff(int attempt) override;
  void Start() override;
  void Stop() override;
  void Wake() override;

 private:
  // Expands the outbox and hands the due deliveries to the pools; `tally`
  // (may be null) hears of each handed over.
  StatusOr<DispatchRound> Schedule(const std::shared_ptr<dispatch::RoundTally>& tally);
  // One attempt of `d` on a pool thread, and its outcome recorded.
  void Send(Channel& channel, Sender& sender, const Delivery& d, DispatchRound& tally);
  void StartPools();
  void StopPools();
  DeliveryOutcome Decide(const Delivery& d, const SendResult& r, Instant now);
  void Record(const Delivery& d, const DeliveryOutcome& outcome, DispatchRound& round,
              std::string_view reason = "");
  void Log(const std::string& line) {
    if (options_.log) options_.log(line);
  }

  OutboxService& outbox_;
  const Catalog& catalog_;
  const OrganisationDirectory& orgs_;  // one snapshot per outbox entry
  const AccessRules& rules_;
  const Clock& clock_;
  const DispatcherOptions options_;
  std::map<std::string, Channel, std::less<>> channels_;
  Mutex random_mu_;
  std::mt19937_64 random_ SHOUHU_GUARDED_BY(random_mu_);
  // One round at a time: guards the channels' token buckets and the pools'
  // scans (BeginScan .. Offer). Taken before a pool's lock.
  Mutex round_mu_;

  Mutex loop_mu_;
  // The loop's place to wait on the clock; made by Start, gone after Stop.
  std::unique_ptr<Alarm> alarm_ SHOUHU_GUARDED_BY(loop_mu_);
  std::atomic<bool> stopping_{false};
  std::thread loop_ SHOUHU_GUARDED_BY(loop_mu_);
};

std::chrono::milliseconds DispatcherImpl::Backoff(int attempt) {
  const RetryPolicy& p = options_.retry;
  double base = static_cast<double>(p.initial.count());
  for (int i = 1; i < attempt && base < static_cast<double>(p.max.count()); ++i)
    base *= 2;
  base = std::min(base, static_cast<double>(p.max.count()));
  double cut;
  {
    MutexLock lock(random_mu_);
    cut = std::uniform_real_distribution<double>(0.0, p.jitter)(random_);
  }
  return std::chrono::milliseconds(static_cast<int64_t>(base * (1.0 - cut)));
}

DeliveryOutcome DispatcherImpl::Decide(const Delivery& d, const SendResult& r,
                                       Instant now) {
  DeliveryOutcome o{d.id, Kind::kDelivered, r.message, {}};
  if (r.code == SendResult::Code::kOk) return o;
  if (r.code == SendResult::Code::kPermanent) {
    o.kind = Kind::kDead;
    o.error = "永久失败 / permanent failure: " + r.message;
    return o;
  }
  int attempts = d.attempts + 1;
  if (attempts >= options_.retry.max_attempts) {
    o.kind = Kind::kDead;
    o.error = "重试次数已用尽 / retries exhausted after " +
              std::to_string(attempts) + " attempts: " + r.message;
    return o;
  }
  o.kind = Kind::kRetry;
  o.next_at = now + Backoff(attempts);
  return o;
}

// Records the outcome, counts it for /metrics and logs failures. The log
// names the case, delivery, channel and recipient by id only: the address,
// the message and the peer's answer (which may echo either) stay in the
// delivery's record, for those allowed to read it (shouhu/log.h).
void DispatcherImpl::Record(const Delivery& d, const DeliveryOutcome& outcome,
                            DispatchRound& round, std::string_view reason) {
  Status s = outbox_.RecordDelivery(outcome);
  if (!s.ok()) {
    ++round.errors;
    Log("dispatch: cannot record " +
        std::string(DeliveryOutcomeName(outcome.kind)) + " of delivery " +
        outcome.delivery_id + ": " + s.ToString());
    return;
  }
  telemetry::EngineTelemetry::Get().CountDelivery(d.channel, DeliveryOutcomeName(outcome.kind));
  if (options_.on_recorded) options_.on_recorded(d, outcome);
  const int attempt = d.attempts + 1;
  if (outcome.kind == Kind::kRetry) {
    log::Warning("delivery failed, will retry 投递失败，将重试",
                 {{"event", "delivery_failed"}, {"case", d.case_id}, {"delivery", d.id},
                  {"channel", d.channel}, {"recipient", d.recipient}, {"attempt", attempt},
                  {"code", "retry"},
                  {"retry_in_ms", std::chrono::duration_cast<std::chrono::milliseconds>(
                                      outcome.next_at - clock_.Now()).count()}});
  } else if (outcome.kind == Kind::kDead) {
    log::Error("dead letter 死信",
               {{"event", "dead_letter"}, {"case", d.case_id}, {"delivery", d.id},
                {"channel", d.channel}, {"recipient", d.recipient}, {"attempt", attempt},
                {"reason", reason}});
  } else if (outcome.kind == Kind::kDelivered) {
    log::Debug("delivered 已送达", {{"event", "delivered"}, {"case", d.case_id},
                                  {"delivery", d.id}, {"channel", d.channel},
                                  {"attempt", attempt}});
  }
  switch (outcome.kind) {
    case Kind::kDelivered:
      ++round.delivered;
      break;
    case Kind::kRetry:
      ++round.retried;
      break;
    case Kind::kDead:
      ++round.dead;
      break;
    case Kind::kDeferred:
      ++round.deferred;
      break;
  }
}

StatusOr<DispatchRound> DispatcherImpl::Schedule(
    const std::shared_ptr<dispatch::RoundTally>& tally) {
  MutexLock round_lock(round_mu_);
  DispatchRound round;
  Instant now = clock_.Now();
  // Another node dispatches the outbox while it holds the lease.
  if (options_.leases && !options_.leases->Held(kOutboxLease)) return round;

  auto outbox = outbox_.Outbox(options_.batch);
  if (!outbox.ok()) return outbox.status();
  auto contact_of = [this](const std::string& channel) {
    auto ch = channels_.find(channel);
    return ch != channels_.end() ? ch->second.options.contact : DefaultContact(channel);
  };
  for (const OutboxEntry& entry : *outbox) {
    // One entry that cannot be expanded (its case is being written, the
    // store failed) is tried again next round; it does not hold up the rest.
    // Who is told, and what each may read, by the organisation as it is now.
    const std::shared_ptr<const Organisation> org = orgs_.Current();
    Status s = outbox_.ExpandOutbox(
        entry.id, dispatch::ExpandEntry(entry, now, catalog_, *org, rules_, contact_of));
    if (!s.ok()) {
      ++round.errors;
      Log("dispatch: cannot expand outbox entry " + std::to_string(entry.id) + ": " +
          s.ToString());
      continue;
    }
    ++round.expanded;
  }

  // Deliveries the pools hold are still due in the store: the scan reaches
  // past them to a batch of others.
  size_t in_hand = 0;
  for (auto& [name, c] : channels_) {
    c.pool->BeginScan();
    in_hand += c.pool->InHand();
  }
  auto due = outbox_.DueDeliveries(now, options_.batch + in_hand);
  if (!due.ok()) return due.status();
  for (Delivery& d : *due) {
    auto ch = channels_.find(d.channel);
    if (!d.problem.empty() || ch == channels_.end()) {
      std::string why = !d.problem.empty()
                            ? d.problem
                            : "渠道未配置 / channel \"" + d.channel + "\" is not configured";
      Record(d, {d.id, Kind::kDead, why, {}}, round,
             !d.problem.empty() ? "undeliverable" : "channel_not_configured");
      continue;
    }
    Channel& c = ch->second;
    // Being sent, or sent since the scan began: not again.
    if (c.pool->Holds(d.id)) continue;
    // A channel's queue is kept to a batch: the rest stay due for later.
    if (c.pool->InHand() >= options_.batch) continue;
    if (!d.urgent && c.options.quiet_hours && c.options.quiet_hours->Contains(now)) {
      Record(d, {d.id, Kind::kDeferred, "", c.options.quiet_hours->End(now)}, round);
      continue;
    }
    if (!c.bucket.Take(now)) {
      ++round.throttled;
      continue;
    }
    c.pool->Offer(std::move(d), tally);
  }
  return round;
}

void DispatcherImpl::Send(Channel& channel, Sender& sender, const Delivery& d,
                          DispatchRound& tally) {
  // The outbox's lease went to another node since the round handed this
  // over: it stays due in the store for that node to send.
  if (options_.leases && !options_.leases->Held(kOutboxLease)) return;
  ++tally.attempted;
  auto mapped = channel.options.template_ids.find(d.template_id);
  NotifierMessage m{d.idempotency_key,
                    d.address,
                    d.subject,
                    d.body,
                    mapped != channel.options.template_ids.end() ? mapped->second : d.template_id,
                    d.params_json,
                    d.urgent};
  SendResult r = sender.Send(m);
  DeliveryOutcome outcome = Decide(d, r, clock_.Now());
  Record(d, outcome, tally,
         r.code == SendResult::Code::kPermanent ? "permanent" : "retries_exhausted");
}

StatusOr<DispatchRound> DispatcherImpl::RunOnce() {
  StartPools();
  auto tally = std::make_shared<dispatch::RoundTally>();
  auto round = Schedule(tally);
  // The deliveries handed over are sent and recorded whatever the scan did
  // afterwards: wait for them either way.
  DispatchRound sent;
  tally->Wait(sent);
  if (!round.ok()) return round.status();
  round->attempted += sent.attempted;
  round->delivered += sent.delivered;
  round->retried += sent.retried;
  round->dead += sent.dead;
  round->errors += sent.errors;
  return round;
}

void DispatcherImpl::StartPools() {
  for (auto& [name, c] : channels_) c.pool->Start();
}

void DispatcherImpl::StopPools() {
  for (auto& [name, c] : channels_) c.pool->Stop();
}

void DispatcherImpl::Start() {
  StartPools();
  MutexLock lock(loop_mu_);
  if (loop_.joinable()) return;
  stopping_ = false;
  alarm_ = clock_.NewAlarm();
  loop_ = std::thread([this, alarm = alarm_.get()] {
    log::NameThread("shouhu-outbox");
    while (!stopping_) {
      auto round = Schedule(nullptr);
      if (!round.ok()) Log("dispatch: round failed: " + round.status().ToString());
      // Until the next delivery is due, or at most one poll: new outbox
      // entries wake the loop (Wake), and so does a pool that has sent all
      // it was handed; deliveries waiting for a channel's rate or the end of
      // quiet hours are found by the poll. A due delivery a pool holds does
      // not make the loop spin: its time has passed already.
      Instant now = clock_.Now();
      Instant until = now + options_.poll;
      auto next = outbox_.NextDeliveryDue();
      if (next.ok() && *next && **next > now) until = std::min(until, **next);
      if (stopping_) break;
      alarm->WaitUntil(until);
    }
  });
}

void DispatcherImpl::Stop() {
  std::thread loop;
  {
    MutexLock lock(loop_mu_);
    if (loop_.joinable()) {
      stopping_ = true;
      alarm_->Wake();
      loop = std::move(loop_);
    }
  }
  // Joined without loop_mu_: a commit of the loop's own that woke it
  // (Wake takes loop_mu_) must not wait for this; nor a pool thread that
  // wakes the loop when it has sent all it held.
  if (loop.joinable()) loop.join();
  StopPools();
  MutexLock lock(loop_mu_);
  alarm_.reset();
}

void DispatcherImpl::Wake() {
  MutexLock lock(loop_mu_);
  if (alarm_) alarm_->Wake();
}

}  // namespace

std::unique_ptr<Sender> NotifierSender(std::unique_ptr<Notifier> notifier) {
  return std::make_unique<PluginSender>(std::move(notifier));
}

StatusOr<std::unique_ptr<Dispatcher>> Dispatcher::Create(
    OutboxService& outbox, const Catalog& catalog, const OrganisationDirectory& orgs,
    const AccessRules& rules, const Clock& clock, std::vector<ChannelOptions> channels,
    DispatcherOptions options) {
  std::map<std::string, int> seen;
  for (const ChannelOptions& c : channels) {
    if (c.name.empty()) return InvalidArgument("a channel needs a name");
    if (seen[c.name]++)
      return InvalidArgument("channel \"" + c.name + "\" is configured twice");
    if (c.senders.empty()) {
      return InvalidArgument("channel \"" + c.name +
                             "\" has no sender (concurrency 0)");
    }
    if (!IsContactKind(c.contact)) {
      return InvalidArgument("channel \"" + c.name +
                             "\": contact must be email, phone, webhook, wecom or dingtalk");
    }
    if (c.rate_per_minute < 0 || c.burst < 1) {
      return InvalidArgument("channel \"" + c.name +
                             "\": rate must be >= 0 and burst >= 1");
    }
  }
  const RetryPolicy& r = options.retry;
  if (r.initial.count() <= 0 || r.max < r.initial || r.max_attempts < 1 ||
      r.jitter < 0 || r.jitter > 1) {
    return InvalidArgument(
        "retry policy: need 0 < initial <= max, max_attempts >= 1, 0 <= jitter "
        "<= 1");
  }
  if (options.batch == 0) options.batch = 1;
  return std::unique_ptr<Dispatcher>(new DispatcherImpl(
      outbox, catalog, orgs, rules, clock, std::move(channels), std::move(options)));
}

}  // namespace shouhu
