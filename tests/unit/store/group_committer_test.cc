// GroupCommitter with a scripted write function (deterministic grouping:
// the first write is held open while callers queue behind it). Group commit
// end to end through each store is in store_conformance_test.cc.
#include "store/group_committer.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <latch>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "shouhu/store.h"
#include "shouhu/telemetry.h"
#include "temp_dir.h"

namespace shouhu {
namespace {

using Batch = GroupCommitter::Batch;
using Group = std::vector<std::string>;  // first key of each batch

// Records each group it is given. Can hold the first write open until the
// test releases it, and can fail chosen writes.
class ScriptedWriter {
 public:
  explicit ScriptedWriter(bool hold_first = false) : hold_first_(hold_first) {}

  GroupCommitter::WriteGroupFn Fn() {
    return [this](std::span<const Batch* const> group, std::span<Status>) {
      return Write(group);
    };
  }
  void FailWrite(size_t index) { fail_index_ = index; }
  void WaitUntilFirstWriteStarts() { first_started_.wait(); }
  void ReleaseFirstWrite() { release_first_.count_down(); }

  std::vector<Group> groups() const {
    std::lock_guard<std::mutex> lock(mu_);
    return groups_;
  }

 private:
  Status Write(std::span<const Batch* const> group) {
    size_t index;
    {
      std::lock_guard<std::mutex> lock(mu_);
      Group keys;
      for (const Batch* b : group) keys.push_back(b->front().key);
      groups_.push_back(keys);
      index = groups_.size() - 1;
    }
    if (index == 0 && hold_first_) {
      first_started_.count_down();
      release_first_.wait();
    }
    if (index == fail_index_) return Unavailable("scripted failure");
    return Status::Ok();
  }

  const bool hold_first_;
  size_t fail_index_ = static_cast<size_t>(-1);  // set before any write
  std::latch first_started_{1};
  std::latch release_first_{1};
  mutable std::mutex mu_;
  std::vector<Group> groups_;
};

// Spins (yielding) until cond holds. The conditions waited on here are
// reached in microseconds; no sleep, no timing assumption.
template <typename Cond>
void WaitUntil(Cond cond) {
  while (!cond()) std::this_thread::yield();
}

// Commits a one-put batch on its own thread, storing the result.
class AsyncCommit {
 public:
  AsyncCommit(GroupCommitter& committer, std::string key,
              std::string value = "v")
      : thread_([this, &committer, key = std::move(key),
                 value = std::move(value)] {
          Batch batch{Mutation::Put(key, value)};
          status_ = committer.Commit(batch);
        }) {}
  Status Join() {
    thread_.join();
    return status_;
  }

