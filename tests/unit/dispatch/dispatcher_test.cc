// The dispatcher's main path: outbox entries become one delivery per
// recipient and channel, rendered from the template in Chinese with English,
// sent once, recorded in the case history, and never sent again once
// recorded as delivered, also after a restart.
#include "dispatch_fixture.h"

namespace shouhu::dispatch_test {
namespace {

TEST_F(DispatcherTest, DeliversToEveryOfficerOfTheTownshipAndRecordsIt) {
  Start();
  std::string id = OpenCaseAt();
  DispatchRound round = Run();
  EXPECT_EQ(round.expanded, 1u);
  EXPECT_EQ(round.attempted, 2u);
  EXPECT_EQ(round.delivered, 2u);
  std::vector<std::string> addresses;
  for (const auto& c : peers_["email"].calls)
    addresses.push_back(c.message.recipient);
  std::sort(addresses.begin(), addresses.end());
  EXPECT_EQ(addresses, (std::vector<std::string>{"off1@town.example.cn",
                                                 "off2@town.example.cn"}));
  auto history = Deliveries(id);
  ASSERT_EQ(history.size(), 2u);
  for (const HistoryEntry& h : history) {
    EXPECT_EQ(h.actor, "system");
    EXPECT_EQ(h.name, "email");
    EXPECT_EQ(h.data["outcome"], "delivered");
    EXPECT_EQ(h.data["attempt"], 1);
    EXPECT_EQ(h.data["template"], "new_case");
  }
  // Nothing is left: no outbox entry, no pending delivery, no dead letter.
  EXPECT_TRUE(rt_->Outbox(10)->empty());
  EXPECT_EQ(NextDue(), std::nullopt);
  EXPECT_TRUE(DeadLetters().empty());
  EXPECT_EQ(Run().attempted, 0u);
  EXPECT_EQ(peers_["email"].Count(), 2u);
}

// Enum values ("alone") read as their labels in each language, never as codes.
TEST_F(DispatcherTest, RendersTheTemplateInChineseWithEnglish) {
  Start();
  std::string id = OpenCaseAt("village", "小明");
  Run();
  ASSERT_EQ(peers_["email"].Count(), 2u);
  const NotifierMessage& m = peers_["email"].calls[0].message;
  EXPECT_EQ(m.subject, "新的报告：小明 / New report: 小明");
  EXPECT_EQ(m.body,
            "和平村的案件 " + id +
                "，状态：处理中。迹象：独居、营养不良。\n\n"
                "Case " +
                id + " in Heping Village, state: Open. Signs: Living alone, Malnourished.");
  EXPECT_EQ(m.template_id, "new_case");
  EXPECT_EQ(nlohmann::json::parse(m.template_params_json),
            nlohmann::json({{"child_name", "小明"},
                            {"unit", "和平村"},
                            {"case_id", id},
                            {"state_label", "处理中"},
                            {"signs", "独居、营养不良"}}));
  EXPECT_FALSE(m.urgent);
}

TEST_F(DispatcherTest, EachRecipientAndChannelHasItsOwnIdempotencyKey) {
  Start();
  std::string id = OpenCaseAt();
  Run();
  FireOn(id, "everyone");  // reporter + 2 officers, on 3 channels
  DispatchRound round = Run();
  // The teacher has no webhook: she is reached by email and SMS only.
  EXPECT_EQ(round.delivered, 8u);
  EXPECT_EQ(round.dead, 0u);
  std::set<std::string> keys;
  for (const char* ch : {"email", "sms", "webhook"}) {
    for (const std::string& k : peers_[ch].Keys()) keys.insert(k);
  }
  EXPECT_EQ(keys.size(), 10u);  // 2 from the opening, 8 now, all different
  // "<case>/<seq>/<n>/<user>/<channel>", seq being the event's history entry
  auto history = rt_->History(id);
  ASSERT_TRUE(history.ok());
  uint64_t seq = 0;
  for (const HistoryEntry& h : *history) {
    if (h.kind == "event") seq = h.seq;
  }
  std::string prefix = id + "/" + std::to_string(seq) + "/0/";
  EXPECT_TRUE(keys.count(prefix + "off1/sms")) << prefix;
  EXPECT_TRUE(keys.count(prefix + "off2/webhook"));
  EXPECT_TRUE(keys.count(prefix + "teacher/email"));
  EXPECT_FALSE(keys.count(prefix + "teacher/webhook"));
  EXPECT_TRUE(DeadLetters().empty());
}

TEST_F(DispatcherTest, ARecipientWithNoAddressOnAnyChannelIsADeadLetter) {
  Start();
  std::string id = OpenCaseAt();
  Run();
  FireOn(id, "ask_reporter");  // the teacher, by webhook only
  EXPECT_EQ(Run().dead, 1u);
  auto dead = DeadLetters();
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].recipient, "teacher");
  EXPECT_EQ(dead[0].channel, "webhook");
  EXPECT_NE(dead[0].reason.find("has no address"), std::string::npos)
      << dead[0].reason;
  EXPECT_EQ(dead[0].unit, "village");
  EXPECT_EQ(dead[0].attempts, 1);
  EXPECT_EQ(peers_["webhook"].Count(), 0u);
}

