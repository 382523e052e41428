// Who may see a child's data (issue 12), in-process on a real store with the
// sample county (deploy/county/organisation.json and access.json):
//
// - FixedTable: the sample county's expected outcome of every route for one
//   user of every role, on a case inside their jurisdiction, outside it, and
//   their own report, written out by hand. A wrong rule file cannot make it
//   pass.
// - GeneratedFromRules: the same routes, the expectation computed from the
//   declared rules (capability and jurisdiction), for every user of the
//   county's first township.
// - Markers: a unique marker in every personal and sensitive field and in a
//   note; through every response a role can get, each marker appears exactly
//   where the rules allow.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <set>

#include "../../support/media_files.h"
#include "api_service_fixture.h"
#include "shouhu/audit.h"

namespace shouhu::api {
namespace {

using nlohmann::json;

json Report(const std::string& child, const std::string& unit = "") {
  json body = {{"workflow", "mandatory_report"},
               {"data",
                {{"child_name", child},
                 {"child_birth_date", "2015-04-0" + std::to_string(child.size() % 9 + 1)},
                 {"category", "living_alone"},
                 {"reporter_kind", "mandated"},
                 {"reporter_category", "school"},
                 {"discovered_at", "2026-03-02T08:00:00+08:00"}}}};
  if (!unit.empty()) body["unit"] = unit;
  return body;
}

const json kBadAccept = {
    {"event", "accept"},
    {"data", {{"intake_kind", "not-a-kind"}, {"accepted_at", "2026-03-02T09:00:00+08:00"}}}};

// The cases every test files: key -> (reporter, unit). A voluntary reporter
// files as a citizen.
struct Filed {
  const char* key;
  const char* reporter;
  const char* unit;
};
constexpr Filed kFiled[] = {
    {"P", "u0021", "chengguan-primary"},  // teacher
    {"P2", "u0023", "chengguan-primary"},  // headmaster
    {"C", "u0278", "chengguan-c01"},       // voluntary reporter
    {"C2", "u0013", "chengguan-c01"},      // community child director
    {"V", "u0015", "chengguan-v02"},       // village child director
    {"Q", "u0049", "qingshi-primary"},     // the other township
};

class AccessTest : public ApiServiceTest {
 public:
  using ApiServiceTest::Call;
  void FileAll() {
    for (const Filed& f : kFiled) {
      json body = Report(std::string("儿童") + f.key);
      if (std::string(f.reporter) == "u0278") {
        body["data"]["reporter_kind"] = "voluntary";
        body["data"]["reporter_category"] = "citizen";
      }
      HttpResponse r = Call("POST", "/api/v1/cases", Token(f.reporter), body.dump());
      ASSERT_EQ(r.status, 201) << f.key << ": " << r.body;
      case_[f.key] = json::parse(r.body)["case_id"];
      unit_[f.key] = f.unit;
      HttpResponse c = Call("GET", "/api/v1/cases/" + case_[f.key], Token("u0001"), "");
      child_[f.key] = json::parse(c.body)["child_id"];
      ASSERT_FALSE(child_[f.key].empty()) << c.body;
    }
  }
  const std::string& Token(const std::string& user) {
    auto it = tokens_.find(user);
    if (it == tokens_.end()) it = tokens_.emplace(user, TokenFor(user)).first;
    return it->second;
  }
  std::map<std::string, std::string> case_, unit_, child_, tokens_;
};

// A route, given the case (key) it is about.
struct Route {
  const char* name;
  std::string method;
  std::function<std::string(AccessTest&, const std::string&)> target;
  std::string body;
};

std::vector<Route> Routes() {
  auto cases = [](AccessTest&, const std::string&) { return std::string("/api/v1/cases"); };
  auto fixed = [](std::string path) {
    return [path](AccessTest&, const std::string&) { return path; };
  };
  return {
      {"GET case", "GET", [](AccessTest& t, auto& k) { return "/api/v1/cases/" + t.case_[k]; }, ""},
      {"fire", "POST", [](AccessTest& t, auto& k) { return "/api/v1/cases/" + t.case_[k] + "/events"; },
       kBadAccept.dump()},
      {"note", "POST", [](AccessTest& t, auto& k) { return "/api/v1/cases/" + t.case_[k] + "/notes"; },
       R"({"text": ""})"},
      {"assign", "PUT", [](AccessTest& t, auto& k) { return "/api/v1/cases/" + t.case_[k] + "/owner"; },
       R"({"owner": "nobody"})"},
      {"list unit", "GET", [](AccessTest& t, auto& k) { return "/api/v1/cases?unit=" + t.unit_[k]; }, ""},
      {"file", "POST", cases, ""},  // body made per case: its unit, no data
      {"child", "GET", [](AccessTest& t, auto& k) { return "/api/v1/children/" + t.child_[k]; }, ""},
      {"child history", "GET",
       [](AccessTest& t, auto& k) { return "/api/v1/children/" + t.child_[k] + "/history"; }, ""},
      {"proposals", "GET",
       [](AccessTest& t, auto& k) { return "/api/v1/children/" + t.child_[k] + "/proposals"; }, ""},
      {"decide", "POST",
       [](AccessTest& t, auto& k) { return "/api/v1/children/" + t.child_[k] + "/proposals/none-1"; },
       R"({"decision": "maybe"})"},
      // A value of the wrong type: allowed ones stop at 422, writing nothing.
      {"change child", "PATCH",
       [](AccessTest& t, auto& k) { return "/api/v1/children/" + t.child_[k]; },
       R"({"fields": {"grade": 5}})"},
      // The register in the case's unit: search; create (body made per
      // case: its unit, a wrong value, so allowed ones stop at 422); merge
      // with no file to merge in (422 once both checks passed).
      {"search children", "GET",
       [](AccessTest& t, auto& k) { return "/api/v1/children?unit=" + t.unit_[k]; }, ""},
      {"create child", "POST", fixed("/api/v1/children"), ""},
      {"merge child", "POST",
       [](AccessTest& t, auto& k) { return "/api/v1/children/" + t.child_[k] + "/merge"; },
       R"({"from": ""})"},
      {"list mine", "GET", fixed("/api/v1/cases?mine=true"), ""},
      {"list state", "GET", fixed("/api/v1/cases?workflow=mandatory_report&state=reported"), ""},
      {"list owner", "GET", fixed("/api/v1/cases?owner=me"), ""},
      {"overdue", "GET", fixed("/api/v1/cases?overdue=true"), ""},
      {"escalations", "GET", fixed("/api/v1/escalations"), ""},
      {"workflows", "GET", fixed("/api/v1/workflows"), ""},
      {"me", "GET", fixed("/api/v1/me"), ""},
      {"users", "GET", fixed("/api/v1/users"), ""},
      {"tokens", "GET", fixed("/api/v1/tokens"), ""},
      {"issue token", "POST", fixed("/api/v1/tokens"), R"({"user": "nobody"})"},
      {"revoke token", "DELETE", fixed("/api/v1/tokens/no-such-token"), ""},
      {"dead letters", "GET", fixed("/api/v1/dead-letters"), ""},
      {"redrive", "POST", fixed("/api/v1/dead-letters/no-such-letter/redrive"), ""},
  };
}

// The outcome of one call: the status, or for a case read 1 = full view and
// 2 = feedback view.
constexpr int kFull = 1, kFeedback = 2;

int Outcome(AccessTest& t, const Route& route, const std::string& user,
            const std::string& key) {
  std::string body = route.body;
  if (std::string(route.name) == "file") {
    body = json{{"workflow", "mandatory_report"}, {"unit", t.unit_[key]},
                {"data", json::object()}}.dump();
  }
  if (std::string(route.name) == "create child") {
    body = json{{"unit", t.unit_[key]}, {"fields", {{"grade", 5}}}}.dump();
  }
  HttpResponse r = t.Call(route.method, route.target(t, key), t.Token(user), body);
  if (std::string(route.name) == "GET case" && r.status == 200) {
    return json::parse(r.body)["view"] == "full" ? kFull : kFeedback;
  }
  return r.status;
}

// One user per role; the case inside their jurisdiction (not theirs), and
// their own report ("" when they filed none). Every column but the county's
// has the other township's case Q outside.
struct Column {
  const char* user;
  const char* role;
  const char* inside;
  const char* own;
};
const Column kColumns[] = {
    {"u0021", "reporter", "P2", "P"},
    {"u0278", "voluntary_reporter", "C2", "C"},
    {"u0022", "helper", "P", ""},
    {"u0016", "village_committee", "V", ""},
    {"u0023", "school_admin", "P", "P2"},
    {"u0013", "child_director", "C", "C2"},
    {"u0008", "police_officer", "P", ""},
    {"u0010", "police_supervisor", "P", ""},
    {"u0011", "township_case_worker", "P", ""},
    {"u0012", "township_supervisor", "P", ""},
    {"u0001", "county_supervisor", "P", ""},
    {"u0003", "civil_affairs", "P", ""},
    {"u0005", "education_bureau", "P", ""},
    {"u0007", "administrator", "P", ""},
    {"u0293", "procurator", "P", ""},  // the county procuratorate serves the county
};
constexpr int kUsers = std::size(kColumns);
constexpr int kFirstCounty = 10;  // columns from here have no case outside

struct Expect {
  const char* route;
  int inside[kUsers];
  int outside[kFirstCounty];  // {} when the route is not about one case
  int own[6];                 // the first six columns; 0 = no own report
};

// clang-format off
//                rep   vol   help  vilc  schl  cdir  pol   psup  twp   tsup  cty   civ   edu   admin proc
const Expect kTable[] = {
  {"GET case",    {404,  404,  404,  404,  404,  kFull,kFull,kFull,kFull,kFull,kFull,kFull,kFull,404, kFull},
                  {404,  404,  404,  404,  404,  404,  404,  404,  404,  404},
                  {kFeedback, kFeedback, 0, 0, kFeedback, kFull}},
  {"fire",        {404,  404,  403,  403,  404,  403,  422,  422,  403,  403,  403,  403,  403,  404, 403},
                  {404,  404,  404,  404,  404,  404,  404,  404,  404,  404},
                  {403,  403,  0,    0,    403,  403}},
  {"note",        {404,  404,  404,  404,  404,  422,  422,  422,  422,  422,  422,  422,  403,  404, 403},
                  {404,  404,  404,  404,  404,  404,  404,  404,  404,  404},
                  {403,  403,  0,    0,    403,  422}},
  {"assign",      {404,  404,  404,  404,  404,  403,  403,  422,  403,  422,  422,  403,  403,  404, 403},
                  {404,  404,  404,  404,  404,  404,  404,  404,  404,  404},
                  {403,  403,  0,    0,    403,  403}},
  // The principal lists cases (its school's dropout cases; no report shows).
  {"list unit",   {403,  403,  403,  403,  200,  200,  200,  200,  200,  200,  200,  200,  200,  403, 200},
                  {403,  403,  403,  403,  403,  403,  403,  403,  403,  403},
                  {403,  403,  0,    0,    200,  200}},
  {"file",        {422,  422,  422,  422,  422,  422,  403,  403,  403,  403,  403,  403,  403,  403, 403},
                  {403,  403,  403,  403,  403,  403,  403,  403,  403,  403},
                  {422,  422,  0,    0,    422,  422}},
  {"child",       {404,  404,  404,  404,  404,  200,  200,  200,  200,  200,  200,  200,  200,  404, 404},
                  {404,  404,  404,  404,  404,  404,  404,  404,  404,  404},
                  {404,  404,  0,    0,    404,  200}},
  {"child history",{404, 404,  404,  404,  404,  200,  200,  200,  200,  200,  200,  200,  200,  404, 404},
                  {404,  404,  404,  404,  404,  404,  404,  404,  404,  404},
                  {404,  404,  0,    0,    404,  200}},
  {"proposals",   {404,  404,  404,  404,  404,  200,  200,  200,  200,  200,  200,  200,  200,  404, 404},
                  {404,  404,  404,  404,  404,  404,  404,  404,  404,  404},
                  {404,  404,  0,    0,    404,  200}},
  {"decide",      {404,  404,  404,  404,  404,  422,  422,  422,  422,  422,  422,  422,  403,  404, 404},
                  {404,  404,  404,  404,  404,  404,  404,  404,  404,  404},
                  {404,  404,  0,    0,    404,  422}},
  {"change child",{404,  404,  404,  404,  404,  422,  403,  403,  422,  403,  403,  403,  403,  404, 404},
                  {404,  404,  404,  404,  404,  404,  404,  404,  404,  404},
                  {404,  404,  0,    0,    404,  422}},
  {"search children",{403,403, 403,  403,  403,  200,  200,  200,  200,  200,  200,  200,  200,  403, 403},
                  {403,  403,  403,  403,  403,  403,  403,  403,  403,  403},
                  {403,  403,  0,    0,    403,  200}},
  {"create child",{403,  403,  403,  403,  403,  422,  403,  403,  422,  403,  403,  403,  403,  403, 403},
                  {403,  403,  403,  403,  403,  403,  403,  403,  403,  403},
                  {403,  403,  0,    0,    403,  422}},
  {"merge child", {404,  404,  404,  404,  404,  403,  403,  403,  422,  403,  403,  403,  403,  404, 404},
                  {404,  404,  404,  404,  404,  404,  404,  404,  404,  404},
                  {404,  404,  0,    0,    404,  403}},
  {"list mine",   {200,  200,  200,  200,  200,  200,  403,  403,  403,  403,  403,  403,  403,  403, 403}, {}, {}},
  {"list state",  {403,  403,  403,  403,  200,  200,  200,  200,  200,  200,  200,  200,  200,  403, 200}, {}, {}},
  {"list owner",  {403,  403,  403,  403,  200,  200,  200,  200,  200,  200,  200,  200,  200,  403, 200}, {}, {}},
  {"overdue",     {403,  403,  403,  403,  403,  403,  403,  200,  403,  200,  200,  403,  403,  403, 200}, {}, {}},
  {"escalations", {200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  200, 200}, {}, {}},
  {"workflows",   {200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  200, 200}, {}, {}},
  {"me",          {200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  200,  200, 200}, {}, {}},
  {"users",       {403,  403,  403,  403,  403,  403,  403,  200,  403,  200,  200,  403,  403,  200, 200}, {}, {}},
  {"tokens",      {403,  403,  403,  403,  403,  403,  403,  403,  403,  403,  403,  403,  403,  200, 403}, {}, {}},
  {"issue token", {403,  403,  403,  403,  403,  403,  403,  403,  403,  403,  403,  403,  403,  422, 403}, {}, {}},
  {"revoke token",{403,  403,  403,  403,  403,  403,  403,  403,  403,  403,  403,  403,  403,  404, 403}, {}, {}},
  {"dead letters",{403,  403,  403,  403,  403,  403,  403,  200,  403,  200,  200,  403,  403,  403, 200}, {}, {}},
  {"redrive",     {403,  403,  403,  403,  403,  403,  403,  404,  403,  404,  404,  403,  403,  403, 404}, {}, {}},
};
// clang-format on

TEST_F(AccessTest, FixedTable) {
  FileAll();
  auto routes = Routes();
  ASSERT_EQ(std::size(kTable), routes.size());
  int checked = 0;
  for (size_t r = 0; r < routes.size(); ++r) {
    const Expect& e = kTable[r];
    ASSERT_STREQ(e.route, routes[r].name);
    bool per_case = e.outside[0] != 0;
    for (int u = 0; u < kUsers; ++u) {
      const Column& col = kColumns[u];
      std::string who = std::string(col.role) + " (" + col.user + ") × " + e.route;
      EXPECT_EQ(Outcome(*this, routes[r], col.user, col.inside), e.inside[u]) << who << " inside";
      ++checked;
      if (!per_case) continue;
      if (u < kFirstCounty) {
        EXPECT_EQ(Outcome(*this, routes[r], col.user, "Q"), e.outside[u]) << who << " outside";
        ++checked;
      }
      if (u < 6 && *col.own) {
        EXPECT_EQ(Outcome(*this, routes[r], col.user, col.own), e.own[u]) << who << " own report";
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 27 * kUsers + 14 * (kFirstCounty + 4));
  // Nothing the table sent changed a case: opened and linked to its child.
  for (const Filed& f : kFiled) {
    json c = json::parse(Call("GET", "/api/v1/cases/" + case_[f.key], Token("u0001"), "").body);
    EXPECT_EQ(c["last_seq"], 2) << f.key;
    EXPECT_EQ(c["owner"], "") << f.key;
  }
}

// Out of reach answers byte for byte as missing: ids cannot be counted.
TEST_F(AccessTest, OutOfReachAnswersAsMissing) {
  FileAll();
  for (auto [path, missing] :
       {std::pair{"/api/v1/cases/" + case_["Q"], std::string("/api/v1/cases/C-none")},
        {"/api/v1/children/" + child_["Q"], "/api/v1/children/K-none"}}) {
    HttpResponse out = Call("GET", path, Token("u0008"), "");
    HttpResponse none = Call("GET", missing, Token("u0008"), "");
    EXPECT_EQ(out.status, 404);
    std::string id = path.substr(path.rfind('/') + 1);
    std::string none_id = missing.substr(missing.rfind('/') + 1);
    std::string body = none.body;
    body.replace(body.find(none_id), none_id.size(), id);
    EXPECT_EQ(out.body, body);
  }
  // Refused reads are in the audit trail.
  auto log = ReadAuditLog(*store_, case_["Q"]);
  ASSERT_TRUE(log.ok());
  EXPECT_TRUE(std::any_of(log->begin(), log->end(), [](const AuditRecord& a) {
    return a.action == "case.read.refused" && a.user == "u0008";
  }));
}

// The expectation computed from the declared rules, for every user of the
// first township's units, its police station and the county.
TEST_F(AccessTest, GeneratedFromRules) {
  FileAll();
  int checked = 0;
  for (const User& u : org_.users()) {
    // The township's police sit in the station that serves it.
    if (!org_.InSubtree(u.unit, "chengguan") && u.unit != "qingshan" &&
        u.unit != "chengguan-police") {
      continue;
    }
    auto can = [&](Capability c) { return access_.Has(u, c); };
    // Jurisdiction: the user's subtree and the townships their unit serves.
    auto inside = [&](const std::string& key) { return org_.Covers(u.unit, unit_[key]); };
    std::string who = u.id + " " + u.roles[0];
    json me = json::parse(Call("GET", "/api/v1/me", Token(u.id), "").body);
    EXPECT_EQ(me["capabilities"], json(access_.NamesOf(u))) << who;
    for (const Filed& f : kFiled) {
      std::string key = f.key;
      bool own = u.id == f.reporter;
      bool read = can(Capability::kCaseRead) && inside(key);
      HttpResponse get = Call("GET", "/api/v1/cases/" + case_[key], Token(u.id), "");
      if (read) {
        EXPECT_EQ(json::parse(get.body)["view"], "full") << who << " " << key;
      } else if (own && can(Capability::kReportOwnProgress)) {
        EXPECT_EQ(json::parse(get.body)["view"], "feedback") << who << " " << key;
      } else {
        EXPECT_EQ(get.status, 404) << who << " " << key;
      }
      HttpResponse note = Call("POST", "/api/v1/cases/" + case_[key] + "/notes", Token(u.id),
                               R"({"text": ""})");
      bool work = can(Capability::kCaseWork) && inside(key);
      EXPECT_EQ(note.status, work ? 422 : read || own ? 403 : 404) << who << " note " << key;
      HttpResponse child = Call("GET", "/api/v1/children/" + child_[key], Token(u.id), "");
      EXPECT_EQ(child.status, can(Capability::kChildRead) && inside(key) ? 200 : 404)
          << who << " child " << key;
      // A list by unit needs case.read on some cases there (a principal's on
      // the school's dropout cases); each case in it is checked as above.
      HttpResponse list = Call("GET", "/api/v1/cases?unit=" + unit_[key], Token(u.id), "");
      bool lists = access_.HasOnSome(u, Capability::kCaseRead) && inside(key);
      EXPECT_EQ(list.status, lists ? 200 : 403) << who << " list " << key;
      checked += 4;
    }
    EXPECT_EQ(Call("GET", "/api/v1/cases?overdue=true", Token(u.id), "").status,
              can(Capability::kSupervise) ? 200 : 403) << who;
    EXPECT_EQ(Call("GET", "/api/v1/dead-letters", Token(u.id), "").status,
              can(Capability::kSupervise) ? 200 : 403) << who;
    EXPECT_EQ(Call("GET", "/api/v1/tokens", Token(u.id), "").status,
              can(Capability::kUsersAdmin) ? 200 : 403) << who;
    EXPECT_EQ(Call("GET", "/api/v1/cases?mine=true", Token(u.id), "").status,
              can(Capability::kReportOwnProgress) ? 200 : 403) << who;
    checked += 4;
  }
  EXPECT_GT(checked, 900);  // 40 users of the township and county
}

// Every personal and sensitive string field the report may carry, and a note,
// hold a unique marker; so does the reporter's identity (their user id).
// Through every response each role can get, a marker appears exactly when the
// role's fixed expectation below says it may.
struct Sight {
  const char* user;
  bool personal, sensitive, reporter;
  bool own_submission;  // the report's values, as its reporter filed them
};
// clang-format off
const Sight kSights[] = {
    // reporter of the case: feedback only, which shows what they filed and
    // nothing else (no note, no name).
    {"u0021", false, false, true, true},
    {"u0022", false, false, false, false},  // helper
    {"u0016", false, false, false, false},  // village committee (other village)
    {"u0023", false, false, false, false},  // school admin
    {"u0013", false, false, false, false},  // child director of another community
    {"u0008", true, true, true, false},   // police
    {"u0010", true, true, true, false},   // police supervisor
    {"u0011", true, true, false, false},  // township case worker
    {"u0012", true, true, true, false},   // township supervisor
    {"u0001", true, true, true, false},   // county supervisor
    {"u0003", true, true, false, false},  // civil affairs
    {"u0005", true, false, false, false},  // education bureau: no sensitive fields
    {"u0007", false, false, false, false},  // administrator
    {"u0036", false, false, false, false},  // police supervisor of the other township
    // the county procuratorate: the file's public and personal fields, no
    // sensitive one, no note, not who reported
    {"u0293", true, false, false, false},
};
// clang-format on

TEST_F(AccessTest, Markers) {
  auto w = catalog_.Newest("mandatory_report");
  ASSERT_TRUE(w);
  json body = Report("MK-child_name");
  std::map<std::string, Sensitivity> planted;  // marker -> level
  for (const std::string& f : w->open.optional_fields) {
    const FieldDef* def = w->FindField(f);
    if (def->type != FieldType::kString || f == "child_birth_date" ||
        def->sensitivity == Sensitivity::kPublic) {
      continue;
    }
    body["data"][f] = "MK-" + f;
  }
  for (auto it = body["data"].begin(); it != body["data"].end(); ++it) {
    const FieldDef* def = w->FindField(it.key());
    if (it->is_string() && it->get<std::string>().rfind("MK-", 0) == 0) {
      planted[it->get<std::string>()] = def->sensitivity;
    }
  }
  ASSERT_GE(planted.size(), 8u);
  // An evidence photo: its name is a marker, and its download follows the
  // field's sensitivity.
  const std::string photo = testing::PngWithText("no metadata");
  HttpResponse begun = Call("POST", "/api/v1/uploads", Token("u0021"),
                            json{{"name", "MK-file.png"}, {"size", photo.size()}}.dump());
  ASSERT_EQ(begun.status, 201) << begun.body;
  HttpResponse sent = Call("PATCH", "/api/v1/uploads/" + json::parse(begun.body)["upload"]["id"].get<std::string>(),
                           Token("u0021"), photo, {{"upload-offset", "0"}});
  ASSERT_EQ(sent.status, 200) << sent.body;
  const std::string file = json::parse(sent.body)["file"]["id"];
  body["data"]["evidence_files"] = json::array({file});
  planted["MK-file.png"] = Sensitivity::kSensitive;
  HttpResponse opened = Call("POST", "/api/v1/cases", Token("u0021"), body.dump());
  ASSERT_EQ(opened.status, 201) << opened.body;
  std::string id = json::parse(opened.body)["case_id"];
  ASSERT_EQ(Call("POST", "/api/v1/cases/" + id + "/notes", Token("u0008"),
                 R"({"text": "MK-note"})").status, 201);
  planted["MK-note"] = Sensitivity::kSensitive;
  std::string child =
      json::parse(Call("GET", "/api/v1/cases/" + id, Token("u0001"), "").body)["child_id"];

  for (const Sight& s : kSights) {
    const std::string& token = Token(s.user);
    std::string seen;  // every response this user can get about the case
    for (const std::string& target :
         {"/api/v1/cases/" + id, std::string("/api/v1/cases?unit=chengguan-primary"),
          std::string("/api/v1/cases?mine=true"), std::string("/api/v1/cases?overdue=true"),
          std::string("/api/v1/escalations"), "/api/v1/children/" + child,
          "/api/v1/children/" + child + "/history", std::string("/api/v1/cases?owner=me"),
          std::string("/api/v1/cases?workflow=mandatory_report&state=reported")}) {
      HttpResponse r = Call("GET", target, token, "");
      if (r.status == 200) seen += r.body;
    }
    for (const auto& [marker, level] : planted) {
      bool allowed = level == Sensitivity::kSensitive ? s.sensitive : s.personal;
      allowed |= s.own_submission && marker != "MK-note";
      EXPECT_EQ(seen.find(marker) != std::string::npos, allowed)
          << s.user << " and " << marker;
    }
    // The reporter's name and phone (case.reporter_identity), never to the
    // reporter's own progress view nor to anyone without it.
    bool identity = s.reporter && !s.own_submission;
    EXPECT_EQ(seen.find("梁磊") != std::string::npos, identity) << s.user;
    EXPECT_EQ(seen.find("13800000021") != std::string::npos, identity) << s.user;
    EXPECT_EQ(seen.find("u0021") != std::string::npos, s.reporter) << s.user;
    // The reporter also gets the photo they filed: it is in their submission.
    const bool own_photo = std::string(s.user) == "u0021";
    EXPECT_EQ(Call("GET", "/api/v1/cases/" + id + "/files/" + file, token, "").status,
              s.sensitive || own_photo ? 200 : 404)
        << s.user << " and the evidence photo";
  }
}


// A report never overwrites a child's file its reporter may not read
// (issue 12): a teacher of the other township reports a child whose file
// belongs to 城关镇; the report is linked to the file, the values it brings
// wait as a proposal, and a case worker of 城关镇 accepts or rejects them.
TEST_F(AccessTest, AReportFromOutsideProposesInsteadOfOverwriting) {
  // A report about a child with an open case joins it (201 opened, 200
  // joined), with the same proposal rule.
  auto report = [&](const std::string& reporter, const std::string& phone) {
    json body = Report("同名儿童");
    body["data"]["guardian_phone"] = phone;
    HttpResponse r = Call("POST", "/api/v1/cases", Token(reporter), body.dump());
    EXPECT_TRUE(r.status == 201 || r.status == 200) << r.body;
    return json::parse(r.body).value("case_id", "");
  };
  std::string inside = report("u0021", "13900000001");   // chengguan-primary
  // Ended, so that the other township's report opens a case of its own.
  ASSERT_EQ(Call("POST", "/api/v1/cases/" + inside + "/events", Token("u0008"),
                 R"({"event": "transfer", "data": {"transfer_to": "邻县公安局"}})").status,
            200);
  std::string outside = report("u0049", "13900000002");  // qingshi-primary
  ASSERT_NE(outside, inside);
  auto get = [&](const std::string& user, const std::string& path) {
    return Call("GET", path, Token(user), "");
  };
  json c = json::parse(get("u0036", "/api/v1/cases/" + outside).body);
  std::string child = c["child_id"];
  ASSERT_EQ(child, json::parse(get("u0008", "/api/v1/cases/" + inside).body)["child_id"])
      << "one child, one file";
  // The other township learns nothing of the first case.
  for (const json& h : c["history"]) {
    if (h["kind"] == "child_linked") {
      EXPECT_EQ(h["data"]["other_cases"], json::array());
    }
  }
  EXPECT_EQ(get("u0036", "/api/v1/children/" + child).status, 404);
  // The file is unchanged; its own township sees the proposal.
  json file = json::parse(get("u0008", "/api/v1/children/" + child).body);
  EXPECT_EQ(file["fields"]["guardian_phone"], "13900000001");
  EXPECT_EQ(file["case_ids"], json::array({inside})) << "the outside case is not theirs to see";
  json proposals = json::parse(get("u0008", "/api/v1/children/" + child + "/proposals").body);
  ASSERT_EQ(proposals["proposals"].size(), 1u) << proposals;
  json p = proposals["proposals"][0];
  EXPECT_EQ(p["changes"]["guardian_phone"], "13900000002");
  EXPECT_EQ(p["case_id"], json({{"redacted", true}}));
  // Deciding needs case work in the child's unit.
  std::string path = "/api/v1/children/" + child + "/proposals/" + p["id"].get<std::string>();
  EXPECT_EQ(Call("POST", path, Token("u0005"), R"({"decision": "accept"})").status, 403);
  EXPECT_EQ(Call("POST", path, Token("u0036"), R"({"decision": "accept"})").status, 404);
  EXPECT_EQ(Call("POST", path, Token("u0011"), R"({"decision": "maybe"})").status, 422);
  HttpResponse accepted = Call("POST", path, Token("u0011"), R"({"decision": "accept"})");
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  EXPECT_EQ(Call("POST", path, Token("u0011"), R"({"decision": "reject"})").status, 404)
      << "decided already";
  file = json::parse(get("u0008", "/api/v1/children/" + child).body);
  EXPECT_EQ(file["fields"]["guardian_phone"], "13900000002");
  json history = json::parse(get("u0008", "/api/v1/children/" + child + "/history").body);
  EXPECT_EQ(history["revisions"].back()["actor"], "u0011");
  EXPECT_TRUE(json::parse(get("u0008", "/api/v1/children/" + child + "/proposals").body)
                  ["proposals"].empty());
  // A second report from outside, rejected: the file keeps its value.
  report("u0047", "13900000003");
  proposals = json::parse(get("u0008", "/api/v1/children/" + child + "/proposals").body);
  ASSERT_EQ(proposals["proposals"].size(), 1u);
  path = "/api/v1/children/" + child + "/proposals/" +
         proposals["proposals"][0]["id"].get<std::string>();
  ASSERT_EQ(Call("POST", path, Token("u0008"), R"({"decision": "reject"})").status, 200);
  file = json::parse(get("u0008", "/api/v1/children/" + child).body);
  EXPECT_EQ(file["fields"]["guardian_phone"], "13900000002");
  // Both decisions are audited.
  auto log = ReadAuditLog(*store_, "");
  ASSERT_TRUE(log.ok());
  EXPECT_EQ(std::count_if(log->begin(), log->end(), [](const AuditRecord& a) {
              return a.action.rfind("child.proposal.", 0) == 0;
            }), 2);
}

// The reporter's progress view carries the feedback the police send (fields
// the workflow marks "to_reporter") and nothing else of what the police
// recorded: not the intake kind, not a note, not who acted.
TEST_F(AccessTest, TheReporterSeesThePoliceFeedbackAndNothingElse) {
  HttpResponse opened = Call("POST", "/api/v1/cases", Token("u0021"), Report("FB-child").dump());
  ASSERT_EQ(opened.status, 201) << opened.body;
  std::string path = "/api/v1/cases/" + json::parse(opened.body)["case_id"].get<std::string>();
  json accept = {{"event", "accept"},
                 {"data", {{"intake_kind", "criminal"},
                           {"accepted_at", "2026-03-02T09:00:00+08:00"}}}};
  ASSERT_EQ(Call("POST", path + "/events", Token("u0008"), accept.dump()).status, 200);
  json feedback = {{"event", "send_feedback"},
                   {"data", {{"feedback_sent_at", "2026-03-03T10:00:00+08:00"},
                             {"feedback_summary", "FB-已出警，儿童已由祖母照看"}}}};
  HttpResponse sent = Call("POST", path + "/events", Token("u0008"), feedback.dump());
  ASSERT_EQ(sent.status, 200) << sent.body;
  ASSERT_EQ(Call("POST", path + "/notes", Token("u0008"), R"({"text": "FB-note"})").status, 201);

  HttpResponse mine = Call("GET", path, Token("u0021"), "");
  ASSERT_EQ(mine.status, 200) << mine.body;
  json view = json::parse(mine.body);
  EXPECT_EQ(view["view"], "feedback");
  json shown = json::object();
  for (const json& p : view["progress"]) {
    if (p.contains("data")) shown.update(p["data"]);
  }
  EXPECT_EQ(shown, (json{{"feedback_sent_at", "2026-03-03T10:00:00+08:00"},
                         {"feedback_summary", "FB-已出警，儿童已由祖母照看"}}));
  for (const char* hidden : {"intake_kind", "FB-note", "u0008"}) {
    EXPECT_EQ(mine.body.find(hidden), std::string::npos) << hidden;
  }
  // What they filed, as they filed it (issue 14, item 17), and only there.
  EXPECT_EQ(view["submission"], Report("FB-child")["data"]);
  EXPECT_EQ(mine.body.find("FB-child"), mine.body.rfind("FB-child"));
  // Another reporter's view of the case: as if it did not exist.
  EXPECT_EQ(Call("GET", path, Token("u0022"), "").status, 404);
}

}  // namespace
}  // namespace shouhu::api
