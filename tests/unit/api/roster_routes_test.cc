// Rosters (花名册) through the API in-process on the sample county: real
// .xlsx files written by openpyxl (Debian's python3-openpyxl, at test time)
// and CSV in UTF-8 and GB18030 (encoded by Python too) are previewed and
// imported; a roster with bad rows is answered with every problem and writes
// nothing; the same file twice imports once; the register exported as .xlsx
// reads back in openpyxl as the API shows it.
#include <gtest/gtest.h>

#include <fstream>

#include "../../support/run_program.h"
#include "api_service_fixture.h"

namespace shouhu::api {
namespace {

using nlohmann::json;
using shouhu::testing::ReadFile;
using shouhu::testing::RunProgram;

const char* kDirector = "u0015";  // child director, chengguan-v02

// Writes the test's files with Python: one per entry of `files`, name ->
// {"kind": "xlsx" | "csv-utf8" | "csv-gb18030", "rows": [[...], ...]}; a cell
// {"date": "2015-04-01"} is a real Excel date.
const char* kWriter = R"(
import datetime, json, sys, openpyxl
spec = json.load(open(sys.argv[1]))
for name, f in spec.items():
    rows = [[datetime.date.fromisoformat(c["date"]) if isinstance(c, dict) else c for c in r]
            for r in f["rows"]]
    path = sys.argv[2] + "/" + name
    if f["kind"] == "xlsx":
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "花名册"
        for r in rows:
            ws.append(r)
        wb.save(path)
    else:
        text = "\r\n".join(",".join("" if c is None else str(c) for c in r) for r in rows) + "\r\n"
        open(path, "wb").write(text.encode("gb18030" if f["kind"] == "csv-gb18030" else "utf-8-sig"))
)";

// Reads an .xlsx with openpyxl: its first sheet as rows of text (None -> "").
const char* kReader = R"(
import json, sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1]).active
print(json.dumps([["" if c is None else str(c) for c in r] for r in ws.iter_rows(values_only=True)],
                 ensure_ascii=False))
)";

class RosterRoutesTest : public ApiServiceTest {
 public:
  std::map<std::string, std::string> Write(const json& spec) {
    std::ofstream(dir_ + "/spec.json") << spec.dump();
    std::ofstream(dir_ + "/writer.py") << kWriter;
    auto r = RunProgram(SHOUHU_PYTHON3, {dir_ + "/writer.py", dir_ + "/spec.json", dir_}, dir_);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::map<std::string, std::string> out;
    for (auto it = spec.begin(); it != spec.end(); ++it) out[it.key()] = ReadFile(dir_ + "/" + it.key());
    return out;
  }
  HttpResponse Upload(const std::string& route, const std::string& bytes,
                      const std::string& query = "") {
    return Call("POST", "/api/v1/roster/" + route + "?unit=chengguan-v02" + query, Token(), bytes);
  }
  size_t Total(const std::string& query = "") {
    HttpResponse r = Call("GET", "/api/v1/children?limit=200" + query, Token(), "");
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body)["total"];
  }
  const std::string& Token() {
    if (token_.empty()) token_ = TokenFor(kDirector);
    return token_;
  }
  std::string token_;
};

const json kHeadings = {"儿童姓名", "出生日期", "性别", "就读学校", "班级", "儿童类别", "监护人姓名", "帮扶人"};

json Roster(const std::string& kind, json rows) {
  rows.insert(rows.begin(), kHeadings);
  return {{"kind", kind}, {"rows", rows}};
}

