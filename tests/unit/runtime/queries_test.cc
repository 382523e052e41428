// Reads: GetCase, History, the outbox, and the four list indexes with paging.
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "runtime_fixture.h"

namespace shouhu::runtime_test {
namespace {

class QueriesTest : public RuntimeTest {
 protected:
  // Pages through a list with `limit`, returning each page's ids and cursor.
  struct Paged {
    std::vector<std::vector<std::string>> pages;
    std::vector<std::string> cursors;
  };
  Paged PageThrough(const std::function<StatusOr<CaseList>(const Page&)>& list,
                    size_t limit) {
    Paged out;
    Page page{"", limit};
    for (int guard = 0; guard < 100; ++guard) {
      auto r = list(page);
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      if (!r.ok()) break;
      out.pages.push_back(Ids(r));
      out.cursors.push_back(r->next);
      if (r->next.empty()) break;
      page.after = r->next;
    }
    return out;
  }
  void ExpectPagesOfTwo(const std::function<StatusOr<CaseList>(const Page&)>& list,
                        const std::vector<std::string>& ids) {
    ASSERT_EQ(ids.size(), 5u);
    Paged p = PageThrough(list, 2);
    EXPECT_EQ(p.pages, (std::vector<std::vector<std::string>>{
                           {ids[0], ids[1]}, {ids[2], ids[3]}, {ids[4]}}));
    EXPECT_EQ(p.cursors, (std::vector<std::string>{ids[1], ids[3], ""}));
    // A full page that happens to be the last one says so.
    Paged four = PageThrough(list, 4);
    EXPECT_EQ(four.cursors, (std::vector<std::string>{ids[3], ""}));
    Paged five = PageThrough(list, 5);
    EXPECT_EQ(five.cursors, std::vector<std::string>{""});
    EXPECT_EQ(five.pages[0], ids);
  }
};

TEST_F(QueriesTest, EveryListPagesInCaseIdOrder) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(OpenReport());
  std::string elsewhere = OpenReport(Report(), "school-9");
  ToPoliceIntake(elsewhere);  // other unit, other state, no owner
  for (const std::string& id : ids) {
    ASSERT_TRUE(rt_->Assign({"assign-" + id, Officer(), id, "officer-wang"}).ok());
  }
  clock_.Advance(2h);
  ASSERT_EQ(Fire(), 5u);  // the five in "reported" become overdue

  {
    SCOPED_TRACE("by state");
    ExpectPagesOfTwo([&](const Page& p) {
      return rt_->ListByState("mandatory_report", "reported", p);
    }, ids);
  }
  {
    SCOPED_TRACE("by unit");
    ExpectPagesOfTwo([&](const Page& p) { return rt_->ListByUnit("village-3", p); }, ids);
  }
  {
    SCOPED_TRACE("by owner");
    ExpectPagesOfTwo([&](const Page& p) { return rt_->ListByOwner("officer-wang", p); }, ids);
  }
  {
    SCOPED_TRACE("overdue");
    ExpectPagesOfTwo([&](const Page& p) { return rt_->ListOverdue(p); }, ids);
  }
  auto page = rt_->ListByUnit("village-3", {"", 2});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->cases.size(), 2u);
  EXPECT_EQ(page->cases[0].state, "reported") << "lists return whole records";
  EXPECT_EQ(page->cases[0].owner, "officer-wang");
}

TEST_F(QueriesTest, ListsOfNothingAreEmpty) {
  OpenReport();
  for (auto r : {rt_->ListByState("mandatory_report", "closed", {}),
                 rt_->ListByState("no_such_flow", "reported", {}),
                 rt_->ListByUnit("village", {}),  // a prefix of a real unit
                 rt_->ListByOwner("nobody", {}), rt_->ListOverdue({})}) {
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_TRUE(r->cases.empty());
    EXPECT_EQ(r->next, "");
  }
}

TEST_F(QueriesTest, ACursorWhoseCaseLeftTheListStillPages) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(OpenReport());
  auto first = rt_->ListByState("mandatory_report", "reported", {"", 2});
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->next, ids[1]);
  ToPoliceIntake(ids[1]);  // the cursor's case moves on between pages
  auto second = rt_->ListByState("mandatory_report", "reported", {first->next, 2});
  EXPECT_EQ(Ids(second), (std::vector<std::string>{ids[2], ids[3]}));
}

TEST_F(QueriesTest, UnknownCaseIsNotFound) {
  EXPECT_CODE(rt_->GetCase("C0000000042"), StatusCode::kNotFound);
  EXPECT_CODE(rt_->History("C0000000042"), StatusCode::kNotFound);
}

