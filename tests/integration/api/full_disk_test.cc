// Regression (issue 11): a full disk aborted shouhud (SIGABRT inside RocksDB)
// and so did starting on one, so systemd restarted it in a loop. On a real
// small file system (a size-limited tmpfs mounted over the data directory,
// so root only; skipped otherwise): writes answer 503 saying the disk is
// full, reads that write nothing go on, /readyz says why, writes resume by
// themselves once space is freed, and a start on a full disk waits for space.
#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <vector>

#include "api_daemon.h"

namespace shouhu {
namespace {

using nlohmann::json;
using testing::ApiDaemon;
using testing::kTeacher;
using testing::ReportBody;


// Fills the file system holding `dir` with `dir`/filler until ENOSPC, in
// ever smaller pieces down to one byte.
void FillUp(const std::string& dir) {
  int fd = open((dir + "/filler").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  ASSERT_GE(fd, 0);
  std::vector<char> chunk(64 << 10, 'x');
  for (size_t size = chunk.size(); size > 0; size /= 2) {
    while (write(fd, chunk.data(), size) == static_cast<ssize_t>(size)) {
    }
  }
  close(fd);
}

class FullDiskTest : public ::testing::Test {
 protected:
  // A daemon whose data directory is an 8 MiB tmpfs; writes stop below
  // `min_free_mb` free (0: only when RocksDB itself meets ENOSPC).
  void Mount(int min_free_mb) {
    if (geteuid() != 0) GTEST_SKIP() << "needs root to mount a small tmpfs";
    daemon_ = std::make_unique<ApiDaemon>(json::object(), json{{"min_free_mb", min_free_mb}});
    if (mount("tmpfs", daemon_->data_dir().c_str(), "tmpfs", 0, "size=8m") != 0) {
      GTEST_SKIP() << "cannot mount a tmpfs: " << std::strerror(errno);
    }
    mounted_ = true;
    daemon_->TokenFor(kTeacher);  // the tokens file lives in the data directory
  }
  void TearDown() override {
    if (!daemon_) return;
    daemon_->Stop();
    if (mounted_) umount2(daemon_->data_dir().c_str(), MNT_DETACH);
  }
  int Code(const std::string& method, const std::string& path, std::string* body = nullptr) {
    auto r = daemon_->ClientFor(kTeacher)->Send(
        method, path, method == "POST" ? ReportBody().dump() : "");
    if (body) *body = r.body;
    return static_cast<int>(r.status);
  }

  std::unique_ptr<ApiDaemon> daemon_;
  bool mounted_ = false;
};

TEST_F(FullDiskTest, WritesAnswer503AndResumeWhenSpaceIsFreed) {
  Mount(2);  // RocksDB's own files stay well under 6 MiB here
  daemon_->Start();
  ASSERT_EQ(Code("POST", "/api/v1/cases"), 201);

  FillUp(daemon_->data_dir());
  std::string body;
  EXPECT_EQ(Code("POST", "/api/v1/cases", &body), 503);
  EXPECT_NE(body.find("disk full"), std::string::npos) << body;
  EXPECT_EQ(Code("GET", "/readyz", &body), 503);
  EXPECT_NE(body.find("storage cannot write"), std::string::npos) << body;
  EXPECT_EQ(Code("GET", "/api/v1/workflows"), 200);  // a read that writes nothing
  EXPECT_EQ(Code("GET", "/healthz"), 200);

  std::filesystem::remove(daemon_->data_dir() + "/filler");
  EXPECT_EQ(Code("POST", "/api/v1/cases"), 201);
  EXPECT_EQ(Code("GET", "/readyz"), 200);
  EXPECT_EQ(daemon_->Stop(), 0);
}

// Without the margin RocksDB meets ENOSPC in its write-ahead log. It used to
// abort the daemon (an assertion, reached through its LOG file on the same
// full disk); now the write is 503 and the daemon lives and stops cleanly.
TEST_F(FullDiskTest, RocksDbOutOfSpaceIs503NotAnAbort) {
  Mount(0);
  daemon_->Start();
  ASSERT_EQ(Code("POST", "/api/v1/cases"), 201);
  FillUp(daemon_->data_dir());
  // The log's last page may still take a report or two.
  std::string body;
  int code = 201;
  for (int i = 0; i < 20 && code == 201; ++i) code = Code("POST", "/api/v1/cases", &body);
  EXPECT_EQ(code, 503) << body;
  EXPECT_NE(body.find("No space left on device"), std::string::npos) << body;
  EXPECT_EQ(Code("POST", "/api/v1/cases"), 503);
  EXPECT_EQ(Code("GET", "/readyz", &body), 503);
  EXPECT_NE(body.find("storage cannot write"), std::string::npos) << body;
  EXPECT_EQ(Code("GET", "/api/v1/workflows"), 200);
  EXPECT_EQ(daemon_->Stop(), 0) << daemon_->output();
}

TEST_F(FullDiskTest, AStartOnAFullDiskWaitsForSpace) {
  Mount(2);
  FillUp(daemon_->data_dir());
  daemon_->Launch();
  ASSERT_TRUE(daemon_->WaitForLine("waiting for disk space")) << daemon_->output();
  EXPECT_NE(daemon_->output().find("disk full"), std::string::npos) << daemon_->output();
  std::filesystem::remove(daemon_->data_dir() + "/filler");
  ASSERT_TRUE(daemon_->WaitForLine("ready")) << daemon_->output();
  EXPECT_EQ(daemon_->Stop(), 0);
}

}  // namespace
}  // namespace shouhu