TEST_F(RosterRoutesTest, XlsxAndCsvInBothEncodingsImportOnceEach) {
  auto files = Write({
      {"a.xlsx", Roster("xlsx", {{"张小明", {{"date", "2015-04-01"}}, "男", "城关小学", "三(2)班",
                                  "留守儿童", "张大山", "u0022"},
                                 {"李娜", "2016-05-02", "女", "城关小学", nullptr, "留守儿童、困境儿童",
                                  "李四", nullptr}})},
      {"b.csv", Roster("csv-utf8", {{"王小红", "2014/3/9", "女", "城关小学", "四(1)班", "困境儿童",
                                     "王五", "u0022"}})},
      {"c.csv", Roster("csv-gb18030", {{"赵小花", "2014年11月3日", "女", "城关镇中学", "初一(3)班",
                                        "留守儿童", "赵大", nullptr}})},
  });
  // The preview maps the columns by their labels and finds nothing wrong.
  HttpResponse preview = Upload("preview", files["a.xlsx"]);
  ASSERT_EQ(preview.status, 200) << preview.body;
  json p = json::parse(preview.body);
  EXPECT_EQ(p["rows"], 2);
  EXPECT_EQ(p["mapping"]["儿童姓名"], "child_name");
  EXPECT_EQ(p["mapping"]["帮扶人"], "helpers");
  EXPECT_EQ(p["problems"], json::array());
  EXPECT_EQ(p["sample"][0]["child_birth_date"], "2015-04-01") << "an Excel date";
  EXPECT_EQ(p["sample"][1]["child_category"], json({"left_behind", "in_difficulty"}));
  EXPECT_EQ(Total(), 0u) << "a preview writes nothing";

  for (const char* name : {"a.xlsx", "b.csv", "c.csv"}) {
    HttpResponse r = Upload("import", files[name]);
    ASSERT_EQ(r.status, 201) << name << ": " << r.body;
  }
  EXPECT_EQ(Total(), 4u);
  EXPECT_EQ(Total("&name=zxh"), 1u) << "赵小花; 王小红 is wxh";
  json found = json::parse(Call("GET", "/api/v1/children?name=zxm", Token(), "").body);
  ASSERT_EQ(found["children"].size(), 1u);
  json ming = found["children"][0]["fields"];
  EXPECT_EQ(ming["child_birth_date"], "2015-04-01");
  EXPECT_EQ(ming["child_gender"], "male");
  EXPECT_EQ(ming["helpers"], json({"u0022"}));
  json hua = json::parse(Call("GET", "/api/v1/children?name=%E8%B5%B5", Token(), "").body);
  EXPECT_EQ(hua["children"][0]["fields"]["school"], "城关镇中学") << "GB18030 read as such";
  EXPECT_EQ(hua["children"][0]["fields"]["child_birth_date"], "2014-11-03");

  // The same file again: its first counts, nothing doubled.
  HttpResponse again = Upload("import", files["a.xlsx"]);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(json::parse(again.body)["replayed"], true);
  EXPECT_EQ(json::parse(again.body)["created"], 2);
  EXPECT_EQ(Total(), 4u);
}

TEST_F(RosterRoutesTest, EveryProblemOfEveryRowIsReportedAndNothingIsWritten) {
  auto files = Write({{"bad.csv", Roster("csv-utf8", {
      {"张小明", "2015-04-01", "男", "城关小学", "", "留守儿童", "", "u0022"},
      {"", "2015-04-02", "", "", "", "", "", ""},                         // row 3: no name
      {"李娜", "2015-13-40", "未知", "", "", "孤儿院", "", ""},           // row 4
      {"张小明", "2015-04-01", "", "", "", "", "", ""},                   // row 5: row 2 again
      {"王五", "2015-01-01", "", "", "", "", "", "u9999"},                // row 6: no such user
      {"赵六", "2015-01-02", "", "", "", "", "", "u0022"},
      {"钱七", "2015-01-03", "", "", "", "", "", "u0022"},                // row 8: third child
  })}});
  HttpResponse r = Upload("import", files["bad.csv"]);
  ASSERT_EQ(r.status, 422) << r.body;
  json problems = json::parse(r.body)["error"]["problems"];
  std::set<std::pair<int, std::string>> where;
  for (const json& p : problems) {
    where.emplace(p["row"].get<int>(), p["column"].get<std::string>());
    EXPECT_FALSE(p["message"].get<std::string>().empty());
  }
  std::set<std::pair<int, std::string>> want = {
      {3, "儿童姓名"}, {4, "出生日期"}, {4, "性别"}, {4, "儿童类别"},
      {5, ""},        {6, "帮扶人"},   {8, "帮扶人"}};
  EXPECT_EQ(where, want) << problems.dump(1);
  EXPECT_EQ(Total(), 0u) << "nothing written";
  // The preview answers the same problems.
  json preview = json::parse(Upload("preview", files["bad.csv"]).body);
  EXPECT_EQ(preview["problems"], problems);
}

TEST_F(RosterRoutesTest, AMappingIsRememberedForTheUnit) {
  auto files = Write({{"own.csv", {{"kind", "csv-utf8"},
                                   {"rows", {{"学生", "生日", "学校"},
                                             {"张小明", "2015-04-01", "城关小学"}}}}}});
  json first = json::parse(Upload("preview", files["own.csv"]).body);
  EXPECT_EQ(first["mapping"], json::object()) << "no heading is a label";
  ASSERT_EQ(first["problems"].size(), 2u) << "name and birth date unmapped: " << first.dump();
  std::string mapping = "&mapping=%7B%22%E5%AD%A6%E7%94%9F%22%3A%22child_name%22%2C%22%E7%94%9F%E6%97%A5%22%3A%22child_birth_date%22%2C%22%E5%AD%A6%E6%A0%A1%22%3A%22school%22%7D";
  ASSERT_EQ(Upload("import", files["own.csv"], mapping).status, 201);
  json next = json::parse(Upload("preview", files["own.csv"]).body);
  EXPECT_EQ(next["mapping"], json({{"学生", "child_name"}, {"生日", "child_birth_date"},
                                   {"学校", "school"}}));
}

