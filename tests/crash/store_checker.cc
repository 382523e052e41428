#include "store_checker.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "case_replay.h"
#include "runtime/codec.h"
#include "runtime/report_facts.h"

namespace shouhu::crash {
namespace {

using json = nlohmann::json;

// Every record of the store, decoded and grouped by case.
struct Records {
  std::map<std::string, CaseRecord> cases;
  std::map<std::string, std::vector<HistoryEntry>> history;
  std::map<std::string, std::set<std::pair<std::string, Instant>>> timer_keys;
  std::map<std::pair<std::string, uint64_t>, int> outbox;  // (case, seq) -> n
  std::map<std::pair<std::string, uint64_t>, int> audit;   // (case, seq) -> n
  std::map<std::string, CommandResult> requests;           // by request id
  // Secondary index entries, by case: "workflow/state", unit, owner, overdue.
  std::map<std::string, std::vector<std::string>> by_state, by_unit, by_owner, by_reporter;
  std::set<std::string> open_rows;  // the reports' open-now rows (i/p/<unit>\0s\0...)
  std::set<std::string> event_rows;  // their opened and closed rows ('o', 'c', 'v')
  std::map<std::string, int> overdue;
};

class Checker {
 public:
  Checker(const Catalog& catalog, std::vector<std::string>* errors)
      : catalog_(catalog), errors_(errors) {}

  void Load(Store& store) {
    Status s =
        store.Scan("", "", [&](std::string_view key, std::string_view value) {
          LoadOne(key, value);
          return true;
        });
    if (!s.ok()) Fail("scan: " + s.ToString());
  }

  StoreSummary Check() {
    summary_.cases = r_.cases.size();
    for (const auto& [id, c] : r_.cases) CheckCase(c, r_.history[id]);
    for (const auto& [id, h] : r_.history) {
      if (!r_.cases.count(id)) Fail("history without a case record: " + id);
    }
    // The reports' open-now rows are exactly those the case records give:
    // written in each change's batch, they are never ahead or behind.
    std::set<std::string> open_expected, events_expected;
    for (const auto& [id, c] : r_.cases) {
      auto w = catalog_.Find(c.workflow_id, c.workflow_version);
      if (!w) continue;
      std::string k = report_facts::OpenKey(*w, c);
      if (!k.empty()) open_expected.insert(k);
      const Calendar* cal = catalog_.FindCalendar(w->calendar_id);
      events_expected.insert(report_facts::OpenedKey(*w, c, c.opened_at, cal));
      if (report_facts::IsTerminal(*w, c.state)) {
        for (const std::string& e : report_facts::ClosedKeys(*w, c, c.state_entered_at, cal)) {
          events_expected.insert(e);
        }
      }
    }
    if (events_expected != r_.event_rows) {
      Fail("report opened/closed rows differ from the cases: " +
           std::to_string(r_.event_rows.size()) + " rows, " +
           std::to_string(events_expected.size()) + " expected");
    }
    if (open_expected != r_.open_rows) {
      Fail("report open-now rows differ from the cases: " + std::to_string(r_.open_rows.size()) +
           " rows, " + std::to_string(open_expected.size()) + " open cases");
    }
    for (const auto& [id, keys] : r_.timer_keys) {
      if (!r_.cases.count(id)) Fail("timer index keys without a case: " + id);
    }
    for (const auto& [key, n] : r_.outbox) {
      const auto it = r_.cases.find(key.first);
      if (it == r_.cases.end() || key.second < 1 ||
          key.second > it->second.last_seq) {
        Fail("outbox entry for missing history entry " + key.first + " seq " +
             std::to_string(key.second));
      }
    }
    for (const auto& [key, n] : r_.audit) {
      const auto it = r_.cases.find(key.first);
      if (it == r_.cases.end() || key.second < 1 ||
          key.second > it->second.last_seq) {
        Fail("audit record for missing history entry " + key.first + " seq " +
             std::to_string(key.second));
      }
      if (n != 1)
        Fail("two commits audited at " + key.first + " seq " +
             std::to_string(key.second));
    }
    CheckRequests();
    CheckIndex(r_.by_state, "state");
    CheckIndex(r_.by_unit, "unit");
    CheckIndex(r_.by_owner, "owner");
    CheckIndex(r_.by_reporter, "reporter");
    for (const auto& [id, n] : r_.overdue) {
      if (!r_.cases.count(id)) Fail("overdue index key without a case: " + id);
    }
    return summary_;
  }

