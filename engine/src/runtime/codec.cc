// The store's keys and the records of cases, history, requests and the
// audit trail (codec.h). Outbox entries and deliveries are in
// outbox_codec.cc, the register's records in child_codec.cc.
#include "runtime/codec.h"

#include "runtime/codec_util.h"
#include "runtime/json_writer.h"

namespace shouhu::codec {

using json = nlohmann::json;

SealingLayout StoreSealing() {
  // The audit chain must stay clear for a second reason: its records hash
  // their payloads as written, so a chain over sealed payloads would change
  // with every key rotation and stop verifying.
  return {{std::string(kAuditPrefix), std::string(kTimerPrefix), "i/",
           std::string(kDeliveryDuePrefix)},
          {"k/i/"},  // ChildIdentityKey
          {std::string(kChildTermArea)}};
}

std::string CaseKey(std::string_view id) { return "c/" + std::string(id); }

std::string HistoryPrefix(std::string_view id) {
  return "h/" + std::string(id) + "/";
}

std::string HistoryKey(std::string_view id, uint64_t seq) {
  std::string k = HistoryPrefix(id);
  AppendBigEndian(&k, seq);
  return k;
}

std::string TimerKeyLowerBound(Instant due) {
  std::string k(kTimerPrefix);
  AppendBigEndian(&k, OrderedMillis(due));
  return k;
}

std::string TimerKey(Instant due, std::string_view case_id,
                     std::string_view timer) {
  std::string k = TimerKeyLowerBound(due);
  k.append(case_id);
  k.push_back('\0');
  k.append(timer);
  return k;
}

Instant TimerKeyDue(std::string_view key) {
  return FromOrderedMillis(DecodeBigEndian(key.substr(kTimerPrefix.size(), 8)));
}

bool ParseTimerKey(std::string_view key, TimerKeyParts* out) {
  if (key.size() < kTimerPrefix.size() + 8 + 2 ||
      key.substr(0, kTimerPrefix.size()) != kTimerPrefix) {
    return false;
  }
  std::string_view rest = key.substr(kTimerPrefix.size() + 8);
  size_t nul = rest.find('\0');
  if (nul == std::string_view::npos) return false;
  out->due = TimerKeyDue(key);
  out->case_id = std::string(rest.substr(0, nul));
  out->timer = std::string(rest.substr(nul + 1));
  return true;
}

uint64_t DecodeBigEndian(std::string_view b) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && i < b.size(); ++i) {
    v = (v << 8) | static_cast<uint8_t>(b[i]);
  }
  return v;
}

std::string EncodeBigEndian(uint64_t v) {
  std::string out;
  AppendBigEndian(&out, v);
  return out;
}

std::string OutboxKey(uint64_t id) {
  std::string k(kOutboxPrefix);
  AppendBigEndian(&k, id);
  return k;
}

std::string AuditKey(uint64_t id) {
  std::string k(kAuditPrefix);
  AppendBigEndian(&k, id);
  return k;
}

std::string RequestKey(std::string_view id) { return "r/" + std::string(id); }

std::string QuarantineKey(std::string_view timer_key) {
  return std::string(kQuarantinePrefix) + std::string(timer_key);
}

std::string ByStatePrefix(std::string_view wf, std::string_view state) {
  std::string k = "i/s/";
  k.append(wf);
  k.push_back('\0');
  k.append(state);
  k.push_back('\0');
  return k;
}
std::string ByStateKey(std::string_view wf, std::string_view state,
                       std::string_view case_id) {
  return ByStatePrefix(wf, state) + std::string(case_id);
}
std::string ByOwnerPrefix(std::string_view owner) {
  std::string k = "i/o/";
  k.append(owner);
  k.push_back('\0');
  return k;
}
std::string ByOwnerKey(std::string_view owner, std::string_view case_id) {
  return ByOwnerPrefix(owner) + std::string(case_id);
}
std::string ByUnitPrefix(std::string_view unit) {
  std::string k = "i/u/";
  k.append(unit);
  k.push_back('\0');
  return k;
}
std::string ByUnitKey(std::string_view unit, std::string_view case_id) {
  return ByUnitPrefix(unit) + std::string(case_id);
}
std::string ByReporterPrefix(std::string_view user) {
  std::string k(kReporterIndexPrefix);
  k.append(user);
  k.push_back('\0');
  return k;
}
std::string ByReporterKey(std::string_view user, std::string_view case_id) {
  return ByReporterPrefix(user) + std::string(case_id);
}
std::string OverdueKey(std::string_view case_id) {
  return std::string(kOverduePrefix) + std::string(case_id);
}

std::string_view CaseIdOfIndexKey(std::string_view key,
                                  std::string_view prefix) {
  return key.substr(prefix.size());
}

