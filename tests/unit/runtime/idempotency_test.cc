// Request ids: a retried command returns the first result and applies once,
// also across threads, restarts and failed commits.
#include <algorithm>
#include <atomic>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "runtime_fixture.h"
#include "shouhu/child_register.h"

namespace shouhu::runtime_test {
namespace {

class IdempotencyTest : public RuntimeTest {};

TEST_F(IdempotencyTest, RetriedOpenReturnsTheFirstResultAndWritesNothing) {
  OpenCase cmd{"req-open", Reporter(), "mandatory_report", "", Report()};
  auto first = rt_->Open(cmd);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_FALSE(first->replayed);

  clock_.Advance(1min);
  Snapshot before = Snap();
  auto again = rt_->Open(cmd);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->case_id, first->case_id);
  EXPECT_EQ(again->seq, first->seq);
  EXPECT_EQ(again->state, first->state);
  ExpectNothingWritten(before);
  EXPECT_EQ(Ids(rt_->ListByUnit("village-3", {})).size(), 1u);
}

// Retention (issue 12): a request id is remembered for request_retention
// (30 days by default), then forgotten: the same id is then a new command.
TEST_F(IdempotencyTest, RequestRecordsExpireAfterTheRetention) {
  EXPECT_EQ(options_.request_retention, std::chrono::hours(24 * 30));
  OpenCase cmd{"req-old", Reporter(), "mandatory_report", "", Report()};
  auto first = rt_->Open(cmd);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  clock_.Advance(std::chrono::hours(24 * 30) - 1min);
  OpenCase fresh{"req-fresh", Reporter(), "mandatory_report", "", Report()};
  ASSERT_TRUE(rt_->Open(fresh).ok());
  auto kept = rt_->ExpireRequests();
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  EXPECT_EQ(*kept, 0u) << "not yet 30 days old";
  EXPECT_TRUE(rt_->Open(cmd)->replayed);

  clock_.Advance(2min);
  auto expired = rt_->ExpireRequests();
  ASSERT_TRUE(expired.ok());
  EXPECT_EQ(*expired, 1u) << "req-old only";
  EXPECT_TRUE(rt_->Open(fresh)->replayed) << "req-fresh is 1 minute old";
  auto again = rt_->Open(cmd);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_FALSE(again->replayed) << "forgotten: a new case";
  EXPECT_NE(again->case_id, first->case_id);
}

TEST_F(IdempotencyTest, RetriedFireReturnsTheFirstResultEvenAfterTheCaseMovedOn) {
  std::string id = OpenReport();
  FireEvent accept = MakeFire("req-accept", Officer(), id, "accept",
                              {{"case_kind", "criminal"}});
  auto first = rt_->Fire(accept);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  MustFire(id, "respond", Officer());
  size_t history = History(id).size();

  Snapshot before = Snap();
  auto again = rt_->Fire(accept);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->seq, first->seq);
  EXPECT_EQ(again->state, "police_intake") << "the first result, not the case now";
  ExpectNothingWritten(before);
  EXPECT_EQ(History(id).size(), history);
  EXPECT_EQ(Case(id).state, "emergency_response");
}

TEST_F(IdempotencyTest, RetriedNoteAndAssignApplyOnce) {
  std::string id = OpenReport();
  AddNote note{"req-note", Officer(), id, "called the school"};
  AssignOwner assign{"req-assign", Officer(), id, "officer-wang"};
  ASSERT_TRUE(rt_->Note(note).ok());
  ASSERT_TRUE(rt_->Assign(assign).ok());

  Snapshot before = Snap();
  auto n = rt_->Note(note);
  auto a = rt_->Assign(assign);
  ASSERT_TRUE(n.ok() && a.ok());
  EXPECT_TRUE(n->replayed);
  EXPECT_EQ(n->seq, 2u);
  EXPECT_TRUE(a->replayed);
  EXPECT_EQ(a->seq, 3u);
  ExpectNothingWritten(before);
  EXPECT_EQ(History(id).size(), 3u);
}

TEST_F(IdempotencyTest, ReplaySurvivesARestart) {
  OpenCase cmd{"req-open", Reporter(), "mandatory_report", "", Report()};
  auto first = rt_->Open(cmd);
  ASSERT_TRUE(first.ok());
  Reopen();
  Snapshot before = Snap();
  auto again = rt_->Open(cmd);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->case_id, first->case_id);
  ExpectNothingWritten(before);
}

