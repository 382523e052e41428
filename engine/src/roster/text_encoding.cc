#include "roster/text_encoding.h"

#include <iconv.h>

#include <cerrno>
#include <cstdint>

namespace shouhu::roster {
namespace {

StatusOr<std::string> Convert(std::string_view in, const char* from, const char* to) {
  iconv_t cd = iconv_open(to, from);
  if (cd == reinterpret_cast<iconv_t>(-1)) {
    return Internal(std::string("iconv cannot convert ") + from + " to " + to);
  }
  std::string out(in.size() * 2 + 16, '\0');
  char* src = const_cast<char*>(in.data());
  size_t src_left = in.size();
  size_t done = 0;
  while (true) {
    char* dst = out.data() + done;
    size_t dst_left = out.size() - done;
    size_t r = iconv(cd, src_left ? &src : nullptr, &src_left, &dst, &dst_left);
    done = out.size() - dst_left;
    if (r != static_cast<size_t>(-1) && src_left == 0) {
      // Flush any shift state.
      dst = out.data() + done;
      dst_left = out.size() - done;
      iconv(cd, nullptr, nullptr, &dst, &dst_left);
      done = out.size() - dst_left;
      break;
    }
    if (r == static_cast<size_t>(-1) && errno == E2BIG) {
      out.resize(out.size() * 2);
      continue;
    }
    iconv_close(cd);
    return InvalidArgument(std::string("the text is not ") + from + " (byte " +
                           std::to_string(in.size() - src_left + 1) + ")");
  }
  iconv_close(cd);
  out.resize(done);
  return out;
}

}  // namespace

bool IsValidUtf8(std::string_view s) {
  static constexpr uint32_t kSmallest[] = {0, 0x80, 0x800, 0x10000};
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = 0;
    uint32_t cp = c;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 1, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3, cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;
    for (size_t k = 1; k <= n; ++k) {
      unsigned char d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    if (cp < kSmallest[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
}

StatusOr<DecodedText> DecodeText(std::string_view bytes) {
  if (bytes.starts_with("\xEF\xBB\xBF")) bytes.remove_prefix(3);
  if (IsValidUtf8(bytes)) return DecodedText{std::string(bytes), Encoding::kUtf8};
  auto converted = Convert(bytes, "GB18030", "UTF-8");
  if (!converted.ok()) {
    return InvalidArgument("文件编码无法识别 the file is neither UTF-8 nor GB18030 text");
  }
  return DecodedText{std::move(*converted), Encoding::kGb18030};
}

StatusOr<std::string> ToGb18030(std::string_view utf8) {
  return Convert(utf8, "UTF-8", "GB18030");
}

}  // namespace shouhu::roster
