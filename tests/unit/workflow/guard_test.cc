// Guards on case data, and the type check on every value a case stores.
#include <gtest/gtest.h>

#include "shouhu/workflow.h"

namespace shouhu {
namespace {

using json = nlohmann::json;
using Op = Guard::Op;

Guard Leaf(Op op, std::string field, std::vector<json> values) {
  Guard g;
  g.op = op;
  g.field = std::move(field);
  g.values = std::move(values);
  return g;
}
Guard Combine(Op op, std::vector<Guard> children) {
  Guard g;
  g.op = op;
  g.children = std::move(children);
  return g;
}
Guard Not(Guard child) { return Combine(Op::kNot, {std::move(child)}); }

const json kCase = {
    {"name", "小明"},
    {"level", "high"},
    {"age", 9},
    {"safe", false},
    {"seen_at", "2026-01-01T09:00:00+08:00"},  // 01:00Z
    {"tags", {"minor", "school"}},
    {"cleared", nullptr},
};

bool Holds(const Guard& g) { return EvaluateGuard(g, kCase); }

TEST(EvaluateGuardTest, EqAndNe) {
  EXPECT_TRUE(Holds(Leaf(Op::kEq, "level", {"high"})));
  EXPECT_FALSE(Holds(Leaf(Op::kEq, "level", {"low"})));
  EXPECT_TRUE(Holds(Leaf(Op::kEq, "age", {9})));
  EXPECT_FALSE(Holds(Leaf(Op::kEq, "age", {10})));
  EXPECT_TRUE(Holds(Leaf(Op::kEq, "safe", {false})));
  EXPECT_FALSE(Holds(Leaf(Op::kEq, "safe", {true})));
  EXPECT_TRUE(Holds(Leaf(Op::kEq, "name", {"小明"})));
  EXPECT_TRUE(Holds(Leaf(Op::kNe, "level", {"low"})));
  EXPECT_FALSE(Holds(Leaf(Op::kNe, "level", {"high"})));
  EXPECT_TRUE(Holds(Leaf(Op::kNe, "safe", {true})));
  EXPECT_FALSE(Holds(Leaf(Op::kNe, "safe", {false})));
}

TEST(EvaluateGuardTest, ValuesOfAnotherTypeAreNeverEqual) {
  EXPECT_FALSE(Holds(Leaf(Op::kEq, "age", {"9"})));
  EXPECT_TRUE(Holds(Leaf(Op::kNe, "age", {"9"})));
  EXPECT_FALSE(Holds(Leaf(Op::kEq, "safe", {0})));
  EXPECT_FALSE(Holds(Leaf(Op::kLt, "age", {"10"})));
  EXPECT_FALSE(Holds(Leaf(Op::kGe, "age", {"1"})));
}

TEST(EvaluateGuardTest, DatetimesAreEqualAcrossOffsets) {
  EXPECT_TRUE(Holds(Leaf(Op::kEq, "seen_at", {"2026-01-01T01:00:00Z"})));
  EXPECT_TRUE(Holds(Leaf(Op::kEq, "seen_at", {"2025-12-31T20:00:00-05:00"})));
  EXPECT_FALSE(Holds(Leaf(Op::kNe, "seen_at", {"2026-01-01T01:00:00.000Z"})));
  EXPECT_FALSE(Holds(Leaf(Op::kEq, "seen_at", {"2026-01-01T09:00:00Z"})));
}

TEST(EvaluateGuardTest, InAndNotIn) {
  EXPECT_TRUE(Holds(Leaf(Op::kIn, "level", {"low", "high"})));
  EXPECT_FALSE(Holds(Leaf(Op::kIn, "level", {"low", "medium"})));
  EXPECT_TRUE(Holds(Leaf(Op::kIn, "age", {7, 8, 9})));
  EXPECT_FALSE(Holds(Leaf(Op::kNotIn, "level", {"low", "high"})));
  EXPECT_TRUE(Holds(Leaf(Op::kNotIn, "level", {"low", "medium"})));
  EXPECT_TRUE(Holds(Leaf(Op::kIn, "seen_at", {"2026-01-01T01:00:00Z"})));
}

TEST(EvaluateGuardTest, IntegersOrderNumerically) {
  EXPECT_TRUE(Holds(Leaf(Op::kLt, "age", {10})));  // as text "9" > "10"
  EXPECT_FALSE(Holds(Leaf(Op::kLt, "age", {9})));
  EXPECT_TRUE(Holds(Leaf(Op::kLe, "age", {9})));
  EXPECT_FALSE(Holds(Leaf(Op::kLe, "age", {8})));
  EXPECT_TRUE(Holds(Leaf(Op::kGt, "age", {-1})));
  EXPECT_FALSE(Holds(Leaf(Op::kGt, "age", {9})));
  EXPECT_TRUE(Holds(Leaf(Op::kGe, "age", {9})));
  EXPECT_FALSE(Holds(Leaf(Op::kGe, "age", {10})));
  EXPECT_TRUE(EvaluateGuard(Leaf(Op::kLt, "n", {-2}), {{"n", -3}}));
  EXPECT_TRUE(EvaluateGuard(Leaf(Op::kGt, "n", {-2}), {{"n", 4000000000}}));
}

TEST(EvaluateGuardTest, DatetimesOrderByInstantAcrossOffsets) {
  // 09:00+08:00 is 01:00Z: before 02:00Z, though "09" > "02" as text.
  EXPECT_TRUE(Holds(Leaf(Op::kLt, "seen_at", {"2026-01-01T02:00:00Z"})));
  EXPECT_FALSE(Holds(Leaf(Op::kGt, "seen_at", {"2026-01-01T02:00:00Z"})));
  // 20:30-05:00 the day before is 01:30Z: after 01:00Z.
  EXPECT_TRUE(Holds(Leaf(Op::kLt, "seen_at", {"2025-12-31T20:30:00-05:00"})));
  EXPECT_TRUE(Holds(Leaf(Op::kGt, "seen_at", {"2025-12-31T19:00:00-05:30"})));
  EXPECT_TRUE(Holds(Leaf(Op::kLe, "seen_at", {"2026-01-01T01:00:00Z"})));
  EXPECT_TRUE(Holds(Leaf(Op::kGe, "seen_at", {"2026-01-01T01:00:00Z"})));
  EXPECT_FALSE(Holds(Leaf(Op::kGe, "seen_at", {"2026-01-01T01:00:00.001Z"})));
}

TEST(EvaluateGuardTest, Exists) {
  EXPECT_TRUE(Holds(Leaf(Op::kExists, "age", {true})));
  EXPECT_FALSE(Holds(Leaf(Op::kExists, "age", {false})));
  EXPECT_FALSE(Holds(Leaf(Op::kExists, "nickname", {true})));
  EXPECT_TRUE(Holds(Leaf(Op::kExists, "nickname", {false})));
  // A field set to null is not there.
  EXPECT_FALSE(Holds(Leaf(Op::kExists, "cleared", {true})));
  EXPECT_TRUE(Holds(Leaf(Op::kExists, "cleared", {false})));
  // false is a value, not an absence.
  EXPECT_TRUE(Holds(Leaf(Op::kExists, "safe", {true})));
}

TEST(EvaluateGuardTest, ContainsOnLists) {
  EXPECT_TRUE(Holds(Leaf(Op::kContains, "tags", {"school"})));
  EXPECT_FALSE(Holds(Leaf(Op::kContains, "tags", {"family"})));
  EXPECT_FALSE(EvaluateGuard(Leaf(Op::kContains, "tags", {"x"}),
                             {{"tags", json::array()}}));
  EXPECT_TRUE(EvaluateGuard(Leaf(Op::kContains, "n", {3}), {{"n", {1, 2, 3}}}));
  // Not a list: never holds, even when the scalar equals the value.
  EXPECT_FALSE(Holds(Leaf(Op::kContains, "level", {"high"})));
}

TEST(EvaluateGuardTest, MissingFieldsHoldOnlyForNeAndNotIn) {
  for (const char* f : {"nickname", "cleared"}) {
    SCOPED_TRACE(f);
    EXPECT_TRUE(Holds(Leaf(Op::kNe, f, {"x"})));
    EXPECT_TRUE(Holds(Leaf(Op::kNotIn, f, {"x", "y"})));
    EXPECT_FALSE(Holds(Leaf(Op::kEq, f, {"x"})));
    EXPECT_FALSE(Holds(Leaf(Op::kIn, f, {"x", "y"})));
    EXPECT_FALSE(Holds(Leaf(Op::kLt, f, {1})));
    EXPECT_FALSE(Holds(Leaf(Op::kLe, f, {1})));
    EXPECT_FALSE(Holds(Leaf(Op::kGt, f, {1})));
    EXPECT_FALSE(Holds(Leaf(Op::kGe, f, {1})));
    EXPECT_FALSE(Holds(Leaf(Op::kContains, f, {"x"})));
  }
  EXPECT_FALSE(EvaluateGuard(Leaf(Op::kEq, "a", {1}), json::object()));
  EXPECT_TRUE(EvaluateGuard(Leaf(Op::kNe, "a", {1}), json::object()));
}

TEST(EvaluateGuardTest, AllAnyNot) {
  Guard yes = Leaf(Op::kEq, "level", {"high"});
  Guard no = Leaf(Op::kEq, "level", {"low"});
  EXPECT_TRUE(Holds(Combine(Op::kAll, {yes, yes})));
  EXPECT_FALSE(Holds(Combine(Op::kAll, {yes, no})));
  EXPECT_TRUE(Holds(Combine(Op::kAny, {no, yes})));
  EXPECT_FALSE(Holds(Combine(Op::kAny, {no, no})));
  EXPECT_TRUE(Holds(Not(no)));
  EXPECT_FALSE(Holds(Not(yes)));
  // Empty combinators: "all of nothing" holds, "any of nothing" does not.
  EXPECT_TRUE(Holds(Combine(Op::kAll, {})));
  EXPECT_FALSE(Holds(Combine(Op::kAny, {})));
}

TEST(EvaluateGuardTest, Nesting) {
  // The real "close" rule's shape: all[ risk in low/medium, age < 18 ], and
  // any[ safe, not(level == high) ] around it.
  Guard g = Combine(
      Op::kAny,
      {Combine(Op::kAll,
               {Leaf(Op::kEq, "safe", {true}), Leaf(Op::kLt, "age", {18})}),
       Not(Combine(Op::kAny, {Leaf(Op::kEq, "level", {"high"}),
                              Leaf(Op::kContains, "tags", {"minor"})}))});
  EXPECT_FALSE(Holds(g));  // not safe; high and minor
  json safe = kCase;
  safe["safe"] = true;
  EXPECT_TRUE(EvaluateGuard(g, safe));
  json calm = kCase;
  calm["level"] = "low";
  calm["tags"] = json::array({"school"});
  EXPECT_TRUE(EvaluateGuard(g, calm));
  calm["tags"] = {"school", "minor"};
  EXPECT_FALSE(EvaluateGuard(g, calm));
  EXPECT_TRUE(EvaluateGuard(Not(Not(Not(Leaf(Op::kExists, "x", {true})))),
                            json::object()));
}

FieldDef Field(FieldType type, std::vector<std::string> values = {}) {
  FieldDef f;
  f.id = "f";
  f.type = type;
  f.values = std::move(values);
  return f;
}
FieldDef ListOf(FieldType item, std::vector<std::string> values = {}) {
  FieldDef f = Field(FieldType::kList);
  f.item_type = item;
  f.item_values = std::move(values);
  return f;
}

void ExpectAccepted(const FieldDef& f, const json& v) {
  Status s = CheckFieldValue(f, v);
  EXPECT_TRUE(s.ok()) << FieldTypeName(f.type) << " refused " << v.dump()
                      << ": " << s.ToString();
}
void ExpectRefused(const FieldDef& f, const json& v) {
  Status s = CheckFieldValue(f, v);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument)
      << FieldTypeName(f.type) << " accepted " << v.dump();
  EXPECT_NE(s.message().find("\"f\""), std::string::npos) << s.message();
}

TEST(CheckFieldValueTest, String) {
  FieldDef f = Field(FieldType::kString);
  ExpectAccepted(f, "小明");
  ExpectAccepted(f, "");
  for (json v : {json(1), json(true), json(nullptr), json::array({"a"}),
                 json::object({{"a", 1}})}) {
    ExpectRefused(f, v);
  }
}

TEST(CheckFieldValueTest, Enum) {
  FieldDef f = Field(FieldType::kEnum, {"high", "low"});
  ExpectAccepted(f, "high");
  ExpectAccepted(f, "low");
  ExpectRefused(f, "medium");
  ExpectRefused(f, "HIGH");
  ExpectRefused(f, 1);
  ExpectRefused(f, json::array({"high"}));
  Status s = CheckFieldValue(f, "medium");
  EXPECT_NE(s.message().find("high, low"), std::string::npos) << s.message();
}

TEST(CheckFieldValueTest, Integer) {
  FieldDef f = Field(FieldType::kInteger);
  ExpectAccepted(f, 0);
  ExpectAccepted(f, -7);
  ExpectAccepted(f, 4000000000);
  ExpectRefused(f, 1.5);
  ExpectRefused(f, "9");
  ExpectRefused(f, true);
  ExpectRefused(f, nullptr);
}

TEST(CheckFieldValueTest, Boolean) {
  FieldDef f = Field(FieldType::kBoolean);
  ExpectAccepted(f, true);
  ExpectAccepted(f, false);
  ExpectRefused(f, 0);
  ExpectRefused(f, "true");
  ExpectRefused(f, nullptr);
}

TEST(CheckFieldValueTest, Datetime) {
  FieldDef f = Field(FieldType::kDatetime);
  ExpectAccepted(f, "2026-02-13T09:00:00+08:00");
  ExpectAccepted(f, "2026-02-13T01:00:00.123Z");
  ExpectRefused(f, "2026-02-13T09:00:00");  // no offset
  ExpectRefused(f, "2026-02-30T09:00:00Z");
  ExpectRefused(f, "yesterday");
  ExpectRefused(f, 1770944400);
}

TEST(CheckFieldValueTest, ListOfEnum) {
  FieldDef f = ListOf(FieldType::kEnum, {"minor", "school"});
  ExpectAccepted(f, json::array());
  ExpectAccepted(f, {"minor", "school"});
  ExpectRefused(f, {"minor", "adult"});  // item not among the values
  ExpectRefused(f, {"minor", 3});        // item of the wrong type
  ExpectRefused(f, "minor");             // a scalar is not a list
  ExpectRefused(f, json::object({{"minor", true}}));
}

TEST(CheckFieldValueTest, ListsOfOtherItems) {
  ExpectAccepted(ListOf(FieldType::kInteger), {1, 2, 3});
  ExpectRefused(ListOf(FieldType::kInteger), {1, "2"});
  ExpectAccepted(ListOf(FieldType::kString), {"a", "b"});
  ExpectRefused(ListOf(FieldType::kString), {"a", nullptr});
  ExpectRefused(ListOf(FieldType::kString),
                json::array({json::array({"a"})}));  // nested list
  ExpectAccepted(ListOf(FieldType::kBoolean), {true, false});
  ExpectRefused(ListOf(FieldType::kBoolean), {true, 1});
  ExpectAccepted(ListOf(FieldType::kDatetime),
                 json::array({"2026-02-13T09:00:00+08:00"}));
  ExpectRefused(ListOf(FieldType::kDatetime), json::array({"2026-02-13"}));
}

}  // namespace
}  // namespace shouhu