 private:
  void Fail(std::string message) {
    if (errors_->size() < 200) errors_->push_back(std::move(message));
  }

  void LoadOne(std::string_view key, std::string_view value) {
    auto area = key.substr(0, key.starts_with("i/") ? 4 : 2);
    std::string k(key);
    if (area == "c/") {
      auto c = codec::DecodeCase(value);
      if (!c.ok()) return Fail(k + ": " + c.status().ToString());
      if (codec::CaseKey(c->id) != key) Fail(k + ": holds case " + c->id);
      r_.cases[c->id] = std::move(*c);
    } else if (area == "h/") {
      size_t slash = key.find('/', 2);
      std::string id(key.substr(2, slash - 2));
      auto h = codec::DecodeHistoryRecord(value, id);
      if (!h.ok()) return Fail(k + ": " + h.status().ToString());
      if (h->empty() || codec::HistoryKey(id, h->front().seq) != key)
        return Fail(k + ": holds seq " + (h->empty() ? "none" : std::to_string(h->front().seq)));
      if (value.starts_with(codec::kFiringFormat)) firings_[k] = std::string(value);
      for (HistoryEntry& e : *h) r_.history[id].push_back(std::move(e));  // keys sort by seq
    } else if (area == "t/") {
      codec::TimerKeyParts p;
      if (!codec::ParseTimerKey(key, &p)) return Fail("bad timer key " + k);
      r_.timer_keys[p.case_id].insert({p.timer, p.due});
    } else if (area == "o/") {
      // A reference reads its firing record, loaded already (h/ sorts first).
      auto ref = codec::DecodeOutboxRef(value);
      if (!ref.ok()) return Fail(k + ": " + ref.status().ToString());
      const uint64_t id = codec::DecodeBigEndian(key.substr(codec::kOutboxPrefix.size()));
      auto o = *ref ? codec::OutboxEntryOfFiring(
                          firings_[codec::HistoryKey((*ref)->case_id, (*ref)->seq)], **ref, id)
                    : codec::DecodeOutbox(value);
      if (!o.ok()) return Fail(k + ": " + o.status().ToString());
      if (codec::OutboxKey(o->id) != key)
        Fail(k + ": holds outbox id " + std::to_string(o->id));
      if (!outbox_keys_.insert(o->idempotency_key).second) {
        Fail("outbox idempotency key used twice: " + o->idempotency_key);
      }
      ++r_.outbox[{o->case_id, o->case_seq}];
      ++summary_.outbox;
    } else if (area == "a/") {
      auto r = DecodeChainRecord(codec::kAuditPrefix, key, value);
      if (!r.ok()) return Fail("bad audit record " + k);
      auto a = codec::DecodeAudit(r->payload);
      if (!a.ok()) return Fail("bad audit record " + k);
      if (a->case_seq) ++r_.audit[{a->case_id, *a->case_seq}];
      ++summary_.audit;
    } else if (area == "z/") {
      Fail("quarantined timer (its case was unreadable): " + k);
    } else if (area == "r/") {
      std::string fingerprint;
      auto r = codec::DecodeResult(value, &fingerprint);
      if (!r.ok()) return Fail(k + ": " + r.status().ToString());
      r_.requests[k.substr(2)] = std::move(*r);
    } else if (area == "g/") {
      // the organisation (shouhu/org_directory.h): a JSON record each
      if (!codec::DecodeOrgRecord(value).ok()) Fail("bad organisation record " + k);
    } else if (area == "i/p/") {
      // the reports' fact rows; the open-now ones are checked against the cases
      size_t nul = k.find('\0', 4);
      char kind = nul != std::string::npos && nul + 1 < k.size() ? k[nul + 1] : 0;
      if (kind == 's') r_.open_rows.insert(k);
      if (kind == 'o' || kind == 'c' || kind == 'v') r_.event_rows.insert(k);
    } else if (key == codec::kReporterIndexDoneKey || key == codec::kChildIndexDoneKey ||
               key == report_facts::kDoneKey) {
      // the marks that cases (files) from before an index are indexed
    } else if (area == "i/s/" || area == "i/u/" || area == "i/o/" || area == "i/r/") {
      std::string rest = k.substr(4);
      size_t nul = rest.rfind('\0');
      if (nul == std::string::npos) return Fail("bad index key " + k);
      std::string value_part = rest.substr(0, nul), id = rest.substr(nul + 1);
      if (area == "i/s/")
        std::replace(value_part.begin(), value_part.end(), '\0', '/');
      auto& index = area == "i/s/"   ? r_.by_state
                    : area == "i/u/" ? r_.by_unit
                    : area == "i/r/" ? r_.by_reporter
                                     : r_.by_owner;
      index[id].push_back(value_part);
    } else if (area == "i/d/") {
      ++r_.overdue[k.substr(4)];
    } else {
      Fail("key in no known area: " + k);
    }
  }

