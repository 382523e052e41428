// Changes of the organisation at run time: the checks of one change (every
// problem at once, by field), contacts, and the directory on a real RocksDB
// store: seeded once, changes written with their audit record, kept across a
// reopen, nothing written on a refused or failed change.
#include <gtest/gtest.h>

#include <filesystem>

#include "../../support/test_paths.h"
#include "runtime/codec.h"
#include "shouhu/audit.h"
#include "shouhu/org_directory.h"

namespace shouhu {
namespace {

const std::string kCounty = SourceTree("/deploy/county/organisation.json");

Organisation County() {
  auto org = Organisation::Load(kCounty);
  EXPECT_TRUE(org.ok()) << org.status().message();
  return std::move(*org);
}

const std::set<std::string> kRoles = {"reporter", "helper", "township_case_worker",
                                      "administrator"};

// The lines of a kInvalidArgument that name `field`.
std::vector<std::string> ProblemsOf(const Status& s, const std::string& field) {
  std::vector<std::string> out;
  std::string m = s.message();
  for (size_t start = 0; start < m.size();) {
    size_t end = m.find('\n', start);
    if (end == std::string::npos) end = m.size();
    std::string line = m.substr(start, end - start);
    if (line.rfind("field \"" + field + "\"", 0) == 0) out.push_back(line);
    start = end + 1;
  }
  return out;
}

TEST(ContactsTest, Phones) {
  for (const char* good : {"13800000021", "+86 138 0000 0021", "199-0000-0000", "+8615012345678"}) {
    EXPECT_EQ(PhoneProblem(good), "") << good;
  }
  EXPECT_EQ(NormalPhone("+86 138-0000-0021"), "13800000021");
  for (const char* bad : {"", "12800000021", "1380000002", "138000000211", "0755-12345678",
                          "+1 138 0000 0021", "1380000002x", "+86"}) {
    EXPECT_NE(PhoneProblem(bad), "") << bad;
  }
}

TEST(ContactsTest, EmailsAndAccountIds) {
  for (const char* good : {"u0007@qingshan.example.cn", "li.na+work@gov.cn"}) {
    EXPECT_EQ(EmailProblem(good), "") << good;
  }
  for (const char* bad : {"", "no-at.example.cn", "a@b", "a@@b.cn", "@b.cn", "a b@c.cn",
                          "a@.cn", "a@b..cn", "a@b.c"}) {
    EXPECT_NE(EmailProblem(bad), "") << bad;
  }
  EXPECT_EQ(AccountIdProblem("ZhangSan_01"), "");
  EXPECT_EQ(AccountIdProblem("manager@corp"), "");
  EXPECT_NE(AccountIdProblem(""), "");
  EXPECT_NE(AccountIdProblem("张三"), "");
  EXPECT_NE(AccountIdProblem(std::string(65, 'a')), "");
}

TEST(OrgChangeTest, NewUserNeedsEverythingAndGetsEveryProblemAtOnce) {
  Organisation org = County();
  UserChange c;
  c.create = true;
  c.id = "u9001";
  c.unit = "nowhere";
  c.roles = std::vector<std::string>{"reporter", "wizard", "system"};
  c.phone = "12345";
  c.email = "not-an-email";
  c.wecom = "张三";
  auto r = CheckUserChange(org, c, kRoles);
  ASSERT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ProblemsOf(r.status(), "name").size(), 1u);
  EXPECT_EQ(ProblemsOf(r.status(), "unit").size(), 1u);
  EXPECT_EQ(ProblemsOf(r.status(), "roles").size(), 2u);  // wizard and system
  EXPECT_EQ(ProblemsOf(r.status(), "phone").size(), 1u);
  EXPECT_EQ(ProblemsOf(r.status(), "email").size(), 1u);
  EXPECT_EQ(ProblemsOf(r.status(), "wecom").size(), 1u);
}

TEST(OrgChangeTest, GoodNewUserIsInTheDocumentWithItsPhoneNormalised) {
  Organisation org = County();
  UserChange c;
  c.create = true;
  c.id = "u9001";
  c.name = " 王老师 ";
  c.unit = "chengguan-primary";
  c.roles = std::vector<std::string>{"reporter"};
  c.phone = "+86 139 1234 5678";
  auto doc = CheckUserChange(org, c, kRoles);
  ASSERT_TRUE(doc.ok()) << doc.status().message();
  auto next = Organisation::Parse(*doc, "test");
  ASSERT_TRUE(next.ok());
  const User* u = next->FindUser("u9001");
  ASSERT_NE(u, nullptr);
  EXPECT_EQ(u->name, "王老师");
  EXPECT_EQ(u->phone, "13912345678");
  EXPECT_TRUE(u->active);
  EXPECT_EQ(next->FindUserByPhone("13912345678"), u);
  EXPECT_EQ(next->users().size(), org.users().size() + 1);
}

TEST(OrgChangeTest, TakenIdsPhonesAndUnknownIds) {
  Organisation org = County();
  UserChange c;
  c.create = true;
  c.id = "u0021";
  c.name = "x";
  c.unit = "chengguan";
  c.roles = std::vector<std::string>{"reporter"};
  EXPECT_EQ(CheckUserChange(org, c, kRoles).status().code(), StatusCode::kAlreadyExists);
  c.id = "u9002";
  c.phone = "138 0000 0021";  // u0021's: sign-in by phone needs one user
  EXPECT_EQ(ProblemsOf(CheckUserChange(org, c, kRoles).status(), "phone").size(), 1u);
  UserChange unknown;
  unknown.id = "u9999";
  unknown.active = false;
  EXPECT_EQ(CheckUserChange(org, unknown, kRoles).status().code(), StatusCode::kNotFound);
  UnitChange no_unit;
  no_unit.id = "atlantis";
  no_unit.type = "village";
  EXPECT_EQ(CheckUnitChange(org, no_unit).status().code(), StatusCode::kNotFound);
}

TEST(OrgChangeTest, MovingAUnitUnderItsOwnSubtreeIsACycle) {
  Organisation org = County();
  UnitChange c;
  c.id = "chengguan";
  c.parent = "chengguan-v02";  // a village of the township
  auto r = CheckUnitChange(org, c);
  ASSERT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("cycle"), std::string::npos);
  c.parent = "chengguan";  // itself
  EXPECT_EQ(ProblemsOf(CheckUnitChange(org, c).status(), "parent").size(), 1u);
  c.parent = "qingshi";  // another township: a move
  auto moved = CheckUnitChange(org, c);
  ASSERT_TRUE(moved.ok()) << moved.status().message();
  auto next = Organisation::Parse(*moved, "test");
  ASSERT_TRUE(next.ok());
  EXPECT_TRUE(next->InSubtree("chengguan-primary", "qingshi"));
  EXPECT_EQ(next->FindUnit("chengguan-primary")->depth, 3);
}

