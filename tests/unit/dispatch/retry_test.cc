// Retries: the backoff schedule, its jitter, retries exhausted and permanent
// failures as dead letters, and re-driving a dead letter.
#include "dispatch_fixture.h"
#include "shouhu/audit.h"

namespace shouhu::dispatch_test {
namespace {

SendResult Retry(const NotifierMessage&) {
  return {SendResult::Code::kRetry, "503 busy"};
}

TEST_F(DispatcherTest, RetriesFollowTheExponentialBackoffThenDeadLetter) {
  // initial 10 s, max 80 s, 5 attempts, no jitter (see the fixture)
  peers_["sms"].answer = Retry;
  Channel("sms");
  Start();
  std::string id = OpenCaseAt();
  FireOn(id,
         "alert");  // one sms to each of the 2 officers; email not configured
  Instant start = clock_.Now();
  EXPECT_EQ(Run().retried, 2u);
  // Attempt n+1 comes 10 s * 2^(n-1) after attempt n: +10, +20, +40, then
  // capped at +80 s.
  std::vector<int> gaps = {10, 20, 40, 80};
  Instant at = start;
  for (size_t i = 0; i < gaps.size(); ++i) {
    clock_.Set(at + std::chrono::seconds(gaps[i]) -
               std::chrono::milliseconds(1));
    EXPECT_EQ(Run().attempted, 0u) << "early, before attempt " << i + 2;
    clock_.Set(at + std::chrono::seconds(gaps[i]));
    DispatchRound r = Run();
    EXPECT_EQ(r.attempted, 2u) << "attempt " << i + 2;
    at = clock_.Now();
  }
  // The 5th attempt failed too: both are dead letters now.
  std::vector<DeadLetter> dead;
  for (const DeadLetter& d : DeadLetters()) {
    if (d.channel == "sms") dead.push_back(d);  // email is not configured here
  }
  ASSERT_EQ(dead.size(), 2u);
  EXPECT_EQ(dead[0].attempts, 5);
  EXPECT_NE(dead[0].reason.find("retries exhausted after 5 attempts: 503 busy"),
            std::string::npos)
      << dead[0].reason;
  EXPECT_EQ(NextDue(), std::nullopt);
  // The history has every attempt, with the time of the next one.
  auto history = Deliveries(id);
  std::vector<std::string> sms_outcomes, next_times;
  for (const HistoryEntry& h : history) {
    if (h.name != "sms" || h.data["recipient"] != "off1") continue;
    sms_outcomes.push_back(h.data["outcome"]);
    if (h.data.contains("next_at")) next_times.push_back(h.data["next_at"]);
  }
  EXPECT_EQ(sms_outcomes, (std::vector<std::string>{"retry", "retry", "retry",
                                                    "retry", "dead"}));
  EXPECT_EQ(next_times, (std::vector<std::string>{
                            FormatInstant(start + std::chrono::seconds(10)),
                            FormatInstant(start + std::chrono::seconds(30)),
                            FormatInstant(start + std::chrono::seconds(70)),
                            FormatInstant(start + std::chrono::seconds(150))}));
  EXPECT_EQ(peers_["sms"].Count(), 10u);
}

TEST_F(DispatcherTest, JitterShortensEachDelayByAtMostItsFraction) {
  options_.retry = {std::chrono::seconds(10), std::chrono::seconds(300), 10,
                    0.25};
  Start();
  for (int attempt = 1; attempt <= 8; ++attempt) {
    double base = std::min(10.0 * (1 << (attempt - 1)), 300.0) * 1000;
    std::set<int64_t> seen;
    for (int i = 0; i < 200; ++i) {
      int64_t ms = dispatcher_->Backoff(attempt).count();
      EXPECT_LE(ms, static_cast<int64_t>(base));
      EXPECT_GE(ms, static_cast<int64_t>(base * 0.75));
      seen.insert(ms);
    }
    EXPECT_GT(seen.size(), 50u) << "jitter spreads the retries";
  }
}

TEST_F(DispatcherTest, APermanentFailureIsADeadLetterAtOnceAndCanBeRedriven) {
  int calls = 0;
  peers_["email"].answer = [&](const NotifierMessage& m) {
    if (m.recipient == "off2@town.example.cn" && ++calls <= 2) {
      return SendResult{SendResult::Code::kPermanent, "550 unknown recipient"};
    }
    return SendResult{};
  };
  Start();
  std::string id = OpenCaseAt();
  DispatchRound round = Run();
  EXPECT_EQ(round.delivered, 1u);
  EXPECT_EQ(round.dead, 1u);
  auto dead = DeadLetters();
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].recipient, "off2");
  EXPECT_EQ(dead[0].case_id, id);
  EXPECT_EQ(dead[0].attempts, 1);
  EXPECT_EQ(dead[0].failed_at, clock_.Now());
  EXPECT_NE(dead[0].reason.find("550 unknown recipient"), std::string::npos);
  std::string key = dead[0].idempotency_key;

