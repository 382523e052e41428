// The email plugin against a real SMTP server (aiosmtpd) on loopback.
#include <gtest/gtest.h>

#include "peer.h"
#include "shouhu/notifier.h"
#include "../../support/test_paths.h"

namespace shouhu {
namespace {

using nlohmann::json;
using testing::Peer;

const std::string kPlugins = BuildTree("/plugins");

std::unique_ptr<Notifier> Email(const Peer& peer,
                                const std::string& extra = "") {
  std::string config =
      R"({"url": ")" + peer.url("smtp") +
      R"(", "starttls": "none", "from": "守护平台 <noreply@shouhu.example.cn>",
                          "timeout_ms": 10000)" +
      extra + "}";
  auto n = LoadNotifier(kPlugins, "email", config);
  EXPECT_TRUE(n.ok()) << n.status().ToString();
  return n.ok() ? std::move(*n) : nullptr;
}

NotifierMessage Escalation(
    const std::string& to = "caseworker@county.example.cn") {
  NotifierMessage m;
  m.idempotency_key = "case-42/timer-assess/1";
  m.recipient = to;
  m.subject = "【紧急】留守儿童强制报告逾期：案件 42 尚未完成调查评估";
  m.body = "您好：\n案件 42 的调查评估已逾期 2 个工作日，请立即处置。\n—— 守护";
  m.urgent = true;
  return m;
}

TEST(EmailPluginTest, DeliversAnRfc5322MessageWithChineseSubjectAndBody) {
  Peer peer("smtp_peer.py", {});
  ASSERT_TRUE(peer.started()) << peer.output();
  auto email = Email(peer);
  ASSERT_TRUE(email);
  SendResult r = email->Send(Escalation());
  ASSERT_EQ(r.code, SendResult::Code::kOk) << r.message;

  json e = peer.NextEvent();
  ASSERT_TRUE(e.is_object()) << peer.output();
  EXPECT_EQ(e["mail_from"], "noreply@shouhu.example.cn");
  EXPECT_EQ(e["rcpt_tos"], json::array({"caseworker@county.example.cn"}));
  // Decoded by Python's email package, not by us.
  EXPECT_EQ(e["subject"],
            "【紧急】留守儿童强制报告逾期：案件 42 尚未完成调查评估");
  EXPECT_EQ(
      e["body"],
      "您好：\n案件 42 的调查评估已逾期 2 个工作日，请立即处置。\n—— 守护");
  EXPECT_EQ(e["from_decoded"], "守护平台 <noreply@shouhu.example.cn>");
  EXPECT_TRUE(e["seven_bit"].get<bool>());
  const json& h = e["headers"];
  EXPECT_EQ(h["Subject"].get<std::string>().rfind("=?UTF-8?B?", 0), 0u)
      << h["Subject"];
  EXPECT_EQ(h["To"], "caseworker@county.example.cn");
  EXPECT_EQ(h["Content-Type"], "text/plain; charset=UTF-8");
  EXPECT_EQ(h["Content-Transfer-Encoding"], "base64");
  EXPECT_EQ(h["MIME-Version"], "1.0");
  EXPECT_EQ(h["X-Shouhu-Idempotency-Key"], "case-42/timer-assess/1");
  EXPECT_EQ(h["Importance"], "high");
  EXPECT_TRUE(h.contains("Date"));
  std::string id = h["Message-ID"];
  EXPECT_EQ(id.front(), '<');
  EXPECT_NE(id.find("@shouhu.example.cn>"), std::string::npos) << id;
}

TEST(EmailPluginTest, EveryAttemptOfOneNotificationHasTheSameMessageId) {
  Peer peer("smtp_peer.py", {});
  ASSERT_TRUE(peer.started()) << peer.output();
  auto email = Email(peer);
  ASSERT_TRUE(email);
  NotifierMessage m = Escalation();
  ASSERT_TRUE(email->Send(m).ok());
  ASSERT_TRUE(email->Send(m).ok());
  m.idempotency_key = "case-43/timer-assess/1";
  ASSERT_TRUE(email->Send(m).ok());
  std::string first = peer.NextEvent()["headers"]["Message-ID"];
  std::string again = peer.NextEvent()["headers"]["Message-ID"];
  std::string other = peer.NextEvent()["headers"]["Message-ID"];
  EXPECT_EQ(first, again);
  EXPECT_NE(first, other);
}

TEST(EmailPluginTest, UnknownRecipient550IsPermanent) {
  Peer peer("smtp_peer.py", {"--reject", "nobody@county.example.cn=550"});
  ASSERT_TRUE(peer.started()) << peer.output();
  auto email = Email(peer);
  ASSERT_TRUE(email);
  SendResult r = email->Send(Escalation("nobody@county.example.cn"));
  EXPECT_EQ(r.code, SendResult::Code::kPermanent) << r.message;
  EXPECT_NE(r.message.find("550"), std::string::npos) << r.message;
}

