// The key layout and record formats (runtime/codec.h). The byte layout is
// pinned: data written by one release must be read by the next.
#include "runtime/codec.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "runtime_fixture.h"

namespace shouhu::runtime_test {
namespace {

using namespace std::string_literals;

Instant Ms(int64_t ms) { return Instant(std::chrono::milliseconds(ms)); }

TEST(CodecTest, KeyLayoutIsPinned) {
  EXPECT_EQ(codec::CaseKey("C0000000001"), "c/C0000000001");
  EXPECT_EQ(codec::HistoryKey("C1", 258), "h/C1/\0\0\0\0\0\0\x01\x02"s);
  EXPECT_EQ(codec::HistoryPrefix("C1"), "h/C1/");
  // Instants are stored with the sign bit flipped, big-endian.
  EXPECT_EQ(codec::TimerKey(Ms(0), "C1", "acceptance_sla"),
            "t/\x80\0\0\0\0\0\0\0C1\0acceptance_sla"s);
  EXPECT_EQ(codec::TimerKey(Ms(1), "C1", "x"), "t/\x80\0\0\0\0\0\0\x01" "C1\0x"s);
  EXPECT_EQ(codec::OutboxKey(1), "o/\0\0\0\0\0\0\0\x01"s);
  EXPECT_EQ(codec::AuditKey(256), "a/\0\0\0\0\0\0\x01\0"s);
  EXPECT_EQ(codec::RequestKey("req-1"), "r/req-1");
  EXPECT_EQ(codec::ByStateKey("wf", "open", "C1"), "i/s/wf\0open\0C1"s);
  EXPECT_EQ(codec::ByOwnerKey("u1", "C1"), "i/o/u1\0C1"s);
  EXPECT_EQ(codec::ByUnitKey("town-a", "C1"), "i/u/town-a\0C1"s);
  EXPECT_EQ(codec::OverdueKey("C1"), "i/d/C1");
  EXPECT_EQ(codec::EncodeJson(json::object()), "\x01{}");
}

TEST(CodecTest, TimerKeysSortByDueTimeIncludingBeforeTheEpoch) {
  const std::vector<int64_t> dues = {-86'400'000LL * 365 * 10, -1, 0, 1, 255, 256,
                                     1'772'413'200'000LL, 4'102'444'800'000LL};
  std::string prev;
  for (int64_t due : dues) {
    SCOPED_TRACE(due);
    std::string key = codec::TimerKey(Ms(due), "C0000000001", "t");
    EXPECT_LT(prev, key);
    // The lower bound of a due time sorts before its keys and after every
    // key due a millisecond earlier.
    EXPECT_LE(codec::TimerKeyLowerBound(Ms(due)), key);
    EXPECT_LT(key, codec::TimerKeyLowerBound(Ms(due + 1)));
    EXPECT_EQ(codec::TimerKeyDue(key), Ms(due));
    prev = key;
  }
}

TEST(CodecTest, TimerKeyRoundTrips) {
  std::string key = codec::TimerKey(At("2026-03-02T11:00:00+08:00"), "C0000000042",
                                    "police_acceptance_overdue#1");
  codec::TimerKeyParts p;
  ASSERT_TRUE(codec::ParseTimerKey(key, &p));
  EXPECT_EQ(p.due, At("2026-03-02T11:00:00+08:00"));
  EXPECT_EQ(p.case_id, "C0000000042");
  EXPECT_EQ(p.timer, "police_acceptance_overdue#1");

  EXPECT_FALSE(codec::ParseTimerKey("t/short", &p));
  EXPECT_FALSE(codec::ParseTimerKey("x/\x80\0\0\0\0\0\0\0C1\0t"s, &p));
  EXPECT_FALSE(codec::ParseTimerKey("t/\x80\0\0\0\0\0\0\0C1-no-separator"s, &p));
}

TEST(CodecTest, BigEndianNumbersSortNumerically) {
  const std::vector<uint64_t> ids = {1, 2, 255, 256, 65'535, 65'536, 1ULL << 40};
  for (size_t i = 1; i < ids.size(); ++i) {
    EXPECT_LT(codec::OutboxKey(ids[i - 1]), codec::OutboxKey(ids[i]));
    EXPECT_LT(codec::HistoryKey("C1", ids[i - 1]), codec::HistoryKey("C1", ids[i]));
  }
  for (uint64_t id : ids) {
    EXPECT_EQ(codec::DecodeBigEndian(codec::OutboxKey(id).substr(2)), id);
  }
}

TEST(CodecTest, IndexPrefixesDoNotMatchLongerNames) {
  // "town-a" must not list the cases of "town-ab"; state "open" not "opened".
  std::string ab = codec::ByUnitKey("town-ab", "C1");
  EXPECT_FALSE(ab.starts_with(codec::ByUnitPrefix("town-a")));
  EXPECT_FALSE(codec::ByStateKey("wf", "opened", "C1").starts_with(codec::ByStatePrefix("wf", "open")));
  EXPECT_FALSE(codec::ByStateKey("wf2", "open", "C1").starts_with(codec::ByStatePrefix("wf", "open")));
  EXPECT_FALSE(codec::ByOwnerKey("u10", "C1").starts_with(codec::ByOwnerPrefix("u1")));
  EXPECT_FALSE(codec::HistoryKey("C10", 1).starts_with(codec::HistoryPrefix("C1")));

  std::string prefix = codec::ByStatePrefix("mandatory_report", "reported");
  EXPECT_EQ(codec::CaseIdOfIndexKey(codec::ByStateKey("mandatory_report", "reported",
                                                      "C0000000007"),
                                    prefix),
            "C0000000007");
  EXPECT_EQ(codec::CaseIdOfIndexKey(codec::OverdueKey("C9"), codec::kOverduePrefix), "C9");
}

CaseRecord SampleCase() {
  CaseRecord c;
  c.id = "C0000000007";
  c.workflow_id = "mandatory_report";
  c.workflow_version = 3;
  c.state = "reported";
  c.state_entered_at = At("2026-03-02T09:00:00+08:00");
  c.data = Report();
  c.data["co_assessors"] = {"police", "school"};
  c.priority = Priority::kUrgent;
  c.unit = "village-3";
  c.reporter = "teacher-li";
  c.owner = "officer-wang";
  c.opened_at = At("2026-03-01T09:00:00+08:00");
  c.updated_at = At("2026-03-02T09:00:00.123+08:00");
  c.last_seq = 300;
  c.overdue = true;
  c.timers = {{"acceptance_sla", At("2026-03-02T11:00:00+08:00"), "", -1, {}},
              {"police_acceptance_overdue#1", At("2026-03-02T12:00:00+08:00"),
               "police_acceptance_overdue", 1, At("2026-03-02T11:00:00+08:00")}};
  return c;
}

TEST(CodecTest, CaseRoundTrips) {
  CaseRecord c = SampleCase();
  std::string v = codec::EncodeCase(c);
  ASSERT_FALSE(v.empty());
  EXPECT_EQ(v[0], codec::kFormatV1);
  auto d = codec::DecodeCase(v);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->id, c.id);
  EXPECT_EQ(d->workflow_id, c.workflow_id);
  EXPECT_EQ(d->workflow_version, c.workflow_version);
  EXPECT_EQ(d->state, c.state);
  EXPECT_EQ(d->state_entered_at, c.state_entered_at);
  EXPECT_EQ(d->data, c.data);
  EXPECT_EQ(d->priority, c.priority);
  EXPECT_EQ(d->unit, c.unit);
  EXPECT_EQ(d->reporter, c.reporter);
  EXPECT_EQ(d->owner, c.owner);
  EXPECT_EQ(d->opened_at, c.opened_at);
  EXPECT_EQ(d->updated_at, c.updated_at);
  EXPECT_EQ(d->last_seq, c.last_seq);
  EXPECT_EQ(d->overdue, c.overdue);
  EXPECT_EQ(d->timers, c.timers);
}

TEST(CodecTest, HistoryOutboxAndResultRoundTrip) {
  HistoryEntry h{7, At("2026-03-02T09:00:00+08:00"), "system", "escalation",
                 "police_acceptance_overdue", "reported", "reported",
                 {{"step", 1}, {"to", {{"kind", "owner"}}}}};
  auto hd = codec::DecodeHistory(codec::EncodeHistory(h));
  ASSERT_TRUE(hd.ok()) << hd.status().ToString();
  EXPECT_EQ(hd->seq, h.seq);
  EXPECT_EQ(hd->at, h.at);
  EXPECT_EQ(hd->actor, h.actor);
  EXPECT_EQ(hd->kind, h.kind);
  EXPECT_EQ(hd->name, h.name);
  EXPECT_EQ(hd->from_state, h.from_state);
  EXPECT_EQ(hd->to_state, h.to_state);
  EXPECT_EQ(hd->data, h.data);

  OutboxEntry o;
  o.id = 99;
  o.case_id = "C1";
  o.case_seq = 7;
  o.idempotency_key = "C1/7/0";
  o.template_id = "overdue";
  o.recipients = {{Recipient::Kind::kRole, "police_supervisor", 1},
                  {Recipient::Kind::kOwner, "", 0},
                  {Recipient::Kind::kReporter, "", 0}};
  o.channels = {"sms", "email"};
  o.urgent = true;
  o.created_at = At("2026-03-02T09:00:00+08:00");
  o.context.case_id = "C1";
  o.context.workflow = "mandatory_report";
  o.context.version = 3;
  o.context.state = "police_intake";
  o.context.state_label = Label{"公安受理", "Police intake"};
  o.context.owner_role = "police_officer";
  o.context.unit = "village-3";
  o.context.owner = "officer-wang";
  o.context.previous_owner = "";
  o.context.previous_owner_role = "reporter";
  o.context.reporter = "teacher-li";
  o.context.joined_reporters = {"doctor-zhao"};
  o.context.priority = "high";
  o.context.data = {{"child_name", "小明"}, {"signs", {"alone"}}};
  auto od = codec::DecodeOutbox(codec::EncodeOutbox(o));
  ASSERT_TRUE(od.ok()) << od.status().ToString();
  EXPECT_EQ(*od, o);
  // A state without a label, no joined reporters and no data round-trip too.
  o.context.state_label.reset();
  o.context.joined_reporters.clear();
  o.context.data = json::object();
  o.recipients.clear();
  od = codec::DecodeOutbox(codec::EncodeOutbox(o));
  ASSERT_TRUE(od.ok()) << od.status().ToString();
  EXPECT_EQ(*od, o);

  std::string fingerprint;
  auto r = codec::DecodeResult(
      codec::EncodeResult({"C1", 4, "police_intake", false, true, "C0", 0}, "00ff00ff00ff00ff",
                          Instant(std::chrono::milliseconds(1'772'000'000'000))),
      &fingerprint);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->case_id, "C1");
  EXPECT_EQ(r->seq, 4u);
  EXPECT_EQ(r->state, "police_intake");
  EXPECT_TRUE(r->joined);  // a report that joined an open case answers so again
  EXPECT_EQ(r->duplicate_of, "C0");
  EXPECT_TRUE(r->replayed) << "a decoded result is by definition a replay";
  EXPECT_EQ(fingerprint, "00ff00ff00ff00ff");
}