  static bool IsUserCommand(const HistoryEntry& e) {
    return e.actor != "system" && (e.kind == "opened" || e.kind == "event" ||
                                   e.kind == "note" || e.kind == "assigned");
  }

  void CheckCase(const CaseRecord& c, const std::vector<HistoryEntry>& h) {
    const std::string at = "case " + c.id + ": ";
    auto w = catalog_.Find(c.workflow_id, c.workflow_version);
    if (!w) return Fail(at + "unknown workflow " + c.workflow_id);
    summary_.history += h.size();
    if (h.empty()) return Fail(at + "no history");

    // Fold the history into the record it must have produced.
    CaseReplay replay(*w, catalog_.FindCalendar(w->calendar_id), at, errors_);
    for (size_t i = 0; i < h.size(); ++i) {
      if (h[i].seq != i + 1)
        Fail(at + "history seqs are not 1..n at " + std::to_string(h[i].seq));
      summary_.latest = std::max(summary_.latest, h[i].at);
      replay.Apply(h[i]);
    }
    replay.Finish();
    summary_.timer_entries += replay.timer_entries();
    summary_.step_entries += replay.step_firings();
    summary_.escalations += replay.escalations();
    if (c.last_seq != h.size()) {
      Fail(at + "last_seq " + std::to_string(c.last_seq) + " but " +
           std::to_string(h.size()) + " entries");
    }
    if (c.state != replay.state())
      Fail(at + "state " + c.state + " but history ends in " + replay.state());
    if (c.data != replay.data())
      Fail(at + "data " + c.data.dump() + " but history gives " +
           replay.data().dump());
    if (c.owner != replay.owner())
      Fail(at + "owner \"" + c.owner + "\" but history gives \"" +
           replay.owner() + "\"");
    if (c.priority != replay.priority())
      Fail(at + "priority differs from its escalations");
    if (c.overdue != replay.overdue())
      Fail(at + "overdue flag differs from its history");
    if (c.state_entered_at != replay.entered())
      Fail(at + "state_entered_at differs");
    if (c.reporter != h[0].actor || c.opened_at != h[0].at)
      Fail(at + "reporter or opened_at differ");
    if (c.updated_at != h.back().at)
      Fail(at + "updated_at differs from the last entry");
    if (!r_.audit.count({c.id, c.last_seq}))
      Fail(at + "no audit record for the last change");

    // Every user command's entry has its own idempotency record, and every
    // entry sent exactly the notifications its definition names.
    for (const HistoryEntry& e : h) {
      if (IsUserCommand(e)) {
        std::string ref = RequestIdOf(e);
        auto r = r_.requests.find(ref);
        if (ref.empty() || r == r_.requests.end() ||
            r->second.case_id != c.id || r->second.seq != e.seq) {
          Fail(at + "seq " + std::to_string(e.seq) + " (" + e.kind +
               ") has no idempotency record of its own (ref \"" + ref + "\")");
        }
      }
      auto got = r_.outbox.find({c.id, e.seq});
      size_t n = got == r_.outbox.end() ? 0 : got->second;
      if (n != replay.notifications(e.seq)) {
        Fail(at + "seq " + std::to_string(e.seq) + " has " + std::to_string(n) +
             " outbox entries, not " +
             std::to_string(replay.notifications(e.seq)));
      }
    }

    // Armed timers: exactly those the history leaves armed, each with its
    // due-time index key and no other key.
    std::set<std::pair<std::string, Instant>> armed;
    for (const ArmedTimer& t : c.timers) {
      summary_.latest_due = std::max(summary_.latest_due, t.due);
      if (!armed.insert({t.name, t.due}).second)
        Fail(at + "timer " + t.name + " listed twice");
      auto want = replay.armed().find(t.name);
      if (want == replay.armed().end() || want->second.due != t.due ||
          want->second.chain != t.chain || want->second.step != t.step ||
          (!t.chain.empty() && want->second.chain_started != t.chain_started)) {
        Fail(at + "armed timer " + t.name + " due " + FormatInstant(t.due) +
             " is not what the history leaves armed");
      }
    }
    for (const auto& [name, t] : replay.armed()) {
      if (!armed.count({name, t.due})) {
        Fail(at + "timer " + name + " due " + FormatInstant(t.due) +
             " is lost");
      }
    }
    summary_.armed_timers += armed.size();
    if (armed != r_.timer_keys[c.id])
      Fail(at + "armed timers differ from the due-time index");

    // Secondary indexes hold exactly what the record says.
    auto expect_index = [&](const auto& index,
                            const std::vector<std::string>& want,
                            const char* what) {
      auto it = index.find(c.id);
      std::vector<std::string> got =
          it == index.end() ? std::vector<std::string>{} : it->second;
      if (got != want) Fail(at + "index by " + what + " is wrong");
    };
    expect_index(r_.by_state, {c.workflow_id + "/" + c.state}, "state");
    expect_index(r_.by_unit, {c.unit}, "unit");
    expect_index(r_.by_owner,
                 c.owner.empty() ? std::vector<std::string>{}
                                 : std::vector<std::string>{c.owner},
                 "owner");
    std::vector<std::string> reporters{c.reporter};
    reporters.insert(reporters.end(), c.joined_reporters.begin(), c.joined_reporters.end());
    std::sort(reporters.begin(), reporters.end());
    expect_index(r_.by_reporter, reporters, "reporter");
    int od = r_.overdue.count(c.id) ? r_.overdue[c.id] : 0;
    if (od != (c.overdue ? 1 : 0)) Fail(at + "overdue index is wrong");
  }

