// The outbox entry's record (codec.h): format 2 written and read, format 1
// read. The one place that knows how a notification's recipients and context
// are spelled on disk; everything else sees shouhu/notification.h. Also the
// records an entry is expanded into: deliveries and dead letters.
#include "runtime/codec.h"
#include "runtime/codec_util.h"
#include "runtime/json_writer.h"
#include "shouhu/json_parse.h"

namespace shouhu::codec {
namespace {

using json = nlohmann::json;

// Format 2 recipients: ["role", <role>, <up>], ["owner"], ["reporter"].
void WriteRecipient(JsonWriter& w, const Recipient& r) {
  w.BeginArray();
  switch (r.kind) {
    case Recipient::Kind::kOwner:
      w.String("owner");
      break;
    case Recipient::Kind::kReporter:
      w.String("reporter");
      break;
    case Recipient::Kind::kRole:
      w.String("role");
      w.String(r.role);
      w.Int(r.up);
      break;
  }
  w.EndArray();
}

Recipient ReadRecipientV2(const json& j) {
  const std::string kind = j.at(0).get<std::string>();
  if (kind == "owner") return {Recipient::Kind::kOwner, "", 0};
  if (kind == "reporter") return {Recipient::Kind::kReporter, "", 0};
  if (kind == "role") return {Recipient::Kind::kRole, j.at(1).get<std::string>(), j.at(2).get<int>()};
  throw std::invalid_argument("unknown recipient kind \"" + kind + "\"");
}

}  // namespace

// Format 1 recipients: {"kind": "role", "role", "up"} | {"kind": "owner"} |
// {"kind": "reporter"}.
Recipient ReadRecipientV1(const json& j) {
  const std::string kind = j.at("kind").get<std::string>();
  if (kind == "owner") return {Recipient::Kind::kOwner, "", 0};
  if (kind == "reporter") return {Recipient::Kind::kReporter, "", 0};
  if (kind == "role") return {Recipient::Kind::kRole, j.value("role", ""), j.value("up", 0)};
  throw std::invalid_argument("unknown recipient kind \"" + kind + "\"");
}

namespace {

// The context's members in sorted order (JsonWriter's rule; codec_test
// compares with a dumped tree). In a firing record the previous owner and
// role are left out when they are the current ones (a timer that does not
// move the case): the reader takes the current ones.
void WriteContext(JsonWriter& w, const NotificationContext& c, bool in_firing) {
  w.BeginObject();
  w.Key("data"), w.Json(c.data);
  if (!c.joined_reporters.empty()) w.Key("joined"), w.StringArray(c.joined_reporters);
  if (c.state_label) {
    w.Key("label");
    w.BeginObject();
    w.Key("en"), w.String(c.state_label->en);
    w.Key("zh"), w.String(c.state_label->zh);
    w.EndObject();
  }
  w.Key("owner"), w.String(c.owner);
  w.Key("owner_role"), w.String(c.owner_role);
  if (!in_firing || c.previous_owner != c.owner) {
    w.Key("prev_owner"), w.String(c.previous_owner);
  }
  if (!in_firing || c.previous_owner_role != c.owner_role) {
    w.Key("prev_owner_role"), w.String(c.previous_owner_role);
  }
  w.Key("priority"), w.String(c.priority);
  w.Key("reporter"), w.String(c.reporter);
  w.Key("state"), w.String(c.state);
  w.Key("unit"), w.String(c.unit);
  w.Key("version"), w.Int(c.version);
  w.Key("workflow"), w.String(c.workflow);
  w.EndObject();
}

NotificationContext ReadContextV2(const json& j, const std::string& case_id) {
  NotificationContext c;
  c.case_id = case_id;
  c.data = j.at("data");
  if (!c.data.is_object()) throw std::invalid_argument("context data is not an object");
  if (auto it = j.find("joined"); it != j.end()) {
    c.joined_reporters = it->get<std::vector<std::string>>();
  }
  if (auto it = j.find("label"); it != j.end()) {
    c.state_label = Label{it->at("zh").get<std::string>(), it->at("en").get<std::string>()};
  }
  c.owner = j.at("owner").get<std::string>();
  c.owner_role = j.at("owner_role").get<std::string>();
  // Always present in an outbox entry of format 2; absent in a firing
  // record when they are the current ones.
  c.previous_owner = j.value("prev_owner", c.owner);
  c.previous_owner_role = j.value("prev_owner_role", c.owner_role);
  c.priority = j.at("priority").get<std::string>();
  c.reporter = j.at("reporter").get<std::string>();
  c.state = j.at("state").get<std::string>();
  c.unit = j.at("unit").get<std::string>();
  c.version = j.at("version").get<int>();
  c.workflow = j.at("workflow").get<std::string>();
  return c;
}

std::string StringOf(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

NotificationContext DecodeContextV1(const json& ctx) {
  NotificationContext c;
  if (!ctx.is_object()) return c;
  c.case_id = StringOf(ctx, "case_id");
  c.workflow = StringOf(ctx, "workflow");
  if (auto v = ctx.find("version"); v != ctx.end() && v->is_number_integer()) {
    c.version = v->get<int>();
  }
  c.state = StringOf(ctx, "state");
  if (auto l = ctx.find("state_label"); l != ctx.end() && l->is_object()) {
    c.state_label = Label{StringOf(*l, "zh"), StringOf(*l, "en")};
  }
  c.owner_role = StringOf(ctx, "owner_role");
  c.unit = StringOf(ctx, "unit");
  c.owner = StringOf(ctx, "owner");
  c.previous_owner = StringOf(ctx, "previous_owner");
  c.previous_owner_role = StringOf(ctx, "previous_owner_role");
  c.reporter = StringOf(ctx, "reporter");
  if (auto j = ctx.find("joined_reporters"); j != ctx.end() && j->is_array()) {
    for (const json& id : *j) {
      if (id.is_string()) c.joined_reporters.push_back(id.get<std::string>());
    }
  }
  c.priority = StringOf(ctx, "priority");
  if (auto d = ctx.find("data"); d != ctx.end() && d->is_object()) c.data = *d;
  return c;
}

void WriteOutboxObject(JsonWriter& w, const OutboxEntry& o, OutboxObject form) {
  const bool standalone = form == OutboxObject::kEntry;
  // Its escalation entry says the template, channels and recipient already.
  const bool what_derived = form == OutboxObject::kInFiringAsItsEntrySays;
  w.BeginObject();
  if (standalone) {
    w.Key("at"), w.Int(Ms(o.created_at));
    w.Key("case"), w.String(o.case_id);
  }
  if (!what_derived) w.Key("channels"), w.StringArray(o.channels);
  w.Key("context"), WriteContext(w, o.context, !standalone);
  if (standalone) {
    w.Key("id"), w.UInt(o.id);
    w.Key("key"), w.String(o.idempotency_key);
  }
  w.Key("seq"), w.UInt(o.case_seq);
  if (!what_derived) {
    w.Key("template"), w.String(o.template_id);
    w.Key("to");
    w.BeginArray();
    for (const Recipient& r : o.recipients) WriteRecipient(w, r);
    w.EndArray();
  }
  w.Key("urgent"), w.Bool(o.urgent);
  w.EndObject();
}

void ReadOutboxObjectV2(const json& j, OutboxEntry* o) {
  if (j.contains("template")) {  // absent: as its escalation entry says
    o->template_id = j.at("template").get<std::string>();
    o->channels = j.at("channels").get<std::vector<std::string>>();
    for (const json& r : j.at("to")) o->recipients.push_back(ReadRecipientV2(r));
  }
  o->urgent = j.at("urgent").get<bool>();
  o->case_seq = j.at("seq").get<uint64_t>();
  o->context = ReadContextV2(j.at("context"), o->case_id);
}

std::string EncodeOutbox(const OutboxEntry& o) {
  std::string out(1, kOutboxFormatV2);
  JsonWriter w(&out);
  WriteOutboxObject(w, o, OutboxObject::kEntry);
  return out;
}

StatusOr<OutboxEntry> DecodeOutbox(std::string_view value) {
  if (!value.empty() && value[0] == kOutboxRefFormat) {
    return Internal("outbox: a reference to a firing record (read it with OutboxEntryOfFiring)");
  }
  if (value.empty() || (value[0] != kFormatV1 && value[0] != kOutboxFormatV2)) {
    return Internal("outbox: unknown record format");
  }
  StatusOr<json> j = ParseJson(value.substr(1), kMaxRecordJsonDepth);
  if (!j.ok() || !j->is_object()) {
    return Internal(std::string("outbox: corrupt record") +
                    (j.ok() ? "" : ": " + j.status().message()));
  }
  try {
    OutboxEntry o;
    o.id = j->at("id").get<uint64_t>();
    o.case_id = j->at("case").get<std::string>();
    o.idempotency_key = j->at("key").get<std::string>();
    if (value[0] == kOutboxFormatV2) {
      o.created_at = FromMs(j->at("at").get<int64_t>());
      ReadOutboxObjectV2(*j, &o);
    } else {
      o.template_id = j->at("template").get<std::string>();
      o.channels = j->at("channels").get<std::vector<std::string>>();
      o.urgent = j->at("urgent").get<bool>();
      o.case_seq = j->at("case_seq").get<uint64_t>();
      o.created_at = FromMs(j->at("created_at").get<int64_t>());
      for (const json& r : j->at("recipients")) o.recipients.push_back(ReadRecipientV1(r));
      o.context = DecodeContextV1(j->at("context"));
    }
    return o;
  } catch (const std::exception& e) {  // json::exception, or a bad recipient
    return Internal(std::string("outbox: corrupt record: ") + e.what());
  }
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

}  // namespace shouhu::codec
