// The RFC 5322 message the email plugin sends: UTF-8 subject and sender name
// as RFC 2047 encoded-words, a text/plain; charset=UTF-8 body in base64, and
// a Message-ID derived from the idempotency key. Pure functions; thread-safe.
#pragma once

#include <ctime>
#include <string>
#include <string_view>

namespace shouhu::plugin {

struct Mailbox {
  std::string name;     // display name, UTF-8, may be empty
  std::string address;  // local@domain
};

// True for a single plausible addr-spec: printable ASCII, no spaces, quotes,
// angle brackets or commas, one '@' with a non-empty local part and a domain
// containing no "..". (Deliverability is the server's business.)
bool IsMailAddress(std::string_view address);

// Parses "Name <local@domain>" or "local@domain". False if malformed.
bool ParseMailbox(std::string_view text, Mailbox* out);

// "<32 hex chars>@<domain>": the first 128 bits of SHA-256 over the key, so
// every attempt of one notification carries the same Message-ID and the
// receiving side can recognise a resend after an ambiguous failure.
std::string MessageIdFor(std::string_view idempotency_key,
                         std::string_view domain);

// RFC 5322 date-time in UTC, e.g. "Tue, 05 May 2026 08:00:00 +0000".
std::string MailDate(std::time_t t);

// True if `key` can go in a header as is: 1-200 printable ASCII characters.
bool IsHeaderSafe(std::string_view key);

struct MailContent {
  Mailbox from;
  std::string to;               // addr-spec
  std::string subject;          // UTF-8
  std::string body;             // UTF-8; bare LF is sent as CRLF
  std::string idempotency_key;  // REQUIRES: IsHeaderSafe
  bool urgent = false;
  std::time_t date = 0;
};

// The whole message, CRLF line ends, 7-bit clean.
std::string BuildMail(const MailContent& mail);

}  // namespace shouhu::plugin
