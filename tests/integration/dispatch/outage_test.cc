// An SMTP outage: the peer is down, so every attempt is retried on the
// backoff schedule; then it is up again and every notification arrives,
// once, except to a recipient the server rejects for good, which ends in the
// dead-letter list.
#include "../../unit/dispatch/dispatch_fixture.h"
#include "../plugins/peer.h"
#include "plugin_channels.h"

namespace shouhu::dispatch_test {
namespace {

using json = nlohmann::json;
using shouhu::testing::Peer;

class OutageTest : public DispatcherTest {};

TEST_F(OutageTest, EveryNotificationArrivesAfterThePeerComesBack) {
  // A port that refuses connections: a peer's, after it is stopped.
  int port = 0;
  {
    Peer first("smtp_peer.py", {});
    ASSERT_TRUE(first.started()) << first.output();
    port = first.port();
    first.Stop();
  }
  const std::string url = "smtp://127.0.0.1:" + std::to_string(port);
  pending_channels_.push_back(PluginChannel(
      "email", "email",
      R"({"url": ")" + url +
          R"(", "starttls": "none", "from": "shouhu@county.example.cn",
          "timeout_ms": 5000})",
      2));
  Start();  // retry: 10 s, doubling, at most 80 s, 5 attempts, no jitter
  std::vector<std::string> cases;
  for (const char* child : {"小明", "小红", "小刚"})
    cases.push_back(OpenCaseAt("village", child));
  const Instant t0 = clock_.Now();

  DispatchRound r = Run();
  EXPECT_EQ(r.attempted, 6u);
  EXPECT_EQ(r.retried, 6u);
  clock_.Set(t0 + std::chrono::seconds(9));
  EXPECT_EQ(Run().attempted, 0u) << "no retry before its backoff";
  clock_.Set(t0 + std::chrono::seconds(10));
  r = Run();
  EXPECT_EQ(r.attempted, 6u);
  EXPECT_EQ(r.retried, 6u);

  // Back up, now refusing off2 for good.
  Peer smtp("smtp_peer.py", {"--port", std::to_string(port), "--reject",
                             "off2@town.example.cn=550"});
  ASSERT_TRUE(smtp.started()) << smtp.output();
  clock_.Set(t0 + std::chrono::seconds(29));
  EXPECT_EQ(Run().attempted, 0u) << "the second retry waits 20 s";
  clock_.Set(t0 + std::chrono::seconds(30));
  r = Run();
  EXPECT_EQ(r.attempted, 6u);
  EXPECT_EQ(r.delivered, 3u);
  EXPECT_EQ(r.dead, 3u);

  // Each off1 notification arrived exactly once, with its own key.
  std::map<std::string, int> subjects;
  for (int i = 0; i < 3; ++i) {
    json e = smtp.NextEvent();
    ASSERT_TRUE(e.is_object()) << smtp.output();
    EXPECT_EQ(e["rcpt_tos"], json({"off1@town.example.cn"}));
    ++subjects[e["subject"].get<std::string>()];
  }
  EXPECT_EQ(subjects, (std::map<std::string, int>{
                          {"新的报告：小刚 / New report: 小刚", 1},
                          {"新的报告：小明 / New report: 小明", 1},
                          {"新的报告：小红 / New report: 小红", 1}}));
  // Nothing is pending; the rejected recipient is in the dead letters.
  EXPECT_EQ(NextDue(), std::nullopt);
  EXPECT_TRUE(rt_->Outbox(10)->empty());
  auto dead = DeadLetters();
  ASSERT_EQ(dead.size(), 3u);
  for (const DeadLetter& d : dead) {
    EXPECT_EQ(d.recipient, "off2");
    EXPECT_EQ(d.attempts, 3);
    EXPECT_NE(d.reason.find("permanent failure"), std::string::npos)
        << d.reason;
  }
  // Each case's history has the whole story, with the backoff's times.
  for (const std::string& id : cases) {
    std::vector<std::string> off1;
    for (const HistoryEntry& h : Deliveries(id)) {
      if (h.data["recipient"] != "off1") continue;
      std::string line =
          h.data["outcome"].get<std::string>() + "@" + FormatInstant(h.at);
      if (h.data.contains("next_at"))
        line += "->" + h.data["next_at"].get<std::string>();
      off1.push_back(line);
    }
    auto at = [&](int s) {
      return FormatInstant(t0 + std::chrono::seconds(s));
    };
    EXPECT_EQ(off1, (std::vector<std::string>{"retry@" + at(0) + "->" + at(10),
                                              "retry@" + at(10) + "->" + at(30),
                                              "delivered@" + at(30)}));
  }
}

}  // namespace
}  // namespace shouhu::dispatch_test
