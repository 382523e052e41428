// The outbox dispatcher: expands outbox entries into deliveries, sends the
// due ones through their channels within each channel's limits, and records
// every outcome (see shouhu/dispatcher.h).
#include "shouhu/dispatcher.h"

#include <condition_variable>
#include <cstdio>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "dispatch/channel_limits.h"
#include "dispatch/message.h"
#include "shouhu/log.h"
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

std::string DeliveryId(uint64_t outbox_id, size_t index) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%016llu-%03zu",
                static_cast<unsigned long long>(outbox_id), index);
  return buf;
}

struct Channel {
  ChannelOptions options;
  dispatch::TokenBucket bucket;
};

class DispatcherImpl : public Dispatcher {
 public:
  DispatcherImpl(Runtime& runtime, const Catalog& catalog,
                 const OrganisationDirectory& orgs, const AccessRules& rules, const Clock& clock,
                 std::vector<ChannelOptions> channels,
                 DispatcherOptions options)
      : runtime_(runtime),
        catalog_(catalog),
        orgs_(orgs),
        rules_(rules),
        clock_(clock),
        options_(std::move(options)),
        random_(options_.seed ? options_.seed : std::random_device{}()) {
    for (ChannelOptions& c : channels) {
      dispatch::TokenBucket bucket(c.rate_per_minute, c.burst);
      std::string name = c.name;
      channels_.emplace(std::move(name), Channel{std::move(c), bucket});
    }
  }
  ~DispatcherImpl() override { Stop(); }

  StatusOr<DispatchRound> RunOnce() override;
  std::chrono::milliseconds Backoff(int attempt) override;
  void Start() override;
  void Stop() override;
  void Wake() override;

 private:
  std::vector<Delivery> Expand(const OutboxEntry& entry, Instant now);
  DeliveryOutcome Decide(const Delivery& d, const SendResult& r, Instant now);
  void Record(const Delivery& d, const DeliveryOutcome& outcome, DispatchRound& round,
              std::string_view reason = "");
  void Log(const std::string& line) {
    if (options_.log) options_.log(line);
  }

  Runtime& runtime_;
  const Catalog& catalog_;
  const OrganisationDirectory& orgs_;  // one snapshot per outbox entry
  const AccessRules& rules_;
  const Clock& clock_;
  const DispatcherOptions options_;
  std::map<std::string, Channel, std::less<>> channels_;
  std::mutex random_mu_;
  std::mt19937_64 random_;
  std::mutex round_mu_;  // one round at a time; guards the round's counters

  std::mutex loop_mu_;  // guards alarm_ and loop_
  // The loop's place to wait on the clock; made by Start, gone after Stop.
  std::unique_ptr<Alarm> alarm_;
  std::atomic<bool> stopping_{false};
  std::thread loop_;
};

std::chrono::milliseconds DispatcherImpl::Backoff(int attempt) {
  const RetryPolicy& p = options_.retry;
  double base = static_cast<double>(p.initial.count());
  for (int i = 1; i < attempt && base < static_cast<double>(p.max.count()); ++i)
    base *= 2;
  base = std::min(base, static_cast<double>(p.max.count()));
  double cut;
  {
    std::lock_guard<std::mutex> lock(random_mu_);
    cut = std::uniform_real_distribution<double>(0.0, p.jitter)(random_);
  }
  return std::chrono::milliseconds(static_cast<int64_t>(base * (1.0 - cut)));
}