TEST(CodecTest, CorruptOrUnknownRecordsAreInternalErrors) {
  std::string good = codec::EncodeCase(SampleCase());
  std::string unknown_format = good;
  unknown_format[0] = '\x02';
  json missing = json::parse(good.substr(1));
  missing.erase("state");
  json mistyped = json::parse(good.substr(1));
  mistyped["last_seq"] = "three hundred";
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"empty", ""},
      {"unknown format byte", unknown_format},
      {"truncated", good.substr(0, good.size() / 2)},
      {"not an object", "\x01[1,2]"},
      {"missing member", codec::EncodeJson(missing)},
      {"mistyped member", codec::EncodeJson(mistyped)},
  };
  for (const auto& [what, value] : bad) {
    SCOPED_TRACE(what);
    EXPECT_CODE(codec::DecodeCase(value), StatusCode::kInternal);
    EXPECT_CODE(codec::DecodeHistory(value), StatusCode::kInternal);
    EXPECT_CODE(codec::DecodeOutbox(value), StatusCode::kInternal);
    std::string fp;
    EXPECT_CODE(codec::DecodeResult(value, &fp), StatusCode::kInternal);
  }
}

// Outbox entries an older shouhud wrote (format 1: recipients as objects and
// a free-form context) are read into the typed entry, member by member.
TEST(CodecTest, AnOutboxEntryInFormatOneIsRead) {
  const std::string v1 =
      "\x01" R"({"case":"C0000000007","case_seq":4,"channels":["email","sms"],)"
      R"("context":{"case_id":"C0000000007","data":{"child_name":"小明"},)"
      R"("joined_reporters":["doctor-zhao"],"owner":"","owner_role":"police_officer",)"
      R"("previous_owner":"teacher-li","previous_owner_role":"reporter",)"
      R"("priority":"urgent","reporter":"teacher-li","state":"police_intake",)"
      R"("state_label":{"en":"Police intake","zh":"公安受理"},"unit":"village-3",)"
      R"("version":2,"workflow":"mandatory_report"},"created_at":1772413200000,)"
      R"("id":12,"key":"C0000000007/4/0",)"
      R"("recipients":[{"kind":"role","role":"police_officer","up":1},{"kind":"owner"},)"
      R"({"kind":"reporter"}],"template":"new_report","urgent":true})";
  auto o = codec::DecodeOutbox(v1);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->id, 12u);
  EXPECT_EQ(o->case_id, "C0000000007");
  EXPECT_EQ(o->case_seq, 4u);
  EXPECT_EQ(o->idempotency_key, "C0000000007/4/0");
  EXPECT_EQ(o->template_id, "new_report");
  EXPECT_EQ(o->channels, (std::vector<std::string>{"email", "sms"}));
  EXPECT_TRUE(o->urgent);
  EXPECT_EQ(o->created_at, Ms(1772413200000LL));
  EXPECT_EQ(o->recipients, (std::vector<Recipient>{{Recipient::Kind::kRole, "police_officer", 1},
                                                   {Recipient::Kind::kOwner, "", 0},
                                                   {Recipient::Kind::kReporter, "", 0}}));
  const NotificationContext& c = o->context;
  EXPECT_EQ(c.case_id, "C0000000007");
  EXPECT_EQ(c.workflow, "mandatory_report");
  EXPECT_EQ(c.version, 2);
  EXPECT_EQ(c.state, "police_intake");
  EXPECT_EQ(c.state_label, (Label{"公安受理", "Police intake"}));
  EXPECT_EQ(c.owner_role, "police_officer");
  EXPECT_EQ(c.unit, "village-3");
  EXPECT_EQ(c.owner, "");
  EXPECT_EQ(c.previous_owner, "teacher-li");
  EXPECT_EQ(c.previous_owner_role, "reporter");
  EXPECT_EQ(c.reporter, "teacher-li");
  EXPECT_EQ(c.joined_reporters, (std::vector<std::string>{"doctor-zhao"}));
  EXPECT_EQ(c.priority, "urgent");
  EXPECT_EQ(c.data, json({{"child_name", "小明"}}));
  // Format 1's state_label was null for a state the workflow did not define.
  json j = json::parse(v1.substr(1));
  j["context"]["state_label"] = nullptr;
  o = codec::DecodeOutbox("\x01" + j.dump());
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_FALSE(o->context.state_label.has_value());
  // An unknown recipient kind was never written: the record is corrupt.
  j["recipients"] = json::parse(R"([{"kind":"everyone"}])");
  EXPECT_CODE(codec::DecodeOutbox("\x01" + j.dump()), StatusCode::kInternal);
}

