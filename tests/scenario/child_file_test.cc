// The child's file (一人一档) across cases and workflows: two reports on the
// same child land on one file, a report that lacks the identity is linked
// once it is known, every change keeps its author, time and case, and the
// file reads as it stood at any past instant.
#include <thread>

#include "scenario/scenario.h"

namespace shouhu::scenario {
namespace {

using namespace std::chrono_literals;

const char* kTeacher = "u0021";
const char* kVolunteer = "u0278";
const char* kOfficer = "u0008";
const char* kCaseWorker = "u0011";
const char* kHeadteacherMiddle = "u0026";

json Report(const std::string& reporter_kind, const std::string& category) {
  return {{"child_name", "赵小花"},
          {"child_birth_date", "2014-11-03"},
          {"guardian_phone", "13700001111"},
          {"category", category},
          {"reporter_kind", reporter_kind},
          {"reporter_category", reporter_kind == "mandated" ? "school" : "citizen"},
          {"discovered_at", "2026-03-02T08:00:00+08:00"}};
}

TEST(ChildFile, TwoReportsOnOneChildAreLinkedNotDuplicated) {
  Scenario s;
  std::string first = s.Open(kTeacher, "mandatory_report", Report("mandated", "living_alone"));
  std::string child = s.Case(first).child_id;
  EXPECT_EQ(child, "K" + first.substr(1));
  // Ended, so the next report opens a case of its own (an open one it
  // would join: reports_test.cc).
  s.Fire(first, kOfficer, "transfer", {{"transfer_to", "qingshan-police"}});
  s.Advance(1h);
  // The same child, reported by a volunteer, with spaces around the name.
  json again = Report("voluntary", "guardian_neglect");
  again["child_name"] = " 赵小花 ";
  std::string second = s.Open(kVolunteer, "mandatory_report", again);
  EXPECT_EQ(s.Case(second).child_id, child);
  bool linked = false;
  for (const HistoryEntry& h : s.History(second)) {
    if (h.kind == "child_linked") {
      linked = true;
      EXPECT_EQ(h.data["other_cases"], json::array({first}));
    }
  }
  EXPECT_TRUE(linked);
  auto file = s.runtime().GetChild(child, std::nullopt);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ(file->case_ids, (std::vector<std::string>{first, second}));
  EXPECT_EQ(file->unit, "chengguan-primary");
  // A different child (another birth date) gets a file of its own.
  json other = Report("mandated", "missing");
  other["child_birth_date"] = "2014-11-04";
  std::string third = s.Open(kTeacher, "mandatory_report", other);
  EXPECT_NE(s.Case(third).child_id, child);
  EXPECT_FALSE(s.Case(third).child_id.empty());
  // So does a dropout of the same child, from another workflow: same file.
  std::string dropout = s.Open(kHeadteacherMiddle, "dropout_return",
                               {{"child_name", "赵小花"}, {"child_birth_date", "2014-11-03"},
                                {"school", "城关镇中学"}, {"grade", "初一"},
                                {"absence_kind", "unexplained_absence"},
                                {"absent_since", "2026-03-01T08:00:00+08:00"}});
  EXPECT_EQ(s.Case(dropout).child_id, child);
  file = s.runtime().GetChild(child, std::nullopt);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->case_ids.size(), 3u);
  EXPECT_EQ(file->fields.value("school", ""), "城关镇中学");
}

TEST(ChildFile, AReportWithoutTheIdentityIsLinkedWhenItIsKnown) {
  Scenario s;
  json report = Report("voluntary", "living_alone");
  report.erase("child_birth_date");  // a neighbour may not know it
  std::string id = s.Open(kVolunteer, "mandatory_report", report);
  EXPECT_EQ(s.Case(id).child_id, "");
  s.Fire(id, kOfficer, "accept",
         {{"intake_kind", "administrative"},
          {"accepted_at", FormatInstant(s.Now())},
          {"child_birth_date", "2014-11-03"}});
  std::string child = s.Case(id).child_id;
  ASSERT_FALSE(child.empty());
  auto file = s.runtime().GetChild(child, std::nullopt);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->fields.value("guardian_phone", ""), "13700001111");
  EXPECT_EQ(file->case_ids, std::vector<std::string>{id});
}