std::vector<Delivery> DispatcherImpl::Expand(const OutboxEntry& entry,
                                             Instant now) {
  const json& ctx = entry.context;
  std::string problem;
  auto w = catalog_.Find(ctx.value("workflow", ""), ctx.value("version", 0));
  const TemplateDef* t = w ? w->FindTemplate(entry.template_id) : nullptr;
  if (!t) {
    problem = "模板不存在 / no template \"" + entry.template_id +
              "\" in workflow \"" + ctx.value("workflow", "") + "\" v" +
              std::to_string(ctx.value("version", 0));
  }
  std::vector<Delivery> out;
  // Who is told, and what each may read, by the organisation as it is now.
  const std::shared_ptr<const Organisation> org = orgs_.Current();
  for (const dispatch::Addressee& a :
       dispatch::ResolveRecipients(*org, entry.recipients, ctx)) {
    // The user's address on each channel. Channels on which the user has no
    // address are left out, unless none has one: then each is a dead letter.
    struct Route {
      std::string channel, contact, address;
    };
    std::vector<Route> routes;
    bool any_address = false;
    for (const std::string& channel : entry.channels) {
      auto ch = channels_.find(channel);
      std::string contact = ch != channels_.end() ? ch->second.options.contact
                                                  : DefaultContact(channel);
      std::string address =
          a.found ? dispatch::ContactOf(*a.found, contact) : "";
      any_address = any_address || !address.empty();
      routes.push_back({channel, std::move(contact), std::move(address)});
    }
    for (const auto& [channel, contact, address] : routes) {
      if (any_address && address.empty()) continue;
      // Rendered for this reader: each placeholder they may not read, as
      // the API would not show it to them, is masked.
      dispatch::RenderedMessage message;
      if (t) {
        message = dispatch::RenderMessage(
            *w, *t, ctx, org.get(),
            dispatch::ShownTo(rules_, *org, catalog_, *w, ctx, a.found, contact));
      }
      Delivery d;
      d.id = DeliveryId(entry.id, out.size());
      d.outbox_id = entry.id;
      d.case_id = entry.case_id;
      d.unit = ctx.value("unit", "");
      d.idempotency_key = entry.idempotency_key + "/" +
                          (a.user.empty() ? "-" : a.user) + "/" + channel;
      d.template_id = entry.template_id;
      d.recipient = a.user;
      d.address = address;
      d.channel = channel;
      d.urgent = entry.urgent;
      d.subject = message.subject;
      d.body = message.body;
      d.params_json = message.params_json.empty() ? "{}" : message.params_json;
      d.problem = !problem.empty() ? problem : a.problem;
      if (d.problem.empty() && address.empty()) {
        d.problem = "用户无联系方式 / user \"" + a.user +
                    "\" has no address on any of the "
                    "notification's channels";
      }
      d.next_at = now;
      d.created_at = now;
      out.push_back(std::move(d));
    }
  }
  return out;
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
  Status s = runtime_.RecordDelivery(outcome);
  if (!s.ok()) {
    ++round.errors;
    Log("dispatch: cannot record " +
        std::string(DeliveryOutcomeName(outcome.kind)) + " of delivery " +
        outcome.delivery_id + ": " + s.ToString());
    return;
  }
  telemetry::EngineTelemetry::Get().CountDelivery(d.channel, DeliveryOutcomeName(outcome.kind));
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

StatusOr<DispatchRound> DispatcherImpl::RunOnce() {
  std::lock_guard<std::mutex> round_lock(round_mu_);
  DispatchRound round;
  Instant now = clock_.Now();

  auto outbox = runtime_.Outbox(options_.batch);
  if (!outbox.ok()) return outbox.status();
  for (const OutboxEntry& entry : *outbox) {
    // One entry that cannot be expanded (its case is being written, the
    // store failed) is tried again next round; it does not hold up the rest.
    Status s = runtime_.ExpandOutbox(entry.id, Expand(entry, now));
    if (!s.ok()) {
      ++round.errors;
      Log("dispatch: cannot expand outbox entry " + std::to_string(entry.id) +
          ": " + s.ToString());
      continue;
    }
    ++round.expanded;
  }

  auto due = runtime_.DueDeliveries(now, options_.batch);
  if (!due.ok()) return due.status();
  std::map<Channel*, std::deque<Delivery>> queues;
  for (Delivery& d : *due) {
    auto ch = channels_.find(d.channel);
    if (!d.problem.empty() || ch == channels_.end()) {
      std::string why =
          !d.problem.empty()
              ? d.problem
              : "渠道未配置 / channel \"" + d.channel + "\" is not configured";
      Record(d, {d.id, Kind::kDead, why, {}}, round,
             !d.problem.empty() ? "undeliverable" : "channel_not_configured");
      continue;
    }
    Channel& c = ch->second;
    if (!d.urgent && c.options.quiet_hours &&
        c.options.quiet_hours->Contains(now)) {
      Record(d, {d.id, Kind::kDeferred, "", c.options.quiet_hours->End(now)},
             round);
      continue;
    }
    if (!c.bucket.Take(now)) {
      ++round.throttled;
      continue;
    }
    queues[&c].push_back(std::move(d));
  }

  // Each channel sends with as many threads as it has senders, at most; the
  // round waits for all of them, so its outcomes are recorded when it ends.
  std::mutex mu;
  std::vector<std::thread> workers;
  for (auto& [channel, queue] : queues) {
    size_t n = std::min(channel->options.senders.size(), queue.size());
    for (size_t i = 0; i < n; ++i) {
      Sender* sender = channel->options.senders[i].get();
      workers.emplace_back([&, sender, channel = channel, q = &queue] {
        for (;;) {
          Delivery d;
          {
            std::lock_guard<std::mutex> lock(mu);
            if (q->empty()) return;
            d = std::move(q->front());
            q->pop_front();
            ++round.attempted;
          }
          auto mapped = channel->options.template_ids.find(d.template_id);
          NotifierMessage m{d.idempotency_key,
                            d.address,
                            d.subject,
                            d.body,
                            mapped != channel->options.template_ids.end()
                                ? mapped->second
                                : d.template_id,
                            d.params_json,
                            d.urgent};
          SendResult r = sender->Send(m);
          DeliveryOutcome outcome = Decide(d, r, clock_.Now());
          DispatchRound mine;
          Record(d, outcome, mine,
                 r.code == SendResult::Code::kPermanent ? "permanent" : "retries_exhausted");
          std::lock_guard<std::mutex> lock(mu);
          round.delivered += mine.delivered;
          round.retried += mine.retried;
          round.dead += mine.dead;
          round.errors += mine.errors;
        }
      });
    }
  }
  for (std::thread& t : workers) t.join();
  return round;
}

void DispatcherImpl::Start() {
  std::lock_guard<std::mutex> lock(loop_mu_);
  if (loop_.joinable()) return;
  stopping_ = false;
  alarm_ = clock_.NewAlarm();
  loop_ = std::thread([this, alarm = alarm_.get()] {
    while (!stopping_) {
      auto round = RunOnce();
      if (!round.ok())
        Log("dispatch: round failed: " + round.status().ToString());
      // Until the next delivery is due, or at most one poll: new outbox
      // entries wake the loop (Wake), deliveries waiting for a channel's
      // rate or the end of quiet hours are found by the poll.
      Instant until = clock_.Now() + options_.poll;
      auto next = runtime_.NextDeliveryDue();
      if (next.ok() && *next) until = std::min(until, **next);
      if (stopping_) break;
      alarm->WaitUntil(until);
    }
  });
}

void DispatcherImpl::Stop() {
  std::thread loop;
  {
    std::lock_guard<std::mutex> lock(loop_mu_);
    if (!loop_.joinable()) return;
    stopping_ = true;
    alarm_->Wake();
    loop = std::move(loop_);
  }
  // Joined without loop_mu_: a commit of the loop's own that woke it
  // (Wake takes loop_mu_) must not wait for this.
  loop.join();
  std::lock_guard<std::mutex> lock(loop_mu_);
  alarm_.reset();
}

void DispatcherImpl::Wake() {
  std::lock_guard<std::mutex> lock(loop_mu_);
  if (alarm_) alarm_->Wake();
}

}  // namespace

std::unique_ptr<Sender> NotifierSender(std::unique_ptr<Notifier> notifier) {
  return std::make_unique<PluginSender>(std::move(notifier));
}

StatusOr<std::unique_ptr<Dispatcher>> Dispatcher::Create(
    Runtime& runtime, const Catalog& catalog, const OrganisationDirectory& orgs,
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
      runtime, catalog, orgs, rules, clock, std::move(channels), std::move(options)));
}

}  // namespace shouhu
