// Beast server: accept loop, one session per connection on its own strand,
// a bounded work queue feeding worker threads, optional TLS.
#include "api/server.h"

#include <algorithm>
#include <atomic>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "api/errors.h"
#include "api/static_files.h"
#include "api/work_queue.h"
#include "shouhu/log.h"

namespace shouhu::api {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

struct Shared {
  ServerHooks hooks;
  ServerOptions options;
  WorkQueue queue;
  std::atomic<size_t> connections{0};  // sessions alive
  InFlight in_flight{};
};

// Over the connection cap a connection gets one request, with this much time
// to send its header: a probe is answered, anything else 503, then it closes.
constexpr std::chrono::milliseconds kOverCapHeaderTimeout{2'000};

bool IsProbe(const std::string& path) {
  return path == "/healthz" || path == "/readyz" || path == "/metrics";
}

HttpRequest ToPlain(const http::request<http::string_body>& in,
                    const std::string& remote, bool* ok) {
  HttpRequest out;
  out.method = std::string(in.method_string());
  out.remote = remote;
  *ok = ParseTarget(std::string_view(in.target().data(), in.target().size()),
                    &out.path, &out.query);
  for (const auto& field : in) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers[name] = std::string(field.value());
  }
  out.body = in.body();
  return out;
}

}  // namespace

bool ParseRequestBytes(std::string_view bytes, size_t max_body_bytes, HttpRequest* out) {
  http::request_parser<http::string_body> parser;
  parser.body_limit(max_body_bytes);
  parser.eager(true);
  beast::error_code ec;
  parser.put(net::buffer(bytes.data(), bytes.size()), ec);
  if (ec || !parser.is_done()) return false;
  bool target_ok = false;
  *out = ToPlain(parser.get(), "127.0.0.1:5000", &target_ok);
  return target_ok;
}

namespace {

template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  // `over_cap`: accepted while max_connections were open already.
  template <class... Args>
  Session(Shared& shared, bool over_cap, std::string remote, Args&&... args)
      : shared_(shared),
        over_cap_(over_cap),
        remote_(std::move(remote)),
        stream_(std::forward<Args>(args)...) {
    ++shared_.connections;
  }
  ~Session() { --shared_.connections; }

