// Pinyin initials of Chinese text, for finding a child by "zxm" (张小明).
//
// Built on ICU's Han-Latin transliterator (libicu, Debian's libicu-dev): it
// knows a reading for every CJK ideograph, also those outside GB2312 that
// names often use (堃, 玥, 喆), which the older trick of GB2312 level-1
// code ranges cannot give. A polyphonic character gets ICU's usual reading
// (曾 → z, 单 → d), not the one a surname may take.
//
// Thread safety: safe from many threads (one shared transliterator behind a
// mutex; a name takes microseconds).
//
// A polyphonic character gets ICU's usual reading; as a family name some
// read otherwise (曾 zēng, not céng), so NameInitials reads the first
// character of a person's name as a family name.
#pragma once

#include <string>
#include <string_view>

namespace shouhu {

// The initial letter of each syllable of `utf8`, lower case: "张小明" →
// "zxm"; ASCII letters and digits are kept as they are (lower case),
// everything else (spaces, "·", punctuation) is dropped. "" when ICU is
// unavailable or the text is not UTF-8.
std::string PinyinInitials(std::string_view utf8);

// PinyinInitials of a person's name "family name first": the first
// character read as a family name where that reading differs (曾 → z,
// 单 → s, 解 → x, 仇 → q, 朴 → p, 查 → z, 区 → o, 乐 → y, 尉 → y, 覃 → q,
// 盖 → g, 缪 → m, 翟 → z, 种 → c, 秘 → b).
std::string NameInitials(std::string_view utf8);

}  // namespace shouhu
