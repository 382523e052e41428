// Open and Fire: every outcome, and for every refusal proof that nothing was
// written (the commit count and the whole store are as they were).
#include <string>
#include <vector>

#include "runtime_fixture.h"

namespace shouhu::runtime_test {
namespace {

class CommandsTest : public RuntimeTest {};

TEST_F(CommandsTest, OpenStartsInTheInitialStateWithHistoryOutboxAndIndexes) {
  Instant opened = clock_.Now();
  uint64_t commits = store_->Stats().commits;

  auto r = rt_->Open({"req-open", Reporter(), "mandatory_report", "", Report()});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->state, "reported");
  EXPECT_EQ(r->seq, 1u);
  EXPECT_FALSE(r->replayed);
  EXPECT_EQ(store_->Stats().commits, commits + 1) << "one command, one commit";

  CaseRecord c = Case(r->case_id);
  EXPECT_EQ(c.id, r->case_id);
  EXPECT_EQ(c.workflow_id, "mandatory_report");
  EXPECT_EQ(c.workflow_version, 1);
  EXPECT_EQ(c.state, "reported");
  EXPECT_EQ(c.unit, "village-3") << "no unit given: the actor's unit";
  EXPECT_EQ(c.reporter, "teacher-li");
  EXPECT_EQ(c.owner, "");
  EXPECT_EQ(c.priority, Priority::kNormal);
  EXPECT_FALSE(c.overdue);
  EXPECT_EQ(c.data, Report());
  EXPECT_EQ(c.opened_at, opened);
  EXPECT_EQ(c.state_entered_at, opened);
  EXPECT_EQ(c.last_seq, 1u);

  auto history = History(r->case_id);
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].seq, 1u);
  EXPECT_EQ(history[0].kind, "opened");
  EXPECT_EQ(history[0].name, "mandatory_report");
  EXPECT_EQ(history[0].actor, "teacher-li");
  EXPECT_EQ(history[0].to_state, "reported");
  EXPECT_EQ(history[0].at, opened);
  EXPECT_EQ(history[0].data, Report());

  auto outbox = Outbox();
  ASSERT_EQ(outbox.size(), 1u);
  EXPECT_EQ(outbox[0].case_id, r->case_id);
  EXPECT_EQ(outbox[0].case_seq, 1u);
  EXPECT_EQ(outbox[0].template_id, "new_report");
  EXPECT_EQ(RecipientsJson(outbox[0].recipients),
            json::parse(R"([{"kind":"role","role":"police_officer","up":0}])"));
  EXPECT_EQ(outbox[0].channels, (std::vector<std::string>{"sms", "webhook"}));
  EXPECT_TRUE(outbox[0].urgent);
  EXPECT_EQ(outbox[0].created_at, opened);
  EXPECT_EQ(outbox[0].context.case_id, r->case_id);
  EXPECT_EQ(outbox[0].context.state, "reported");
  // The notification keeps only the data its template shows ("new_report":
  // child_name and category), not the rest of the report.
  EXPECT_EQ(outbox[0].context.data,
            json({{"child_name", "小明"}, {"category", "living_alone"}}));

  EXPECT_EQ(Ids(rt_->ListByState("mandatory_report", "reported", {})),
            std::vector<std::string>{r->case_id});
  EXPECT_EQ(Ids(rt_->ListByUnit("village-3", {})),
            std::vector<std::string>{r->case_id});
  EXPECT_TRUE(Ids(rt_->ListByState("mandatory_report", "police_intake", {})).empty());
}

TEST_F(CommandsTest, OpenUsesTheGivenUnitOverTheActors) {
  auto r = rt_->Open({"req-1", Reporter(), "mandatory_report", "school-9", Report()});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Case(r->case_id).unit, "school-9");
  EXPECT_EQ(Ids(rt_->ListByUnit("school-9", {})), std::vector<std::string>{r->case_id});
  EXPECT_TRUE(Ids(rt_->ListByUnit("village-3", {})).empty());
}

