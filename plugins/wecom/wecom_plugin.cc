// The WeCom (企业微信) application-message notifier: one text message to one
// person, by their WeCom user id (the user's "wecom" contact), sent as the
// county's self-built application (自建应用). Beside the group robots of the
// webhook plugin, this reaches a supervisor directly in WeCom.
//
// The API (developer.work.weixin.qq.com): GET /cgi-bin/gettoken?corpid=&
// corpsecret= gives an access_token valid for expires_in seconds; POST
// /cgi-bin/message/send?access_token= with {"touser", "msgtype": "text",
// "agentid", "text": {"content"}} sends. The token is cached and shared by
// every send of this instance, refreshed before it expires and at once when
// WeCom says it is invalid or expired (40014, 42001), then the send is tried
// once more. errcode 0 is delivered; -1 (system busy) and 45009 (frequency
// limit) are tried again later; anything else (an unknown user 81013, a bad
// secret 40001 or 40013) fails for good.
#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "common/abi_glue.h"
#include "common/config.h"
#include "common/encoding.h"
#include "common/http.h"
#include "shouhu_notifier.h"

namespace shouhu::plugin {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

const shouhu_setting kSettings[] = {
    {"url", SHOUHU_SETTING_STRING, 0, "https://qyapi.weixin.qq.com", nullptr,
     "The WeCom API's base URL, http:// or https://, without a trailing /."},
    {"corp_id", SHOUHU_SETTING_STRING, 1, nullptr, nullptr, "The organisation's CorpID (企业ID)."},
    {"corp_secret", SHOUHU_SETTING_SECRET, 1, nullptr, nullptr,
     "The application's Secret (应用Secret)."},
    {"agent_id", SHOUHU_SETTING_INT, 1, nullptr, nullptr, "The application's AgentId."},
    {"timeout_ms", SHOUHU_SETTING_INT, 0, "10000", nullptr,
     "Limit on one whole request, connect included (1-600000)."},
    {nullptr, 0, 0, nullptr, nullptr, nullptr},
};

class WeCom {
 public:
  std::string url, corp_id, corp_secret;
  int64_t agent_id = 0, timeout_ms = 10000;

  int Send(const shouhu_message& m, std::string* reason) {
    std::string token;
    int rc = Token(false, &token, reason);
    if (rc != SHOUHU_SEND_OK) return rc;
    json reply;
    rc = Post(m, token, &reply, reason);
    const int code = reply.is_object() ? reply.value("errcode", 0) : 0;
    if (rc == SHOUHU_SEND_PERMANENT && (code == 40014 || code == 42001)) {
      // The token went stale on WeCom's side: a new one, one more try.
      rc = Token(true, &token, reason);
      if (rc != SHOUHU_SEND_OK) return rc;
      rc = Post(m, token, &reply, reason);
    }
    return rc;
  }

