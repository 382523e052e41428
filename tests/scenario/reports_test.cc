// Data that makes sense and one file per child (issue 14, items 15, 16, 19):
// dates in a report are checked against now and the report, every problem of
// a command is named at once; a second report about a child whose case is
// open joins it; the child's file is changed directly, kept with who and
// when, and read as it stood.
#include <algorithm>
#include <thread>

#include "scenario/scenario.h"

namespace shouhu::scenario {
namespace {

using namespace std::chrono_literals;

const char* kTeacher = "u0021";     // reporter, 城关镇中心小学
const char* kVolunteer = "u0278";   // voluntary reporter, 城关镇一社区
const char* kOfficer = "u0008";
const char* kOfficer2 = "u0009";
const char* kCaseWorker = "u0011";  // township case worker, 城关镇

json Report(const std::string& name = "钱小雨") {
  return {{"child_name", name},
          {"child_birth_date", "2015-06-01"},
          {"guardian_phone", "13700003333"},
          {"category", "living_alone"},
          {"reporter_kind", "mandated"},
          {"reporter_category", "school"},
          {"discovered_at", "2026-03-02T08:00:00+08:00"}};
}

// Opens through the runtime and returns the refusal.
Status OpenStatus(Scenario& s, const std::string& user, const json& data,
                  const std::string& request = "refused") {
  auto r = s.runtime().Open({request, s.As(user), "mandatory_report", "", data});
  return r.ok() ? Status::Ok() : r.status();
}

// --- item 19: dates are checked, every problem at once ---------------------

// Expects the report with `field` set to `value` refused, the message
// holding `says`; returns the message.
std::string RefusedWith(Scenario& s, const std::string& field, const std::string& value,
                        const std::string& says) {
  json data = Report();
  data[field] = value;
  Status st = OpenStatus(s, kTeacher, data);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << field << "=" << value;
  EXPECT_NE(st.message().find(says), std::string::npos) << st.message();
  return st.message();
}

TEST(Dates, ADateInTheFutureOrFreeTextIsRefusedNamingTheField) {
  Scenario s;  // now: 2026-03-02 09:00 +08:00
  RefusedWith(s, "child_birth_date", "2026-03-03",
              "field \"child_birth_date\" must not be after now");
  RefusedWith(s, "discovered_at", "2026-03-02T10:00:00+08:00",
              "field \"discovered_at\" must not be after now");
  std::string m =
      RefusedWith(s, "child_birth_date", "去年春天", "field \"child_birth_date\" must be a date");
  EXPECT_EQ(m.find("去年春天"), std::string::npos) << "a personal value is not echoed";

  // A child born today, found just now: fine. A case opened, nothing refused.
  json today = Report();
  today["child_birth_date"] = "2026-03-02";
  today["discovered_at"] = FormatInstant(s.Now());
  EXPECT_FALSE(s.Open(kTeacher, "mandatory_report", today).empty());
}

TEST(Dates, EveryMissingOrBadFieldIsReportedAtOnce) {
  Scenario s;
  json bad = Report();
  bad.erase("category");
  bad.erase("reporter_kind");
  bad["child_birth_date"] = "2099-01-01";
  bad["discovered_at"] = "昨天下午";
  bad["no_such_field"] = 1;
  Status st = OpenStatus(s, kTeacher, bad);
  ASSERT_EQ(st.code(), StatusCode::kInvalidArgument);
  for (const char* field : {"category", "reporter_kind", "child_birth_date", "discovered_at",
                            "no_such_field"}) {
    EXPECT_NE(st.message().find("field \"" + std::string(field) + "\""), std::string::npos)
        << field << " in: " << st.message();
  }
  EXPECT_EQ(std::count(st.message().begin(), st.message().end(), '\n'), 4) << st.message();
}

TEST(Dates, AcceptanceCannotPrecedeTheReport) {
  Scenario s;
  std::string id = s.Open(kTeacher, "mandatory_report", Report());
  s.Advance(1h);
  s.Refused(id, kOfficer, "accept",
            {{"intake_kind", "administrative"}, {"accepted_at", "2026-03-02T08:59:00+08:00"}},
            StatusCode::kInvalidArgument);
  auto r = s.runtime().Fire({"early", s.As(kOfficer), id, "accept",
                             {{"intake_kind", "administrative"},
                              {"accepted_at", "2026-03-02T08:59:00+08:00"}},
                             std::nullopt});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("field \"accepted_at\" must not be before the report"),
            std::string::npos) << r.status().message();
  // At the report's own minute or later: accepted.
  EXPECT_EQ(s.Fire(id, kOfficer, "accept",
                   {{"intake_kind", "administrative"},
                    {"accepted_at", "2026-03-02T09:00:00+08:00"}}),
            "police_intake");
}

// --- item 16: a second report about a child with an open case joins it ------

TEST(SecondReport, JoinsTheOpenCaseInsteadOfOpeningAParallelOne) {
  Scenario s;
  std::string first = s.Open(kTeacher, "mandatory_report", Report());
  std::string child = s.Case(first).child_id;
  s.TakeOutbox();
  s.Advance(1h);
  json second = Report(" 钱小雨 ");
  second["reporter_kind"] = "voluntary";
  second["reporter_category"] = "citizen";
  second["description"] = "邻居：孩子一周没见到大人";
  auto r = s.runtime().Open({"second", s.As(kVolunteer), "mandatory_report", "", second});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->joined);
  EXPECT_EQ(r->case_id, first);
  EXPECT_EQ(r->state, "reported");
  CaseRecord c = s.Case(first);
  EXPECT_EQ(c.reporter, kTeacher);
  EXPECT_EQ(c.joined_reporters, std::vector<std::string>{kVolunteer});
  EXPECT_FALSE(c.data.contains("description")) << "the first report's data stays as filed";
  HistoryEntry joined = s.History(first).back();
  EXPECT_EQ(joined.kind, "report_joined");
  EXPECT_EQ(joined.actor, kVolunteer);
  EXPECT_EQ(joined.data, second);
  // The police hear of the new report on the same case.
  s.ExpectNotice(s.TakeOutbox(), "new_report", {kOfficer, kOfficer2}, {"sms", "webhook"});
  // One case about the child, not two.
  auto file = s.runtime().GetChild(child, std::nullopt);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->case_ids, std::vector<std::string>{first});
  auto listed = s.runtime().ListByUnit("chengguan-primary", {});
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->cases.size(), 1u);
  // A retry answers as the first time.
  auto again = s.runtime().Open({"second", s.As(kVolunteer), "mandatory_report", "", second});
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->replayed);
  EXPECT_TRUE(again->joined);
  EXPECT_EQ(again->case_id, first);
  EXPECT_EQ(s.Case(first).last_seq, c.last_seq);

  // The joining reporter hears the feedback the reporter hears.
  s.Fire(first, kOfficer, "accept",
         {{"intake_kind", "administrative"}, {"accepted_at", FormatInstant(s.Now())}});
  s.TakeOutbox();
  s.Fire(first, kOfficer, "send_feedback",
         {{"feedback_sent_at", FormatInstant(s.Now())}, {"feedback_summary", "已出警"}});
  s.ExpectNotice(s.TakeOutbox(), "feedback_to_reporter", {kTeacher, kVolunteer}, {"sms"});

  // Once the case has ended, a new report opens a case of its own.
  s.Fire(first, kOfficer, "transfer", {{"transfer_to", "qingshan-police"}});
  ASSERT_EQ(s.State(first), "transferred");
  auto third = s.runtime().Open({"third", s.As(kTeacher), "mandatory_report", "", Report()});
  ASSERT_TRUE(third.ok());
  EXPECT_FALSE(third->joined);
  EXPECT_NE(third->case_id, first);
  EXPECT_EQ(s.Case(third->case_id).child_id, child);
}

