// The webhook notifier: one JSON POST per send, in the text-message shape of
// WeCom (企业微信) and DingTalk (钉钉) group robots or shouhu's own shape for
// generic integrations, optionally signed.
#include <curl/curl.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "common/abi_glue.h"
#include "common/config.h"
#include "common/crypto.h"
#include "common/encoding.h"
#include "common/http.h"
#include "common/response_check.h"
#include "common/template.h"
#include "common/unix_time.h"
#include "shouhu_notifier.h"

namespace shouhu::plugin {
namespace {

using json = nlohmann::json;

const shouhu_setting kSettings[] = {
    {"url", SHOUHU_SETTING_STRING, 1, nullptr, nullptr,
     "Endpoint, http:// or https://. {{recipient}} is replaced by the "
     "message's recipient (percent-encoded), so one instance serves many "
     "robots: "
     "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={{recipient}}."},
    {"format", SHOUHU_SETTING_ENUM, 0, "text", "text|shouhu",
     "text: "
     "{\"msgtype\":\"text\",\"text\":{\"content\":\"<subject>\\n<body>\"}} "
     "(WeCom and DingTalk robots). shouhu: {\"idempotency_key\", "
     "\"recipient\", \"subject\", \"body\", \"template_id\", \"params\", "
     "\"urgent\"}."},
    {"sign", SHOUHU_SETTING_ENUM, 0, "none", "none|header|dingtalk",
     "header: X-Shouhu-Timestamp (Unix seconds) and X-Shouhu-Signature: "
     "sha256=<hex HMAC-SHA256 of timestamp + \".\" + body>. dingtalk: "
     "timestamp (ms) and sign (base64 HMAC-SHA256 of timestamp + \"\\n\" + "
     "secret) query parameters, as DingTalk robots with 加签 expect."},
    {"secret", SHOUHU_SETTING_SECRET, 0, "", nullptr,
     "HMAC key; required unless sign is none."},
    {"headers", SHOUHU_SETTING_MAP, 0, "{}", nullptr,
     "Extra request headers, e.g. {\"Authorization\": \"Bearer ...\"}."},
    {"success_field", SHOUHU_SETTING_STRING, 0, "", nullptr,
     "JSON pointer into a 2xx response that says whether it was accepted; "
     "robots answer HTTP 200 with {\"errcode\": 0}, so use /errcode. Empty: "
     "the HTTP status decides."},
    {"success_value", SHOUHU_SETTING_STRING, 0, "", nullptr,
     "Value at success_field that means success, e.g. 0."},
    {"retry_values", SHOUHU_SETTING_STRING, 0, "", nullptr,
     "Values at success_field that mean try later, separated by |, e.g. "
     "45009 (WeCom rate limit)|130101 (DingTalk rate limit)."},
    {"timeout_ms", SHOUHU_SETTING_INT, 0, "10000", nullptr,
     "Limit on one whole request, connect included (1-600000)."},
    {nullptr, 0, 0, nullptr, nullptr, nullptr},
};

struct Webhook {
  Template url;
  std::string format, sign, secret;
  std::map<std::string, std::string> headers;
  int64_t timeout_ms = 10000;
  ResponseCheck check;
};

void* Init(const char* config_json, char* err, size_t errlen) {
  return GuardInit(err, errlen, [&]() -> void* {
    auto hook = std::make_unique<Webhook>();
    std::string url, why;
    ConfigReader r(kSettings, config_json);
    r.String("url", &url);
    r.String("format", &hook->format);
    r.String("sign", &hook->sign);
    r.String("secret", &hook->secret);
    r.Map("headers", &hook->headers);
    r.Int("timeout_ms", &hook->timeout_ms);
    hook->check.Configure(r);
    if (r.ok() && url.rfind("http://", 0) != 0 &&
        url.rfind("https://", 0) != 0) {
      r.Fail("url", "must start with http:// or https://");
    }
    if (r.ok() && !hook->url.Parse(url, {"recipient"}, &why))
      r.Fail("url", why);
    if (r.ok() && hook->sign != "none" && hook->secret.empty()) {
      r.Fail("secret", "required when sign is " + hook->sign);
    }
    for (const auto& [name, value] : hook->headers) {
      if (r.ok() && !IsHeaderName(name)) {
        r.Fail("headers", "\"" + name + "\" is not a header name");
      }
      if (r.ok() && value.find_first_of("\r\n") != std::string::npos) {
        r.Fail("headers", "value of \"" + name + "\" contains a line break");
      }
    }
    if (r.ok() && (hook->timeout_ms < 1 || hook->timeout_ms > 600000)) {
      r.Fail("timeout_ms", "must be between 1 and 600000");
    }
    if (!r.ok()) {
      WriteError(err, errlen, r.error());
      return nullptr;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      WriteError(err, errlen, "curl_global_init failed");
      return nullptr;
    }
    return hook.release();
  });
}

std::string Body(const Webhook& hook, const shouhu_message* msg, json params) {
  json body;
  if (hook.format == "text") {
    std::string content = msg->subject;
    if (!content.empty() && msg->body[0]) content += "\n";
    content += msg->body;
    body = {{"msgtype", "text"}, {"text", {{"content", content}}}};
  } else {
    body = {{"idempotency_key", msg->idempotency_key},
            {"recipient", msg->recipient},
            {"subject", msg->subject},
            {"body", msg->body},
            {"template_id", msg->template_id},
            {"params", std::move(params)},
            {"urgent", msg->urgent != 0}};
  }
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

int Send(void* ctx, const shouhu_message* msg, char* err, size_t errlen) {
  return GuardSend(err, errlen, [&]() -> int {
    const Webhook& hook = *static_cast<Webhook*>(ctx);
    if (hook.url.Uses("recipient") && !msg->recipient[0]) {
      WriteError(err, errlen, "recipient (the webhook id in url) is empty");
      return SHOUHU_SEND_PERMANENT;
    }
    json params = json::parse(msg->template_params_json, nullptr, false);
    if (!params.is_object()) {
      WriteError(err, errlen, "template params are not a JSON object");
      return SHOUHU_SEND_PERMANENT;
    }
    HttpRequest request;
    request.timeout_ms = hook.timeout_ms;
    request.body = Body(hook, msg, std::move(params));
    request.url = hook.url.Render(
        [&](const std::string&) { return PercentEncode(msg->recipient); });
    request.headers.push_back("Content-Type: application/json; charset=utf-8");
    std::string key = msg->idempotency_key;
    if (key.find_first_of("\r\n") == std::string::npos) {
      request.headers.push_back("X-Shouhu-Idempotency-Key: " + key);
    }
    for (const auto& [name, value] : hook.headers)
      request.headers.push_back(name + ": " + value);

    int64_t now_ms = UnixMillis();
    if (hook.sign == "header") {
      std::string ts = std::to_string(now_ms / 1000);
      request.headers.push_back("X-Shouhu-Timestamp: " + ts);
      request.headers.push_back(
          "X-Shouhu-Signature: sha256=" +
          Hex(HmacSha256(hook.secret, ts + "." + request.body)));
    } else if (hook.sign == "dingtalk") {
      std::string ts = std::to_string(now_ms);
      std::string sign =
          Base64(HmacSha256(hook.secret, ts + "\n" + hook.secret));
      request.url += request.url.find('?') == std::string::npos ? "?" : "&";
      request.url += "timestamp=" + ts + "&sign=" + PercentEncode(sign);
    }

    std::string reason;
    HttpResponse response = HttpPerform(request);
    int rc = ClassifyHttp(response, &reason);
    if (rc == SHOUHU_SEND_OK) rc = hook.check.Check(response.body, &reason);
    if (rc != SHOUHU_SEND_OK) WriteError(err, errlen, reason);
    return rc;
  });
}

const shouhu_notifier_plugin kPlugin = {
    SHOUHU_NOTIFIER_ABI_VERSION,
    "webhook",
    "Posts each notification as JSON to a webhook: WeCom and DingTalk group "
    "robots or a generic integration, optionally HMAC-signed.",
    kSettings,
    &Init,
    &Send,
    &DeleteStateAndCleanupCurl<Webhook>,
};

}  // namespace
}  // namespace shouhu::plugin

extern "C" SHOUHU_NOTIFIER_EXPORT const shouhu_notifier_plugin*
shouhu_notifier_entry(void) {
  return &shouhu::plugin::kPlugin;
}
