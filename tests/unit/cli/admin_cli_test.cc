// `shouhu audit verify|show`, `shouhu backup` and `shouhu restore`, run as the
// built binary on a real data directory that the runtime filled: an intact
// store verifies (exit 0); one record altered or deleted on disk is reported
// (exit 1); backup → restore gives the same cases and a verifying chain.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "../../support/assert_ok.h"
#include "../../support/pg_cluster.h"
#include "../../support/run_program.h"
#include "runtime/codec.h"
#include "shouhu/catalog.h"
#include "shouhu/chain.h"
#include "shouhu/clock.h"
#include "shouhu/runtime.h"
#include "shouhu/store.h"
#include "store/pg_store.h"
#include "../../support/test_paths.h"

namespace shouhu {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using Result = testing::ProgramResult;

const std::string kBinary = BuildTree("/engine/shouhu");

std::unique_ptr<Store> OpenStore(const std::string& dir) {
  auto store = OpenRocksStore(dir);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(store).value() : nullptr;
}

// Every key and value under `prefix`.
std::map<std::string, std::string> DumpPrefix(const std::string& dir,
                                              std::string_view prefix) {
  std::map<std::string, std::string> out;
  auto store = OpenStore(dir);
  if (!store) return out;
  EXPECT_TRUE(store->Scan(prefix, "", [&](std::string_view k, std::string_view v) {
                  out.emplace(k, v);
                  return true;
                }).ok());
  return out;
}

class AdminCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/shouhu_admin_cli_test_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    data_ = dir_ + "/data";
    ASSERT_TRUE(fs::exists(kBinary)) << kBinary;
    FillDataDir();
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Three reports, two of them accepted, one read: 6 audit records.
  void FillDataDir() {
    std::vector<DefinitionError> errors;
    Catalog catalog = Catalog::Load({SourceTree("/workflows")}, &errors);
    ASSERT_TRUE(errors.empty()) << errors[0].ToString();
    FakeClock clock(Instant(std::chrono::milliseconds(1'772'413'200'000)));
    auto store = OpenStore(data_);
    ASSERT_NE(store, nullptr);
    auto rt = Runtime::Create(*store, catalog, clock);
    ASSERT_TRUE(rt.ok()) << rt.status().ToString();
    const Actor teacher{"teacher-li", "village-3", {"reporter"}, "cli"};
    const Actor officer{"officer-wang", "station-1", {"police_officer"}, "10.0.0.2:5000"};
    json report = {{"child_name", "小明"},
                   {"category", "living_alone"},
                   {"reporter_kind", "mandated"},
                   {"reporter_category", "school"},
                   {"discovered_at", "2026-03-02T08:30:00+08:00"}};
    for (int i = 0; i < 3; ++i) {
      auto opened = (*rt)->Open({"open-" + std::to_string(i), teacher,
                                 "mandatory_report", "", report});
      ASSERT_TRUE(opened.ok()) << opened.status().ToString();
      cases_.push_back(opened->case_id);
    }
    for (int i = 0; i < 2; ++i) {
      auto r = (*rt)->Fire({"accept-" + std::to_string(i), officer, cases_[i], "accept",
                            {{"intake_kind", "administrative"},
                             {"accepted_at", "2026-03-02T09:00:00+08:00"}},
                            std::nullopt});
      ASSERT_TRUE(r.ok()) << r.status().ToString();
    }
    ASSERT_OK((*rt)->RecordAccess({officer, "case.read", cases_[2], ""}));
  }

  Result Run(const std::vector<std::string>& args) {
    return testing::RunProgram(kBinary, args, dir_);
  }
  // Writes `value` at audit record `seq`, behind the chain's back.
  void Overwrite(uint64_t seq, const std::string& value) {
    auto store = OpenStore(data_);
    ASSERT_NE(store, nullptr);
    ASSERT_OK(store->Commit({Mutation::Put(codec::AuditKey(seq), value)}));
  }
  std::string AuditValue(uint64_t seq) {
    auto store = OpenStore(data_);
    if (!store) return "";
    auto v = store->Get(codec::AuditKey(seq));
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? *v : "";
  }

  std::string dir_, data_;
  std::vector<std::string> cases_;
};

