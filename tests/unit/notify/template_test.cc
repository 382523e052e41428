// {{placeholder}} templates: checked at init, rendered per message.
#include "common/template.h"

#include <gtest/gtest.h>

namespace shouhu::plugin {
namespace {

TEST(TemplateTest, RendersPlaceholdersWithTheCallersEscaping) {
  Template t;
  std::string err;
  ASSERT_TRUE(t.Parse(R"({"to":"{{phone}}","n":{{n}}})", {"phone", "n"}, &err))
      << err;
  EXPECT_EQ(t.Render([](const std::string& name) { return "<" + name + ">"; }),
            R"({"to":"<phone>","n":<n>})");
  EXPECT_TRUE(t.Uses("phone"));
  EXPECT_FALSE(t.Uses("nonce"));
}

TEST(TemplateTest, TextWithoutPlaceholdersAndEmptyText) {
  Template t;
  std::string err;
  ASSERT_TRUE(t.Parse("plain } { text", {}, &err));
  EXPECT_EQ(t.Render([](const std::string&) { return "x"; }), "plain } { text");
  ASSERT_TRUE(t.Parse("", {}, &err));
  EXPECT_EQ(t.Render([](const std::string&) { return "x"; }), "");
}

TEST(TemplateTest, UnknownPlaceholderIsNamedWithTheKnownOnes) {
  Template t;
  std::string err;
  EXPECT_FALSE(t.Parse("{{mobile}}", {"phone", "nonce"}, &err));
  EXPECT_EQ(err,
            "unknown placeholder {{mobile}} (known: {{nonce}}, {{phone}})");
}

TEST(TemplateTest, UnclosedPlaceholderIsAnError) {
  Template t;
  std::string err;
  EXPECT_FALSE(t.Parse("ab{{phone", {"phone"}, &err));
  EXPECT_EQ(err, "\"{{\" at offset 2 has no closing \"}}\"");
}

TEST(TemplateTest, ValuesAreNotReExpanded) {
  Template t;
  std::string err;
  ASSERT_TRUE(t.Parse("{{a}}", {"a", "b"}, &err));
  EXPECT_EQ(t.Render([](const std::string&) { return "{{b}}"; }), "{{b}}");
}

}  // namespace
}  // namespace shouhu::plugin
