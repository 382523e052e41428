// The register's routes in-process on the sample county: a file made and
// found by pinyin initials, a likely duplicate answered with the ones in
// reach (redacted like any file), confirmed, merged; searches audited and
// held to the caller's jurisdiction.
#include <gtest/gtest.h>

#include <algorithm>

#include "api_service_fixture.h"
#include "shouhu/audit.h"

namespace shouhu::api {
namespace {

using nlohmann::json;

const char* kDirector = "u0015";    // child director, chengguan-v02
const char* kCaseWorker = "u0011";  // township case worker, chengguan
const char* kOtherPolice = "u0036";  // police supervisor of the other township

class RegisterRoutesTest : public ApiServiceTest {
 public:
  json Post(const std::string& user, const std::string& path, const json& body, int want) {
    HttpResponse r = Call("POST", path, TokenFor(user), body.dump());
    EXPECT_EQ(r.status, want) << path << ": " << r.body;
    return json::parse(r.body);
  }
  json Get(const std::string& user, const std::string& path, int want = 200) {
    HttpResponse r = Call("GET", path, TokenFor(user), "");
    EXPECT_EQ(r.status, want) << path << ": " << r.body;
    return json::parse(r.body);
  }
};

json Ming(const std::string& birth) {
  return {{"child_name", "张小明"}, {"child_birth_date", birth}, {"guardian_name", "张大山"},
          {"school", "城关小学"}};
}

TEST_F(RegisterRoutesTest, CreateWarnOfADuplicateConfirmSearchAndMerge) {
  json made = Post(kDirector, "/api/v1/children", {{"fields", Ming("2015-04-01")}}, 201);
  std::string first = made["child_id"];
  json file = Get(kDirector, "/api/v1/children/" + first);
  EXPECT_EQ(file["unit"], "chengguan-v02") << "the caller's unit by default";

  // The same child with the birth date mistyped: warned, with the file.
  json warned = Post(kDirector, "/api/v1/children", {{"fields", Ming("2015-04-11")}}, 409);
  EXPECT_EQ(warned["error"]["code"], "likely_duplicate");
  ASSERT_EQ(warned["error"]["candidates"].size(), 1u);
  EXPECT_EQ(warned["error"]["candidates"][0]["id"], first);
  EXPECT_EQ(warned["error"]["candidates"][0]["fields"]["child_name"], "张小明");
  EXPECT_EQ(warned["error"]["outside_jurisdiction"], 0);
  json confirmed = Post(kDirector, "/api/v1/children",
                        {{"fields", Ming("2015-04-11")}, {"confirm_new", true}}, 201);
  std::string second = confirmed["child_id"];

  json found = Get(kCaseWorker, "/api/v1/children?name=zxm&school=%E5%9F%8E%E5%85%B3%E5%B0%8F%E5%AD%A6");
  EXPECT_EQ(found["total"], 2);
  json page = Get(kCaseWorker, "/api/v1/children?name=zxm&limit=1&offset=1");
  EXPECT_EQ(page["total"], 2);
  ASSERT_EQ(page["children"].size(), 1u);
  EXPECT_EQ(page["children"][0]["id"], std::max(first, second));
  EXPECT_EQ(Get(kOtherPolice, "/api/v1/children?name=zxm")["total"], 0) << "outside";
  Get(kOtherPolice, "/api/v1/children?unit=chengguan-v02", 403);
  Get("u0021", "/api/v1/children?name=zxm", 403);  // a teacher reads no files

  // The director may not merge; the township's case worker may.
  Post(kDirector, "/api/v1/children/" + first + "/merge", {{"from", second}}, 403);
  json merged = Post(kCaseWorker, "/api/v1/children/" + first + "/merge", {{"from", second}}, 200);
  EXPECT_EQ(merged["child_id"], first);
  EXPECT_EQ(Get(kCaseWorker, "/api/v1/children/" + second)["merged_into"], first);
  EXPECT_EQ(Get(kCaseWorker, "/api/v1/children?name=zxm")["total"], 1);
  json history = Get(kCaseWorker, "/api/v1/children/" + first + "/history");
  EXPECT_EQ(history["revisions"].size(), 3u) << "both files' revisions and the merge";

  auto log = ReadAuditLog(*store_, "");
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  auto count = [&](const std::string& action, const std::string& child) {
    return std::count_if(log->begin(), log->end(), [&](const AuditRecord& a) {
      return a.action == action && (child.empty() || a.child_id == child);
    });
  };
  EXPECT_EQ(count("child.create", ""), 2);
  EXPECT_EQ(count("child.merge", first), 1);
  EXPECT_EQ(count("child.merged_into:" + first, second), 1);
  EXPECT_EQ(count("child.search", ""), 4);
  EXPECT_EQ(count("child.search.refused", ""), 2);
}

TEST_F(RegisterRoutesTest, EveryProblemOfANewFileIsListedAndNothingIsWritten) {
  json refused = Post(kDirector, "/api/v1/children",
                      {{"fields", {{"child_name", "李娜"}, {"grade", 5}, {"nonsense", "x"}}}}, 422);
  std::string message = refused["error"]["message"];
  for (const char* named : {"grade", "nonsense", "child_birth_date"}) {
    EXPECT_NE(message.find(named), std::string::npos) << named << " in " << message;
  }
  Post(kDirector, "/api/v1/children",
       {{"unit", "qingshi-v02"}, {"fields", Ming("2015-04-01")}}, 403);
  EXPECT_EQ(Get(kCaseWorker, "/api/v1/children")["total"], 0);
}

}  // namespace
}  // namespace shouhu::api
