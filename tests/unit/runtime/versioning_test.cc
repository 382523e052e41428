// Several versions of one workflow side by side: a case stays on the version
// it was opened with, new cases start on the newest. Fixtures:
// tests/fixtures/runtime/versions/intake_v{1,2}.json (v2 adds a review state
// and event, moves `close` behind it, and changes the reminder).
#include <string>
#include <vector>

#include "runtime_fixture.h"

namespace shouhu::runtime_test {
namespace {

const std::string kV1 = "tests/fixtures/runtime/versions/intake_v1.json";
const std::string kVersions = "tests/fixtures/runtime/versions";

Actor Clerk() { return {"clerk-wu", "office-1", {"clerk"}, "test"}; }
Actor Reviewer() { return {"reviewer-he", "office-1", {"reviewer"}, "test"}; }

class VersioningTest : public RuntimeTest {
 protected:
  // Switches to a catalog of `paths`, as a daemon restarted with new files.
  void Deploy(const std::vector<std::string>& paths) {
    rt_.reset();
    std::vector<std::string> full;
    for (const std::string& p : paths) full.push_back(SourcePath(p));
    catalog_ = LoadCatalog(full);
    StartRuntime();
  }
  std::string OpenIntake() {
    auto r = rt_->Open({NextRequestId(), Clerk(), "intake", "", {{"subject", "lost bike"}}});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->case_id : "";
  }
};

TEST_F(VersioningTest, CasesStayOnTheirVersionAndNewCasesGetTheNewest) {
  Deploy({kV1});
  Instant t0 = clock_.Now();
  std::string old_case = OpenIntake();
  std::string old_timed = OpenIntake();
  EXPECT_EQ(Case(old_case).workflow_version, 1);
  ASSERT_TRUE(Timer(old_case, "remind"));
  EXPECT_EQ(Timer(old_case, "remind")->due, t0 + 1h);

  Deploy({kVersions});  // v1 kept beside v2
  ASSERT_NE(catalog_.Newest("intake"), nullptr);
  ASSERT_EQ(catalog_.Newest("intake")->version, 2);
  std::string new_case = OpenIntake();
  CaseRecord c = Case(new_case);
  EXPECT_EQ(c.workflow_version, 2);
  EXPECT_EQ(Timer(new_case, "remind")->due, t0 + 2h) << "v2's reminder";

  // The old case follows v1: v2's event does not exist for it, and v1's
  // close (by a clerk, straight from open) still works.
  EXPECT_EQ(Case(old_case).workflow_version, 1);
  Snapshot before = Snap();
  EXPECT_CODE(rt_->Fire(MakeFire("r1", Clerk(), old_case, "send_to_review")),
              StatusCode::kNotFound);
  ExpectNothingWritten(before);
  EXPECT_EQ(MustFire(old_case, "close", Clerk()).state, "closed");

  // The new case follows v2: a clerk may no longer close it from open.
  before = Snap();
  EXPECT_CODE(rt_->Fire(MakeFire("r2", Clerk(), new_case, "close")),
              StatusCode::kPermissionDenied);
  EXPECT_CODE(rt_->Fire(MakeFire("r3", Reviewer(), new_case, "close")),
              StatusCode::kFailedPrecondition);
  ExpectNothingWritten(before);
  EXPECT_EQ(MustFire(new_case, "send_to_review", Clerk()).state, "review");
  EXPECT_TRUE(Case(new_case).timers.empty());
  EXPECT_EQ(MustFire(new_case, "close", Reviewer()).state, "closed");

  // Both versions share the workflow's indexes.
  EXPECT_EQ(Ids(rt_->ListByState("intake", "closed", {})),
            (std::vector<std::string>{old_case, new_case}));

  // The old case's timer keeps v1's schedule and escalation.
  clock_.Set(t0 + 1h);
  EXPECT_EQ(Fire(), 1u);
  EXPECT_EQ(Case(old_timed).workflow_version, 1);
  EXPECT_EQ(Outbox().back().case_id, old_timed);
  EXPECT_EQ(RecipientsJson(Outbox().back().recipients), json::parse(R"([{"kind":"owner"}])"));
  EXPECT_EQ(Outbox().back().channels, std::vector<std::string>{"sms"});
}

TEST_F(VersioningTest, ACaseWhoseVersionIsNotLoadedWaitsForIt) {
  Deploy({kV1});
  Instant t0 = clock_.Now();
  std::string id = OpenIntake();

  // v1 removed by mistake: commands on the case are refused as retryable,
  // and its timer does not fire under another version's rules.
  Deploy({"tests/fixtures/runtime/versions/intake_v2.json"});
  clock_.Set(t0 + 1h);
  Snapshot before = Snap();
  EXPECT_CODE(rt_->Fire(MakeFire("r1", Clerk(), id, "close")), StatusCode::kUnavailable);
  EXPECT_EQ(Fire(), 0u);
  ExpectNothingWritten(before);

  // Put back, the case carries on where it was.
  Deploy({kVersions});
  EXPECT_EQ(Fire(), 1u);
  EXPECT_TRUE(Case(id).overdue);
  EXPECT_EQ(MustFire(id, "close", Clerk()).state, "closed");
}

}  // namespace
}  // namespace shouhu::runtime_test