// The case, history, outbox and audit records are written by a JsonWriter,
// not through an nlohmann::json tree. The bytes must be exactly what dumping
// the tree wrote, so that records of either kind read back the same and the
// audit chain hashes the same bytes: checked against the tree, with strings
// that need escaping, Chinese text, nested data and optional fields.
TEST(CodecTest, RecordsAreTheBytesThatDumpingAJsonTreeWrites) {
  auto dumped = [](const json& j) { return "\x01"s + j.dump(); };
  const std::vector<std::string> strings = {
      "", "plain", "留守儿童 (left-behind child)", "quote \" and \\ back",
      "tab\tnew\nline\x01\x1f", "del\x7f", "emoji 😀"};
  for (const std::string& text : strings) {
    SCOPED_TRACE(text);
    CaseRecord c;
    c.id = "C0000000042";
    c.workflow_id = "mandatory_report";
    c.workflow_version = 2;
    c.state = text;
    c.state_entered_at = Ms(-5);
    c.data = {{"child_name", "张三"}, {"note", text}, {"age", 9}, {"n", nullptr},
              {"list", {1, "二", false}}};
    c.priority = Priority::kHigh;
    c.unit = "county/town-a";
    c.reporter = text;
    c.owner = "";
    c.child_id = "K1";
    c.opened_at = Ms(1'772'413'200'000LL);
    c.updated_at = Ms(1'772'413'200'001LL);
    c.last_seq = 18'446'744'073'709'551'615ULL;
    c.overdue = true;
    c.timers = {{"sla", Ms(7), "", -1, {}}, {"late#1", Ms(9), "late", 1, Ms(3)}};
    json timers = json::array();
    for (const ArmedTimer& t : c.timers) {
      json tj = {{"name", t.name}, {"due", t.due.time_since_epoch().count()}};
      if (!t.chain.empty()) {
        tj["chain"] = t.chain;
        tj["step"] = t.step;
        tj["chain_started"] = t.chain_started.time_since_epoch().count();
      }
      timers.push_back(tj);
    }
    EXPECT_EQ(codec::EncodeCase(c),
              dumped({{"id", c.id}, {"workflow", c.workflow_id}, {"version", 2},
                      {"state", c.state}, {"state_entered_at", -5}, {"data", c.data},
                      {"priority", 1}, {"unit", c.unit}, {"reporter", c.reporter},
                      {"owner", ""}, {"child", "K1"},
                      {"opened_at", 1'772'413'200'000LL},
                      {"updated_at", 1'772'413'200'001LL}, {"last_seq", c.last_seq},
                      {"overdue", true}, {"timers", timers}}));

    HistoryEntry h{7, Ms(11), text, "escalation", "late", "a", text,
                   {{"step", 0}, {"to", {{"kind", "owner"}}}}};
    EXPECT_EQ(codec::EncodeHistory(h),
              dumped({{"seq", 7}, {"at", 11}, {"actor", text}, {"kind", "escalation"},
                      {"name", "late"}, {"from", "a"}, {"to", text}, {"data", h.data}}));

    OutboxEntry o;
    o.id = 104;
    o.case_id = c.id;
    o.case_seq = 3;
    o.idempotency_key = "C0000000042/3/0";
    o.template_id = text;
    o.recipients = {{Recipient::Kind::kRole, "police", 1}, {Recipient::Kind::kOwner, "", 0}};
    o.channels = {"sms", text};
    o.urgent = true;
    o.created_at = Ms(12);
    o.context.case_id = c.id;
    o.context.workflow = "w";
    o.context.version = 2;
    o.context.state = text;
    o.context.state_label = Label{"甲", text};
    o.context.unit = text;
    o.context.priority = "normal";
    o.context.data = c.data;
    EXPECT_EQ(codec::EncodeOutbox(o),
              "\x02"s + json({{"id", 104}, {"case", c.id}, {"seq", 3},
                              {"key", o.idempotency_key}, {"template", text},
                              {"to", {{"role", "police", 1}, {"owner"}}},
                              {"channels", o.channels}, {"urgent", true}, {"at", 12},
                              {"context", {{"data", c.data},
                                           {"label", {{"zh", "甲"}, {"en", text}}},
                                           {"owner", ""}, {"owner_role", ""},
                                           {"prev_owner", ""}, {"prev_owner_role", ""},
                                           {"priority", "normal"}, {"reporter", ""},
                                           {"state", text}, {"unit", text},
                                           {"version", 2}, {"workflow", "w"}}}})
                             .dump());

    for (std::optional<uint64_t> seq : {std::optional<uint64_t>(), std::optional<uint64_t>(5)}) {
      AuditRecord a;
      a.at = Ms(13);
      a.user = text;
      a.unit = "town-a";
      a.origin = "203.0.113.7:51234";
      a.action = "fire:accept";
      a.case_id = c.id;
      a.case_seq = seq;
      json aj = {{"at", 13}, {"actor", text}, {"unit", "town-a"},
                 {"origin", a.origin}, {"action", a.action}, {"case", c.id},
                 {"child", ""}};
      if (seq) aj["case_seq"] = *seq;
      EXPECT_EQ(codec::EncodeAudit(a), dumped(aj));
    }
  }
  // Bytes that are not UTF-8: a case record refuses them as dump() did; an
  // audit record, which must always be written, replaces them.
  CaseRecord bad;
  bad.id = "C1";
  bad.data = json::object();
  bad.owner = "\xff\xfe";
  EXPECT_THROW(codec::EncodeCase(bad), json::type_error);
  AuditRecord a;
  a.unit = "\xff";
  EXPECT_EQ(codec::EncodeAudit(a),
            "\x01" + json({{"at", 0}, {"actor", ""}, {"unit", "\xff"}, {"origin", ""},
                           {"action", ""}, {"case", ""}, {"child", ""}})
                         .dump(-1, ' ', false, json::error_handler_t::replace));
}

// Regression (issue 11): a stored record is parsed with a nesting cap like
// any outside text, so a damaged or hostile record is an error, not a stack
// overflow in whoever copies it.
TEST(CodecTest, ARecordNestedPastTheLimitIsCorruptNotACrash) {
  std::string deep = std::string(100'000, '[') + std::string(100'000, ']');
  auto c = codec::DecodeCase(std::string(1, codec::kFormatV1) + R"({"data": {"x": )" + deep + "}}");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInternal);
  EXPECT_NE(c.status().message().find("nested deeper than 80 levels"), std::string::npos)
      << c.status().message();
}

}  // namespace
}  // namespace shouhu::runtime_test
