// The SMS notifier: one HTTP request per send to an SMS gateway, described
// entirely by configuration (URL, headers, body template, HMAC signature,
// success field).
//
// Covered without code: gateways that take JSON or form bodies with an API
// key in a header or field, HMAC-SHA256 over any template of the request's
// values (hex or base64, in a header), and "HTTP 200 but Code != OK" answers.
// Not covered: provider schemes with derived keys or canonical requests
// (Tencent Cloud TC3, Alibaba Cloud ACS3); those need a plugin of their own.
#include <curl/curl.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "common/abi_glue.h"
#include "common/config.h"
#include "common/crypto.h"
#include "common/http.h"
#include "common/response_check.h"
#include "common/unix_time.h"
#include "shouhu_notifier.h"
#include "sms_request.h"

namespace shouhu::plugin {
namespace {

const shouhu_setting kSettings[] = {
    {"url", SHOUHU_SETTING_STRING, 1, nullptr, nullptr,
     "Gateway endpoint, http:// or https://. May hold placeholders "
     "(percent-encoded): {{phone}} {{template_id}} {{params_json}} "
     "{{params_json_string}} {{sign_name}} {{idempotency_key}} {{content}} "
     "{{timestamp}} (Unix seconds) {{timestamp_ms}} {{nonce}} (32 hex)."},
    {"method", SHOUHU_SETTING_ENUM, 0, "POST", "POST|PUT|GET",
     "HTTP method; GET sends no body."},
    {"headers", SHOUHU_SETTING_MAP, 0, "{}", nullptr,
     "Extra request headers, e.g. {\"Authorization\": \"Bearer ...\"}; values "
     "may hold placeholders (inserted as is)."},
    {"content_type", SHOUHU_SETTING_STRING, 0, "application/json", nullptr,
     "Content-Type of the body."},
    {"body_template", SHOUHU_SETTING_STRING, 0,
     "{\"phone\":\"{{phone}}\",\"template_id\":\"{{template_id}}\","
     "\"params\":{{params_json}},\"sign_name\":\"{{sign_name}}\","
     "\"idempotency_key\":\"{{idempotency_key}}\"}",
     nullptr,
     "Request body with placeholders (see url), escaped per body_encoding."},
    {"body_encoding", SHOUHU_SETTING_ENUM, 0, "json", "json|form|raw",
     "How placeholder values are escaped in body_template. json: for use "
     "inside a JSON string, except {{params_json}}, which is inserted as a "
     "JSON object ({{params_json_string}} is the same JSON as string "
     "content). form: percent-encoded. raw: as is."},
    {"sign_name", SHOUHU_SETTING_STRING, 0, "", nullptr,
     "SMS signature (签名) registered with the provider, for {{sign_name}}."},
    {"hmac_key", SHOUHU_SETTING_SECRET, 0, "", nullptr,
     "Key for an HMAC-SHA256 request signature; empty: no signature."},
    {"hmac_header", SHOUHU_SETTING_STRING, 0, "X-Signature", nullptr,
     "Header that carries the signature."},
    {"hmac_payload", SHOUHU_SETTING_STRING, 0, "{{timestamp}}.{{body}}",
     nullptr,
     "What is signed: a template over the placeholders above (as is) plus "
     "{{body}}, the rendered request body."},
    {"hmac_encoding", SHOUHU_SETTING_ENUM, 0, "hex", "hex|base64",
     "Encoding of the signature."},
    {"hmac_prefix", SHOUHU_SETTING_STRING, 0, "", nullptr,
     "Text before the signature in the header, e.g. \"sha256=\"."},
    {"success_field", SHOUHU_SETTING_STRING, 0, "", nullptr,
     "JSON pointer into a 2xx response that says whether the gateway "
     "accepted the message, e.g. /Code; empty: the HTTP status decides."},
    {"success_value", SHOUHU_SETTING_STRING, 0, "", nullptr,
     "Value at success_field that means success, e.g. OK or 0."},
    {"retry_values", SHOUHU_SETTING_STRING, 0, "", nullptr,
     "Values at success_field that mean try later (rate limits), separated "
     "by |; any other value is a permanent failure."},
    {"timeout_ms", SHOUHU_SETTING_INT, 0, "10000", nullptr,
     "Limit on one whole request, connect included (1-600000)."},
    {nullptr, 0, 0, nullptr, nullptr, nullptr},
};

struct Sms {
  SmsRequestBuilder request;
  ResponseCheck check;
};

// E.164 with or without the '+', or a national number: 5-20 digits.
bool IsPhone(const std::string& s) {
  size_t start = !s.empty() && s[0] == '+' ? 1 : 0;
  if (s.size() - start < 5 || s.size() - start > 20) return false;
  for (size_t i = start; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

void* Init(const char* config_json, char* err, size_t errlen) {
  return GuardInit(err, errlen, [&]() -> void* {
    auto sms = std::make_unique<Sms>();
    ConfigReader r(kSettings, config_json);
    sms->request.Configure(r);
    sms->check.Configure(r);
    if (!r.ok()) {
      WriteError(err, errlen, r.error());
      return nullptr;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      WriteError(err, errlen, "curl_global_init failed");
      return nullptr;
    }
    return sms.release();
  });
}

int Send(void* ctx, const shouhu_message* msg, char* err, size_t errlen) {
  return GuardSend(err, errlen, [&]() -> int {
    const Sms& sms = *static_cast<Sms*>(ctx);
    SmsValues v;
    v.phone = msg->recipient;
    if (!IsPhone(v.phone)) {
      WriteError(err, errlen,
                 "recipient \"" + v.phone + "\" is not a phone number");
      return SHOUHU_SEND_PERMANENT;
    }
    auto params =
        nlohmann::json::parse(msg->template_params_json, nullptr, false);
    if (!params.is_object()) {
      WriteError(err, errlen, "template params are not a JSON object");
      return SHOUHU_SEND_PERMANENT;
    }
    v.params_json =
        params.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    v.template_id = msg->template_id;
    v.idempotency_key = msg->idempotency_key;
    v.content = msg->body;
    int64_t now_ms = UnixMillis();
    v.timestamp = std::to_string(now_ms / 1000);
    v.timestamp_ms = std::to_string(now_ms);
    v.nonce = RandomHex(16);
    if (v.nonce.empty()) {
      WriteError(err, errlen, "no random bytes for the nonce");
      return SHOUHU_SEND_RETRY;
    }

    HttpRequest request;
    std::string reason;
    if (!sms.request.Build(v, &request, &reason)) {
      WriteError(err, errlen, reason);
      return SHOUHU_SEND_PERMANENT;
    }
    HttpResponse response = HttpPerform(request);
    int rc = ClassifyHttp(response, &reason);
    if (rc == SHOUHU_SEND_OK) rc = sms.check.Check(response.body, &reason);
    if (rc != SHOUHU_SEND_OK) WriteError(err, errlen, reason);
    return rc;
  });
}

const shouhu_notifier_plugin kPlugin = {
    SHOUHU_NOTIFIER_ABI_VERSION,
    "sms",
    "Sends each notification as an SMS through an HTTP gateway described by "
    "templates (generic gateways and HMAC-signed cloud SMS APIs).",
    kSettings,
    &Init,
    &Send,
    &DeleteStateAndCleanupCurl<Sms>,
};

}  // namespace
}  // namespace shouhu::plugin

extern "C" SHOUHU_NOTIFIER_EXPORT const shouhu_notifier_plugin*
shouhu_notifier_entry(void) {
  return &shouhu::plugin::kPlugin;
}
