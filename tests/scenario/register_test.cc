// The register (一人一档) made directly, not by cases: files created with
// their identity required, found within units by name, pinyin initials,
// school, class, category and helper, paged; likely duplicates told; two
// files of one child merged with their histories and cases. On the
// sample county's workflows and units.
#include <algorithm>

#include "scenario/scenario.h"
#include "shouhu/child_register.h"

namespace shouhu::scenario {
namespace {

const char* kDirector = "u0015";    // child director, chengguan-v02
const char* kCaseWorker = "u0011";  // township case worker, chengguan
const char* kTeacher = "u0021";

json Child(const std::string& name, const std::string& birth) {
  return {{"child_name", name}, {"child_birth_date", birth}};
}

class Register {
 public:
  explicit Register(Scenario& s) : s_(s) {}
  std::string Create(const std::string& unit, json fields, const char* user = kDirector) {
    auto r = RegisterOf(s_.runtime()).CreateChild({Next(), s_.As(user), unit, std::move(fields)});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->child_id : "";
  }
  std::vector<std::string> Names(ChildQuery q, size_t* total = nullptr) {
    if (q.units.empty()) q.units = {"chengguan-v02", "chengguan-c01", "chengguan-primary"};
    auto found = RegisterOf(s_.runtime()).SearchChildren(q);
    EXPECT_TRUE(found.ok()) << found.status().ToString();
    std::vector<std::string> names;
    if (!found.ok()) return names;
    for (const ChildFile& f : found->files) names.push_back(f.fields.value("child_name", ""));
    if (total) *total = found->total;
    return names;
  }
  std::string Next() { return "reg-" + std::to_string(++n_); }

