// The credentials file: invitations are one-time and expire, passwords are
// checked against Argon2id hashes, and nothing secret is stored in clear.
#include "auth/credential_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace shouhu {
namespace {

const Instant kNow{std::chrono::milliseconds(1'772'000'000'000)};

class CredentialStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/shouhu-cred-XXXXXX";
    dir_ = mkdtemp(tmpl);
    path_ = dir_ + "/data/credentials.json";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string FileText() {
    std::ifstream in(path_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  std::string dir_, path_;
};

TEST_F(CredentialStoreTest, InvitationSetsAPasswordOnceAndOnlyItsHashIsStored) {
  CredentialStore store(path_);
  auto invited = store.Invite("u0021", std::chrono::hours(72), "u0007", kNow);
  ASSERT_TRUE(invited.ok()) << invited.status().ToString();
  EXPECT_EQ(invited->code.size(), 19u) << invited->code;  // XXXX-XXXX-XXXX-XXXX
  EXPECT_FALSE(store.HasPassword("u0021"));

  const std::string password = "长城长城-correct horse";
  auto user = store.Accept(invited->code, password, kNow + std::chrono::hours(1));
  ASSERT_TRUE(user.ok()) << user.status().ToString();
  EXPECT_EQ(*user, "u0021");
  EXPECT_TRUE(store.VerifyPassword("u0021", password));
  EXPECT_FALSE(store.VerifyPassword("u0021", password + "x"));
  EXPECT_FALSE(store.VerifyPassword("u0008", password));

  std::string text = FileText();
  EXPECT_EQ(text.find(password), std::string::npos);
  EXPECT_EQ(text.find(invited->code), std::string::npos);
  std::string bare = invited->code;
  std::erase(bare, '-');
  EXPECT_EQ(text.find(bare), std::string::npos);
  EXPECT_NE(text.find("$argon2id$"), std::string::npos);

  // Used: the same code works no more.
  auto again = store.Accept(invited->code, "another password 12", kNow + std::chrono::hours(2));
  EXPECT_EQ(again.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(store.VerifyPassword("u0021", password));
}

TEST_F(CredentialStoreTest, ExpiredInvitationIsRefusedAndSetsNothing) {
  CredentialStore store(path_);
  auto invited = store.Invite("u0021", std::chrono::hours(1), "cli", kNow);
  ASSERT_TRUE(invited.ok());
  auto late = store.Accept(invited->code, "a long enough password", kNow + std::chrono::hours(1));
  EXPECT_EQ(late.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_FALSE(store.HasPassword("u0021"));
}

TEST_F(CredentialStoreTest, ShortPasswordKeepsTheCodeUsable) {
  CredentialStore store(path_);
  auto invited = store.Invite("u0021", std::chrono::hours(1), "cli", kNow);
  ASSERT_TRUE(invited.ok());
  // Nine characters (three of them Chinese, nine bytes) are too few.
  EXPECT_EQ(store.Accept(invited->code, "守护者abcdef", kNow).status().code(),
            StatusCode::kInvalidArgument);
  // Typed in lower case without dashes, the code still works.
  std::string typed = invited->code;
  std::erase(typed, '-');
  for (char& c : typed) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_TRUE(store.Accept(typed, "守护者abcdefg", kNow).ok());
}

TEST_F(CredentialStoreTest, ANewInvitationVoidsTheEarlierOne) {
  CredentialStore store(path_);
  auto first = store.Invite("u0021", std::chrono::hours(1), "cli", kNow);
  auto second = store.Invite("u0021", std::chrono::hours(1), "cli", kNow);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(store.Accept(first->code, "a long enough password", kNow).status().code(),
            StatusCode::kNotFound);
  EXPECT_TRUE(store.Accept(second->code, "a long enough password", kNow).ok());
}

TEST_F(CredentialStoreTest, AnotherProcessSeesTheChange) {
  // Two stores on one file stand for the CLI and the daemon.
  CredentialStore cli(path_), daemon(path_);
  EXPECT_FALSE(daemon.HasPassword("u0007"));  // loads the (absent) file
  auto invited = cli.Invite("u0007", std::chrono::hours(1), "cli", kNow);
  ASSERT_TRUE(invited.ok());
  ASSERT_TRUE(daemon.Accept(invited->code, "first administrator", kNow).ok());
  EXPECT_TRUE(cli.VerifyPassword("u0007", "first administrator"));
  auto list = cli.Invitations();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_TRUE((*list)[0].used_at.has_value());
}

TEST_F(CredentialStoreTest, UnknownCodeIsNotFound) {
  CredentialStore store(path_);
  EXPECT_EQ(store.Accept("AAAA-BBBB-CCCC-DDDD", "a long enough password", kNow).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(store.Accept("short", "a long enough password", kNow).status().code(),
            StatusCode::kNotFound);
}

}  // namespace
}  // namespace shouhu
