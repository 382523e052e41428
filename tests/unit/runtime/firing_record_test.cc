// Firing records (runtime/codec.h): a timer's firing writes one record that
// the history reads, the outbox entries point into and the audit chain holds
// the digest of; audit verify catches a record changed or removed after the
// fact; and the layout from before firing records stays readable, giving the
// same history and notifications.
#include <string>
#include <vector>

#include "runtime/codec.h"
#include "runtime_fixture.h"
#include "shouhu/audit.h"

namespace shouhu::runtime_test {
namespace {

class FiringRecordTest : public RuntimeTest {
 protected:
  // The values under the case's history keys, in seq order.
  std::vector<std::string> HistoryValues(const std::string& id) {
    std::vector<std::string> out;
    for (const auto& [k, v] : Dump()) {
      if (k.starts_with(codec::HistoryPrefix(id))) out.push_back(v);
    }
    return out;
  }
  std::string OutboxValue(uint64_t outbox_id) {
    auto v = store_->Get(codec::OutboxKey(outbox_id));
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? *v : "";
  }
  AuditReport Verify() {
    auto report = VerifyAuditLog(*store_);
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? *report : AuditReport{};
  }
  // Opens a report at t0 and lets its acceptance deadline fire at t0 + 2h:
  // a timer history entry, an escalation entry and one notification.
  std::string OpenAndFire(Instant t0) {
    clock_.Set(t0);
    std::string id = OpenReport();
    clock_.Set(t0 + 2h);
    EXPECT_EQ(Fire(), 1u);
    return id;
  }
};

void ExpectSameEntries(const std::vector<HistoryEntry>& a, const std::vector<HistoryEntry>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    SCOPED_TRACE("entry " + std::to_string(i));
    EXPECT_EQ(a[i].seq, b[i].seq);
    EXPECT_EQ(a[i].at, b[i].at);
    EXPECT_EQ(a[i].actor, b[i].actor);
    EXPECT_EQ(a[i].kind, b[i].kind);
    EXPECT_EQ(a[i].name, b[i].name);
    EXPECT_EQ(a[i].from_state, b[i].from_state);
    EXPECT_EQ(a[i].to_state, b[i].to_state);
    EXPECT_EQ(a[i].data, b[i].data);
  }
}

TEST_F(FiringRecordTest, AFiringWritesOneRecordThatOutboxAndAuditReference) {
  const Instant t0 = clock_.Now();
  const std::string id = OpenAndFire(t0);

  // The opening's entry, then one record for the firing's two entries.
  std::vector<std::string> values = HistoryValues(id);
  ASSERT_EQ(values.size(), 2u);
  EXPECT_EQ(values[0][0], codec::kFormatV1);
  EXPECT_EQ(values[1][0], codec::kFiringFormat);
  auto history = History(id);
  ASSERT_EQ(history.size(), 3u);
  std::vector<std::string> told;  // seq, kind and name of each entry
  for (const HistoryEntry& h : history) {
    told.push_back(std::to_string(h.seq) + " " + h.kind + " " + h.name);
  }
  EXPECT_EQ(told, (std::vector<std::string>{"1 opened mandatory_report", "2 timer acceptance_sla",
                                            "3 escalation police_acceptance_overdue"}));
  for (size_t i : {1, 2}) {
    EXPECT_EQ(history[i].actor, "system");
    EXPECT_EQ(history[i].at, t0 + 2h);
    EXPECT_EQ(history[i].from_state, "reported");
    EXPECT_EQ(history[i].to_state, "reported");
  }
  EXPECT_EQ(history[2].data["to"], (json{{"kind", "owner"}}));

  // The opening's notification is a whole entry; the firing's a reference,
  // read back whole.
  auto outbox = Outbox();
  ASSERT_EQ(outbox.size(), 2u);
  EXPECT_EQ(OutboxValue(outbox[0].id)[0], codec::kOutboxFormatV2);
  const OutboxEntry& o = outbox[1];
  EXPECT_EQ(OutboxValue(o.id)[0], codec::kOutboxRefFormat);
  EXPECT_EQ(o.case_id, id);
  EXPECT_EQ(o.case_seq, 3u);
  EXPECT_EQ(o.idempotency_key, id + "/3/0");
  EXPECT_EQ(o.template_id, "overdue");
  EXPECT_EQ(o.channels, std::vector<std::string>{"sms"});
  EXPECT_EQ(RecipientsJson(o.recipients), json::parse(R"([{"kind":"owner"}])"));
  EXPECT_EQ(o.created_at, t0 + 2h);
  EXPECT_EQ(o.context.case_id, id);
  EXPECT_EQ(o.context.state, "reported");
  EXPECT_EQ(o.context.workflow, "mandatory_report");

  // The firing's audit record names the record and its digest.
  auto log = ReadAuditLog(*store_, id);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  ASSERT_EQ(log->size(), 2u);
  const AuditRecord& a = log->back();
  EXPECT_EQ(a.action, "timer");
  EXPECT_EQ(a.case_seq, 3u);
  ASSERT_TRUE(a.firing_seq.has_value());
  EXPECT_EQ(*a.firing_seq, 2u);
  EXPECT_EQ(a.firing_sha256, codec::FiringDigest(values[1]));
  AuditReport report = Verify();
  EXPECT_TRUE(report.ok()) << report.first_firing_mismatch;
  EXPECT_EQ(report.firing_records_checked, 1u);
}

TEST_F(FiringRecordTest, AuditVerifyCatchesAFiringRecordChangedOrRemoved) {
  const std::string id = OpenAndFire(clock_.Now());
  const std::string key = codec::HistoryKey(id, 2);
  auto record = codec::DecodeFiring(HistoryValues(id)[1], id);
  ASSERT_TRUE(record.ok()) << record.status().ToString();

  // Who was told changed, well-formed: only the chain's digest shows it.
  record->notifications[0].recipients = {{Recipient::Kind::kReporter, "", 0}};
  ASSERT_OK(store_->Commit({Mutation::Put(key, codec::EncodeFiring(*record))}));
  AuditReport changed = Verify();
  EXPECT_FALSE(changed.ok());
  EXPECT_EQ(changed.firing_mismatch_count, 1u);
  EXPECT_NE(changed.first_firing_mismatch.find("case " + id + " seq 2: changed"),
            std::string::npos)
      << changed.first_firing_mismatch;

  ASSERT_OK(store_->Commit({Mutation::Delete(key)}));
  AuditReport removed = Verify();
  EXPECT_FALSE(removed.ok());
  EXPECT_NE(removed.first_firing_mismatch.find("missing"), std::string::npos)
      << removed.first_firing_mismatch;
}

TEST_F(FiringRecordTest, TheOldLayoutStaysReadableAndBothLayoutsSayTheSame) {
  const Instant t0 = clock_.Now();
  // Written as before firing records: a record per entry, a whole entry in
  // the outbox, no digest in the audit record.
  options_.firing_records = false;
  StartRuntime();
  const std::string old_id = OpenAndFire(t0);
  ASSERT_EQ(HistoryValues(old_id).size(), 3u);
  const std::vector<HistoryEntry> old_history = History(old_id);
  const std::vector<OutboxEntry> old_outbox = Outbox();  // the opening's, the firing's
  ASSERT_EQ(old_outbox.size(), 2u);
  EXPECT_EQ(OutboxValue(old_outbox[1].id)[0], codec::kOutboxFormatV2);

  // Read by a runtime that writes firing records, after a restart.
  options_.firing_records = true;
  Reopen();
  ExpectSameEntries(History(old_id), old_history);
  EXPECT_EQ(Outbox(), old_outbox);

  // The same story on a new case, at the same times, in the new layout.
  const std::string new_id = OpenAndFire(t0);
  ASSERT_EQ(HistoryValues(new_id).size(), 2u);
  ExpectSameEntries(History(new_id), old_history);
  auto outbox = Outbox();
  ASSERT_EQ(outbox.size(), 4u);
  OutboxEntry fresh = outbox[3];
  EXPECT_EQ(OutboxValue(fresh.id)[0], codec::kOutboxRefFormat);
  EXPECT_EQ(fresh.case_id, new_id);
  EXPECT_EQ(fresh.idempotency_key, new_id + "/3/0");
  EXPECT_EQ(fresh.context.case_id, new_id);
  // Apart from the case it is about, the old firing's entry's twin.
  const OutboxEntry& twin = old_outbox[1];
  fresh.id = twin.id;
  fresh.case_id = old_id;
  fresh.idempotency_key = twin.idempotency_key;
  fresh.context.case_id = old_id;
  EXPECT_EQ(fresh, twin);

  // The old case fires on in the new layout (and the new case with it); its
  // history reads across both.
  clock_.Set(t0 + 3h);
  EXPECT_EQ(Fire(), 2u);
  EXPECT_EQ(HistoryValues(old_id).size(), 4u);
  auto history = History(old_id);
  ASSERT_EQ(history.size(), 4u);
  EXPECT_EQ(history[3].seq, 4u);
  EXPECT_EQ(history[3].data["step"], 1);
  AuditReport report = Verify();
  EXPECT_TRUE(report.ok()) << report.first_firing_mismatch;
  EXPECT_EQ(report.firing_records_checked, 3u);
}

TEST(FiringCodecTest, ARecordRoundTripsWithStatesAndKeysDerived) {
  const Instant at = Instant(std::chrono::milliseconds(1'772'000'000'000));
  codec::FiringRecord f;
  f.entries.push_back({7, at, "system", "timer", "deadline", "a", "a", {{"due", "x"}}});
  // A timer that fires an event moves the case on: this entry's states differ.
  f.entries.push_back({8, at, "system", "event", "close", "a", "closed", json::object()});
  OutboxEntry o;
  o.case_id = "C1";
  o.case_seq = 8;
  o.template_id = "t";
  o.recipients = {{Recipient::Kind::kRole, "boss", 1}};
  o.channels = {"sms", "email"};
  o.urgent = true;
  o.created_at = at;
  o.context.case_id = "C1";
  o.context.state = "closed";
  o.context.data = {{"name", "小明"}};
  f.notifications = {o, o};
  // An escalation entry and its notification: the record says what is sent
  // to whom once, in the entry.
  f.entries.push_back({9, at, "system", "escalation", "late", "closed", "closed",
                       {{"step", 0},
                        {"to", {{"kind", "role"}, {"role", "boss"}, {"up", 1}}},
                        {"template", "t_late"},
                        {"channels", {"sms"}},
                        {"priority", "high"}}});
  OutboxEntry told = o;
  told.case_seq = 9;
  told.template_id = "t_late";
  told.channels = {"sms"};
  told.context.previous_owner = "someone";  // kept: not the current owner
  f.notifications.push_back(told);
  const std::string value = codec::EncodeFiring(f);
  EXPECT_EQ(value.find("t_late"), value.rfind("t_late")) << value;
  // Written as nlohmann writes the same tree (sorted keys, compact).
  EXPECT_EQ(value.substr(1), json::parse(value.substr(1)).dump());
  AuditRecord a;
  a.case_id = "C1";
  a.case_seq = 8;
  a.firing_seq = 7;
  a.firing_sha256 = codec::FiringDigest(value);
  const std::string audit = codec::EncodeAudit(a);
  EXPECT_EQ(audit.substr(1), json::parse(audit.substr(1)).dump());
  auto a_back = codec::DecodeAudit(audit);
  ASSERT_TRUE(a_back.ok()) << a_back.status().ToString();
  EXPECT_EQ(a_back->firing_seq, 7u);
  EXPECT_EQ(a_back->firing_sha256, a.firing_sha256);
  EXPECT_EQ(a.firing_sha256.size(), 64u);

  auto back = codec::DecodeFiring(value, "C1");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ExpectSameEntries(back->entries, f.entries);
  ASSERT_EQ(back->notifications.size(), 3u);
  o.idempotency_key = "C1/8/0";
  EXPECT_EQ(back->notifications[0], o);
  EXPECT_EQ(back->notifications[1].idempotency_key, "C1/8/1");
  told.idempotency_key = "C1/9/2";
  EXPECT_EQ(back->notifications[2], told);

  const std::string ref = codec::EncodeOutboxRef({"C1", 7, 1});
  auto r = codec::DecodeOutboxRef(ref);
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_EQ((*r)->case_id, "C1");
  EXPECT_EQ((*r)->seq, 7u);
  EXPECT_EQ((*r)->n, 1u);
  auto entry = codec::OutboxEntryOfFiring(value, **r, 42);
  ASSERT_TRUE(entry.ok()) << entry.status().ToString();
  EXPECT_EQ(entry->id, 42u);
  EXPECT_EQ(entry->idempotency_key, "C1/8/1");
  EXPECT_FALSE(codec::OutboxEntryOfFiring(value, {"C1", 7, 3}, 42).ok());
  // A reference is not an entry, nor an entry a reference.
  EXPECT_FALSE(codec::DecodeOutbox(ref).ok());
  auto not_ref = codec::DecodeOutboxRef(codec::EncodeOutbox(o));
  ASSERT_TRUE(not_ref.ok());
  EXPECT_FALSE(not_ref->has_value());
  // History readers take either format.
  auto entries = codec::DecodeHistoryRecord(value, "C1");
  ASSERT_TRUE(entries.ok());
  EXPECT_EQ(entries->size(), 3u);
  auto one = codec::DecodeHistoryRecord(codec::EncodeHistory(f.entries[0]), "C1");
  ASSERT_TRUE(one.ok());
  ExpectSameEntries(*one, {f.entries[0]});
  EXPECT_FALSE(codec::DecodeHistoryRecord(std::string("\x02{}", 3), "C1").ok());
}

}  // namespace
}  // namespace shouhu::runtime_test
