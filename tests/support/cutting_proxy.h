// A proxy between a PostgreSQL client and a server's unix socket that can
// cut a connection at the worst moment for a commit: after the client sent
// its whole commit (the server has it and commits it), before any answer
// comes back. For the client the commit is then in doubt; for the server it
// is done. Tests use it to show that a retry by request id is safe.
//
// A commit is recognised by its bytes: a pipeline that binds one of the
// store's write statements (their names are given) and ends with a Sync
// message. After a cut the proxy reads the server's answer to the end
// (ReadyForQuery) and drops it, so the server never sees the connection go
// before it has committed.
//
// Thread safety: CutNextCommit and cuts from any thread.
#pragma once

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace shouhu::testing {

class CuttingProxy {
 public:
  // Listens in `dir` (a directory of the test's own) for clients of the
  // server whose socket is `server_dir`/.s.PGSQL.`port`.
  CuttingProxy(std::string server_dir, std::string dir, std::string port,
               std::vector<std::string> write_statements)
      : server_(server_dir + "/.s.PGSQL." + port),
        dir_(std::move(dir)),
        port_(std::move(port)),
        writes_(std::move(write_statements)) {
    listen_ = Listen(dir_ + "/.s.PGSQL." + port_);
    if (listen_ >= 0) accept_ = std::thread([this] { AcceptLoop(); });
  }
  ~CuttingProxy() {
    stopping_ = true;
    ::shutdown(listen_, SHUT_RDWR);
    if (accept_.joinable()) accept_.join();
    ::close(listen_);
    std::vector<std::unique_ptr<Link>> links;
    {
      std::lock_guard<std::mutex> lock(mu_);
      links.swap(links_);
    }
    for (auto& l : links) {
      ::shutdown(l->client, SHUT_RDWR);
      ::shutdown(l->server, SHUT_RDWR);
      l->up.join();
      l->down.join();
      ::close(l->client);
      ::close(l->server);
    }
  }

  bool ok() const { return listen_ >= 0; }
  std::string Dsn(const std::string& db = "postgres") const {
    return "host=" + dir_ + " port=" + port_ + " user=postgres dbname=" + db;
  }
  // The next commit any client sends is cut after the server received it.
  void CutNextCommit() { armed_ = true; }
  int cuts() const { return cuts_.load(); }

 private:
  struct Link {
    int client = -1, server = -1;
    std::atomic<bool> cut{false};
    std::thread up, down;
  };

  static int Listen(const std::string& path) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 64) != 0) {
      ::close(fd);
      return -1;
    }
    return fd;
  }
  static int Connect(const std::string& path) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      ::close(fd);
      return -1;
    }
    return fd;
  }
  static bool WriteAll(int fd, const char* data, size_t n) {
    while (n > 0) {
      ssize_t k = ::write(fd, data, n);
      if (k <= 0) return false;
      data += k;
      n -= size_t(k);
    }
    return true;
  }
  static bool Contains(std::string_view hay, std::string_view needle) {
    return hay.find(needle) != std::string_view::npos;
  }

  void AcceptLoop() {
    while (!stopping_) {
      int client = ::accept(listen_, nullptr, nullptr);
      if (client < 0) return;
      int server = Connect(server_);
      if (server < 0) {
        ::close(client);
        continue;
      }
      auto link = std::make_unique<Link>();
      link->client = client;
      link->server = server;
      Link* l = link.get();
      l->up = std::thread([this, l] { Up(*l); });
      l->down = std::thread([this, l] { Down(*l); });
      std::lock_guard<std::mutex> lock(mu_);
      links_.push_back(std::move(link));
    }
  }

  // Client to server: forwards everything; cuts after a commit's Sync.
  void Up(Link& l) {
    static constexpr std::string_view kSync("S\0\0\0\4", 5);
    char buf[1 << 16];
    bool writes = false;  // the pipeline so far binds a write statement
    for (;;) {
      ssize_t k = ::read(l.client, buf, sizeof buf);
      if (k <= 0) return;
      std::string_view chunk(buf, size_t(k));
      for (const std::string& w : writes_) writes = writes || Contains(chunk, w);
      const bool commit = writes && Contains(chunk, kSync);
      if (commit) writes = false;
      if (!WriteAll(l.server, buf, size_t(k))) return;
      if (commit && armed_.exchange(false)) {
        l.cut = true;
        ++cuts_;
        ::shutdown(l.client, SHUT_RDWR);  // the client sees the connection go
        return;
      }
    }
  }

  // Server to client: forwards, unless cut; then reads the server's answer
  // to its end and closes, so the server finished the commit first.
  void Down(Link& l) {
    static constexpr std::string_view kReady("Z\0\0\0\5", 5);
    char buf[1 << 16];
    std::string tail;
    for (;;) {
      ssize_t k = ::read(l.server, buf, sizeof buf);
      if (k <= 0) break;
      if (!l.cut) {
        if (!WriteAll(l.client, buf, size_t(k))) break;
        continue;
      }
      tail.append(buf, size_t(k));
      if (Contains(tail, kReady)) break;
    }
    ::shutdown(l.server, SHUT_RDWR);
  }

  const std::string server_, dir_, port_;
  const std::vector<std::string> writes_;
  int listen_ = -1;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> armed_{false};
  std::atomic<int> cuts_{0};
  std::thread accept_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Link>> links_;
};

}  // namespace shouhu::testing
