// The runtime's side of delivery, directly: expanding an outbox entry is one
// batch that refuses deliveries of another entry and writes nothing then;
// outcomes of unknown or finished deliveries are refused; each attempt's
// history entry moves the case's sequence like any other change.
#include "dispatch_fixture.h"

namespace shouhu::dispatch_test {
namespace {

Delivery Pending(const OutboxEntry& o, const std::string& id) {
  Delivery d;
  d.id = id;
  d.outbox_id = o.id;
  d.case_id = o.case_id;
  d.unit = "village";
  d.idempotency_key = o.idempotency_key + "/off1/email";
  d.template_id = o.template_id;
  d.recipient = "off1";
  d.address = "off1@town.example.cn";
  d.channel = "email";
  d.subject = "主题 / Subject";
  d.body = "正文";
  return d;
}

TEST_F(DispatcherTest,
       ExpandingRefusesADeliveryOfAnotherEntryAndWritesNothing) {
  OpenCaseAt();
  auto outbox = rt_->Outbox(10);
  ASSERT_TRUE(outbox.ok());
  ASSERT_EQ(outbox->size(), 1u);
  const OutboxEntry& o = (*outbox)[0];
  Delivery wrong = Pending(o, "x-1");
  wrong.case_id = "C9999999999";
  EXPECT_EQ(rt_->ExpandOutbox(o.id, {Pending(o, "ok-1"), wrong}).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(rt_->Outbox(10)->size(), 1u);
  EXPECT_EQ(NextDue(), std::nullopt);
  EXPECT_EQ(rt_->ExpandOutbox(o.id + 1, {}).code(), StatusCode::kNotFound);
}

TEST_F(DispatcherTest, OutcomesOfUnknownOrFinishedDeliveriesAreRefused) {
  std::string id = OpenCaseAt();
  auto outbox = rt_->Outbox(10);
  ASSERT_TRUE(outbox.ok());
  const OutboxEntry& o = (*outbox)[0];
  Delivery d = Pending(o, "0000000000000001-000");
  d.next_at = clock_.Now();
  ASSERT_OK(rt_->ExpandOutbox(o.id, {d}));
  auto due = rt_->DueDeliveries(clock_.Now(), 10);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].subject, "主题 / Subject");  // stored as rendered
  uint64_t seq_before = rt_->GetCase(id)->last_seq;

  ASSERT_OK(
      rt_->RecordDelivery({d.id, DeliveryOutcome::Kind::kDelivered, "", {}}));
  EXPECT_EQ(rt_->GetCase(id)->last_seq, seq_before + 1);
  EXPECT_EQ(
      rt_->RecordDelivery({d.id, DeliveryOutcome::Kind::kDelivered, "", {}})
          .code(),
      StatusCode::kNotFound);
  EXPECT_EQ(rt_->RecordDelivery({"nope", DeliveryOutcome::Kind::kRetry, "", {}})
                .code(),
            StatusCode::kNotFound);
  EXPECT_EQ(rt_->GetCase(id)->last_seq, seq_before + 1);
  EXPECT_TRUE(rt_->DueDeliveries(clock_.Now(), 10)->empty());
}

}  // namespace
}  // namespace shouhu::dispatch_test
