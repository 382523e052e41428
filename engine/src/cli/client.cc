// The client commands: argument parsing and one function per command; the
// answers are printed by renderings.cc.
#include "cli/client.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "cli/renderings.h"
#include "cli/table.h"
#include "shouhu/duration.h"
#include "shouhu/json_parse.h"

namespace shouhu::cli {
namespace {

using nlohmann::json;

// Set once per command, before any table is printed (the CLI is one thread).
bool local_times = false;

std::string Str(const json& j) { return CellText(j); }

// key=value (a string) and key:=json, as httpie writes them.
bool ParseFields(const std::vector<std::string>& items, size_t from, json* data) {
  for (size_t i = from; i < items.size(); ++i) {
    const std::string& item = items[i];
    auto raw = item.find(":=");
    auto eq = item.find('=');
    if (raw != std::string::npos && raw < eq) {
      StatusOr<json> v = ParseJson(item.substr(raw + 2), kMaxRequestJsonDepth);
      if (!v.ok()) {
        PrintError("「" + item + "」中 := 之后须为 JSON",
                   "\"" + item + "\": the value after := must be JSON (" +
                       v.status().message() + ")");
        return false;
      }
      (*data)[item.substr(0, raw)] = std::move(v).value();
    } else if (eq != std::string::npos && eq > 0) {
      (*data)[item.substr(0, eq)] = item.substr(eq + 1);
    } else {
      PrintError("「" + item + "」应为 字段=值 或 字段:=JSON",
                 "\"" + item + "\": expected field=value or field:=json");
      return false;
    }
  }
  return true;
}

std::map<std::string, std::string> KeyHeader(const ClientArgs& args) {
  std::map<std::string, std::string> h;
  if (args.Has("key")) h["Idempotency-Key"] = args.Get("key");
  if (args.Has("if-match")) h["If-Match"] = "\"" + args.Get("if-match") + "\"";
  return h;
}

// The case with its enum values as their labels, from the definition of
// the workflow version the case runs on (--json keeps the codes).
int Show(HttpClient& c, const ClientArgs& a) {
  UseOrganisationTimeZone(c, a);
  HttpReply reply = c.Send("GET", "/api/v1/cases/" + UrlEncode(a.positional[0]));
  json shown = reply.status == 200 && !a.json
                   ? ParseJsonOrDiscarded(reply.body, kMaxRecordJsonDepth)
                   : json();
  if (shown.is_object() && shown.contains("data") && shown.contains("workflow")) {
    HttpReply definition = c.Send("GET", "/api/v1/workflows/" + UrlEncode(Str(shown["workflow"])) +
                                             "?version=" + shown.value("workflow_version", json(1)).dump());
    json d = ParseJsonOrDiscarded(definition.body, kMaxRecordJsonDepth);
    if (definition.status == 200 && d.is_object()) {
      LabelValues(d.value("definition", json::object()), &shown["data"]);
      reply.body = shown.dump();
    }
  }
  return PrintReply(c, a, reply, RenderCase);
}
int Fire(HttpClient& c, const ClientArgs& a) {
  json data = json::object();
  if (!ParseFields(a.positional, 2, &data)) return 2;
  json body = {{"event", a.positional[1]}, {"data", data}};
  return SendAndPrint(c, a, "POST", "/api/v1/cases/" + UrlEncode(a.positional[0]) + "/events",
                      body.dump(), KeyHeader(a), RenderResult);
}
int Note(HttpClient& c, const ClientArgs& a) {
  return SendAndPrint(c, a, "POST", "/api/v1/cases/" + UrlEncode(a.positional[0]) + "/notes",
                      json{{"text", a.positional[1]}}.dump(), KeyHeader(a), RenderResult);
}
int Assign(HttpClient& c, const ClientArgs& a) {
  return SendAndPrint(c, a, "PUT", "/api/v1/cases/" + UrlEncode(a.positional[0]) + "/owner",
                      json{{"owner", a.positional[1]}}.dump(), KeyHeader(a), RenderResult);
}
int List(HttpClient& c, const ClientArgs& a) {
  UseOrganisationTimeZone(c, a);
  std::string q;
  for (const char* name : {"state", "workflow", "unit", "owner", "after", "limit"}) {
    if (a.Has(name)) q += std::string(q.empty() ? "?" : "&") + name + "=" + UrlEncode(a.Get(name));
  }
  if (a.Has("mine")) q += std::string(q.empty() ? "?" : "&") + "mine=true";
  if (a.Has("state") && !a.Has("workflow")) q += "&workflow=mandatory_report";
  return SendAndPrint(c, a, "GET", "/api/v1/cases" + q, "", {}, RenderCaseList);
}
int Overdue(HttpClient& c, const ClientArgs& a) {
  UseOrganisationTimeZone(c, a);
  std::string q = "?overdue=true";
  if (a.Has("after")) q += "&after=" + UrlEncode(a.Get("after"));
  if (a.Has("limit")) q += "&limit=" + UrlEncode(a.Get("limit"));
  return SendAndPrint(c, a, "GET", "/api/v1/cases" + q, "", {}, RenderCaseList);
}
int Escalations(HttpClient& c, const ClientArgs& a) {
  UseOrganisationTimeZone(c, a);
  return SendAndPrint(c, a, "GET", "/api/v1/escalations", "", {}, RenderEscalations);
}
int Whoami(HttpClient& c, const ClientArgs& a) {
  return SendAndPrint(c, a, "GET", "/api/v1/me", "", {}, RenderMe);
}

// The API's error codes (api/errors.h) in Chinese.
std::string CodeInChinese(const std::string& code) {
  static const std::map<std::string, std::string> kZh = {
      {"malformed", "请求格式有误"},     {"unauthenticated", "未登录或令牌无效"},
      {"forbidden", "无权执行此操作"},   {"csrf", "缺少 CSRF 令牌"},
      {"not_found", "未找到"},           {"method_not_allowed", "不支持此方法"},
      {"conflict", "与当前状态冲突"},    {"expired", "已过期"},
      {"too_large", "内容过大"},         {"invalid_data", "数据无效"},
      {"rate_limited", "请求过于频繁"},  {"internal", "服务器内部错误"},
      {"unavailable", "服务暂不可用"},   {"timeout", "服务超时"},
      {"overloaded", "服务繁忙"}};
  auto it = kZh.find(code);
  return it == kZh.end() ? "请求被拒绝" : it->second;
}

// A line of the API's message in Chinese where it has a known shape: a
// field the event requires ("field \"x\" is required by \"e\"").
std::string LineInChinese(const std::string& line) {
  const std::string head = "field \"";
  const std::string required = "\" is required by \"";
  if (line.rfind(head, 0) == 0) {
    auto end = line.find(required);
    if (end != std::string::npos) {
      return "缺少字段 " + line.substr(head.size(), end - head.size());
    }
    return "字段有误";
  }
  return "";
}

int Report(HttpClient& c, const ClientArgs& a) {
  json data = json::object();
  if (!ParseFields(a.positional, 0, &data)) return 2;
  json body = {{"workflow", a.Get("workflow", "mandatory_report")}, {"data", data}};
  if (a.Has("unit")) body["unit"] = a.Get("unit");
  return SendAndPrint(c, a, "POST", "/api/v1/cases", body.dump(), KeyHeader(a), RenderResult);
}

}  // namespace

std::string CellText(const json& j) {
  if (j.is_null()) return "";
  if (j.is_string()) return j.get<std::string>();
  if (j.is_object() && j.value("redacted", false)) return "(保密 confidential)";
  if (j.is_object() && j.contains("zh")) return j.value("zh", "") + " " + j.value("en", "");
  return j.dump();
}

void UseOrganisationTimeZone(HttpClient& c, const ClientArgs& a) {
  if (a.json) return;
  HttpReply me = c.Send("GET", "/api/v1/me");
  json j = ParseJsonOrDiscarded(me.body, kMaxRecordJsonDepth);
  if (me.status != 200 || !j.is_object() || !j.contains("time_zone")) return;
  std::string zone = Str(j["time_zone"]);
  if (zone.empty()) return;
  setenv("TZ", zone.c_str(), 1);
  tzset();
  local_times = true;
}

std::string When(const json& v) {
  std::string text = Str(v);
  auto at = ParseInstant(text);
  if (!local_times || !at.ok()) return text;
  std::time_t t = std::chrono::system_clock::to_time_t(*at);
  std::tm local{};
  if (!localtime_r(&t, &local)) return text;
  char out[40];
  return std::strftime(out, sizeof out, "%Y-%m-%d %H:%M:%S %z", &local) ? out : text;
}


std::unique_ptr<HttpClient> MakeClient(const ClientArgs& args) {
  HttpClientOptions o;
  const char* env_server = std::getenv("SHOUHU_SERVER");
  const char* env_token = std::getenv("SHOUHU_TOKEN");
  o.base_url = args.Get("server", env_server ? env_server : "http://127.0.0.1:8620");
  while (!o.base_url.empty() && o.base_url.back() == '/') o.base_url.pop_back();
  o.token = args.Get("token", env_token ? env_token : "");
  o.ca_file = args.Get("cacert");
  o.insecure = args.Has("insecure");
  return std::make_unique<HttpClient>(o);
}

CommandLine::Run WithClient(int (*run)(HttpClient&, const ClientArgs&)) {
  return [run](const ClientArgs& args) {
    auto client = MakeClient(args);
    return run(*client, args);
  };
}

int SendAndPrint(HttpClient& client, const ClientArgs& args, const std::string& method,
                 const std::string& path, const std::string& body,
                 const std::map<std::string, std::string>& headers,
                 void (*render)(const json&)) {
  return PrintReply(client, args, client.Send(method, path, body, headers), render);
}

int PrintReply(const HttpClient& client, const ClientArgs& args, const HttpReply& reply,
               void (*render)(const json&)) {
  if (reply.status == 0) {
    PrintError("无法连接 " + client.options().base_url,
               "cannot reach " + client.options().base_url + ": " + reply.error);
    return 3;
  }
  json j = ParseJsonOrDiscarded(reply.body, kMaxRecordJsonDepth);
  if (reply.status >= 300) {
    if (args.json) {
      std::printf("%s\n", reply.body.c_str());
      return 1;
    }
    const std::string status = " (HTTP " + std::to_string(reply.status) + ")";
    if (j.is_discarded() || !j.contains("error")) {
      PrintError("服务器拒绝了请求" + status, "the server refused the request" + status);
      return 1;
    }
    const std::string code = Str(j["error"]["code"]);
    const std::string message = Str(j["error"]["message"]);
    // A message of several lines (every invalid field of a form): each on
    // its own line, in Chinese where its shape is known; then the problems
    // by field the message does not hold already.
    const bool one_line = message.find('\n') == std::string::npos;
    PrintError(CodeInChinese(code) + status, code + ":" + (one_line ? " " + message : ""));
    for (size_t start = 0; !one_line && start < message.size();) {
      size_t end = message.find('\n', start);
      if (end == std::string::npos) end = message.size();
      const std::string line = message.substr(start, end - start);
      const std::string zh = LineInChinese(line);
      std::fprintf(stderr, "  %s%s\n", zh.empty() ? "" : (zh + " / ").c_str(), line.c_str());
      start = end + 1;
    }
    if (j["error"].contains("fields") && j["error"]["fields"].is_object()) {
      for (auto& [field, problem] : j["error"]["fields"].items()) {
        const std::string text = Str(problem);
        if (message.find(text) == std::string::npos) {
          std::fprintf(stderr, "  %s: %s\n", field.c_str(), text.c_str());
        }
      }
    }
    return 1;
  }
  if (args.json || j.is_discarded()) {
    std::printf("%s", reply.body.c_str());
  } else {
    render(j);
  }
  return 0;
}

int PrintResult(const ClientArgs& args, const json& body, void (*render)(const json&)) {
  if (args.json) {
    std::printf("%s\n", body.dump().c_str());
  } else {
    render(body);
  }
  return 0;
}

int OnlineBackup(const ClientArgs& a) {
  auto c = MakeClient(a);
  if (a.Has("list")) return SendAndPrint(*c, a, "GET", "/api/v1/backups", "", {}, RenderBackups);
  return SendAndPrint(*c, a, "POST", "/api/v1/backups", "", {}, RenderBackup);
}

void AddCaseCommands(CommandLine& cl) {
  auto report = cl.Add(
      nullptr, "report", "报告（立案）/ file a report (open a case)",
      "usage: shouhu report [--workflow ID] [--unit UNIT] [--key KEY] field=value... "
      "field:=json...\n"
      "\nFiles a report (强制报告, opens a case), in your unit unless --unit names one in\n"
      "your jurisdiction. --key is an idempotency key: repeating the command with it\n"
      "files once. Every field the workflow requires and is missing is named at once.\n"
      "e.g. shouhu report child_name=小明 category=living_alone reporter_kind=mandated \\\n"
      "       reporter_category=school discovered_at=2026-03-02T08:00:00+08:00 \\\n"
      "       'child_category:=[\"left_behind\"]'\n",
      WithClient(Report));
  AddValue(report, "workflow", "ID", "流程 / the workflow (default mandatory_report)");
  AddValue(report, "unit", "UNIT", "单位 / the unit the case belongs to");
  AddValue(report, "key", "KEY", "幂等键 / idempotency key");
  AddRest(report, "fields", "字段 / field=value or field:=json");
  AddServerOptions(report);

  auto show = cl.Add(nullptr, "show", "查看案件 / a case: state, data, timers, history",
                     "usage: shouhu show CASE\n\nShows a case: state, data, timers, the next "
                     "events and the history\n(your own report: its progress).\n",
                     WithClient(Show));
  AddPositional(show, "CASE", "案件编号 / the case");
  AddServerOptions(show);

  auto fire = cl.Add(nullptr, "fire", "执行事件 / fire an event",
                     "usage: shouhu fire CASE EVENT [--if-match SEQ] [--key KEY] field=value... "
                     "field:=json...\n"
                     "\nFires an event. --if-match refuses it (409) if the case changed since "
                     "seq SEQ.\n",
                     WithClient(Fire));
  AddPositional(fire, "CASE", "案件编号 / the case");
  AddPositional(fire, "EVENT", "事件 / the event");
  AddRest(fire, "fields", "字段 / field=value or field:=json");
  AddValue(fire, "if-match", "SEQ", "仅当案件仍为此序号 / only if the case is still at SEQ")
      ->check(PositiveWholeNumber());
  AddValue(fire, "key", "KEY", "幂等键 / idempotency key");
  AddServerOptions(fire);

  auto note = cl.Add(nullptr, "note", "添加备注 / add a note",
                     "usage: shouhu note CASE TEXT [--key KEY]\n\nAdds a note to the case's "
                     "history.\n",
                     WithClient(Note));
  AddPositional(note, "CASE", "案件编号 / the case");
  AddPositional(note, "TEXT", "备注 / the note");
  AddValue(note, "key", "KEY", "幂等键 / idempotency key");
  AddServerOptions(note);

  auto assign = cl.Add(nullptr, "assign", "指派负责人 / assign the current step's owner",
                       "usage: shouhu assign CASE USER [--key KEY]\n\nMakes USER the owner of "
                       "the case's current step (supervisors; others may take\na case "
                       "themselves). USER \"\" unassigns.\n",
                       WithClient(Assign));
  AddPositional(assign, "CASE", "案件编号 / the case");
  AddPositional(assign, "USER", "用户 / the new owner (\"\" unassigns)");
  AddValue(assign, "key", "KEY", "幂等键 / idempotency key");
  AddServerOptions(assign);

  auto list = cl.Add(nullptr, "list", "案件列表 / list cases in your jurisdiction",
                     "usage: shouhu list (--state S [--workflow W] | --unit U | --owner "
                     "USER|me | --mine)\n"
                     "                   [--limit N] [--after CURSOR]\n\nLists cases in your "
                     "jurisdiction, one page at a time.\n",
                     WithClient(List));
  AddValue(list, "state", "STATE", "状态 / in this state");
  AddValue(list, "workflow", "ID", "流程 / of this workflow (with --state)");
  AddValue(list, "unit", "UNIT", "单位 / of this unit");
  AddValue(list, "owner", "USER", "负责人 / owned by USER (me: you)");
  AddFlag(list, "mine", "我的案件 / yours");
  AddValue(list, "limit", "N", "每页条数 / at most N")->check(PositiveWholeNumber());
  AddValue(list, "after", "CURSOR", "下一页 / the page after CURSOR");
  AddServerOptions(list);

  auto overdue = cl.Add(nullptr, "overdue", "逾期案件 / overdue (escalated) cases",
                        "usage: shouhu overdue [--limit N] [--after CURSOR]\n\nLists the "
                        "overdue (escalated) cases in your jurisdiction.\n",
                        WithClient(Overdue));
  AddValue(overdue, "limit", "N", "每页条数 / at most N")->check(PositiveWholeNumber());
  AddValue(overdue, "after", "CURSOR", "下一页 / the page after CURSOR");
  AddServerOptions(overdue);

  AddServerOptions(cl.Add(nullptr, "escalations", "督办 / escalations that reached you",
                          "usage: shouhu escalations\n\nLists the escalations that reached you "
                          "(督办).\n",
                          WithClient(Escalations)));
  AddServerOptions(cl.Add(nullptr, "whoami", "我是谁 / your token's user, unit and roles",
                          "usage: shouhu whoami\n\nShows the user, unit and roles of your "
                          "token.\n",
                          WithClient(Whoami)));
}

}  // namespace shouhu::cli