 private:
  Status status_;
  std::thread thread_;  // last: starts after status_ exists
};

// Holds the committer's first write open, then queues `keys` one at a time
// so that their arrival order is known.
std::vector<std::unique_ptr<AsyncCommit>> QueueBehindFirstWrite(
    GroupCommitter& committer, ScriptedWriter& writer,
    std::unique_ptr<AsyncCommit>& first, const std::vector<std::string>& keys) {
  first = std::make_unique<AsyncCommit>(committer, "first");
  writer.WaitUntilFirstWriteStarts();
  std::vector<std::unique_ptr<AsyncCommit>> queued;
  for (const std::string& key : keys) {
    queued.push_back(std::make_unique<AsyncCommit>(committer, key));
    WaitUntil([&] { return committer.queued() == queued.size(); });
  }
  return queued;
}

// Asynchronous commits queued behind a held write form the next group, and
// no thread waits for them: each callback runs once, on the committer
// thread, after that group's write; a failed group fails every callback of
// it and none of the group before or after.
TEST(GroupCommitterTest, AsyncCommitsShareAGroupAndAFailedGroupFailsEachOfThem) {
  ScriptedWriter writer(/*hold_first=*/true);
  writer.FailWrite(1);
  GroupCommitter committer(writer.Fn(), 1 << 20);
  std::unique_ptr<AsyncCommit> first = std::make_unique<AsyncCommit>(committer, "first");
  writer.WaitUntilFirstWriteStarts();
  std::mutex mu;
  std::vector<std::pair<std::string, Status>> done;
  std::vector<std::thread::id> threads;
  auto callback = [&](std::string key) {
    return [&, key](const Status& s) {
      std::lock_guard<std::mutex> lock(mu);
      done.push_back({key, s});
      threads.push_back(std::this_thread::get_id());
    };
  };
  for (const char* key : {"a", "b", "c"}) {
    committer.CommitAsync({Mutation::Put(key, "v")}, callback(key));
  }
  EXPECT_EQ(committer.queued(), 3u);
  {
    std::lock_guard<std::mutex> lock(mu);
    EXPECT_TRUE(done.empty());  // nothing answered before its write
  }
  writer.ReleaseFirstWrite();
  EXPECT_TRUE(first->Join().ok());
  WaitUntil([&] {
    std::lock_guard<std::mutex> lock(mu);
    return done.size() == 3;
  });
  // A later commit is its own group, and succeeds.
  Status later;
  std::latch later_done{1};
  committer.CommitAsync({Mutation::Put("d", "v")}, [&](const Status& s) {
    later = s;
    later_done.count_down();
  });
  later_done.wait();
  EXPECT_TRUE(later.ok());
  EXPECT_EQ(writer.groups(), (std::vector<Group>{{"first"}, {"a", "b", "c"}, {"d"}}));
  std::lock_guard<std::mutex> lock(mu);
  for (size_t i = 0; i < done.size(); ++i) {
    EXPECT_EQ(done[i].first, std::string(1, char('a' + i)));  // arrival order
    EXPECT_EQ(done[i].second.code(), StatusCode::kUnavailable);
    EXPECT_NE(threads[i], std::this_thread::get_id());
  }
  EXPECT_EQ(committer.Stats().commits, 2u);  // "first" and "d"
}

// After shutdown begins, an asynchronous commit is refused at once, on the
// caller's thread, and never written.
TEST(GroupCommitterTest, AsyncCommitAfterShutdownFailsAtOnce) {
  ScriptedWriter writer;
  GroupCommitter committer(writer.Fn(), 1 << 20);
  committer.BeginShutdown();
  std::optional<Status> result;
  committer.CommitAsync({Mutation::Put("late", "v")}, [&](const Status& s) { result = s; });
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->code(), StatusCode::kUnavailable);
  EXPECT_TRUE(writer.groups().empty());
}

TEST(GroupCommitterTest, LoneBatchIsWrittenAtOnceAsItsOwnGroup) {
  ScriptedWriter writer;
  GroupCommitter committer(writer.Fn(), 1 << 20);
  Batch batch{Mutation::Put("key", "value"), Mutation::Delete("gone")};
  ASSERT_TRUE(committer.Commit(batch).ok());
  EXPECT_EQ(writer.groups(), (std::vector<Group>{{"key"}}));
  const StoreStats stats = committer.Stats();
  EXPECT_EQ(stats.commits, 1u);
  EXPECT_EQ(stats.groups, 1u);
  EXPECT_EQ(stats.bytes, 3u + 5u + 4u);
}

// What the process writes to standard error (where the log goes) while
// `fn` runs.
template <class F>
std::string StderrDuring(F fn) {
  std::fflush(stderr);
  std::FILE* capture = std::tmpfile();
  const int saved = dup(2);
  dup2(fileno(capture), 2);
  fn();
  std::fflush(stderr);
  dup2(saved, 2);
  close(saved);
  std::string text;
  std::rewind(capture);
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, capture)) > 0;) text.append(buf, n);
  std::fclose(capture);
  return text;
}

// A group write over the threshold is logged with its figures, and counted
// in the commit histograms; under it, nothing is logged. (The threshold is
// 0 here so that no test waits for 200 ms of real time.)
TEST(GroupCommitterTest, ASlowGroupWriteIsLoggedAndEveryCommitTimed) {
  auto count_of = [](const std::string& name) {
    std::string text = telemetry::EngineTelemetry::Get().Render();
    auto at = text.find("\n" + name + " ");
    return at == std::string::npos ? -1.0 : std::stod(text.substr(at + name.size() + 2));
  };
  const double commits = count_of("shouhu_store_commit_duration_seconds_count");
  const double groups = count_of("shouhu_store_commit_group_size_count");
  ScriptedWriter writer;
  Batch batch{Mutation::Put("key", "value")};
  std::string slow = StderrDuring([&] {
    GroupCommitter committer(writer.Fn(), 1 << 20, std::chrono::milliseconds(0));
    ASSERT_TRUE(committer.Commit(batch).ok());
  });
  EXPECT_NE(slow.find("shouhud: WARN slow commit"), std::string::npos) << slow;
  EXPECT_NE(slow.find(" event=slow_commit ms="), std::string::npos) << slow;
  EXPECT_NE(slow.find(" commits=1 bytes=8 ok=true\n"), std::string::npos) << slow;
  std::string quick = StderrDuring([&] {
    GroupCommitter committer(writer.Fn(), 1 << 20, std::chrono::hours(1));
    ASSERT_TRUE(committer.Commit(batch).ok());
  });
  EXPECT_EQ(quick.find("slow_commit"), std::string::npos) << quick;
  EXPECT_EQ(count_of("shouhu_store_commit_duration_seconds_count"), commits + 2);
  EXPECT_EQ(count_of("shouhu_store_commit_group_size_count"), groups + 2);
}

