// SIGHUP reloads the workflows of a running shouhud (issue 17 item 2): a new
// version added on disk is what new cases open on, while requests sent all
// through the reload succeed and older cases go on on their version; a
// broken definition, or a loaded version changed in place, is refused and
// the running catalog keeps serving.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "api_daemon.h"

namespace shouhu {
namespace {

using nlohmann::json;
using testing::ApiDaemon;
using testing::kTeacher;
using testing::kPolice;


json Body(const cli::HttpReply& r) { return json::parse(r.body.empty() ? "{}" : r.body); }

class ReloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    daemon_.Start();
    std::ifstream in(daemon_.dir() + "/workflows/mandatory_report.json");
    bundled_ = json::parse(in);
    version_ = bundled_["version"];
  }

  // Files a report; the workflow version its case opened on (0 if refused).
  int FileReport() {
    auto r = daemon_.ClientFor(kTeacher)->Send("POST", "/api/v1/cases",
                                               testing::ReportBody().dump());
    if (r.status != 201) return 0;
    auto c = daemon_.ClientFor(kPolice)->Send("GET", "/api/v1/cases/" +
                                                         Body(r)["case_id"].get<std::string>());
    return Body(c).value("workflow_version", 0);
  }
  void Reload(const std::string& answer) {
    ASSERT_EQ(kill(daemon_.pid(), SIGHUP), 0);
    ASSERT_TRUE(daemon_.WaitForLine(answer)) << daemon_.output();
  }
  void Write(const std::string& name, const json& doc) {
    std::ofstream(daemon_.dir() + "/workflows/" + name) << doc.dump(1);
  }

  ApiDaemon daemon_{json{{"rate_per_second", 0}}};
  json bundled_;
  int version_ = 0;
};

TEST_F(ReloadTest, ANewVersionServesNewCasesWhileRequestsInFlightSucceed) {
  auto first = daemon_.ClientFor(kTeacher)->Send("POST", "/api/v1/cases",
                                                 testing::ReportBody("甲一").dump());
  ASSERT_EQ(first.status, 201) << first.body;
  const std::string old_case = Body(first)["case_id"];

  // Reports filed without a pause from before the SIGHUP until after the
  // reload was answered: none may fail.
  std::atomic<bool> reloaded{false};
  std::atomic<int> filed{0}, failed{0}, after_reload{0};
  std::thread writer([&] {
    auto client = daemon_.ClientFor(kTeacher);
    while (after_reload.load() < 3) {
      const bool done = reloaded.load();
      auto r = client->Send("POST", "/api/v1/cases", testing::ReportBody().dump());
      (r.status == 201 ? filed : failed)++;
      if (done) after_reload++;
    }
  });
  json next = bundled_;
  next["version"] = version_ + 1;
  Write("mandatory_report_next.json", next);
  Reload("reloaded 已重新加载");
  reloaded = true;
  writer.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_GE(filed.load(), 3);

  EXPECT_EQ(FileReport(), version_ + 1);
  // The case opened before goes on on its version.
  auto police = daemon_.ClientFor(kPolice);
  auto c = police->Send("GET", "/api/v1/cases/" + old_case);
  EXPECT_EQ(Body(c)["workflow_version"], version_);
  auto accepted = police->Send("POST", "/api/v1/cases/" + old_case + "/events",
                               json{{"event", "accept"}, {"data", testing::AcceptData()}}.dump());
  EXPECT_EQ(accepted.status, 200) << accepted.body;
  // Both versions are served.
  auto listed = police->Send("GET", "/api/v1/workflows");
  const json workflows = Body(listed)["workflows"];
  int versions = 0;
  for (const json& w : workflows) versions += w["id"] == "mandatory_report";
  EXPECT_EQ(versions, 2) << listed.body;
}

TEST_F(ReloadTest, ABrokenOrChangedDefinitionIsRefusedAndTheOldCatalogServes) {
  json next = bundled_;
  next["version"] = version_ + 1;
  Write("mandatory_report_next.json", next);
  Reload("reloaded 已重新加载");
  ASSERT_EQ(FileReport(), version_ + 1);

  // A definition that does not load: nothing of the reload is taken.
  json newer = bundled_;
  newer["version"] = version_ + 2;
  Write("mandatory_report_newer.json", newer);
  Write("broken.json", json{{"kind", "workflow"}, {"id", "broken"}});
  Reload("the running one is kept");
  EXPECT_NE(daemon_.output().find(daemon_.dir() + "/workflows/broken.json:"), std::string::npos)
      << daemon_.output();
  EXPECT_EQ(FileReport(), version_ + 1);
  std::filesystem::remove(daemon_.dir() + "/workflows/broken.json");
  std::filesystem::remove(daemon_.dir() + "/workflows/mandatory_report_newer.json");

  // A loaded version changed in place: cases run on it, so it is refused.
  next["label"]["en"] = "Mandatory report (changed)";
  Write("mandatory_report_next.json", next);
  Reload("the running one is kept");
  EXPECT_NE(daemon_.output().find("reload refused 拒绝重新加载: workflow \"mandatory_report\" "
                                  "version " + std::to_string(version_ + 1)),
            std::string::npos)
      << daemon_.output();
  EXPECT_NE(daemon_.output().find(") changed: a loaded version stays as it is"),
            std::string::npos)
      << daemon_.output();
  EXPECT_EQ(FileReport(), version_ + 1);
  auto served = daemon_.ClientFor(kPolice)->Send("GET", "/api/v1/workflows");
  EXPECT_EQ(served.status, 200);
  // A loaded version removed is refused the same way.
  std::filesystem::remove(daemon_.dir() + "/workflows/mandatory_report_next.json");
  Reload("the running one is kept");
  EXPECT_NE(daemon_.output().find("is gone or no longer loads"), std::string::npos)
      << daemon_.output();
  EXPECT_EQ(FileReport(), version_ + 1);
}

}  // namespace
}  // namespace shouhu
