// shouhud: the shouhu daemon. Loads and validates the workflow definitions
// (refusing to start on any error), opens the RocksDB data directory, and runs
// until SIGTERM or SIGINT, then shuts down cleanly and exits 0.
#include <cstdio>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <thread>

#include <sys/stat.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "api/endpoint.h"
#include "api/policy.h"
#include "daemon/config.h"
#include "daemon/notifiers.h"
#include "daemon/options.h"
#include "daemon/service_manager.h"
#include "daemon/start_up.h"
#include "shouhu/access.h"
#include "shouhu/catalog.h"
#include "shouhu/clock.h"
#include "shouhu/data_store.h"
#include "shouhu/key_rotation.h"
#include "shouhu/leases.h"
#include "shouhu/log.h"
#include "shouhu/org.h"
#include "shouhu/org_directory.h"
#include "shouhu/runtime.h"
#include "shouhu/store.h"
#include "shouhu/timer_loop.h"

namespace {

void Say(const std::string& line) { shouhu::log::Info(line); }

// A refused start-up: logged as an error with its event, and exit code 1.
int Refuse(const std::string& why) {
  shouhu::log::Error(why, {{"event", "startup_refused"}});
  return 1;
}

shouhu::api::EndpointConfig EndpointConfigOf(const shouhu::DaemonConfig& c,
                                             const shouhu::AccessRules* access,
                                             shouhu::KeyRotationService* key_rotation,
                                             shouhu::FakeClock* simulated = nullptr) {
  return {c.api,         c.config_dir, c.data_dir,    c.web_root, c.listen_address,
          c.listen_port, access,       key_rotation, c.backup,   simulated};
}

// Everything start-up checks, reported in full. `out` gets the facts.
std::optional<shouhu::StartUp> Check(const std::string& config_path, FILE* out,
                                     const std::string& data_dir, const std::string& listen,
                                     size_t* problems) {
  auto config = shouhu::LoadDaemonConfig(config_path);
  if (!config.ok()) {
    std::fprintf(stderr, "%s\n", config.status().message().c_str());
    *problems = 1;
    return std::nullopt;
  }
  if (!data_dir.empty()) config->data_dir = data_dir;
  if (auto colon = listen.rfind(':'); colon != std::string::npos) {
    config->listen_address = listen.substr(0, colon);
    config->listen_port = std::atoi(listen.c_str() + colon + 1);
  }
  shouhu::StartUpReport report;
  shouhu::Status api = shouhu::api::ApiEndpoint::CheckConfig(EndpointConfigOf(*config, nullptr, nullptr));
  auto start = shouhu::PrepareStartUp(std::move(*config), &report);
  if (!api.ok()) report.problems.push_back(api.message());
  for (const auto& w : report.warnings) std::fprintf(stderr, "WARNING 警告: %s\n", w.c_str());
  for (const auto& f : report.facts) std::fprintf(out, "ok  %s\n", f.c_str());
  for (const auto& p : report.problems) std::fprintf(stderr, "%s\n", p.c_str());
  *problems = report.problems.size();
  if (!api.ok()) return std::nullopt;
  return start;
}

}  // namespace