TEST_F(QueriesTest, HistoryIsEveryEntryInSeqOrder) {
  std::string id = OpenReport(Report("missing"));
  ToPoliceIntake(id);
  ASSERT_TRUE(rt_->Note({"n1", Officer(), id, "searching the river bank"}).ok());
  MustFire(id, "respond", Officer());
  ASSERT_TRUE(rt_->Assign({"a1", Officer(), id, "officer-wang"}).ok());
  clock_.Advance(6h);
  ASSERT_EQ(Fire(), 1u);  // search_update every 6h → search_ongoing

  struct Want {
    const char* kind;
    const char* name;
    const char* actor;
    const char* from;
    const char* to;
  };
  const std::vector<Want> want = {
      {"opened", "mandatory_report", "teacher-li", "(not checked)", "reported"},
      {"event", "accept", "officer-wang", "reported", "police_intake"},
      {"note", "note", "officer-wang", "police_intake", "police_intake"},
      {"event", "respond", "officer-wang", "police_intake", "searching"},
      {"assigned", "assign", "officer-wang", "searching", "searching"},
      {"timer", "search_update", "system", "searching", "searching"},
      {"escalation", "search_ongoing", "system", "searching", "searching"},
  };
  auto history = History(id);
  ASSERT_EQ(history.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(history[i].seq, i + 1);
    EXPECT_EQ(history[i].kind, want[i].kind);
    EXPECT_EQ(history[i].name, want[i].name);
    EXPECT_EQ(history[i].actor, want[i].actor);
    if (i > 0) {
      EXPECT_EQ(history[i].from_state, want[i].from);
    }
    EXPECT_EQ(history[i].to_state, want[i].to);
  }
  EXPECT_EQ(history[2].data["text"], "searching the river bank");
  EXPECT_EQ(history[5].at, clock_.Now());
  EXPECT_LE(history[4].at, history[5].at);
  EXPECT_EQ(Case(id).last_seq, want.size());
}

TEST_F(QueriesTest, LongHistoryKeepsSeqOrderPastOneByte) {
  store_options_.sync = false;  // 300 commits; this test is about key order
  Reopen();
  std::string id = OpenReport();
  for (int i = 0; i < 300; ++i) {
    ASSERT_TRUE(rt_->Note({"n" + std::to_string(i), Officer(), id, "note"}).ok());
  }
  auto history = History(id);
  ASSERT_EQ(history.size(), 301u);
  for (size_t i = 0; i < history.size(); ++i) ASSERT_EQ(history[i].seq, i + 1);
}

TEST_F(QueriesTest, OutboxHoldsEachNotificationOldestFirst) {
  std::string a = OpenReport();
  std::string b = OpenReport();
  ToPoliceIntake(a);
  ASSERT_TRUE(rt_->Assign({"as", Officer(), a, "officer-wang"}).ok());
  clock_.Advance(2h);
  ASSERT_EQ(Fire(), 1u);  // b's acceptance deadline

  auto outbox = Outbox();
  ASSERT_EQ(outbox.size(), 4u);
  struct Want {
    std::string case_id;
    uint64_t case_seq;
    const char* template_id;
    const char* recipients;
    std::vector<std::string> channels;
    bool urgent;
  };
  const std::vector<Want> want = {
      {a, 1, "new_report", R"([{"kind":"role","role":"police_officer","up":0}])",
       {"sms", "webhook"}, true},
      {b, 1, "new_report", R"([{"kind":"role","role":"police_officer","up":0}])",
       {"sms", "webhook"}, true},
      {a, 2, "feedback_to_reporter", R"([{"kind":"reporter"}])", {"sms"}, false},
      {b, 3, "overdue", R"([{"kind":"owner"}])", {"sms"}, false},
  };
  std::set<std::string> keys;
  for (size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE(i);
    const OutboxEntry& o = outbox[i];
    EXPECT_EQ(o.id, i + 1);
    EXPECT_EQ(o.case_id, want[i].case_id);
    EXPECT_EQ(o.case_seq, want[i].case_seq);
    EXPECT_EQ(o.template_id, want[i].template_id);
    EXPECT_EQ(RecipientsJson(o.recipients), json::parse(want[i].recipients));
    EXPECT_EQ(o.channels, want[i].channels);
    EXPECT_EQ(o.urgent, want[i].urgent);
    EXPECT_FALSE(o.idempotency_key.empty());
    EXPECT_TRUE(keys.insert(o.idempotency_key).second) << o.idempotency_key;
    EXPECT_EQ(o.context.case_id, want[i].case_id);
    EXPECT_EQ(o.context.unit, "village-3");
    EXPECT_EQ(o.context.reporter, "teacher-li");
  }
  // The context is the case as it was after the change that queued it.
  EXPECT_EQ(outbox[2].context.state, "police_intake");
  EXPECT_EQ(outbox[2].context.owner, "");
  EXPECT_EQ(outbox[3].context.state, "reported");
  EXPECT_EQ(outbox[3].created_at, clock_.Now());

  auto two = rt_->Outbox(2);
  ASSERT_TRUE(two.ok());
  ASSERT_EQ(two->size(), 2u);
  EXPECT_EQ((*two)[1].id, 2u);
  auto none = rt_->Outbox(0);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty()) << "a limit of 0 is 0 entries";
}

TEST_F(QueriesTest, CloseNotifiesReporterAndOwner) {
  json report = Report();
  report["child_age"] = 9;
  std::string id = OpenReport(report);
  ToMonitoring(id);
  ASSERT_TRUE(rt_->Assign({"as", Director(), id, "director-chen"}).ok());
  MustFire(id, "close", TownshipSupervisor(), {{"closure_reason", "safe with family"}});
  EXPECT_EQ(Case(id).state, "closed");
  auto outbox = Outbox();
  ASSERT_FALSE(outbox.empty());
  const OutboxEntry& o = outbox.back();
  EXPECT_EQ(o.template_id, "case_closed");
  EXPECT_EQ(RecipientsJson(o.recipients), json::parse(R"([{"kind":"reporter"},{"kind":"owner"}])"));
  // "case_closed" (v1) shows the case id and the closure reason: of the
  // case's data, only the reason goes with the notification.
  EXPECT_EQ(o.context.data, json({{"closure_reason", "safe with family"}}));
  EXPECT_EQ(o.context.case_id, id);
}

}  // namespace
}  // namespace shouhu::runtime_test