TEST(EmailPluginTest, MailboxFull452IsRetry) {
  Peer peer("smtp_peer.py", {"--reject", "full@county.example.cn=452"});
  ASSERT_TRUE(peer.started()) << peer.output();
  auto email = Email(peer);
  ASSERT_TRUE(email);
  SendResult r = email->Send(Escalation("full@county.example.cn"));
  EXPECT_EQ(r.code, SendResult::Code::kRetry) << r.message;
  EXPECT_NE(r.message.find("452"), std::string::npos) << r.message;
}

TEST(EmailPluginTest, ServerFailingTheNthMessageWith451IsRetryThenRecovers) {
  Peer peer("smtp_peer.py", {"--fail-nth", "2", "--fail-code", "451"});
  ASSERT_TRUE(peer.started()) << peer.output();
  auto email = Email(peer);
  ASSERT_TRUE(email);
  EXPECT_EQ(email->Send(Escalation()).code, SendResult::Code::kOk);
  SendResult second = email->Send(Escalation());
  EXPECT_EQ(second.code, SendResult::Code::kRetry) << second.message;
  EXPECT_NE(second.message.find("451"), std::string::npos) << second.message;
  EXPECT_EQ(email->Send(Escalation()).code, SendResult::Code::kOk);
  EXPECT_EQ(peer.NextEvent()["reply"], "250");
  EXPECT_EQ(peer.NextEvent()["reply"], "451");
  EXPECT_EQ(peer.NextEvent()["reply"], "250");
}

TEST(EmailPluginTest, Rejected554AfterDataIsPermanent) {
  Peer peer("smtp_peer.py", {"--fail-nth", "1", "--fail-code", "554"});
  ASSERT_TRUE(peer.started()) << peer.output();
  auto email = Email(peer);
  ASSERT_TRUE(email);
  EXPECT_EQ(email->Send(Escalation()).code, SendResult::Code::kPermanent);
}

TEST(EmailPluginTest, AuthenticatesWithUsernameAndPassword) {
  Peer peer("smtp_peer.py", {"--auth", "shouhu:s3cret"});
  ASSERT_TRUE(peer.started()) << peer.output();
  auto good = Email(peer, R"(, "username": "shouhu", "password": "s3cret")");
  ASSERT_TRUE(good);
  SendResult r = good->Send(Escalation());
  EXPECT_EQ(r.code, SendResult::Code::kOk) << r.message;
  EXPECT_EQ(peer.NextEvent()["rcpt_tos"][0], "caseworker@county.example.cn");

  auto bad = Email(peer, R"(, "username": "shouhu", "password": "wrong")");
  ASSERT_TRUE(bad);
  r = bad->Send(Escalation());
  EXPECT_EQ(r.code, SendResult::Code::kPermanent) << r.message;
  EXPECT_NE(r.message.find("535"), std::string::npos) << r.message;
}

TEST(EmailPluginTest, RequiredStarttlsRefusesAServerWithoutIt) {
  Peer peer("smtp_peer.py", {});
  ASSERT_TRUE(peer.started()) << peer.output();
  auto n = LoadNotifier(kPlugins, "email",
                        R"({"url": ")" + peer.url("smtp") +
                            R"(", "from": "a@shouhu.example.cn"})");
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  SendResult r = (*n)->Send(Escalation());
  EXPECT_EQ(r.code, SendResult::Code::kRetry) << r.message;
  // Nothing went over the clear-text connection.
  peer.Stop();
  EXPECT_EQ(peer.output().find("EVENT"), std::string::npos) << peer.output();
}

TEST(EmailPluginTest, ServerDownIsRetry) {
  Peer peer("smtp_peer.py", {});
  ASSERT_TRUE(peer.started()) << peer.output();
  auto email = Email(peer);
  ASSERT_TRUE(email);
  peer.Stop();
  SendResult r = email->Send(Escalation());
  EXPECT_EQ(r.code, SendResult::Code::kRetry) << r.message;
}

TEST(EmailPluginTest,
     MessagesThePluginCannotSendArePermanentWithoutConnecting) {
  Peer peer("smtp_peer.py", {});
  ASSERT_TRUE(peer.started()) << peer.output();
  auto email = Email(peer);
  ASSERT_TRUE(email);
  EXPECT_EQ(email->Send(Escalation("not-an-address")).code,
            SendResult::Code::kPermanent);
  EXPECT_EQ(email->Send(Escalation("a@b.cn>\r\nRCPT TO:<x@evil.example")).code,
            SendResult::Code::kPermanent);
  NotifierMessage m = Escalation();
  m.idempotency_key = "key\r\nBcc: x@evil.example";
  EXPECT_EQ(email->Send(m).code, SendResult::Code::kPermanent);
  peer.Stop();
  EXPECT_EQ(peer.output().find("EVENT"), std::string::npos) << peer.output();
}

}  // namespace
}  // namespace shouhu
