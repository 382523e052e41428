// The email plugin's message format: headers, encodings, Message-ID.
#include "mime.h"

#include <gtest/gtest.h>

namespace shouhu::plugin {
namespace {

MailContent Sample() {
  MailContent m;
  m.from = {"守护平台", "noreply@shouhu.example.cn"};
  m.to = "caseworker@county.example.cn";
  m.subject = "案件逾期：请立即处置";
  m.body = "第一行\n第二行";
  m.idempotency_key = "case-42/timer-7/attempt";
  m.date = 1767225600;  // 2026-01-01T00:00:00Z
  return m;
}

// The value of header `name` in the header section of `mail`.
std::string Header(const std::string& mail, const std::string& name) {
  std::string head = "\r\n" + mail.substr(0, mail.find("\r\n\r\n") + 2);
  size_t pos = head.find("\r\n" + name + ": ");
  if (pos == std::string::npos) return "";
  size_t start = pos + name.size() + 4;
  return head.substr(start, head.find("\r\n", start) - start);
}

TEST(MimeTest, HeadersOfAPlainMessage) {
  std::string mail = BuildMail(Sample());
  EXPECT_EQ(Header(mail, "Date"), "Thu, 01 Jan 2026 00:00:00 +0000");
  EXPECT_EQ(Header(mail, "From"),
            "=?UTF-8?B?5a6I5oqk5bmz5Y+w?= <noreply@shouhu.example.cn>");
  EXPECT_EQ(Header(mail, "To"), "caseworker@county.example.cn");
  EXPECT_EQ(Header(mail, "Subject").rfind("=?UTF-8?B?", 0), 0u);
  EXPECT_EQ(Header(mail, "X-Shouhu-Idempotency-Key"),
            "case-42/timer-7/attempt");
  EXPECT_EQ(Header(mail, "MIME-Version"), "1.0");
  EXPECT_EQ(Header(mail, "Content-Type"), "text/plain; charset=UTF-8");
  EXPECT_EQ(Header(mail, "Content-Transfer-Encoding"), "base64");
  EXPECT_EQ(Header(mail, "Auto-Submitted"), "auto-generated");
  EXPECT_EQ(Header(mail, "Importance"), "");
}

TEST(MimeTest, BodyIsBase64OfCrlfText) {
  std::string mail = BuildMail(Sample());
  std::string body = mail.substr(mail.find("\r\n\r\n") + 4);
  // "第一行\r\n第二行" in base64.
  EXPECT_EQ(body, "56ys5LiA6KGMDQrnrKzkuozooYw=\r\n");
}

TEST(MimeTest, MessageIsSevenBitClean) {
  for (unsigned char c : BuildMail(Sample())) ASSERT_LT(c, 0x80);
}

TEST(MimeTest, MessageIdIsDerivedFromTheIdempotencyKey) {
  std::string id = MessageIdFor("case-42/timer-7/attempt", "shouhu.example.cn");
  EXPECT_EQ(id, MessageIdFor("case-42/timer-7/attempt", "shouhu.example.cn"));
  EXPECT_NE(id, MessageIdFor("case-42/timer-8/attempt", "shouhu.example.cn"));
  EXPECT_EQ(id.size(), 1 + 32 + 1 + 17 + 1u);
  EXPECT_EQ(Header(BuildMail(Sample()), "Message-ID"), id);
}

TEST(MimeTest, UrgentMessagesAreMarked) {
  MailContent m = Sample();
  m.urgent = true;
  std::string mail = BuildMail(m);
  EXPECT_EQ(Header(mail, "Importance"), "high");
  EXPECT_EQ(Header(mail, "X-Priority"), "1 (Highest)");
}

TEST(MimeTest, AsciiSenderNameWithSpecialsIsQuoted) {
  MailContent m = Sample();
  m.from = {"Shouhu, County Office", "noreply@shouhu.example.cn"};
  EXPECT_EQ(Header(BuildMail(m), "From"),
            "\"Shouhu, County Office\" <noreply@shouhu.example.cn>");
}

TEST(MailboxTest, ParsesBareAndNamedAddresses) {
  Mailbox m;
  ASSERT_TRUE(ParseMailbox("a@b.cn", &m));
  EXPECT_EQ(m.name, "");
  EXPECT_EQ(m.address, "a@b.cn");
  ASSERT_TRUE(ParseMailbox("守护 <noreply@b.cn>", &m));
  EXPECT_EQ(m.name, "守护");
  EXPECT_EQ(m.address, "noreply@b.cn");
  ASSERT_TRUE(ParseMailbox("\"Ops Team\" <ops@b.cn>", &m));
  EXPECT_EQ(m.name, "Ops Team");
  EXPECT_FALSE(ParseMailbox("守护 <noreply@b.cn", &m));
  EXPECT_FALSE(ParseMailbox("name\r\nBcc: x <a@b.cn>", &m));
}

TEST(MailboxTest, RejectsWhatIsNotOneAddress) {
  EXPECT_TRUE(IsMailAddress("worker.li+case@county.example.cn"));
  for (const char* bad :
       {"", "a", "@b.cn", "a@", "a@@b", "a b@c.cn", "a@b.cn,c@d.cn", "<a@b.cn>",
        "a@b..cn", "a@b.cn\r\n", "用户@b.cn"}) {
    EXPECT_FALSE(IsMailAddress(bad)) << bad;
  }
}

TEST(HeaderSafeTest, PrintableAsciiOnly) {
  EXPECT_TRUE(IsHeaderSafe("case-42/timer-7"));
  EXPECT_FALSE(IsHeaderSafe(""));
  EXPECT_FALSE(IsHeaderSafe("a b"));
  EXPECT_FALSE(IsHeaderSafe("a\r\nBcc: x"));
  EXPECT_FALSE(IsHeaderSafe(std::string(201, 'k')));
}

}  // namespace
}  // namespace shouhu::plugin
