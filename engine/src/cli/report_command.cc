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

}  // namespace

int ReportsCommand(HttpClient& c, const ClientArgs& a) {
  std::string q;
  for (const char* name : {"unit", "from", "to", "format"}) {
    if (a.Has(name)) q += std::string(q.empty() ? "?" : "&") + name + "=" + UrlEncode(a.Get(name));
  }
  std::string path = "/api/v1/reports/" + UrlEncode(a.positional[0]) + q;
  std::string format = a.Get("format", "json");
  if (format == "json") return SendAndPrint(c, a, "GET", path, "", {}, RenderReport);
  if (!a.Has("out")) {
    std::fprintf(stderr, "shouhu reports: --format %s needs --out FILE\n", format.c_str());
    return 2;
  }
  HttpReply reply = c.Send("GET", path, "", {});
  if (reply.status != 200) return PrintReply(c, a, reply, RenderReport);
  std::ofstream out(a.Get("out"), std::ios::binary);
  out << reply.body;
  if (!out.flush()) {
    std::fprintf(stderr, "shouhu reports: cannot write %s\n", a.Get("out").c_str());
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

}  // namespace shouhu::cli
