// A commit cut off in doubt (issue 18): the runtime on the PostgreSQL store,
// through a proxy that cuts the connection after the server received a
// commit and before its answer came back (tests/support/cutting_proxy.h).
// The command fails kUnavailable saying the write may or may not have been
// made; the same request sent again is answered from the first, which the
// server did commit: one case, one history entry, the audit chain whole.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "../../support/cutting_proxy.h"
#include "../../support/pg_cluster.h"
#include "runtime_fixture.h"
#include "shouhu/audit.h"
#include "store/pg_store.h"

namespace shouhu::runtime_test {
namespace {

class InDoubtTest : public ::testing::Test {
 protected:
  InDoubtTest() : clock_(At("2026-03-02T09:00:00+08:00")) {}

  void SetUp() override {
    ASSERT_TRUE(pg_.ok()) << pg_.error();
    proxy_ = std::make_unique<testing::CuttingProxy>(
        pg_.dir(), dir_.Sub(""), "5432",
        std::vector<std::string>{"shouhu_put", "shouhu_insert", "shouhu_delete"});
    ASSERT_TRUE(proxy_->ok());
    std::vector<DefinitionError> errors;
    catalog_ = Catalog::Load({SourcePath("workflows/versions/mandatory_report.v1.json"),
                              SourcePath("workflows/calendars")},
                             &errors);
    ASSERT_TRUE(errors.empty()) << errors.front().ToString();
    auto store = OpenPostgresStore(proxy_->Dsn());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    auto rt = Runtime::Create(*store_, catalog_, clock_);
    ASSERT_TRUE(rt.ok()) << rt.status().ToString();
    rt_ = std::move(rt).value();
  }
  void TearDown() override {
    rt_.reset();
    store_.reset();
    proxy_.reset();
  }

  OpenCase Open(const std::string& request_id) {
    return {request_id, Reporter(), "mandatory_report", "", Report()};
  }
  // History entries of `case_id` of this kind ("opened", "event", ...) and name.
  size_t HistoryOf(const std::string& case_id, const std::string& kind,
                   const std::string& name) {
    auto history = rt_->History(case_id);
    EXPECT_TRUE(history.ok()) << history.status().ToString();
    size_t n = 0;
    for (const HistoryEntry& h : history.ok() ? *history : std::vector<HistoryEntry>{}) {
      n += h.kind == kind && h.name == name;
    }
    return n;
  }
  static void ExpectInDoubt(const Status& s) {
    EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
    EXPECT_NE(s.message().find("may or may not"), std::string::npos) << s.ToString();
  }

  testing::PgCluster pg_;
  TempDir dir_;
  std::unique_ptr<testing::CuttingProxy> proxy_;
  FakeClock clock_;
  Catalog catalog_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Runtime> rt_;
};

TEST_F(InDoubtTest, AnEventCutOffInDoubtIsAppliedOnceWhenRetried) {
  auto opened = rt_->Open(Open("open-1"));
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  const std::string id = opened->case_id;

  proxy_->CutNextCommit();
  FireEvent accept =
      MakeFire("accept-1", Officer(), id, "accept", {{"case_kind", "administrative"}});
  auto cut = rt_->Fire(accept);
  ASSERT_EQ(proxy_->cuts(), 1);
  ExpectInDoubt(cut.status());

  // The client retries as the web app does: the same request id.
  auto retried = rt_->Fire(accept);
  ASSERT_TRUE(retried.ok()) << retried.status().ToString();
  EXPECT_TRUE(retried->replayed) << "the first commit reached the server: answered from it";
  EXPECT_EQ(retried->state, "police_intake");
  auto c = rt_->GetCase(id);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->state, "police_intake");
  EXPECT_EQ(c->last_seq, retried->seq);
  EXPECT_EQ(HistoryOf(id, "event", "accept"), 1u);

  auto report = VerifyAuditLog(*store_);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->ok()) << "records " << report->chain.records << ", intact "
                            << report->chain.intact;
}

TEST_F(InDoubtTest, AReportCutOffInDoubtOpensOneCaseWhenRetried) {
  ASSERT_TRUE(rt_->Open(Open("warm-up")).ok());  // the writer's statements are prepared
  proxy_->CutNextCommit();
  auto cut = rt_->Open(Open("report-7"));
  ASSERT_EQ(proxy_->cuts(), 1);
  ExpectInDoubt(cut.status());

  auto retried = rt_->Open(Open("report-7"));
  ASSERT_TRUE(retried.ok()) << retried.status().ToString();
  EXPECT_TRUE(retried->replayed);
  auto again = rt_->Open(Open("report-7"));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->case_id, retried->case_id);

  // Two reports in all: the warm-up and this one, not a third.
  auto list = rt_->ListByReporter(Reporter().user, {});
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  EXPECT_EQ(list->cases.size(), 2u);
  EXPECT_EQ(HistoryOf(retried->case_id, "opened", "mandatory_report"), 1u);
  auto report = VerifyAuditLog(*store_);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->ok());
}

}  // namespace
}  // namespace shouhu::runtime_test