TEST_F(CommandsTest, OpenRefusalsWriteNothing) {
  OpenReport();  // something in the store to keep unchanged
  auto with = [](auto change) {
    json d = Report();
    change(d);
    return d;
  };
  Actor system_claim = Reporter();
  system_claim.roles.push_back("system");
  Actor no_unit = Reporter();
  no_unit.unit = "";
  Actor nobody = Reporter();
  nobody.user = "";
  struct Refusal {
    std::string what;
    OpenCase cmd;
    StatusCode code;
  };
  const std::vector<Refusal> cases = {
      {"unknown workflow", {"r", Reporter(), "no_such_flow", "", Report()},
       StatusCode::kNotFound},
      {"role not allowed", {"r", Officer(), "mandatory_report", "", Report()},
       StatusCode::kPermissionDenied},
      {"claims role system", {"r", system_claim, "mandatory_report", "", Report()},
       StatusCode::kPermissionDenied},
      {"no user", {"r", nobody, "mandatory_report", "", Report()},
       StatusCode::kPermissionDenied},
      {"missing required field",
       {"r", Reporter(), "mandatory_report", "", with([](json& d) { d.erase("child_name"); })},
       StatusCode::kInvalidArgument},
      {"required field null",
       {"r", Reporter(), "mandatory_report", "", with([](json& d) { d["child_name"] = nullptr; })},
       StatusCode::kInvalidArgument},
      {"unknown field",
       {"r", Reporter(), "mandatory_report", "", with([](json& d) { d["shoe_size"] = 30; })},
       StatusCode::kInvalidArgument},
      {"declared field open does not accept",
       {"r", Reporter(), "mandatory_report", "",
        with([](json& d) { d["case_kind"] = "criminal"; })},
       StatusCode::kInvalidArgument},
      {"mistyped integer",
       {"r", Reporter(), "mandatory_report", "", with([](json& d) { d["child_age"] = "seven"; })},
       StatusCode::kInvalidArgument},
      {"mistyped string",
       {"r", Reporter(), "mandatory_report", "", with([](json& d) { d["child_name"] = 7; })},
       StatusCode::kInvalidArgument},
      {"bad enum value",
       {"r", Reporter(), "mandatory_report", "", with([](json& d) { d["category"] = "bogus"; })},
       StatusCode::kInvalidArgument},
      {"bad datetime",
       {"r", Reporter(), "mandatory_report", "",
        with([](json& d) { d["discovered_at"] = "yesterday"; })},
       StatusCode::kInvalidArgument},
      {"datetime without offset",
       {"r", Reporter(), "mandatory_report", "",
        with([](json& d) { d["discovered_at"] = "2026-03-02T08:30:00"; })},
       StatusCode::kInvalidArgument},
      {"data not an object", {"r", Reporter(), "mandatory_report", "", json::array()},
       StatusCode::kInvalidArgument},
      {"no unit", {"r", no_unit, "mandatory_report", "", Report()},
       StatusCode::kInvalidArgument},
      {"no request id", {"", Reporter(), "mandatory_report", "", Report()},
       StatusCode::kInvalidArgument},
  };
  for (const Refusal& c : cases) {
    SCOPED_TRACE(c.what);
    Snapshot before = Snap();
    EXPECT_CODE(rt_->Open(c.cmd), c.code);
    ExpectNothingWritten(before);
  }
  // None of the refused requests claimed request id "r".
  EXPECT_TRUE(rt_->Open({"r", Reporter(), "mandatory_report", "", Report()}).ok());
}

