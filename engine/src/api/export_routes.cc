// Exports (导出): the register's files a search finds, and the case lists
// of units, as .xlsx or CSV, within the caller's jurisdiction and each
// value as the API shows it to the caller (the same views, so the same
// redaction: a hidden value is written "（已隐去）"). Every export is audited.
#include "api/api_service.h"
#include "api/case_views.h"
#include "api/child_query.h"
#include "api/errors.h"
#include "api/request_helpers.h"
#include "api/spreadsheet.h"
#include "shouhu/child_register.h"
#include "roster/cells.h"
#include "roster/file_fields.h"
#include "roster/sheet.h"
#include "roster/xlsx.h"

namespace shouhu::api {
namespace {

using nlohmann::json;

constexpr const char* kHidden = "（已隐去）";

// A cell of a value as a view shows it.
std::string Cell(const FieldDef* f, const json& shown) {
  if (shown.is_object()) return kHidden;  // {"redacted": true}
  return roster::CellText(f, shown);
}

// ?format=: "xlsx" (the default) or "csv"; "" with a 400 in *error.
std::string FormatOf(const HttpRequest& req, HttpResponse* error) {
  std::string format = req.Query("format");
  if (format.empty()) return "xlsx";
  if (format != "xlsx" && format != "csv") {
    *error = ErrorResponse(400, kMalformed, "format must be xlsx or csv");
    return "";
  }
  return format;
}

// What an export reads first: the format, and the units where the caller
// holds `c` (within unit=); nullopt with the 400, or the audited 403
// (`action`.refused), in *error.
struct Scope {
  std::string format;
  std::vector<std::string> units;
};
std::optional<Scope> ScopeOf(const ApiDeps& deps, const HttpRequest& req, const Principal& who,
                             const Policy& policy, Capability c, const std::string& action,
                             const std::string& refusal, HttpResponse* error) {
  Scope scope;
  scope.format = FormatOf(req, error);
  if (scope.format.empty()) return std::nullopt;
  std::string within = req.Query("unit");
  if (!policy.Can(c) || (!within.empty() && !policy.CanIn(c, within))) {
    *error = RefusedRead(deps, who, action, ErrorResponse(403, kForbidden, refusal));
    return std::nullopt;
  }
  scope.units = UnitsInReach(deps, policy, c, within);
  return scope;
}

}  // namespace

void ApiService::AddExportRoutes() {
  // The files a search finds (GET /children's parameters), every file field.
  AddAuthed("GET", "/api/v1/exports/children", "children.export",
            [this](const HttpRequest& req, const RouteMatch&, const Principal& who) {
              HttpResponse error;
              Policy policy = PolicyOf(deps_, who);
              auto scope = ScopeOf(deps_, req, who, policy, Capability::kChildRead, "child.export",
                                   "only those who read children's files export them, in their "
                                   "jurisdiction (child.read)",
                                   &error);
              if (!scope) return error;
              const std::string& format = scope->format;
              ChildQuery q = ChildQueryOf(req);
              q.units = scope->units;
              q.limit = 200;
              std::vector<const FieldDef*> fields = roster::FileFields(deps_.catalog);
              std::vector<std::string> headings = {"档案编号 id", "所属单位 unit"};
              for (const FieldDef* f : fields) headings.push_back(f->label.zh);
              std::vector<std::vector<std::string>> rows;
              for (size_t total = 1; q.offset < total; q.offset += q.limit) {
                auto page = RegisterOf(deps_.runtime).SearchChildren(q);
                if (!page.ok()) return StatusResponse(page.status());
                total = page->total;
                for (const ChildFile& file : page->files) {
                  json shown = ChildJson(policy, deps_.catalog, file)["fields"];
                  std::vector<std::string> row = {file.id, file.unit};
                  for (const FieldDef* f : fields) {
                    auto v = shown.find(f->id);
                    row.push_back(v == shown.end() ? "" : Cell(f, *v));
                  }
                  rows.push_back(std::move(row));
                }
              }
              Status audited = deps_.runtime.RecordAccess({who.actor, "child.export", "", ""});
              if (!audited.ok()) return StatusResponse(audited);
              HttpResponse out = Spreadsheet(format, "一人一档", headings, rows);
              out.headers["Content-Disposition"] = "attachment; filename=\"children." + format + "\"";
              return out;
            });

  // The cases of a unit's subtree (unit=, default the caller's jurisdiction)
  // the caller reads in full, as GET /cases lists them.
  AddAuthed("GET", "/api/v1/exports/cases", "cases.export",
            [this](const HttpRequest& req, const RouteMatch&, const Principal& who) {
              HttpResponse error;
              Policy policy = PolicyOf(deps_, who);
              auto scope = ScopeOf(deps_, req, who, policy, Capability::kCaseRead, "case.export",
                                   "only those who read cases export their lists, in their "
                                   "jurisdiction (case.read)",
                                   &error);
              if (!scope) return error;
              const std::string& format = scope->format;
              std::vector<std::string> headings = {"案件编号 case", "流程 workflow", "环节 step",
                                                   "单位 unit", "承办人 owner", "报告人 reporter",
                                                   "逾期 overdue", "报告时间 opened", "更新时间 updated"};
              std::vector<std::vector<std::string>> rows;
              for (const std::string& unit : scope->units) {
                Page page;
                page.limit = 500;
                for (;;) {
                  auto list = deps_.runtime.ListByUnit(unit, page);
                  if (!list.ok()) return StatusResponse(list.status());
                  for (const CaseRecord& c : list->cases) {
                    if (policy.ViewOf(c) != CaseView::kFull) continue;
                    auto w = deps_.catalog.Find(c.workflow_id, c.workflow_version);
                    json s = CaseSummaryJson(policy, w.get(), c);
                    std::string label = s["state_label"].is_object()
                                            ? s["state_label"].value("zh", c.state)
                                            : c.state;
                    rows.push_back({c.id, w ? w->label.zh : c.workflow_id, label, c.unit,
                                    Cell(nullptr, s["owner"]), Cell(nullptr, s["reporter"]),
                                    c.overdue ? "是" : "否", s["opened_at"], s["updated_at"]});
                  }
                  if (list->next.empty()) break;
                  page.after = list->next;
                }
              }
              Status audited = deps_.runtime.RecordAccess({who.actor, "case.export", "", ""});
              if (!audited.ok()) return StatusResponse(audited);
              HttpResponse out = Spreadsheet(format, "案件", headings, rows);
              out.headers["Content-Disposition"] = "attachment; filename=\"cases." + format + "\"";
              return out;
            });
}

}  // namespace shouhu::api
