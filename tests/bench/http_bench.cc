// Section 4 of shouhu-bench: the same transitions over HTTP and in process,
// at 64 clients, in one run.
//
// The server is the API as shouhud starts it (ApiEndpoint, default "api"
// configuration but for the per-client rate limit, which would cap a client
// at 50 requests/s) on a runtime in this process. The load generator is this
// program run again (--http-load-child): 64 threads, one keep-alive
// connection each, blocking sockets. So this process's CPU time while the
// child runs is the server's alone, and the child reports its own apart.
// The floor: GET /healthz (no authentication, no store) the same way.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/endpoint.h"
#include "auth/token_store.h"
#include "bench_common.h"
#include "shouhu/access.h"
#include "shouhu/org_directory.h"

namespace shouhu::bench {
namespace {

// One keep-alive HTTP/1.1 connection with blocking I/O.
class Connection {
 public:
  Connection(const std::string& ip, int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      std::perror("connect");
      std::exit(1);
    }
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~Connection() { close(fd_); }

  // Sends `request` and reads one response: its status; its body in *body.
  int RoundTrip(const std::string& request, std::string* body) {
    for (size_t sent = 0; sent < request.size();) {
      ssize_t k = write(fd_, request.data() + sent, request.size() - sent);
      if (k <= 0) return -1;
      sent += size_t(k);
    }
    size_t header_end;
    while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return -1;
    }
    int status = std::atoi(buffer_.c_str() + 9);
    size_t length = 0;
    size_t at = FindHeader("content-length:", header_end);
    if (at != std::string::npos) length = std::strtoul(buffer_.c_str() + at + 15, nullptr, 10);
    while (buffer_.size() < header_end + 4 + length) {
      if (!Fill()) return -1;
    }
    body->assign(buffer_, header_end + 4, length);
    buffer_.erase(0, header_end + 4 + length);
    return status;
  }

 private:
  bool Fill() {
    char chunk[4096];
    ssize_t k = read(fd_, chunk, sizeof chunk);
    if (k <= 0) return false;
    buffer_.append(chunk, size_t(k));
    return true;
  }
  size_t FindHeader(const char* lower_name, size_t end) const {
    const size_t n = std::strlen(lower_name);
    for (size_t i = 0; i + n <= end; ++i) {
      if (strncasecmp(buffer_.c_str() + i, lower_name, n) == 0) return i;
    }
    return std::string::npos;
  }

  int fd_ = -1;
  std::string buffer_;
};

struct LoadResult {
  double ops_per_sec = 0;
  double client_cpu_us = 0;  // the load generator's CPU per request
  double server_cpu_us = 0;  // this process's CPU per request meanwhile
  double p50_ms = 0, p99_ms = 0;
};

double SelfCpuMs() { return CpuMs(); }

std::string Request(const std::string& method, const std::string& target,
                    const std::string& token, const std::string& extra,
                    const std::string& body) {
  std::string r = method + " " + target + " HTTP/1.1\r\nHost: bench\r\n";
  if (!token.empty()) r += "Authorization: Bearer " + token + "\r\n";
  r += extra;
  if (!body.empty() || method == "POST") {
    r += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n";
  }
  return r + "\r\n" + body;
}

// Runs the child and reads its figures; this process's CPU is read when the
// child says it is ready and again when it is done.
LoadResult RunLoad(const std::string& address, const std::string& token, int clients,
                   int ops, const std::string& mode, const std::string& tag) {
  int to_child[2], from_child[2];
  if (pipe(to_child) != 0 || pipe(from_child) != 0) std::exit(1);
  const size_t colon = address.rfind(':');
  const std::string ip = address.substr(0, colon), port = address.substr(colon + 1);
  const std::string n = std::to_string(clients), k = std::to_string(ops);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(to_child[0], STDIN_FILENO);
    dup2(from_child[1], STDOUT_FILENO);
    close(to_child[1]);
    close(from_child[0]);
    execl("/proc/self/exe", "shouhu-bench", "--http-load-child", ip.c_str(), port.c_str(),
          token.c_str(), n.c_str(), k.c_str(), mode.c_str(), tag.c_str(), nullptr);
    _exit(127);
  }
  close(to_child[0]);
  close(from_child[1]);
  FILE* in = fdopen(from_child[0], "r");
  char line[512];
  if (!std::fgets(line, sizeof line, in) || std::string(line) != "ready\n") {
    std::fprintf(stderr, "shouhu-bench: load child did not start\n");
    std::exit(1);
  }
  const double cpu_before = SelfCpuMs();
  if (write(to_child[1], "go\n", 3) != 3) std::exit(1);
  LoadResult r;
  double secs = 0, child_cpu_ms = 0;
  int errors = 0;
  if (!std::fgets(line, sizeof line, in) ||
      std::sscanf(line, "%lf %lf %lf %lf %d", &secs, &child_cpu_ms, &r.p50_ms, &r.p99_ms,
                  &errors) != 5) {
    std::fprintf(stderr, "shouhu-bench: load child failed: %s\n", line);
    std::exit(1);
  }
  const double cpu_after = SelfCpuMs();
  fclose(in);
  close(to_child[1]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (errors) {
    std::fprintf(stderr, "shouhu-bench: %d requests failed\n", errors);
    std::exit(1);
  }
  const double total = double(clients) * ops;
  r.ops_per_sec = total / secs;
  r.server_cpu_us = 1000 * (cpu_after - cpu_before) / total;
  r.client_cpu_us = 1000 * child_cpu_ms / total;
  return r;
}

const char* kOrg = R"({"kind": "organisation", "id": "bench",
  "units": [{"id": "u1", "type": "county", "parent": "", "name": {"zh": "县", "en": "County"}}],
  "users": [{"id": "w1", "name": "工作人员", "unit": "u1", "roles": ["worker"]}]})";
