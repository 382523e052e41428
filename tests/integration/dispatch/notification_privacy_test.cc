// Notification contexts redacted per recipient (issue 12, item 2), on the
// real shouhud with the sample county's organisation and access rules
// (deploy/county/access.json): a report whose fields of every sensitivity
// hold unique markers notifies people of different roles by email (a real
// SMTP peer on loopback), SMS and a group-chat webhook (a real HTTP peer);
// each message actually received carries exactly the markers a FIXED table
// here says its reader may read (written out by hand, not derived from the
// rules), the others masked, and no log line carries a marker.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "../api/api_daemon.h"
#include "../plugins/peer.h"
#include "../../support/test_paths.h"

namespace shouhu {
namespace {

using nlohmann::json;
using testing::ApiDaemon;
using testing::Peer;

// The field each marker is planted in, and its sensitivity in
// tests/fixtures/dispatch/privacy/privacy_notice.json.
constexpr const char* kPublic = "MKP公开甲";       // public
constexpr const char* kPersonal = "MKQ个人乙";     // personal
constexpr const char* kSensitive = "MKS敏感丙";    // sensitive
constexpr const char* kFeedback = "MKF反馈丁";     // sensitive, to_reporter
const std::vector<std::string> kAll = {kPublic, kPersonal, kSensitive, kFeedback};

// Who reads which markers, by hand from the sample county's rules:
// case.read sees public and personal, case.work sensitive; the reporter
// (report.own_progress, their own report) only what the workflow addresses
// to the reporter; a role without case.read nothing; a webhook posts to a
// group chat: public only, whoever it is addressed to.
struct Sight {
  const char* user;
  const char* channel;
  std::set<std::string> markers;
};
// clang-format off
const Sight kSights[] = {
    {"u0021", "email", {kFeedback}},                                   // the reporting teacher
    {"u0021", "sms", {kFeedback}},
    {"u0008", "email", {kPublic, kPersonal, kSensitive, kFeedback}},   // police officer
    {"u0008", "sms", {kPublic, kPersonal, kSensitive, kFeedback}},
    {"u0009", "email", {kPublic, kPersonal, kSensitive, kFeedback}},   // police officer
    {"u0009", "sms", {kPublic, kPersonal, kSensitive, kFeedback}},
    {"u0005", "email", {kPublic, kPersonal}},                          // education bureau
    {"u0005", "sms", {kPublic, kPersonal}},
    {"u0022", "email", {}},                                            // helper (support teacher)
    {"u0022", "sms", {}},
    {"u0023", "email", {}},                                            // headmaster (report.file only)
    {"u0023", "sms", {}},
    {"u0001", "email", {kPublic, kPersonal, kSensitive, kFeedback}},   // county supervisor
    {"u0001", "sms", {kPublic, kPersonal, kSensitive, kFeedback}},
    {"u0001", "webhook", {kPublic}},                                   // their group-chat robot
    {"u0002", "email", {kPublic, kPersonal, kSensitive, kFeedback}},   // county supervisor
    {"u0002", "sms", {kPublic, kPersonal, kSensitive, kFeedback}},
};
// clang-format on

class NotificationPrivacyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/shouhu-privacy-XXXXXX";
    dir_ = mkdtemp(tmpl);
    // The sample county, with a group-chat robot for one county supervisor.
    std::ifstream in(SourceTree("/deploy/county/organisation.json"));
    json org = json::parse(in);
    int robots = 0;
    for (json& u : org["users"]) {
      if (u["id"] == "u0001") u["webhook"] = "robot-county-group", ++robots;
    }
    ASSERT_EQ(robots, 1);
    std::ofstream(dir_ + "/organisation.json") << org.dump(1);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // The daemon's configuration: the test workflow, the county and its rules,
  // and the three channels on the real plugins against the peers.
  json Extra(const Peer& smtp, const Peer& http) const {
    return {{"workflows", {SourceTree("/tests/fixtures/dispatch/privacy")}},
            {"organisation", dir_ + "/organisation.json"},
            {"access", SourceTree("/deploy/county/access.json")},
            {"notifiers",
             {{"plugin_dir", BuildTree("/plugins")},
              {"channels",
               {{"email",
                 {{"plugin", "email"},
                  {"config",
                   {{"url", smtp.url("smtp")}, {"starttls", "none"}, {"from", "shouhu@qingshan.example.cn"}}}}},
                {"sms", {{"plugin", "sms"}, {"config", {{"url", http.url("http", "/sms")}}}}},
                {"webhook",
                 {{"plugin", "webhook"},
                  {"config", {{"format", "shouhu"}, {"url", http.url("http", "/hooks/{{recipient}}")}}}}}}}}}};
  }

