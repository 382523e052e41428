// `shouhu child list|search|show|history` (儿童档案): children's files in
// the register, through the daemon's API (child.read), in your
// jurisdiction; values you may not read show as confidential.
#include <cstdio>

#include "cli/client.h"
#include "cli/table.h"

namespace shouhu::cli {
namespace {

using nlohmann::json;

constexpr const char* kUsage =
    "usage: shouhu child list [--unit UNIT] [--limit N] [--offset N]\n"
    "       shouhu child search [--name NAME] [--school ..] [--class ..] [--category ..]\n"
    "                           [--helper USER] [--unit UNIT] [--limit N] [--offset N]\n"
    "       shouhu child show ID [--as-of TIME]\n"
    "       shouhu child history ID\n"
    "\n"
    "Children's files (儿童档案) in your jurisdiction (child.read). `list` pages\n"
    "through them (in UNIT's subtree with --unit); `search` finds those that match\n"
    "every criterion given; `show` prints one file, as it was at --as-of (RFC 3339)\n"
    "if given; `history` prints its revisions. Every read is audited.\n";

constexpr const char* kCriteria[] = {"name", "school", "class", "category", "helper"};

void RenderFiles(const json& r) {
  std::vector<std::vector<std::string>> rows;
  for (const json& f : r["children"]) {
    const json& fields = f["fields"];
    rows.push_back({CellText(f["id"]), CellText(fields.value("child_name", json())),
                    CellText(fields.value("child_birth_date", json())), CellText(f["unit"]),
                    std::to_string(f["case_ids"].size()), When(f["updated_at"])});
  }
  PrintTable({"file 档案", "name 姓名", "born 出生日期", "unit 单位", "cases 案件", "updated 更新"},
             rows);
  std::printf("%zu of %s (offset %s)\n", r["children"].size(), r["total"].dump().c_str(),
              r["offset"].dump().c_str());
}

void RenderFile(const json& f) {
  std::vector<std::vector<std::string>> facts = {
      {"file 档案", CellText(f["id"])},
      {"unit 单位", CellText(f["unit"])},
      {"revision 版本", f["revision"].dump()},
      {"created 建档", When(f["created_at"])},
      {"updated 更新", When(f["updated_at"])}};
  std::string cases;
  for (const json& c : f["case_ids"]) cases += (cases.empty() ? "" : " ") + CellText(c);
  facts.push_back({"cases 案件", cases});
  if (f.contains("merged_into")) facts.push_back({"merged into 已合并至", CellText(f["merged_into"])});
  for (auto& [k, v] : f["fields"].items()) facts.push_back({"  " + k, CellText(v)});
  PrintTable({"field", "value"}, facts);
}

void RenderHistory(const json& h) {
  std::vector<std::vector<std::string>> rows;
  for (const json& r : h["revisions"]) {
    std::string changes;
    for (auto& [k, v] : r["changes"].items()) {
      changes += (changes.empty() ? "" : "; ") + k + "=" + CellText(v);
    }
    rows.push_back({r["revision"].dump(), When(r["at"]), CellText(r["actor"]),
                    CellText(r["case_id"]), changes});
  }
  PrintTable({"rev 版本", "at 时间", "by 修改人", "case 案件", "changes 变更"}, rows);
}

int Search(HttpClient& c, const ClientArgs& a) {
  UseOrganisationTimeZone(c, a);
  std::string q;
  for (const char* name : {"name", "school", "class", "category", "helper", "unit", "limit",
                           "offset"}) {
    if (a.Has(name)) q += std::string(q.empty() ? "?" : "&") + name + "=" + UrlEncode(a.Get(name));
  }
  return SendAndPrint(c, a, "GET", "/api/v1/children" + q, "", {}, RenderFiles);
}

int SearchWithCriteria(HttpClient& c, const ClientArgs& a) {
  for (const char* name : kCriteria) {
    if (a.Has(name)) return Search(c, a);
  }
  PrintError("至少给一个条件：--name、--school、--class、--category、--helper",
             "give at least one of --name, --school, --class, --category, --helper");
  return 2;
}

int Show(HttpClient& c, const ClientArgs& a) {
  UseOrganisationTimeZone(c, a);
  std::string q = a.Has("as-of") ? "?as_of=" + UrlEncode(a.Get("as-of")) : "";
  return SendAndPrint(c, a, "GET", "/api/v1/children/" + UrlEncode(a.positional[0]) + q, "", {},
                      RenderFile);
}

int History(HttpClient& c, const ClientArgs& a) {
  UseOrganisationTimeZone(c, a);
  return SendAndPrint(c, a, "GET", "/api/v1/children/" + UrlEncode(a.positional[0]) + "/history",
                      "", {}, RenderHistory);
}

void AddPaging(const CommandLine::Command& c) {
  AddValue(c, "unit", "UNIT", "单位 / in this unit's subtree");
  AddValue(c, "limit", "N", "每页条数 / at most N")->check(PositiveWholeNumber());
  AddValue(c, "offset", "N", "跳过 / skip the first N");
  AddServerOptions(c);
}

}  // namespace

void AddChildCommands(CommandLine& cl) {
  CLI::App* group = cl.Group(nullptr, "child", "儿童档案 / children's files", kUsage);
  AddPaging(cl.Add(group, "list", "列表 / the files in your jurisdiction", kUsage,
                   WithClient(Search)));
  auto search = cl.Add(group, "search", "查询 / the files matching every criterion", kUsage,
                       WithClient(SearchWithCriteria));
  AddValue(search, "name", "NAME", "姓名 / the child's name");
  AddValue(search, "school", "SCHOOL", "学校 / the school");
  AddValue(search, "class", "CLASS", "班级 / the class");
  AddValue(search, "category", "CATEGORY", "类别 / the child's category");
  AddValue(search, "helper", "USER", "帮扶责任人 / the helper");
  AddPaging(search);
  auto show = cl.Add(group, "show", "查看 / one file", kUsage, WithClient(Show));
  AddPositional(show, "ID", "档案编号 / the file");
  AddValue(show, "as-of", "TIME", "某一时刻的档案 / the file as it was then (RFC 3339)");
  AddServerOptions(show);
  auto history = cl.Add(group, "history", "修改记录 / its revisions", kUsage,
                        WithClient(History));
  AddPositional(history, "ID", "档案编号 / the file");
  AddServerOptions(history);
}

}  // namespace shouhu::cli
