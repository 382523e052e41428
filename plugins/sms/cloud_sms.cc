#include "cloud_sms.h"

#include <ctime>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "common/crypto.h"
#include "common/encoding.h"
#include "shouhu_notifier.h"

namespace shouhu::plugin {
namespace {

using json = nlohmann::json;

// "host[:port]" and the path of an http(s) URL ("/" when it has none).
void SplitUrl(const std::string& url, std::string* authority, std::string* path) {
  size_t start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  size_t slash = url.find('/', start);
  *authority = url.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
  *path = slash == std::string::npos ? "/" : url.substr(slash);
  if (size_t q = path->find('?'); q != std::string::npos) path->resize(q);
}

std::string UtcText(int64_t unix_seconds, const char* format) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

std::string HexSha256(const std::string& s) { return Hex(Sha256(s)); }

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The provider's canonical request: method, path, query, headers (lower-case
// names and values as given, sorted by name, each ending in LF), signed
// header names, payload hash.
std::string CanonicalRequest(const std::string& method, const std::string& path,
                             const std::string& query,
                             const std::map<std::string, std::string>& signed_headers,
                             const std::string& payload_hash, std::string* names) {
  std::string headers;
  names->clear();
  for (const auto& [name, value] : signed_headers) {
    headers += name + ":" + value + "\n";
    *names += (names->empty() ? "" : ";") + name;
  }
  return method + "\n" + path + "\n" + query + "\n" + headers + "\n" + *names + "\n" +
         payload_hash;
}

// Codes a provider answers when trying again later can succeed.
bool StartsWithAny(const std::string& code, std::initializer_list<const char*> prefixes) {
  for (const char* p : prefixes) {
    if (code.rfind(p, 0) == 0) return true;
  }
  return false;
}

int NoAnswerVerdict(const HttpResponse& response, std::string* reason) {
  return ClassifyHttp(response, reason);
}

}  // namespace

HttpRequest AliyunSendSms(const CloudAccount& a, const SmsValues& v, const Signing& at) {
  std::string authority, path;
  SplitUrl(a.url, &authority, &path);
  // SendSms is an RPC-style API: its parameters travel in the query.
  std::map<std::string, std::string> params = {{"PhoneNumbers", v.phone},
                                               {"SignName", a.sign_name},
                                               {"TemplateCode", v.template_id},
                                               {"TemplateParam", v.params_json},
                                               {"OutId", v.idempotency_key}};
  std::string query;
  for (const auto& [k, value] : params) {
    query += (query.empty() ? "" : "&") + PercentEncode(k) + "=" + PercentEncode(value);
  }
  const std::string payload_hash = HexSha256("");
  std::map<std::string, std::string> headers = {
      {"host", authority},
      {"x-acs-action", "SendSms"},
      {"x-acs-version", "2017-05-25"},
      {"x-acs-date", UtcText(at.unix_seconds, "%Y-%m-%dT%H:%M:%SZ")},
      {"x-acs-signature-nonce", at.nonce},
      {"x-acs-content-sha256", payload_hash}};
  std::string names;
  std::string canonical = CanonicalRequest("POST", path, query, headers, payload_hash, &names);
  std::string signature =
      Hex(HmacSha256(a.secret, "ACS3-HMAC-SHA256\n" + HexSha256(canonical)));

  HttpRequest r;
  r.method = "POST";
  r.url = a.url.substr(0, a.url.find('?')) + "?" + query;
  r.timeout_ms = a.timeout_ms;
  for (const auto& [name, value] : headers) r.headers.push_back(name + ": " + value);
  r.headers.push_back("Authorization: ACS3-HMAC-SHA256 Credential=" + a.key_id +
                      ",SignedHeaders=" + names + ",Signature=" + signature);
  r.headers.push_back("X-Shouhu-Idempotency-Key: " + v.idempotency_key);
  return r;
}

HttpRequest TencentSendSms(const CloudAccount& a, const SmsValues& v, const Signing& at) {
  std::string authority, path;
  SplitUrl(a.url, &authority, &path);
  json params = json::parse(v.params_json, nullptr, false);
  json param_set = json::array();
  if (auto order = a.param_order.find(v.template_id); order != a.param_order.end()) {
    std::stringstream names(order->second);
    for (std::string name; std::getline(names, name, ',');) {
      auto it = params.find(name);
      param_set.push_back(it == params.end() ? std::string() : it->get<std::string>());
    }
  } else if (params.is_object()) {
    for (const auto& [name, value] : params.items()) {
      param_set.push_back(value.is_string() ? value.get<std::string>() : value.dump());
    }
  }
  json body = {{"PhoneNumberSet", json::array({v.phone})},
               {"SmsSdkAppId", a.app_id},
               {"SignName", a.sign_name},
               {"TemplateId", v.template_id},
               {"TemplateParamSet", param_set},
               {"SessionContext", v.idempotency_key}};
  HttpRequest r;
  r.method = "POST";
  r.url = a.url;
  r.timeout_ms = a.timeout_ms;
  r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);