TEST(SecondReport, ConcurrentReportsOnOneChildOpenOneCase) {
  Scenario s;
  constexpr int kThreads = 8;
  std::vector<CommandResult> results(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      auto r = s.runtime().Open({"concurrent-" + std::to_string(i), s.As(kTeacher),
                                 "mandatory_report", "", Report()});
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      results[i] = *r;
    });
  }
  for (std::thread& t : threads) t.join();
  int opened = 0;
  for (const CommandResult& r : results) {
    opened += !r.joined;
    EXPECT_EQ(r.case_id, results[0].case_id);
  }
  EXPECT_EQ(opened, 1);
  size_t joins = 0;
  for (const HistoryEntry& h : s.History(results[0].case_id)) joins += h.kind == "report_joined";
  EXPECT_EQ(joins, static_cast<size_t>(kThreads - 1));
}

// --- item 15: the child's file is changed directly ----------------------------

TEST(ChildUpdate, AChangeIsARevisionWithWhoAndWhenAndTheOldFileStillReads) {
  Scenario s;
  std::string id = s.Open(kTeacher, "mandatory_report", Report());
  std::string child = s.Case(id).child_id;
  s.Advance(24h);
  Instant before = s.Now();
  s.Advance(1h);
  auto r = s.runtime().UpdateChild(
      {"move", s.As(kCaseWorker), child,
       {{"guardian_phone", "13700005555"}, {"guardian_name", "钱奶奶"}, {"grade", "三年级"}}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->child_revision, 2u);
  auto history = s.runtime().ChildHistory(child);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  const ChildRevision& change = history->back();
  EXPECT_EQ(change.actor, kCaseWorker);
  EXPECT_EQ(change.at, s.Now());
  EXPECT_EQ(change.case_id, "");
  EXPECT_EQ(change.changes, (json{{"guardian_phone", "13700005555"},
                                  {"guardian_name", "钱奶奶"},
                                  {"grade", "三年级"}}));
  auto now = s.runtime().GetChild(child, std::nullopt);
  ASSERT_TRUE(now.ok());
  EXPECT_EQ(now->fields.value("guardian_phone", ""), "13700005555");
  EXPECT_EQ(now->revision, 2u);
  auto then = s.runtime().GetChild(child, before);
  ASSERT_TRUE(then.ok());
  EXPECT_EQ(then->fields.value("guardian_phone", ""), "13700003333");
  EXPECT_FALSE(then->fields.contains("grade"));
  // A retry writes nothing more; the same values again change nothing.
  auto again = s.runtime().UpdateChild(
      {"move", s.As(kCaseWorker), child,
       {{"guardian_phone", "13700005555"}, {"guardian_name", "钱奶奶"}, {"grade", "三年级"}}});
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->replayed);
  auto same = s.runtime().UpdateChild(
      {"same", s.As(kCaseWorker), child, {{"guardian_phone", "13700005555"}}});
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->child_revision, 2u);
  EXPECT_EQ(s.runtime().ChildHistory(child)->size(), 2u);
  // It survives a restart.
  s.Restart();
  EXPECT_EQ(s.runtime().GetChild(child, std::nullopt)->fields.value("guardian_name", ""),
            "钱奶奶");
}

