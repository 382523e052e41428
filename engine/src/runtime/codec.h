// The store's key layout and record formats, all in one place.
//
// Keys are byte strings with a one-letter area prefix; numbers are big-endian
// so keys sort by them. Values start with a format-version byte, then JSON.
// Changing a format means a new version byte and a decoder for the old one.
//
//   c/<case>                         CaseRecord
//   h/<case>/<seq:be64>              HistoryEntry (format 1), or a firing
//                                    record (format 2): the history entries
//                                    seq, seq+1, ... of one timer firing and
//                                    the notifications they queued
//   t/<due:be64><case>\0<timer>      due-time index (value: format byte)
//   o/<id:be64>                      OutboxEntry (format 2; format 1 read too),
//                                    or (format 3) a reference to one
//                                    notification of a firing record
//   a/<seq:be64>                     audit record: a hash-chain envelope
//                                    (shouhu/chain.h) around format byte + JSON
//   r/<request id>                   idempotent command result
//   z/<timer key>                    a timer taken out of the due-time index
//                                    because its case is unreadable (JSON:
//                                    case, reason, at)
//   i/s/<workflow>\0<state>\0<case>  index: cases by state
//   i/o/<owner>\0<case>              index: cases by owner
//   i/u/<unit>\0<case>               index: cases by unit
//   i/d/<case>                       index: overdue cases
//   i/r/<user>\0<case>               index: cases by reporter (the first and
//                                    each whose report joined it)
//   n/reporter_index                 set once cases from before i/r/ are indexed
//   d/<delivery id>                  Delivery (pending or dead)
//   q/<due:be64><delivery id>        due-time queue of pending deliveries
//   x/<delivery id>                  DeadLetter
//   n/outbox                         greatest outbox id ever expanded (be64)
//   k/i/<identity>                   child's file: identity -> child id
//   k/r/<child>\0<at:be64><case>\0<seq:be64>
//                                    child's file: one revision (ChildRevision)
//   k/p/<child>\0<case>\0<seq:be64>   a value proposed for a child's file by
//                                    an actor who may not write it (ChildProposal)
//   k/x/<unit>\0<term>\0<child>       the register's search index: the child's
//                                    file has the term (register/child_terms.h);
//                                    unit "" holds the de-duplication terms
//   k/m/<child>                      a file merged into another (child id)
//   k/j/<unit>\0<sha256>             a roster imported into the unit (counts)
//   k/c/<unit>                       the unit's roster mapping (heading -> field)
//   n/child_index                    set once files from before k/x/ are indexed
//   g/v                              the organisation's version (JSON: version,
//                                    time_zone, seeded_from, at)
//   g/u/<unit>                       a unit of the organisation (JSON, as in the
//                                    organisation file, with its order "n")
//   g/p/<user>                       a user of the organisation (JSON, likewise)
//   s/...                            the sealed store's own records (its key
//                                    check value; shouhu/sealed_store.h)
//
// Encryption at rest (StoreSealing): in a store opened with a data key every
// value is sealed (XChaCha20-Poly1305, bound to its key) except those whose
// keys say everything they hold: the index entries (t/, i/, q/: a format
// byte or nothing) and the audit chain (a/: who did what to which case, and
// when; no child's data). The child identity index k/i/ is stored under a
// keyed hash of the identity, never the names and birth dates themselves;
// the search index k/x/ under a keyed hash of <unit>\0<term> followed by
// the child id in clear (a term key, shouhu/sealed_store.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shouhu/audit.h"
#include "shouhu/case.h"
#include "shouhu/child.h"
#include "shouhu/child_register.h"
#include "shouhu/runtime.h"
#include "shouhu/sealed_store.h"

