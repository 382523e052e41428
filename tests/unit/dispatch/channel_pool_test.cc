// The dispatcher's loop with a pool of senders per channel: a channel whose
// sends hang holds up no other channel; retries wait on the fake clock and
// go out when it reaches them; an outbox entry an older shouhud wrote (format
// 1, JSON context) is still delivered as it was meant.
#include "dispatch_fixture.h"

namespace shouhu::dispatch_test {
namespace {

// Sends on a channel block, once started, until Release.
struct Gate {
  std::mutex mu;
  std::condition_variable cv;
  int started = 0;
  bool open = false;
  SendResult Pass() {
    std::unique_lock<std::mutex> lock(mu);
    ++started;
    cv.notify_all();
    cv.wait(lock, [&] { return open; });
    return SendResult{};
  }
  bool AwaitStarted(int n) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(60), [&] { return started >= n; });
  }
  void Release() {
    std::lock_guard<std::mutex> lock(mu);
    open = true;
    cv.notify_all();
  }
};

// The outcomes the dispatcher recorded, as "<channel> <outcome>".
struct Recorded {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> seen;
  void Add(const Delivery& d, const DeliveryOutcome& o) {
    std::lock_guard<std::mutex> lock(mu);
    seen.push_back(d.channel + " " + std::string(DeliveryOutcomeName(o.kind)));
    cv.notify_all();
  }
  bool AwaitCount(const std::string& what, size_t n) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(60), [&] {
      return static_cast<size_t>(std::count(seen.begin(), seen.end(), what)) >= n;
    });
  }
  std::vector<std::string> All() {
    std::lock_guard<std::mutex> lock(mu);
    return seen;
  }
};

TEST_F(DispatcherTest, AHangingChannelHoldsUpNoOtherChannelInTheLoop) {
  Gate gate;
  // Opened on every way out of the test, so that no send is left hanging.
  std::shared_ptr<void> open_gate(nullptr, [&](void*) { gate.Release(); });
  peers_["email"].answer = [&](const NotifierMessage&) { return gate.Pass(); };
  Recorded recorded;
  options_.on_recorded = [&](const Delivery& d, const DeliveryOutcome& o) { recorded.Add(d, o); };
  Channel("email");
  Channel("sms");
  Start();
  dispatcher_->Start();
  std::string id = OpenCaseAt();  // 2 emails; the first hangs, the second waits
  dispatcher_->Wake();
  ASSERT_TRUE(gate.AwaitStarted(1));
  FireOn(id, "alert");  // 2 SMS
  dispatcher_->Wake();
  ASSERT_TRUE(recorded.AwaitCount("sms delivered", 2));
  EXPECT_EQ(recorded.All(), (std::vector<std::string>{"sms delivered", "sms delivered"}));
  EXPECT_EQ(peers_["email"].Count(), 1u) << "one email sender: the second waits its turn";
  gate.Release();
  ASSERT_TRUE(recorded.AwaitCount("email delivered", 2));
  dispatcher_->Stop();
  EXPECT_EQ(Deliveries(id).size(), 4u);
}

// The loop on simulated time: a failed send is tried again when the fake
// clock reaches its backoff (10 s), not before; FakeClock::AwaitIdle says
// when the loop and the pools have done what the move asked.
TEST_F(DispatcherTest, TheLoopRetriesWhenTheFakeClockReachesTheBackoff) {
  int calls = 0;
  peers_["email"].answer = [&](const NotifierMessage&) {
    return ++calls <= 2 ? SendResult{SendResult::Code::kRetry, "451 later"} : SendResult{};
  };
  Channel("email");
  Start();
  dispatcher_->Start();
  std::string id = OpenCaseAt();
  dispatcher_->Wake();
  ASSERT_TRUE(clock_.AwaitIdle());
  EXPECT_EQ(peers_["email"].Count(), 2u);
  EXPECT_EQ(NextDue(), clock_.Now() + std::chrono::seconds(10));
  clock_.Advance(std::chrono::milliseconds(9999));
  ASSERT_TRUE(clock_.AwaitIdle());
  EXPECT_EQ(peers_["email"].Count(), 2u) << "not before the backoff";
  clock_.Advance(std::chrono::milliseconds(1));
  ASSERT_TRUE(clock_.AwaitIdle());
  EXPECT_EQ(peers_["email"].Count(), 4u);
  EXPECT_EQ(NextDue(), std::nullopt);
  dispatcher_->Stop();
  std::vector<std::string> outcomes;
  for (const HistoryEntry& h : Deliveries(id)) outcomes.push_back(h.data["outcome"]);
  EXPECT_EQ(outcomes, (std::vector<std::string>{"retry", "retry", "delivered", "delivered"}));
}

