// Regression: one corrupt case record must not stop the timers of every other
// case. FireDueTimers takes the corrupt case's due timers out of the index
// into the quarantine area (z/, codec.h), logs them, audits it, and fires
// the rest.
#include "runtime/codec.h"
#include "runtime_fixture.h"
#include "shouhu/audit.h"

namespace shouhu::runtime_test {
namespace {

class QuarantineTest : public RuntimeTest {
 protected:
  std::vector<std::string> KeysUnder(std::string_view prefix) {
    std::vector<std::string> keys;
    EXPECT_TRUE(store_->Scan(prefix, "", [&](std::string_view k, std::string_view) {
                  keys.emplace_back(k);
                  return true;
                }).ok());
    return keys;
  }
};

TEST_F(QuarantineTest, CorruptCaseIsSetAsideAndTheOthersFire) {
  const Instant t0 = clock_.Now();
  const std::string a = OpenReport(), bad = OpenReport(), c = OpenReport();
  const Instant bad_due = Timer(bad, "acceptance_sla")->due;
  ASSERT_OK(store_->Commit({Mutation::Put(codec::CaseKey(bad), "\x01{\"id\": 1")}));

  clock_.Set(t0 + 2h);
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(Fire(), 2u);
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(log.find("case " + bad + " is unreadable"), std::string::npos) << log;
  EXPECT_NE(log.find("\"acceptance_sla\""), std::string::npos) << log;

  for (const std::string& id : {a, c}) {
    EXPECT_TRUE(Case(id).overdue) << id;
    EXPECT_EQ(History(id)[1].kind, "timer") << id;
  }
  const std::string key = codec::TimerKey(bad_due, bad, "acceptance_sla");
  EXPECT_EQ(store_->Get(key).status().code(), StatusCode::kNotFound);
  auto quarantined = store_->Get(codec::QuarantineKey(key));
  ASSERT_TRUE(quarantined.ok()) << quarantined.status().ToString();
  EXPECT_NE(quarantined->find("\"case\":\"" + bad + "\""), std::string::npos);
  EXPECT_EQ(KeysUnder(codec::kQuarantinePrefix).size(), 1u);

  auto log_records = ReadAuditLog(*store_, bad);
  ASSERT_TRUE(log_records.ok());
  ASSERT_FALSE(log_records->empty());
  EXPECT_EQ(log_records->back().action, "timer.quarantine");
  EXPECT_EQ(log_records->back().user, "system");

  auto report = VerifyAuditLog(*store_);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->ok()) << "the audit log itself is intact";
  EXPECT_EQ(report->unreadable_case_count, 1u);
  EXPECT_EQ(report->first_unreadable_case, bad);

  // Later rounds, and a restart, carry on without the bad case.
  clock_.Set(t0 + 3h);
  EXPECT_EQ(Fire(), 2u) << "step 1 of the two healthy chains";
  Reopen();
  clock_.Set(t0 + 6h);
  EXPECT_EQ(Fire(), 2u);
  EXPECT_EQ(KeysUnder(codec::kQuarantinePrefix).size(), 1u);
}

TEST_F(QuarantineTest, StoreErrorsStillFailTheRoundAndLoseNothing) {
  // Unlike corruption, a failed write is transient: nothing is quarantined
  // and the timers fire on the next round.
  const Instant t0 = clock_.Now();
  const std::string id = OpenReport();
  clock_.Set(t0 + 2h);
  store_->FailNextCommits(1);
  EXPECT_CODE(rt_->FireDueTimers(), StatusCode::kUnavailable);
  EXPECT_TRUE(KeysUnder(codec::kQuarantinePrefix).empty());
  EXPECT_EQ(Fire(), 1u);
  EXPECT_TRUE(Case(id).overdue);
}

// Regression: one undecodable outbox entry must not hold up the
// notifications queued after it (the dispatcher reads the outbox in order).
TEST_F(QuarantineTest, CorruptOutboxEntryIsSetAsideAndTheOthersAreRead) {
  OpenReport();
  OpenReport();
  auto before = rt_->Outbox(100);
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  ASSERT_GE(before->size(), 2u) << "each report queues its notification";
  const std::string bad_key = codec::OutboxKey(before->front().id);
  ASSERT_OK(store_->Commit({Mutation::Put(bad_key, "\x01{\"id\": ")}));

  ::testing::internal::CaptureStderr();
  auto after = rt_->Outbox(100);
  const std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(after->size(), before->size() - 1);
  EXPECT_EQ(after->front().id, (*before)[1].id);
  EXPECT_NE(log.find("outbox entry " + std::to_string(before->front().id) +
                     " is unreadable"),
            std::string::npos)
      << log;
  EXPECT_EQ(store_->Get(bad_key).status().code(), StatusCode::kNotFound);
  auto kept = store_->Get(codec::QuarantineKey(bad_key));
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  EXPECT_EQ(*kept, "\x01{\"id\": ") << "kept byte for byte for repair";
  auto again = rt_->Outbox(100);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->size(), after->size());
}

}  // namespace
}  // namespace shouhu::runtime_test
