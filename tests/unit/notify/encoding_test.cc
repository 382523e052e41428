// Encodings used on the wire: base64 (RFC 4648 vectors), hex, percent-encoding,
// JSON string escaping and RFC 2047 encoded-words for Chinese subjects.
#include "common/encoding.h"

#include <gtest/gtest.h>

#include <vector>

namespace shouhu::plugin {
namespace {

// Test-side base64 decoder, so encoded-words can be checked by content.
std::string Unbase64(const std::string& in) {
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=') break;
    acc = (acc << 6) | static_cast<uint32_t>(kAlphabet.find(c));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

bool IsValidUtf8(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    size_t n = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

// The encoded-words of a header value, split at the CRLF+space folds.
std::vector<std::string> Words(const std::string& header) {
  std::vector<std::string> words;
  size_t pos = 0;
  while (true) {
    size_t fold = header.find("\r\n ", pos);
    words.push_back(header.substr(pos, fold - pos));
    if (fold == std::string::npos) break;
    pos = fold + 3;
  }
  return words;
}

TEST(Base64Test, Rfc4648Vectors) {
  EXPECT_EQ(Base64(""), "");
  EXPECT_EQ(Base64("f"), "Zg==");
  EXPECT_EQ(Base64("fo"), "Zm8=");
  EXPECT_EQ(Base64("foo"), "Zm9v");
  EXPECT_EQ(Base64("foob"), "Zm9vYg==");
  EXPECT_EQ(Base64("fooba"), "Zm9vYmE=");
  EXPECT_EQ(Base64("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64("\xff\xfe\xfd"), "//79");
}

TEST(Base64Test, LinesAreAtMost76CharactersEndedByCrlf) {
  std::string text(200, 'x');
  std::string lines = Base64Lines(text);
  size_t pos = 0, n = 0;
  while (pos < lines.size()) {
    size_t end = lines.find("\r\n", pos);
    ASSERT_NE(end, std::string::npos);
    EXPECT_LE(end - pos, 76u);
    pos = end + 2;
    ++n;
  }
  EXPECT_EQ(n, 4u);  // 268 base64 characters
  std::erase(lines, '\r');
  std::erase(lines, '\n');
  EXPECT_EQ(Unbase64(lines), text);
}

TEST(HexTest, LowerCase) { EXPECT_EQ(Hex("\x01\xab\xff"), "01abff"); }

TEST(PercentEncodeTest, KeepsOnlyUnreserved) {
  EXPECT_EQ(PercentEncode("aZ09-._~"), "aZ09-._~");
  EXPECT_EQ(PercentEncode("a b+c/d=e&f"), "a%20b%2Bc%2Fd%3De%26f");
  EXPECT_EQ(PercentEncode("守"), "%E5%AE%88");
}

TEST(JsonEscapeTest, EscapesQuotesControlsAndKeepsUtf8) {
  EXPECT_EQ(JsonEscape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  EXPECT_EQ(JsonEscape("守护"), "守护");
  EXPECT_EQ(JsonEscape("\x01"), "\\u0001");
}

TEST(JsonEscapeTest, InvalidUtf8BecomesReplacementCharacter) {
  EXPECT_EQ(JsonEscape("a\xff"
                       "b"),
            "a\xef\xbf\xbd"
            "b");
}

TEST(Rfc2047Test, PlainAsciiIsUnchanged) {
  EXPECT_EQ(EncodeHeaderRfc2047("Case 42 overdue"), "Case 42 overdue");
}

TEST(Rfc2047Test, ChineseBecomesUtf8Base64EncodedWord) {
  EXPECT_EQ(EncodeHeaderRfc2047("守护"), "=?UTF-8?B?5a6I5oqk?=");
  EXPECT_EQ(EncodeHeaderRfc2047("留守儿童强制报告"),
            "=?UTF-8?B?55WZ5a6I5YS/56ul5by65Yi25oql5ZGK?=");
}

TEST(Rfc2047Test, LongSubjectIsFoldedIntoShortWordsWithoutSplittingCharacters) {
  std::string subject;
  for (int i = 0; i < 10; ++i)
    subject += "【紧急】留守儿童强制报告逾期，请立即处置。Case-";
  std::string encoded = EncodeHeaderRfc2047(subject);
  std::string decoded;
  std::vector<std::string> words = Words(encoded);
  EXPECT_GT(words.size(), 10u);
  for (const std::string& w : words) {
    EXPECT_LE(w.size(), 75u) << w;
    ASSERT_EQ(w.rfind("=?UTF-8?B?", 0), 0u) << w;
    ASSERT_EQ(w.substr(w.size() - 2), "?=") << w;
    std::string text = Unbase64(w.substr(10, w.size() - 12));
    EXPECT_TRUE(IsValidUtf8(text)) << w;  // each word decodes on its own
    decoded += text;
  }
  EXPECT_EQ(decoded, subject);
}

TEST(Rfc2047Test, LineBreaksCannotStartANewHeader) {
  std::string encoded = EncodeHeaderRfc2047("逾期\r\nBcc: x@evil.example");
  EXPECT_EQ(Unbase64(encoded.substr(10, encoded.size() - 12)),
            "逾期  Bcc: x@evil.example");
  EXPECT_EQ(EncodeHeaderRfc2047("a\r\nBcc: b"), "a  Bcc: b");
}

TEST(Rfc2047Test, AsciiThatLooksLikeAnEncodedWordIsEncoded) {
  EXPECT_EQ(EncodeHeaderRfc2047("=?x?="), "=?UTF-8?B?PT94Pz0=?=");
}

}  // namespace
}  // namespace shouhu::plugin
