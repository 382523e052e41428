// One SMTP transaction over libcurl (EHLO, optional STARTTLS and AUTH, MAIL
// FROM, RCPT TO, DATA) and the mapping of its outcome to OK / RETRY /
// PERMANENT. Thread-safe: each call uses its own curl handle.
// REQUIRES: curl_global_init has been called.
#pragma once

#include <cstdint>
#include <string>

namespace shouhu::plugin {

struct SmtpServer {
  std::string url;          // smtp://host:port or smtps://host:port
  bool require_tls = true;  // smtp:// only: refuse to send without STARTTLS
  std::string username;     // "" = no AUTH
  std::string password;
  int64_t timeout_ms = 30000;  // whole transaction, connect included
};

// Sends `message` (a complete RFC 5322 message) from `from` to `to` (bare
// addresses). Returns SHOUHU_SEND_OK when the server accepted the DATA;
// PERMANENT for a 5xx reply (550 unknown recipient, 535 bad credentials, 554
// rejected) or a URL curl cannot use; RETRY for a 4xx reply and for every
// failure without a reply (connection refused, timeout, TLS not offered or
// failed). `reason` gets one line when not OK.
int SmtpSend(const SmtpServer& server, const std::string& from,
             const std::string& to, const std::string& message,
             std::string* reason);

}  // namespace shouhu::plugin
