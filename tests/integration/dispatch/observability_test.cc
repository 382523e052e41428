// Logs and /metrics of the real shouhud during a notifier outage (issue 17,
// items 3 and 4). The "email" channel posts through the real webhook plugin
// to a real HTTP peer on loopback that answers 503 (a transient failure):
//
//  - each failed attempt and each dead letter is logged with its fields
//    (event, case, delivery, channel, recipient, attempt, code or reason),
//    and nothing the daemon wrote names the child, a user, an address or
//    the message;
//  - /metrics shows the delivery queue and the failures rise during the
//    outage, and the queue fall to zero once a peer on the same port
//    answers 200 again;
//  - the Grafana dashboard and the Prometheus alert rules in deploy/ use
//    only metric names a real scrape exports (the rules file is parsed with
//    python3's yaml module, which also proves it is valid YAML).
//
// No sleeps: each step waits for a line the daemon or the peer writes.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>

#include "../api/api_daemon.h"
#include "../plugins/peer.h"
#include "../../support/test_paths.h"

namespace shouhu {
namespace {

using nlohmann::json;
using testing::ApiDaemon;
using testing::Peer;
using testing::Subprocess;

// Personal data in the case and its notification: the child's name, the
// recipients' names, e-mail addresses (as written and as put in the URL) and
// phones (tests/fixtures/dispatch/org/organisation.json), the message's
// subject line.
constexpr const char* kChild = "张小红";
const std::vector<std::string> kPersonal = {
    kChild,          "王警官",          "赵警官",           "李老师",
    "off1@town",     "off2@town",       "off1%40town",      "off2%40town",
    "13800000002",   "13800000003",     "新的报告",         "New report"};

// The value of `key` in a logfmt line ("" when absent).
std::string FieldOf(const std::string& line, const std::string& key) {
  auto at = line.find(" " + key + "=");
  if (at == std::string::npos) return "";
  at += key.size() + 2;
  return line.substr(at, line.find(' ', at) - at);
}

// One sample of a scrape, e.g. Sample(text, "shouhu_dead_letters") or
// Sample(text, "shouhu_delivery_queue_depth{state=\"waiting\"}"); -1 when absent.
double Sample(const std::string& text, const std::string& series) {
  auto at = text.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + series.size() + 2));
}

class ObservabilityTest : public ::testing::Test {
 protected:
  // The daemon's configuration: the notice workflow and its test county,
  // "email" through the webhook plugin to `peer_url`, debug logs.
  static json Extra(const std::string& peer_url, int max_attempts) {
    return {{"workflows", {SourceTree("/tests/fixtures/dispatch/workflows")}},
            {"organisation", SourceTree("/tests/fixtures/dispatch/org/organisation.json")},
            {"log", {{"level", "debug"}, {"output", "stderr"}}},
            {"notifiers",
             {{"plugin_dir", BuildTree("/plugins")},
              {"retry",
               {{"initial", "PT1S"}, {"max", "PT1S"}, {"max_attempts", max_attempts},
                {"jitter", 0}}},
              {"channels",
               {{"email",
                 {{"plugin", "webhook"},
                  {"config",
                   {{"format", "shouhu"}, {"url", peer_url + "/mail/{{recipient}}"}}}}}}}}}};
  }

  // Opens a notice case as the teacher: two officers are told by "email".
  static std::string OpenCase(ApiDaemon& daemon) {
    json report = {{"workflow", "notice"}, {"data", {{"child_name", kChild}}}};
    auto opened = daemon.ClientFor("teacher")->Send("POST", "/api/v1/cases", report.dump());
    EXPECT_EQ(opened.status, 201) << opened.body << daemon.output();
    return opened.status == 201 ? json::parse(opened.body)["case_id"].get<std::string>() : "";
  }

  static std::string Scrape(ApiDaemon& daemon) {
    auto r = daemon.ClientFor("")->Send("GET", "/metrics");
    EXPECT_EQ(r.status, 200);
    return "\n" + r.body;
  }
};