  // A supervisor re-drives it: recorded in the history, sent again with the
  // same idempotency key.
  clock_.Advance(std::chrono::minutes(5));
  Actor supervisor = User("chief", "county", "officer");
  auto r = rt_->Redrive({"redrive-1", supervisor, dead[0].id});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->case_id, id);
  EXPECT_TRUE(DeadLetters().empty());
  auto again = rt_->Redrive({"redrive-1", supervisor, dead[0].id});
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->replayed);
  EXPECT_CODE(rt_->Redrive({"redrive-2", supervisor, dead[0].id}),
              StatusCode::kNotFound);

  // The first re-drive fails again (calls <= 2), a second one succeeds.
  EXPECT_EQ(Run().dead, 1u);
  ASSERT_OK(rt_->Redrive({"redrive-3", supervisor, dead[0].id}).status());
  EXPECT_EQ(Run().delivered, 1u);
  EXPECT_TRUE(DeadLetters().empty());
  auto keys = peers_["email"].Keys();
  EXPECT_EQ(std::count(keys.begin(), keys.end(), key), 3);
  std::vector<std::string> outcomes;
  for (const HistoryEntry& h : Deliveries(id)) {
    if (h.data["recipient"] == "off2") outcomes.push_back(h.data["outcome"]);
  }
  EXPECT_EQ(outcomes, (std::vector<std::string>{"dead", "redriven", "dead",
                                                "redriven", "delivered"}));
  auto history = Deliveries(id);
  auto redriven = std::find_if(
      history.begin(), history.end(),
      [](const HistoryEntry& h) { return h.data["outcome"] == "redriven"; });
  ASSERT_NE(redriven, history.end());
  EXPECT_EQ(redriven->actor, "chief");
}

// Regression (issue 12 item 8): the re-drive's audit record lost the acting
// user's unit and origin, unlike every other command's.
TEST_F(DispatcherTest, RedriveAuditRecordKeepsUnitAndOrigin) {
  peers_["email"].answer = [](const NotifierMessage&) {
    return SendResult{SendResult::Code::kPermanent, "550"};
  };
  Start();
  std::string id = OpenCaseAt();
  Run();
  auto dead = DeadLetters();
  ASSERT_FALSE(dead.empty());
  Actor supervisor{"chief", "county", {"officer"}, "203.0.113.7:51234"};
  ASSERT_OK(rt_->Redrive({"redrive-audit", supervisor, dead[0].id}).status());
  auto log = ReadAuditLog(*store_, id);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  auto redrive = std::find_if(log->begin(), log->end(),
                              [](const AuditRecord& a) { return a.action == "redrive"; });
  ASSERT_NE(redrive, log->end());
  EXPECT_EQ(redrive->user, "chief");
  EXPECT_EQ(redrive->unit, "county");
  EXPECT_EQ(redrive->origin, "203.0.113.7:51234");
}

TEST_F(DispatcherTest, RedriveRefusesUnknownIdsAndTheSystemRole) {
  Start();
  EXPECT_CODE(rt_->Redrive({"r-1", User("chief", "county", "officer"), "nope"}),
              StatusCode::kNotFound);
  EXPECT_CODE(rt_->Redrive({"r-2", User("chief", "county", "system"), "nope"}),
              StatusCode::kPermissionDenied);
  EXPECT_CODE(rt_->Redrive({"", User("chief", "county", "officer"), "nope"}),
              StatusCode::kInvalidArgument);
}

TEST_F(DispatcherTest, DeadLettersPageInIdOrder) {
  peers_["email"].answer = [](const NotifierMessage&) {
    return SendResult{SendResult::Code::kPermanent, "550"};
  };
  Start();
  for (int i = 0; i < 3; ++i) OpenCaseAt();
  EXPECT_EQ(Run().dead, 6u);
  auto first = rt_->DeadLetters("", 4);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 4u);
  auto rest = rt_->DeadLetters(first->back().id, 4);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->size(), 2u);
  std::vector<std::string> ids;
  for (const auto* page : {&*first, &*rest}) {
    for (const DeadLetter& d : *page) ids.push_back(d.id);
  }
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 6u);
}

}  // namespace
}  // namespace shouhu::dispatch_test
