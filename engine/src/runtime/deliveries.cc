// Delivery state of outbox notifications: the runtime's side of the outbox
// dispatcher (expanding outbox entries into deliveries, the due-time queue,
// one batch per attempt outcome), the dead letters and their re-drive.
//
// A delivery's attempt is written under its case's lock, as one batch with
// the case's "delivery" history entry, so the history and the delivery state
// never disagree. A delivered delivery leaves the store in that batch: after
// a crash only what was not recorded as delivered is sent again.
#include <algorithm>

#include "runtime/codec.h"
#include "runtime/runtime_impl.h"

namespace shouhu {
namespace {

using json = nlohmann::json;

StatusOr<Delivery> ReadDelivery(Store& store, const std::string& id) {
  auto v = store.Get(codec::DeliveryKey(id));
  if (!v.ok()) {
    if (v.status().code() == StatusCode::kNotFound) {
      return NotFound("no pending delivery \"" + id + "\"");
    }
    return v.status();
  }
  return codec::DecodeDelivery(*v);
}

json HistoryData(const Delivery& d, std::string_view outcome) {
  return {{"delivery", d.id},
          {"outbox", d.outbox_id},
          {"idempotency_key", d.idempotency_key},
          {"template", d.template_id},
          {"recipient", d.recipient},
          {"channel", d.channel},
          {"attempt", d.attempts},
          {"outcome", outcome}};
}

// The fingerprint version 1 stored for a re-drive, before re-drives went
// through the command pipeline: records it wrote (kept for
// RuntimeOptions::request_retention) are still answered on a retry.
std::string LegacyRedriveFingerprint(const RedriveDeadLetter& cmd) {
  return "redrive\n" + cmd.actor.user + "\n" + cmd.dead_letter_id;
}

}  // namespace

std::string_view DeliveryOutcomeName(DeliveryOutcome::Kind kind) {
  switch (kind) {
    case DeliveryOutcome::Kind::kDelivered:
      return "delivered";
    case DeliveryOutcome::Kind::kRetry:
      return "retry";
    case DeliveryOutcome::Kind::kDead:
      return "dead";
    case DeliveryOutcome::Kind::kDeferred:
      return "deferred";
  }
  return "unknown";
}

Status RuntimeImpl::RecoverOutboxHighWater() {
  auto v = store_.Get(codec::kOutboxHighWaterKey);
  if (!v.ok()) {
    return v.status().code() == StatusCode::kNotFound ? Status::Ok()
                                                      : v.status();
  }
  uint64_t high = codec::DecodeBigEndian(*v);
  uint64_t now = next_outbox_.load();
  next_outbox_.store(std::max(now, high));
  return Status::Ok();
}

Status RuntimeImpl::ExpandOutbox(uint64_t outbox_id,
                                 const std::vector<Delivery>& deliveries) {
  auto entry = store_.Get(codec::OutboxKey(outbox_id));
  if (!entry.ok()) return entry.status();
  auto o = ReadOutboxEntry(outbox_id, *entry);
  if (!o.ok()) return o.status();
  // The case's lock keeps this batch apart from its attempts' batches.
  HandoffLock case_lock(CaseLock(o->case_id));
  std::vector<Mutation> batch;
  for (const Delivery& d : deliveries) {
    if (d.id.empty() || d.case_id != o->case_id || d.outbox_id != outbox_id) {
      return InvalidArgument("delivery \"" + d.id +
                             "\" does not belong to outbox entry " +
                             std::to_string(outbox_id));
    }
    batch.push_back(
        Mutation::Put(codec::DeliveryKey(d.id), codec::EncodeDelivery(d)));
    batch.push_back(Mutation::Put(codec::DeliveryDueKey(d.next_at, d.id), ""));
  }
  batch.push_back(Mutation::Delete(codec::OutboxKey(outbox_id)));
  auto fence = OutboxFence();
  if (!fence.ok()) return fence.status();
  if (*fence) batch.push_back(std::move(**fence));
  // Outbox ids are recovered from the greatest remaining o/ key; this keeps
  // an expanded entry's id from being handed out again after a restart.
  batch.push_back(Mutation::Put(std::string(codec::kOutboxHighWaterKey),
                                codec::EncodeBigEndian(outbox_id)));
  auto old_high = store_.Get(codec::kOutboxHighWaterKey);
  if (old_high.ok() && codec::DecodeBigEndian(*old_high) > outbox_id)
    batch.pop_back();
  return store_.Commit(std::move(batch));
}

StatusOr<std::vector<Delivery>> RuntimeImpl::DueDeliveries(Instant now,
                                                           size_t limit) {
  std::vector<std::string> ids;
  std::string end = codec::DeliveryDueKeyUpperBound(now);
  Status s = store_.Scan(
      codec::kDeliveryDuePrefix, "",
      [&](std::string_view key, std::string_view) {
        if (key >= end || ids.size() >= limit) return false;
        ids.emplace_back(key.substr(codec::kDeliveryDuePrefix.size() + 8));
        return true;
      });
  SHOUHU_RETURN_IF_ERROR(s);
  std::vector<Delivery> out;
  for (const std::string& id : ids) {
    auto d = ReadDelivery(store_, id);
    if (!d.ok()) {
      if (d.status().code() == StatusCode::kNotFound) continue;  // just done
      return d.status();
    }
    if (!d->dead) out.push_back(std::move(*d));
  }
  return out;
}

StatusOr<std::optional<Instant>> RuntimeImpl::NextDeliveryDue() {
  std::optional<Instant> next;
  Status s = store_.Scan(codec::kDeliveryDuePrefix, "",
                         [&](std::string_view key, std::string_view) {
                           next = codec::DeliveryDueKeyDue(key);
                           return false;
                         });
  SHOUHU_RETURN_IF_ERROR(s);
  return next;
}

Status RuntimeImpl::RecordDelivery(const DeliveryOutcome& outcome) {
  using Kind = DeliveryOutcome::Kind;
  auto peek = ReadDelivery(store_, outcome.delivery_id);
  if (!peek.ok()) return peek.status();
  if (outcome.kind == Kind::kDeferred) {
    // Only its place in the queue moves: no attempt, no history entry.
    HandoffLock case_lock(CaseLock(peek->case_id));
    auto d = ReadDelivery(store_, outcome.delivery_id);  // again, under the lock
    if (!d.ok()) return d.status();
    if (d->dead) return NotFound("delivery \"" + d->id + "\" is a dead letter");
    std::vector<Mutation> batch;
    batch.push_back(Mutation::Delete(codec::DeliveryDueKey(d->next_at, d->id)));
    d->next_at = outcome.next_at;
    batch.push_back(Mutation::Put(codec::DeliveryDueKey(d->next_at, d->id), ""));
    batch.push_back(Mutation::Put(codec::DeliveryKey(d->id), codec::EncodeDelivery(*d)));
    auto fence = OutboxFence();
    if (!fence.ok()) return fence.status();
    if (*fence) batch.push_back(std::move(**fence));
    return store_.Commit(std::move(batch));
  }

  // The runtime's own command: no request id (the delivery's state makes it
  // idempotent: a recorded attempt leaves it no longer pending).
  CaseCommand command{{}, SystemActor(""), peek->case_id};
  command.audit_action = "delivery";
  command.own = true;
  command.apply = [&](const Workflow&, CaseChange& change) -> Status {
    auto d = ReadDelivery(store_, outcome.delivery_id);  // again, under the lock
    if (!d.ok()) return d.status();
    if (d->dead) return NotFound("delivery \"" + d->id + "\" is a dead letter");
    auto fence = OutboxFence();
    if (!fence.ok()) return fence.status();
    if (*fence) change.AddMutation(std::move(**fence));
    change.AddMutation(Mutation::Delete(codec::DeliveryDueKey(d->next_at, d->id)));
    ++d->attempts;
    d->last_error = outcome.error;
    json data = HistoryData(*d, DeliveryOutcomeName(outcome.kind));
    if (!outcome.error.empty()) data["error"] = outcome.error;
    switch (outcome.kind) {
      case Kind::kDelivered:
        change.AddMutation(Mutation::Delete(codec::DeliveryKey(d->id)));
        break;
      case Kind::kRetry:
        d->next_at = outcome.next_at;
        data["next_at"] = FormatInstant(d->next_at);
        change.AddMutation(Mutation::Put(codec::DeliveryDueKey(d->next_at, d->id), ""));
        change.AddMutation(Mutation::Put(codec::DeliveryKey(d->id), codec::EncodeDelivery(*d)));
        break;
      case Kind::kDead: {
        d->dead = true;
        change.AddMutation(Mutation::Put(codec::DeliveryKey(d->id), codec::EncodeDelivery(*d)));
        DeadLetter dl{d->id,          d->case_id,   d->outbox_id, d->idempotency_key,
                      d->template_id, d->recipient, d->unit,      d->channel,
                      outcome.error,  d->attempts,  change.now()};
        change.AddMutation(
            Mutation::Put(codec::DeadLetterKey(d->id), codec::EncodeDeadLetter(dl)));
        break;
      }
      case Kind::kDeferred:
        break;
    }
    change.AddHistory("delivery", d->channel, std::move(data));
    return Status::Ok();
  };
  return RunOnCase(command).status();
}

StatusOr<std::vector<DeadLetter>> RuntimeImpl::DeadLetters(
    const std::string& after, size_t limit) {
  std::vector<DeadLetter> out;
  limit = std::clamp<size_t>(limit, 1, 1000);
  Status decode_error;
  std::string start = after.empty() ? "" : codec::DeadLetterKey(after) + '\0';
  Status s = store_.Scan(codec::kDeadLetterPrefix, start,
                         [&](std::string_view, std::string_view value) {
                           auto d = codec::DecodeDeadLetter(value);
                           if (!d.ok()) {
                             decode_error = d.status();
                             return false;
                           }
                           out.push_back(std::move(*d));
                           return out.size() < limit;
                         });
  SHOUHU_RETURN_IF_ERROR(s);
  SHOUHU_RETURN_IF_ERROR(decode_error);
  return out;
}

StatusOr<CommandResult> RuntimeImpl::Redrive(const RedriveDeadLetter& cmd) {
  auto fingerprint = Fingerprint({"redrive", cmd.actor.user, cmd.dead_letter_id});
  if (!fingerprint.ok()) return fingerprint.status();
  auto not_found = [&] { return NotFound("no dead letter \"" + cmd.dead_letter_id + "\""); };
  CaseCommand command{{cmd.request_id, *fingerprint, LegacyRedriveFingerprint(cmd)}, cmd.actor};
  command.audit_action = "redrive";
  command.fills_outbox = true;  // the delivery is due now
  command.locate = [&]() -> StatusOr<std::string> {
    auto d = ReadDelivery(store_, cmd.dead_letter_id);
    if (d.ok() && d->dead) return d->case_id;
    if (!d.ok() && d.status().code() != StatusCode::kNotFound) return d.status();
    return not_found();
  };
  command.apply = [&](const Workflow&, CaseChange& change) -> Status {
    auto d = ReadDelivery(store_, cmd.dead_letter_id);  // again, under the lock
    if (!d.ok() || !d->dead) return not_found();
    json data = HistoryData(*d, "redriven");
    data["previous_error"] = d->last_error;
    // Another round of attempts, with the same idempotency key.
    d->dead = false;
    d->attempts = 0;
    d->last_error.clear();
    d->next_at = change.now();
    change.AddHistory("delivery", d->channel, std::move(data));
    change.AddMutation(Mutation::Delete(codec::DeadLetterKey(d->id)));
    change.AddMutation(Mutation::Put(codec::DeliveryKey(d->id), codec::EncodeDelivery(*d)));
    change.AddMutation(Mutation::Put(codec::DeliveryDueKey(d->next_at, d->id), ""));
    return Status::Ok();
  };
  return RunOnCase(command);
}

}  // namespace shouhu
