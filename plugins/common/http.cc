#include "http.h"

#include <curl/curl.h>

#include <algorithm>
#include <memory>

#include "shouhu_notifier.h"

namespace shouhu::plugin {
namespace {

constexpr size_t kMaxBody = 64 * 1024;

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* body = static_cast<std::string*>(user);
  size_t len = size * n;
  if (body->size() < kMaxBody)
    body->append(data, std::min(len, kMaxBody - body->size()));
  return len;
}

// One line, at most `max` bytes, for an error message.
std::string Snippet(const std::string& s, size_t max = 200) {
  std::string out = s.substr(0, max);
  for (char& c : out) {
    if (c == '\r' || c == '\n' || c == '\t') c = ' ';
  }
  return out;
}

}  // namespace

bool IsHeaderName(const std::string& name) {
  if (name.empty()) return false;
  for (char c : name) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

bool HeadersAreSingleLines(const HttpRequest& request, std::string* reason) {
  for (const std::string& line : request.headers) {
    if (line.find_first_of("\r\n") != std::string::npos) {
      *reason = "header \"" + line.substr(0, line.find(':')) + "\" would contain a line break";
      return false;
    }
  }
  return true;
}

HttpResponse HttpPerform(const HttpRequest& request) {
  HttpResponse response;
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(),
                                                           &curl_easy_cleanup);
  if (!curl) {
    response.error = "curl_easy_init failed";
    return response;
  }
  CURL* h = curl.get();
  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  // Only HTTP(S): a URL built from configuration must not reach file:// etc.
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // safe with threads
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(request.timeout_ms));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(request.timeout_ms));
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &response.body);

  if (request.method == "GET") {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
    if (request.method != "POST") {
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }
  }

  curl_slist* headers =
      curl_slist_append(nullptr, "Expect:");  // no 100-continue
  for (const std::string& line : request.headers) {
    headers = curl_slist_append(headers, line.c_str());
  }
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);

  CURLcode rc = curl_easy_perform(h);
  curl_slist_free_all(headers);
  if (rc != CURLE_OK) {
    response.error = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    response.bad_request =
        rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL;
    return response;
  }
  response.received = true;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

int ClassifyHttp(const HttpResponse& r, std::string* reason) {
  if (!r.received) {
    *reason = (r.bad_request ? "cannot send: " : "no response: ") + r.error;
    return r.bad_request ? SHOUHU_SEND_PERMANENT : SHOUHU_SEND_RETRY;
  }
  if (r.status >= 200 && r.status < 300) return SHOUHU_SEND_OK;
  *reason = "HTTP " + std::to_string(r.status);
  if (!r.body.empty()) *reason += ": " + Snippet(r.body);
  bool transient =
      r.status == 408 || r.status == 425 || r.status == 429 || r.status >= 500;
  return transient ? SHOUHU_SEND_RETRY : SHOUHU_SEND_PERMANENT;
}

void CleanupCurl() { curl_global_cleanup(); }

}  // namespace shouhu::plugin
