// `shouhu reports NAME` and `shouhu spot-check`: the reports (统计报表) as a
// table, or downloaded as .xlsx/CSV; a spot check's draw (随机抽查).
#include <cmath>
#include <cstdio>
#include <fstream>

#include "cli/client.h"
#include "cli/table.h"
#include "shouhu/json_parse.h"

namespace shouhu::cli {
namespace {

using json = nlohmann::json;

std::string Cell(const json& column, const json& v) {
  std::string kind = column.value("kind", "text");
  if (kind == "rate") {
    if (!v.is_number()) return "—";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f%%", 100.0 * v.get<double>());
    return buf;
  }
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  return v.is_string() ? v.get<std::string>() : "";
}

void RenderReport(const json& r) {
  std::printf("%s %s  %s  %s … %s\n", r["title"].value("zh", "").c_str(),
              r["title"].value("en", "").c_str(), r.value("unit", "").c_str(),
              r.value("from", "").c_str(), r.value("to", "").c_str());
  std::vector<std::string> header;
  for (const json& c : r["columns"]) {
    header.push_back(c["label"].value("zh", "") + " " + c["label"].value("en", ""));
  }
  std::vector<std::vector<std::string>> rows;
  for (const json& row : r["rows"]) {
    std::vector<std::string> cells;
    for (const json& c : r["columns"]) {
      std::string key = c.value("key", "");
      cells.push_back(Cell(c, row.contains(key) ? row[key] : json()));
    }
    rows.push_back(std::move(cells));
  }
  PrintTable(header, rows);
}

void RenderSpotCheck(const json& s) {
  std::printf("随机抽查 spot check: %s in %s, seed %s, %zu of %s\n", s.value("kind", "").c_str(),
              s.value("unit", "").c_str(), s.value("seed", "").c_str(), s["sample"].size(),
              s["population"].dump().c_str());
  for (const json& id : s["sample"]) std::printf("  %s\n", id.get<std::string>().c_str());
}

int ReportsCommand(HttpClient& c, const ClientArgs& a) {
  std::string q;
  for (const char* name : {"unit", "from", "to", "format"}) {
    if (a.Has(name)) q += std::string(q.empty() ? "?" : "&") + name + "=" + UrlEncode(a.Get(name));
  }
  std::string path = "/api/v1/reports/" + UrlEncode(a.positional[0]) + q;
  std::string format = a.Get("format", "json");
  if (format == "json") return SendAndPrint(c, a, "GET", path, "", {}, RenderReport);
  if (int missing = RequireOptions(a, {"out"})) return missing;
  HttpReply reply = c.Send("GET", path, "", {});
  if (reply.status != 200) return PrintReply(c, a, reply, RenderReport);
  std::ofstream out(a.Get("out"), std::ios::binary);
  out << reply.body;
  if (!out.flush()) {
    PrintError("无法写入 " + a.Get("out"), "cannot write " + a.Get("out"));
    return 1;
  }
  std::printf("%s: %zu bytes\n", a.Get("out").c_str(), reply.body.size());
  return 0;
}

int SpotCheckCommand(HttpClient& c, const ClientArgs& a) {
  json body = {{"kind", a.positional[0]}};
  if (a.Has("size")) {
    json size = ParseJsonOrDiscarded(a.Get("size"), 2);
    body["size"] = size.is_discarded() ? json(a.Get("size")) : size;
  }
  for (const char* name : {"unit", "seed", "from", "to"}) {
    if (a.Has(name)) body[name] = a.Get(name);
  }
  return SendAndPrint(c, a, "POST", "/api/v1/spot-checks", body.dump(), {}, RenderSpotCheck);
}

}  // namespace

void AddReportCommands(CommandLine& cl) {
  auto reports = cl.Add(
      nullptr, "reports", "统计报表 / a report as a table, or --format xlsx|csv",
      "usage: shouhu reports NAME [--unit UNIT] [--from YYYY-MM] [--to YYYY-MM]\n"
      "                      [--format json|xlsx|csv --out FILE]\n"
      "\nA report (统计报表) for UNIT's subtree (default your unit), its rows per child\n"
      "unit and a total: registration (建档率), cases (open, overdue, closed per step),\n"
      "measures (obligations met on time: the 3-day feedback, care-plan duties per\n"
      "helper), monthly (reports by category and reporter kind). The months default\n"
      "to this year. --format xlsx|csv --out FILE downloads it. Needs reports.read.\n",
      WithClient(ReportsCommand));
  AddPositional(reports, "NAME", "报表 / registration, cases, measures or monthly");
  AddValue(reports, "unit", "UNIT", "单位 / the subtree of this unit");
  AddValue(reports, "from", "YYYY-MM", "起始月份 / the first month");
  AddValue(reports, "to", "YYYY-MM", "截止月份 / the last month");
  AddValue(reports, "format", "FORMAT", "格式 / json (a table), xlsx or csv")
      ->check(CLI::IsMember({"json", "xlsx", "csv"}));
  AddValue(reports, "out", "FILE", "下载到 / the file to write (with xlsx or csv)");
  AddServerOptions(reports);

  auto spot = cl.Add(
      nullptr, "spot-check", "随机抽查 / a reproducible random sample",
      "usage: shouhu spot-check cases|files --size N [--unit UNIT] [--seed SEED]\n"
      "                         [--from YYYY-MM] [--to YYYY-MM]\n"
      "\nDraws a random sample (随机抽查) of the cases opened (in the months given) or\n"
      "the child files registered in UNIT's subtree. The same --seed draws the same\n"
      "sample; the seed and the sample are recorded in the audit log.\n",
      WithClient(SpotCheckCommand));
  AddPositional(spot, "KIND", "抽查对象 / cases or files");
  AddValue(spot, "size", "N", "样本量 / how many")->required();
  AddValue(spot, "unit", "UNIT", "单位 / the subtree of this unit");
  AddValue(spot, "seed", "SEED", "随机种子 / the seed (the same one draws the same sample)");
  AddValue(spot, "from", "YYYY-MM", "起始月份 / the first month");
  AddValue(spot, "to", "YYYY-MM", "截止月份 / the last month");
  AddServerOptions(spot);
}

}  // namespace shouhu::cli