TEST_F(AdminCliTest, IntactStoreVerifies) {
  Result r = Run({"audit", "verify", "--data-dir", data_});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("6 records checked"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("cases 案件: 3 checked"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("head 链头: seq 6 hash "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ok 完好"), std::string::npos) << r.out;

  Result j = Run({"audit", "verify", "--data-dir", data_, "--json"});
  EXPECT_EQ(j.exit_code, 0);
  json report = json::parse(j.out);
  EXPECT_TRUE(report["ok"].get<bool>());
  EXPECT_EQ(report["records"], 6);
  EXPECT_EQ(report["head"]["seq"], 6);
}

TEST_F(AdminCliTest, AlteredRecordIsReported) {
  // Record 4 is the first accept, by officer-wang: make it someone else.
  std::string v = AuditValue(4);
  auto at = v.find("officer-wang");
  ASSERT_NE(at, std::string::npos);
  v.replace(at, 12, "officer-zhou");
  Overwrite(4, v);
  Result r = Run({"audit", "verify", "--data-dir", data_});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("BROKEN 已损坏 at record 4: record 4 was altered"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("3 record(s) before it verify"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("FAILED"), std::string::npos) << r.out;
}

TEST_F(AdminCliTest, DeletedRecordIsReported) {
  {
    auto store = OpenStore(data_);
    ASSERT_NE(store, nullptr);
    ASSERT_OK(store->Commit({Mutation::Delete(codec::AuditKey(2))}));
  }
  Result r = Run({"audit", "verify", "--data-dir", data_});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("record 2 is missing (the next one is 3)"), std::string::npos)
      << r.out;
}

TEST_F(AdminCliTest, CutOffTailIsReportedByTheCasesAndTheNotedHead) {
  Result before = Run({"audit", "verify", "--data-dir", data_, "--json"});
  json noted = json::parse(before.out)["head"];
  const std::string anchor = std::to_string(noted["seq"].get<uint64_t>()) + ":" +
                             noted["hash"].get<std::string>();
  EXPECT_EQ(Run({"audit", "verify", "--data-dir", data_, "--expect-head", anchor}).exit_code,
            0);
  // Cut off the last two records: the read of case 3 and the second accept.
  {
    auto store = OpenStore(data_);
    ASSERT_NE(store, nullptr);
    ASSERT_OK(store->Commit({Mutation::Delete(codec::AuditKey(6)),
                             Mutation::Delete(codec::AuditKey(5))}));
  }
  Result r = Run({"audit", "verify", "--data-dir", data_});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("1 of 3 have no audit record for their newest change"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(cases_[1]), std::string::npos) << r.out;
  r = Run({"audit", "verify", "--data-dir", data_, "--expect-head", anchor});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("is gone: records were removed from the end"), std::string::npos)
      << r.out;
}

TEST_F(AdminCliTest, LockedOrMissingDataDirIsRefused) {
  {
    auto held = OpenStore(data_);  // as a running shouhud would hold it
    ASSERT_NE(held, nullptr);
    Result r = Run({"audit", "verify", "--data-dir", data_});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("is shouhud running on it?"), std::string::npos) << r.err;
  }
  Result r = Run({"audit", "verify", "--data-dir", dir_ + "/nothing"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("is not a shouhu data directory"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_ + "/nothing")) << "verify must not create a store";
  EXPECT_EQ(Run({"audit", "verify"}).exit_code, 2);
  EXPECT_EQ(Run({"audit", "verify", "--data-dir", data_, "--bogus"}).exit_code, 2);
  EXPECT_EQ(Run({"audit", "verify", "--data-dir", data_, "--expect-head", "7:abc"}).exit_code,
            2);
  Result help = Run({"audit", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("stop shouhud first"), std::string::npos);
}

TEST_F(AdminCliTest, ShowListsRecordsOfOneCase) {
  Result r = Run({"audit", "show", "--data-dir", data_, "--case", cases_[0], "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json records = json::parse(r.out);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0]["action"], "open");
  EXPECT_EQ(records[0]["user"], "teacher-li");
  EXPECT_EQ(records[0]["origin"], "cli");
  EXPECT_EQ(records[0]["case_seq"], 1);
  EXPECT_EQ(records[1]["action"], "fire:accept");
  EXPECT_EQ(records[1]["unit"], "station-1");
  EXPECT_EQ(records[1]["origin"], "10.0.0.2:5000");
  EXPECT_EQ(records[1]["seq"], 4);

  Result table = Run({"audit", "show", "--data-dir", data_});
  EXPECT_EQ(table.exit_code, 0);
  EXPECT_NE(table.out.find("case.read"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("6 record(s)"), std::string::npos) << table.out;
}

TEST_F(AdminCliTest, BackupThenRestoreGivesTheSameCasesAndAVerifyingChain) {
  const std::string backup = dir_ + "/backups/monday";
  Result b = Run({"backup", "--data-dir", data_, "--to", backup});
  ASSERT_EQ(b.exit_code, 0) << b.out << b.err;
  EXPECT_NE(b.out.find("3 cases; audit chain of 6 records intact"), std::string::npos)
      << b.out;

  const std::string restored = dir_ + "/restored";
  Result r = Run({"restore", "--from", backup, "--data-dir", restored});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("restored 已恢复: 3 cases"), std::string::npos) << r.out;
  for (std::string_view prefix : {"c/", "h/", "a/", "t/"}) {
    EXPECT_EQ(DumpPrefix(restored, prefix), DumpPrefix(data_, prefix)) << prefix;
  }
  EXPECT_EQ(Run({"audit", "verify", "--data-dir", restored}).exit_code, 0);
  EXPECT_FALSE(fs::exists(restored + ".restoring"));
}

// A county moves to PostgreSQL and back: every record arrives (same count
// and digest), the audit chain verifies on both sides with the same head,
// and the directory that comes back is a store `audit verify` accepts. A
// target that holds records is refused and left as it was.
TEST_F(AdminCliTest, MigrateToPostgresAndBackKeepsEveryRecordAndTheChain) {
  testing::PgCluster pg;
  ASSERT_TRUE(pg.ok()) << pg.error();
  Result to = Run({"migrate", "--from", data_, "--to-postgres", pg.Dsn()});
  ASSERT_EQ(to.exit_code, 0) << to.out << to.err;
  EXPECT_NE(to.out.find("audit chain intact 完好, head seq 6"), std::string::npos) << to.out;
  {
    auto store = OpenPostgresStore(pg.Dsn());
    ASSERT_OK(store.status());
    auto chain = VerifyChain(**store, codec::kAuditPrefix);
    ASSERT_OK(chain.status());
    EXPECT_TRUE(chain->ok);
    EXPECT_EQ(chain->head_seq, 6u);
  }
  Result again = Run({"migrate", "--from", data_, "--to-postgres", pg.Dsn()});
  EXPECT_EQ(again.exit_code, 1) << again.out << again.err;
  EXPECT_NE(again.err.find("the target holds records already"), std::string::npos) << again.err;

  const std::string back = dir_ + "/back";
  Result from = Run({"migrate", "--from-postgres", pg.Dsn(), "--to", back});
  ASSERT_EQ(from.exit_code, 0) << from.out << from.err;
  EXPECT_NE(from.out.find("ok: "), std::string::npos) << from.out;
  EXPECT_EQ(DumpPrefix(back, ""), DumpPrefix(data_, ""));
  Result verify = Run({"audit", "verify", "--data-dir", back});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_EQ(Run({"migrate", "--from", data_}).exit_code, 2);
}

TEST_F(AdminCliTest, RestoreRefusesANonEmptyTargetUnlessForced) {
  const std::string backup = dir_ + "/backup";
  ASSERT_EQ(Run({"backup", "--data-dir", data_, "--to", backup}).exit_code, 0);
  const std::string target = dir_ + "/target";
  fs::create_directories(target);
  std::ofstream(target + "/keep.txt") << "mine";
  Result r = Run({"restore", "--from", backup, "--data-dir", target});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("is not empty"), std::string::npos) << r.err;
  EXPECT_TRUE(fs::exists(target + "/keep.txt"));

  r = Run({"restore", "--from", backup, "--data-dir", target, "--force"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_FALSE(fs::exists(target + "/keep.txt"));
  bool moved_aside = false;
  for (const auto& e : fs::directory_iterator(dir_)) {
    if (e.path().filename().string().starts_with("target.replaced-")) {
      moved_aside = fs::exists(e.path() / "keep.txt");
    }
  }
  EXPECT_TRUE(moved_aside) << "the old contents are kept aside";
  EXPECT_EQ(DumpPrefix(target, "c/"), DumpPrefix(data_, "c/"));
}

TEST_F(AdminCliTest, RestoreRefusesATamperedBackupAndChangesNothing) {
  const std::string backup = dir_ + "/backup";
  ASSERT_EQ(Run({"backup", "--data-dir", data_, "--to", backup}).exit_code, 0);
  {
    auto store = OpenStore(backup);
    ASSERT_NE(store, nullptr);
    ASSERT_OK(store->Commit({Mutation::Delete(codec::AuditKey(3))}));
  }
  const std::string target = dir_ + "/target";
  Result r = Run({"restore", "--from", backup, "--data-dir", target});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("audit chain BROKEN"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(target));
  EXPECT_FALSE(fs::exists(target + ".restoring"));
}

}  // namespace
}  // namespace shouhu
