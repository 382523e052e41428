// The register's search terms: pinyin initials (ICU), name prefixes, exact
// fields, and the de-duplication terms kept across units.
#include "register/child_terms.h"

#include <gtest/gtest.h>

#include "register/pinyin.h"

namespace shouhu {
namespace {

using nlohmann::json;

TEST(PinyinTest, InitialsOfEveryIdeographKeepLettersAndDigits) {
  EXPECT_EQ(PinyinInitials("张小明"), "zxm");
  EXPECT_EQ(PinyinInitials("李 娜"), "ln");
  // Outside GB2312, common in names: the GB2312 code-range trick has no
  // initial for these.
  EXPECT_EQ(PinyinInitials("王堃"), "wk");
  EXPECT_EQ(PinyinInitials("刘喆"), "lz");
  EXPECT_EQ(PinyinInitials("阿依·买买提"), "aymmt");
  EXPECT_EQ(PinyinInitials("Tom张3"), "tomz3");
  EXPECT_EQ(PinyinInitials(""), "");
}

TEST(PinyinTest, AFamilyNameIsReadAsAFamilyName) {
  EXPECT_EQ(NameInitials("曾小红"), "zxh");
  EXPECT_EQ(NameInitials("单田芳"), "stf");
  EXPECT_EQ(NameInitials("张曾"), PinyinInitials("张曾")) << "only the first character";
}

TEST(ChildTermsTest, AFileIsFoundByPrefixesExactFieldsAndEveryFile) {
  json fields = {{"child_name", " 张小明 "},
                 {"child_birth_date", "2015-04-01"},
                 {"school", "城关小学"},
                 {"class_name", "三(2)班"},
                 {"child_category", {"left_behind", "in_difficulty"}},
                 {"helpers", {"u0022"}},
                 {"guardian_name", "张大山"}};
  std::set<ChildTerm> terms = ChildTermsOf("chengguan-v01", fields);
  for (const char* t : {"*", "n:张", "n:张小", "n:张小明", "n:小", "n:小明", "p:z", "p:zx",
                        "p:zxm", "p:x", "p:xm", "s:城关小学", "c:三(2)班", "k:left_behind",
                        "k:in_difficulty", "h:u0022"}) {
    EXPECT_EQ(terms.count({"chengguan-v01", t}), 1u) << t;
  }
  EXPECT_EQ(terms.count({"chengguan-v01", "n:明"}), 0u) << "no substrings";
  for (const char* t : {"N:张小明", "b:2015-04-01", "g:张大山", "H:u0022"}) {
    EXPECT_EQ(terms.count({"", t}), 1u) << t;
  }
  EXPECT_EQ(terms.size(), 16u + 4u);
}

TEST(ChildTermsTest, QueriesNormaliseLikeFiles) {
  EXPECT_EQ(NormalizeTermText("\xE3\x80\x80 ZXM\t "), "zxm");
  EXPECT_EQ(NameQueryTerms(" ZX"), (std::pair<std::string, std::string>{"n:zx", "p:zx"}));
  EXPECT_EQ(NameQueryTerms("张小"), (std::pair<std::string, std::string>{"n:张小", ""}));
  EXPECT_EQ(SchoolTerm(" 城关小学"), "s:城关小学");
  // No name: nothing to tell a duplicate by.
  EXPECT_EQ(SameNameTerm({{"child_birth_date", "2015-04-01"}}), "");
  EXPECT_EQ(SameChildTerms({{"child_name", "a"}, {"child_id_number", "110101201504010011"}}),
            std::vector<std::string>{"i:110101201504010011"});
}

}  // namespace
}  // namespace shouhu