TEST(OrgChangeTest, NewUnitProblemsAllAtOnce) {
  Organisation org = County();
  UnitChange c;
  c.create = true;
  c.id = "bad id!";
  c.parent = "nowhere";
  c.serves = std::vector<std::string>{"also-nowhere"};
  auto r = CheckUnitChange(org, c);
  ASSERT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  for (const char* field : {"id", "name", "type", "parent", "serves"}) {
    EXPECT_EQ(ProblemsOf(r.status(), field).size(), 1u) << field << "\n" << r.status().message();
  }
}

TEST(OrgChangeTest, AUnitWithActiveUsersUnitsOrOpenCasesIsNotDeactivated) {
  Organisation org = County();
  UnitChange c;
  c.id = "chengguan";
  c.active = false;
  auto r = CheckUnitChange(org, c, 3);
  ASSERT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  // users, units below, open cases: three problems of "active"
  EXPECT_EQ(ProblemsOf(r.status(), "active").size(), 3u) << r.status().message();
  // An empty new unit can go.
  UnitChange add;
  add.create = true;
  add.id = "chengguan-v99";
  add.name = Label{"九十九村", "Village 99"};
  add.type = "village";
  add.parent = "chengguan";
  auto added = CheckUnitChange(org, add);
  ASSERT_TRUE(added.ok()) << added.status().message();
  auto next = Organisation::Parse(*added, "test");
  ASSERT_TRUE(next.ok());
  UnitChange off;
  off.id = "chengguan-v99";
  off.active = false;
  auto gone = CheckUnitChange(*next, off);
  ASSERT_TRUE(gone.ok()) << gone.status().message();
  auto after = Organisation::Parse(*gone, "test");
  ASSERT_TRUE(after.ok());
  EXPECT_FALSE(after->FindUnit("chengguan-v99")->active);
  // Nobody is placed in a deactivated unit.
  UserChange u;
  u.create = true;
  u.id = "u9003";
  u.name = "x";
  u.unit = "chengguan-v99";
  u.roles = std::vector<std::string>{"reporter"};
  EXPECT_EQ(ProblemsOf(CheckUserChange(*after, u, kRoles).status(), "unit").size(), 1u);
}

TEST(OrgChangeTest, DeactivatedUsersAreNeitherNotifiedNorFoundByPhone) {
  Organisation org = County();
  UserChange off;
  off.id = "u0011";  // chengguan's township case worker
  off.active = false;
  auto doc = CheckUserChange(org, off, kRoles);
  ASSERT_TRUE(doc.ok());
  auto next = Organisation::Parse(*doc, "test");
  ASSERT_TRUE(next.ok());
  EXPECT_FALSE(next->FindUser("u0011")->active);
  EXPECT_EQ(next->FindUserByPhone("13800000011"), nullptr);
  for (const User* u : next->Resolve("chengguan", "township_case_worker", 0)) {
    EXPECT_NE(u->id, "u0011");
  }
  // The document round-trips: ToJson then Parse gives the same organisation.
  auto again = Organisation::Parse(next->ToJson(), "again");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->ToJson(), next->ToJson());
}

class OrgDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/shouhu-org-XXXXXX";
    dir_ = mkdtemp(tmpl);
    Reopen();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Reopen() {
    store_.reset();
    auto rocks = OpenRocksStore(dir_ + "/data");
    ASSERT_TRUE(rocks.ok()) << rocks.status().ToString();
    store_ = std::make_unique<FaultInjectingStore>(std::move(*rocks));
  }
  std::unique_ptr<OrganisationDirectory> Open(const Organisation& seed) {
    auto d = OrganisationDirectory::Open(*store_, clock_, seed, {kRoles, "organisation.json"});
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    return d.ok() ? std::move(*d) : nullptr;
  }
  std::vector<std::string> AuditActions() {
    std::vector<std::string> out;
    auto log = ReadAuditLog(*store_, "");
    EXPECT_TRUE(log.ok());
    for (const AuditRecord& a : *log) out.push_back(a.user + " " + a.action);
    return out;
  }

  std::string dir_;
  FakeClock clock_{Instant(std::chrono::milliseconds(1'772'413'200'000))};
  std::unique_ptr<FaultInjectingStore> store_;
  Actor admin_{"u0007", "qingshan", {"administrator"}, "127.0.0.1:1"};
};

TEST_F(OrgDirectoryTest, SeededOnceThenTheStoreWins) {
  auto d = Open(County());
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->seeded());
  EXPECT_EQ(d->version(), 1u);
  UserChange add;
  add.create = true;
  add.id = "u9001";
  add.name = "王老师";
  add.unit = "chengguan-primary";
  add.roles = std::vector<std::string>{"reporter"};
  auto snapshot_before = d->Current();
  auto done = d->ChangeUser(admin_, add);
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(done->version, 2u);
  EXPECT_EQ(done->action, "org.user.add:u9001");
  // A reader's snapshot never changes under it; the next reader sees the user.
  EXPECT_EQ(snapshot_before->FindUser("u9001"), nullptr);
  EXPECT_NE(d->Current()->FindUser("u9001"), nullptr);
  EXPECT_EQ(AuditActions(), (std::vector<std::string>{"system org.seed", "u0007 org.user.add:u9001"}));

  // Restarted with a seed that lacks the user: the store keeps it.
  d.reset();
  Reopen();
  d = Open(County());
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->seeded());
  EXPECT_EQ(d->version(), 2u);
  const User* u = d->Current()->FindUser("u9001");
  ASSERT_NE(u, nullptr);
  EXPECT_EQ(u->unit, "chengguan-primary");
  // In the order of the file, the new user last.
  EXPECT_EQ(d->Current()->users().front().id, County().users().front().id);
  EXPECT_EQ(d->Current()->users().back().id, "u9001");
  EXPECT_EQ(AuditActions().size(), 2u);  // no second seed
}

TEST_F(OrgDirectoryTest, RefusedAndFailedChangesWriteNothing) {
  auto d = Open(County());
  ASSERT_TRUE(d);
  uint64_t commits = store_->commit_calls();
  UnitChange cycle;
  cycle.id = "chengguan";
  cycle.parent = "chengguan-v02";
  EXPECT_EQ(d->ChangeUnit(admin_, cycle).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->commit_calls(), commits);

  UnitChange move;
  move.id = "chengguan-v02";
  move.parent = "qingshi";
  store_->FailNextCommits(1);
  EXPECT_EQ(d->ChangeUnit(admin_, move).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(d->Current()->FindUnit("chengguan-v02")->parent, "chengguan");
  EXPECT_EQ(d->version(), 1u);
  auto moved = d->ChangeUnit(admin_, move);
  ASSERT_TRUE(moved.ok()) << moved.status().ToString();
  EXPECT_EQ(moved->action, "org.unit.move:chengguan-v02");
  EXPECT_EQ(d->version(), 2u);
  EXPECT_EQ(AuditActions().back(), "u0007 org.unit.move:chengguan-v02");
}

TEST(OrgDirectoryFixedTest, AFixedDirectoryRefusesChanges) {
  OrganisationDirectory d(County());
  UserChange off;
  off.id = "u0021";
  off.active = false;
  EXPECT_EQ(d.ChangeUser({"u0007", "qingshan", {}, ""}, off).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_TRUE(d.Current()->FindUser("u0021")->active);
}

}  // namespace
}  // namespace shouhu
