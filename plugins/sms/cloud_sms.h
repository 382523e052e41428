// The cloud SMS services Chinese counties buy, each with its published
// request signature and its answers read by error code:
//   Alibaba Cloud SMS (dysmsapi SendSms, API 2017-05-25), signed with
//     ACS3-HMAC-SHA256 (the "V3" signature: a canonical request over the
//     query, the x-acs-* headers and the payload hash, HMAC'd with the
//     AccessKey secret);
//   Tencent Cloud SMS (SendSms, API 2021-01-11), signed with TC3-HMAC-SHA256
//     (a canonical request, a credential scope of date/sms/tc3_request, and a
//     signing key derived from the SecretKey by date and service).
// Pure functions of their inputs (the time and nonce are passed in), so tests
// can check a request against the providers' algorithms. Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "common/http.h"
#include "sms_request.h"

namespace shouhu::plugin {

struct CloudAccount {
  std::string url;  // the API endpoint, e.g. https://dysmsapi.aliyuncs.com/
  std::string key_id, secret;  // AccessKey ID and secret / SecretId and SecretKey
  std::string sign_name;       // the registered SMS signature (签名)
  std::string app_id;          // Tencent: SmsSdkAppId
  std::string region;          // Tencent: X-TC-Region
  // Tencent templates take positional parameters: provider template id →
  // the shouhu placeholders in order, comma-separated ("case_id,unit").
  // A template not listed gets the parameters in the order of their names.
  std::map<std::string, std::string> param_order;
  int64_t timeout_ms = 10000;
};

struct Signing {
  int64_t unix_seconds = 0;
  std::string nonce;  // Alibaba: x-acs-signature-nonce
};

HttpRequest AliyunSendSms(const CloudAccount& account, const SmsValues& v,
                          const Signing& at);
HttpRequest TencentSendSms(const CloudAccount& account, const SmsValues& v,
                           const Signing& at);

// SHOUHU_SEND_OK, RETRY (throttling, the provider's internal errors, no
// answer, 5xx) or PERMANENT (a bad signature, number, template or signature
// name, and any other code), with `reason` naming the provider's code.
int AliyunVerdict(const HttpResponse& response, std::string* reason);
int TencentVerdict(const HttpResponse& response, std::string* reason);

}  // namespace shouhu::plugin