const char* kAccess = R"({"kind": "access_rules",
  "roles": {"worker": ["report.file", "case.read", "case.work", "case.fire"]},
  "sensitivity": {"public": ["case.read"], "personal": ["case.read"],
                  "sensitive": ["case.work"]}})";

}  // namespace

int HttpLoadChild(int argc, char** argv) {
  if (argc != 9) return 2;
  const std::string ip = argv[2], token = argv[4], mode = argv[7], tag = argv[8];
  const int port = std::atoi(argv[3]), clients = std::atoi(argv[5]), ops = std::atoi(argv[6]);
  std::vector<std::unique_ptr<Connection>> connections;
  std::vector<std::string> cases(clients);
  for (int c = 0; c < clients; ++c) {
    connections.push_back(std::make_unique<Connection>(ip, port));
    if (mode != "fire") continue;
    std::string body;
    int status = connections.back()->RoundTrip(
        Request("POST", "/api/v1/cases", token,
                "Idempotency-Key: " + tag + "-open-" + std::to_string(c) + "\r\n",
                R"({"workflow": "bench"})"),
        &body);
    if (status != 201) {
      std::fprintf(stderr, "open: %d %s\n", status, body.c_str());
      return 1;
    }
    cases[c] = nlohmann::json::parse(body).at("case_id").get<std::string>();
  }
  std::printf("ready\n");
  std::fflush(stdout);
  char go[8];
  if (!std::fgets(go, sizeof go, stdin)) return 1;
  const double cpu_before = CpuMs();
  std::vector<std::vector<double>> lat(clients);
  std::atomic<int> errors{0};
  const auto start = BenchClock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      std::string body;
      const std::string healthz = Request("GET", "/healthz", "", "", "");
      const std::string target = "/api/v1/cases/" + cases[c] + "/events";
      for (int i = 0; i < ops; ++i) {
        const auto t0 = BenchClock::now();
        int status;
        if (mode == "fire") {
          status = connections[c]->RoundTrip(
              Request("POST", target, token,
                      "Idempotency-Key: " + tag + "-" + std::to_string(c) + "-" +
                          std::to_string(i) + "\r\n",
                      i % 2 ? R"({"event": "flop"})" : R"({"event": "flip"})"),
              &body);
        } else {
          status = connections[c]->RoundTrip(healthz, &body);
        }
        if (status != 200) {
          if (errors.fetch_add(1) == 0) std::fprintf(stderr, "%d %s\n", status, body.c_str());
        }
        lat[c].push_back(Ms(BenchClock::now() - t0));
      }
    });
  }
  for (auto& t : threads) t.join();
  const double secs = Ms(BenchClock::now() - start) / 1000;
  std::vector<double> all;
  for (auto& l : lat) all.insert(all.end(), l.begin(), l.end());
  std::printf("%f %f %f %f %d\n", secs, CpuMs() - cpu_before, Percentile(all, 0.5),
              Percentile(all, 0.99), errors.load());
  return 0;
}