TEST_F(DispatcherTest, ANotificationToARoleNobodyHoldsIsADeadLetter) {
  Start();
  std::string id = OpenCaseAt();
  Run();
  FireOn(id, "nobody");
  EXPECT_EQ(Run().dead, 1u);
  auto dead = DeadLetters();
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].recipient, "");
  EXPECT_NE(dead[0].reason.find("nobody holds role \"ghost\""),
            std::string::npos)
      << dead[0].reason;
  EXPECT_EQ(Deliveries(id).back().data["outcome"], "dead");
}

TEST_F(DispatcherTest, AChannelThatIsNotConfiguredGivesDeadLetters) {
  Channel("email");
  Start();
  std::string id = OpenCaseAt();
  FireOn(id, "alert");  // sms, not configured here
  DispatchRound round = Run();
  EXPECT_EQ(round.delivered, 2u);
  EXPECT_EQ(round.dead, 2u);
  for (const DeadLetter& d : DeadLetters()) {
    EXPECT_EQ(d.channel, "sms");
    EXPECT_NE(d.reason.find("is not configured"), std::string::npos);
  }
}

TEST_F(DispatcherTest, DeliveredNotificationsAreNotSentAgainAfterARestart) {
  Start();
  OpenCaseAt();
  EXPECT_EQ(Run().delivered, 2u);
  Reopen();
  Start();
  EXPECT_EQ(Run().attempted, 0u);
  EXPECT_EQ(peers_["email"].Count(), 2u);
}

TEST_F(DispatcherTest, APendingRetryIsSentAfterARestartWithTheSameKey) {
  peers_["email"].answer = [](const NotifierMessage&) {
    return SendResult{SendResult::Code::kRetry, "451 try later"};
  };
  Start();
  OpenCaseAt();
  EXPECT_EQ(Run().retried, 2u);
  auto first = peers_["email"].Keys();
  Reopen();
  peers_["email"].answer = [](const NotifierMessage&) { return SendResult{}; };
  Start();
  clock_.Advance(std::chrono::seconds(10));
  EXPECT_EQ(Run().delivered, 2u);
  auto all = peers_["email"].Keys();
  ASSERT_EQ(all.size(), 4u);
  std::multiset<std::string> a(all.begin(), all.begin() + 2),
      b(all.begin() + 2, all.end());
  EXPECT_EQ(a, b);
}

// Expanding an outbox entry deletes it; a restart must still not hand its id
// out again (ids were recovered from the greatest o/ key).
TEST_F(DispatcherTest, OutboxIdsAreNotReusedAfterTheirEntriesAreDelivered) {
  Start();
  OpenCaseAt();
  Run();
  Reopen();
  OpenCaseAt();
  auto outbox = rt_->Outbox(10);
  ASSERT_TRUE(outbox.ok());
  ASSERT_EQ(outbox->size(), 1u);
  EXPECT_EQ((*outbox)[0].id, 2u);
}

TEST_F(DispatcherTest, RefusesABadConfiguration) {
  ChannelOptions none;
  none.name = "email";
  none.contact = "email";
  std::vector<ChannelOptions> channels;
  channels.push_back(std::move(none));
  EXPECT_CODE(
      Dispatcher::Create(*rt_, catalog_, *orgs_, rules_, clock_, std::move(channels)),
      StatusCode::kInvalidArgument);
  DispatcherOptions bad;
  bad.retry.max_attempts = 0;
  EXPECT_CODE(Dispatcher::Create(*rt_, catalog_, *orgs_, rules_, clock_, {}, bad),
              StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace shouhu::dispatch_test