TEST_F(IdempotencyTest, ReusingARequestIdForAnotherCommandIsRefused) {
  std::string id = OpenReport();
  ASSERT_TRUE(rt_->Open({"req-x", Reporter(), "mandatory_report", "", Report()}).ok());
  ASSERT_TRUE(rt_->Note({"req-n", Officer(), id, "first"}).ok());

  json other_data = Report("missing");
  struct Reuse {
    std::string what;
    std::function<Status()> run;
  };
  const std::vector<Reuse> reuses = {
      {"open with other data",
       [&] { return rt_->Open({"req-x", Reporter(), "mandatory_report", "", other_data}).status(); }},
      {"open for another unit",
       [&] { return rt_->Open({"req-x", Reporter(), "mandatory_report", "school-9", Report()}).status(); }},
      {"fire with an open's id",
       [&] {
         return rt_->Fire(MakeFire("req-x", Officer(), id, "accept", {{"case_kind", "criminal"}}))
             .status();
       }},
      {"note with other text", [&] { return rt_->Note({"req-n", Officer(), id, "second"}).status(); }},
      {"assign with a note's id",
       [&] { return rt_->Assign({"req-n", Officer(), id, "officer-wang"}).status(); }},
      // Every command goes through the one pipeline: a request id is one
      // command whichever service it was given to.
      {"re-drive with an open's id",
       [&] { return rt_->Redrive({"req-x", Officer(), "no-such-letter"}).status(); }},
      {"decide a proposal with a note's id",
       [&] {
         return rt_->DecideProposal({"req-n", Officer(), "K0000000001", "C0000000001-1", true})
             .status();
       }},
      {"change a child's file with an open's id",
       [&] {
         return rt_->UpdateChild({"req-x", Officer(), "K0000000001", {{"child_name", "x"}}})
             .status();
       }},
      {"make a child's file with a note's id",
       [&] {
         return RegisterOf(*rt_)
             .CreateChild({"req-n", Officer(), "village-3", {{"child_name", "x"}}})
             .status();
       }},
      {"merge files with an open's id",
       [&] {
         return RegisterOf(*rt_)
             .MergeChildren({"req-x", Officer(), "K0000000001", "K0000000002"})
             .status();
       }},
  };
  for (const Reuse& r : reuses) {
    SCOPED_TRACE(r.what);
    Snapshot before = Snap();
    Status s = r.run();
    EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();
    ExpectNothingWritten(before);
  }
}

TEST_F(IdempotencyTest, ConcurrentRetriesOfOneOpenApplyOnce) {
  constexpr int kThreads = 16;
  OpenCase cmd{"req-storm", Reporter(), "mandatory_report", "", Report()};
  uint64_t commits = store_->Stats().commits;
  std::vector<StatusOr<CommandResult>> results(kThreads, Status(StatusCode::kInternal, "unset"));
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      while (!go.load()) std::this_thread::yield();
      results[i] = rt_->Open(cmd);
    });
  }
  go = true;
  for (std::thread& t : threads) t.join();

  int applied = 0;
  for (const auto& r : results) {
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->case_id, results[0]->case_id);
    applied += r->replayed ? 0 : 1;
  }
  EXPECT_EQ(applied, 1);
  EXPECT_EQ(store_->Stats().commits, commits + 1);
  EXPECT_EQ(Ids(rt_->ListByUnit("village-3", {})).size(), 1u);
  EXPECT_EQ(Outbox().size(), 1u);
}

TEST_F(IdempotencyTest, ConcurrentRetriesOfOneFireApplyOnce) {
  constexpr int kThreads = 16;
  std::string id = OpenReport();
  FireEvent cmd = MakeFire("req-storm", Officer(), id, "accept", {{"case_kind", "criminal"}});
  uint64_t commits = store_->Stats().commits;
  std::vector<StatusOr<CommandResult>> results(kThreads, Status(StatusCode::kInternal, "unset"));
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      while (!go.load()) std::this_thread::yield();
      results[i] = rt_->Fire(cmd);
    });
  }
  go = true;
  for (std::thread& t : threads) t.join();

  int applied = 0;
  for (const auto& r : results) {
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->seq, 2u);
    applied += r->replayed ? 0 : 1;
  }
  EXPECT_EQ(applied, 1);
  EXPECT_EQ(store_->Stats().commits, commits + 1);
  EXPECT_EQ(History(id).size(), 2u);
}