  void CheckRequests() {
    summary_.requests = r_.requests.size();
    for (const auto& [id, r] : r_.requests) {
      auto h = r_.history.find(r.case_id);
      if (h == r_.history.end() || r.seq < 1 || r.seq > h->second.size()) {
        Fail("request " + id + ": its history entry " + r.case_id + " seq " +
             std::to_string(r.seq) + " is missing");
        continue;
      }
      const HistoryEntry& e = h->second[r.seq - 1];
      if (!IsUserCommand(e) || RequestIdOf(e) != id || e.to_state != r.state) {
        Fail("request " + id + ": " + r.case_id + " seq " +
             std::to_string(r.seq) + " is not its command");
      }
    }
  }

  void CheckIndex(const std::map<std::string, std::vector<std::string>>& index,
                  const char* what) {
    for (const auto& [id, values] : index) {
      if (!r_.cases.count(id))
        Fail(std::string("index by ") + what + " names a missing case " + id);
    }
  }

  const Catalog& catalog_;
  std::vector<std::string>* errors_;
  Records r_;
  StoreSummary summary_;
  std::set<std::string> outbox_keys_;
  std::map<std::string, std::string> firings_;  // firing records (h/ format 2), by key
};

}  // namespace

std::string RequestIdOf(const HistoryEntry& e) {
  if (e.kind == "note") return e.data.value("text", "");
  if (e.kind == "assigned") {
    std::string to = e.data.value("to", "");
    return to.starts_with("o:") ? to.substr(2) : "";
  }
  return e.data.value("ref", "");
}

StoreSummary CheckStore(Store& store, const Catalog& catalog,
                        std::vector<std::string>* errors) {
  Checker checker(catalog, errors);
  checker.Load(store);
  // The audit log is one unbroken hash chain across every kill.
  auto chain = VerifyChain(store, codec::kAuditPrefix);
  if (!chain.ok()) {
    errors->push_back("audit chain: " + chain.status().ToString());
  } else if (!chain->ok) {
    errors->push_back("audit chain: " + chain->problem);
  }
  return checker.Check();
}

}  // namespace shouhu::crash