TEST_F(CommandsTest, FireMovesTheCaseMergesDataAndRecordsIt) {
  std::string id = OpenReport();
  clock_.Advance(30min);
  uint64_t commits = store_->Stats().commits;

  auto r = rt_->Fire(MakeFire("req-accept", Officer(), id, "accept", {{"case_kind", "criminal"}}));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->state, "police_intake");
  EXPECT_EQ(r->seq, 2u);
  EXPECT_EQ(store_->Stats().commits, commits + 1);

  CaseRecord c = Case(id);
  EXPECT_EQ(c.state, "police_intake");
  EXPECT_EQ(c.state_entered_at, clock_.Now());
  EXPECT_EQ(c.updated_at, clock_.Now());
  EXPECT_EQ(c.data["case_kind"], "criminal");
  EXPECT_EQ(c.data["child_name"], "小明") << "event data is merged, not replacing";
  EXPECT_EQ(c.last_seq, 2u);

  auto history = History(id);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[1].seq, 2u);
  EXPECT_EQ(history[1].kind, "event");
  EXPECT_EQ(history[1].name, "accept");
  EXPECT_EQ(history[1].actor, "officer-wang");
  EXPECT_EQ(history[1].from_state, "reported");
  EXPECT_EQ(history[1].to_state, "police_intake");
  EXPECT_EQ(history[1].data, (json{{"case_kind", "criminal"}}));

  EXPECT_TRUE(Ids(rt_->ListByState("mandatory_report", "reported", {})).empty());
  EXPECT_EQ(Ids(rt_->ListByState("mandatory_report", "police_intake", {})),
            std::vector<std::string>{id});

  auto outbox = Outbox();
  ASSERT_EQ(outbox.size(), 2u);
  EXPECT_EQ(outbox[1].template_id, "feedback_to_reporter");
  EXPECT_EQ(outbox[1].case_seq, 2u);
  EXPECT_EQ(RecipientsJson(outbox[1].recipients), json::parse(R"([{"kind":"reporter"}])"));
  EXPECT_EQ(outbox[1].context.state, "police_intake");
}

TEST_F(CommandsTest, FireWithTheExpectedSeqIsAccepted) {
  std::string id = OpenReport();
  FireEvent cmd = MakeFire("req-x", Officer(), id, "accept", {{"case_kind", "criminal"}}, 1);
  auto r = rt_->Fire(cmd);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->state, "police_intake");
}

TEST_F(CommandsTest, FireRefusalsWriteNothing) {
  std::string reported = OpenReport();
  std::string assessing = OpenReport();
  ToAssessment(assessing);
  std::string monitoring = OpenReport();
  ToMonitoring(monitoring);
  json adult_report = Report();
  adult_report["child_age"] = 19;
  std::string adult = OpenReport(adult_report);
  ToMonitoring(adult);

  Actor system_claim = Officer();
  system_claim.roles.push_back("system");
  json accept = {{"case_kind", "administrative"}};
  json assess_unsafe = {{"risk_level", "high"}, {"child_safe", false},
                        {"co_assessors", {"police"}}};
  json visit_no_health = {{"visit_kind", "home_visit"},
                          {"visited_at", "2026-03-05T10:00:00+08:00"},
                          {"checklist", {"mood"}}};
  struct Refusal {
    std::string what;
    FireEvent cmd;
    StatusCode code;
  };
  auto fire = [](std::string id, Actor a, std::string e, json d,
                 std::optional<uint64_t> seq = std::nullopt) {
    return MakeFire("r", std::move(a), std::move(id), std::move(e), std::move(d), seq);
  };
  const std::vector<Refusal> cases = {
      {"unknown case", fire("C9999999999", Officer(), "accept", accept),
       StatusCode::kNotFound},
      {"unknown event", fire(reported, Officer(), "fly", json::object()),
       StatusCode::kNotFound},
      {"wrong state", fire(reported, Officer(), "respond", json::object()),
       StatusCode::kFailedPrecondition},
      {"event from a later state", fire(reported, CaseWorker(), "assess", assess_unsafe),
       StatusCode::kFailedPrecondition},
      {"role not allowed", fire(reported, Reporter(), "accept", accept),
       StatusCode::kPermissionDenied},
      {"claims role system", fire(reported, system_claim, "accept", accept),
       StatusCode::kPermissionDenied},
      {"system-only path for users", fire(monitoring, Director(), "review_due", json::object()),
       StatusCode::kPermissionDenied},
      {"missing required data", fire(reported, Officer(), "accept", json::object()),
       StatusCode::kInvalidArgument},
      {"mistyped data", fire(reported, Officer(), "accept", {{"case_kind", 3}}),
       StatusCode::kInvalidArgument},
      {"bad enum data", fire(reported, Officer(), "accept", {{"case_kind", "civil"}}),
       StatusCode::kInvalidArgument},
      {"field the event does not accept",
       fire(reported, Officer(), "accept", {{"case_kind", "criminal"}, {"risk_level", "low"}}),
       StatusCode::kInvalidArgument},
      {"failed guard", fire(assessing, CaseWorker(), "assess", assess_unsafe),
       StatusCode::kFailedPrecondition},
      {"failed contains guard", fire(monitoring, Director(), "log_visit", visit_no_health),
       StatusCode::kFailedPrecondition},
      {"nested guard (child_age < 18)",
       fire(adult, TownshipSupervisor(), "close", {{"closure_reason", "safe"}}),
       StatusCode::kFailedPrecondition},
      {"stale expected_seq", fire(reported, Officer(), "accept", accept, 0),
       StatusCode::kFailedPrecondition},
      {"no request id", MakeFire("", Officer(), reported, "accept", accept),
       StatusCode::kInvalidArgument},
  };
  for (const Refusal& c : cases) {
    SCOPED_TRACE(c.what);
    Snapshot before = Snap();
    EXPECT_CODE(rt_->Fire(c.cmd), c.code);
    ExpectNothingWritten(before);
  }
  EXPECT_EQ(Case(reported).state, "reported");
  EXPECT_EQ(Case(assessing).state, "assessment");
  EXPECT_EQ(Case(monitoring).state, "monitoring");
  EXPECT_EQ(Case(adult).state, "monitoring");
}