  const std::string content_type = "application/json; charset=utf-8";
  std::map<std::string, std::string> headers = {
      {"content-type", content_type}, {"host", Lower(authority)}, {"x-tc-action", "sendsms"}};
  std::string names;
  std::string canonical = CanonicalRequest("POST", path, "", headers, HexSha256(r.body), &names);
  const std::string date = UtcText(at.unix_seconds, "%Y-%m-%d");
  const std::string scope = date + "/sms/tc3_request";
  const std::string timestamp = std::to_string(at.unix_seconds);
  std::string to_sign =
      "TC3-HMAC-SHA256\n" + timestamp + "\n" + scope + "\n" + HexSha256(canonical);
  std::string key = HmacSha256("TC3" + a.secret, date);
  key = HmacSha256(key, "sms");
  key = HmacSha256(key, "tc3_request");
  std::string signature = Hex(HmacSha256(key, to_sign));

  r.headers = {"Content-Type: " + content_type,
               "Host: " + authority,
               "X-TC-Action: SendSms",
               "X-TC-Version: 2021-01-11",
               "X-TC-Timestamp: " + timestamp,
               "X-TC-Region: " + a.region,
               "Authorization: TC3-HMAC-SHA256 Credential=" + a.key_id + "/" + scope +
                   ", SignedHeaders=" + names + ", Signature=" + signature,
               "X-Shouhu-Idempotency-Key: " + v.idempotency_key};
  return r;
}

int AliyunVerdict(const HttpResponse& response, std::string* reason) {
  json body = response.received ? json::parse(response.body, nullptr, false) : json();
  if (!body.is_object() || !body.contains("Code") || !body["Code"].is_string()) {
    return NoAnswerVerdict(response, reason);
  }
  const std::string code = body["Code"];
  if (code == "OK" && response.status / 100 == 2) return SHOUHU_SEND_OK;
  *reason = "Alibaba Cloud SMS answered " + std::to_string(response.status) + " " + code +
            ": " + body.value("Message", "");
  // Flow control and the service's own failures pass; nothing else will.
  if (StartsWithAny(code, {"Throttling", "isv.BUSINESS_LIMIT_CONTROL", "isp.SYSTEM_ERROR",
                           "ServiceUnavailable", "InternalError"}) ||
      response.status >= 500) {
    return SHOUHU_SEND_RETRY;
  }
  return SHOUHU_SEND_PERMANENT;
}

int TencentVerdict(const HttpResponse& response, std::string* reason) {
  json body = response.received ? json::parse(response.body, nullptr, false) : json();
  if (!body.is_object() || !body.contains("Response") || !body["Response"].is_object()) {
    return NoAnswerVerdict(response, reason);
  }
  const json& answer = body["Response"];
  std::string code = "Ok", message;
  if (answer.contains("Error")) {
    code = answer["Error"].value("Code", "");
    message = answer["Error"].value("Message", "");
  } else if (answer.contains("SendStatusSet") && answer["SendStatusSet"].is_array() &&
             !answer["SendStatusSet"].empty()) {
    code = answer["SendStatusSet"][0].value("Code", "");
    message = answer["SendStatusSet"][0].value("Message", "");
  } else {
    code = "";
    message = "no SendStatusSet in the answer";
  }
  if (code == "Ok" && response.status / 100 == 2) return SHOUHU_SEND_OK;
  *reason = "Tencent Cloud SMS answered " + std::to_string(response.status) + " " + code +
            ": " + message;
  if (StartsWithAny(code, {"RequestLimitExceeded", "InternalError",
                           "LimitExceeded.PhoneNumberThirtySecondLimit",
                           "LimitExceeded.PhoneNumberOneHourLimit", "ResourceUnavailable"}) ||
      response.status >= 500) {
    return SHOUHU_SEND_RETRY;
  }
  return SHOUHU_SEND_PERMANENT;
}

}  // namespace shouhu::plugin