std::string OrgUnitKey(std::string_view unit) { return std::string(kOrgUnitPrefix) += unit; }
std::string OrgUserKey(std::string_view user) { return std::string(kOrgUserPrefix) += user; }
StatusOr<json> DecodeOrgRecord(std::string_view value) {
  return DecodeJson(value, "organisation record");
}

std::string EncodeJson(const json& j) {
  std::string out(1, kFormatV1);
  out += j.dump();
  return out;
}

std::string EncodeCase(const CaseRecord& c) {
  std::string out(1, kFormatV1);
  JsonWriter w(&out);
  w.BeginObject();
  // Absent when empty (most cases have no child's file yet; a timer burst
  // writes every case again), as in records from before child files.
  if (!c.child_id.empty()) w.Key("child"), w.String(c.child_id);
  w.Key("data"), w.Json(c.data);
  w.Key("id"), w.String(c.id);
  if (!c.joined_reporters.empty()) {  // absent in records from before joins
    w.Key("joined_reporters");
    w.BeginArray();
    for (const std::string& r : c.joined_reporters) w.String(r);
    w.EndArray();
  }
  w.Key("last_seq"), w.UInt(c.last_seq);
  w.Key("opened_at"), w.Int(Ms(c.opened_at));
  w.Key("overdue"), w.Bool(c.overdue);
  w.Key("owner"), w.String(c.owner);
  w.Key("priority"), w.Int(static_cast<int>(c.priority));
  w.Key("reporter"), w.String(c.reporter);
  w.Key("state"), w.String(c.state);
  w.Key("state_entered_at"), w.Int(Ms(c.state_entered_at));
  w.Key("timers");
  w.BeginArray();
  for (const ArmedTimer& t : c.timers) {
    w.BeginObject();
    if (!t.chain.empty()) {
      w.Key("chain"), w.String(t.chain);
      w.Key("chain_started"), w.Int(Ms(t.chain_started));
    }
    w.Key("due"), w.Int(Ms(t.due));
    w.Key("name"), w.String(t.name);
    if (!t.chain.empty()) w.Key("step"), w.Int(t.step);
    w.EndObject();
  }
  w.EndArray();
  w.Key("unit"), w.String(c.unit);
  w.Key("updated_at"), w.Int(Ms(c.updated_at));
  w.Key("version"), w.Int(c.workflow_version);
  w.Key("workflow"), w.String(c.workflow_id);
  w.EndObject();
  return out;
}

StatusOr<CaseRecord> DecodeCase(std::string_view value) {
  auto j = DecodeJson(value, "case");
  if (!j.ok()) return j.status();
  try {
    CaseRecord c;
    c.id = j->at("id").get<std::string>();
    c.workflow_id = j->at("workflow").get<std::string>();
    c.workflow_version = j->at("version").get<int>();
    c.state = j->at("state").get<std::string>();
    c.state_entered_at = FromMs(j->at("state_entered_at").get<int64_t>());
    c.data = j->at("data");
    c.priority = static_cast<Priority>(j->at("priority").get<int>());
    c.unit = j->at("unit").get<std::string>();
    c.reporter = j->at("reporter").get<std::string>();
    c.owner = j->at("owner").get<std::string>();
    c.child_id = j->value("child", "");
    if (j->contains("joined_reporters")) {
      c.joined_reporters = j->at("joined_reporters").get<std::vector<std::string>>();
    }
    c.opened_at = FromMs(j->at("opened_at").get<int64_t>());
    c.updated_at = FromMs(j->at("updated_at").get<int64_t>());
    c.last_seq = j->at("last_seq").get<uint64_t>();
    c.overdue = j->at("overdue").get<bool>();
    for (const json& tj : j->at("timers")) {
      ArmedTimer t;
      t.name = tj.at("name").get<std::string>();
      t.due = FromMs(tj.at("due").get<int64_t>());
      if (tj.contains("chain")) {
        t.chain = tj["chain"].get<std::string>();
        t.step = tj["step"].get<int>();
        t.chain_started = FromMs(tj["chain_started"].get<int64_t>());
      }
      c.timers.push_back(std::move(t));
    }
    return c;
  } catch (const json::exception& e) {
    return Internal(std::string("case: corrupt record: ") + e.what());
  }
}

std::string EncodeHistory(const HistoryEntry& h) {
  std::string out(1, kFormatV1);
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("actor"), w.String(h.actor);
  w.Key("at"), w.Int(Ms(h.at));
  w.Key("data"), w.Json(h.data);
  w.Key("from"), w.String(h.from_state);
  w.Key("kind"), w.String(h.kind);
  w.Key("name"), w.String(h.name);
  w.Key("seq"), w.UInt(h.seq);
  w.Key("to"), w.String(h.to_state);
  w.EndObject();
  return out;
}

