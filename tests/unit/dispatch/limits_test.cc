// Per-channel limits: the rate limit spreads a burst, the concurrency cap
// bounds sends in flight, quiet hours hold back all but urgent messages.
#include "dispatch_fixture.h"

namespace shouhu::dispatch_test {
namespace {

TEST_F(DispatcherTest, TheRateLimitSpreadsABurstOverTime) {
  ChannelOptions& email = Channel("email");
  email.rate_per_minute = 60;  // one a second
  email.burst = 2;
  Start();
  for (int i = 0; i < 3; ++i) OpenCaseAt();  // 6 emails
  DispatchRound r = Run();
  EXPECT_EQ(r.delivered, 2u);
  EXPECT_EQ(r.throttled, 4u);
  EXPECT_EQ(Run().delivered, 0u);  // no time has passed
  clock_.Advance(std::chrono::milliseconds(999));
  EXPECT_EQ(Run().delivered, 0u);
  clock_.Advance(std::chrono::milliseconds(1));
  EXPECT_EQ(Run().delivered, 1u);
  clock_.Advance(std::chrono::seconds(10));  // refills to the burst only
  EXPECT_EQ(Run().delivered, 2u);
  clock_.Advance(std::chrono::seconds(1));
  EXPECT_EQ(Run().delivered, 1u);
  EXPECT_EQ(peers_["email"].Count(), 6u);
  EXPECT_EQ(NextDue(), std::nullopt);
}

TEST_F(DispatcherTest, TheConcurrencyCapBoundsSendsInFlight) {
  for (int cap : {1, 3}) {
    SCOPED_TRACE(cap);
    Peer& peer = peers_["email"];
    {
      std::lock_guard<std::mutex> lock(peer.mu);
      peer.calls.clear();
      peer.max_in_flight = 0;
      peer.hold_until_in_flight = cap;
      peer.expected_sends = 10;
    }
    Channel("email", cap);
    Start();
    for (int i = 0; i < 5; ++i) OpenCaseAt();  // 10 emails
    EXPECT_EQ(Run().delivered, 10u);
    EXPECT_EQ(peer.max_in_flight, cap);
  }
}

TEST_F(DispatcherTest, QuietHoursHoldBackAllButUrgentMessages) {
  clock_.Set(At("2026-03-02T23:30:00+08:00"));
  Channel("email").quiet_hours =
      QuietHours{22 * 60, 7 * 60, std::chrono::hours(8)};
  Channel("sms").quiet_hours =
      QuietHours{22 * 60, 7 * 60, std::chrono::hours(8)};
  Start();
  std::string id = OpenCaseAt();  // 2 emails, not urgent
  FireOn(id, "alert");            // 2 sms, urgent
  DispatchRound r = Run();
  EXPECT_EQ(r.deferred, 2u);
  EXPECT_EQ(r.delivered, 2u);
  EXPECT_EQ(peers_["sms"].Count(), 2u);
  EXPECT_EQ(peers_["email"].Count(), 0u);
  EXPECT_EQ(NextDue(), At("2026-03-03T07:00:00+08:00"));
  clock_.Set(At("2026-03-03T06:59:59+08:00"));
  EXPECT_EQ(Run().attempted, 0u);
  clock_.Set(At("2026-03-03T07:00:00+08:00"));
  EXPECT_EQ(Run().delivered, 2u);
  for (const auto& c : peers_["email"].calls) {
    EXPECT_EQ(c.at, At("2026-03-03T07:00:00+08:00"));
  }
  // A deferral is not an attempt: the history has one entry per send.
  EXPECT_EQ(Deliveries(id).size(), 4u);
}

// An escalation that raises the priority is urgent: its SMS goes out at
// night, to the officers who own the overdue step.
TEST_F(DispatcherTest, AnEscalationAtNightIsUrgentAndIgnoresQuietHours) {
  clock_.Set(At("2026-03-02T23:30:00+08:00"));
  Channel("email");
  Channel("sms").quiet_hours =
      QuietHours{22 * 60, 7 * 60, std::chrono::hours(8)};
  Start();
  std::string id = OpenCaseAt("village", "小明");
  EXPECT_EQ(Run().delivered, 2u);  // the emails of the opening
  clock_.Advance(std::chrono::hours(1));
  auto fired = rt_->FireDueTimers();
  ASSERT_TRUE(fired.ok()) << fired.status().ToString();
  EXPECT_EQ(*fired, 1u);
  DispatchRound r = Run();
  EXPECT_EQ(r.delivered, 2u);
  EXPECT_EQ(r.deferred, 0u);
  ASSERT_EQ(peers_["sms"].Count(), 2u);
  std::set<std::string> phones;
  for (const auto& c : peers_["sms"].calls) {
    phones.insert(c.message.recipient);
    EXPECT_TRUE(c.message.urgent);
    EXPECT_EQ(c.message.subject, "【紧急】小明 / [Urgent] 小明");
    EXPECT_EQ(c.at, At("2026-03-03T00:30:00+08:00"));
  }
  EXPECT_EQ(phones, (std::set<std::string>{"13800000002", "13800000003"}));
  EXPECT_EQ(Deliveries(id).size(), 4u);
}

TEST(QuietHoursTest, SpansMidnightInLocalTime) {
  QuietHours q{22 * 60, 7 * 60, std::chrono::hours(8)};
  EXPECT_FALSE(q.Contains(At("2026-03-02T21:59:59+08:00")));
  EXPECT_TRUE(q.Contains(At("2026-03-02T22:00:00+08:00")));
  EXPECT_TRUE(q.Contains(At("2026-03-03T03:00:00+08:00")));
  EXPECT_FALSE(q.Contains(At("2026-03-03T07:00:00+08:00")));
  EXPECT_EQ(q.End(At("2026-03-02T22:00:00+08:00")),
            At("2026-03-03T07:00:00+08:00"));
  EXPECT_EQ(q.End(At("2026-03-03T03:15:00+08:00")),
            At("2026-03-03T07:00:00+08:00"));
  QuietHours day{12 * 60, 14 * 60, std::chrono::hours(8)};
  EXPECT_TRUE(day.Contains(At("2026-03-02T13:00:00+08:00")));
  EXPECT_FALSE(day.Contains(At("2026-03-02T14:00:00+08:00")));
  EXPECT_FALSE(day.Contains(At("2026-03-02T11:59:00+08:00")));
}

}  // namespace
}  // namespace shouhu::dispatch_test
