// Byte encodings the plugins share: base64, hex, percent-encoding, JSON string
// escaping and RFC 2047 header encoding. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace shouhu::plugin {

// RFC 4648 base64, standard alphabet, with padding.
std::string Base64(std::string_view data);

// Base64 broken into lines of at most `line_len` characters, each ended by
// CRLF, as a MIME body with Content-Transfer-Encoding: base64 needs (RFC 2045
// allows at most 76).
std::string Base64Lines(std::string_view data, size_t line_len = 76);

// Lower-case hex.
std::string Hex(std::string_view data);

// RFC 3986 percent-encoding: everything but ALPHA / DIGIT / "-._~".
std::string PercentEncode(std::string_view data);

// The contents of a JSON string literal for `s` (escaped, without the
// quotes). Invalid UTF-8 becomes U+FFFD rather than failing.
std::string JsonEscape(std::string_view s);

// A header value as RFC 2047 encoded-words (=?UTF-8?B?...?=), for text that
// is not plain ASCII. Each word is at most 75 characters and never splits a
// UTF-8 sequence; words are joined by CRLF + space (folding whitespace, which
// decoders drop between encoded-words). Printable ASCII without "=?" is
// returned unchanged. CR and LF become spaces first, so no input can start a
// new header line.
std::string EncodeHeaderRfc2047(std::string_view text);

}  // namespace shouhu::plugin