TEST(ChildFile, EveryChangeIsKeptAndThePastCanBeRead) {
  Scenario s;
  Instant opened = s.Now();
  std::string id = s.Open(kTeacher, "mandatory_report", Report("mandated", "living_alone"));
  std::string child = s.Case(id).child_id;
  s.Fire(id, kOfficer, "accept",
         {{"intake_kind", "administrative"}, {"accepted_at", FormatInstant(s.Now())}});
  s.Fire(id, kOfficer, "respond", {{"responded_at", FormatInstant(s.Now())}});
  s.Fire(id, kOfficer, "order_parents", {{"ordered_at", FormatInstant(s.Now())}});
  s.Fire(id, kOfficer, "reprimand_parents",
         {{"reprimanded_at", FormatInstant(s.Now())}, {"reprimand_note", "训诫"}});
  s.Fire(id, kOfficer, "order_return", {{"guardian_arrangement", "parent_returned"}});
  s.Fire(id, kOfficer, "notify_township", {{"township_notified_at", FormatInstant(s.Now())}});
  s.Advance(std::chrono::days(2));
  Instant before_assessment = s.Now();
  json assessment = {{"safety_situation", "安全"}, {"guardianship_situation", "父亲返乡"},
                     {"health_situation", "良好"}, {"risk_level", "low"},
                     {"co_assessors", {"civil_affairs", "police"}},
                     {"assessed_at", FormatInstant(before_assessment + 1h)},
                     {"guardian_phone", "13700002222"}};
  // A refused command changes nothing in the file either.
  json refused = assessment;
  refused["co_assessors"] = {"school"};
  s.Refused(id, kCaseWorker, "assess", refused, StatusCode::kFailedPrecondition);
  s.Advance(1h);
  s.Fire(id, kCaseWorker, "assess", assessment);
  Instant assessed = s.Now();

  auto now = s.runtime().GetChild(child, std::nullopt);
  ASSERT_TRUE(now.ok());
  EXPECT_EQ(now->fields.value("guardian_phone", ""), "13700002222");
  EXPECT_EQ(now->fields.value("risk_level", ""), "low");
  EXPECT_EQ(now->created_at, opened);
  EXPECT_EQ(now->updated_at, assessed);
  auto then = s.runtime().GetChild(child, before_assessment);
  ASSERT_TRUE(then.ok());
  EXPECT_EQ(then->fields.value("guardian_phone", ""), "13700001111");
  EXPECT_FALSE(then->fields.contains("risk_level"));
  EXPECT_EQ(then->revision, 1u);
  EXPECT_EQ(s.runtime().GetChild(child, opened - 1ms).status().code(), StatusCode::kNotFound);

  auto history = s.runtime().ChildHistory(child);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].revision, 1u);
  EXPECT_EQ((*history)[0].actor, kTeacher);
  EXPECT_EQ((*history)[0].case_id, id);
  EXPECT_EQ((*history)[0].linked_case, id);
  EXPECT_EQ((*history)[0].changes.value("child_name", ""), "赵小花");
  EXPECT_EQ((*history)[1].actor, kCaseWorker);
  EXPECT_EQ((*history)[1].at, assessed);
  EXPECT_EQ((*history)[1].linked_case, "");
  EXPECT_EQ((*history)[1].changes,
            (json{{"guardian_phone", "13700002222"},
                  {"safety_situation", "安全"},
                  {"guardianship_situation", "父亲返乡"},
                  {"health_situation", "良好"},
                  {"risk_level", "low"}}));
  EXPECT_EQ(s.runtime().GetChild("K404", std::nullopt).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(s.runtime().ChildHistory("").status().code(), StatusCode::kInvalidArgument);
}

TEST(ChildFile, ConcurrentReportsOnANewChildCreateOneFile) {
  Scenario s;
  constexpr int kThreads = 8;
  std::vector<std::string> children(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      auto r = s.runtime().Open({"concurrent-" + std::to_string(i), s.As(kTeacher),
                                 "mandatory_report", "", Report("mandated", "missing")});
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      auto c = s.runtime().GetCase(r->case_id);
      ASSERT_TRUE(c.ok());
      children[i] = c->child_id;
    });
  }
  for (std::thread& t : threads) t.join();
  for (const std::string& child : children) EXPECT_EQ(child, children[0]);
  auto file = s.runtime().GetChild(children[0], std::nullopt);
  ASSERT_TRUE(file.ok());
  // One case: the other reports joined it (same_child "join").
  EXPECT_EQ(file->case_ids.size(), 1u);
}

TEST(ChildFile, FileAndLinkedReportSurviveARestart) {
  Scenario s;
  std::string plan = s.Open("u0023", "care_plan",
                            {{"child_name", "赵小花"}, {"child_birth_date", "2014-11-03"},
                             {"child_category", {"left_behind"}}, {"pairing_mode", "one_to_one"},
                             {"helpers", {"u0022"}}});
  s.Fire(plan, "u0022", "record_concern",
         {{"concern_category", "guardian_neglect"},
          {"concern_found_at", FormatInstant(s.Now())}, {"note", "无人照料"}});
  s.Fire(plan, "u0022", "file_report");
  std::string report = s.Case(plan).data.value("report_case_id", "");
  std::string child = s.Case(plan).child_id;
  auto before = s.runtime().GetChild(child, std::nullopt);
  ASSERT_TRUE(before.ok());
  s.Restart();
  auto after = s.runtime().GetChild(child, std::nullopt);
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(after->case_ids, (std::vector<std::string>{plan, report}));
  EXPECT_EQ(after->fields, before->fields);
  EXPECT_EQ(after->revision, before->revision);
  // The linked report's acceptance deadline fires after the restart.
  EXPECT_EQ(s.Case(report).state, "reported");
  s.TakeOutbox();
  EXPECT_EQ(s.Advance(2h), 1u);
  s.ExpectNotice(s.TakeOutbox(), "overdue", {"u0008", "u0009"}, {"sms"});
}

}  // namespace
}  // namespace shouhu::scenario
