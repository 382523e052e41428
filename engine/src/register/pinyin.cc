#include "register/pinyin.h"

#include <unicode/translit.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <cctype>
#include <memory>
#include <utility>

#include "shouhu/mutex.h"

namespace shouhu {
namespace {

struct Transliterator {
  Mutex mu;  // ICU's transliterator is not thread-safe
  std::unique_ptr<icu::Transliterator> han_latin SHOUHU_PT_GUARDED_BY(mu);  // null if ICU lacks it
};

Transliterator& Shared() {
  static Transliterator* t = [] {
    auto* out = new Transliterator;
    UErrorCode status = U_ZERO_ERROR;
    out->han_latin.reset(icu::Transliterator::createInstance(
        "Han-Latin; Latin-ASCII", UTRANS_FORWARD, status));
    if (U_FAILURE(status)) out->han_latin.reset();
    return out;
  }();
  return *t;
}

// Family names read otherwise than the character's usual reading.
constexpr std::pair<std::string_view, char> kFamilyNames[] = {
    {"曾", 'z'}, {"单", 's'}, {"解", 'x'}, {"仇", 'q'}, {"朴", 'p'},
    {"查", 'z'}, {"区", 'o'}, {"乐", 'y'}, {"尉", 'y'}, {"覃", 'q'},
    {"盖", 'g'}, {"缪", 'm'}, {"翟", 'z'}, {"种", 'c'}, {"秘", 'b'}};

}  // namespace

std::string NameInitials(std::string_view utf8) {
  std::string out = PinyinInitials(utf8);
  for (auto [name, initial] : kFamilyNames) {
    if (utf8.starts_with(name) && !out.empty()) out[0] = initial;
  }
  return out;
}

std::string PinyinInitials(std::string_view utf8) {
  Transliterator& t = Shared();
  if (!t.han_latin) return "";
  icu::UnicodeString text = icu::UnicodeString::fromUTF8(
      icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
  std::string out;
  // Each ideograph on its own, so a syllable is one initial whatever ICU
  // does with spaces between words.
  for (int32_t i = 0; i < text.length();) {
    UChar32 c = text.char32At(i);
    i += U16_LENGTH(c);
    if (c == 0xFFFD) return "";  // not UTF-8
    if (c < 0x80) {
      if (std::isalnum(c)) out.push_back(static_cast<char>(std::tolower(c)));
      continue;
    }
    if (!u_hasBinaryProperty(c, UCHAR_IDEOGRAPHIC)) continue;
    icu::UnicodeString one(c);
    {
      MutexLock lock(t.mu);
      t.han_latin->transliterate(one);
    }
    for (int32_t j = 0; j < one.length(); ++j) {
      UChar l = one.charAt(j);
      if (l < 0x80 && std::isalpha(l)) {
        out.push_back(static_cast<char>(std::tolower(l)));
        break;
      }
    }
  }
  return out;
}

}  // namespace shouhu
