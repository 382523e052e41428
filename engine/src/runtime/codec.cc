#include "runtime/codec.h"

#include "runtime/json_writer.h"
#include "shouhu/json_parse.h"

namespace shouhu::codec {
namespace {

using json = nlohmann::json;

void AppendBigEndian(std::string* out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((v >> shift) & 0xff));
  }
}

// Instants are signed; flipping the sign bit keeps big-endian order.
uint64_t OrderedMillis(Instant at) {
  return static_cast<uint64_t>(at.time_since_epoch().count()) ^ (1ULL << 63);
}
Instant FromOrderedMillis(uint64_t v) {
  return Instant(std::chrono::milliseconds(static_cast<int64_t>(v ^ (1ULL << 63))));
}

int64_t Ms(Instant at) { return at.time_since_epoch().count(); }
Instant FromMs(int64_t ms) { return Instant(std::chrono::milliseconds(ms)); }

StatusOr<json> DecodeJson(std::string_view value, std::string_view what) {
  if (value.empty() || value[0] != kFormatV1) {
    return Internal(std::string(what) + ": unknown record format");
  }
  StatusOr<json> j = ParseJson(value.substr(1), kMaxRecordJsonDepth);
  if (!j.ok() || !j->is_object()) {
    return Internal(std::string(what) + ": corrupt record" +
                    (j.ok() ? "" : ": " + j.status().message()));
  }
  return j;
}

}  // namespace

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

std::string DeliveryKey(std::string_view id) {
  return std::string(kDeliveryPrefix) + std::string(id);
}

std::string DeliveryDueKey(Instant due, std::string_view id) {
  std::string k(kDeliveryDuePrefix);
  AppendBigEndian(&k, OrderedMillis(due));
  k.append(id);
  return k;
}

std::string DeliveryDueKeyUpperBound(Instant due) {
  std::string k(kDeliveryDuePrefix);
  AppendBigEndian(&k, OrderedMillis(due) + 1);
  return k;
}

Instant DeliveryDueKeyDue(std::string_view key) {
  return FromOrderedMillis(
      DecodeBigEndian(key.substr(kDeliveryDuePrefix.size(), 8)));
}

std::string DeadLetterKey(std::string_view id) {
  return std::string(kDeadLetterPrefix) + std::string(id);
}

std::string EncodeDelivery(const Delivery& d) {
  return EncodeJson({{"id", d.id},
                     {"outbox", d.outbox_id},
                     {"case", d.case_id},
                     {"unit", d.unit},
                     {"key", d.idempotency_key},
                     {"template", d.template_id},
                     {"recipient", d.recipient},
                     {"address", d.address},
                     {"channel", d.channel},
                     {"urgent", d.urgent},
                     {"subject", d.subject},
                     {"body", d.body},
                     {"params", d.params_json},
                     {"problem", d.problem},
                     {"attempts", d.attempts},
                     {"next_at", Ms(d.next_at)},
                     {"created_at", Ms(d.created_at)},
                     {"dead", d.dead},
                     {"last_error", d.last_error}});
}

StatusOr<Delivery> DecodeDelivery(std::string_view value) {
  auto j = DecodeJson(value, "delivery");
  if (!j.ok()) return j.status();
  try {
    Delivery d;
    d.id = j->at("id").get<std::string>();
    d.outbox_id = j->at("outbox").get<uint64_t>();
    d.case_id = j->at("case").get<std::string>();
    d.unit = j->at("unit").get<std::string>();
    d.idempotency_key = j->at("key").get<std::string>();
    d.template_id = j->at("template").get<std::string>();
    d.recipient = j->at("recipient").get<std::string>();
    d.address = j->at("address").get<std::string>();
    d.channel = j->at("channel").get<std::string>();
    d.urgent = j->at("urgent").get<bool>();
    d.subject = j->at("subject").get<std::string>();
    d.body = j->at("body").get<std::string>();
    d.params_json = j->at("params").get<std::string>();
    d.problem = j->at("problem").get<std::string>();
    d.attempts = j->at("attempts").get<int>();
    d.next_at = FromMs(j->at("next_at").get<int64_t>());
    d.created_at = FromMs(j->at("created_at").get<int64_t>());
    d.dead = j->at("dead").get<bool>();
    d.last_error = j->at("last_error").get<std::string>();
    return d;
  } catch (const json::exception& e) {
    return Internal(std::string("delivery: corrupt record: ") + e.what());
  }
}