TEST_F(ObservabilityTest, FailedDeliveriesAndDeadLettersAreLoggedWithoutPersonalData) {
  Peer peer("http_peer.py", {"--status", "503"});
  ASSERT_TRUE(peer.started()) << peer.output();
  ApiDaemon daemon(json{{"rate_per_second", 0}}, Extra(peer.url("http"), 2));
  daemon.Start();
  const std::string id = OpenCase(daemon);
  ASSERT_FALSE(id.empty());

  // Each of the two deliveries fails once (retry), then for good (attempt 2
  // of 2: a dead letter).
  std::vector<std::string> failed, dead;
  while (failed.size() < 2 || dead.size() < 2) {
    ASSERT_TRUE(daemon.WaitForLine(" event=")) << daemon.output();
    std::string line = daemon.output();
    line.pop_back();  // the newline
    line = line.substr(line.rfind('\n') + 1);
    if (FieldOf(line, "event") == "delivery_failed") failed.push_back(line);
    if (FieldOf(line, "event") == "dead_letter") dead.push_back(line);
  }
  std::set<std::string> recipients;
  for (const std::string& line : failed) {
    EXPECT_TRUE(line.starts_with("shouhud: WARN delivery failed")) << line;
    EXPECT_EQ(FieldOf(line, "case"), id) << line;
    EXPECT_EQ(FieldOf(line, "channel"), "email") << line;
    EXPECT_EQ(FieldOf(line, "attempt"), "1") << line;
    EXPECT_EQ(FieldOf(line, "code"), "retry") << line;
    EXPECT_FALSE(FieldOf(line, "delivery").empty()) << line;
    recipients.insert(FieldOf(line, "recipient"));
  }
  EXPECT_EQ(recipients, (std::set<std::string>{"off1", "off2"}));
  recipients.clear();
  for (const std::string& line : dead) {
    EXPECT_TRUE(line.starts_with("shouhud: ERROR dead letter")) << line;
    EXPECT_EQ(FieldOf(line, "case"), id) << line;
    EXPECT_EQ(FieldOf(line, "channel"), "email") << line;
    EXPECT_EQ(FieldOf(line, "attempt"), "2") << line;
    EXPECT_EQ(FieldOf(line, "reason"), "retries_exhausted") << line;
    recipients.insert(FieldOf(line, "recipient"));
  }
  EXPECT_EQ(recipients, (std::set<std::string>{"off1", "off2"}));

  // The peer did receive the personal data (so its absence from the log
  // means something): the child's name in the body, the address in the path.
  json e = peer.NextEvent();
  ASSERT_TRUE(e.is_object()) << peer.output();
  EXPECT_NE(e["body"].get<std::string>().find(kChild), std::string::npos) << e.dump();
  EXPECT_NE(e["path"].get<std::string>().find("%40town"), std::string::npos) << e.dump();

  const std::string text = Scrape(daemon);
  EXPECT_EQ(Sample(text, "shouhu_dead_letters"), 2) << text;
  EXPECT_EQ(Sample(text, "shouhu_dead_letters_total"), 2) << text;
  EXPECT_EQ(Sample(text, "shouhu_deliveries_total{channel=\"email\",outcome=\"retry\"}"), 2)
      << text;
  EXPECT_EQ(Sample(text, "shouhu_deliveries_total{channel=\"email\",outcome=\"dead\"}"), 2)
      << text;

  ASSERT_EQ(daemon.Stop(), 0);
  const std::string log = daemon.output();
  for (const std::string& p : kPersonal) {
    EXPECT_EQ(log.find(p), std::string::npos) << p << " in the log:\n" << log;
  }
}

TEST_F(ObservabilityTest, MetricsShowTheQueueAndFailuresRiseDuringAnOutageAndFallAfter) {
  auto peer = std::make_unique<Peer>("http_peer.py", std::vector<std::string>{"--status", "503"});
  ASSERT_TRUE(peer->started()) << peer->output();
  const int port = peer->port();
  ApiDaemon daemon(json{{"rate_per_second", 0}}, Extra(peer->url("http"), 1000));
  daemon.Start();

  std::string text = Scrape(daemon);
  EXPECT_EQ(Sample(text, "shouhu_delivery_queue_depth{state=\"waiting\"}"), 0) << text;
  EXPECT_EQ(Sample(text, "shouhu_delivery_queue_depth{state=\"due\"}"), 0) << text;
  const std::string id = OpenCase(daemon);
  ASSERT_FALSE(id.empty());

  // The outage: both deliveries fail, and are queued to retry.
  for (int failures = 0; failures < 2;) {
    ASSERT_TRUE(daemon.WaitForLine("event=delivery_failed")) << daemon.output();
    ++failures;
  }
  text = Scrape(daemon);
  // Expanded into deliveries, nothing is left in the outbox: the queue to
  // watch is the deliveries' (due, or waiting for their retry).
  EXPECT_EQ(Sample(text, "shouhu_outbox_depth"), 0) << text;
  EXPECT_EQ(Sample(text, "shouhu_delivery_queue_depth{state=\"waiting\"}") +
                Sample(text, "shouhu_delivery_queue_depth{state=\"due\"}"),
            2)
      << text;
  const double retries =
      Sample(text, "shouhu_deliveries_total{channel=\"email\",outcome=\"retry\"}");
  EXPECT_GE(retries, 2) << text;
  EXPECT_EQ(Sample(text, "shouhu_deliveries_total{channel=\"email\",outcome=\"delivered\"}"), -1)
      << text;
  EXPECT_EQ(Sample(text, "shouhu_dead_letters"), 0) << text;

  // One more round of failures: the failure count goes on rising.
  ASSERT_TRUE(daemon.WaitForLine("event=delivery_failed")) << daemon.output();
  text = Scrape(daemon);
  EXPECT_GT(Sample(text, "shouhu_deliveries_total{channel=\"email\",outcome=\"retry\"}"),
            retries)
      << text;

  // The peer comes back on the same port, answering 200.
  peer->Stop();
  peer = std::make_unique<Peer>(
      "http_peer.py", std::vector<std::string>{"--port", std::to_string(port)});
  ASSERT_TRUE(peer->started()) << peer->output();
  for (int delivered = 0; delivered < 2;) {
    ASSERT_TRUE(daemon.WaitForLine("event=delivered")) << daemon.output();
    ++delivered;
  }
  text = Scrape(daemon);
  EXPECT_EQ(Sample(text, "shouhu_delivery_queue_depth{state=\"waiting\"}"), 0) << text;
  EXPECT_EQ(Sample(text, "shouhu_delivery_queue_depth{state=\"due\"}"), 0) << text;
  EXPECT_EQ(Sample(text, "shouhu_deliveries_total{channel=\"email\",outcome=\"delivered\"}"), 2)
      << text;
  EXPECT_EQ(Sample(text, "shouhu_dead_letters"), 0) << text;
  json e = peer->NextEvent();
  ASSERT_TRUE(e.is_object()) << peer->output();
  EXPECT_EQ(e["status"], 200) << e.dump();
  ASSERT_EQ(daemon.Stop(), 0);
}

