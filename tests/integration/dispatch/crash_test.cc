// The crash test: a driver process dispatching through the real webhook
// plugin is SIGKILLed during dispatch, several times, and started again on
// the same data. In the end every notification has been delivered, each
// always under the same idempotency key: the peer (which remembers keys) saw
// exactly one new key per notification, and re-sends only of what was in
// flight at a kill (sent, not yet recorded as delivered).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "../plugins/peer.h"
#include "../../support/test_paths.h"

namespace shouhu {
namespace {

using json = nlohmann::json;
using testing::Peer;
using testing::Subprocess;

const std::string kDriver = BuildTree("/tests/dispatch_driver");

// A plain HTTP GET to the peer, so its report of `path` marks the end of
// everything the driver sent.
void Get(int port, const std::string& path) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  std::string request = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
  ASSERT_EQ(write(fd, request.data(), request.size()),
            static_cast<ssize_t>(request.size()));
  char buf[512];
  while (read(fd, buf, sizeof buf) > 0) {
  }
  close(fd);
}

TEST(DispatchCrashTest, EveryNotificationArrivesOnceAsNewAcrossSigkills) {
  constexpr int kCases = 30;  // 3 notifications each
  constexpr int kNotifications = 3 * kCases;
  constexpr int kKills = 5;
  constexpr int kInFlight = 8;  // 2 channels x 4 senders
  char tmpl[] = "/tmp/shouhu-dispatch-crash-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  Peer peer("http_peer.py", {"--dedup", "--delay-ms", "20"});
  ASSERT_TRUE(peer.started()) << peer.output();

  // A thread drains the peer's reports as they come, so the peer never
  // blocks on a full pipe while the test waits for the driver.
  std::mutex mu;
  std::condition_variable cv;
  std::vector<json> events;
  bool ended = false;
  std::thread drain([&] {
    for (;;) {
      json e = peer.NextEvent();
      std::lock_guard<std::mutex> lock(mu);
      if (!e.is_object() || e["path"] == "/end") {
        ended = true;
        cv.notify_all();
        return;
      }
      events.push_back(std::move(e));
      cv.notify_all();
    }
  });
  struct Join {
    std::thread& t;
    Peer& p;
    ~Join() {
      if (t.joinable()) {
        p.Stop();
        t.join();
      }
    }
  } join{drain, peer};
  auto new_keys = [&] {
    std::set<std::string> keys;
    for (const json& e : events) {
      if (e["new"] == true) keys.insert(e["key"].get<std::string>());
    }
    return keys;
  };

  int kills = 0;
  for (; kills < kKills; ++kills) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (new_keys().size() + 20 > kNotifications) break;
    }
    Subprocess driver(
        {kDriver, dir + "/data", peer.url("http"), std::to_string(kCases)});
    ASSERT_TRUE(driver.started());
    // Kill it while it sends: some requests further along than the last run.
    {
      std::unique_lock<std::mutex> lock(mu);
      size_t target = events.size() + 10;
      ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(60), [&] {
        return events.size() >= target || ended;
      })) << "the driver stopped sending";
    }
    driver.Signal(SIGKILL);
    EXPECT_EQ(driver.Wait(), 128 + SIGKILL) << driver.ReadAll();
  }
  EXPECT_GE(kills, 3) << "the kills must land during dispatch";

  Subprocess last(
      {kDriver, dir + "/data", peer.url("http"), std::to_string(kCases)});
  ASSERT_TRUE(last.WaitForLine("DONE")) << last.ReadAll();
  EXPECT_EQ(last.Wait(), 0) << last.output();
  Get(peer.port(), "/end");
  drain.join();
  ASSERT_TRUE(ended);
  // One new key per report at most: a key the peer had seen is never new.
  std::set<std::string> keys;
  for (const json& e : events) {
    if (e["new"] == true) {
      EXPECT_TRUE(keys.insert(e["key"].get<std::string>()).second) << e.dump();
    }
  }
  std::set<std::string> new_keys_seen = new_keys();

  // Every notification arrived, each under one key only.
  EXPECT_EQ(new_keys_seen.size(), static_cast<size_t>(kNotifications));
  std::map<std::string, int> by_target;  // "<user>/<channel>"
  for (const std::string& key : new_keys_seen) {
    size_t user = key.rfind('/', key.rfind('/') - 1);
    ++by_target[key.substr(user + 1)];
  }
  EXPECT_EQ(by_target, (std::map<std::string, int>{{"chief/webhook", kCases},
                                                   {"off1/email", kCases},
                                                   {"off2/email", kCases}}));
  // Sent again only what a kill caught in flight.
  size_t resent = events.size() - new_keys_seen.size();
  EXPECT_LE(resent, static_cast<size_t>(kills * kInFlight))
      << resent << " re-sends";
  std::printf(
      "%d SIGKILLs, %zu requests for %d notifications (%zu re-sent after a "
      "kill)\n",
      kills, events.size(), kNotifications, resent);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace shouhu