  void Run() {
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      if constexpr (kTls) {
        beast::get_lowest_layer(self->stream_).expires_after(self->HeaderTimeout());
        self->stream_.async_handshake(ssl::stream_base::server,
                                      [self](beast::error_code ec) {
                                        if (!ec) self->Read();
                                      });
      } else {
        self->Read();
      }
    });
  }

 private:
  std::chrono::milliseconds Timeout() const { return shared_.options.request_timeout; }
  // The time a request's wait in the queue is measured in.
  Clock::time_point QueueNow() const {
    return shared_.options.clock ? shared_.options.clock->Steady() : Clock::now();
  }
  std::chrono::milliseconds IoTimeout() const { return shared_.options.io_timeout; }
  // A connection that sends nothing (new, or idle between requests) is
  // closed after this, so idle sockets do not pile up.
  std::chrono::milliseconds HeaderTimeout() const {
    return over_cap_ ? std::min(kOverCapHeaderTimeout, shared_.options.header_timeout)
                     : shared_.options.header_timeout;
  }

  // The header under HeaderTimeout, then the body under IoTimeout.
  void Read() {
    parser_.emplace();
    parser_->body_limit(shared_.options.max_body_bytes);
    beast::get_lowest_layer(stream_).expires_after(HeaderTimeout());
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) {
          if (ec || self->parser_->is_done()) return self->OnRead(ec);
          beast::get_lowest_layer(self->stream_).expires_after(self->IoTimeout());
          http::async_read(self->stream_, self->buffer_, *self->parser_,
                           [self](beast::error_code ec, size_t) { self->OnRead(ec); });
        });
  }

  void OnRead(beast::error_code ec) {
    started_ = Clock::now();
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset) {
      return Close();
    }
    if (ec == http::error::body_limit) {
      keep_alive_ = false;
      return Reply("too_large", ErrorResponse(413, kTooLarge,
                                            "the request body is over " +
                                                std::to_string(shared_.options.max_body_bytes) +
                                                " bytes"));
    }
    if (ec) {
      keep_alive_ = false;
      return Reply("malformed", ErrorResponse(400, kMalformed,
                                            "not a valid HTTP request: " + ec.message()));
    }
    http::request<http::string_body> request = parser_->release();
    keep_alive_ = request.keep_alive() && !over_cap_;
    head_ = request.method() == http::verb::head;
    bool target_ok = true;
    HttpRequest plain = ToPlain(request, remote_, &target_ok);
    if (!target_ok) {
      return Reply("malformed", ErrorResponse(400, kMalformed, "bad request target"));
    }
    if (over_cap_ && !IsProbe(plain.path)) {
      return Reply("overloaded",
                   ErrorResponse(503, kOverloaded,
                                 "too many connections (" +
                                     std::to_string(shared_.options.max_connections) +
                                     " open); nothing was done, retry"));
    }
    auto self = this->shared_from_this();
    auto queued = QueueNow();
    head_ = plain.method == "HEAD";
    bool accepted = shared_.queue.TryPush([self, queued, plain = std::move(plain)] {
      auto answer = [self](HttpResponse response) {
        net::post(self->stream_.get_executor(),
                  [self, response = std::move(response)]() mutable {
                    self->Write(std::move(response));
                  });
      };
      if (self->QueueNow() - queued > self->Timeout()) {
        self->shared_.hooks.count("timeout", 503, {});
        return answer(ErrorResponse(503, kTimeout,
                                    "the server was too busy to start the request in time; "
                                    "nothing was done, retry"));
      }
      if (!self->shared_.hooks.handle_async) return answer(self->shared_.hooks.handle(plain));
      self->shared_.in_flight.Begin();
      self->shared_.hooks.handle_async(plain, [self, answer](HttpResponse response) mutable {
        Shared& shared = self->shared_;
        {
          // This callback may outlive the answer (a store keeps it until
          // its group is done): drop its hold of the session now, before
          // Stop may go on and the server go.
          auto send = std::move(answer);
          auto session = std::move(self);
          send(std::move(response));
        }
        shared.in_flight.End();
      });
    });
    if (!accepted) {
      Reply("overloaded", ErrorResponse(503, kOverloaded,
                                        "the server is overloaded; nothing was done, retry"));
    }
  }

  // A response the server makes itself, counted in /metrics.
  void Reply(const std::string& route, HttpResponse response) {
    shared_.hooks.count(
        route, response.status,
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started_));
    Write(std::move(response));
  }

  void Write(HttpResponse plain) {
    AddSecurityHeaders(&plain);
    auto response = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(plain.status), 11);
    response->set(http::field::server, "shouhud");
    response->set(http::field::content_type, plain.content_type);
    for (const auto& [name, value] : plain.headers) response->set(name, value);
    size_t length = plain.body.size();
    if (!head_) response->body() = std::move(plain.body);
    // A client without a valid token gets no second try on this connection.
    if (plain.status == 401) keep_alive_ = false;
    response->keep_alive(keep_alive_);
    response->prepare_payload();
    // HEAD: the length of what GET would send, and no body.
    if (head_) response->content_length(length);
    head_ = false;
    beast::get_lowest_layer(stream_).expires_after(IoTimeout());
    http::async_write(stream_, *response,
                      [self = this->shared_from_this(), response](beast::error_code ec,
                                                                  size_t) {
                        if (ec || !self->keep_alive_) return self->Close();
                        self->Read();
                      });
  }

  void Close() {
    if constexpr (kTls) {
      beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(2));
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {});
    } else {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }
  }

  Shared& shared_;
  const bool over_cap_;
  std::string remote_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  bool keep_alive_ = true;
  bool head_ = false;  // the request being answered is a HEAD
  Clock::time_point started_;
};

// The certificate chain and key of `o` into `ssl`, TLS 1.2 and later only.
Status LoadTls(const ServerOptions& o, ssl::context& ssl) {
  beast::error_code ec;
  ssl.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                  ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                  ssl::context::no_tlsv1_1);
  ssl.use_certificate_chain_file(o.tls_cert, ec);
  if (!ec) ssl.use_private_key_file(o.tls_key, ssl::context::pem, ec);
  if (ec) {
    return InvalidArgument("cannot load the TLS certificate \"" + o.tls_cert +
                           "\" and key \"" + o.tls_key + "\": " + ec.message());
  }
  return Status::Ok();
}

class BeastServer : public ApiServer {
 public:
  BeastServer(ServerHooks hooks, const ServerOptions& options)
      : shared_{std::move(hooks), options, WorkQueue(options.queue_capacity)},
        io_(options.io_threads),
        acceptor_(net::make_strand(io_)),
        accept_backoff_timer_(acceptor_.get_executor()),
        ssl_(ssl::context::tls_server) {}

