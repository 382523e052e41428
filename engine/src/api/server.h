// The HTTP(S) server: Boost.Beast over Asio, the only part of shouhu that
// sees Beast. I/O threads read and write; a bounded queue feeds worker
// threads that run ApiService::HandleAsync, so a slow disk never blocks I/O
// and overload answers 503 ("overloaded") at once instead of piling up. A
// command hands its commit to the store and the worker takes the next
// request: the commit's callback posts the answer to the connection, so
// requests in flight are not bounded by the workers.
//
// Limits: request bodies over max_body_bytes get 413; every read and write
// has a deadline; a request that waited in the queue longer than
// request_timeout is answered 503 ("timeout") without running, so nothing
// is written for it. Connections are capped (max_connections, see below); a
// 401 closes the connection; the accept loop backs off when out of file
// descriptors instead of retrying at once.
//
// Thread safety: Start and Stop from one thread; the server's own threads do
// the rest.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "api/api_service.h"
#include "shouhu/clock.h"
#include "shouhu/status.h"

namespace shouhu::api {

struct ServerOptions {
  std::string address = "127.0.0.1";
  int port = 8620;  // 0 = any free port; see BoundAddress
  int io_threads = 2;
  int workers = 8;              // ApiService::Handle in parallel
  size_t queue_capacity = 256;  // requests waiting for a worker
  size_t max_body_bytes = 1 << 20;
  // Longest wait in the queue before a request is answered 503 "timeout",
  // measured on `clock` (simulated time in tests; null: the steady clock).
  // Socket deadlines below are always real time: they guard real sockets.
  std::chrono::milliseconds request_timeout{10'000};
  const Clock* clock = nullptr;
  // Deadline of every socket read and write.
  std::chrono::milliseconds io_timeout{30'000};
  // Deadline for a request's header, from the connection's start or the end
  // of its previous response: an idle connection closes after it.
  std::chrono::milliseconds header_timeout{10'000};
  // Connections served as usual. Past this, a new connection gets a short
  // header deadline and one answer (the probes /healthz, /readyz and /metrics
  // as usual, anything else 503 "overloaded"), then it closes: the process's
  // file descriptor limit (LimitNOFILE in deploy/shouhud.service) leaves
  // room for those, the store and the notifiers above this.
  size_t max_connections = 1'000;
  // TLS when both are set: PEM certificate chain and private key.
  std::string tls_cert;
  std::string tls_key;
};

// What the server calls: `handle` answers a request (from worker threads,
// in parallel), or `handle_async` when set: it answers through its callback,
// now or later from any thread (a command once its commit is durable), so
// a worker never waits for a commit; `count` records responses the server
// makes itself.
struct ServerHooks {
  std::function<HttpResponse(const HttpRequest&)> handle;
  std::function<void(const std::string& route, int status,
                     std::chrono::microseconds latency)>
      count;
  std::function<void(const HttpRequest&, std::function<void(HttpResponse)>)> handle_async = {};
};

// Reads one request from `bytes` as a connection reads it (the same parser,
// body limit and conversion); false where the server would answer 400 or
// 413, or when the bytes end before the request does. For fuzzing.
bool ParseRequestBytes(std::string_view bytes, size_t max_body_bytes, HttpRequest* out);

class ApiServer {
 public:
  static StatusOr<std::unique_ptr<ApiServer>> Start(ServerHooks hooks,
                                                    const ServerOptions& options);
  // Binds and starts serving. kUnavailable when the address cannot be bound;
  // kInvalidArgument when the TLS files cannot be loaded.
  // REQUIRES: `service` outlives the server.
  static StatusOr<std::unique_ptr<ApiServer>> Start(ApiService& service,
                                                    const ServerOptions& options);
  virtual ~ApiServer() = default;

  // "127.0.0.1:41234": the address actually bound (port 0 resolved).
  virtual std::string BoundAddress() const = 0;
  virtual bool tls() const = 0;
  // Stops accepting, finishes queued requests and those waiting for their
  // commit, joins every thread.
  virtual void Stop() = 0;
};

// Loads the TLS certificate and key as Start would, without listening: for
// `shouhud --check-config`. Ok when TLS is not configured.
Status CheckTlsFiles(const ServerOptions& options);

}  // namespace shouhu::api
