// The HTTP request the SMS plugin sends, built from templates in its
// configuration so that a generic gateway or a cloud SMS API can be described
// without new code. Immutable after Configure; thread-safe.
#pragma once

#include <map>
#include <string>

#include "common/config.h"
#include "common/http.h"
#include "common/template.h"
#include "shouhu_notifier.h"

namespace shouhu::plugin {

// Per-attempt values every placeholder draws from.
struct SmsValues {
  std::string phone, template_id, params_json, idempotency_key, content;
  std::string timestamp, timestamp_ms, nonce;  // fresh for each attempt
};

class SmsRequestBuilder {
 public:
  // Reads url, method, headers, content_type, body_template, body_encoding,
  // sign_name, hmac_* and timeout_ms; errors go to the reader.
  void Configure(ConfigReader& reader);

  // The request for one attempt. Returns false with `reason` when a rendered
  // header value holds CR or LF (a message cannot inject headers).
  bool Build(const SmsValues& values, HttpRequest* out,
             std::string* reason) const;

 private:
  enum class Escape { kJson, kForm, kRaw, kUrl };
  std::string Value(const SmsValues& v, const std::string& name,
                    Escape escape) const;

  Template url_, body_, hmac_payload_;
  std::map<std::string, Template> headers_;
  std::string method_, content_type_, sign_name_;
  Escape body_escape_ = Escape::kJson;
  std::string hmac_key_, hmac_header_, hmac_encoding_, hmac_prefix_;
  int64_t timeout_ms_ = 10000;
};

}  // namespace shouhu::plugin