int main(int argc, char** argv) {
  // Children's data: what shouhud creates (RocksDB's files, tokens, backups)
  // is for its own user only, whatever the caller's umask.
  ::umask(0077);
  shouhu::DaemonOptions flags;
  if (auto exit_code = shouhu::ParseDaemonOptions(argc, argv, &flags)) return *exit_code;
  const std::string &config_path = flags.config_path, &check_path = flags.check_path,
                    &data_dir = flags.data_dir, &listen = flags.listen,
                    &simulated_time = flags.simulated_time;
  if (!check_path.empty()) {
    size_t problems = 0;
    auto start = Check(check_path, stdout, data_dir, listen, &problems);
    if (!start) {
      std::fprintf(stderr, "%zu problem(s) 个问题: shouhud would refuse to start 无法启动\n",
                   problems);
      return 1;
    }
    std::printf("the configuration is valid 配置有效: %s\n", check_path.c_str());
    return 0;
  }
  // The clock: the system's, or for tests a simulated one that moves only
  // when told to. A service manager's daemon is production: never simulated.
  std::unique_ptr<shouhu::Clock> clock_owner = std::make_unique<shouhu::SystemClock>();
  shouhu::FakeClock* simulated = nullptr;
  if (!simulated_time.empty()) {
    if (std::getenv("NOTIFY_SOCKET")) {
      Say("refusing to start 拒绝启动: --simulated-time is for tests, not for a service");
      return 2;
    }
    auto at = simulated_time == "now" ? shouhu::StatusOr<shouhu::Instant>(clock_owner->Now())
                                      : shouhu::ParseInstant(simulated_time);
    if (!at.ok()) {
      Say("--simulated-time: " + at.status().message());
      return 2;
    }
    auto fake = std::make_unique<shouhu::FakeClock>(*at);
    simulated = fake.get();
    clock_owner = std::move(fake);
    Say("SIMULATED TIME 模拟时间 from " + shouhu::FormatInstant(*at) +
        ": for tests only; time moves only through POST /api/v1/clock");
  }
  const shouhu::Clock& clock = *clock_owner;

  // The data key is read once; without one (or with a wrong one, checked when
  // the store opens) shouhud starts nothing and changes nothing on disk.
  size_t problems = 0;
  auto start = Check(config_path, stderr, data_dir, listen, &problems);
  if (!start) {
    return Refuse("refusing to start 拒绝启动: " + std::to_string(problems) + " problem(s) above");
  }
  shouhu::DaemonConfig* config = &start->config;
  shouhu::log::Configure(config->log);
  shouhu::Catalog& catalog = start->catalog;
  std::optional<shouhu::Organisation>& org = start->org;
  shouhu::AccessRules& access = start->access;
  std::optional<shouhu::DataKey>& data_key = start->data_key;

  // A fresh install has no data directory yet: create it and its parents.
  std::error_code mkdir_error;
  std::filesystem::create_directories(config->data_dir, mkdir_error);
  if (!mkdir_error) {
    // Also a directory made earlier by someone else (an installer, a test).
    std::filesystem::permissions(config->data_dir, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::replace, mkdir_error);
  }
  if (mkdir_error) {
    return Refuse("cannot create the data directory " + config->data_dir + ": " +
                  mkdir_error.message());
  }
  shouhu::StoreOptions store_options;
  store_options.min_free_bytes = config->min_free_bytes;
  // Encrypted, the store can change its key while it serves (online
  // rotation, shouhu/key_rotation.h).
  shouhu::RotatableStore* rotatable = nullptr;
  auto open_store = [&]() -> shouhu::StatusOr<std::unique_ptr<shouhu::Store>> {
    const std::string& dsn = config->postgres_dsn;
    if (!data_key) {
      return dsn.empty() ? shouhu::OpenDataStore(config->data_dir, store_options, nullptr)
                         : shouhu::OpenPostgresDataStore(dsn, store_options, nullptr);
    }
    auto opened =
        dsn.empty() ? shouhu::OpenRotatableDataStore(config->data_dir, store_options, *data_key)
                    : shouhu::OpenRotatablePostgresDataStore(dsn, store_options, *data_key);
    if (!opened.ok()) return opened.status();
    rotatable = opened->get();
    return std::unique_ptr<shouhu::Store>(std::move(*opened));
  };
  auto store = open_store();
  // On a full disk, wait for space instead of exiting (and being restarted
  // in a loop by systemd), looking again each second; SIGTERM ends the wait.
  auto disk_wait = clock.NewAlarm();
  for (bool said = false; !store.ok() && store.status().code() == shouhu::StatusCode::kUnavailable &&
                          store.status().message().find("disk full") != std::string::npos;) {
    if (!said) {
      shouhu::log::Warning("waiting for disk space 等待磁盘空间: " + store.status().message(),
                           {{"event", "disk_full"}});
      said = true;
    }
    disk_wait->WaitUntil(clock.Now() + std::chrono::seconds(1));
    store = open_store();
  }
  if (!store.ok()) {
    shouhu::log::Error(std::string(config->postgres_dsn.empty()
                                       ? "cannot open the data directory " + config->data_dir
                                       : "cannot open the PostgreSQL store") +
                       ": " + store.status().ToString());
    if (store.status().code() == shouhu::StatusCode::kPermissionDenied ||
        store.status().code() == shouhu::StatusCode::kFailedPrecondition) {
      return Refuse("refusing to start: the data key does not fit the store");
    }
    return Refuse("refusing to start: the store cannot be opened");
  }
  if (data_key) {
    Say("data encrypted at rest under key " + shouhu::DataKeyIdText(data_key->id) + " (" +
        data_key->source + ")");
  }

  disk_wait.reset();
  // Several nodes may share a PostgreSQL store: the timer shards and the
  // outbox go by leases there (shouhu/leases.h). RocksDB: one process.
  constexpr int kTimerThreads = 2;  // the same on every node: the shards' leases
  std::unique_ptr<shouhu::LeaseHolder> leases;
  if (!config->postgres_dsn.empty()) {
    std::vector<std::string> names{std::string(shouhu::kOutboxLease)};
    for (int i = 0; i < kTimerThreads; ++i) names.push_back(shouhu::TimerLeaseName(i, kTimerThreads));
    auto held = shouhu::OpenPostgresLeases(config->postgres_dsn, clock, shouhu::UniqueLeaseOwner(),
                                           names, config->leases);
    if (!held.ok()) return Refuse("cannot take part in the leases: " + held.status().ToString());
    leases = std::move(*held);
    leases->Start();
    Say("leases as " + leases->owner() + " (ttl " + std::to_string(config->leases.ttl.count()) +
        " ms, renewed every " + std::to_string(config->leases.renew.count()) + " ms)");
  }
  // The organisation: the file seeds the store on first start; from then on
  // the store holds it and administrators change it through the API.
  std::unique_ptr<shouhu::OrganisationDirectory> orgs;
  if (org) {
    auto opened = shouhu::OrganisationDirectory::Open(
        **store, clock, *org, {shouhu::KnownRoles(*org, catalog), config->organisation_path});
    if (!opened.ok()) {
      return Refuse("cannot read the organisation from the store: " +
                    opened.status().ToString());
    }
    orgs = std::move(*opened);
    if (orgs->seeded()) {
      std::fprintf(stderr, "shouhud: organisation seeded from %s 组织架构已从文件导入\n",
                   config->organisation_path.c_str());
    } else {
      std::fprintf(stderr,
                   "shouhud: organisation from the store, version %llu 组织架构以数据库为准 "
                   "(%s is only the seed)\n",
                   static_cast<unsigned long long>(orgs->version()),
                   config->organisation_path.c_str());
    }
  } else {
    orgs = std::make_unique<shouhu::OrganisationDirectory>(shouhu::Organisation{});
  }
  shouhu::TimerLoop* loop_ptr = nullptr;
  std::atomic<shouhu::Dispatcher*> dispatcher_ptr{nullptr};
  std::atomic<shouhu::api::ApiEndpoint*> api_ptr{nullptr};
  shouhu::RuntimeOptions options;
  options.request_retention = config->request_retention;
  options.leases = leases.get();
  if (org) options.child_in_reach = shouhu::api::ChildInReach(*orgs);
  options.on_timer_armed = [&](shouhu::Instant due) {
    if (loop_ptr) loop_ptr->Wake(due);
  };
  options.on_outbox_filled = [&] {
    if (auto* d = dispatcher_ptr.load()) d->Wake();
  };
  options.on_timers_fired = [&](const std::vector<shouhu::Instant>& dues) {
    if (auto* api = api_ptr.load()) api->CountTimersFired(dues.size());
    Say("fired " + std::to_string(dues.size()) + " timer(s)");
  };
  if (org) {
    options.unit_type = [&orgs](std::string_view unit) {
      const shouhu::Unit* u = orgs->Current()->FindUnit(unit);
      return u ? u->type : std::string();
    };
  }
  auto runtime = shouhu::Runtime::Create(**store, catalog, clock, options);
  if (!runtime.ok()) {
    return Refuse("cannot start the runtime: " + runtime.status().ToString());
  }
  // An online key rotation the store was left in goes on now.
  std::unique_ptr<shouhu::KeyRotationService> key_rotation;
  if (rotatable) {
    if (rotatable->Progress().rotating) {
      std::fprintf(stderr, "shouhud: resuming the key rotation to key %s\n",
                   shouhu::DataKeyIdText(rotatable->Progress().key_id).c_str());
    }
    key_rotation = shouhu::StartKeyRotation(
        *rotatable, **runtime, {config->rotation_batch, Say});
  }
  // Timers that came due while the daemon was down fire first, oldest first.
  shouhu::TimerLoop timers(**runtime, clock, kTimerThreads, leases.get());
  loop_ptr = &timers;
  timers.Start();
  auto dispatcher = shouhu::StartDispatcher(config->notifiers, std::move(start->channels), **runtime,
                                            catalog, org ? orgs.get() : nullptr, access, clock,
                                            leases.get());
  if (!dispatcher.ok()) {
    return Refuse("refusing to start: " + dispatcher.status().message());
  }
  dispatcher_ptr = dispatcher->get();

  // The HTTP API (api/endpoint.h); tests read the bound port from this line.
  auto api = shouhu::api::ApiEndpoint::Start(
      **runtime, catalog, *orgs, **store, clock,
      EndpointConfigOf(*config, &access, key_rotation.get(), simulated));
  if (!api.ok()) {
    if (*dispatcher) (*dispatcher)->Stop();
    timers.Stop();
    return Refuse("cannot start the API: " + api.status().message());
  }
  api_ptr = api->get();
  Say("listening on " + (*api)->BoundAddress() + ((*api)->tls() ? " (TLS)" : ""));

  boost::asio::io_context io;
  boost::asio::signal_set signals(io, SIGTERM, SIGINT, SIGHUP);
  std::function<void(const boost::system::error_code&, int)> on_signal =
      [&](const boost::system::error_code& ec, int sig) {
        if (ec) return;
        if (sig == SIGHUP) {
          // Everything start-up checks, checked again; if all is well the
          // workflows (new ones, new versions) are swapped in between two
          // lookups: requests in flight finish on what they started with.
          // A bad configuration, or a loaded version changed or gone, is
          // refused and the running catalog kept.
          shouhu::service_manager::Reloading("reloading the workflows 重新加载工作流");
          Say("SIGHUP received: reloading " + config_path);
          size_t reload_problems = 0;
          auto next = Check(config_path, stderr, data_dir, listen, &reload_problems);
          std::vector<std::string> refused;
          if (next) refused = catalog.Adopt(next->catalog);
          for (const std::string& why : refused) {
            shouhu::log::Warning("reload refused 拒绝重新加载: " + why,
                                 {{"event", "reload_refused"}});
          }
          if (next && refused.empty()) {
            Say("reloaded 已重新加载: " + std::to_string(catalog.All().size()) +
                " workflow version(s); the access rules, the organisation seed and the "
                "notifiers apply at the next restart (访问规则等在重启后生效)");
          } else {
            shouhu::log::Warning("the configuration on disk has " +
                                     std::to_string(next ? refused.size() : reload_problems) +
                                     " problem(s) 配置有误; the running one is kept 继续使用当前配置",
                                 {{"event", "reload_refused"}});
          }
          shouhu::service_manager::Ready("serving on " + (*api)->BoundAddress());
          signals.async_wait(on_signal);
          return;
        }
        Say(std::string(sig == SIGTERM ? "SIGTERM" : "SIGINT") + " received, shutting down");
        shouhu::service_manager::Stopping();
        io.stop();
      };
  signals.async_wait(on_signal);
  // systemd's watchdog (WatchdogSec=): a keep-alive at half the interval
  // from this thread, so a wedged main loop gets the service restarted.
  boost::asio::steady_timer watchdog(io);
  std::function<void()> keep_alive = [&] {
    shouhu::service_manager::KeepAlive();
    watchdog.expires_after(*shouhu::service_manager::WatchdogInterval() / 2);
    watchdog.async_wait([&](const boost::system::error_code& ec) {
      if (!ec) keep_alive();
    });
  };
  if (shouhu::service_manager::WatchdogInterval()) keep_alive();
  Say("ready, data in " + config->data_dir);
  shouhu::service_manager::Ready("serving on " + (*api)->BoundAddress() + ", " +
                                 std::to_string(catalog.All().size()) + " workflow(s)");
  io.run();
  (*api)->Stop();
  api_ptr = nullptr;
  dispatcher_ptr = nullptr;
  if (*dispatcher) (*dispatcher)->Stop();
  timers.Stop();
  loop_ptr = nullptr;
  // Nothing runs under the leases now: hand them over at once.
  if (leases) leases->Stop(/*release=*/true);
  key_rotation.reset();
  runtime->reset();
  store->reset();  // flush and close RocksDB before exiting
  Say("stopped");
  return 0;
}
