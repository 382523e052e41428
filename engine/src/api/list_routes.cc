// Lists: cases by state, unit, owner, overdue, or the caller's own reports,
// with paging; and the escalations waiting for the caller. Every list shows
// only cases in the caller's jurisdiction.
#include "api/api_service.h"
#include "api/case_views.h"
#include "api/errors.h"
#include "api/request_helpers.h"
#include "shouhu/escalations.h"

namespace shouhu::api {
namespace {

using nlohmann::json;

}  // namespace

void ApiService::AddListRoutes() {
  AddAuthed("GET", "/api/v1/cases", "cases.list",
            [this](const HttpRequest& req, const RouteMatch&, const Principal& who) {
              HttpResponse error;
              auto page = PageOf(req, &error);
              if (!page) return error;
              std::string state = req.Query("state"), unit = req.Query("unit"),
                          owner = req.Query("owner");
              bool overdue = req.Query("overdue") == "true";
              bool mine = req.Query("mine") == "true";
              int filters = !state.empty() + !unit.empty() + !owner.empty() + overdue + mine;
              if (filters != 1) {
                return ErrorResponse(400, kMalformed,
                                     "give exactly one of state=, unit=, owner=, "
                                     "overdue=true, mine=true");
              }
              Policy policy = PolicyOf(deps_, who);
              if (mine ? !policy.Can(Capability::kReportOwnProgress)
                       : overdue ? !policy.Can(Capability::kSupervise)
                                 : !policy.CanOnSome(Capability::kCaseRead)) {
                return RefusedRead(deps_, who, "case.list",
                                   ErrorResponse(403, kForbidden,
                                                 mine ? "your roles file no reports"
                                                 : overdue
                                                     ? "only supervisors list overdue cases"
                                                     : "your roles list your own reports only "
                                                       "(mine=true)"));
              }
              StatusOr<CaseList> list = CaseList{};
              if (!state.empty()) {
                std::string workflow = req.Query("workflow");
                if (workflow.empty()) {
                  return ErrorResponse(400, kMalformed, "state= needs workflow=");
                }
                list = deps_.runtime.ListByState(workflow, state, *page);
              } else if (!unit.empty()) {
                if (!who.org->FindUnit(unit)) {
                  return RefusedRead(deps_, who, "case.list",
                                     ErrorResponse(404, kNotFound, "no unit \"" + unit + "\""));
                }
                if (!policy.CanOnSomeIn(Capability::kCaseRead, unit)) {
                  return RefusedRead(deps_, who, "case.list",
                                     ErrorResponse(403, kForbidden,
                                                   "unit " + unit + " is outside your jurisdiction"));
                }
                list = deps_.runtime.ListByUnit(unit, *page);
              } else if (!owner.empty()) {
                list = deps_.runtime.ListByOwner(owner == "me" ? who.user->id : owner, *page);
              } else if (overdue) {
                list = deps_.runtime.ListOverdue(*page);
              } else {
                // A report belongs to the child's place, not the reporter's unit.
                list = deps_.runtime.ListByReporter(who.user->id, *page);
              }
              if (!list.ok()) return StatusResponse(list.status());
              Status audited = deps_.runtime.RecordAccess({who.actor, "case.list", "", ""});
              if (!audited.ok()) return StatusResponse(audited);
              json cases = json::array();
              for (const CaseRecord& c : list->cases) {
                CaseView view = policy.ViewOf(c);
                if (mine ? !Policy::IsReporter(c, who.user->id) : view != CaseView::kFull) continue;
                auto w = deps_.catalog.Find(c.workflow_id, c.workflow_version);
                cases.push_back(CaseSummaryJson(policy, w.get(), c));
              }
              return JsonResponse(200, {{"cases", cases}, {"next", list->next}});
            });

  AddAuthed("GET", "/api/v1/escalations", "escalations.list",
            [this](const HttpRequest& req, const RouteMatch&, const Principal& who) {
              Policy policy = PolicyOf(deps_, who);
              json out = json::array();
              Page page;
              page.limit = 500;
              // Bounded walk of the overdue index (a county has hundreds of
              // open cases, not millions).
              for (int round = 0; round < 20; ++round) {
                auto list = deps_.runtime.ListOverdue(page);
                if (!list.ok()) return StatusResponse(list.status());
                for (const CaseRecord& c : list->cases) {
                  // Reporters hear of their own reports' escalations too.
                  if (policy.ViewOf(c) == CaseView::kNone) continue;
                  auto history = deps_.runtime.History(c.id);
                  if (!history.ok()) return StatusResponse(history.status());
                  auto w = deps_.catalog.Find(c.workflow_id, c.workflow_version);
                  if (!w) continue;
                  for (const HistoryEntry* waiting :
                       EscalationsWaiting(*who.org, *w, c, *history, *who.user)) {
                    out.push_back(EscalationJson(policy, w.get(), c, *waiting));
                  }
                }
                if (list->next.empty()) break;
                page.after = list->next;
              }
              Status audited =
                  deps_.runtime.RecordAccess({who.actor, "escalation.list", "", ""});
              if (!audited.ok()) return StatusResponse(audited);
              return JsonResponse(200, {{"escalations", out}});
            });
}

}  // namespace shouhu::api