TEST_F(RosterRoutesTest, TheRegisterExportedAsXlsxReadsBackInOpenpyxl) {
  auto files = Write({{"a.csv", Roster("csv-utf8", {
      {"张小明", "2015-04-01", "男", "城关小学", "三(2)班", "留守儿童", "张大山", "u0022"},
      {"李娜", "2016-05-02", "女", "城关小学", "", "困境儿童", "李四", ""}})}});
  ASSERT_EQ(Upload("import", files["a.csv"]).status, 201);
  HttpResponse xlsx = Call("GET", "/api/v1/exports/children?format=xlsx", Token(), "");
  ASSERT_EQ(xlsx.status, 200) << xlsx.body;
  std::ofstream(dir_ + "/export.xlsx", std::ios::binary) << xlsx.body;
  std::ofstream(dir_ + "/reader.py") << kReader;
  auto read = RunProgram(SHOUHU_PYTHON3, {dir_ + "/reader.py", dir_ + "/export.xlsx"}, dir_);
  ASSERT_EQ(read.exit_code, 0) << read.err;
  json sheet = json::parse(read.out);
  ASSERT_EQ(sheet.size(), 3u);
  json headings = sheet[0];
  auto column = [&](const std::string& h) {
    auto it = std::find(headings.begin(), headings.end(), h);
    EXPECT_NE(it, headings.end()) << h;
    return it - headings.begin();
  };
  // The API's view of each file, cell for cell.
  json api = json::parse(Call("GET", "/api/v1/children", Token(), "").body)["children"];
  for (size_t i = 1; i < sheet.size(); ++i) {
    json row = sheet[i];
    auto file = std::find_if(api.begin(), api.end(), [&](const json& f) { return f["id"] == row[0]; });
    ASSERT_NE(file, api.end());
    EXPECT_EQ(row[column("儿童姓名")], (*file)["fields"]["child_name"]);
    EXPECT_EQ(row[column("出生日期")], (*file)["fields"]["child_birth_date"]);
    EXPECT_EQ(row[column("就读学校")], "城关小学");
  }
  EXPECT_EQ(sheet[1][column("儿童类别")].get<std::string>().empty(), false);
  // CSV: UTF-8 with a byte-order mark, the same rows.
  HttpResponse csv = Call("GET", "/api/v1/exports/children?format=csv", Token(), "");
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.body.substr(0, 3), "\xEF\xBB\xBF");
  EXPECT_NE(csv.body.find("张小明"), std::string::npos);
  // A reporter without child.read exports nothing.
  EXPECT_EQ(Call("GET", "/api/v1/exports/children", TokenFor("u0021"), "").status, 403);
}

// A case list exported holds the cases the caller reads in full, within
// their jurisdiction.
TEST_F(RosterRoutesTest, CaseListsExportWithinJurisdiction) {
  json report = {{"workflow", "mandatory_report"},
                 {"data",
                  {{"child_name", "儿童甲"}, {"child_birth_date", "2015-04-01"},
                   {"category", "living_alone"}, {"reporter_kind", "mandated"},
                   {"reporter_category", "school"}, {"discovered_at", "2026-03-02T08:00:00+08:00"}}}};
  HttpResponse filed = Call("POST", "/api/v1/cases", TokenFor("u0021"), report.dump());
  ASSERT_EQ(filed.status, 201) << filed.body;
  std::string id = json::parse(filed.body)["case_id"];
  HttpResponse police = Call("GET", "/api/v1/exports/cases?format=csv", TokenFor("u0008"), "");
  ASSERT_EQ(police.status, 200) << police.body;
  EXPECT_NE(police.body.find(id), std::string::npos);
  EXPECT_NE(police.body.find("强制报告"), std::string::npos);
  HttpResponse other = Call("GET", "/api/v1/exports/cases?format=csv", TokenFor("u0036"), "");
  ASSERT_EQ(other.status, 200);
  EXPECT_EQ(other.body.find(id), std::string::npos) << "another township's police";
  EXPECT_EQ(Call("GET", "/api/v1/exports/cases", TokenFor("u0021"), "").status, 403);
}

}  // namespace
}  // namespace shouhu::api
