// Workflow definitions and the child's file (一人一档) with its history.
#include <fstream>
#include <sstream>

#include "api/api_service.h"
#include "api/case_views.h"
#include "api/errors.h"
#include "api/request_helpers.h"
#include "shouhu/child_register.h"
#include "shouhu/json_parse.h"

namespace shouhu::api {
namespace {

using nlohmann::json;

json WorkflowSummary(const Workflow& w) {
  json states = json::array();
  for (const StateDef& s : w.states) {
    states.push_back({{"id", s.id}, {"label", {{"zh", s.label.zh}, {"en", s.label.en}}},
                      {"terminal", s.terminal}, {"owner_role", s.owner_role}});
  }
  json events = json::array();
  for (const EventDef& e : w.events) {
    events.push_back({{"id", e.id}, {"label", {{"zh", e.label.zh}, {"en", e.label.en}}},
                      {"from", e.from}, {"roles", e.roles}});
  }
  return {{"id", w.id},
          {"version", w.version},
          {"label", {{"zh", w.label.zh}, {"en", w.label.en}}},
          {"initial_state", w.initial_state},
          {"open_roles", w.open.roles},
          {"states", states},
          {"events", events}};
}

}  // namespace

void ApiService::AddInfoRoutes() {
  AddAuthed("GET", "/api/v1/workflows", "workflows.list",
            [this](const HttpRequest&, const RouteMatch&, const Principal&) {
              json list = json::array();
              for (const auto& w : deps_.catalog.All()) list.push_back(WorkflowSummary(*w));
              return JsonResponse(200, {{"workflows", list}});
            });

  // The definition exactly as written (the file is the documentation).
  AddAuthed("GET", "/api/v1/workflows/{id}", "workflows.get",
            [this](const HttpRequest& req, const RouteMatch& m, const Principal&) {
              std::string version = req.Query("version");
              std::shared_ptr<const Workflow> w;
              if (version.empty()) {
                w = deps_.catalog.Newest(m.Param("id"));
              } else {
                if (version.find_first_not_of("0123456789") != std::string::npos ||
                    version.size() > 6) {
                  return ErrorResponse(400, kMalformed, "version must be an integer");
                }
                w = deps_.catalog.Find(m.Param("id"), std::stoi(version));
              }
              if (!w) return ErrorResponse(404, kNotFound, "no workflow \"" + m.Param("id") + "\"");
              std::ifstream in(w->source_file, std::ios::binary);
              std::stringstream text;
              text << in.rdbuf();
              json definition =
                  ParseJsonOrDiscarded(text.str(), kMaxDefinitionJsonDepth);
              if (definition.is_discarded()) {
                return ErrorResponse(500, kInternal, "the definition file changed on disk");
              }
              json out = WorkflowSummary(*w);
              out["definition"] = std::move(definition);
              return JsonResponse(200, out);
            });

  // The child's file if the caller may read it; else the not-found answer,
  // alike for a missing child and one out of reach (audited as refused).
  auto child_view = [this](const Principal& who, const std::string& id,
                           std::optional<Instant> as_of,
                           HttpResponse* error) -> std::optional<ChildFile> {
    auto child = deps_.runtime.GetChild(id, as_of);
    if (!child.ok() && child.status().code() != StatusCode::kNotFound) {
      *error = StatusResponse(child.status());
      return std::nullopt;
    }
    if (!child.ok() || !PolicyOf(deps_, who).CanIn(Capability::kChildRead, child->unit)) {
      Status audited = deps_.runtime.RecordAccess({who.actor, "child.read.refused", "", id});
      *error = audited.ok() ? ChildNotFound(id) : StatusResponse(audited);
      return std::nullopt;
    }
    return std::move(*child);
  };

  AddAuthed("GET", "/api/v1/children/{id}", "children.get",
            [this, child_view](const HttpRequest& req, const RouteMatch& m,
                               const Principal& who) {
              std::optional<Instant> as_of;
              if (std::string a = req.Query("as_of"); !a.empty()) {
                auto t = ParseInstant(a);
                if (!t.ok()) {
                  return ErrorResponse(400, kMalformed,
                                       "as_of must be RFC 3339, e.g. 2026-03-01T00:00:00+08:00");
                }
                as_of = *t;
              }
              HttpResponse error;
              // Jurisdiction follows the child's current unit.
              if (!child_view(who, m.Param("id"), std::nullopt, &error)) return error;
              auto child = child_view(who, m.Param("id"), as_of, &error);
              if (!child) return error;
              Status audited =
                  deps_.runtime.RecordAccess({who.actor, "child.read", "", child->id});
              if (!audited.ok()) return StatusResponse(audited);
              json out = ChildJson(PolicyOf(deps_, who), deps_.catalog, *child);
              // A file merged into another says which (register_routes.cc).
              auto into = RegisterOf(deps_.runtime).MergedInto(child->id);
              if (!into.ok()) return StatusResponse(into.status());
              if (*into != child->id) out["merged_into"] = *into;
              return JsonResponse(200, out);
            });

  AddAuthed("GET", "/api/v1/children/{id}/history", "children.history",
            [this, child_view](const HttpRequest&, const RouteMatch& m,
                               const Principal& who) {
              HttpResponse error;
              if (!child_view(who, m.Param("id"), std::nullopt, &error)) return error;
              auto revisions = deps_.runtime.ChildHistory(m.Param("id"));
              if (!revisions.ok()) return StatusResponse(revisions.status());
              Status audited = deps_.runtime.RecordAccess(
                  {who.actor, "child.history", "", m.Param("id")});
              if (!audited.ok()) return StatusResponse(audited);
              Policy policy = PolicyOf(deps_, who);
              json out = json::array();
              for (const ChildRevision& r : *revisions) {
                out.push_back(ChildRevisionJson(policy, deps_.catalog, r));
              }
              return JsonResponse(200, {{"child_id", m.Param("id")}, {"revisions", out}});
            });

  AddAuthed("GET", "/api/v1/children/{id}/proposals", "children.proposals",
            [this, child_view](const HttpRequest&, const RouteMatch& m,
                               const Principal& who) {
              HttpResponse error;
              if (!child_view(who, m.Param("id"), std::nullopt, &error)) return error;
              auto proposals = deps_.runtime.ChildProposals(m.Param("id"));
              if (!proposals.ok()) return StatusResponse(proposals.status());
              Status audited = deps_.runtime.RecordAccess(
                  {who.actor, "child.proposals", "", m.Param("id")});
              if (!audited.ok()) return StatusResponse(audited);
              Policy policy = PolicyOf(deps_, who);
              json out = json::array();
              for (const ChildProposal& p : *proposals) {
                out.push_back(ChildProposalJson(policy, deps_.catalog, p));
              }
              return JsonResponse(200, {{"child_id", m.Param("id")}, {"proposals", out}});
            });

  // What a command on a child's file reads first: the body, the request id,
  // the file (answered as missing when out of reach), and the caller's
  // `needed` capability in the file's unit (403 with `refusal` if not).
  struct ChildCommand {
    json body;
    std::string request_id;
  };
  auto child_command = [this, child_view](const HttpRequest& req, const std::string& id,
                                          const Principal& who, Capability needed,
                                          const char* refusal,
                                          HttpResponse* error) -> std::optional<ChildCommand> {
    auto body = ObjectBody(req, error);
    if (!body) return std::nullopt;
    auto request_id = RequestId(req, who, error);
    if (!request_id) return std::nullopt;
    auto child = child_view(who, id, std::nullopt, error);
    if (!child) return std::nullopt;
    if (!PolicyOf(deps_, who).CanIn(needed, child->unit)) {
      *error = ErrorResponse(403, kForbidden, refusal);
      return std::nullopt;
    }
    return ChildCommand{std::move(*body), std::move(*request_id)};
  };

  // 及时补充或变更: change fields of the file directly, as a new revision by
  // the caller (child.write in the file's unit), checked like any report.
  AddAuthed("PATCH", "/api/v1/children/{id}", "children.update",
            [this, child_command](const HttpRequest& req, const RouteMatch& m,
                                  const Principal& who) {
              HttpResponse error;
              auto in = child_command(req, m.Param("id"), who, Capability::kChildWrite,
                                      "only case workers and child directors of the child's "
                                      "place change the child's file (child.write)",
                                      &error);
              if (!in) return error;
              if (!in->body.contains("fields") || !in->body["fields"].is_object()) {
                return ErrorResponse(422, kInvalidData,
                                     "\"fields\" must be an object of field -> new value");
              }
              auto r = deps_.runtime.UpdateChild(
                  {in->request_id, who.actor, m.Param("id"), in->body["fields"]});
              if (!r.ok()) return StatusResponse(r.status());
              HttpResponse out = JsonResponse(200, {{"child_id", m.Param("id")},
                                                    {"revision", r->child_revision},
                                                    {"replayed", r->replayed}});
              if (r->replayed) out.headers["Idempotent-Replayed"] = "true";
              return out;
            });

  // Accept or reject values reported by someone who may not write the file.
  AddAuthed("POST", "/api/v1/children/{id}/proposals/{proposal}", "children.decide",
            [this, child_command](const HttpRequest& req, const RouteMatch& m,
                                  const Principal& who) {
              HttpResponse error;
              auto in = child_command(req, m.Param("id"), who, Capability::kCaseWork,
                                      "only case workers of the child's unit decide proposals",
                                      &error);
              if (!in) return error;
              auto decision = StringMember(in->body, "decision", &error);
              if (!decision) return error;
              if (*decision != "accept" && *decision != "reject") {
                return ErrorResponse(422, kInvalidData,
                                     "\"decision\" must be \"accept\" or \"reject\"");
              }
              auto r = deps_.runtime.DecideProposal({in->request_id, who.actor, m.Param("id"),
                                                     m.Param("proposal"), *decision == "accept"});
              if (!r.ok()) return StatusResponse(r.status());
              return JsonResponse(200, {{"case_id", r->case_id}, {"seq", r->seq},
                                        {"state", r->state}, {"replayed", r->replayed}});
            });
}

}  // namespace shouhu::api