std::string EncodeDeadLetter(const DeadLetter& d) {
  return EncodeJson({{"id", d.id},
                     {"case", d.case_id},
                     {"outbox", d.outbox_id},
                     {"key", d.idempotency_key},
                     {"template", d.template_id},
                     {"recipient", d.recipient},
                     {"unit", d.unit},
                     {"channel", d.channel},
                     {"reason", d.reason},
                     {"attempts", d.attempts},
                     {"failed_at", Ms(d.failed_at)}});
}

StatusOr<DeadLetter> DecodeDeadLetter(std::string_view value) {
  auto j = DecodeJson(value, "dead letter");
  if (!j.ok()) return j.status();
  try {
    DeadLetter d;
    d.id = j->at("id").get<std::string>();
    d.case_id = j->at("case").get<std::string>();
    d.outbox_id = j->at("outbox").get<uint64_t>();
    d.idempotency_key = j->at("key").get<std::string>();
    d.template_id = j->at("template").get<std::string>();
    d.recipient = j->at("recipient").get<std::string>();
    d.unit = j->at("unit").get<std::string>();
    d.channel = j->at("channel").get<std::string>();
    d.reason = j->at("reason").get<std::string>();
    d.attempts = j->at("attempts").get<int>();
    d.failed_at = FromMs(j->at("failed_at").get<int64_t>());
    return d;
  } catch (const json::exception& e) {
    return Internal(std::string("dead letter: corrupt record: ") + e.what());
  }
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
  w.Key("child"), w.String(c.child_id);
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

std::string ChildIdentityKey(std::string_view identity) {
  return "k/i/" + std::string(identity);
}

std::string ChildTermPrefix(std::string_view unit, std::string_view term) {
  std::string k(kChildTermArea);
  k.append(unit);
  k.push_back('\0');
  k.append(term);
  k.push_back('\0');
  return k;
}

std::string ChildTermKey(std::string_view unit, std::string_view term,
                         std::string_view child_id) {
  return ChildTermPrefix(unit, term) + std::string(child_id);
}

std::string RosterImportKey(std::string_view unit, std::string_view sha256) {
  std::string k = "k/j/" + std::string(unit);
  k.push_back('\0');
  return k + std::string(sha256);
}

std::string RosterMappingKey(std::string_view unit) { return "k/c/" + std::string(unit); }

std::string EncodeChildResult(const ChildCommandResult& r, std::string_view fingerprint,
                              Instant at) {
  CommandResult as_command;
  as_command.child_revision = r.revision;
  std::string out = EncodeResult(as_command, fingerprint, at);
  json j = json::parse(out.substr(1));
  j["child"] = r.child_id;
  return EncodeJson(j);
}

StatusOr<ChildCommandResult> DecodeChildResult(std::string_view value, std::string* fingerprint) {
  auto as_command = DecodeResult(value, fingerprint);
  if (!as_command.ok()) return as_command.status();
  auto j = DecodeJson(value, "request");
  if (!j.ok()) return j.status();
  ChildCommandResult r;
  r.child_id = j->value("child", "");
  r.revision = as_command->child_revision;
  r.replayed = true;
  return r;
}

std::string EncodeRosterImport(const RosterResult& r) {
  return EncodeJson({{"created", r.created}, {"updated", r.updated}, {"unchanged", r.unchanged}});
}

StatusOr<RosterResult> DecodeRosterImport(std::string_view value) {
  auto j = DecodeJson(value, "roster import");
  if (!j.ok()) return j.status();
  try {
    RosterResult r;
    r.created = j->at("created").get<size_t>();
    r.updated = j->at("updated").get<size_t>();
    r.unchanged = j->at("unchanged").get<size_t>();
    return r;
  } catch (const json::exception& e) {
    return Internal(std::string("roster import: corrupt record: ") + e.what());
  }
}

std::string EncodeRosterMapping(const std::map<std::string, std::string>& mapping) {
  return EncodeJson(mapping);
}

StatusOr<std::map<std::string, std::string>> DecodeRosterMapping(std::string_view value) {
  auto j = DecodeJson(value, "roster mapping");
  if (!j.ok()) return j.status();
  try {
    return j->get<std::map<std::string, std::string>>();
  } catch (const json::exception& e) {
    return Internal(std::string("roster mapping: corrupt record: ") + e.what());
  }
}

std::string ChildMergedKey(std::string_view child_id) {
  return "k/m/" + std::string(child_id);
}

std::string ChildRevisionPrefix(std::string_view child_id) {
  std::string k = "k/r/" + std::string(child_id);
  k.push_back('\0');
  return k;
}

std::string ChildRevisionKey(std::string_view child_id, Instant at,
                             std::string_view case_id, uint64_t case_seq) {
  std::string k = ChildRevisionPrefix(child_id);
  AppendBigEndian(&k, OrderedMillis(at));
  k.append(case_id);
  k.push_back('\0');
  AppendBigEndian(&k, case_seq);
  return k;
}

std::string ChildProposalPrefix(std::string_view child_id) {
  std::string k = "k/p/" + std::string(child_id);
  k.push_back('\0');
  return k;
}

std::string ChildProposalKey(std::string_view child_id, std::string_view case_id,
                             uint64_t case_seq) {
  std::string k = ChildProposalPrefix(child_id);
  k.append(case_id);
  k.push_back('\0');
  AppendBigEndian(&k, case_seq);
  return k;
}

std::string EncodeChildProposal(const ChildProposal& p) {
  return EncodeJson({{"id", p.id},
                     {"at", Ms(p.at)},
                     {"actor", p.actor},
                     {"case", p.case_id},
                     {"changes", p.changes}});
}

StatusOr<ChildProposal> DecodeChildProposal(std::string_view value) {
  auto j = DecodeJson(value, "child proposal");
  if (!j.ok()) return j.status();
  try {
    ChildProposal p;
    p.id = j->at("id").get<std::string>();
    p.at = FromMs(j->at("at").get<int64_t>());
    p.actor = j->at("actor").get<std::string>();
    p.case_id = j->at("case").get<std::string>();
    p.changes = j->at("changes");
    return p;
  } catch (const json::exception& e) {
    return Internal(std::string("child proposal: corrupt record: ") + e.what());
  }
}

std::string EncodeChildId(std::string_view child_id) {
  return EncodeJson({{"child", std::string(child_id)}});
}

StatusOr<std::string> DecodeChildId(std::string_view value) {
  auto j = DecodeJson(value, "child identity");
  if (!j.ok()) return j.status();
  auto it = j->find("child");
  if (it == j->end() || !it->is_string()) {
    return Internal("child identity: corrupt record");
  }
  return it->get<std::string>();
}

std::string EncodeChildRevision(const ChildRevision& r, std::string_view unit) {
  return EncodeJson({{"at", Ms(r.at)},
                     {"actor", r.actor},
                     {"case", r.case_id},
                     {"changes", r.changes},
                     {"linked_case", r.linked_case},
                     {"unit", std::string(unit)}});
}

StatusOr<ChildRevision> DecodeChildRevision(std::string_view value,
                                            std::string* unit) {
  auto j = DecodeJson(value, "child revision");
  if (!j.ok()) return j.status();
  try {
    ChildRevision r;
    r.at = FromMs(j->at("at").get<int64_t>());
    r.actor = j->at("actor").get<std::string>();
    r.case_id = j->at("case").get<std::string>();
    r.changes = j->at("changes");
    r.linked_case = j->at("linked_case").get<std::string>();
    if (unit) *unit = j->at("unit").get<std::string>();
    return r;
  } catch (const json::exception& e) {
    return Internal(std::string("child revision: corrupt record: ") + e.what());
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
    return a;
  } catch (const json::exception& e) {
    return Internal(std::string("audit: corrupt record: ") + e.what());
  }
}

}  // namespace shouhu::codec