TEST(GroupCommitterTest, CallersQueuedDuringAWriteShareOneGroupInArrivalOrder) {
  ScriptedWriter writer(/*hold_first=*/true);
  GroupCommitter committer(writer.Fn(), 1 << 20);
  std::unique_ptr<AsyncCommit> first;
  const std::vector<std::string> keys = {"b1", "b2", "b3", "b4", "b5", "b6"};
  auto queued = QueueBehindFirstWrite(committer, writer, first, keys);

  writer.ReleaseFirstWrite();
  EXPECT_TRUE(first->Join().ok());
  for (auto& c : queued) EXPECT_TRUE(c->Join().ok());

  EXPECT_EQ(writer.groups(), (std::vector<Group>{{"first"}, keys}));
  EXPECT_EQ(committer.Stats().commits, 7u);
  EXPECT_EQ(committer.Stats().groups, 2u);
}

TEST(GroupCommitterTest, GroupsAreBoundedByMaxGroupBytes) {
  ScriptedWriter writer(/*hold_first=*/true);
  // Each queued batch is 2 + 1 = 3 bytes: two fit in 7, three do not.
  GroupCommitter committer(writer.Fn(), 7);
  std::unique_ptr<AsyncCommit> first;
  auto queued = QueueBehindFirstWrite(committer, writer, first,
                                      {"k1", "k2", "k3", "k4", "k5"});
  writer.ReleaseFirstWrite();
  EXPECT_TRUE(first->Join().ok());
  for (auto& c : queued) EXPECT_TRUE(c->Join().ok());

  EXPECT_EQ(writer.groups(),
            (std::vector<Group>{{"first"}, {"k1", "k2"}, {"k3", "k4"}, {"k5"}}));
}

TEST(GroupCommitterTest, OversizedBatchIsStillWrittenAlone) {
  ScriptedWriter writer;
  GroupCommitter committer(writer.Fn(), 4);
  Batch batch{Mutation::Put("big", std::string(100, 'x'))};
  EXPECT_TRUE(committer.Commit(batch).ok());
  EXPECT_EQ(writer.groups(), (std::vector<Group>{{"big"}}));
}

TEST(GroupCommitterTest, FailedWriteFailsEveryCallerInTheGroup) {
  ScriptedWriter writer(/*hold_first=*/true);
  writer.FailWrite(1);
  GroupCommitter committer(writer.Fn(), 1 << 20);
  std::unique_ptr<AsyncCommit> first;
  auto queued =
      QueueBehindFirstWrite(committer, writer, first, {"f1", "f2", "f3"});
  writer.ReleaseFirstWrite();
  EXPECT_TRUE(first->Join().ok());
  for (auto& c : queued) {
    EXPECT_EQ(c->Join().code(), StatusCode::kUnavailable);
  }
  ASSERT_EQ(writer.groups().size(), 2u);
  EXPECT_EQ(committer.Stats().commits, 1u);
  EXPECT_EQ(committer.Stats().groups, 1u);

  // The committer carries on after a failed write.
  Batch next{Mutation::Put("again", "v")};
  EXPECT_TRUE(committer.Commit(next).ok());
}

TEST(GroupCommitterTest, ShutdownFinishesTheWriteInFlightAndFailsTheQueue) {
  ScriptedWriter writer(/*hold_first=*/true);
  auto committer = std::make_unique<GroupCommitter>(writer.Fn(), 1 << 20);
  std::unique_ptr<AsyncCommit> first;
  auto queued =
      QueueBehindFirstWrite(*committer, writer, first, {"q1", "q2", "q3"});

  committer->BeginShutdown();
  Batch late{Mutation::Put("late", "v")};
  EXPECT_EQ(committer->Commit(late).code(), StatusCode::kUnavailable);

  writer.ReleaseFirstWrite();
  EXPECT_TRUE(first->Join().ok());
  for (auto& c : queued) {
    EXPECT_EQ(c->Join().code(), StatusCode::kUnavailable);
  }
  committer.reset();
  EXPECT_EQ(writer.groups(), (std::vector<Group>{{"first"}}));
}

}  // namespace
}  // namespace shouhu
