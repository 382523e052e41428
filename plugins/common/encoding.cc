#include "encoding.h"

#include <nlohmann/json.hpp>

namespace shouhu::plugin {
namespace {

constexpr char kBase64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Longest input chunk whose encoded-word stays within RFC 2047's 75 chars:
// "=?UTF-8?B?" + 60 base64 chars + "?=" = 72.
constexpr size_t kWordBytes = 45;

bool IsPlainAscii(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return s.find("=?") == std::string_view::npos;
}

// Length of the UTF-8 sequence starting with lead byte `c` (1 for a stray
// continuation or invalid byte, so that splitting always makes progress).
size_t Utf8Length(unsigned char c) {
  if (c >= 0xf0 && c <= 0xf4) return 4;
  if (c >= 0xe0) return c <= 0xef ? 3 : 1;
  if (c >= 0xc2) return 2;
  return 1;
}

}  // namespace

std::string Base64(std::string_view data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    uint32_t v = (uint8_t(data[i]) << 16) | (uint8_t(data[i + 1]) << 8) |
                 uint8_t(data[i + 2]);
    out += kBase64[v >> 18];
    out += kBase64[(v >> 12) & 63];
    out += kBase64[(v >> 6) & 63];
    out += kBase64[v & 63];
  }
  if (size_t rest = data.size() - i) {
    uint32_t v = uint8_t(data[i]) << 16;
    if (rest == 2) v |= uint8_t(data[i + 1]) << 8;
    out += kBase64[v >> 18];
    out += kBase64[(v >> 12) & 63];
    out += rest == 2 ? kBase64[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string Base64Lines(std::string_view data, size_t line_len) {
  std::string b64 = Base64(data);
  std::string out;
  for (size_t i = 0; i < b64.size(); i += line_len) {
    out += b64.substr(i, line_len);
    out += "\r\n";
  }
  return out;
}

std::string Hex(std::string_view data) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(data.size() * 2);
  for (unsigned char c : data) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

std::string PercentEncode(std::string_view data) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : data) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
        (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
        c == '~') {
      out += char(c);
    } else {
      out += '%';
      out += kDigits[c >> 4];
      out += kDigits[c & 15];
    }
  }
  return out;
}

std::string JsonEscape(std::string_view s) {
  std::string quoted =
      nlohmann::json(std::string(s))
          .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return quoted.substr(1, quoted.size() - 2);
}

std::string EncodeHeaderRfc2047(std::string_view text) {
  std::string clean(text);
  for (char& c : clean) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  if (IsPlainAscii(clean)) return clean;
  std::string out;
  size_t i = 0;
  while (i < clean.size()) {
    size_t end = i;
    while (end < clean.size()) {
      size_t n = Utf8Length(static_cast<unsigned char>(clean[end]));
      if (end + n > clean.size()) n = clean.size() - end;
      if (end + n - i > kWordBytes) break;
      end += n;
    }
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + Base64(std::string_view(clean).substr(i, end - i)) +
           "?=";
    i = end;
  }
  return out;
}

}  // namespace shouhu::plugin
