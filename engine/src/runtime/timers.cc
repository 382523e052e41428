// Firing due timers: each batch of firings and all their effects commit as
// one atomic write, and the fired timers' index keys are deleted in that same
// write, so after a crash a timer has fired at most once in effect.
#include <algorithm>
#include <iterator>
#include <cstdio>
#include <set>
#include <tuple>

#include "runtime/codec.h"
#include "runtime/runtime_impl.h"
#include "shouhu/log.h"
#include "shouhu/telemetry.h"

namespace shouhu {

using json = nlohmann::json;

namespace {

// Holds the case locks of a batch, taken in stripe order (the order of the
// array) so that two batches, or a batch and a command, never deadlock. A
// set known only at run time, which clang's analysis cannot follow.
class StripeLocks {
 public:
  explicit StripeLocks(std::vector<HandoffMutex*> locks) SHOUHU_NO_THREAD_SAFETY_ANALYSIS
      : locks_(std::move(locks)) {
    std::sort(locks_.begin(), locks_.end());
    locks_.erase(std::unique(locks_.begin(), locks_.end()), locks_.end());
    for (HandoffMutex* m : locks_) m->lock();
  }
  ~StripeLocks() SHOUHU_NO_THREAD_SAFETY_ANALYSIS {
    for (auto it = locks_.rbegin(); it != locks_.rend(); ++it) (*it)->unlock();
  }
  StripeLocks(const StripeLocks&) = delete;
  StripeLocks& operator=(const StripeLocks&) = delete;

