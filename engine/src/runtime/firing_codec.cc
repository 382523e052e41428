// Firing records and the outbox references into them (codec.h). A burst of
// timers writes one of each per firing, so what a firing writes is what the
// burst costs: the record holds the facts once (the entries' time, actor and
// states; the notification's context) and derives what it can (the
// entries' seqs, the notifications' keys and times).
#include <stdexcept>

#include "runtime/codec.h"
#include "runtime/codec_util.h"
#include "shouhu/chain.h"

namespace shouhu::codec {
namespace {

using json = nlohmann::json;

// The escalation entry `seq` of `entries` (nullptr when it is not one).
const HistoryEntry* EscalationEntry(const std::vector<HistoryEntry>& entries, uint64_t seq) {
  for (const HistoryEntry& h : entries) {
    if (h.seq == seq) return h.kind == "escalation" ? &h : nullptr;
  }
  return nullptr;
}

// True when the notification is the one its escalation entry describes
// (template, channels, the one recipient), so the record need not say so
// twice.
bool AsItsEntrySays(const std::vector<HistoryEntry>& entries, const OutboxEntry& o) {
  const HistoryEntry* e = EscalationEntry(entries, o.case_seq);
  if (!e || o.recipients.size() != 1) return false;
  try {
    return e->data.at("template").get<std::string>() == o.template_id &&
           e->data.at("channels").get<std::vector<std::string>>() == o.channels &&
           ReadRecipientV1(e->data.at("to")) == o.recipients[0];
  } catch (const std::exception&) {  // an entry of another shape
    return false;
  }
}

std::string IdempotencyKey(std::string_view case_id, uint64_t seq, size_t n) {
  return std::string(case_id) + "/" + std::to_string(seq) + "/" + std::to_string(n);
}

}  // namespace

std::string EncodeFiring(const FiringRecord& f) {
  const HistoryEntry& first = f.entries.front();
  std::string out(1, kFiringFormat);
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("actor"), w.String(first.actor);
  w.Key("at"), w.Int(Ms(first.at));
  w.Key("entries");
  w.BeginArray();
  // An entry's states are written only where they differ from the first's
  // (a timer that fires an event moves the case on).
  for (const HistoryEntry& h : f.entries) {
    w.BeginObject();
    w.Key("data"), w.Json(h.data);
    if (h.from_state != first.from_state) w.Key("from"), w.String(h.from_state);
    w.Key("kind"), w.String(h.kind);
    w.Key("name"), w.String(h.name);
    if (h.to_state != first.to_state) w.Key("to"), w.String(h.to_state);
    w.EndObject();
  }
  w.EndArray();
  w.Key("from"), w.String(first.from_state);
  if (!f.notifications.empty()) {
    w.Key("notify");
    w.BeginArray();
    for (const OutboxEntry& o : f.notifications) {
      WriteOutboxObject(w, o,
                        AsItsEntrySays(f.entries, o) ? OutboxObject::kInFiringAsItsEntrySays
                                                     : OutboxObject::kInFiring);
    }
    w.EndArray();
  }
  w.Key("seq"), w.UInt(first.seq);
  w.Key("to"), w.String(first.to_state);
  w.EndObject();
  return out;
}

StatusOr<FiringRecord> DecodeFiring(std::string_view value, std::string_view case_id) {
  auto j = DecodeJson(value, "firing record", kFiringFormat);
  if (!j.ok()) return j.status();
  try {
    FiringRecord f;
    const Instant at = FromMs(j->at("at").get<int64_t>());
    const std::string actor = j->at("actor").get<std::string>();
    const std::string from = j->at("from").get<std::string>();
    const std::string to = j->at("to").get<std::string>();
    uint64_t seq = j->at("seq").get<uint64_t>();
    for (const json& e : j->at("entries")) {
      HistoryEntry h;
      h.seq = seq++;
      h.at = at;
      h.actor = actor;
      h.kind = e.at("kind").get<std::string>();
      h.name = e.at("name").get<std::string>();
      h.from_state = e.value("from", from);
      h.to_state = e.value("to", to);
      h.data = e.at("data");
      f.entries.push_back(std::move(h));
    }
    if (f.entries.empty()) return Internal("firing record: no history entries");
    if (auto n = j->find("notify"); n != j->end()) {
      for (const json& nj : *n) {
        OutboxEntry o;
        o.case_id = std::string(case_id);
        o.created_at = at;
        ReadOutboxObjectV2(nj, &o);
        if (!nj.contains("template")) {
          const HistoryEntry* e = EscalationEntry(f.entries, o.case_seq);
          if (!e) throw std::invalid_argument("a notification without its escalation entry");
          o.template_id = e->data.at("template").get<std::string>();
          o.channels = e->data.at("channels").get<std::vector<std::string>>();
          o.recipients = {ReadRecipientV1(e->data.at("to"))};
        }
        o.idempotency_key = IdempotencyKey(case_id, o.case_seq, f.notifications.size());
        f.notifications.push_back(std::move(o));
      }
    }
    return f;
  } catch (const std::exception& e) {  // json::exception, or a bad recipient
    return Internal(std::string("firing record: corrupt record: ") + e.what());
  }
}

StatusOr<std::vector<HistoryEntry>> DecodeHistoryRecord(std::string_view value,
                                                        std::string_view case_id) {
  if (!value.empty() && value[0] == kFiringFormat) {
    auto f = DecodeFiring(value, case_id);
    if (!f.ok()) return f.status();
    return std::move(f->entries);
  }
  auto h = DecodeHistory(value);
  if (!h.ok()) return h.status();
  return std::vector<HistoryEntry>{std::move(*h)};
}

std::string EncodeOutboxRef(const OutboxRef& r) {
  std::string out(1, kOutboxRefFormat);
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("case"), w.String(r.case_id);
  w.Key("n"), w.UInt(r.n);
  w.Key("seq"), w.UInt(r.seq);
  w.EndObject();
  return out;
}

StatusOr<std::optional<OutboxRef>> DecodeOutboxRef(std::string_view value) {
  if (value.empty() || value[0] != kOutboxRefFormat) return std::optional<OutboxRef>();
  auto j = DecodeJson(value, "outbox reference", kOutboxRefFormat);
  if (!j.ok()) return j.status();
  try {
    OutboxRef r;
    r.case_id = j->at("case").get<std::string>();
    r.n = j->at("n").get<size_t>();
    r.seq = j->at("seq").get<uint64_t>();
    return std::optional<OutboxRef>(std::move(r));
  } catch (const json::exception& e) {
    return Internal(std::string("outbox reference: corrupt record: ") + e.what());
  }
}

StatusOr<OutboxEntry> OutboxEntryOfFiring(std::string_view firing, const OutboxRef& r,
                                          uint64_t id) {
  auto f = DecodeFiring(firing, r.case_id);
  if (!f.ok()) return f.status();
  if (r.n >= f->notifications.size()) {
    return Internal("outbox entry " + std::to_string(id) + ": its firing record (case " +
                    r.case_id + ", seq " + std::to_string(r.seq) + ") has no notification " +
                    std::to_string(r.n));
  }
  OutboxEntry o = std::move(f->notifications[r.n]);
  o.id = id;
  return o;
}

std::string FiringDigest(std::string_view firing) { return DigestHex(firing); }

}  // namespace shouhu::codec
