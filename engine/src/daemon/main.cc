// shouhud: the shouhu daemon. Loads and validates the workflow definitions
// (refusing to start on any error), opens the RocksDB data directory, and runs
// until SIGTERM or SIGINT, then shuts down cleanly and exits 0.
#include <cstdio>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>

#include <sys/stat.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "api/endpoint.h"
#include "api/policy.h"
#include "daemon/config.h"
#include "daemon/notifiers.h"
#include "shouhu/access.h"
#include "shouhu/catalog.h"
#include "shouhu/clock.h"
#include "shouhu/data_store.h"
#include "shouhu/key_rotation.h"
#include "shouhu/org.h"
#include "shouhu/runtime.h"
#include "shouhu/store.h"
#include "shouhu/timer_loop.h"

namespace {

constexpr const char* kUsage =
    "usage: shouhud --config <file.json> [--data-dir <dir>] [--listen <addr:port>]\n"
    "\n"
    "Starts the shouhu (守护) daemon. The configuration names the data\n"
    "directory, the workflow definition files or folders and the listen\n"
    "address; see deploy/shouhud.json. --data-dir and --listen override the\n"
    "file's (port 0 = any free port; the bound address is printed).\n";

}  // namespace

int main(int argc, char** argv) {
  // Children's data: what shouhud creates (RocksDB's files, tokens, backups)
  // is for its own user only, whatever the caller's umask.
  ::umask(0077);
  std::string config_path, data_dir, listen;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if ((a == "--config" || a == "--data-dir" || a == "--listen") && i + 1 < argc) {
      (a == "--config" ? config_path : a == "--data-dir" ? data_dir : listen) = argv[++i];
    } else if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else {
      std::fprintf(stderr, "shouhud: unknown argument \"%s\"\n\n%s", a.c_str(),
                   kUsage);
      return 2;
    }
  }
  if (config_path.empty()) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  auto config = shouhu::LoadDaemonConfig(config_path);
  if (!config.ok()) {
    std::fprintf(stderr, "shouhud: %s\n", config.status().message().c_str());
    return 1;
  }
  if (!data_dir.empty()) config->data_dir = data_dir;
  if (!listen.empty() && listen.rfind(':') == std::string::npos) {
    std::fprintf(stderr, "shouhud: --listen expects address:port\n");
    return 2;
  }
  if (auto colon = listen.rfind(':'); colon != std::string::npos) {
    config->listen_address = listen.substr(0, colon);
    config->listen_port = std::atoi(listen.c_str() + colon + 1);
  }

  // The data key, read once. Without one (or with a wrong one, checked when
  // the store opens) shouhud starts nothing and changes nothing on disk.
  std::optional<shouhu::DataKey> data_key;
  if (config->unencrypted) {
    std::fprintf(stderr,
                 "shouhud: WARNING 警告: the store is not encrypted (\"encryption\": "
                 "{\"none\": \"development\"}); never use this set-up for real cases\n");
  } else {
    auto key = shouhu::ReadDataKeyFile(config->key_file);
    if (!key.ok()) {
      std::fprintf(stderr, "shouhud: %s\nshouhud: refusing to start: no usable data key\n",
                   key.status().message().c_str());
      return 1;
    }
    data_key = std::move(*key);
  }

  std::vector<shouhu::DefinitionError> errors;
  auto catalog = shouhu::Catalog::Load(config->workflow_paths, &errors);
  if (!errors.empty()) {
    for (const auto& e : errors) {
      std::fprintf(stderr, "%s\n", e.ToString().c_str());
    }
    std::fprintf(stderr,
                 "shouhud: refusing to start: %zu error(s) in the workflow "
                 "definitions\n",
                 errors.size());
    return 1;
  }
  if (catalog.All().empty()) {
    std::fprintf(stderr, "shouhud: refusing to start: no workflow loaded\n");
    return 1;
  }

  std::optional<shouhu::Organisation> org;
  if (!config->organisation_path.empty()) {
    auto loaded = shouhu::Organisation::Load(config->organisation_path);
    if (!loaded.ok()) {
      std::fprintf(stderr, "%s\nshouhud: refusing to start: the organisation is invalid\n",
                   loaded.status().message().c_str());
      return 1;
    }
    org = std::move(*loaded);
    std::fprintf(stderr, "shouhud: organisation: %zu units, %zu users\n",
                 org->units().size(), org->users().size());
  }
  // Who may do and see what; without a rules file nobody may do anything.
  shouhu::AccessRules access;
  if (org) {
    auto rules = shouhu::AccessRules::Load(config->access_path,
                                           shouhu::KnownRoles(*org, catalog));
    if (!rules.ok()) {
      std::fprintf(stderr, "%s\nshouhud: refusing to start: the access rules are invalid\n",
                   rules.status().message().c_str());
      return 1;
    }
    access = std::move(*rules);
    std::fprintf(stderr, "shouhud: access rules: %s\n", config->access_path.c_str());
  }

  // Notifier plugins are loaded and their settings checked before the store.
  auto channels = shouhu::LoadDaemonChannels(config->notifiers, org ? &*org : nullptr);
  if (!channels.ok()) {
    std::fprintf(stderr, "shouhud: %s\nshouhud: refusing to start: a notifier cannot be used\n",
                 channels.status().message().c_str());
    return 1;
  }

  // A fresh install has no data directory yet: create it and its parents.
  std::error_code mkdir_error;
  std::filesystem::create_directories(config->data_dir, mkdir_error);
  if (!mkdir_error) {
    // Also a directory made earlier by someone else (an installer, a test).
    std::filesystem::permissions(config->data_dir, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::replace, mkdir_error);
  }
  if (mkdir_error) {
    std::fprintf(stderr, "shouhud: cannot create the data directory %s: %s\n",
                 config->data_dir.c_str(), mkdir_error.message().c_str());
    return 1;
  }
  shouhu::StoreOptions store_options;
  store_options.min_free_bytes = config->min_free_bytes;
  // Encrypted, the store can change its key while it serves (online
  // rotation, shouhu/key_rotation.h).
  shouhu::RotatableStore* rotatable = nullptr;
  auto open_store = [&]() -> shouhu::StatusOr<std::unique_ptr<shouhu::Store>> {
    if (!data_key) return shouhu::OpenDataStore(config->data_dir, store_options, nullptr);
    auto opened = shouhu::OpenRotatableDataStore(config->data_dir, store_options, *data_key);
    if (!opened.ok()) return opened.status();
    rotatable = opened->get();
    return std::unique_ptr<shouhu::Store>(std::move(*opened));
  };
  auto store = open_store();
  // On a full disk, wait for space instead of exiting (and being restarted
  // in a loop by systemd); SIGTERM ends the wait.
  for (bool said = false; !store.ok() && store.status().code() == shouhu::StatusCode::kUnavailable &&
                          store.status().message().find("disk full") != std::string::npos;) {
    if (!said) {
      std::fprintf(stderr, "shouhud: waiting for disk space 等待磁盘空间: %s\n",
                   store.status().message().c_str());
      said = true;
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
    store = open_store();
  }
  if (!store.ok()) {
    std::fprintf(stderr, "shouhud: cannot open the data directory %s: %s\n",
                 config->data_dir.c_str(), store.status().ToString().c_str());
    if (store.status().code() == shouhu::StatusCode::kPermissionDenied ||
        store.status().code() == shouhu::StatusCode::kFailedPrecondition) {
      std::fprintf(stderr, "shouhud: refusing to start: the data key does not fit the store\n");
    }
    return 1;
  }
  if (data_key) {
    std::fprintf(stderr, "shouhud: data encrypted at rest under key %s (%s)\n",
                 shouhu::DataKeyIdText(data_key->id).c_str(), data_key->source.c_str());
  }
  for (const auto& w : catalog.All()) {
    std::fprintf(stderr, "shouhud: loaded workflow %s v%d (%s)\n",
                 w->id.c_str(), w->version, w->label.zh.c_str());
  }

  shouhu::SystemClock clock;
  shouhu::TimerLoop* loop_ptr = nullptr;
  std::atomic<shouhu::api::ApiEndpoint*> api_ptr{nullptr};
  shouhu::RuntimeOptions options;
  options.request_retention = config->request_retention;
  if (org) options.child_in_reach = shouhu::api::ChildInReach(*org);
  options.on_timer_armed = [&](shouhu::Instant due) {
    if (loop_ptr) loop_ptr->Wake(due);
  };
  options.on_timers_fired = [&](const std::vector<shouhu::Instant>& dues) {
    if (auto* api = api_ptr.load()) api->CountTimersFired(dues.size());
    std::fprintf(stderr, "shouhud: fired %zu timer(s)\n", dues.size());
  };
  if (org) {
    options.unit_type = [&org](std::string_view unit) {
      const shouhu::Unit* u = org->FindUnit(unit);
      return u ? u->type : std::string();
    };
  }
  auto runtime = shouhu::Runtime::Create(**store, catalog, clock, options);
  if (!runtime.ok()) {
    std::fprintf(stderr, "shouhud: cannot start the runtime: %s\n",
                 runtime.status().ToString().c_str());
    return 1;
  }
  // An online key rotation the store was left in goes on now.
  std::unique_ptr<shouhu::KeyRotationService> key_rotation;
  if (rotatable) {
    if (rotatable->Progress().rotating) {
      std::fprintf(stderr, "shouhud: resuming the key rotation to key %s\n",
                   shouhu::DataKeyIdText(rotatable->Progress().key_id).c_str());
    }
    key_rotation = shouhu::StartKeyRotation(
        *rotatable, **runtime, {config->rotation_batch, [](const std::string& line) {
                                  std::fprintf(stderr, "shouhud: %s\n", line.c_str());
                                }});
  }
  // Timers that came due while the daemon was down fire first, oldest first.
  shouhu::TimerLoop timers(**runtime, clock);
  loop_ptr = &timers;
  timers.Start();
  auto dispatcher = shouhu::StartDispatcher(config->notifiers, std::move(*channels), **runtime,
                                            catalog, org ? &*org : nullptr, access, clock);
  if (!dispatcher.ok()) {
    std::fprintf(stderr, "shouhud: refusing to start: %s\n",
                 dispatcher.status().message().c_str());
    return 1;
  }

  // The HTTP API (api/endpoint.h); tests read the bound port from this line.
  const shouhu::Organisation no_users{};
  auto api = shouhu::api::ApiEndpoint::Start(
      **runtime, catalog, org ? *org : no_users, **store, clock,
      {config->api, config->config_dir, config->data_dir, config->web_root,
       config->listen_address, config->listen_port, &access, key_rotation.get()});
  if (!api.ok()) {
    std::fprintf(stderr, "shouhud: cannot start the API: %s\n",
                 api.status().message().c_str());
    if (*dispatcher) (*dispatcher)->Stop();
    timers.Stop();
    return 1;
  }
  api_ptr = api->get();
  std::fprintf(stderr, "shouhud: listening on %s%s\n", (*api)->BoundAddress().c_str(),
               (*api)->tls() ? " (TLS)" : "");

  boost::asio::io_context io;
  boost::asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&](const boost::system::error_code&, int sig) {
    std::fprintf(stderr, "shouhud: %s received, shutting down\n",
                 sig == SIGTERM ? "SIGTERM" : "SIGINT");
    io.stop();
  });
  std::fprintf(stderr, "shouhud: ready, data in %s\n",
               config->data_dir.c_str());
  io.run();
  (*api)->Stop();
  api_ptr = nullptr;
  if (*dispatcher) (*dispatcher)->Stop();
  timers.Stop();
  loop_ptr = nullptr;
  key_rotation.reset();
  runtime->reset();
  store->reset();  // flush and close RocksDB before exiting
  std::fprintf(stderr, "shouhud: stopped\n");
  return 0;
}