TEST_F(CommandsTest, ExpectedSeqMismatchIsAVersionConflict) {
  std::string id = OpenReport();
  EXPECT_TRUE(rt_->Note({NextRequestId(), Officer(), id, "called the school"}).ok());
  Snapshot before = Snap();
  auto r = rt_->Fire(
      MakeFire("req-stale", Officer(), id, "accept", {{"case_kind", "criminal"}}, 1));
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("version conflict"), std::string::npos)
      << r.status().message();
  ExpectNothingWritten(before);
}

TEST_F(CommandsTest, RespondBranchesOnTheCategory) {
  std::string missing = OpenReport(Report("missing"));
  std::string alone = OpenReport(Report("living_alone"));
  ToPoliceIntake(missing);
  ToPoliceIntake(alone);

  EXPECT_EQ(MustFire(missing, "respond", Officer()).state, "searching");
  EXPECT_EQ(MustFire(alone, "respond", Officer()).state, "emergency_response");
  EXPECT_EQ(Case(missing).state, "searching");
  EXPECT_EQ(TimerNames(missing), std::vector<std::string>{"search_update"});
  EXPECT_EQ(Case(alone).state, "emergency_response");
  EXPECT_EQ(TimerNames(alone), std::vector<std::string>{"township_notice_sla"});
  EXPECT_EQ(History(missing).back().to_state, "searching");

  // The searching branch rejoins the main path when the child is found.
  EXPECT_EQ(MustFire(missing, "found", Officer(),
                     {{"found_at", "2026-03-02T12:00:00+08:00"}}).state,
            "emergency_response");
}

TEST_F(CommandsTest, TerminalStateTakesNoEvents) {
  std::string id = OpenReport();
  EXPECT_EQ(MustFire(id, "transfer", Officer(), {{"transfer_to", "county court"}}).state,
            "transferred");
  EXPECT_TRUE(Case(id).timers.empty());
  Snapshot before = Snap();
  EXPECT_CODE(rt_->Fire(MakeFire("r", Officer(), id, "accept", {{"case_kind", "criminal"}})),
              StatusCode::kFailedPrecondition);
  ExpectNothingWritten(before);
}

}  // namespace
}  // namespace shouhu::runtime_test