void HttpVsInProcess(const std::string& root, bool quick) {
  std::printf("\n== 4. transitions over HTTP vs in process, 64 clients ==\n");
  constexpr int kClients = 64;
  const int ops = quick ? 50 : 200;
  const int rounds = quick ? 1 : 3;
  Catalog catalog = LoadBenchCatalog();
  auto org = Organisation::Parse(nlohmann::json::parse(kOrg), "bench");
  if (!org.ok()) Die(org.status(), "organisation");
  auto access = AccessRules::Parse(nlohmann::json::parse(kAccess), "bench",
                                   KnownRoles(*org, catalog));
  if (!access.ok()) Die(access.status(), "access rules");
  OrganisationDirectory orgs(*org);

  const std::string dir = root + "/http";
  std::filesystem::create_directories(dir);
  auto store = MustOpen(dir + "/data");
  SystemClock clock;
  auto rt = Runtime::Create(*store, catalog, clock);
  if (!rt.ok()) Die(rt.status(), "runtime");
  TokenStore tokens(TokensPathFor(dir + "/data"));
  auto token = tokens.Issue("w1", std::chrono::hours(1), "bench", clock.Now());
  if (!token.ok()) Die(token.status(), "token");

  api::EndpointConfig config;
  // The default configuration, but for the per-client rate limit (50/s).
  config.section = {{"rate_per_second", 1e9}, {"rate_burst", 1e9}};
  config.data_dir = dir + "/data";
  config.address = "127.0.0.1";
  config.port = 0;
  config.access = &*access;
  auto endpoint = api::ApiEndpoint::Start(**rt, catalog, orgs, *store, clock, config);
  if (!endpoint.ok()) Die(endpoint.status(), "api");
  const std::string address = (*endpoint)->BoundAddress();

  std::printf("%-22s %14s %9s %9s %16s %16s\n", "", "per second", "p50 ms", "p99 ms",
              "server CPU us", "client CPU us");
  std::vector<double> tput_ratio, cpu_ratio;
  for (int round = 0; round < rounds; ++round) {
    const std::string tag = "r" + std::to_string(round);
    LoadResult http = RunLoad(address, token->token, kClients, ops, "fire", tag);
    LoadResult floor = RunLoad(address, "", kClients, ops, "healthz", tag);
    const double cpu_before = CpuMs();
    FlipResult in = RunFlips(**rt, kClients, ops, "in" + tag);
    const double in_cpu_us = 1000 * (CpuMs() - cpu_before) / double(kClients * ops);
    std::printf("%-22s %14.0f %9.2f %9.2f %16.1f %16.1f\n", "HTTP transitions",
                http.ops_per_sec, http.p50_ms, http.p99_ms, http.server_cpu_us,
                http.client_cpu_us);
    std::printf("%-22s %14.0f %9.2f %9.2f %16.1f %16s\n", "in-process transitions",
                in.ops_per_sec, in.p50_ms, in.p99_ms, in_cpu_us, "(included)");
    std::printf("%-22s %14.0f %9.2f %9.2f %16.1f %16.1f\n", "HTTP GET /healthz",
                floor.ops_per_sec, floor.p50_ms, floor.p99_ms, floor.server_cpu_us,
                floor.client_cpu_us);
    tput_ratio.push_back(http.ops_per_sec / in.ops_per_sec);
    cpu_ratio.push_back(http.server_cpu_us / in_cpu_us);
    std::printf("  round %d: HTTP/in-process transitions/s %.2f (target >= 0.80), "
                "server CPU per transition %.2f x (target <= 2.00)\n",
                round + 1, tput_ratio.back(), cpu_ratio.back());
  }
  std::printf("median: HTTP/in-process transitions/s %.2f, server CPU per transition %.2f x\n",
              Percentile(tput_ratio, 0.5), Percentile(cpu_ratio, 0.5));
  (*endpoint)->Stop();
}

}  // namespace shouhu::bench