namespace shouhu::codec {

inline constexpr char kFormatV1 = '\x01';

// What the sealed store seals, leaves clear and hashes (see above).
SealingLayout StoreSealing();

std::string CaseKey(std::string_view case_id);
inline constexpr std::string_view kCasePrefix = "c/";
std::string HistoryKey(std::string_view case_id, uint64_t seq);
std::string HistoryPrefix(std::string_view case_id);
std::string TimerKey(Instant due, std::string_view case_id,
                     std::string_view timer);
inline constexpr std::string_view kTimerPrefix = "t/";
// The smallest timer key due at or after `due`.
std::string TimerKeyLowerBound(Instant due);
struct TimerKeyParts {
  Instant due;
  std::string case_id;
  std::string timer;
};
bool ParseTimerKey(std::string_view key, TimerKeyParts* out);
Instant TimerKeyDue(std::string_view key);  // REQUIRES: a valid timer key
std::string OutboxKey(uint64_t id);
inline constexpr std::string_view kOutboxPrefix = "o/";
std::string AuditKey(uint64_t id);
inline constexpr std::string_view kAuditPrefix = "a/";
std::string RequestKey(std::string_view request_id);
std::string QuarantineKey(std::string_view timer_key);
inline constexpr std::string_view kQuarantinePrefix = "z/";
std::string ByStateKey(std::string_view workflow, std::string_view state,
                       std::string_view case_id);
std::string ByStatePrefix(std::string_view workflow, std::string_view state);
std::string ByOwnerKey(std::string_view owner, std::string_view case_id);
std::string ByOwnerPrefix(std::string_view owner);
std::string ByUnitKey(std::string_view unit, std::string_view case_id);
std::string ByUnitPrefix(std::string_view unit);
std::string ByReporterKey(std::string_view user, std::string_view case_id);
std::string ByReporterPrefix(std::string_view user);
inline constexpr std::string_view kReporterIndexPrefix = "i/r/";
inline constexpr std::string_view kReporterIndexDoneKey = "n/reporter_index";
std::string OverdueKey(std::string_view case_id);
inline constexpr std::string_view kOverduePrefix = "i/d/";
// The case id at the end of an index key (after the last '\0' or prefix).
std::string_view CaseIdOfIndexKey(std::string_view key, std::string_view prefix);

uint64_t DecodeBigEndian(std::string_view eight_bytes);
std::string EncodeBigEndian(uint64_t v);

// Delivery state of outbox notifications (deliveries.cc).
std::string DeliveryKey(std::string_view delivery_id);
inline constexpr std::string_view kDeliveryPrefix = "d/";
std::string DeliveryDueKey(Instant due, std::string_view delivery_id);
inline constexpr std::string_view kDeliveryDuePrefix = "q/";
// The smallest due-queue key due after `due`.
std::string DeliveryDueKeyUpperBound(Instant due);
Instant DeliveryDueKeyDue(std::string_view key);  // REQUIRES: a valid key
std::string DeadLetterKey(std::string_view delivery_id);
inline constexpr std::string_view kDeadLetterPrefix = "x/";
inline constexpr std::string_view kOutboxHighWaterKey = "n/outbox";
std::string EncodeDelivery(const Delivery& d);
StatusOr<Delivery> DecodeDelivery(std::string_view value);
std::string EncodeDeadLetter(const DeadLetter& d);
StatusOr<DeadLetter> DecodeDeadLetter(std::string_view value);

std::string EncodeCase(const CaseRecord& c);
StatusOr<CaseRecord> DecodeCase(std::string_view value);
std::string EncodeHistory(const HistoryEntry& h);
// Format 1 only; DecodeHistoryRecord reads both formats.
StatusOr<HistoryEntry> DecodeHistory(std::string_view value);

// Firing records (firing_codec.cc). A timer firing writes its history
// entries and its notifications once, in one record under the first entry's
// history key, and each outbox entry (format 3) names the record and the
// notification's place in it instead of carrying its own copy of the case's
// facts; the firing's audit record names the record and its SHA-256, so the
// audit chain covers it. The entries share their time and actor (one change
// writes them); a notification's idempotency key and time are derived, not
// stored.
inline constexpr char kFiringFormat = '\x02';
inline constexpr char kOutboxRefFormat = '\x03';
struct FiringRecord {
  std::vector<HistoryEntry> entries;  // REQUIRES: non-empty, seqs consecutive
  std::vector<OutboxEntry> notifications;  // ids unset (the o/ keys hold them)
};
std::string EncodeFiring(const FiringRecord& f);
StatusOr<FiringRecord> DecodeFiring(std::string_view value, std::string_view case_id);
// The history entries in a value under h/: one (format 1) or a firing's.
StatusOr<std::vector<HistoryEntry>> DecodeHistoryRecord(std::string_view value,
                                                        std::string_view case_id);
struct OutboxRef {
  std::string case_id;
  uint64_t seq = 0;  // the firing record's key: HistoryKey(case_id, seq)
  size_t n = 0;      // the notification's place in it
};
std::string EncodeOutboxRef(const OutboxRef& r);
// nullopt when `value` is an outbox entry of format 1 or 2 (DecodeOutbox).
StatusOr<std::optional<OutboxRef>> DecodeOutboxRef(std::string_view value);
// Notification r.n of the firing record `firing`, as outbox entry `id`.
StatusOr<OutboxEntry> OutboxEntryOfFiring(std::string_view firing, const OutboxRef& r,
                                          uint64_t id);
// The digest the audit record names a firing record by: SHA-256 of the
// record's value as encoded (clear), hex.
std::string FiringDigest(std::string_view firing);
// Outbox entries (outbox_codec.cc). Written in format 2 (format 3 for a
// firing's, above): the entry's typed
// fields (shouhu/notification.h) under fixed names. Format 1 (a JSON object
// with the recipients and a free-form context as the workflow runtime first
// wrote them) is still read: entries left in a data directory by an older
// shouhud are delivered as they were meant.
inline constexpr char kOutboxFormatV2 = '\x02';
std::string EncodeOutbox(const OutboxEntry& o);
StatusOr<OutboxEntry> DecodeOutbox(std::string_view value);
// A format 1 context object read into its typed form (members missing or of
// another type read as empty, as the dispatcher of format 1 read them).
NotificationContext DecodeContextV1(const nlohmann::json& context);
// `at`: when the request was first answered (for retention); a record from
// before records carried it decodes with *at unset.
std::string EncodeResult(const CommandResult& r, std::string_view fingerprint, Instant at);
StatusOr<CommandResult> DecodeResult(std::string_view value, std::string* fingerprint,
                                     std::optional<Instant>* at = nullptr);
std::string EncodeJson(const nlohmann::json& j);  // format byte + JSON
// The audit record's payload inside its chain envelope (seq and hash are
// the envelope's; the decoder leaves them unset).
std::string EncodeAudit(const AuditRecord& a);
StatusOr<AuditRecord> DecodeAudit(std::string_view payload);

// The child's file: an identity index and append-only revisions, which sort
// by time within a child. `identity` is the identity fields' values, joined.
std::string ChildIdentityKey(std::string_view identity);
std::string ChildRevisionPrefix(std::string_view child_id);
std::string ChildRevisionKey(std::string_view child_id, Instant at,
                             std::string_view case_id, uint64_t case_seq);
std::string ChildProposalPrefix(std::string_view child_id);
std::string ChildProposalKey(std::string_view child_id, std::string_view case_id,
                             uint64_t case_seq);
std::string EncodeChildProposal(const ChildProposal& p);
StatusOr<ChildProposal> DecodeChildProposal(std::string_view value);
std::string EncodeChildId(std::string_view child_id);
StatusOr<std::string> DecodeChildId(std::string_view value);
// The register's search index and merges (see above).
std::string ChildTermPrefix(std::string_view unit, std::string_view term);
std::string ChildTermKey(std::string_view unit, std::string_view term,
                         std::string_view child_id);
inline constexpr std::string_view kChildTermArea = "k/x/";
std::string ChildMergedKey(std::string_view child_id);
inline constexpr std::string_view kChildRevisionArea = "k/r/";
inline constexpr std::string_view kChildIndexDoneKey = "n/child_index";
std::string RosterImportKey(std::string_view unit, std::string_view sha256);
std::string RosterMappingKey(std::string_view unit);
// The organisation (org_directory.h): seeded from its file once, then
// changed at run time; every value a JSON object (format byte + JSON).
inline constexpr std::string_view kOrgVersionKey = "g/v";
inline constexpr std::string_view kOrgUnitPrefix = "g/u/";
inline constexpr std::string_view kOrgUserPrefix = "g/p/";
std::string OrgUnitKey(std::string_view unit);
std::string OrgUserKey(std::string_view user);
StatusOr<nlohmann::json> DecodeOrgRecord(std::string_view value);
// A register command's idempotency record: a CommandResult record (so
// DecodeResult and retention read it) with the child id.
std::string EncodeChildResult(const ChildCommandResult& r, std::string_view fingerprint,
                              Instant at);
StatusOr<ChildCommandResult> DecodeChildResult(std::string_view value, std::string* fingerprint);
std::string EncodeRosterImport(const RosterResult& r);  // the counts
StatusOr<RosterResult> DecodeRosterImport(std::string_view value);
std::string EncodeRosterMapping(const std::map<std::string, std::string>& mapping);
StatusOr<std::map<std::string, std::string>> DecodeRosterMapping(std::string_view value);
// A revision, and the unit of the case that made it (the file's unit when
// it is the first). `revision` is not stored: it is the revision's position.
std::string EncodeChildRevision(const ChildRevision& r, std::string_view unit);
StatusOr<ChildRevision> DecodeChildRevision(std::string_view value,
                                            std::string* unit);

}  // namespace shouhu::codec