 private:
  // The cached token, or a new one when `renew` or it is about to expire.
  // RETRY when WeCom cannot be reached, PERMANENT when it refuses the
  // CorpID or Secret, with `reason`.
  int Token(bool renew, std::string* token, std::string* reason) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!renew && !token_.empty() && Clock::now() < expires_) {
      *token = token_;
      return SHOUHU_SEND_OK;
    }
    HttpRequest r;
    r.method = "GET";
    r.timeout_ms = timeout_ms;
    r.url = url + "/cgi-bin/gettoken?corpid=" + PercentEncode(corp_id) +
            "&corpsecret=" + PercentEncode(corp_secret);
    HttpResponse response = HttpPerform(r);
    int rc = ClassifyHttp(response, reason);
    if (rc != SHOUHU_SEND_OK) return rc;
    json body = json::parse(response.body, nullptr, false);
    if (!body.is_object() || !body.contains("errcode") || !body["errcode"].is_number_integer()) {
      *reason = "WeCom's gettoken answered without an errcode: " + response.body.substr(0, 200);
      return SHOUHU_SEND_RETRY;
    }
    const int code = body["errcode"].get<int>();
    if (code != 0 || !body.contains("access_token") || !body["access_token"].is_string()) {
      *reason = "WeCom refused the access token, errcode " + std::to_string(code) + ": " +
                body.value("errmsg", "");
      return code == -1 ? SHOUHU_SEND_RETRY : SHOUHU_SEND_PERMANENT;
    }
    token_ = body["access_token"].get<std::string>();
    // Renewed five minutes early, so no send carries a token about to lapse.
    const int64_t ttl = std::max<int64_t>(body.value("expires_in", 7200) - 300, 60);
    expires_ = Clock::now() + std::chrono::seconds(ttl);
    *token = token_;
    return SHOUHU_SEND_OK;
  }

  int Post(const shouhu_message& m, const std::string& token, json* reply,
           std::string* reason) const {
    HttpRequest r;
    r.method = "POST";
    r.timeout_ms = timeout_ms;
    r.url = url + "/cgi-bin/message/send?access_token=" + PercentEncode(token);
    std::string content = std::string(m.subject);
    if (*m.body) content += std::string(content.empty() ? "" : "\n") + m.body;
    json body = {{"touser", m.recipient},
                 {"msgtype", "text"},
                 {"agentid", agent_id},
                 {"text", {{"content", content}}},
                 {"enable_duplicate_check", 1},
                 {"duplicate_check_interval", 1800}};
    r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
    r.headers = {"Content-Type: application/json", std::string("X-Shouhu-Idempotency-Key: ") +
                                                       m.idempotency_key};
    if (!HeadersAreSingleLines(r, reason)) return SHOUHU_SEND_PERMANENT;
    HttpResponse response = HttpPerform(r);
    int rc = ClassifyHttp(response, reason);
    if (rc != SHOUHU_SEND_OK) return rc;
    *reply = json::parse(response.body, nullptr, false);
    if (!reply->is_object() || !reply->contains("errcode")) {
      *reason = "WeCom answered without an errcode: " + response.body.substr(0, 200);
      return SHOUHU_SEND_PERMANENT;
    }
    if (!(*reply)["errcode"].is_number_integer()) {
      *reason = "WeCom answered a non-numeric errcode: " + response.body.substr(0, 200);
      return SHOUHU_SEND_PERMANENT;
    }
    const int code = (*reply)["errcode"].get<int>();
    if (code == 0) return SHOUHU_SEND_OK;
    *reason = "WeCom errcode " + std::to_string(code) + ": " + reply->value("errmsg", "");
    return code == -1 || code == 45009 ? SHOUHU_SEND_RETRY : SHOUHU_SEND_PERMANENT;
  }

  std::mutex mu_;
  std::string token_;
  Clock::time_point expires_{};
};

void* Init(const char* config_json, char* err, size_t errlen) {
  return GuardInit(err, errlen, [&]() -> void* {
    auto w = std::make_unique<WeCom>();
    ConfigReader r(kSettings, config_json);
    r.String("url", &w->url);
    r.String("corp_id", &w->corp_id);
    r.String("corp_secret", &w->corp_secret);
    r.Int("agent_id", &w->agent_id);
    r.Int("timeout_ms", &w->timeout_ms);
    if (r.ok() && w->url.rfind("http://", 0) != 0 && w->url.rfind("https://", 0) != 0) {
      r.Fail("url", "must start with http:// or https://");
    }
    if (r.ok() && (w->timeout_ms < 1 || w->timeout_ms > 600000)) {
      r.Fail("timeout_ms", "must be between 1 and 600000");
    }
    if (!r.ok()) {
      WriteError(err, errlen, r.error());
      return nullptr;
    }
    while (!w->url.empty() && w->url.back() == '/') w->url.pop_back();
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      WriteError(err, errlen, "curl_global_init failed");
      return nullptr;
    }
    return w.release();
  });
}

int Send(void* ctx, const shouhu_message* msg, char* err, size_t errlen) {
  return GuardSend(err, errlen, [&]() -> int {
    if (!*msg->recipient) {
      WriteError(err, errlen, "the recipient has no WeCom user id");
      return SHOUHU_SEND_PERMANENT;
    }
    std::string reason;
    int rc = static_cast<WeCom*>(ctx)->Send(*msg, &reason);
    if (rc != SHOUHU_SEND_OK) WriteError(err, errlen, reason);
    return rc;
  });
}

const shouhu_notifier_plugin kPlugin = {
    SHOUHU_NOTIFIER_ABI_VERSION,
    "wecom",
    "Sends each notification as a WeCom (企业微信) application text message to one "
    "person by their WeCom user id.",
    kSettings,
    &Init,
    &Send,
    &DeleteStateAndCleanupCurl<WeCom>,
};

}  // namespace
}  // namespace shouhu::plugin

extern "C" SHOUHU_NOTIFIER_EXPORT const shouhu_notifier_plugin*
shouhu_notifier_entry(void) {
  return &shouhu::plugin::kPlugin;
}
