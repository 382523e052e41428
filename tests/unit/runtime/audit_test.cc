// The audit trail of the runtime (shouhu/audit.h): what each record says,
// one unbroken chain in commit order under concurrent commands, no gap after
// failed commits, continuation after a restart, and the checks that catch
// what the chain alone cannot.
#include <atomic>
#include <map>
#include <thread>
#include <vector>

#include "runtime/codec.h"
#include "runtime_fixture.h"
#include "shouhu/audit.h"

namespace shouhu::runtime_test {
namespace {

Actor WithOrigin(Actor a, std::string origin) {
  a.origin = std::move(origin);
  return a;
}

class AuditTest : public RuntimeTest {
 protected:
  std::vector<AuditRecord> Log(const std::string& case_id = "") {
    auto log = ReadAuditLog(*store_, case_id);
    EXPECT_TRUE(log.ok()) << log.status().ToString();
    return log.ok() ? *log : std::vector<AuditRecord>{};
  }
  AuditReport Verify(const AuditAnchor* anchor = nullptr) {
    auto report = VerifyAuditLog(*store_, anchor);
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? *report : AuditReport{};
  }
  // The sequence numbers of the whole log are exactly 1..n.
  void ExpectNumberedWithoutGaps() {
    uint64_t expected = 1;
    for (const AuditRecord& a : Log()) EXPECT_EQ(a.seq, expected++);
  }
};

TEST_F(AuditTest, RecordsSayWhoWhenWhatWhichAndFromWhere) {
  OpenCase open{NextRequestId(), WithOrigin(Reporter(), "203.0.113.7:51234"),
                "mandatory_report", "", Report()};
  auto opened = rt_->Open(open);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  const std::string id = opened->case_id;
  clock_.Advance(10min);
  auto accepted = rt_->Fire(MakeFire(NextRequestId(), WithOrigin(Officer(), "cli"), id,
                                     "accept", {{"case_kind", "administrative"}}));
  ASSERT_TRUE(accepted.ok()) << accepted.status().ToString();
  ASSERT_OK(rt_->RecordAccess({WithOrigin(PoliceSupervisor(), "10.0.0.9:4000"),
                               "case.read", id, ""}));
  ASSERT_OK(rt_->RecordAccess({WithOrigin(Director(), "10.0.0.5:1"), "child.read", "",
                               "child-42"}));
  clock_.Advance(25h);  // the response deadline escalates: the system acts
  EXPECT_GT(Fire(), 0u);

  std::vector<AuditRecord> log = Log();
  ASSERT_EQ(log.size(), 5u);
  EXPECT_EQ(log[0].action, "open");
  EXPECT_EQ(log[0].user, "teacher-li");
  EXPECT_EQ(log[0].unit, "village-3");
  EXPECT_EQ(log[0].origin, "203.0.113.7:51234");
  EXPECT_EQ(log[0].case_id, id);
  EXPECT_EQ(log[0].case_seq, std::optional<uint64_t>(1));
  EXPECT_EQ(log[0].at, At("2026-03-02T09:00:00+08:00"));

  EXPECT_EQ(log[1].action, "fire:accept");
  EXPECT_EQ(log[1].user, "officer-wang");
  EXPECT_EQ(log[1].unit, "station-1");
  EXPECT_EQ(log[1].origin, "cli");
  EXPECT_EQ(log[1].case_seq, std::optional<uint64_t>(accepted->seq));
  EXPECT_EQ(log[1].at, At("2026-03-02T09:10:00+08:00"));

  EXPECT_EQ(log[2].action, "case.read");
  EXPECT_EQ(log[2].user, "chief-liu");
  EXPECT_EQ(log[2].case_id, id);
  EXPECT_FALSE(log[2].case_seq) << "a read changes no seq";
  EXPECT_EQ(log[3].action, "child.read");
  EXPECT_EQ(log[3].child_id, "child-42");
  EXPECT_EQ(log[3].case_id, "");

  EXPECT_EQ(log[4].action, "timer");
  EXPECT_EQ(log[4].user, "system");
  EXPECT_EQ(log[4].origin, "timer");
  EXPECT_EQ(log[4].case_seq, std::optional<uint64_t>(Case(id).last_seq));

  EXPECT_EQ(Log(id).size(), 4u) << "--case keeps only that case's records";
  AuditReport report = Verify();
  EXPECT_TRUE(report.ok()) << report.chain.problem;
  EXPECT_EQ(report.cases_checked, 1u);
  EXPECT_EQ(report.chain.head_seq, 5u);
  EXPECT_EQ(report.chain.head_hash, log[4].hash);
}

// API threads opening and advancing cases, reading them, and timer threads
// firing, all at once: one chain, numbered without gaps, and each case's
// write records in the order of its history (the commit order).
TEST_F(AuditTest, ConcurrentCommandsMakeOneChainInCommitOrder) {
  constexpr int kThreads = 8, kCasesPerThread = 12;
  store_options_.sync = false;
  Reopen();
  std::atomic<int> request{0};
  std::atomic<bool> done{false};
  std::thread timers([&] {
    while (!done.load()) {
      auto n = rt_->FireDueTimers();
      EXPECT_TRUE(n.ok()) << n.status().ToString();
    }
  });
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kCasesPerThread; ++i) {
        auto req = [&] { return "c-" + std::to_string(request.fetch_add(1)); };
        auto opened = rt_->Open({req(), Reporter(), "mandatory_report", "", Report()});
        ASSERT_TRUE(opened.ok()) << opened.status().ToString();
        const std::string id = opened->case_id;
        EXPECT_TRUE(rt_->RecordAccess({Officer(), "case.read", id, ""}).ok());
        EXPECT_TRUE(rt_->Note({req(), Officer(), id, "已电话联系 called"}).ok());
        EXPECT_TRUE(rt_->Fire(MakeFire(req(), Officer(), id, "accept",
                                       {{"case_kind", "criminal"}}))
                        .ok());
      }
    });
  }
  for (int s = 0; s < 50; ++s) {
    clock_.Advance(3min);  // some acceptance deadlines pass meanwhile
    std::this_thread::yield();
  }
  for (std::thread& t : threads) t.join();
  done = true;
  timers.join();

  AuditReport report = Verify();
  EXPECT_TRUE(report.ok()) << report.chain.problem;
  EXPECT_EQ(report.cases_checked, uint64_t{kThreads * kCasesPerThread});
  ExpectNumberedWithoutGaps();
  std::map<std::string, uint64_t> last_seq;
  size_t writes = 0;
  for (const AuditRecord& a : Log()) {
    if (!a.case_seq) continue;
    ++writes;
    EXPECT_GT(*a.case_seq, last_seq[a.case_id])
        << a.case_id << ": audit order differs from the case's history";
    last_seq[a.case_id] = *a.case_seq;
  }
  for (const auto& [id, seq] : last_seq) EXPECT_EQ(seq, Case(id).last_seq) << id;
  EXPECT_GE(writes, size_t{3 * kThreads * kCasesPerThread});
}

