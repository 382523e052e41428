// SHA-256 against FIPS 180-2 examples and HMAC-SHA256 against RFC 4231, the
// primitives behind every request signature the plugins send.
#include <gtest/gtest.h>

#include "common/crypto.h"
#include "common/encoding.h"

namespace shouhu::plugin {
namespace {

std::string Bytes(std::initializer_list<int> v) {
  std::string s;
  for (int b : v) s += static_cast<char>(b);
  return s;
}

TEST(Sha256Test, Fips180Examples) {
  EXPECT_EQ(Hex(Sha256("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Hex(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(
      Hex(Sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

struct Rfc4231Case {
  const char* name;
  std::string key;
  std::string data;
  const char* hmac_sha256;  // hex; case 5 is truncated to 128 bits
};

TEST(HmacSha256Test, Rfc4231TestCases) {
  const std::string key4 =
      Bytes({0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09,
             0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12,
             0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19});
  const Rfc4231Case cases[] = {
      {"4.2", std::string(20, '\x0b'), "Hi There",
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {"4.3", "Jefe", "what do ya want for nothing?",
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      {"4.4", std::string(20, '\xaa'), std::string(50, '\xdd'),
       "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
      {"4.5", key4, std::string(50, '\xcd'),
       "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
      {"4.6", std::string(20, '\x0c'), "Test With Truncation",
       "a3b6167473100ee06e0c796c2955552b"},
      {"4.7", std::string(131, '\xaa'),
       "Test Using Larger Than Block-Size Key - Hash Key First",
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
      {"4.8", std::string(131, '\xaa'),
       "This is a test using a larger than block-size key and a larger than "
       "block-size data. The key needs to be hashed before being used by the "
       "HMAC algorithm.",
       "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
  };
  for (const Rfc4231Case& c : cases) {
    std::string expected = c.hmac_sha256;
    EXPECT_EQ(Hex(HmacSha256(c.key, c.data)).substr(0, expected.size()),
              expected)
        << "RFC 4231 section " << c.name;
  }
}

TEST(HmacSha256Test, EmptyKeyIsAKeyNotAReuseOfThePreviousOne) {
  EXPECT_EQ(Hex(HmacSha256("", "")),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
  EXPECT_EQ(HmacSha256("", "x"), HmacSha256(std::string(), "x"));
}

// DingTalk's 加签: sign = urlencode(base64(HMAC(secret, ts + "\n" + secret))).
// Expected value computed with Python's hmac module.
TEST(HmacSha256Test, DingTalkStyleSignature) {
  std::string ts = "1700000000000", secret = "SEC0123";
  std::string sign = Base64(HmacSha256(secret, ts + "\n" + secret));
  EXPECT_EQ(sign, "2lI0CLA9w0NryWAswdWUgPoOvPXo1wScAKa+6Qn+lxQ=");
  EXPECT_EQ(PercentEncode(sign),
            "2lI0CLA9w0NryWAswdWUgPoOvPXo1wScAKa%2B6Qn%2BlxQ%3D");
}

TEST(RandomHexTest, IsFreshAndOfTheAskedLength) {
  std::string a = RandomHex(16), b = RandomHex(16);
  EXPECT_EQ(a.size(), 32u);
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace shouhu::plugin
