// The WeCom (企业微信) application-message plugin against a loopback WeCom
// API (wecom_peer.py): one access token for many sends, a stale token renewed
// and the send tried once more, and WeCom's error codes mapped to OK / RETRY /
// PERMANENT.
#include <gtest/gtest.h>

#include "peer.h"
#include "shouhu/notifier.h"
#include "../../support/test_paths.h"

namespace shouhu {
namespace {

using nlohmann::json;
using testing::Peer;

const std::string kPlugins = BuildTree("/plugins");

std::unique_ptr<Notifier> WeCom(const Peer& peer, const std::string& secret = "secret") {
  std::string url = peer.url("http", "");
  while (!url.empty() && url.back() == '/') url.pop_back();
  auto n = LoadNotifier(kPlugins, "wecom",
                        R"({"url": ")" + url + R"(", "corp_id": "ww-test", "corp_secret": ")" +
                            secret + R"(", "agent_id": 1000002})");
  EXPECT_TRUE(n.ok()) << n.status().ToString();
  return n.ok() ? std::move(*n) : nullptr;
}

NotifierMessage ToSupervisor(const std::string& user = "LiuWei") {
  NotifierMessage m;
  m.idempotency_key = "case-7/12/1/u0010/wecom";
  m.recipient = user;
  m.subject = "出警处置超时 / Emergency response overdue";
  m.body = "案件 7 出警处置已超时，请督办。";
  return m;
}

TEST(WeComPluginTest, OneTokenServesManySendsToOnePersonEach) {
  Peer peer("wecom_peer.py", {"--users", "LiuWei,ZhangMin"});
  ASSERT_TRUE(peer.started()) << peer.output();
  auto wecom = WeCom(peer);
  ASSERT_TRUE(wecom);
  for (std::string user : {"LiuWei", "ZhangMin"}) {
    SendResult r = wecom->Send(ToSupervisor(user));
    ASSERT_EQ(r.code, SendResult::Code::kOk) << r.message;
  }
  json token = peer.NextEvent();
  EXPECT_EQ(token["path"], "/cgi-bin/gettoken");
  EXPECT_EQ(token["query"]["corpid"], "ww-test");
  for (std::string user : {"LiuWei", "ZhangMin"}) {
    json send = peer.NextEvent();
    EXPECT_EQ(send["path"], "/cgi-bin/message/send");
    EXPECT_EQ(send["query"]["access_token"], "token-1") << "the token is fetched once";
    json body = json::parse(send["body"].get<std::string>());
    EXPECT_EQ(body["touser"], user);
    EXPECT_EQ(body["msgtype"], "text");
    EXPECT_EQ(body["agentid"], 1000002);
    EXPECT_EQ(body["text"]["content"],
              "出警处置超时 / Emergency response overdue\n案件 7 出警处置已超时，请督办。");
  }
}

TEST(WeComPluginTest, AnExpiredTokenIsRenewedAndTheSendTriedOnceMore) {
  Peer peer("wecom_peer.py", {"--expire-after", "1"});
  ASSERT_TRUE(peer.started()) << peer.output();
  auto wecom = WeCom(peer);
  ASSERT_TRUE(wecom);
  ASSERT_EQ(wecom->Send(ToSupervisor()).code, SendResult::Code::kOk);
  SendResult second = wecom->Send(ToSupervisor());
  ASSERT_EQ(second.code, SendResult::Code::kOk) << second.message;
  std::vector<std::string> seen;
  for (int i = 0; i < 5; ++i) {
    json e = peer.NextEvent();
    std::string what = e["path"];
    if (what == "/cgi-bin/message/send") {
      what += " " + std::to_string(e["answer"]["errcode"].get<int>());
    }
    seen.push_back(what);
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"/cgi-bin/gettoken", "/cgi-bin/message/send 0",
                                            "/cgi-bin/message/send 42001", "/cgi-bin/gettoken",
                                            "/cgi-bin/message/send 0"}));
}

TEST(WeComPluginTest, WeComErrorsMapToRetryOrPermanent) {
  {
    Peer busy("wecom_peer.py", {"--send-errcode", "45009"});  // frequency limit
    ASSERT_TRUE(busy.started());
    EXPECT_EQ(WeCom(busy)->Send(ToSupervisor()).code, SendResult::Code::kRetry);
  }
  {
    Peer unknown("wecom_peer.py", {"--users", "ZhangMin"});
    ASSERT_TRUE(unknown.started());
    SendResult r = WeCom(unknown)->Send(ToSupervisor("NoSuchUser"));
    EXPECT_EQ(r.code, SendResult::Code::kPermanent);
    EXPECT_NE(r.message.find("81013"), std::string::npos) << r.message;
  }
  {
    Peer refusing("wecom_peer.py", {});
    ASSERT_TRUE(refusing.started());
    SendResult r = WeCom(refusing, "a-wrong-secret")->Send(ToSupervisor());
    EXPECT_EQ(r.code, SendResult::Code::kPermanent);
    EXPECT_NE(r.message.find("40001"), std::string::npos) << r.message;
  }
  {
    Peer down("wecom_peer.py", {});
    ASSERT_TRUE(down.started());
    auto wecom = WeCom(down);
    down.Stop();
    EXPECT_EQ(wecom->Send(ToSupervisor()).code, SendResult::Code::kRetry);
  }
}

}  // namespace
}  // namespace shouhu
