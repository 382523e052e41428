// The human-readable renderings of the API's answers (renderings.h).
#include "cli/renderings.h"

#include <cstdio>

#include "cli/client.h"
#include "cli/table.h"

namespace shouhu::cli {
namespace {

using nlohmann::json;

std::string Str(const json& j) { return CellText(j); }

}  // namespace

void RenderResult(const json& r) {
  std::printf("%s  seq %s  state %s%s\n", Str(r["case_id"]).c_str(), r["seq"].dump().c_str(),
              Str(r["state"]).c_str(), r.value("replayed", false) ? "  (replayed)" : "");
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

}  // namespace shouhu::cli
