// Note and Assign: accepted and refused, the owner index, and the owner being
// cleared when the case enters a state owned by another role.
#include <string>
#include <vector>

#include "runtime_fixture.h"

namespace shouhu::runtime_test {
namespace {

class NoteAssignTest : public RuntimeTest {};

TEST_F(NoteAssignTest, NoteAppendsHistoryAndKeepsTheState) {
  std::string id = OpenReport();
  clock_.Advance(5min);
  size_t outbox = Outbox().size();
  auto r = rt_->Note({"req-note", Officer(), id, "called the school"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->seq, 2u);
  EXPECT_EQ(r->state, "reported");

  CaseRecord c = Case(id);
  EXPECT_EQ(c.state, "reported");
  EXPECT_EQ(c.last_seq, 2u);
  EXPECT_EQ(c.updated_at, clock_.Now());
  EXPECT_EQ(c.state_entered_at, clock_.Now() - 5min) << "a note is no transition";
  ASSERT_TRUE(Timer(id, "acceptance_sla"));
  EXPECT_EQ(Timer(id, "acceptance_sla")->due, c.opened_at + 2h)
      << "a note leaves the state's timers alone";

  auto history = History(id);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[1].kind, "note");
  EXPECT_EQ(history[1].actor, "officer-wang");
  EXPECT_EQ(history[1].data, (json{{"text", "called the school"}}));
  EXPECT_EQ(history[1].from_state, "reported");
  EXPECT_EQ(history[1].to_state, "reported");
  EXPECT_EQ(Outbox().size(), outbox) << "a note notifies nobody";
}

TEST_F(NoteAssignTest, NoteRefusalsWriteNothing) {
  std::string id = OpenReport();
  Actor outsider{"janitor-ma", "village-3", {"janitor"}, "test"};
  Actor system_claim{"officer-wang", "station-1", {"police_officer", "system"}, "test"};
  Actor nobody{"", "station-1", {"police_officer"}, "test"};
  struct Refusal {
    std::string what;
    AddNote cmd;
    StatusCode code;
  };
  const std::vector<Refusal> refusals = {
      {"empty text", {"r", Officer(), id, ""}, StatusCode::kInvalidArgument},
      {"unknown case", {"r", Officer(), "C9999999999", "hello"}, StatusCode::kNotFound},
      {"no role of the workflow", {"r", outsider, id, "hello"},
       StatusCode::kPermissionDenied},
      {"claims role system", {"r", system_claim, id, "hello"},
       StatusCode::kPermissionDenied},
      {"no user", {"r", nobody, id, "hello"}, StatusCode::kPermissionDenied},
      {"no request id", {"", Officer(), id, "hello"}, StatusCode::kInvalidArgument},
  };
  for (const Refusal& c : refusals) {
    SCOPED_TRACE(c.what);
    Snapshot before = Snap();
    EXPECT_CODE(rt_->Note(c.cmd), c.code);
    ExpectNothingWritten(before);
  }
  EXPECT_EQ(History(id).size(), 1u);
}

TEST_F(NoteAssignTest, AssignSetsMovesAndClearsTheOwnerIndex) {
  std::string id = OpenReport();
  std::string other = OpenReport();

  auto r = rt_->Assign({"req-a1", PoliceSupervisor(), id, "officer-wang"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->state, "reported");
  EXPECT_EQ(Case(id).owner, "officer-wang");
  EXPECT_EQ(Ids(rt_->ListByOwner("officer-wang", {})), std::vector<std::string>{id});
  auto history = History(id);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[1].kind, "assigned");
  EXPECT_EQ(history[1].actor, "chief-liu");
  EXPECT_EQ(history[1].data, (json{{"from", ""}, {"to", "officer-wang"}}));

  ASSERT_TRUE(rt_->Assign({"req-a2", Officer(), other, "officer-wang"}).ok());
  EXPECT_EQ(Ids(rt_->ListByOwner("officer-wang", {})),
            (std::vector<std::string>{id, other}));

  // Reassigning moves the index entry.
  ASSERT_TRUE(rt_->Assign({"req-a3", Officer(), id, "officer-zhang"}).ok());
  EXPECT_EQ(Ids(rt_->ListByOwner("officer-wang", {})), std::vector<std::string>{other});
  EXPECT_EQ(Ids(rt_->ListByOwner("officer-zhang", {})), std::vector<std::string>{id});
  EXPECT_EQ(History(id).back().data, (json{{"from", "officer-wang"}, {"to", "officer-zhang"}}));

  // Unassigning removes it.
  ASSERT_TRUE(rt_->Assign({"req-a4", Officer(), id, ""}).ok());
  EXPECT_EQ(Case(id).owner, "");
  EXPECT_TRUE(Ids(rt_->ListByOwner("officer-zhang", {})).empty());
}

TEST_F(NoteAssignTest, AssignRefusalsWriteNothing) {
  std::string id = OpenReport();
  std::string closed = OpenReport();
  MustFire(closed, "transfer", Officer(), {{"transfer_to", "county court"}});
  Actor system_claim{"officer-wang", "station-1", {"police_officer", "system"}, "test"};
  struct Refusal {
    std::string what;
    AssignOwner cmd;
    StatusCode code;
  };
  const std::vector<Refusal> refusals = {
      {"role may not act in this step", {"r", Reporter(), id, "officer-wang"},
       StatusCode::kPermissionDenied},
      {"role of a later step", {"r", CaseWorker(), id, "worker-zhao"},
       StatusCode::kPermissionDenied},
      {"claims role system", {"r", system_claim, id, "officer-wang"},
       StatusCode::kPermissionDenied},
      {"terminal state", {"r", Officer(), closed, "officer-wang"},
       StatusCode::kFailedPrecondition},
      {"unknown case", {"r", Officer(), "C9999999999", "officer-wang"},
       StatusCode::kNotFound},
      {"no request id", {"", Officer(), id, "officer-wang"}, StatusCode::kInvalidArgument},
  };
  for (const Refusal& c : refusals) {
    SCOPED_TRACE(c.what);
    Snapshot before = Snap();
    EXPECT_CODE(rt_->Assign(c.cmd), c.code);
    ExpectNothingWritten(before);
  }
  EXPECT_EQ(Case(id).owner, "");
}

TEST_F(NoteAssignTest, OwnerStaysWhileTheOwnerRoleStaysAndIsClearedWhenItChanges) {
  std::string id = OpenReport();
  ASSERT_TRUE(rt_->Assign({"req-a", Officer(), id, "officer-wang"}).ok());

  // reported → police_intake → emergency_response: all owned by police_officer.
  ToEmergency(id);
  EXPECT_EQ(Case(id).owner, "officer-wang");
  EXPECT_EQ(Ids(rt_->ListByOwner("officer-wang", {})), std::vector<std::string>{id});

  // → assessment, owned by township_case_worker: the police officer no longer
  // owns the step, and the index says so too.
  MustFire(id, "notify_township", Officer(),
           {{"township_notified_at", "2026-03-02T10:00:00+08:00"}});
  EXPECT_EQ(Case(id).owner, "");
  EXPECT_TRUE(Ids(rt_->ListByOwner("officer-wang", {})).empty());

  // The new step's role may now assign it; the police may not.
  EXPECT_CODE(rt_->Assign({"req-b", Officer(), id, "officer-wang"}),
              StatusCode::kPermissionDenied);
  ASSERT_TRUE(rt_->Assign({"req-c", CaseWorker(), id, "worker-zhao"}).ok());
  EXPECT_EQ(Ids(rt_->ListByOwner("worker-zhao", {})), std::vector<std::string>{id});
}

TEST_F(NoteAssignTest, OwnerIsClearedWhenATimerMovesTheCaseToAnotherRole) {
  std::string id = OpenReport();
  ToMonitoring(id);
  ASSERT_TRUE(rt_->Assign({"req-a", Director(), id, "director-chen"}).ok());
  // six_month_review fires review_due: monitoring → assessment.
  clock_.Set(Case(id).state_entered_at + std::chrono::days(200));
  Fire();
  EXPECT_EQ(Case(id).state, "assessment");
  EXPECT_EQ(Case(id).owner, "");
  EXPECT_TRUE(Ids(rt_->ListByOwner("director-chen", {})).empty());
}

}  // namespace
}  // namespace shouhu::runtime_test