TEST(ChildUpdate, FieldsAreCheckedAllAtOnceAndNothingIsWritten) {
  Scenario s;
  std::string id = s.Open(kTeacher, "mandatory_report", Report());
  std::string child = s.Case(id).child_id;
  auto r = s.runtime().UpdateChild({"bad", s.As(kCaseWorker), child,
                                    {{"child_birth_date", "2030-01-01"},
                                     {"guardian_type", "neighbour_cat"},
                                     {"category", "living_alone"},
                                     {"guardian_phone", 13700005555}}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  std::string m = r.status().message();
  EXPECT_NE(m.find("field \"child_birth_date\" must not be after now"), std::string::npos) << m;
  EXPECT_NE(m.find("field \"guardian_type\""), std::string::npos) << m;
  EXPECT_NE(m.find("field \"category\" is not a field of the child's file"), std::string::npos)
      << m;
  EXPECT_NE(m.find("field \"guardian_phone\" must be a string"), std::string::npos) << m;
  EXPECT_EQ(s.runtime().ChildHistory(child)->size(), 1u);
  EXPECT_EQ(s.runtime().UpdateChild({"none", s.As(kCaseWorker), "K404", {{"grade", "一"}}})
                .status().code(),
            StatusCode::kNotFound);
}

TEST(ChildUpdate, ACorrectedIdentityFindsTheFileAndAnotherChildsIsRefused) {
  Scenario s;
  std::string id = s.Open(kTeacher, "mandatory_report", Report());
  std::string child = s.Case(id).child_id;
  std::string other = s.Case(s.Open(kTeacher, "mandatory_report", Report("孙小林"))).child_id;
  ASSERT_NE(other, child);
  // The birth date was wrong: corrected, later reports with it find the file.
  ASSERT_TRUE(s.runtime()
                  .UpdateChild({"fix", s.As(kCaseWorker), child,
                                {{"child_birth_date", "2015-06-11"}}})
                  .ok());
  s.Fire(id, kOfficer, "transfer", {{"transfer_to", "qingshan-police"}});
  json corrected = Report();
  corrected["child_birth_date"] = "2015-06-11";
  std::string later = s.Open(kTeacher, "mandatory_report", corrected);
  EXPECT_EQ(s.Case(later).child_id, child);
  // Renaming to another child's name and birth date would merge two files.
  auto clash = s.runtime().UpdateChild({"clash", s.As(kCaseWorker), child,
                                        {{"child_name", "孙小林"},
                                         {"child_birth_date", "2015-06-01"}}});
  EXPECT_EQ(clash.status().code(), StatusCode::kFailedPrecondition) << clash.status().ToString();
}

}  // namespace
}  // namespace shouhu::scenario
