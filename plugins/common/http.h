// One HTTP request over libcurl, and the mapping of its outcome to the ABI's
// OK / RETRY / PERMANENT. Thread-safe: each call uses its own curl handle.
// REQUIRES: curl_global_init has been called (plugins do it in init).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace shouhu::plugin {

struct HttpRequest {
  std::string method = "POST";       // GET sends no body
  std::string url;                   // http:// or https:// only
  std::vector<std::string> headers;  // "Name: value", no CR or LF
  std::string body;
  int64_t timeout_ms = 10000;  // whole request, connect included
};

struct HttpResponse {
  bool received = false;     // false: no HTTP response (connect, TLS, timeout)
  bool bad_request = false;  // the request could not be made as configured
  long status = 0;
  std::string body;   // at most the first 64 KiB
  std::string error;  // when !received: curl's explanation
};

// True for an HTTP header name made of letters, digits, '-' and '_'.
bool IsHeaderName(const std::string& name);

// False with `reason` when a header line holds CR or LF, so a value taken
// from a message cannot inject headers.
bool HeadersAreSingleLines(const HttpRequest& request, std::string* reason);

// Makes the request. Redirects are not followed (a redirect is reported as its
// 3xx status): a gateway URL that moved is a configuration error.
HttpResponse HttpPerform(const HttpRequest& request);

// SHOUHU_SEND_OK for 2xx; RETRY for no response (connection refused, timeout,
// TLS failure) and for 408, 425, 429 and 5xx; PERMANENT for everything else
// (other 4xx, 3xx). On RETRY or PERMANENT, `reason` gets one line with the
// status and the start of the response body.
int ClassifyHttp(const HttpResponse& response, std::string* reason);

// The ABI's shutdown for a plugin whose init called curl_global_init: frees
// the plugin's state and balances that call.
void CleanupCurl();
template <typename State>
void DeleteStateAndCleanupCurl(void* ctx) {
  delete static_cast<State*>(ctx);
  CleanupCurl();
}

}  // namespace shouhu::plugin
