// Pins the child's file part of the key layout (runtime/codec.h): revisions
// sort by time within one child, one child's prefix never reaches another's,
// and a revision survives encoding.
#include <gtest/gtest.h>

#include "runtime/codec.h"
#include "runtime_fixture.h"

namespace shouhu::runtime_test {
namespace {

TEST(ChildCodecTest, RevisionsSortByTimeThenCaseWithinOneChild) {
  Instant t = At("2026-03-02T09:00:00+08:00");
  std::string a = codec::ChildRevisionKey("K1", t, "C2", 9);
  std::string b = codec::ChildRevisionKey("K1", t + 1ms, "C1", 1);
  std::string c = codec::ChildRevisionKey("K1", t + 1ms, "C1", 2);
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  std::string prefix = codec::ChildRevisionPrefix("K1");
  EXPECT_EQ(a.compare(0, prefix.size(), prefix), 0);
  // "K10" starts with "K1" but is another child.
  std::string other = codec::ChildRevisionKey("K10", t, "C3", 1);
  EXPECT_NE(other.compare(0, prefix.size(), prefix), 0);
}

TEST(ChildCodecTest, RevisionRoundTrip) {
  ChildRevision r;
  r.at = At("2026-03-02T09:00:00+08:00");
  r.actor = "u0021";
  r.case_id = "C0000000001";
  r.changes = {{"child_name", "王小明"}, {"risk_level", "low"}};
  r.linked_case = "C0000000001";
  std::string unit;
  auto back = codec::DecodeChildRevision(codec::EncodeChildRevision(r, "chengguan-primary"), &unit);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->at, r.at);
  EXPECT_EQ(back->actor, r.actor);
  EXPECT_EQ(back->case_id, r.case_id);
  EXPECT_EQ(back->changes, r.changes);
  EXPECT_EQ(back->linked_case, r.linked_case);
  EXPECT_EQ(unit, "chengguan-primary");
  auto id = codec::DecodeChildId(codec::EncodeChildId("K0000000001"));
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, "K0000000001");
  EXPECT_FALSE(codec::DecodeChildRevision("\x01{}", nullptr).ok());
  EXPECT_FALSE(codec::DecodeChildId("garbage").ok());
}

}  // namespace
}  // namespace shouhu::runtime_test