StatusOr<HistoryEntry> DecodeHistory(std::string_view value) {
  auto j = DecodeJson(value, "history");
  if (!j.ok()) return j.status();
  try {
    HistoryEntry h;
    h.seq = j->at("seq").get<uint64_t>();
    h.at = FromMs(j->at("at").get<int64_t>());
    h.actor = j->at("actor").get<std::string>();
    h.kind = j->at("kind").get<std::string>();
    h.name = j->at("name").get<std::string>();
    h.from_state = j->at("from").get<std::string>();
    h.to_state = j->at("to").get<std::string>();
    h.data = j->at("data");
    return h;
  } catch (const json::exception& e) {
    return Internal(std::string("history: corrupt record: ") + e.what());
  }
}

std::string EncodeResult(const CommandResult& r, std::string_view fingerprint,
                         Instant at) {
  json j = {{"case", r.case_id},
            {"seq", r.seq},
            {"state", r.state},
            {"fingerprint", fingerprint},
            {"at", Ms(at)}};
  if (r.joined) j["joined"] = true;
  if (!r.duplicate_of.empty()) j["duplicate_of"] = r.duplicate_of;
  if (r.child_revision != 0) j["child_revision"] = r.child_revision;
  return EncodeJson(j);
}

StatusOr<CommandResult> DecodeResult(std::string_view value, std::string* fingerprint,
                                     std::optional<Instant>* at) {
  auto j = DecodeJson(value, "request");
  if (!j.ok()) return j.status();
  try {
    CommandResult r;
    r.case_id = j->at("case").get<std::string>();
    r.seq = j->at("seq").get<uint64_t>();
    r.state = j->at("state").get<std::string>();
    *fingerprint = j->at("fingerprint").get<std::string>();
    r.joined = j->value("joined", false);
    r.duplicate_of = j->value("duplicate_of", "");
    r.child_revision = j->value("child_revision", uint64_t{0});
    if (at) {
      *at = j->contains("at") ? std::optional<Instant>(FromMs(j->at("at").get<int64_t>()))
                              : std::nullopt;
    }
    r.replayed = true;
    return r;
  } catch (const json::exception& e) {
    return Internal(std::string("request: corrupt record: ") + e.what());
  }
}

std::string EncodeAudit(const AuditRecord& a) {
  // Never throws: the actor's unit and origin come from outside the
  // command's checked text, and an audit record must always be written, so
  // bytes that are not UTF-8 become U+FFFD here.
  std::string out(1, kFormatV1);
  JsonWriter w(&out, json::error_handler_t::replace);
  w.BeginObject();
  w.Key("action"), w.String(a.action);
  w.Key("actor"), w.String(a.user);
  w.Key("at"), w.Int(Ms(a.at));
  w.Key("case"), w.String(a.case_id);
  if (a.case_seq) w.Key("case_seq"), w.UInt(*a.case_seq);
  w.Key("child"), w.String(a.child_id);
  if (!a.detail.empty()) w.Key("detail"), w.String(a.detail);
  if (!a.file.empty()) {
    w.Key("file"), w.String(a.file);
    w.Key("file_sha256"), w.String(a.file_sha256);
  }
  if (a.firing_seq) {
    w.Key("firing"), w.UInt(*a.firing_seq);
    w.Key("firing_sha256"), w.String(a.firing_sha256);
  }
  w.Key("origin"), w.String(a.origin);
  w.Key("unit"), w.String(a.unit);
  w.EndObject();
  return out;
}

StatusOr<AuditRecord> DecodeAudit(std::string_view payload) {
  auto j = DecodeJson(payload, "audit");
  if (!j.ok()) return j.status();
  try {
    AuditRecord a;
    a.at = FromMs(j->at("at").get<int64_t>());
    a.user = j->at("actor").get<std::string>();
    a.unit = j->at("unit").get<std::string>();
    a.origin = j->at("origin").get<std::string>();
    a.action = j->at("action").get<std::string>();
    a.case_id = j->at("case").get<std::string>();
    a.child_id = j->at("child").get<std::string>();
    if (j->contains("case_seq")) a.case_seq = j->at("case_seq").get<uint64_t>();
    if (j->contains("detail")) a.detail = j->at("detail").get<std::string>();
    if (j->contains("file")) {
      a.file = j->at("file").get<std::string>();
      a.file_sha256 = j->at("file_sha256").get<std::string>();
    }
    if (j->contains("firing")) {
      a.firing_seq = j->at("firing").get<uint64_t>();
      a.firing_sha256 = j->at("firing_sha256").get<std::string>();
    }
    return a;
  } catch (const json::exception& e) {
    return Internal(std::string("audit: corrupt record: ") + e.what());
  }
}

}  // namespace shouhu::codec