 private:
  std::vector<HandoffMutex*> locks_;
};

}  // namespace


void RuntimeImpl::Quarantine(const std::string& case_id,
                             const std::vector<std::string>& keys,
                             const Status& why, Instant now,
                             std::vector<Mutation>* batch) {
  for (const std::string& k : keys) {
    codec::TimerKeyParts p;
    if (!codec::ParseTimerKey(k, &p) || p.case_id != case_id) continue;
    batch->push_back(Mutation::Delete(k));
    batch->push_back(Mutation::Put(
        codec::QuarantineKey(k),
        codec::EncodeJson({{"case", case_id},
                           {"timer", p.timer},
                           {"due", FormatInstant(p.due)},
                           {"reason", why.ToString()},
                           {"at", FormatInstant(now)}})));
    log::Error("case " + case_id + " is unreadable (" + why.ToString() + "); its timer \"" +
                   p.timer + "\" due " + FormatInstant(p.due) +
                   " is quarantined (under q/) and will not fire until the case is repaired",
               {{"event", "timer_quarantined"}, {"case", case_id}, {"timer", p.timer}});
  }
  AuditRecord audit;
  audit.at = now;
  audit.user = std::string(kSystemRole);
  audit.origin = "timer";
  audit.action = "timer.quarantine";
  audit.case_id = case_id;
  batch->push_back(Mutation::ChainedAppend(std::string(codec::kAuditPrefix),
                                           codec::EncodeAudit(audit)));
}

TimerWindow::KeyFilter RuntimeImpl::ShardFilter(TimerShard shard) const {
  if (shard.count <= 1) return nullptr;
  return [this, shard](std::string_view key) {
    codec::TimerKeyParts p;
    if (!codec::ParseTimerKey(key, &p)) return shard.index == 0;
    return CaseStripe(p.case_id) % shard.count == shard.index;
  };
}

std::optional<Instant> RuntimeImpl::NextDue(TimerShard shard) {
  auto next = window_.NextDue(clock_.Now(), ShardFilter(shard));
  return next.ok() ? *next : std::nullopt;
}

StatusOr<size_t> RuntimeImpl::FireDueTimers(TimerShard shard) {
  const TimerWindow::KeyFilter take = ShardFilter(shard);
  const std::string lease = TimerLeaseName(shard.index, shard.count);
  const bool shared = StoreShared();
  // Timers another node armed are only in the store's index.
  if (shared) window_.Forget();
  MaybeResyncCounters();
  constexpr int kConflictRetries = 4;
  int conflicts = 0;
  size_t fired_total = 0;
  for (;;) {
    // Fires only under the shard's lease, checked at each batch; the
    // batch's fence makes the store refuse it if the lease moved on since.
    std::optional<uint64_t> epoch = options_.leases ? options_.leases->Held(lease) : 0;
    if (!epoch) return fired_total;
    Instant now = clock_.Now();
    std::vector<std::string> keys;
    SHOUHU_RETURN_IF_ERROR(window_.TakeDue(now, options_.timer_batch, &keys, take));
    if (keys.empty()) return fired_total;

    // The batch's cases, in the order of their oldest due timer, so that
    // the batch's notifications are queued oldest first too.
    std::vector<std::string> case_order;
    std::set<std::string, std::less<>> seen;
    for (const std::string& k : keys) {
      codec::TimerKeyParts p;
      if (codec::ParseTimerKey(k, &p) && seen.insert(p.case_id).second) {
        case_order.push_back(std::move(p.case_id));
      }
    }
    std::vector<HandoffMutex*> stripes;
    for (const std::string& case_id : case_order) stripes.push_back(&CaseLock(case_id));
    StripeLocks locks(std::move(stripes));
    // Read the time again now that the cases are locked: waiting for a lock
    // may take a while, and a firing stamped with the earlier time would
    // land in a case's history after a command that happened later.
    now = clock_.Now();

    bool notifies = false;
    std::vector<Mutation> batch;
    batch.reserve(keys.size() * 10);  // about 8 writes per firing
    if (shared) batch.push_back(Mutation::Fence(lease, *epoch));
    std::vector<std::string> armed;
    std::vector<Instant> fired_dues;
    // Escalation steps fired, logged and counted once committed.
    struct Escalated {
      std::string case_id, workflow, chain;
      int step;
    };
    std::vector<Escalated> escalated;
    size_t fired = 0;
    std::vector<StatusOr<CaseRecord>> cases = GetCases(case_order);
    for (size_t ci = 0; ci < case_order.size(); ++ci) {
      const std::string& case_id = case_order[ci];
      StatusOr<CaseRecord>& c = cases[ci];
      if (!c.ok()) {
        if (c.status().code() == StatusCode::kNotFound) continue;  // stale
        if (c.status().code() == StatusCode::kInternal) {
          // One corrupt record must not stop every other case's timers.
          Quarantine(case_id, keys, c.status(), now, &batch);
          continue;
        }
        for (const std::string& k : keys) window_.Add(k);
        return c.status();
      }
      auto w = catalog_.Find(c->workflow_id, c->workflow_version);
      if (!w) continue;  // version not loaded: keep the index entry for later
      CaseChange change(*w, CalendarOf(*w), *c, *c, now, SystemActor("timer"));
      if (options_.firing_records) change.UseFiringRecord();
      bool any = false;
      // Every timer of the case due now fires here, oldest first, not only
      // those whose keys this batch took: another timer thread may hold the
      // key of an older one (taken at an earlier now, and still waiting for
      // this case's lock), and a later timer that leaves the state must not
      // overtake it and cancel it. That thread then finds it fired already.
      std::vector<ArmedTimer> due;
      for (const ArmedTimer& t : c->timers) {
        if (t.due <= now) due.push_back(t);
      }
      std::sort(due.begin(), due.end(),
                [](const ArmedTimer& a, const ArmedTimer& b) {
                  return std::tie(a.due, a.name) < std::tie(b.due, b.name);
                });
      for (const ArmedTimer& p : due) {
        // Only a timer still armed, with the same due time, fires; one
        // whose state was left (even by an earlier timer in this batch)
        // never does.
        const auto& live = change.record().timers;
        auto it = std::find_if(live.begin(), live.end(), [&](const ArmedTimer& t) {
          return t.name == p.name && t.due == p.due;
        });
        if (it == live.end()) continue;
        ArmedTimer timer = *it;
        any = true;
        ++fired;
        fired_dues.push_back(timer.due);
        const TimerDef* def = change.ConsumeTimer(timer);
        if (!timer.chain.empty()) {
          if (const EscalationDef* chain = w->FindEscalation(timer.chain)) {
            change.RunEscalationStep(*chain, timer.step, timer.chain_started);
          }
          continue;
        }
        if (!def) continue;
        change.AddHistory("timer", timer.name, {{"due", FormatInstant(timer.due)}});
        if (!def->escalation.empty()) {
          if (const EscalationDef* chain = w->FindEscalation(def->escalation)) {
            change.StartEscalation(*chain, timer.due);
          }
        } else if (const EventDef* e = w->FindEvent(def->fire_event)) {
          Status s = ApplyEvent(*w, *e, json::object(), change, &options_.unit_type);
          if (!s.ok()) {
            change.AddHistory("timer_skipped", e->id, {{"reason", s.message()}});
          }
        }
      }
      if (!any) continue;
      for (const HistoryEntry& h : change.history()) {
        if (h.kind == "escalation") {
          escalated.push_back({case_id, c->workflow_id, h.name, h.data.value("step", 0)});
        }
      }
      auto outbox_ids = OutboxIds(change.notifications());
      if (!outbox_ids.ok()) {
        for (const std::string& k : keys) window_.Add(k);
        return outbox_ids.status();
      }
      notifies = notifies || change.notifications() > 0;
      auto m = change.Render(*outbox_ids, "timer", {});
      batch.insert(batch.end(), std::make_move_iterator(m.begin()),
                   std::make_move_iterator(m.end()));
      for (const ArmedTimer& t : change.newly_armed()) {
        armed.push_back(codec::TimerKey(t.due, case_id, t.name));
      }
    }
    if (batch.size() == (shared ? 1u : 0u)) batch.clear();  // nothing fired: only the fence
    PutsUnlessShared(batch);
    Status s = store_.Commit(std::move(batch));
    if (!s.ok()) {
      for (const std::string& k : keys) window_.Add(k);  // try again later
      NoteConflict(s);
      // Another node wrote first (one of these cases, or an outbox id it
      // handed out too): read the cases and the counters again, and retry
      // at once, a few times. A lease that moved on is refused each time.
      if (s.code() == StatusCode::kFailedPrecondition && ++conflicts < kConflictRetries) {
        MaybeResyncCounters();
        continue;
      }
      return s;
    }
    if (notifies) OutboxFilled();
    for (const std::string& k : armed) TimerArmed(k);
    telemetry::EngineTelemetry::Get().CountEscalations(escalated.size());
    for (const Escalated& e : escalated) {
      log::Info("escalation fired 已升级督办",
                {{"event", "escalation_fired"}, {"case", e.case_id}, {"workflow", e.workflow},
                 {"escalation", e.chain}, {"step", e.step}});
    }
    if (options_.on_timers_fired && !fired_dues.empty()) {
      options_.on_timers_fired(fired_dues);
    }
    fired_total += fired;
  }
}

}  // namespace shouhu