  Status Init() {
    const ServerOptions& o = shared_.options;
    if (!o.tls_cert.empty() || !o.tls_key.empty()) {
      SHOUHU_RETURN_IF_ERROR(LoadTls(o, ssl_));
      tls_ = true;
    }
    beast::error_code ec;
    auto address = net::ip::make_address(o.address, ec);
    if (ec) return InvalidArgument("bad listen address \"" + o.address + "\"");
    tcp::endpoint endpoint(address, static_cast<unsigned short>(o.port));
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      return Unavailable("cannot listen on " + o.address + ":" +
                         std::to_string(o.port) + ": " + ec.message());
    }
    bound_ = acceptor_.local_endpoint();
    Accept();
    for (int i = 0; i < std::max(1, o.workers); ++i) {
      workers_.emplace_back([this] {
        log::NameThread("shouhu-api");
        std::function<void()> job;
        while (shared_.queue.Pop(&job)) job();
      });
    }
    for (int i = 0; i < std::max(1, o.io_threads); ++i) {
      io_threads_.emplace_back([this] {
        log::NameThread("shouhu-http");
        io_.run();
      });
    }
    return Status::Ok();
  }

  ~BeastServer() override { Stop(); }

  std::string BoundAddress() const override {
    return bound_.address().to_string() + ":" + std::to_string(bound_.port());
  }
  bool tls() const override { return tls_; }

  void Stop() override {
    if (stopped_) return;
    stopped_ = true;
    net::post(acceptor_.get_executor(), [this] {
      beast::error_code ignored;
      acceptor_.close(ignored);
      accept_backoff_timer_.cancel();
    });
    shared_.queue.Stop();
    for (auto& t : workers_) t.join();
    shared_.in_flight.WaitForNone();
    io_.stop();
    for (auto& t : io_threads_) t.join();
  }

 private:
  // Out of file descriptors (or kernel memory) the listening socket stays
  // readable and accept fails at once: retrying at once spins a core. Wait,
  // 50 ms doubling to 1 s, while connections close and free descriptors.
  static bool OutOfResources(const beast::error_code& ec) {
    namespace errc = boost::system::errc;
    return ec == errc::too_many_files_open || ec == errc::too_many_files_open_in_system ||
           ec == errc::no_buffer_space || ec == errc::not_enough_memory;
  }

  void Accept() {
    acceptor_.async_accept(net::make_strand(io_), [this](beast::error_code ec,
                                                         tcp::socket socket) {
      if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
      if (OutOfResources(ec)) {
        accept_backoff_ = std::clamp(accept_backoff_ * 2, std::chrono::milliseconds(50),
                                     std::chrono::milliseconds(1'000));
        accept_backoff_timer_.expires_after(accept_backoff_);
        accept_backoff_timer_.async_wait([this](beast::error_code ec) {
          if (!ec && acceptor_.is_open()) Accept();
        });
        return;
      }
      accept_backoff_ = std::chrono::milliseconds(0);
      if (!ec) {
        const bool over_cap = shared_.connections.load() >= shared_.options.max_connections;
        beast::error_code peer_ec;
        auto peer = socket.remote_endpoint(peer_ec);
        std::string remote = peer_ec ? "unknown"
                                     : peer.address().to_string() + ":" +
                                           std::to_string(peer.port());
        if (tls_) {
          std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
              shared_, over_cap, remote, std::move(socket), ssl_)
              ->Run();
        } else {
          std::make_shared<Session<beast::tcp_stream>>(shared_, over_cap, remote,
                                                        std::move(socket))
              ->Run();
        }
      }
      Accept();
    });
  }

  Shared shared_;
  net::io_context io_;
  tcp::acceptor acceptor_;
  net::steady_timer accept_backoff_timer_;  // on the acceptor's strand
  std::chrono::milliseconds accept_backoff_{0};
  ssl::context ssl_;
  bool tls_ = false;
  bool stopped_ = false;
  tcp::endpoint bound_;
  std::vector<std::thread> workers_;
  std::vector<std::thread> io_threads_;
};

}  // namespace

StatusOr<std::unique_ptr<ApiServer>> ApiServer::Start(ApiService& service,
                                                      const ServerOptions& options) {
  ServerHooks hooks;
  hooks.handle = [&service](const HttpRequest& r) { return service.Handle(r); };
  hooks.handle_async = [&service](const HttpRequest& r, std::function<void(HttpResponse)> respond) {
    service.HandleAsync(r, std::move(respond));
  };
  hooks.count = [&service](const std::string& route, int status,
                           std::chrono::microseconds latency) {
    service.CountServerResponse(route, status, latency);
  };
  return Start(std::move(hooks), options);
}

StatusOr<std::unique_ptr<ApiServer>> ApiServer::Start(ServerHooks hooks,
                                                      const ServerOptions& options) {
  auto server = std::make_unique<BeastServer>(std::move(hooks), options);
  Status s = server->Init();
  if (!s.ok()) return s;
  return std::unique_ptr<ApiServer>(std::move(server));
}

Status CheckTlsFiles(const ServerOptions& options) {
  if (options.tls_cert.empty() && options.tls_key.empty()) return Status::Ok();
  ssl::context ssl(ssl::context::tls_server);
  return LoadTls(options, ssl);
}

}  // namespace shouhu::api
