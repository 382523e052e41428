#include "sms_request.h"

#include "common/crypto.h"
#include "common/encoding.h"

namespace shouhu::plugin {
namespace {

const std::set<std::string> kPlaceholders = {
    "phone",        "template_id",
    "params_json",  "params_json_string",
    "sign_name",    "idempotency_key",
    "content",      "timestamp",
    "timestamp_ms", "nonce"};

}  // namespace

void SmsRequestBuilder::Configure(ConfigReader& r) {
  std::string url, body, encoding, hmac_payload;
  std::map<std::string, std::string> headers;
  r.String("url", &url);
  r.String("method", &method_);
  r.Map("headers", &headers);
  r.String("content_type", &content_type_);
  r.String("body_template", &body);
  r.String("body_encoding", &encoding);
  r.String("sign_name", &sign_name_);
  r.String("hmac_key", &hmac_key_);
  r.String("hmac_header", &hmac_header_);
  r.String("hmac_payload", &hmac_payload);
  r.String("hmac_encoding", &hmac_encoding_);
  r.String("hmac_prefix", &hmac_prefix_);
  r.Int("timeout_ms", &timeout_ms_);
  if (!r.ok()) return;

  std::string err;
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    return r.Fail("url", "must start with http:// or https://");
  }
  if (!url_.Parse(url, kPlaceholders, &err)) return r.Fail("url", err);
  if (!body_.Parse(body, kPlaceholders, &err))
    return r.Fail("body_template", err);
  for (const auto& [name, value] : headers) {
    if (!IsHeaderName(name))
      return r.Fail("headers", "\"" + name + "\" is not a header name");
    if (!headers_[name].Parse(value, kPlaceholders, &err)) {
      return r.Fail("headers", "\"" + name + "\": " + err);
    }
  }
  std::set<std::string> signable = kPlaceholders;
  signable.insert("body");
  if (!hmac_payload_.Parse(hmac_payload, signable, &err)) {
    return r.Fail("hmac_payload", err);
  }
  if (!IsHeaderName(hmac_header_)) {
    return r.Fail("hmac_header",
                  "\"" + hmac_header_ + "\" is not a header name");
  }
  if (timeout_ms_ < 1 || timeout_ms_ > 600000) {
    return r.Fail("timeout_ms", "must be between 1 and 600000");
  }
  body_escape_ = encoding == "form"  ? Escape::kForm
                 : encoding == "raw" ? Escape::kRaw
                                     : Escape::kJson;
}

std::string SmsRequestBuilder::Value(const SmsValues& v,
                                     const std::string& name,
                                     Escape escape) const {
  // {{params_json}} in a JSON body is a JSON value, inserted as is.
  if (name == "params_json" && escape == Escape::kJson) return v.params_json;
  std::string text = name == "phone"                ? v.phone
                     : name == "template_id"        ? v.template_id
                     : name == "params_json"        ? v.params_json
                     : name == "params_json_string" ? v.params_json
                     : name == "sign_name"          ? sign_name_
                     : name == "idempotency_key"    ? v.idempotency_key
                     : name == "content"            ? v.content
                     : name == "timestamp"          ? v.timestamp
                     : name == "timestamp_ms"       ? v.timestamp_ms
                     : name == "nonce"              ? v.nonce
                                                    : "";
  switch (escape) {
    case Escape::kJson:
      return JsonEscape(text);
    case Escape::kForm:
    case Escape::kUrl:
      return PercentEncode(text);
    case Escape::kRaw:
      return text;
  }
  return text;
}

bool SmsRequestBuilder::Build(const SmsValues& v, HttpRequest* out,
                              std::string* reason) const {
  out->method = method_;
  out->timeout_ms = timeout_ms_;
  out->url = url_.Render(
      [&](const std::string& n) { return Value(v, n, Escape::kUrl); });
  if (method_ != "GET") {
    out->body = body_.Render(
        [&](const std::string& n) { return Value(v, n, body_escape_); });
    out->headers.push_back("Content-Type: " + content_type_);
  }
  out->headers.push_back("X-Shouhu-Idempotency-Key: " + v.idempotency_key);
  for (const auto& [name, value] : headers_) {
    out->headers.push_back(name + ": " +
                           value.Render([&](const std::string& n) {
                             return Value(v, n, Escape::kRaw);
                           }));
  }
  if (!hmac_key_.empty()) {
    std::string payload = hmac_payload_.Render([&](const std::string& n) {
      return n == "body" ? out->body : Value(v, n, Escape::kRaw);
    });
    std::string mac = HmacSha256(hmac_key_, payload);
    out->headers.push_back(
        hmac_header_ + ": " + hmac_prefix_ +
        (hmac_encoding_ == "base64" ? Base64(mac) : Hex(mac)));
  }
  return HeadersAreSingleLines(*out, reason);
}

}  // namespace shouhu::plugin
