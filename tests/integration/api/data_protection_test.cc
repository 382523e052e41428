// Files and logs (issue 12): the data directory is 0700 and every file in it
// is its owner's only; no log line of the daemon carries the personal data,
// notes or tokens that went through it, and no error message echoes a
// personal value.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <filesystem>

#include "api_daemon.h"

namespace shouhu {
namespace {

using nlohmann::json;
using testing::ApiDaemon;

// A report whose personal and sensitive values are markers.
json MarkedReport() {
  json body = testing::ReportBody("MARK姓名甲");
  body["data"]["child_birth_date"] = "2015-05-05";
  body["data"]["guardian_name"] = "MARK监护人";
  body["data"]["guardian_phone"] = "MARK13912345678";
  body["data"]["guardian_address"] = "MARK青山县某路1号";
  body["data"]["medical_history"] = "MARK病史";
  body["data"]["description"] = "MARK情况描述";
  return body;
}
const char* kMarkers[] = {"MARK姓名甲", "MARK监护人", "MARK13912345678", "MARK青山县某路1号",
                          "MARK病史", "MARK情况描述", "MARK笔记", "MARK错误值"};

TEST(DataProtectionTest, DataFilesAreTheOwnersOnlyAndLogsCarryNoPersonalData) {
  ApiDaemon daemon(json{{"rate_per_second", 0}});
  // The test made the data directory with the usual 0755: shouhud narrows it.
  ASSERT_EQ(::chmod(daemon.data_dir().c_str(), 0755), 0);
  daemon.Start();
  std::vector<std::string> tokens = {daemon.TokenFor("u0021"), daemon.TokenFor("u0008")};
  auto teacher = daemon.ClientFor("u0021");
  auto police = daemon.ClientFor("u0008");
  auto r = teacher->Send("POST", "/api/v1/cases", MarkedReport().dump());
  ASSERT_EQ(r.status, 201) << r.body;
  std::string id = json::parse(r.body)["case_id"];
  ASSERT_EQ(police->Send("POST", "/api/v1/cases/" + id + "/notes",
                         json{{"text", "MARK笔记"}}.dump()).status, 201);
  ASSERT_EQ(police->Send("GET", "/api/v1/cases/" + id).status, 200);
  // A refused value of a sensitive field is not echoed in the error.
  json bad = MarkedReport();
  bad["data"]["guardian_phone"] = json::array({"MARK错误值"});
  auto refused = teacher->Send("POST", "/api/v1/cases", bad.dump());
  EXPECT_EQ(refused.status, 422) << refused.body;
  EXPECT_EQ(refused.body.find("MARK错误值"), std::string::npos) << refused.body;
  // Wrong and unknown tokens are refused without echoing them.
  cli::HttpClient stranger(daemon.base_url(), "shh_0123456789abcdef_notatoken");
  auto unknown = stranger.Send("GET", "/api/v1/me");
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(unknown.body.find("notatoken"), std::string::npos) << unknown.body;
  auto metrics = police->Send("GET", "/metrics");
  ASSERT_EQ(daemon.Stop(), 0);

  for (const char* m : kMarkers) {
    EXPECT_EQ(daemon.output().find(m), std::string::npos) << m << " in the log:\n" << daemon.output();
    EXPECT_EQ(metrics.body.find(m), std::string::npos) << m << " in /metrics";
  }
  for (const std::string& t : tokens) {
    EXPECT_EQ(daemon.output().find(t.substr(11)), std::string::npos) << "a token in the log";
  }

  namespace fs = std::filesystem;
  struct stat st;
  ASSERT_EQ(::stat(daemon.data_dir().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u) << "the data directory";
  int files = 0;
  for (const auto& e : fs::recursive_directory_iterator(daemon.data_dir())) {
    ASSERT_EQ(::lstat(e.path().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 077, 0u) << e.path() << " is " << std::oct << (st.st_mode & 0777);
    ++files;
  }
  EXPECT_GT(files, 5) << "RocksDB's files and the tokens file";
}

}  // namespace
}  // namespace shouhu