 private:
  Scenario& s_;
  int n_ = 0;
};

using Names = std::vector<std::string>;

// Files come in id order (random ids): compare names as a set.
Names Sorted(Names names) {
  std::sort(names.begin(), names.end());
  return names;
}

TEST(Register, FilesAreFoundByNameInitialsAndFieldsWithinTheUnitsGiven) {
  Scenario s;
  Register reg(s);
  json ming = Child("张小明", "2015-04-01");
  ming.update({{"school", "城关小学"}, {"class_name", "三(2)班"},
               {"child_category", {"left_behind"}}, {"helpers", {"u0022"}}});
  std::string ming_id = reg.Create("chengguan-v02", ming);
  json hong = Child("曾小红", "2016-05-02");
  hong.update({{"school", "城关小学"}, {"class_name", "四(1)班"},
               {"child_category", {"in_difficulty"}}});
  reg.Create("chengguan-c01", hong);
  reg.Create("qingshi-v02", Child("张晓", "2015-06-03"));  // another township

  EXPECT_EQ(Sorted(reg.Names({.name = "zx"})), Sorted({"张小明", "曾小红"}))
      << "曾小红 is zxh; 张晓 is outside the units";
  EXPECT_EQ(reg.Names({.units = {"qingshi-v02"}, .name = "ZX"}), Names{"张晓"});
  EXPECT_EQ(reg.Names({.name = "张小"}), Names{"张小明"});
  EXPECT_EQ(Sorted(reg.Names({.name = "小"})), Sorted({"张小明", "曾小红"})) << "the given name";
  EXPECT_EQ(reg.Names({.name = "zxh"}), Names{"曾小红"}) << "曾 read as a family name";
  EXPECT_EQ(reg.Names({.name = "明"}), Names{}) << "prefixes, not substrings";
  EXPECT_EQ(Sorted(reg.Names({.school = "城关小学"})), Sorted({"张小明", "曾小红"}));
  EXPECT_EQ(reg.Names({.school = "城关小学", .class_name = "四(1)班"}), Names{"曾小红"});
  EXPECT_EQ(reg.Names({.category = "left_behind"}), Names{"张小明"});
  EXPECT_EQ(reg.Names({.name = "z", .category = "in_difficulty"}), Names{"曾小红"});
  EXPECT_EQ(reg.Names({.helper = "u0022"}), Names{"张小明"});
  EXPECT_EQ(reg.Names({.units = {"chengguan-v02"}}), Names{"张小明"}) << "every file of a unit";

  // A change moves the file in the index; the old school finds it no more.
  auto changed = s.runtime().UpdateChild(
      {reg.Next(), s.As(kDirector), ming_id, {{"school", "城关镇中学"}, {"class_name", "五(3)班"}}});
  ASSERT_TRUE(changed.ok()) << changed.status().ToString();
  EXPECT_EQ(reg.Names({.school = "城关小学"}), Names{"曾小红"});
  EXPECT_EQ(reg.Names({.school = "城关镇中学"}), Names{"张小明"});
  EXPECT_EQ(reg.Names({.class_name = "三(2)班"}), Names{});
  EXPECT_EQ(reg.Names({.class_name = "五(3)班"}), Names{"张小明"});

  // A file a case makes is in the index too, in the case's unit.
  s.Open(kTeacher, "mandatory_report",
         {{"child_name", "赵小花"}, {"child_birth_date", "2014-11-03"},
          {"category", "living_alone"}, {"reporter_kind", "mandated"},
          {"reporter_category", "school"}, {"discovered_at", "2026-03-02T08:00:00+08:00"}});
  EXPECT_EQ(Sorted(reg.Names({.name = "zxh"})), Sorted({"曾小红", "赵小花"}));
}

TEST(Register, SearchesArePaged) {
  Scenario s;
  Register reg(s);
  for (int i = 0; i < 7; ++i) {
    reg.Create("chengguan-v02", Child("王" + std::to_string(i), "2015-01-0" + std::to_string(i + 1)));
  }
  size_t total = 0;
  Names all = reg.Names({.name = "王", .limit = 50}, &total);
  EXPECT_EQ(total, 7u);
  ASSERT_EQ(all.size(), 7u);
  Names page = reg.Names({.name = "w", .offset = 2, .limit = 3}, &total);
  EXPECT_EQ(total, 7u);
  EXPECT_EQ(page, (Names{all[2], all[3], all[4]}));
  EXPECT_EQ(reg.Names({.name = "w", .offset = 6, .limit = 3}), Names{all[6]});
  EXPECT_EQ(reg.Names({.name = "w", .offset = 9}), Names{});
}

TEST(Register, AFileNeedsItsIdentityAndAnIdentityHasOneFile) {
  Scenario s;
  Register reg(s);
  auto missing = RegisterOf(s.runtime()).CreateChild(
      {reg.Next(), s.As(kDirector), "chengguan-v02", {{"child_name", "李娜"}, {"grade", 5}}});
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(missing.status().message().find("child_birth_date"), std::string::npos);
  EXPECT_NE(missing.status().message().find("grade"), std::string::npos) << "every problem";
  EXPECT_EQ(RegisterOf(s.runtime()).CreateChild({reg.Next(), s.As(kDirector), "nowhere", Child("李娜", "2015-01-01")})
                .status().code(),
            StatusCode::kInvalidArgument);

  CreateChildFile first{"same-request", s.As(kDirector), "chengguan-v02", Child("李娜", "2015-01-01")};
  auto made = RegisterOf(s.runtime()).CreateChild(first);
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  EXPECT_EQ(made->child_id.substr(0, 2), "KR");
  EXPECT_EQ(made->revision, 1u);
  auto again = RegisterOf(s.runtime()).CreateChild(first);  // a retry: the first answer
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->child_id, made->child_id);
  auto twin = RegisterOf(s.runtime()).CreateChild(
      {reg.Next(), s.As(kCaseWorker), "chengguan-c01", Child(" 李娜", "2015-01-01")});
  EXPECT_EQ(twin.status().code(), StatusCode::kAlreadyExists);
  EXPECT_NE(twin.status().message().find(made->child_id), std::string::npos);
  size_t total = 0;
  reg.Names({.name = "ln"}, &total);
  EXPECT_EQ(total, 1u) << "nothing doubled";

  auto file = s.runtime().GetChild(made->child_id, std::nullopt);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->unit, "chengguan-v02");
  EXPECT_EQ(file->case_ids, std::vector<std::string>{});
}

