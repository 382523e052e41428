// I/O errors on the real daemon (issue 16): the disk under the data
// directory starts failing its syncs (EIO from fsync/fdatasync, injected by
// tests/support/io_fault_shim.cc loaded with LD_PRELOAD, switched on and off
// by a control file). A write whose sync failed is never acknowledged:
//   - writes answer 503 and /readyz says storage cannot write, while reads
//     that write nothing go on (a case's file is not one of them: its read
//     is audited, and an unaudited read is refused);
//   - after a failed sync RocksDB trusts nothing it has not re-read, so the
//     daemon keeps refusing writes until it is restarted (as PostgreSQL's
//     PANIC on a failed fsync does), and the refusal says a restart is needed;
//   - restarted on the healed disk: every acknowledged write is there, each
//     case's history is whole (a refused write is absent or complete, never
//     half), the audit chain verifies, and writes are taken again.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "api_daemon.h"

namespace shouhu {
namespace {

using nlohmann::json;
using testing::ApiDaemon;
using testing::kTeacher;
using testing::kPolice;
using testing::ReportBody;


json Body(const cli::HttpReply& r) { return json::parse(r.body, nullptr, false); }

class IoErrorTest : public ::testing::Test {
 protected:
  IoErrorTest() : control_(daemon_.data_dir() + "/../io-fault") {
    daemon_.SetEnv("LD_PRELOAD", BuildTree("/tests/libshouhu_io_fault_shim.so"));
    daemon_.SetEnv("SHOUHU_IO_FAULT", control_);
    daemon_.SetEnv("SHOUHU_IO_FAULT_DIR", std::filesystem::canonical(daemon_.data_dir()));
    // Under AddressSanitizer the shim is loaded ahead of its runtime.
    daemon_.SetEnv("ASAN_OPTIONS", "verify_asan_link_order=0");
  }
  void FailSyncs(bool on) {
    if (on) {
      std::ofstream(control_) << "EIO\n";
    } else {
      std::filesystem::remove(control_);
    }
  }
  cli::HttpReply File() {
    return daemon_.ClientFor(kTeacher)->Send("POST", "/api/v1/cases", ReportBody().dump());
  }

  ApiDaemon daemon_{json::object()};
  const std::string control_;
};

TEST_F(IoErrorTest, AFailedSyncIsNeverAcknowledgedAndARestartRecovers) {
  daemon_.Start();
  std::vector<std::string> acked;
  for (int i = 0; i < 5; ++i) {
    auto filed = File();
    ASSERT_EQ(filed.status, 201) << filed.body;
    acked.push_back(Body(filed).value("case_id", ""));
  }

  FailSyncs(true);
  auto refused = File();
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_NE(refused.body.find("Input/output error"), std::string::npos) << refused.body;
  auto ready = daemon_.ClientFor(kTeacher)->Send("GET", "/readyz");
  EXPECT_EQ(ready.status, 503) << ready.body;
  EXPECT_NE(ready.body.find("storage cannot write"), std::string::npos) << ready.body;
  // A read that writes nothing goes on; a case's file is read only with an
  // audit record written, so it is refused as well: no unaudited reads.
  EXPECT_EQ(daemon_.ClientFor(kTeacher)->Send("GET", "/api/v1/workflows").status, 200);
  auto police = daemon_.ClientFor(kPolice);
  EXPECT_EQ(police->Send("GET", "/api/v1/cases/" + acked.front()).status, 503);

  // The disk heals; this process still refuses, and says what would help.
  FailSyncs(false);
  refused = File();
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_NE(refused.body.find("restart"), std::string::npos) << refused.body;
  EXPECT_EQ(daemon_.Stop(), 0) << daemon_.output();

  testing::Subprocess verify({testing::kCliPath, "audit", "verify", "--data-dir",
                              daemon_.data_dir(), "--key-file", daemon_.key_path()});
  std::string said = verify.ReadAll();
  EXPECT_EQ(verify.Wait(), 0) << said;

  daemon_.Start();
  police = daemon_.ClientFor(kPolice);
  for (const std::string& id : acked) {
    auto got = police->Send("GET", "/api/v1/cases/" + id);
    ASSERT_EQ(got.status, 200) << id << ": acknowledged, now " << got.body;
    json c = Body(got);
    EXPECT_EQ(c.value("last_seq", uint64_t{0}), c["history"].size()) << id;
    EXPECT_EQ(c.value("state", ""), "reported") << id;
  }
  auto again = File();
  EXPECT_EQ(again.status, 201) << again.body;
  EXPECT_EQ(daemon_.ClientFor(kTeacher)->Send("GET", "/readyz").status, 200);
}

}  // namespace
}  // namespace shouhu
