// The API as the daemon runs it: reads the "api" section of the daemon's
// configuration, opens the tokens file, starts the server and says where it
// listens. main.cc needs only this header.
//
// Configuration ("api" in shouhud.json, every member optional):
//   {"tls_cert": "cert.pem", "tls_key": "key.pem",   // HTTPS when both set
//    "tokens": "path/tokens.json",   // default: <data_dir>/tokens.json
//    "max_body_bytes": 1048576, "request_timeout_ms": 10000,
//    "rate_per_second": 50, "rate_burst": 100,      // per client
//    "workers": 8, "queue_capacity": 256, "io_threads": 2,
//    "max_connections": 1000, "header_timeout_ms": 10000,  // see server.h
//    "helper_cap": 2,               // children per helper (帮扶结对), rosters
//    "sessions": {"idle": "PT30M", "absolute": "PT12H"},   // browser sessions
//    "sign_in": {"free_failures": 3, "delay": "PT1S",       // then doubling
//                "account_failures": 5, "address_failures": 20, "lock": "PT15M"},
//    "attachments": {"max_image_mb": 20, "max_video_mb": 100,     // evidence files
//                    "max_document_mb": 20, "max_files": 10,
//                    "chunk_kb": 512, "upload_expiry": "P2D"}}
// Passwords and invitations live in credentials.json beside the tokens file.
//
// Thread safety: Start and Stop from the main thread.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "shouhu/access.h"
#include "shouhu/backup.h"
#include "shouhu/catalog.h"
#include "shouhu/clock.h"
#include "shouhu/key_rotation.h"
#include "shouhu/org_directory.h"
#include "shouhu/runtime.h"
#include "shouhu/status.h"
#include "shouhu/store.h"

namespace shouhu::api {

class ApiService;
class ApiServer;

struct EndpointConfig {
  nlohmann::json section = nlohmann::json::object();  // the "api" member
  std::string config_dir;  // relative paths in `section` resolve here
  std::string data_dir;
  std::string web_root;  // the web app's folder, resolved; "" = none
  std::string address = "127.0.0.1";
  int port = 8620;
  const AccessRules* access = nullptr;  // null: nobody may do anything
  // The data key's online rotation; null when the store is not encrypted.
  KeyRotationService* key_rotation = nullptr;
  BackupOptions backup;                 // online backups (POST /api/v1/backups)
  // The daemon's clock when it runs on simulated time (--simulated-time):
  // POST /api/v1/clock moves it. Null (always, in production): no such route.
  FakeClock* simulated_clock = nullptr;
};

class ApiEndpoint {
 public:
  // kInvalidArgument for a bad "api" section (naming the member) or TLS
  // files that cannot be loaded; kUnavailable when the port cannot be bound.
  // REQUIRES: runtime, catalog, orgs, store and clock outlive the endpoint.
  static StatusOr<std::unique_ptr<ApiEndpoint>> Start(
      Runtime& runtime, const Catalog& catalog, OrganisationDirectory& orgs,
      Store& store, const Clock& clock, const EndpointConfig& config);
  ~ApiEndpoint();
  // What Start checks of `config` before it binds: the "api" section and the
  // TLS files. Nothing is opened or bound.
  static Status CheckConfig(const EndpointConfig& config);

  // "127.0.0.1:8620"
  std::string BoundAddress() const;
  bool tls() const;
  void CountTimersFired(size_t n);
  // Readiness off, stop accepting, finish queued requests.
  void Stop();

 private:
  ApiEndpoint();
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

}  // namespace shouhu::api
