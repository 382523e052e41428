// One slow channel never holds up another (issue 16, item 3): with the real
// email plugin against an SMTP peer that holds its connection, and the real
// SMS plugin against an HTTP peer, an SMS notification made after the email
// stalled is sent and recorded while the SMTP peer still holds the email.
// The dispatcher runs its own loop (Start), woken by Wake as the runtime's
// on_outbox_filled would; the test waits on the outcomes the dispatcher
// reports (on_recorded) and on the peers' reports, never on time.
#include <csignal>

#include "../../unit/dispatch/dispatch_fixture.h"
#include "../plugins/peer.h"
#include "plugin_channels.h"

namespace shouhu::dispatch_test {
namespace {

using json = nlohmann::json;
using shouhu::testing::Peer;

// The outcomes recorded so far, by channel, and a wait for more of them.
class Outcomes {
 public:
  void Add(const Delivery& d, const DeliveryOutcome& o) {
    std::lock_guard<std::mutex> lock(mu_);
    seen_.emplace_back(d.channel, std::string(DeliveryOutcomeName(o.kind)));
    cv_.notify_all();
  }
  // Waits until `n` outcomes `outcome` on `channel` are recorded. The limit
  // only turns a hang into a failure.
  bool AwaitCount(const std::string& channel, const std::string& outcome, size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(60), [&] { return Count(channel, outcome) >= n; });
  }
  size_t On(const std::string& channel) {
    std::lock_guard<std::mutex> lock(mu_);
    size_t n = 0;
    for (const auto& [c, o] : seen_) n += c == channel;
    return n;
  }

 private:
  size_t Count(const std::string& channel, const std::string& outcome) const {
    size_t n = 0;
    for (const auto& [c, o] : seen_) n += c == channel && o == outcome;
    return n;
  }
  std::mutex mu_;  // guards seen_
  std::condition_variable cv_;
  std::vector<std::pair<std::string, std::string>> seen_;
};

class SlowChannelTest : public DispatcherTest {};

TEST_F(SlowChannelTest, AStalledSmtpPeerDoesNotHoldUpSmsOnAnotherChannel) {
  Peer smtp("smtp_peer.py", {"--stall"});
  ASSERT_TRUE(smtp.started()) << smtp.output();
  Peer gateway("http_peer.py", {"--response", R"({"Code": "OK"})"});
  ASSERT_TRUE(gateway.started()) << gateway.output();
  pending_channels_.push_back(PluginChannel(
      "email", "email",
      R"({"url": ")" + smtp.url("smtp") +
          R"(", "starttls": "none", "from": "守护平台 <shouhu@county.example.cn>"})"));
  pending_channels_.push_back(PluginChannel(
      "sms", "sms",
      R"({"url": ")" + gateway.url("http", "/sms/send") + R"(", "sign_name": "守护平台",
          "body_template": "{\"PhoneNumbers\":\"{{phone}}\",\"OutId\":\"{{idempotency_key}}\"}",
          "success_field": "/Code", "success_value": "OK"})"));
  Outcomes outcomes;
  options_.on_recorded = [&](const Delivery& d, const DeliveryOutcome& o) { outcomes.Add(d, o); };
  Start();
  dispatcher_->Start();

  std::string id = OpenCaseAt("village", "小明");  // an email to each of 2 officers
  dispatcher_->Wake();
  json held = smtp.NextEvent();  // the first email's DATA, left unanswered
  ASSERT_TRUE(held.is_object()) << smtp.output();
  ASSERT_EQ(held["stalled"], true) << held.dump();

  FireOn(id, "alert");  // an urgent SMS to each of the 2 officers
  dispatcher_->Wake();
  ASSERT_TRUE(outcomes.AwaitCount("sms", "delivered", 2)) << gateway.output();
  // Both SMS went out and are recorded while the SMTP peer holds the email.
  EXPECT_EQ(outcomes.On("email"), 0u);
  std::set<std::string> phones;
  for (int i = 0; i < 2; ++i) {
    json e = gateway.NextEvent();
    ASSERT_TRUE(e.is_object()) << gateway.output();
    phones.insert(json::parse(e["body"].get<std::string>())["PhoneNumbers"].get<std::string>());
  }
  EXPECT_EQ(phones, (std::set<std::string>{"13800000002", "13800000003"}));

  smtp.Signal(SIGUSR1);  // the peer answers the held email, and the next
  ASSERT_TRUE(outcomes.AwaitCount("email", "delivered", 2)) << smtp.output();
  json second = smtp.NextEvent();
  ASSERT_TRUE(second.is_object()) << smtp.output();
  EXPECT_EQ(second["stalled"], false);
  dispatcher_->Stop();

  std::vector<std::string> recorded;
  for (const HistoryEntry& h : Deliveries(id)) {
    recorded.push_back(h.name + " " + h.data["outcome"].get<std::string>());
  }
  // The SMS were recorded first, although their notification came second.
  EXPECT_EQ(recorded, (std::vector<std::string>{"sms delivered", "sms delivered",
                                                "email delivered", "email delivered"}));
}

}  // namespace
}  // namespace shouhu::dispatch_test
