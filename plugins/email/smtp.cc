#include "smtp.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string_view>

#include "shouhu_notifier.h"

namespace shouhu::plugin {
namespace {

struct Upload {
  std::string_view rest;
};

size_t ReadPayload(char* buffer, size_t size, size_t n, void* user) {
  auto* up = static_cast<Upload*>(user);
  size_t len = std::min(size * n, up->rest.size());
  std::memcpy(buffer, up->rest.data(), len);
  up->rest.remove_prefix(len);
  return len;
}

}  // namespace

int SmtpSend(const SmtpServer& server, const std::string& from,
             const std::string& to, const std::string& message,
             std::string* reason) {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(),
                                                           &curl_easy_cleanup);
  if (!curl) {
    *reason = "curl_easy_init failed";
    return SHOUHU_SEND_RETRY;
  }
  CURL* h = curl.get();
  const std::string mail_from = "<" + from + ">";
  Upload upload{message};
  curl_slist* rcpt = curl_slist_append(nullptr, ("<" + to + ">").c_str());
  char errbuf[CURL_ERROR_SIZE] = {0};

  curl_easy_setopt(h, CURLOPT_URL, server.url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(server.timeout_ms));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(server.timeout_ms));
  curl_easy_setopt(h, CURLOPT_USE_SSL,
                   server.require_tls ? static_cast<long>(CURLUSESSL_ALL)
                                      : static_cast<long>(CURLUSESSL_NONE));
  if (!server.username.empty()) {
    curl_easy_setopt(h, CURLOPT_USERNAME, server.username.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, server.password.c_str());
  }
  curl_easy_setopt(h, CURLOPT_MAIL_FROM, mail_from.c_str());
  curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt(h, CURLOPT_READFUNCTION, &ReadPayload);
  curl_easy_setopt(h, CURLOPT_READDATA, &upload);
  curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);

  CURLcode rc = curl_easy_perform(h);
  curl_slist_free_all(rcpt);
  if (rc == CURLE_OK) return SHOUHU_SEND_OK;

  // The last reply code the server sent: the one that refused us, if any.
  long code = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
  *reason = std::string(errbuf[0] ? errbuf : curl_easy_strerror(rc));
  if (code >= 400) *reason = "SMTP " + std::to_string(code) + ": " + *reason;
  if (code >= 500 && code < 600) return SHOUHU_SEND_PERMANENT;
  if (rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL) {
    return SHOUHU_SEND_PERMANENT;
  }
  return SHOUHU_SEND_RETRY;
}

}  // namespace shouhu::plugin