// The bytes an older shouhud wrote for an outbox entry: format byte 1, then
// JSON with the recipients as objects and the context as a free-form object.
std::string FormatOne(const OutboxEntry& o) {
  nlohmann::json recipients = nlohmann::json::array();
  for (const Recipient& r : o.recipients) {
    if (r.kind == Recipient::Kind::kRole) {
      recipients.push_back({{"kind", "role"}, {"role", r.role}, {"up", r.up}});
    } else {
      recipients.push_back({{"kind", r.kind == Recipient::Kind::kOwner ? "owner" : "reporter"}});
    }
  }
  const NotificationContext& c = o.context;
  nlohmann::json context = {
      {"case_id", c.case_id}, {"workflow", c.workflow}, {"version", c.version},
      {"state", c.state},     {"owner_role", c.owner_role}, {"unit", c.unit},
      {"owner", c.owner},     {"previous_owner", c.previous_owner},
      {"previous_owner_role", c.previous_owner_role}, {"reporter", c.reporter},
      {"priority", c.priority}, {"data", c.data}};
  context["state_label"] =
      c.state_label ? nlohmann::json{{"zh", c.state_label->zh}, {"en", c.state_label->en}}
                    : nlohmann::json(nullptr);
  nlohmann::json j = {{"case", o.case_id},       {"case_seq", o.case_seq},
                      {"channels", o.channels},  {"context", context},
                      {"created_at", o.created_at.time_since_epoch().count()},
                      {"id", o.id},              {"key", o.idempotency_key},
                      {"recipients", recipients}, {"template", o.template_id},
                      {"urgent", o.urgent}};
  return "\x01" + j.dump();
}

std::string OutboxKey(uint64_t id) {
  std::string key = "o/";
  for (int shift = 56; shift >= 0; shift -= 8) key.push_back(static_cast<char>(id >> shift));
  return key;
}

TEST_F(DispatcherTest, AnOutboxEntryInTheOldFormatIsStillDelivered) {
  std::string id = OpenCaseAt("village", "小明");
  auto outbox = rt_->Outbox(10);
  ASSERT_TRUE(outbox.ok() && outbox->size() == 1u);
  // As if an older shouhud had written it: the same entry in format 1.
  ASSERT_OK(store_->Commit({Mutation::Put(OutboxKey((*outbox)[0].id), FormatOne((*outbox)[0]))}));
  auto reread = rt_->Outbox(10);
  ASSERT_TRUE(reread.ok() && reread->size() == 1u);
  EXPECT_EQ((*reread)[0], (*outbox)[0]);

  Start();
  DispatchRound round = Run();
  EXPECT_EQ(round.expanded, 1u);
  EXPECT_EQ(round.delivered, 2u);
  ASSERT_EQ(peers_["email"].Count(), 2u);
  const NotifierMessage& m = peers_["email"].calls[0].message;
  EXPECT_EQ(m.subject, "新的报告：小明 / New report: 小明");
  EXPECT_EQ(m.body, "和平村的案件 " + id + "，状态：处理中。迹象：独居、营养不良。\n\n" +
                        "Case " + id +
                        " in Heping Village, state: Open. Signs: Living alone, Malnourished.");
  EXPECT_TRUE(m.idempotency_key.starts_with(id + "/1/0/")) << m.idempotency_key;
  EXPECT_EQ(Deliveries(id).size(), 2u);
  EXPECT_TRUE(rt_->Outbox(10)->empty());
}

}  // namespace
}  // namespace shouhu::dispatch_test
