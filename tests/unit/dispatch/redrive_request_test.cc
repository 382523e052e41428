// A re-drive is a command like any other (the command pipeline): its request
// id is answered once, is refused for a different command, and the records
// the released version stored under its own fingerprint scheme still answer.
#include "dispatch_fixture.h"
#include "runtime/codec.h"
#include "shouhu/audit.h"

namespace shouhu::dispatch_test {
namespace {

class RedriveRequestTest : public DispatcherTest {
 protected:
  // A case whose email to off2 is a dead letter; returns the letter.
  DeadLetter OneDeadLetter() {
    peers_["email"].answer = [](const NotifierMessage& m) {
      if (m.recipient == "off2@town.example.cn") {
        return SendResult{SendResult::Code::kPermanent, "550 unknown recipient"};
      }
      return SendResult{};
    };
    Start();
    case_id_ = OpenCaseAt();
    Run();
    auto dead = DeadLetters();
    EXPECT_EQ(dead.size(), 1u);
    return dead.empty() ? DeadLetter{} : dead[0];
  }
  size_t Redriven() {
    size_t n = 0;
    for (const HistoryEntry& h : Deliveries(case_id_)) n += h.data["outcome"] == "redriven";
    return n;
  }
  size_t RedriveAudits() {
    auto log = ReadAuditLog(*store_, case_id_);
    EXPECT_TRUE(log.ok()) << log.status().ToString();
    size_t n = 0;
    if (log.ok()) {
      for (const AuditRecord& a : *log) n += a.action == "redrive";
    }
    return n;
  }

  Actor supervisor_ = User("chief", "county", "officer");
  std::string case_id_;
};

TEST_F(RedriveRequestTest, ARedriveRetriedWithItsRequestIdIsAnsweredOnce) {
  DeadLetter dead = OneDeadLetter();
  clock_.Advance(std::chrono::minutes(5));
  auto first = rt_->Redrive({"redrive-once", supervisor_, dead.id});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_FALSE(first->replayed);
  clock_.Advance(std::chrono::minutes(1));
  auto again = rt_->Redrive({"redrive-once", supervisor_, dead.id});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->case_id, first->case_id);
  EXPECT_EQ(again->seq, first->seq);
  EXPECT_EQ(again->state, first->state);
  // Applied once: one history entry, one audit record.
  EXPECT_EQ(Redriven(), 1u);
  EXPECT_EQ(RedriveAudits(), 1u);
}

TEST_F(RedriveRequestTest, ARequestIdReusedBetweenARedriveAndAFireIsRefused) {
  DeadLetter dead = OneDeadLetter();
  // A fire's key reused for a re-drive.
  ASSERT_OK(rt_->Fire({"fire-key", Teacher(), case_id_, "alert", nlohmann::json::object(),
                       std::nullopt})
                .status());
  EXPECT_CODE(rt_->Redrive({"fire-key", supervisor_, dead.id}),
              StatusCode::kFailedPrecondition);
  EXPECT_EQ(Redriven(), 0u);
  EXPECT_EQ(DeadLetters().size(), 1u);

  // A re-drive's key reused for a fire.
  ASSERT_OK(rt_->Redrive({"redrive-key", supervisor_, dead.id}).status());
  EXPECT_CODE(rt_->Fire({"redrive-key", Teacher(), case_id_, "alert",
                         nlohmann::json::object(), std::nullopt}),
              StatusCode::kFailedPrecondition);
  // The same key by another supervisor is another command too.
  EXPECT_CODE(rt_->Redrive({"redrive-key", User("deputy", "county", "officer"), dead.id}),
              StatusCode::kFailedPrecondition);
  EXPECT_EQ(Redriven(), 1u);
}

// Before re-drives went through the command pipeline they stored the
// fingerprint "redrive\n<user>\n<dead letter id>" as text, not
// Fingerprint()'s hash. A retry of such a re-drive, within the retention of
// request records, must still be answered from the record.
TEST_F(RedriveRequestTest, ARedriveRecordOfTheReleasedVersionIsStillReplayed) {
  DeadLetter dead = OneDeadLetter();
  CommandResult stored{case_id_, 7, "reported", false, false, "", 0};
  ASSERT_OK(store_->Commit({Mutation::Put(
      codec::RequestKey("released-redrive"),
      codec::EncodeResult(stored, "redrive\nchief\n" + dead.id, clock_.Now()))}));

  auto replay = rt_->Redrive({"released-redrive", supervisor_, dead.id});
  ASSERT_TRUE(replay.ok()) << replay.status().ToString();
  EXPECT_TRUE(replay->replayed);
  EXPECT_EQ(replay->case_id, case_id_);
  EXPECT_EQ(replay->seq, 7u);
  EXPECT_EQ(replay->state, "reported");
  EXPECT_EQ(Redriven(), 0u);  // answered, not applied again
  EXPECT_EQ(DeadLetters().size(), 1u);

  // The old record still tells commands apart.
  EXPECT_CODE(rt_->Redrive({"released-redrive", User("deputy", "county", "officer"), dead.id}),
              StatusCode::kFailedPrecondition);
  EXPECT_CODE(rt_->Fire({"released-redrive", Teacher(), case_id_, "alert",
                         nlohmann::json::object(), std::nullopt}),
              StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace shouhu::dispatch_test