// The metric families of a scrape (# TYPE lines), with each histogram's
// _bucket, _sum and _count.
std::set<std::string> Exported(const std::string& text) {
  std::set<std::string> names;
  std::regex type_line(R"(# TYPE (\w+) (\w+))");
  for (std::sregex_iterator it(text.begin(), text.end(), type_line), end; it != end; ++it) {
    const std::string name = (*it)[1];
    names.insert(name);
    if ((*it)[2] == "histogram") {
      for (const char* suffix : {"_bucket", "_sum", "_count"}) names.insert(name + suffix);
    }
  }
  return names;
}

// Every shouhu_* name in an expression.
std::set<std::string> NamesIn(const std::string& expr) {
  std::set<std::string> names;
  std::regex name(R"(\bshouhu_\w+)");
  for (std::sregex_iterator it(expr.begin(), expr.end(), name), end; it != end; ++it) {
    names.insert(it->str());
  }
  return names;
}

TEST_F(ObservabilityTest, TheDashboardAndAlertRulesUseOnlyExportedMetrics) {
  ApiDaemon daemon(json{{"rate_per_second", 0}},
                   Extra("http://127.0.0.1:9", 3));
  daemon.Start();
  const std::set<std::string> exported = Exported(Scrape(daemon));
  ASSERT_EQ(daemon.Stop(), 0);
  ASSERT_TRUE(exported.count("shouhu_delivery_queue_depth")) << "no scrape";

  // The dashboard: every target's expression.
  std::ifstream in(SourceTree("/deploy/grafana/shouhu-dashboard.json"));
  json dashboard = json::parse(in);
  std::vector<std::string> exprs;
  for (const json& panel : dashboard["panels"]) {
    for (const json& target : panel.value("targets", json::array())) {
      exprs.push_back(target["expr"].get<std::string>());
    }
  }
  EXPECT_GE(exprs.size(), 10u);
  size_t dashboard_exprs = exprs.size();

  // The alert rules, through python3's yaml: one expression a line.
  Subprocess yaml({SHOUHU_PYTHON3, "-c",
                   "import sys, yaml\n"
                   "doc = yaml.safe_load(open(sys.argv[1]))\n"
                   "for g in doc['groups']:\n"
                   "    for r in g['rules']:\n"
                   "        assert r['alert'] and r['annotations']['summary'], r\n"
                   "        print('EXPR ' + ' '.join(str(r['expr']).split()), file=sys.stderr)\n",
                   SourceTree("/deploy/prometheus/shouhu-alerts.yml")});
  const std::string out = yaml.ReadAll();
  ASSERT_EQ(yaml.Wait(), 0) << out;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("EXPR ")) exprs.push_back(line.substr(5));
  }
  EXPECT_GE(exprs.size() - dashboard_exprs, 4u) << out;

  std::set<std::string> used;
  for (const std::string& e : exprs) {
    for (const std::string& n : NamesIn(e)) {
      used.insert(n);
      EXPECT_TRUE(exported.count(n)) << n << " in " << e << " is not exported";
    }
  }
  // The alerts the issue asks for are there.
  for (const char* name : {"shouhu_dead_letters", "shouhu_cases_overdue",
                           "shouhu_deliveries_total"}) {
    EXPECT_TRUE(used.count(name)) << name;
  }
  EXPECT_NE(out.find("node_filesystem_avail_bytes"), std::string::npos)
      << "a disk space alert (node exporter)";
}

}  // namespace
}  // namespace shouhu
