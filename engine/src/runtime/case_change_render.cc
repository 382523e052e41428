// A CaseChange rendered as the mutations of its one batch (case_change.h):
// the case record, its history, the due-time index following its armed
// timers, the secondary indexes and the reports' fact rows, its outbox
// entries, its audit record, and the writes it carries for others.
#include <algorithm>

#include "runtime/case_change.h"
#include "runtime/codec.h"
#include "runtime/report_facts.h"

namespace shouhu {

std::vector<Mutation> CaseChange::Render(const std::function<uint64_t()>& next_outbox_id,
                                         const std::string& audit_action,
                                         std::vector<Mutation> extra) {
  std::vector<Mutation> m;
  m.reserve(8 + history_.size() + outbox_.size() + extra.size());
  m.push_back(Mutation::Put(codec::CaseKey(after_.id), codec::EncodeCase(after_)));
  // A firing record holds the history and the notifications once; the
  // outbox entries point into it and the audit record holds its digest.
  // History entries are written create-only: two changes of one case made
  // at once (on two nodes sharing the store) both number their entry after
  // the same last_seq, and the store refuses the second, so neither
  // overwrites the other (a conflict, kFailedPrecondition).
  const bool firing = firing_record_ && !history_.empty();
  std::string firing_digest;
  if (firing) {
    std::string record = codec::EncodeFiring({history_, outbox_});
    firing_digest = codec::FiringDigest(record);
    m.push_back(Mutation::Insert(codec::HistoryKey(after_.id, history_.front().seq),
                                 std::move(record)));
  } else {
    for (const HistoryEntry& h : history_) {
      m.push_back(Mutation::Insert(codec::HistoryKey(after_.id, h.seq),
                                   codec::EncodeHistory(h)));
    }
  }
  // The due-time index follows the case's armed timers exactly.
  const std::vector<ArmedTimer> none;
  const auto& old_timers = before_ ? before_->timers : none;
  for (const ArmedTimer& t : old_timers) {
    if (std::find(after_.timers.begin(), after_.timers.end(), t) ==
        after_.timers.end()) {
      m.push_back(Mutation::Delete(codec::TimerKey(t.due, after_.id, t.name)));
    }
  }
  for (const ArmedTimer& t : after_.timers) {
    if (std::find(old_timers.begin(), old_timers.end(), t) == old_timers.end()) {
      m.push_back(Mutation::Put(codec::TimerKey(t.due, after_.id, t.name),
                                std::string(1, codec::kFormatV1)));
    }
  }
  // Secondary indexes: delete what no longer holds, put what now holds.
  auto reindex = [&](bool had, const std::string& old_key, bool has,
                     const std::string& new_key) {
    if (had && (!has || old_key != new_key)) m.push_back(Mutation::Delete(old_key));
    if (has && (!had || old_key != new_key)) m.push_back(Mutation::Put(new_key, ""));
  };
  const CaseRecord* b = before_ ? &*before_ : nullptr;
  reindex(b, b ? codec::ByStateKey(b->workflow_id, b->state, b->id) : "", true,
          codec::ByStateKey(after_.workflow_id, after_.state, after_.id));
  reindex(b && !b->owner.empty(), b ? codec::ByOwnerKey(b->owner, b->id) : "",
          !after_.owner.empty(), codec::ByOwnerKey(after_.owner, after_.id));
  reindex(b, b ? codec::ByUnitKey(b->unit, b->id) : "", true,
          codec::ByUnitKey(after_.unit, after_.id));
  reindex(b && b->overdue, codec::OverdueKey(after_.id), after_.overdue,
          codec::OverdueKey(after_.id));
  // The reports' fact rows (shouhu/reports.h): open now, opened, closed,
  // and the obligations this change measured.
  {
    namespace rf = report_facts;
    std::string open_before = b ? rf::OpenKey(wf_, *b) : "";
    std::string open_after = rf::OpenKey(wf_, after_);
    reindex(!open_before.empty(), open_before, !open_after.empty(), open_after);
    if (!b) m.push_back(Mutation::Put(rf::OpenedKey(wf_, after_, now_, calendar_), ""));
    if (rf::IsTerminal(wf_, after_.state) && (!b || !rf::IsTerminal(wf_, b->state))) {
      for (std::string& k : rf::ClosedKeys(wf_, after_, now_, calendar_)) {
        m.push_back(Mutation::Put(std::move(k), ""));
      }
    }
    std::string month = rf::MonthOf(now_, calendar_);
    for (size_t i = 0; i < measured_.size(); ++i) {
      const auto& [measure, on_time] = measured_[i];
      for (const std::string& who : rf::MeasuredFor(*measure, after_)) {
        m.push_back(Mutation::Put(
            rf::Key(after_.unit, 'm',
                    {month, after_.workflow_id, measure->id, on_time ? "on_time" : "late", who,
                     after_.id, std::to_string(after_.last_seq) + "." + std::to_string(i)}),
            ""));
      }
    }
  }
  // Reporters only join: the first at opening, others as their reports join.
  if (!b) m.push_back(Mutation::Put(codec::ByReporterKey(after_.reporter, after_.id), ""));
  for (size_t i = b ? b->joined_reporters.size() : 0; i < after_.joined_reporters.size(); ++i) {
    m.push_back(Mutation::Put(codec::ByReporterKey(after_.joined_reporters[i], after_.id), ""));
  }
  for (size_t n = 0; n < outbox_.size(); ++n) {
    OutboxEntry& o = outbox_[n];
    o.id = next_outbox_id();
    // Create-only too: an id another node handed out is refused, never
    // overwritten (a lost notification).
    m.push_back(Mutation::Insert(
        codec::OutboxKey(o.id),
        firing ? codec::EncodeOutboxRef({after_.id, history_.front().seq, n})
               : codec::EncodeOutbox(o)));
  }
  AuditRecord audit;
  audit.at = now_;
  audit.user = actor_.user;
  audit.unit = actor_.unit;
  audit.origin = actor_.origin;
  audit.action = audit_action;
  audit.case_id = after_.id;
  audit.case_seq = after_.last_seq;
  if (firing) {
    audit.firing_seq = history_.front().seq;
    audit.firing_sha256 = std::move(firing_digest);
  }
  m.push_back(Mutation::ChainedAppend(std::string(codec::kAuditPrefix),
                                      codec::EncodeAudit(audit)));
  for (Mutation& x : extra_) m.push_back(std::move(x));
  extra_.clear();
  for (Mutation& x : extra) m.push_back(std::move(x));
  return m;
}

}  // namespace shouhu
