// The web app's files without sockets: content types, cache headers, the
// index.html fallback for client routes, and paths that try to leave the
// root.
#include "api/static_files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "api_service_fixture.h"

namespace shouhu::api {
namespace {

namespace fs = std::filesystem;

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/shouhu-web-XXXXXX";
    dir_ = mkdtemp(tmpl);
    root_ = dir_ + "/web";
    fs::create_directories(root_ + "/assets");
    Write(root_ + "/index.html", "<!doctype html><title>守护</title>");
    Write(root_ + "/assets/index-3f2a.js", "console.log(1)");
    Write(root_ + "/assets/index-3f2a.css", "body{}");
    Write(root_ + "/assets/logo.svg", "<svg/>");
    Write(root_ + "/assets/font.woff2", "wOF2");
    Write(root_ + "/favicon.ico", "ico");
    Write(dir_ + "/secret.txt", "outside the root");
  }
  void TearDown() override { fs::remove_all(dir_); }
  static void Write(const std::string& path, const std::string& text) {
    std::ofstream(path) << text;
  }
  std::string dir_, root_;
};

TEST_F(StaticFilesTest, FilesHaveTheirContentTypeAndHashedAssetsAreCachedForAYear) {
  StaticFiles files(root_);
  HttpResponse js = files.Serve("/assets/index-3f2a.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.body, "console.log(1)");
  EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(js.headers["Cache-Control"], "public, max-age=31536000, immutable");
  EXPECT_EQ(files.Serve("/assets/index-3f2a.css").content_type, "text/css; charset=utf-8");
  EXPECT_EQ(files.Serve("/assets/logo.svg").content_type, "image/svg+xml");
  EXPECT_EQ(files.Serve("/assets/font.woff2").content_type, "font/woff2");
  HttpResponse icon = files.Serve("/favicon.ico");
  EXPECT_EQ(icon.content_type, "image/x-icon");
  EXPECT_EQ(icon.headers["Cache-Control"], "no-cache");
  HttpResponse index = files.Serve("/");
  EXPECT_EQ(index.status, 200);
  EXPECT_EQ(index.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(index.headers["Cache-Control"], "no-cache");
  EXPECT_EQ(ContentTypeFor("a.png"), "image/png");
  EXPECT_EQ(ContentTypeFor("a.map"), "application/json; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("a.JSON"), "application/json; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("a.exe"), "application/octet-stream");
}

TEST_F(StaticFilesTest, ClientRoutesGetIndexButMissingAssetsAre404) {
  StaticFiles files(root_);
  for (const char* route : {"/cases/C0000000001", "/report", "/admin/users/", "/x.y"}) {
    HttpResponse r = files.Serve(route);
    EXPECT_EQ(r.status, 200) << route;
    EXPECT_EQ(r.body, "<!doctype html><title>守护</title>") << route;
    EXPECT_EQ(r.headers["Cache-Control"], "no-cache") << route;
  }
  EXPECT_EQ(files.Serve("/assets/index-old.js").status, 404);
  // A folder is not a file.
  EXPECT_EQ(files.Serve("/assets").body, "<!doctype html><title>守护</title>");
}

TEST_F(StaticFilesTest, PathsThatLeaveTheRootAreRefused) {
  StaticFiles files(root_);
  for (const char* path : {"/../secret.txt", "/assets/../../secret.txt", "/assets/..",
                           "/./index.html", "/a\\..\\secret.txt", "/a//b"}) {
    HttpResponse r = files.Serve(path);
    EXPECT_EQ(r.status, 400) << path;
    EXPECT_EQ(r.body.find("outside the root"), std::string::npos) << path;
  }
  // A symbolic link inside the root that points out of it is not followed.
  fs::create_symlink(dir_ + "/secret.txt", root_ + "/assets/link.txt");
  HttpResponse linked = files.Serve("/assets/link.txt");
  EXPECT_EQ(linked.status, 404);
  EXPECT_EQ(linked.body.find("outside the root"), std::string::npos);
  // The root's own name as a prefix is not the root ("/web-other").
  fs::create_directories(dir_ + "/web-other");
  Write(dir_ + "/web-other/x.txt", "outside the root");
  fs::create_symlink(dir_ + "/web-other/x.txt", root_ + "/x.txt");
  EXPECT_EQ(files.Serve("/x.txt").body.find("outside the root"), std::string::npos);
}

TEST_F(StaticFilesTest, NoAppBuiltIs404) {
  EXPECT_EQ(StaticFiles("").Serve("/").status, 404);
  EXPECT_EQ(StaticFiles(dir_ + "/nothing").Serve("/cases").status, 404);
}

// Through the service: GET and HEAD outside /api/ reach the files; the API's
// unknown paths stay JSON 404s.
class StaticServiceTest : public ApiServiceTest {
 protected:
  void SetUp() override {
    ApiServiceTest::SetUp();
    char tmpl[] = "/tmp/shouhu-web-XXXXXX";
    web_ = mkdtemp(tmpl);
    std::ofstream(web_ + "/index.html") << "<!doctype html>";
    ApiOptions options = TestOptions();
    options.web_root = web_;
    service_ = std::make_unique<ApiService>(
        ApiDeps{*runtime_, catalog_, *orgs_, *tokens_, *store_, clock_, access_}, options);
  }
  void TearDown() override {
    ApiServiceTest::TearDown();
    fs::remove_all(web_);
  }
  std::string web_;
};

TEST_F(StaticServiceTest, AppPathsAreServedAndApiPathsAreNot) {
  HttpResponse page = Call("GET", "/cases/C1", "", "");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.body, "<!doctype html>");
  EXPECT_EQ(Call("HEAD", "/", "", "").status, 200);
  HttpResponse api = Call("GET", "/api/v1/nothing", "", "");
  EXPECT_EQ(api.status, 404);
  EXPECT_EQ(nlohmann::json::parse(api.body)["error"]["code"], "not_found");
  EXPECT_EQ(Call("POST", "/cases", "", "").status, 404);
}

}  // namespace
}  // namespace shouhu::api
