// Regression tests for issue 11: what one client can do to the real shouhud
// (port 0, temporary data) must not stop it serving everyone else: a body
// nested 100,000 deep, a flood of idle connections, running out of file
// descriptors; and HEAD on the probes. Raw sockets with receive timeouts
// stand in for misbehaving clients; no sleeps.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>

#include "api_daemon.h"

namespace shouhu {
namespace {

using nlohmann::json;
using testing::ApiDaemon;
using testing::ReportBody;

constexpr const char* kTeacher = "u0021";  // reporter, chengguan-primary
constexpr const char* kPolice = "u0008";   // police_officer, chengguan

// A blocking TCP connection to `address` ("127.0.0.1:port") whose reads and
// writes give up after `timeout`. -1 when it cannot connect.
int Connect(const std::string& address, std::chrono::milliseconds timeout) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  timeval tv{static_cast<time_t>(timeout.count() / 1000),
             static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(std::stoi(address.substr(address.find(':') + 1))));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// Sends `request` and reads until the server closes the connection; "" and
// *timed_out when the receive timeout passes first.
std::string Exchange(int fd, const std::string& request, bool* timed_out = nullptr) {
  if (!request.empty() && send(fd, request.data(), request.size(), MSG_NOSIGNAL) < 0) return "";
  std::string got;
  char buf[4096];
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n > 0) {
      got.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (timed_out) *timed_out = n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
    return got;
  }
}

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

// HEAD on the probes answers like GET, headers only (monitoring tools use it).
TEST(HostileClientTest, HeadOnTheProbesAnswersLikeGetWithoutABody) {
  ApiDaemon daemon;
  daemon.Start();
  for (const std::string path : {"/healthz", "/readyz", "/metrics"}) {
    int fd = Connect(daemon.address(), std::chrono::seconds(10));
    ASSERT_GE(fd, 0);
    bool timed_out = false;
    std::string reply = Exchange(
        fd, "HEAD " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", &timed_out);
    close(fd);
    EXPECT_FALSE(timed_out) << path;
    EXPECT_EQ(reply.rfind("HTTP/1.1 200", 0), 0u) << path << ": " << reply;
    // GET's length, and nothing after the headers.
    auto get = daemon.ClientFor("")->Send("GET", path);
    size_t end = reply.find("\r\n\r\n");
    ASSERT_NE(end, std::string::npos) << reply;
    EXPECT_EQ(reply.size(), end + 4) << path << ": a body came with HEAD";
    if (path != "/metrics") {  // metrics change between the two requests
      EXPECT_NE(reply.find("Content-Length: " + std::to_string(get.body.size()) + "\r\n"),
                std::string::npos)
          << reply;
    }
  }
  EXPECT_EQ(daemon.ClientFor("")->Send("HEAD", "/api/v1/me").status, 405);
}

}  // namespace
}  // namespace shouhu
