// The client commands: argument parsing, one function per command, and the
// human-readable renderings of the API's answers.
#include "cli/client.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "cli/table.h"
#include "shouhu/duration.h"
#include "shouhu/json_parse.h"

namespace shouhu::cli {
namespace {

using nlohmann::json;

constexpr const char* kCommonHelp =
    "\ncommon options:\n"
    "  --server URL    the daemon (env SHOUHU_SERVER; default http://127.0.0.1:8620)\n"
    "  --token TOKEN   your API token (env SHOUHU_TOKEN)\n"
    "  --cacert FILE   trust this CA for https; --insecure skips the check (testing)\n"
    "  --json          print the server's JSON instead of a table\n";

const std::vector<std::string> kCommonValues = {"server", "token", "cacert"};
const std::vector<std::string> kCommonFlags = {"insecure", "json", "help"};

std::string Str(const json& j) {
  if (j.is_null()) return "";
  if (j.is_string()) return j.get<std::string>();
  if (j.is_object() && j.value("redacted", false)) return "(保密 confidential)";
  if (j.is_object() && j.contains("zh")) return j.value("zh", "") + " " + j.value("en", "");
  return j.dump();
}

// key=value (a string) and key:=json, as httpie writes them.
bool ParseFields(const std::vector<std::string>& items, size_t from, json* data) {
  for (size_t i = from; i < items.size(); ++i) {
    const std::string& item = items[i];
    auto raw = item.find(":=");
    auto eq = item.find('=');
    if (raw != std::string::npos && raw < eq) {
      StatusOr<json> v = ParseJson(item.substr(raw + 2), kMaxRequestJsonDepth);
      if (!v.ok()) {
        std::fprintf(stderr, "shouhu: \"%s\": the value after := must be JSON (%s)\n",
                     item.c_str(), v.status().message().c_str());
        return false;
      }
      (*data)[item.substr(0, raw)] = std::move(v).value();
    } else if (eq != std::string::npos && eq > 0) {
      (*data)[item.substr(0, eq)] = item.substr(eq + 1);
    } else {
      std::fprintf(stderr, "shouhu: \"%s\": expected field=value or field:=json\n", item.c_str());
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

void RenderResult(const json& r) {
  std::printf("%s  seq %s  state %s%s\n", Str(r["case_id"]).c_str(), r["seq"].dump().c_str(),
              Str(r["state"]).c_str(), r.value("replayed", false) ? "  (replayed)" : "");
}

// Times as people of the organisation read them: in its time zone (/me's
// "time_zone", Asia/Shanghai in the sample), "2026-11-24 01:12:47 +0800".
// Set once per command, before any table is printed (the CLI is one thread).
bool local_times = false;

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

void RenderCase(const json& c) {
  if (c.value("view", "") == "feedback") {
    std::printf("%s  %s  (%s)\n", Str(c["id"]).c_str(), Str(c["state_label"]).c_str(),
                Str(c["state"]).c_str());
    std::vector<std::vector<std::string>> rows;
    for (const json& p : c["progress"]) {
      rows.push_back({When(p["at"]), Str(p["step"]), Str(p["state_label"])});
    }
    PrintTable({"时间 at", "进展 step", "状态 state"}, rows);
    return;
  }
  std::vector<std::vector<std::string>> facts = {
      {"case", Str(c["id"])},
      {"workflow", Str(c["workflow"]) + " v" + c["workflow_version"].dump()},
      {"state 状态", Str(c["state"]) + "  " + Str(c["state_label"])},
      {"unit 单位", Str(c["unit"])},
      {"owner 负责人", Str(c["owner"]) + (c.value("owner_role", "").empty() ? "" : "  (role " + Str(c["owner_role"]) + ")")},
      {"reporter 报告人", Str(c["reporter"])},
      {"priority 优先级", Str(c["priority"]) + (c.value("overdue", false) ? "  OVERDUE 逾期" : "")},
      {"opened 报告时间", When(c["opened_at"])}};
  // Who reported, for case.reporter_identity: name, unit and phone.
  if (c.contains("reporters") && c["reporters"].is_array()) {
    for (const json& r : c["reporters"]) {
      facts.push_back({r.value("joined", false) ? "  joined 后续报告人" : "  reporter 报告人",
                       Str(r["id"]) + "  " + r.value("name", "") + " · " + r.value("unit", "") +
                           " · " + r.value("phone", "")});
    }
  }
  for (auto& [k, v] : c["data"].items()) facts.push_back({"  " + k, Str(v)});
  PrintTable({"field", "value"}, facts);
  std::vector<std::vector<std::string>> timers;
  for (const json& t : c["timers"]) timers.push_back({Str(t["name"]), When(t["due"])});
  if (!timers.empty()) {
    std::printf("\n");
    PrintTable({"timer 计时", "due 到期"}, timers);
  }
  std::vector<std::vector<std::string>> events;
  for (const json& e : c["events"]) {
    std::string roles;
    for (const json& r : e["roles"]) roles += (roles.empty() ? "" : ",") + Str(r);
    events.push_back({Str(e["id"]), Str(e["label"]), roles});
  }
  if (!events.empty()) {
    std::printf("\n");
    PrintTable({"next event 可执行", "label", "roles"}, events);
  }
  std::vector<std::vector<std::string>> history;
  for (const json& h : c["history"]) {
    history.push_back({h["seq"].dump(), When(h["at"]), Str(h["actor"]), Str(h["kind"]),
                       Str(h["name"]), Str(h["to_state"])});
  }
  std::printf("\n");
  PrintTable({"seq", "at", "actor", "kind", "name", "state"}, history);
}

void RenderCaseList(const json& r) {
  std::vector<std::vector<std::string>> rows;
  for (const json& c : r["cases"]) {
    rows.push_back({Str(c["id"]), Str(c["state"]), Str(c["unit"]), Str(c["owner"]),
                    Str(c["priority"]), c.value("overdue", false) ? "逾期 overdue" : "",
                    When(c["updated_at"])});
  }
  PrintTable({"case", "state", "unit", "owner", "priority", "overdue", "updated"}, rows);
  if (!r.value("next", "").empty()) std::printf("more: --after %s\n", Str(r["next"]).c_str());
}

void RenderEscalations(const json& r) {
  std::vector<std::vector<std::string>> rows;
  for (const json& e : r["escalations"]) {
    rows.push_back({Str(e["case_id"]), Str(e["label"]), "step " + e["step"].dump(), When(e["at"]),
                    Str(e["state"]), Str(e["owner"]), Str(e["priority"])});
  }
  PrintTable({"case", "escalation 督办", "step", "at", "state", "owner", "priority"}, rows);
}

void RenderMe(const json& m) {
  std::string roles;
  for (const json& r : m["roles"]) roles += (roles.empty() ? "" : ",") + Str(r);
  std::printf("%s %s  unit %s (%s)  roles %s\n", Str(m["id"]).c_str(), Str(m["name"]).c_str(),
              Str(m["unit"]).c_str(), Str(m["unit_name"]).c_str(), roles.c_str());
}

void RenderBackup(const json& b) {
  std::printf("ok: backup %s 备份完成: %llu cases; audit chain of %llu records intact, head seq "
              "%llu hash %s\n",
              Str(b["name"]).c_str(), b.value("cases", 0ull), b.value("audit_records", 0ull),
              b.value("audit_head_seq", 0ull), Str(b["audit_head_hash"]).c_str());
  for (const json& r : b["removed"]) std::printf("removed the older backup %s\n", Str(r).c_str());
}

void RenderBackups(const json& r) {
  for (const json& b : r["backups"]) std::printf("%s\n", Str(b).c_str());
  std::printf("(the newest %d are kept)\n", r.value("keep", 0));
}

void RenderUsers(const json& r) {
  std::vector<std::vector<std::string>> rows;
  for (const json& u : r["users"]) {
    std::string roles;
    for (const json& x : u["roles"]) roles += (roles.empty() ? "" : ",") + Str(x);
    rows.push_back({Str(u["id"]), Str(u["name"]), Str(u["unit"]), roles});
  }
  PrintTable({"user", "name", "unit", "roles"}, rows);
}

struct Command {
  const char* name;
  const char* usage;  // full --help text
  std::vector<std::string> values;  // options with a value, besides the common ones
  std::vector<std::string> flags;
  size_t min_positional;
  int (*run)(HttpClient&, const ClientArgs&);
};

int Report(HttpClient& c, const ClientArgs& a) {
  json data = json::object();
  if (!ParseFields(a.positional, 0, &data)) return 2;
  json body = {{"workflow", a.Get("workflow", "mandatory_report")}, {"data", data}};
  if (a.Has("unit")) body["unit"] = a.Get("unit");
  return SendAndPrint(c, a, "POST", "/api/v1/cases", body.dump(), KeyHeader(a), RenderResult);
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
int Backup(HttpClient& c, const ClientArgs& a) {
  if (a.Has("list")) return SendAndPrint(c, a, "GET", "/api/v1/backups", "", {}, RenderBackups);
  return SendAndPrint(c, a, "POST", "/api/v1/backups", "", {}, RenderBackup);
}
int Users(HttpClient& c, const ClientArgs& a) {
  std::string q = a.Has("unit") ? "?unit=" + UrlEncode(a.Get("unit")) : "";
  return SendAndPrint(c, a, "GET", "/api/v1/users" + q, "", {}, RenderUsers);
}

const Command kCommands[] = {
    {"report",
     "usage: shouhu report [--workflow ID] [--unit UNIT] [--key KEY] field=value... field:=json...\n"
     "\nFiles a report (opens a case), in your unit unless --unit names one in your\n"
     "jurisdiction. --key is an idempotency key: repeating the command with it files once.\n"
     "e.g. shouhu report child_name=小明 category=living_alone reporter_kind=mandated \\\n"
     "       reporter_category=school discovered_at=2026-03-02T08:00:00+08:00 \\\n"
     "       'child_category:=[\"left_behind\"]'\n",
     {"workflow", "unit", "key"}, {}, 0, Report},
    {"show", "usage: shouhu show CASE\n\nShows a case: state, data, timers, the next events and the history\n"
             "(your own report: its progress).\n", {}, {}, 1, Show},
    {"fire", "usage: shouhu fire CASE EVENT [--if-match SEQ] [--key KEY] field=value... field:=json...\n"
             "\nFires an event. --if-match refuses it (409) if the case changed since seq SEQ.\n",
     {"if-match", "key"}, {}, 2, Fire},
    {"note", "usage: shouhu note CASE TEXT [--key KEY]\n\nAdds a note to the case's history.\n",
     {"key"}, {}, 2, Note},
    {"assign", "usage: shouhu assign CASE USER [--key KEY]\n\nMakes USER the owner of the case's current step"
               " (supervisors; others may take\na case themselves). USER \"\" unassigns.\n",
     {"key"}, {}, 2, Assign},
    {"list", "usage: shouhu list (--state S [--workflow W] | --unit U | --owner USER|me | --mine)\n"
             "                   [--limit N] [--after CURSOR]\n\nLists cases in your jurisdiction, one page at a time.\n",
     {"state", "workflow", "unit", "owner", "limit", "after"}, {"mine"}, 0, List},
    {"overdue", "usage: shouhu overdue [--limit N] [--after CURSOR]\n\nLists the overdue (escalated) cases in your jurisdiction.\n",
     {"limit", "after"}, {}, 0, Overdue},
    {"escalations", "usage: shouhu escalations\n\nLists the escalations that reached you (督办).\n", {}, {}, 0, Escalations},
    {"whoami", "usage: shouhu whoami\n\nShows the user, unit and roles of your token.\n", {}, {}, 0, Whoami},
    {"users", "usage: shouhu users [--unit UNIT]\n\nLists users (administrators; supervisors see their subtree).\n",
     {"unit"}, {}, 0, Users},
    {"backup", "usage: shouhu backup [--list]\n\nAsks the running shouhud for an online backup (在线备份): a checkpoint of\n"
               "its store in the configuration's backup folder, opened and its audit chain\n"
               "verified before it counts; the oldest beyond \"keep\" are deleted.\n"
               "--list lists the backups. Needs system.backup. (With --data-dir: the\n"
               "offline backup of a stopped daemon's data directory; see --data-dir --help.)\n",
     {}, {"list"}, 0, Backup},
    {"reports", "usage: shouhu reports NAME [--unit UNIT] [--from YYYY-MM] [--to YYYY-MM]\n"
                "                      [--format json|xlsx|csv --out FILE]\n"
                "\nA report (统计报表) for UNIT's subtree (default your unit), its rows per child\n"
                "unit and a total: registration (建档率), cases (open, overdue, closed per step),\n"
                "measures (obligations met on time: the 3-day feedback, care-plan duties per\n"
                "helper), monthly (reports by category and reporter kind). The months default\n"
                "to this year. --format xlsx|csv --out FILE downloads it. Needs reports.read.\n",
     {"unit", "from", "to", "format", "out"}, {}, 1, ReportsCommand},
    {"spot-check", "usage: shouhu spot-check cases|files --size N [--unit UNIT] [--seed SEED]\n"
                   "                         [--from YYYY-MM] [--to YYYY-MM]\n"
                   "\nDraws a random sample (随机抽查) of the cases opened (in the months given) or\n"
                   "the child files registered in UNIT's subtree. The same --seed draws the same\n"
                   "sample; the seed and the sample are recorded in the audit log.\n",
     {"size", "unit", "seed", "from", "to"}, {}, 1, SpotCheckCommand},
};

}  // namespace

std::string ClientArgs::Get(const std::string& name, const std::string& fallback) const {
  auto it = options.find(name);
  return it == options.end() ? fallback : it->second;
}

bool ParseClientArgs(int argc, char** argv, const std::vector<std::string>& with_value,
                     const std::vector<std::string>& flags, ClientArgs* out) {
  auto in = [](const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
  };
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-h") a = "--help";
    if (a.rfind("--", 0) != 0 || a == "--") {
      out->positional.push_back(a);
      continue;
    }
    std::string name = a.substr(2);
    if (in(with_value, name) || in(kCommonValues, name)) {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "shouhu: %s needs a value\n", a.c_str());
        return false;
      }
      out->options[name] = argv[++i];
    } else if (in(flags, name) || in(kCommonFlags, name)) {
      out->options[name] = "";
    } else {
      std::fprintf(stderr, "shouhu: unknown option %s (see --help)\n", a.c_str());
      return false;
    }
  }
  out->json = out->Has("json");
  out->help = out->Has("help");
  return true;
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

int SendAndPrint(HttpClient& client, const ClientArgs& args, const std::string& method,
                 const std::string& path, const std::string& body,
                 const std::map<std::string, std::string>& headers,
                 void (*render)(const json&)) {
  return PrintReply(client, args, client.Send(method, path, body, headers), render);
}

int PrintReply(const HttpClient& client, const ClientArgs& args, const HttpReply& reply,
               void (*render)(const json&)) {
  if (reply.status == 0) {
    std::fprintf(stderr, "shouhu: cannot reach %s: %s\n", client.options().base_url.c_str(),
                 reply.error.c_str());
    return 3;
  }
  json j = ParseJsonOrDiscarded(reply.body, kMaxRecordJsonDepth);
  if (reply.status >= 300) {
    if (args.json) {
      std::printf("%s\n", reply.body.c_str());
    } else if (!j.is_discarded() && j.contains("error")) {
      std::fprintf(stderr, "shouhu: %s: %s (HTTP %ld)\n", Str(j["error"]["code"]).c_str(),
                   Str(j["error"]["message"]).c_str(), reply.status);
    } else {
      std::fprintf(stderr, "shouhu: HTTP %ld\n", reply.status);
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

bool IsClientCommand(const std::string& command) {
  if (command == "token" || command == "user" || command == "unit") return true;
  for (const Command& c : kCommands) {
    if (command == c.name) return true;
  }
  return false;
}

const char* ClientCommandsHelp() {
  return "\ncommands that talk to a running shouhud (--server, --token or SHOUHU_TOKEN):\n"
         "  report field=value...          file a report (open a case)\n"
         "  show CASE                      a case: state, data, timers, history\n"
         "  fire CASE EVENT field=value... fire an event\n"
         "  note CASE TEXT                 add a note\n"
         "  assign CASE USER               assign the current step's owner\n"
         "  list --state|--unit|--owner|--mine   list cases in your jurisdiction\n"
         "  overdue                        overdue (escalated) cases\n"
         "  escalations                    escalations that reached you\n"
         "  whoami | users                 your token's user; the users you may see\n"
         "  backup [--list]                an online backup of the running daemon\n"
         "  reports NAME [--unit U]        a report (统计报表) as a table, or --format xlsx\n"
         "  spot-check cases|files --size N  a reproducible random sample (随机抽查)\n"
         "  token issue|revoke|list        API tokens (offline with --data-dir)\n"
         "  user invite --user ID          a one-time code to set a password (offline\n"
         "                                 with --data-dir)\n"
         "  user add|set|deactivate ID     users of the organisation, at once\n"
         "  unit add|set|move|deactivate ID  units of the organisation, at once\n";
}

int RunClientCommand(const std::string& command, int argc, char** argv) {
  if (command == "token") return RunTokenCommand(argc, argv);
  if (command == "user") return RunUserCommand(argc, argv);
  if (command == "unit") return RunUnitCommand(argc, argv);
  for (const Command& c : kCommands) {
    if (command != c.name) continue;
    ClientArgs args;
    if (!ParseClientArgs(argc, argv, c.values, c.flags, &args)) return 2;
    if (args.help) {
      std::printf("%s%s", c.usage, kCommonHelp);
      return 0;
    }
    if (args.positional.size() < c.min_positional) {
      std::fprintf(stderr, "%s", c.usage);
      return 2;
    }
    auto client = MakeClient(args);
    return c.run(*client, args);
  }
  return 2;
}

}  // namespace shouhu::cli
