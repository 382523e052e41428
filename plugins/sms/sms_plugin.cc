// The SMS notifier: one HTTP request per send to an SMS gateway, described
// entirely by configuration (URL, headers, body template, HMAC signature,
// success field).
//
// "provider": "generic" covers without code gateways that take JSON or form
// bodies with an API key in a header or field, HMAC-SHA256 over any template
// of the request's values (hex or base64, in a header), and "HTTP 200 but
// Code != OK" answers. "aliyun" and "tencent" speak Alibaba Cloud SMS and
// Tencent Cloud SMS with their own signatures (ACS3-HMAC-SHA256,
// TC3-HMAC-SHA256) and error codes (cloud_sms.h).
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
#include "cloud_sms.h"
#include "shouhu_notifier.h"
#include "sms_request.h"

namespace shouhu::plugin {
namespace {

const shouhu_setting kSettings[] = {
    {"provider", SHOUHU_SETTING_ENUM, 0, "generic", "generic|aliyun|tencent",
     "generic: the request described by the settings below; aliyun: Alibaba "
     "Cloud SMS SendSms (ACS3-HMAC-SHA256); tencent: Tencent Cloud SMS "
     "SendSms (TC3-HMAC-SHA256)."},
    {"access_key_id", SHOUHU_SETTING_STRING, 0, "", nullptr,
     "aliyun: AccessKey ID; tencent: SecretId."},
    {"access_key_secret", SHOUHU_SETTING_SECRET, 0, "", nullptr,
     "aliyun: AccessKey secret; tencent: SecretKey."},
    {"sdk_app_id", SHOUHU_SETTING_STRING, 0, "", nullptr,
     "tencent: the SmsSdkAppId of the SMS application."},
    {"region", SHOUHU_SETTING_STRING, 0, "ap-guangzhou", nullptr,
     "tencent: X-TC-Region."},
    {"template_params", SHOUHU_SETTING_MAP, 0, "{}", nullptr,
     "tencent: provider template id -> the notification's placeholders in "
     "the template's positional order, comma-separated, e.g. "
     "{\"1234567\": \"case_id,unit\"}; unlisted: in the order of their names."},
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
  std::string provider;
  SmsRequestBuilder request;  // generic
  ResponseCheck check;        // generic
  CloudAccount cloud;         // aliyun, tencent
};

// The cloud providers' settings; errors go to the reader.
void ConfigureCloud(ConfigReader& r, const std::string& provider, CloudAccount* a) {
  r.String("url", &a->url);
  r.String("access_key_id", &a->key_id);
  r.String("access_key_secret", &a->secret);
  r.String("sign_name", &a->sign_name);
  r.String("sdk_app_id", &a->app_id);
  r.String("region", &a->region);
  r.Map("template_params", &a->param_order);
  r.Int("timeout_ms", &a->timeout_ms);
  if (!r.ok()) return;
  if (a->key_id.empty()) return r.Fail("access_key_id", "required for provider " + provider);
  if (a->secret.empty()) return r.Fail("access_key_secret", "required for provider " + provider);
  if (a->sign_name.empty()) return r.Fail("sign_name", "required for provider " + provider);
  if (provider == "tencent" && a->app_id.empty()) {
    return r.Fail("sdk_app_id", "required for provider tencent");
  }
}

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
    r.String("provider", &sms->provider);
    sms->request.Configure(r);
    if (sms->provider == "generic") {
      sms->check.Configure(r);
    } else {
      ConfigureCloud(r, sms->provider, &sms->cloud);
    }
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

    std::string reason;
    int rc;
    if (sms.provider == "generic") {
      HttpRequest request;
      if (!sms.request.Build(v, &request, &reason)) {
        WriteError(err, errlen, reason);
        return SHOUHU_SEND_PERMANENT;
      }
      HttpResponse response = HttpPerform(request);
      rc = ClassifyHttp(response, &reason);
      if (rc == SHOUHU_SEND_OK) rc = sms.check.Check(response.body, &reason);
    } else {
      if (v.template_id.empty()) {
        WriteError(err, errlen,
                   "no provider template id for this notification (template_ids in the "
                   "channel's configuration)");
        return SHOUHU_SEND_PERMANENT;
      }
      const bool aliyun = sms.provider == "aliyun";
      Signing at{now_ms / 1000, v.nonce};
      HttpRequest request = aliyun ? AliyunSendSms(sms.cloud, v, at) : TencentSendSms(sms.cloud, v, at);
      if (!HeadersAreSingleLines(request, &reason)) {
        WriteError(err, errlen, reason);
        return SHOUHU_SEND_PERMANENT;
      }
      HttpResponse response = HttpPerform(request);
      rc = aliyun ? AliyunVerdict(response, &reason) : TencentVerdict(response, &reason);
    }
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