TEST_F(AuditTest, FailedCommitsLeaveNoGap) {
  const std::string id = OpenReport();
  store_->FailNextCommits(1);
  EXPECT_CODE(rt_->Fire(MakeFire(NextRequestId(), Officer(), id, "accept",
                                 {{"case_kind", "administrative"}})),
              StatusCode::kUnavailable);
  store_->FailNextCommits(1);
  EXPECT_EQ(rt_->RecordAccess({Officer(), "case.read", id, ""}).code(),
            StatusCode::kUnavailable);
  store_->FailNextCommits(1);
  clock_.Advance(3h);
  EXPECT_CODE(rt_->FireDueTimers(), StatusCode::kUnavailable);
  ToPoliceIntake(id);
  ASSERT_OK(rt_->RecordAccess({Officer(), "case.read", id, ""}));

  std::vector<AuditRecord> log = Log();
  ASSERT_EQ(log.size(), 3u);  // open, accept, read
  EXPECT_EQ(log[1].action, "fire:accept");
  ExpectNumberedWithoutGaps();
  EXPECT_TRUE(Verify().ok());
}

TEST_F(AuditTest, RestartContinuesTheChain) {
  const std::string id = OpenReport();
  ToPoliceIntake(id);
  const AuditReport before = Verify();
  ASSERT_EQ(before.chain.head_seq, 2u);
  Reopen();
  MustFire(id, "respond", Officer());
  std::vector<AuditRecord> log = Log();
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[2].seq, 3u);
  AuditReport after = Verify();
  EXPECT_TRUE(after.ok()) << after.chain.problem;
  // The records before the restart are unchanged: the old head still holds.
  AuditAnchor anchor{before.chain.head_seq, before.chain.head_hash};
  EXPECT_TRUE(Verify(&anchor).ok());
}

// The chain cannot show its newest records cut off; the cross-check against
// the cases and a head noted earlier can.
TEST_F(AuditTest, CutOffNewestRecordsAreFoundByTheCasesAndTheAnchor) {
  const std::string id = OpenReport();
  ToPoliceIntake(id);
  const AuditReport noted = Verify();
  ASSERT_TRUE(noted.ok());
  ASSERT_OK(store_->Commit({Mutation::Delete(codec::AuditKey(noted.chain.head_seq))}));

  AuditReport report = Verify();
  EXPECT_TRUE(report.chain.ok) << "a shorter chain is still a chain";
  EXPECT_FALSE(report.ok());
  EXPECT_EQ(report.unaudited_count, 1u);
  EXPECT_EQ(report.unaudited_cases, std::vector<std::string>{id});

  AuditAnchor anchor{noted.chain.head_seq, noted.chain.head_hash};
  report = Verify(&anchor);
  EXPECT_NE(report.anchor_problem.find("is gone"), std::string::npos)
      << report.anchor_problem;
}

TEST_F(AuditTest, AnchorCatchesARewrittenChain) {
  const std::string id = OpenReport();
  ToPoliceIntake(id);
  const AuditReport noted = Verify();
  // Rewrite the whole chain consistently: a forger who knows the format.
  std::vector<std::pair<std::string, std::string>> records;
  ASSERT_OK(store_->Scan(codec::kAuditPrefix, "", [&](std::string_view k, std::string_view v) {
    records.emplace_back(k, v);
    return true;
  }));
  std::string prev;
  std::vector<Mutation> rewrite;
  for (const auto& [k, v] : records) {
    auto r = DecodeChainRecord(codec::kAuditPrefix, k, v);
    ASSERT_TRUE(r.ok());
    std::string payload = r->payload;
    if (auto at = payload.find("officer-wang"); at != std::string::npos) {
      payload.replace(at, 12, "officer-xxxx");
    }
    std::string hash;
    rewrite.push_back(Mutation::Put(
        k, SealChainRecord(codec::kAuditPrefix, r->seq, prev, payload, &hash)));
    prev = hash;
  }
  ASSERT_OK(store_->Commit(std::move(rewrite)));
  EXPECT_TRUE(Verify().ok()) << "a consistent rewrite passes the chain alone";
  AuditAnchor anchor{noted.chain.head_seq, noted.chain.head_hash};
  AuditReport report = Verify(&anchor);
  EXPECT_FALSE(report.ok());
  EXPECT_NE(report.anchor_problem.find("rewritten"), std::string::npos)
      << report.anchor_problem;
}

}  // namespace
}  // namespace shouhu::runtime_test