TEST(Register, LikelyDuplicatesShareTheNameAndOneMoreTrait) {
  Scenario s;
  Register reg(s);
  json ming = Child("张小明", "2015-04-01");
  ming["guardian_name"] = "张大山";
  std::string id = reg.Create("chengguan-v02", ming);
  auto likely = [&](json fields) {
    auto r = RegisterOf(s.runtime()).LikelyDuplicates(fields);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : std::vector<std::string>{};
  };
  using Ids = std::vector<std::string>;
  // The birth date mistyped, the guardian the same: likely the same child,
  // in any unit.
  EXPECT_EQ(likely({{"child_name", "张小明 "}, {"child_birth_date", "2015-04-11"},
                    {"guardian_name", "张大山"}}),
            Ids{id});
  EXPECT_EQ(likely(Child("张小明", "2015-04-01")), Ids{id});
  EXPECT_EQ(likely({{"child_name", "张小明"}, {"child_birth_date", "2016-01-01"},
                    {"guardian_name", "李四"}}),
            Ids{}) << "a namesake";
  EXPECT_EQ(likely({{"child_birth_date", "2015-04-01"}, {"guardian_name", "张大山"}}), Ids{});
}

TEST(Register, MergingJoinsHistoriesAndCases) {
  Scenario s;
  Register reg(s);
  json kept = Child("赵小花", "2014-11-03");
  kept.update({{"school", "城关小学"}, {"guardian_name", "赵大"}});
  std::string into = reg.Create("chengguan-v02", kept);
  s.Advance(std::chrono::hours(1));
  // A report with the birth date mistyped made a second file.
  std::string report = s.Open(
      kTeacher, "mandatory_report",
      {{"child_name", "赵小花"}, {"child_birth_date", "2014-11-13"}, {"guardian_phone", "13700001111"},
       {"school", "城关镇中学"}, {"category", "living_alone"}, {"reporter_kind", "mandated"},
       {"reporter_category", "school"}, {"discovered_at", "2026-03-02T08:00:00+08:00"}});
  std::string from = s.Case(report).child_id;
  ASSERT_FALSE(from.empty());
  ASSERT_NE(from, into);
  s.Advance(std::chrono::hours(1));

  MergeChildFiles merge{"merge-1", s.As(kCaseWorker), into, from};
  auto merged = RegisterOf(s.runtime()).MergeChildren(merge);
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  EXPECT_EQ(merged->child_id, into);
  EXPECT_EQ(merged->revision, 3u);
  EXPECT_TRUE(RegisterOf(s.runtime()).MergeChildren(merge)->replayed);

  auto file = s.runtime().GetChild(into, std::nullopt);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->fields.value("child_birth_date", ""), "2014-11-03") << "the kept file wins";
  EXPECT_EQ(file->fields.value("school", ""), "城关小学");
  EXPECT_EQ(file->fields.value("guardian_phone", ""), "13700001111") << "gaps filled";
  EXPECT_EQ(file->case_ids, std::vector<std::string>{report});
  EXPECT_EQ(file->unit, "chengguan-v02");
  EXPECT_EQ(*RegisterOf(s.runtime()).MergedInto(into), into);
  auto history = s.runtime().ChildHistory(into);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 3u);
  EXPECT_EQ((*history)[1].linked_case, report) << "the other file's revisions, in time order";
  EXPECT_EQ((*history)[2].actor, kCaseWorker) << "the merge";

  auto old = s.runtime().GetChild(from, std::nullopt);
  ASSERT_TRUE(old.ok()) << "kept";
  EXPECT_EQ(*RegisterOf(s.runtime()).MergedInto(from), into) << "marked";
  EXPECT_EQ(reg.Names({.name = "zxh"}), Names{"赵小花"}) << "one file in the register";
  EXPECT_EQ(s.runtime().UpdateChild({"u-1", s.As(kCaseWorker), from, {{"grade", "五年级"}}})
                .status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(RegisterOf(s.runtime()).MergeChildren({"merge-2", s.As(kCaseWorker), into, from}).status().code(),
            StatusCode::kFailedPrecondition);
  // The merged file's identity finds the kept one.
  auto twin = RegisterOf(s.runtime()).CreateChild(
      {reg.Next(), s.As(kDirector), "chengguan-v02", Child("赵小花", "2014-11-13")});
  EXPECT_EQ(twin.status().code(), StatusCode::kAlreadyExists);
  EXPECT_NE(twin.status().message().find(into), std::string::npos);
  // The case's next change lands on the kept file.
  s.Fire(report, "u0008", "accept",
         {{"intake_kind", "administrative"}, {"accepted_at", FormatInstant(s.Now())}});
  EXPECT_EQ(s.Case(report).child_id, into);
}

}  // namespace
}  // namespace shouhu::scenario