  std::string dir_;
};

// The user a received message went to: by email address, phone or robot.
std::string UserOf(const std::string& address) {
  if (address == "robot-county-group") return "u0001";
  auto at = address.find('@');
  if (at != std::string::npos) return address.substr(0, at);
  // 138000000NN / +86138000000NN -> u00NN
  return "u" + address.substr(address.size() - 4);
}

TEST_F(NotificationPrivacyTest, EachRecipientReadsOnlyWhatTheRulesLetThemSee) {
  Peer smtp("smtp_peer.py", {});
  ASSERT_TRUE(smtp.started()) << smtp.output();
  Peer http("http_peer.py", {});
  ASSERT_TRUE(http.started()) << http.output();
  ApiDaemon daemon(json{{"rate_per_second", 0}}, Extra(smtp, http));
  daemon.Start();

  auto teacher = daemon.ClientFor("u0021");
  json report = {{"workflow", "privacy_notice"},
                 {"data",
                  {{"public_note", kPublic},
                   {"personal_note", kPersonal},
                   {"sensitive_note", kSensitive},
                   {"feedback_note", kFeedback}}}};
  auto opened = teacher->Send("POST", "/api/v1/cases", report.dump());
  ASSERT_EQ(opened.status, 201) << opened.body;
  const std::string id = json::parse(opened.body)["case_id"];

  // What each (user, channel) received: subject and body, or the SMS
  // provider's parameters.
  std::map<std::pair<std::string, std::string>, std::string> received;
  const size_t expected = std::size(kSights);
  for (size_t emails = 0; emails < 8; ++emails) {
    json e = smtp.NextEvent();
    ASSERT_TRUE(e.is_object()) << smtp.output() << daemon.output();
    ASSERT_EQ(e["rcpt_tos"].size(), 1u) << e.dump();
    received[{UserOf(e["rcpt_tos"][0]), "email"}] =
        e["subject"].get<std::string>() + "\n" + e["body"].get<std::string>();
  }
  for (size_t posts = 0; posts < expected - 8; ++posts) {
    json e = http.NextEvent();
    ASSERT_TRUE(e.is_object()) << http.output() << daemon.output();
    json body = json::parse(e["body"].get<std::string>());
    if (e["path"] == "/sms") {
      received[{UserOf(body["phone"]), "sms"}] = body["params"].dump();
    } else {
      received[{UserOf(body["recipient"]), "webhook"}] =
          body["subject"].get<std::string>() + "\n" + body["body"].get<std::string>();
    }
  }
  ASSERT_EQ(received.size(), expected) << "one message per reader and channel";
  ASSERT_EQ(daemon.Stop(), 0);

  for (const Sight& s : kSights) {
    auto it = received.find(std::pair<std::string, std::string>(s.user, s.channel));
    ASSERT_NE(it, received.end()) << s.user << " got nothing by " << s.channel;
    const std::string& text = it->second;
    EXPECT_NE(text.find(id), std::string::npos) << s.user << " " << s.channel << ": " << text;
    for (const std::string& m : kAll) {
      EXPECT_EQ(text.find(m) != std::string::npos, s.markers.count(m) == 1)
          << s.user << " by " << s.channel << " and " << m << ":\n" << text;
    }
    // What is withheld is said to be, not left out silently.
    EXPECT_EQ(text.find("（已隐去）") != std::string::npos, s.markers.size() < kAll.size())
        << s.user << " by " << s.channel << ":\n" << text;
  }
  // The unit (a public part of the case) reaches the full view only.
  const std::string school = "城关镇中心小学";
  EXPECT_NE(received[std::pair("u0005", "email")].find(school), std::string::npos);
  EXPECT_EQ(received[std::pair("u0021", "email")].find(school), std::string::npos);
  for (const std::string& m : kAll) {
    EXPECT_EQ(daemon.output().find(m), std::string::npos) << m << " in the log:\n"
                                                          << daemon.output();
  }
}

}  // namespace
}  // namespace shouhu
