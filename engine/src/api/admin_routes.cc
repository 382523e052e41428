// Administration: API tokens (administrators), users (administrators and
// supervisors), dead letters and their re-drive (supervisors).
#include "api/api_service.h"
#include "api/case_views.h"
#include "api/errors.h"
#include "api/request_helpers.h"

namespace shouhu::api {
namespace {

using nlohmann::json;

json DeadLetterJson(const DeadLetter& d) {
  return {{"id", d.id},           {"case_id", d.case_id},
          {"outbox_id", d.outbox_id}, {"template", d.template_id},
          {"recipient", d.recipient}, {"unit", d.unit},
          {"channel", d.channel},   {"reason", d.reason},
          {"attempts", d.attempts}, {"failed_at", FormatInstant(d.failed_at)}};
}

HttpResponse AdminOnly() {
  return ErrorResponse(403, kForbidden, "only users.admin manages tokens");
}

HttpResponse SupervisorsOnly(const char* what) {
  return ErrorResponse(403, kForbidden, std::string("only supervisors ") + what);
}

}  // namespace

void ApiService::AddAdminRoutes() {
  AddAuthed("GET", "/api/v1/tokens", "tokens.list",
            [this](const HttpRequest&, const RouteMatch&, const Principal& who) {
              if (!PolicyOf(deps_, who).Can(Capability::kUsersAdmin)) return AdminOnly();
              auto list = deps_.tokens.List();
              if (!list.ok()) return StatusResponse(list.status());
              json out = json::array();
              for (const TokenInfo& t : *list) out.push_back(TokenInfoJson(t));
              return JsonResponse(200, {{"tokens", out}});
            });

  AddAuthed("POST", "/api/v1/tokens", "tokens.issue",
            [this](const HttpRequest& req, const RouteMatch&, const Principal& who) {
              if (!PolicyOf(deps_, who).Can(Capability::kUsersAdmin)) return AdminOnly();
              HttpResponse error;
              auto body = ObjectBody(req, &error);
              if (!body) return error;
              auto user = StringMember(*body, "user", &error);
              auto ttl_text = StringMember(*body, "ttl", &error);
              auto label = StringMember(*body, "label", &error);
              if (!user || !ttl_text || !label) return error;
              const User* holder = who.org->FindUser(*user);
              if (!holder) {
                return ErrorResponse(422, kInvalidData, "no user \"" + *user + "\"");
              }
              if (!holder->active) {
                return ErrorResponse(409, kConflict,
                                     "用户已停用 / user \"" + *user + "\" is deactivated");
              }
              Instant now = deps_.clock.Now();
              auto ttl = LifetimeOf(ttl_text->empty() ? "P90D" : *ttl_text, now);
              if (!ttl) {
                return ErrorResponse(422, kInvalidData,
                                     "ttl must be an ISO 8601 duration such as P90D");
              }
              auto issued = deps_.tokens.Issue(*user, *ttl, *label, now);
              if (!issued.ok()) return StatusResponse(issued.status());
              json out = TokenInfoJson(issued->info);
              out["token"] = issued->token;
              return JsonResponse(201, out);
            });

  AddAuthed("DELETE", "/api/v1/tokens/{id}", "tokens.revoke",
            [this](const HttpRequest&, const RouteMatch& m, const Principal& who) {
              if (!PolicyOf(deps_, who).Can(Capability::kUsersAdmin)) return AdminOnly();
              Status s = deps_.tokens.Revoke(m.Param("id"), deps_.clock.Now());
              if (!s.ok()) return StatusResponse(s);
              return JsonResponse(200, {{"id", m.Param("id")}, {"revoked", true}});
            });

  AddAuthed("GET", "/api/v1/users", "users.list",
            [this](const HttpRequest& req, const RouteMatch&, const Principal& who) {
              Policy policy = PolicyOf(deps_, who);
              bool admin = policy.Can(Capability::kUsersAdmin);
              if (!admin && !policy.Can(Capability::kSupervise)) {
                return ErrorResponse(403, kForbidden,
                                     "only administrators and supervisors list users");
              }
              std::string unit = req.Query("unit");
              if (!unit.empty() && !who.org->FindUnit(unit)) {
                return ErrorResponse(404, kNotFound, "no unit \"" + unit + "\"");
              }
              if (!unit.empty() && !admin && !InJurisdiction(*who.org, *who.user, unit)) {
                return ErrorResponse(403, kForbidden,
                                     "unit " + unit + " is outside your jurisdiction");
              }
              json out = json::array();
              for (const User& u : who.org->users()) {
                if (!unit.empty() && u.unit != unit) continue;
                if (!admin && !InJurisdiction(*who.org, *who.user, u.unit)) continue;
                if (policy.CanIn(Capability::kOrgManage, u.unit)) {
                  out.push_back(ManagedUserJson(u));
                } else {
                  out.push_back({{"id", u.id}, {"name", u.name}, {"unit", u.unit},
                                 {"roles", u.roles}, {"active", u.active}});
                }
              }
              return JsonResponse(200, {{"users", out}});
            });

  AddAuthed("GET", "/api/v1/dead-letters", "dead_letters.list",
            [this](const HttpRequest& req, const RouteMatch&, const Principal& who) {
              Policy policy = PolicyOf(deps_, who);
              if (!policy.Can(Capability::kSupervise)) {
                return RefusedRead(deps_, who, "dead_letter.list",
                                   SupervisorsOnly("see dead letters"));
              }
              HttpResponse error;
              auto page = PageOf(req, &error);
              if (!page) return error;
              auto list = deps_.runtime.DeadLetters(page->after, page->limit);
              if (!list.ok()) return StatusResponse(list.status());
              // They name cases and who was told: a read like any other.
              Status audited =
                  deps_.runtime.RecordAccess({who.actor, "dead_letter.list", "", ""});
              if (!audited.ok()) return StatusResponse(audited);
              json out = json::array();
              for (const DeadLetter& d : *list) {
                if (!policy.CanIn(Capability::kSupervise, d.unit)) continue;
                json j = DeadLetterJson(d);
                // A notification to the reporter names them.
                if (!policy.Can(Capability::kCaseReporterIdentity) &&
                    policy.IsReporterOf(d.case_id, d.recipient)) {
                  j["recipient"] = Redacted();
                }
                out.push_back(std::move(j));
              }
              std::string next = list->size() == page->limit ? list->back().id : "";
              return JsonResponse(200, {{"dead_letters", out}, {"next", next}});
            });

  AddAuthed("POST", "/api/v1/dead-letters/{id}/redrive", "dead_letters.redrive",
            [this](const HttpRequest& req, const RouteMatch& m, const Principal& who) {
              Policy policy = PolicyOf(deps_, who);
              if (!policy.Can(Capability::kSupervise)) {
                return SupervisorsOnly("re-drive dead letters");
              }
              HttpResponse error;
              auto id = RequestId(req, who, &error);
              if (!id) return error;
              // Find the letter's unit for the jurisdiction check.
              std::string after;
              std::optional<DeadLetter> found;
              for (int round = 0; round < 100 && !found; ++round) {
                auto list = deps_.runtime.DeadLetters(after, 500);
                if (!list.ok()) return StatusResponse(list.status());
                for (const DeadLetter& d : *list) {
                  if (d.id == m.Param("id")) found = d;
                }
                if (list->size() < 500) break;
                after = list->back().id;
              }
              // Out of reach answers as missing (no enumeration).
              if (!found || !policy.CanIn(Capability::kSupervise, found->unit)) {
                return ErrorResponse(404, kNotFound, "no dead letter \"" + m.Param("id") + "\"");
              }
              auto r = deps_.runtime.Redrive({*id, who.actor, m.Param("id")});
              if (!r.ok()) return StatusResponse(r.status());
              return JsonResponse(200, {{"case_id", r->case_id}, {"seq", r->seq},
                                        {"state", r->state}, {"replayed", r->replayed}});
            });
}

}  // namespace shouhu::api
