// Reads the "api" configuration section and assembles tokens, service and
// server for the daemon.
#include "api/endpoint.h"

#include <filesystem>

#include "api/api_service.h"
#include "api/server.h"
#include "auth/token_store.h"

namespace shouhu::api {
namespace {

using nlohmann::json;

// A positive ISO 8601 duration of days, hours, minutes or seconds.
std::optional<std::chrono::milliseconds> ExactDuration(const json& v) {
  if (!v.is_string()) return std::nullopt;
  auto d = ParseDuration(v.get<std::string>());
  if (!d.ok() || d->years || d->months || d->is_zero()) return std::nullopt;
  return std::chrono::milliseconds((int64_t{d->days} * 86400 + d->seconds) * 1000);
}

// "sessions" and "sign_in": objects of durations and counts.
Status ParseAuthSection(const std::string& name, const json& s, ApiOptions* api) {
  if (!s.is_object()) return InvalidArgument("/api/" + name + ": expected an object");
  for (auto it = s.begin(); it != s.end(); ++it) {
    const std::string& k = it.key();
    auto bad = [&](const std::string& why) {
      return InvalidArgument("/api/" + name + "/" + k + ": " + why);
    };
    std::chrono::milliseconds* duration =
        name == "sessions" ? (k == "idle" ? &api->sessions.idle
                              : k == "absolute" ? &api->sessions.absolute : nullptr)
                           : (k == "delay" ? &api->sign_in.delay
                              : k == "lock" ? &api->sign_in.lock : nullptr);
    int* count = name != "sign_in" ? nullptr
                 : k == "free_failures" ? &api->sign_in.free_failures
                 : k == "account_failures" ? &api->sign_in.account_failures
                 : k == "address_failures" ? &api->sign_in.address_failures
                                          : nullptr;
    if (duration) {
      auto d = ExactDuration(it.value());
      if (!d) return bad("expected a duration such as \"PT30M\"");
      *duration = *d;
    } else if (count) {
      if (!it.value().is_number_unsigned() || it.value().get<uint64_t>() == 0 ||
          it.value().get<uint64_t>() > 1'000'000) {
        return bad("expected a positive integer");
      }
      *count = static_cast<int>(it.value().get<uint64_t>());
    } else {
      return bad("unknown member \"" + k + "\"");
    }
  }
  return Status::Ok();
}

// "attachments": limits of evidence files (attachment_store.h).
Status ParseAttachmentsSection(const json& s, ApiOptions* api) {
  if (!s.is_object()) return InvalidArgument("/api/attachments: expected an object");
  evidence::AttachmentLimits& l = api->attachments;
  for (auto it = s.begin(); it != s.end(); ++it) {
    const std::string& k = it.key();
    auto bad = [&](const std::string& why) {
      return InvalidArgument("/api/attachments/" + k + ": " + why);
    };
    if (k == "upload_expiry") {
      auto d = ExactDuration(it.value());
      if (!d) return bad("expected a duration such as \"P2D\"");
      l.upload_expiry = *d;
      continue;
    }
    if (!it.value().is_number_unsigned() || it.value().get<uint64_t>() == 0 ||
        it.value().get<uint64_t>() > 4096) {
      return bad("expected a positive integer up to 4096");
    }
    const uint64_t n = it.value().get<uint64_t>();
    if (k == "max_image_mb") l.max_image_bytes = n << 20;
    else if (k == "max_video_mb") l.max_video_bytes = n << 20;
    else if (k == "max_document_mb") l.max_document_bytes = n << 20;
    else if (k == "max_files") l.max_per_record = n;
    else if (k == "chunk_kb") l.chunk_bytes = n << 10;
    else return bad("unknown member \"" + k + "\"");
  }
  return Status::Ok();
}

Status ParseSection(const EndpointConfig& config, ServerOptions* server,
                    ApiOptions* api, std::string* tokens_path) {
  const json& s = config.section;
  if (!s.is_object()) return InvalidArgument("/api: expected an object");
  auto path = [&](const std::string& p) {
    std::filesystem::path fp(p);
    return fp.is_absolute() ? p
                            : (std::filesystem::path(config.config_dir) / fp)
                                  .lexically_normal()
                                  .string();
  };
  *tokens_path = TokensPathFor(config.data_dir);
  for (auto it = s.begin(); it != s.end(); ++it) {
    const std::string& k = it.key();
    const json& v = it.value();
    auto bad = [&](const std::string& why) {
      return InvalidArgument("/api/" + k + ": " + why);
    };
    if (k == "tls_cert" || k == "tls_key" || k == "tokens") {
      if (!v.is_string() || v.get<std::string>().empty()) return bad("expected a file path");
      std::string p = path(v.get<std::string>());
      (k == "tls_cert" ? server->tls_cert : k == "tls_key" ? server->tls_key : *tokens_path) = p;
    } else if (k == "sessions" || k == "sign_in") {
      SHOUHU_RETURN_IF_ERROR(ParseAuthSection(k, v, api));
    } else if (k == "attachments") {
      SHOUHU_RETURN_IF_ERROR(ParseAttachmentsSection(v, api));
    } else if (k == "rate_per_second" || k == "rate_burst") {
      if (!v.is_number() || v.get<double>() < 0) return bad("expected a number >= 0");
      (k == "rate_per_second" ? api->rate_per_second : api->rate_burst) = v.get<double>();
    } else if (k == "max_body_bytes" || k == "request_timeout_ms" || k == "workers" ||
               k == "queue_capacity" || k == "io_threads" || k == "max_connections" ||
               k == "header_timeout_ms" || k == "helper_cap") {
      if (!v.is_number_unsigned() || v.get<uint64_t>() == 0 || v.get<uint64_t>() > (1u << 30)) {
        return bad("expected a positive integer");
      }
      uint64_t n = v.get<uint64_t>();
      if (k == "max_body_bytes") server->max_body_bytes = n;
      if (k == "helper_cap") api->helper_cap = n;
      if (k == "request_timeout_ms") server->request_timeout = std::chrono::milliseconds(n);
      if (k == "workers") server->workers = static_cast<int>(std::min<uint64_t>(n, 256));
      if (k == "queue_capacity") server->queue_capacity = n;
      if (k == "io_threads") server->io_threads = static_cast<int>(std::min<uint64_t>(n, 64));
      if (k == "max_connections") server->max_connections = n;
      if (k == "header_timeout_ms") server->header_timeout = std::chrono::milliseconds(n);
    } else {
      return bad("unknown member \"" + k + "\"");
    }
  }
  // A chunk travels as one request body: a chunk size set by hand must fit
  // in it; the default shrinks to fit.
  const bool chunk_set = s.contains("attachments") && s["attachments"].is_object() &&
                         s["attachments"].contains("chunk_kb");
  if (api->attachments.chunk_bytes > server->max_body_bytes) {
    if (chunk_set) {
      return InvalidArgument("/api/attachments/chunk_kb: a chunk must fit in max_body_bytes (" +
                             std::to_string(server->max_body_bytes) + ")");
    }
    api->attachments.chunk_bytes = server->max_body_bytes;
  }
  if (server->tls_cert.empty() != server->tls_key.empty()) {
    return InvalidArgument("/api: tls_cert and tls_key go together");
  }
  api->secure_cookies = !server->tls_cert.empty();
  api->web_root = config.web_root;
  api->backup = config.backup;
  return Status::Ok();
}

}  // namespace

struct ApiEndpoint::Parts {
  AccessRules no_rules;  // deny everything
  std::unique_ptr<TokenStore> tokens;
  std::unique_ptr<ApiService> service;
  std::unique_ptr<ApiServer> server;
};

ApiEndpoint::ApiEndpoint() : parts_(std::make_unique<Parts>()) {}
ApiEndpoint::~ApiEndpoint() { Stop(); }

StatusOr<std::unique_ptr<ApiEndpoint>> ApiEndpoint::Start(
    Runtime& runtime, const Catalog& catalog, OrganisationDirectory& orgs, Store& store,
    const Clock& clock, const EndpointConfig& config) {
  ServerOptions server_options;
  server_options.address = config.address;
  server_options.port = config.port;
  server_options.clock = &clock;
  ApiOptions api_options;
  std::string tokens_path;
  SHOUHU_RETURN_IF_ERROR(ParseSection(config, &server_options, &api_options, &tokens_path));
  std::unique_ptr<ApiEndpoint> e(new ApiEndpoint());
  e->parts_->tokens = std::make_unique<TokenStore>(tokens_path);
  e->parts_->service = std::make_unique<ApiService>(
      ApiDeps{runtime, catalog, orgs, *e->parts_->tokens, store, clock,
              config.access ? *config.access : e->parts_->no_rules, config.key_rotation,
              config.simulated_clock},
      api_options);
  auto server = ApiServer::Start(*e->parts_->service, server_options);
  if (!server.ok()) return server.status();
  e->parts_->server = std::move(*server);
  e->parts_->service->SetReady(true);
  return e;
}

Status ApiEndpoint::CheckConfig(const EndpointConfig& config) {
  ServerOptions server_options;
  ApiOptions api_options;
  std::string tokens_path;
  SHOUHU_RETURN_IF_ERROR(ParseSection(config, &server_options, &api_options, &tokens_path));
  return CheckTlsFiles(server_options);
}

std::string ApiEndpoint::BoundAddress() const { return parts_->server->BoundAddress(); }
bool ApiEndpoint::tls() const { return parts_->server->tls(); }
void ApiEndpoint::CountTimersFired(size_t n) { parts_->service->CountTimersFired(n); }

void ApiEndpoint::Stop() {
  if (!parts_ || !parts_->server) return;
  parts_->service->SetReady(false);
  parts_->server->Stop();
}

}  // namespace shouhu::api