TEST_F(IdempotencyTest, ConcurrentDistinctCommandsOnOneCaseAreSerialised) {
  constexpr int kThreads = 8;
  std::string id = OpenReport();
  std::vector<std::thread> threads;
  std::vector<uint64_t> seqs(kThreads);
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      auto r = rt_->Note({"req-note-" + std::to_string(i), Officer(), id,
                          "note " + std::to_string(i)});
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      if (r.ok()) seqs[i] = r->seq;
    });
  }
  for (std::thread& t : threads) t.join();
  std::sort(seqs.begin(), seqs.end());
  for (int i = 0; i < kThreads; ++i) EXPECT_EQ(seqs[i], i + 2u);
  auto history = History(id);
  ASSERT_EQ(history.size(), kThreads + 1u);
  for (size_t i = 0; i < history.size(); ++i) EXPECT_EQ(history[i].seq, i + 1);
  EXPECT_EQ(Case(id).last_seq, kThreads + 1u);
}

// A failed commit leaves nothing visible; the same request then applies once.
TEST_F(IdempotencyTest, FailedCommitIsUnavailableAndARetryAppliesOnce) {
  OpenCase cmd{"req-open", Reporter(), "mandatory_report", "", Report()};
  Snapshot before = Snap();
  store_->FailNextCommits(1);
  EXPECT_CODE(rt_->Open(cmd), StatusCode::kUnavailable);
  EXPECT_EQ(store_->injected_failures(), 1u);
  ExpectNothingWritten(before);
  EXPECT_TRUE(Ids(rt_->ListByUnit("village-3", {})).empty());
  EXPECT_TRUE(Outbox().empty());

  auto retry = rt_->Open(cmd);
  ASSERT_TRUE(retry.ok()) << retry.status().ToString();
  EXPECT_FALSE(retry->replayed) << "the failed attempt recorded no result";
  auto again = rt_->Open(cmd);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->case_id, retry->case_id);
  EXPECT_EQ(Ids(rt_->ListByUnit("village-3", {})), std::vector<std::string>{retry->case_id});
  EXPECT_EQ(Outbox().size(), 1u);
  EXPECT_EQ(History(retry->case_id).size(), 1u);
}

TEST_F(IdempotencyTest, FailedFireCommitLeavesTheCaseAsItWas) {
  std::string id = OpenReport();
  FireEvent accept = MakeFire("req-accept", Officer(), id, "accept", {{"case_kind", "criminal"}});
  Snapshot before = Snap();
  store_->FailNextCommits(1);
  EXPECT_CODE(rt_->Fire(accept), StatusCode::kUnavailable);
  ExpectNothingWritten(before);
  EXPECT_EQ(Case(id).state, "reported");

  auto retry = rt_->Fire(accept);
  ASSERT_TRUE(retry.ok()) << retry.status().ToString();
  EXPECT_FALSE(retry->replayed);
  EXPECT_EQ(retry->seq, 2u);
  EXPECT_EQ(History(id).size(), 2u);
  EXPECT_TRUE(rt_->Fire(accept)->replayed);
  EXPECT_EQ(History(id).size(), 2u);
}

TEST_F(IdempotencyTest, FailedTimerCommitFiresOnTheNextCall) {
  std::string id = OpenReport();
  clock_.Advance(2h);
  Snapshot before = Snap();
  store_->FailNextCommits(1);
  EXPECT_CODE(rt_->FireDueTimers(), StatusCode::kUnavailable);
  ExpectNothingWritten(before);
  EXPECT_FALSE(Case(id).overdue);

  EXPECT_EQ(Fire(), 1u);
  EXPECT_TRUE(Case(id).overdue);
  EXPECT_EQ(Fire(), 0u);
  int escalations = 0;
  for (const HistoryEntry& h : History(id)) escalations += h.kind == "escalation";
  EXPECT_EQ(escalations, 1);
}

}  // namespace
}  // namespace shouhu::runtime_test
