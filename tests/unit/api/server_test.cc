// The Beast server with a handler the test controls: a blocked worker and a
// full queue answer 503 "overloaded" at once; a request that waited in the
// queue past its timeout is answered 503 "timeout" without running; bodies
// over the limit get 413.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>

#include <nlohmann/json.hpp>

#include "api/server.h"
#include "cli/http_client.h"

namespace shouhu::api {
namespace {

using nlohmann::json;

// Holds every request in `handle` until Release().
class Gate {
 public:
  HttpResponse Handle(const HttpRequest& r) {
    std::unique_lock<std::mutex> lock(mu_);
    ++entered_;
    cv_.notify_all();
    cv_.wait(lock, [&] { return open_; });
    ++handled_;
    return JsonResponse(200, {{"path", r.path}});
  }
  void WaitEntered(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return entered_ >= n; });
  }
  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  int handled() {
    std::lock_guard<std::mutex> lock(mu_);
    return handled_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int entered_ = 0;
  int handled_ = 0;
  bool open_ = false;
};

struct Counted {
  std::mutex mu;
  std::vector<std::pair<std::string, int>> responses;
};

std::unique_ptr<ApiServer> StartServer(Gate& gate, Counted& counted, ServerOptions o) {
  ServerHooks hooks;
  hooks.handle = [&gate](const HttpRequest& r) { return gate.Handle(r); };
  hooks.count = [&counted](const std::string& route, int status, std::chrono::microseconds) {
    std::lock_guard<std::mutex> lock(counted.mu);
    counted.responses.push_back({route, status});
  };
  o.port = 0;
  auto server = ApiServer::Start(std::move(hooks), o);
  EXPECT_TRUE(server.ok()) << server.status().ToString();
  return std::move(*server);
}

std::string Url(const ApiServer& s) { return "http://" + s.BoundAddress(); }

TEST(ServerTest, FullQueueAnswersOverloadedAndAStaleRequestTimesOut) {
  Gate gate;
  Counted counted;
  ServerOptions o;
  o.workers = 1;
  o.queue_capacity = 1;
  o.request_timeout = std::chrono::milliseconds(50);
  auto server = StartServer(gate, counted, o);
  std::string url = Url(*server);
  // A occupies the only worker; of B and C, one waits in the queue and the
  // other finds it full.
  auto send = [&](const char* path) {
    return std::async(std::launch::async,
                      [&url, path] { return cli::HttpClient(url, "").Send("GET", path); });
  };
  auto a = send("/a");
  gate.WaitEntered(1);
  auto b = send("/b");
  auto c = send("/c");
  // Whatever fails below, A is let go before the futures wait for it.
  struct Opener {
    Gate& gate;
    ~Opener() { gate.Release(); }
  } opener{gate};
  auto ready = [](std::future<cli::HttpReply>& f) {
    return f.wait_for(std::chrono::milliseconds(5)) == std::future_status::ready;
  };
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!ready(b) && !ready(c) && std::chrono::steady_clock::now() < deadline) {
  }
  ASSERT_TRUE(ready(b) || ready(c)) << "neither request was refused";
  auto& refused = ready(b) ? b : c;
  auto& queued = ready(b) ? c : b;
  auto refused_reply = refused.get();
  ASSERT_EQ(refused_reply.status, 503);
  EXPECT_EQ(json::parse(refused_reply.body)["error"]["code"], "overloaded");
  // The queued one has now waited past its 50 ms: it is answered without
  // running.
  auto since = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - since < std::chrono::milliseconds(60)) {
    std::this_thread::yield();
  }
  gate.Release();
  EXPECT_EQ(a.get().status, 200);
  auto queued_reply = queued.get();
  EXPECT_EQ(queued_reply.status, 503);
  EXPECT_EQ(json::parse(queued_reply.body)["error"]["code"], "timeout");
  EXPECT_EQ(gate.handled(), 1);  // only A ran
  server->Stop();
  std::lock_guard<std::mutex> lock(counted.mu);
  EXPECT_NE(std::find(counted.responses.begin(), counted.responses.end(),
                      std::pair<std::string, int>{"overloaded", 503}),
            counted.responses.end());
  EXPECT_NE(std::find(counted.responses.begin(), counted.responses.end(),
                      std::pair<std::string, int>{"timeout", 503}),
            counted.responses.end());
}

TEST(ServerTest, BodyOverTheLimitIs413AndKeepAliveServesMore) {
  Gate gate;
  gate.Release();
  Counted counted;
  ServerOptions o;
  o.max_body_bytes = 100;
  auto server = StartServer(gate, counted, o);
  cli::HttpClient client(Url(*server), "");
  auto big = client.Send("POST", "/x", std::string(1000, 'x'));
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(json::parse(big.body)["error"]["code"], "too_large");
  for (int i = 0; i < 3; ++i) {
    auto ok = client.Send("GET", "/ok?i=" + std::to_string(i));
    EXPECT_EQ(ok.status, 200);
    EXPECT_EQ(json::parse(ok.body)["path"], "/ok");
  }
  EXPECT_EQ(gate.handled(), 3);
}

TEST(ServerTest, BusyPortIsUnavailable) {
  Gate gate;
  Counted counted;
  auto first = StartServer(gate, counted, {});
  ServerOptions o;
  o.port = std::stoi(first->BoundAddress().substr(first->BoundAddress().rfind(':') + 1));
  ServerHooks hooks{[&gate](const HttpRequest& r) { return gate.Handle(r); },
                    [](const std::string&, int, std::chrono::microseconds) {}};
  auto second = ApiServer::Start(std::move(hooks), o);
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace shouhu::api
