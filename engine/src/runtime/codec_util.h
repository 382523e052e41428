// What the codec's files (codec.cc, outbox_codec.cc, child_codec.cc) share:
// big-endian numbers, instants in keys and records, the JSON record frame.
// The formats themselves are declared in codec.h; nothing outside the codec
// includes this.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "runtime/codec.h"
#include "runtime/json_writer.h"
#include "shouhu/json_parse.h"

namespace shouhu::codec {

inline void AppendBigEndian(std::string* out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((v >> shift) & 0xff));
  }
}

// Instants are signed; flipping the sign bit keeps big-endian order.
inline uint64_t OrderedMillis(Instant at) {
  return static_cast<uint64_t>(at.time_since_epoch().count()) ^ (1ULL << 63);
}
inline Instant FromOrderedMillis(uint64_t v) {
  return Instant(std::chrono::milliseconds(static_cast<int64_t>(v ^ (1ULL << 63))));
}

inline int64_t Ms(Instant at) { return at.time_since_epoch().count(); }
inline Instant FromMs(int64_t ms) { return Instant(std::chrono::milliseconds(ms)); }

// A record's JSON object, after its format byte (`format`); kInternal
// naming `what` when the record is of another format or corrupt.
inline StatusOr<nlohmann::json> DecodeJson(std::string_view value, std::string_view what,
                                           char format = kFormatV1) {
  if (value.empty() || value[0] != format) {
    return Internal(std::string(what) + ": unknown record format");
  }
  StatusOr<nlohmann::json> j = ParseJson(value.substr(1), kMaxRecordJsonDepth);
  if (!j.ok() || !j->is_object()) {
    return Internal(std::string(what) + ": corrupt record" +
                    (j.ok() ? "" : ": " + j.status().message()));
  }
  return j;
}

// A notification as an outbox entry of format 2 writes it (outbox_codec.cc),
// or as a firing record holds it: without the members the record holds once
// or derives (at, case, id, key), with the previous owner and role only when
// they differ from the current ones, and, for a notification its escalation
// entry describes whole, without its template, channels and recipient.
enum class OutboxObject { kEntry, kInFiring, kInFiringAsItsEntrySays };
void WriteOutboxObject(JsonWriter& w, const OutboxEntry& o, OutboxObject form);
// Reads what both forms hold (for kInFiringAsItsEntrySays, the caller fills
// in the template, channels and recipient); o->case_id first. Throws
// json::exception or std::invalid_argument.
void ReadOutboxObjectV2(const nlohmann::json& j, OutboxEntry* o);
// A recipient as format 1 spells it, which is also how an escalation
// history entry names its "to": {"kind": "role", "role", "up"} | {"kind":
// "owner"} | {"kind": "reporter"}. Throws as above.
Recipient ReadRecipientV1(const nlohmann::json& j);

}  // namespace shouhu::codec
