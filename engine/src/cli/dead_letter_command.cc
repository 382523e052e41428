// `shouhu dead-letters list|redrive` (死信): the notifications the daemon
// gave up on (a permanent failure, or its retries used up), listed, and sent
// again one by one or all at once (supervisors, in their jurisdiction).
#include <cstdio>

#include "cli/client.h"
#include "cli/table.h"
#include "shouhu/json_parse.h"

namespace shouhu::cli {
namespace {

using nlohmann::json;

constexpr const char* kUsage =
    "usage: shouhu dead-letters list [--limit N] [--after CURSOR]\n"
    "       shouhu dead-letters redrive (ID | --all) [--key KEY]\n"
    "\n"
    "Dead letters (死信): notifications the daemon gave up on, after a permanent\n"
    "failure or once its retries were used up. `list` shows them, newest last, one\n"
    "page at a time; `redrive` queues one again (ID) or every one you may see\n"
    "(--all), each with a new delivery. Supervisors, in their jurisdiction.\n";

void RenderLetters(const json& r) {
  std::vector<std::vector<std::string>> rows;
  for (const json& d : r["dead_letters"]) {
    rows.push_back({CellText(d["id"]), CellText(d["case_id"]), CellText(d["channel"]),
                    CellText(d["recipient"]), CellText(d["template"]),
                    std::to_string(d.value("attempts", 0)), When(d["failed_at"]),
                    CellText(d["reason"])});
  }
  PrintTable({"id", "case 案件", "channel 渠道", "to 接收人", "template 模板", "attempts 次数",
              "failed 失败时间", "reason 原因"},
             rows);
  if (!r.value("next", "").empty()) std::printf("more: --after %s\n", CellText(r["next"]).c_str());
}

void RenderRedriven(const json& r) {
  std::printf("re-driven 已重新投递: %s  case %s  seq %s\n", CellText(r["dead_letter"]).c_str(),
              CellText(r["case_id"]).c_str(), r["seq"].dump().c_str());
}

int List(HttpClient& c, const ClientArgs& a) {
  UseOrganisationTimeZone(c, a);
  std::string q;
  for (const char* name : {"limit", "after"}) {
    if (a.Has(name)) q += std::string(q.empty() ? "?" : "&") + name + "=" + UrlEncode(a.Get(name));
  }
  return SendAndPrint(c, a, "GET", "/api/v1/dead-letters" + q, "", {}, RenderLetters);
}

// Re-drives `id`; its answer with the letter's id, or the error printed.
std::optional<json> Redrive(HttpClient& c, const ClientArgs& a, const std::string& id,
                            const std::string& key) {
  std::map<std::string, std::string> headers;
  if (!key.empty()) headers["Idempotency-Key"] = key;
  HttpReply reply = c.Send("POST", "/api/v1/dead-letters/" + UrlEncode(id) + "/redrive", "",
                           headers);
  json body = ParseJsonOrDiscarded(reply.body, kMaxRecordJsonDepth);
  if (reply.status != 200 || !body.is_object()) {
    ClientArgs as_table = a;
    as_table.json = false;  // an error is printed as one, even with --json
    PrintReply(c, as_table, reply, RenderRedriven);
    return std::nullopt;
  }
  body["dead_letter"] = id;
  return body;
}

int RedriveCommand(HttpClient& c, const ClientArgs& a) {
  const bool all = a.Has("all");
  if (all == !a.positional.empty()) {
    PrintError(all ? "ID 与 --all 只能给一个" : "缺少参数 ID 或 --all",
               all ? "give ID or --all, not both" : "missing ID or --all");
    return 2;
  }
  if (!all) {
    auto done = Redrive(c, a, a.positional[0], a.Get("key"));
    if (!done) return 1;
    return PrintResult(a, *done, RenderRedriven);
  }
  // Every letter first, then each re-driven: a re-driven letter that fails
  // again is a new dead letter, not one of these.
  std::vector<std::string> ids;
  for (std::string after;;) {
    HttpReply page = c.Send("GET", "/api/v1/dead-letters?limit=200" +
                                       (after.empty() ? "" : "&after=" + UrlEncode(after)));
    json body = ParseJsonOrDiscarded(page.body, kMaxRecordJsonDepth);
    if (page.status != 200 || !body.is_object()) {
      ClientArgs as_table = a;
      as_table.json = false;
      return PrintReply(c, as_table, page, RenderLetters);
    }
    for (const json& d : body["dead_letters"]) ids.push_back(CellText(d["id"]));
    after = body.value("next", "");
    if (after.empty()) break;
  }
  json done = json::array();
  size_t failed = 0;
  for (const std::string& id : ids) {
    auto r = Redrive(c, a, id, a.Has("key") ? a.Get("key") + "/" + id : "");
    if (!r) {
      ++failed;
      continue;
    }
    if (!a.json) RenderRedriven(*r);
    done.push_back(std::move(*r));
  }
  if (a.json) {
    std::printf("%s\n", json{{"redriven", done}, {"failed", failed}}.dump().c_str());
  } else {
    std::printf("%zu re-driven 已重新投递, %zu failed 失败\n", done.size(), failed);
  }
  return failed == 0 ? 0 : 1;
}

}  // namespace

void AddDeadLetterCommands(CommandLine& cl) {
  CLI::App* group =
      cl.Group(nullptr, "dead-letters", "死信 / notifications given up on, and re-drive", kUsage);
  auto list = cl.Add(group, "list", "列表 / list them", kUsage, WithClient(List));
  AddValue(list, "limit", "N", "每页条数 / at most N (up to 200)")->check(PositiveWholeNumber());
  AddValue(list, "after", "CURSOR", "下一页 / the page after CURSOR");
  AddServerOptions(list);
  auto redrive = cl.Add(group, "redrive", "重新投递 / send one, or all, again", kUsage,
                        WithClient(RedriveCommand));
  AddPositional(redrive, "ID", "死信编号 / the dead letter", true);
  AddFlag(redrive, "all", "全部 / every dead letter you may see");
  AddValue(redrive, "key", "KEY", "幂等键 / idempotency key (with --all: KEY/ID for each)");
  AddServerOptions(redrive);
}

}  // namespace shouhu::cli
