// Routes on one case: file a report (open), read it, fire an event, add a
// note, assign the owner. Jurisdiction is checked here before the runtime is
// called; the runtime checks roles, state, data and guards.
#include "api/api_service.h"
#include "api/case_views.h"
#include "api/errors.h"
#include "api/request_helpers.h"

namespace shouhu::api {
namespace {

using nlohmann::json;

json ResultJson(const CommandResult& r) {
  json out = {{"case_id", r.case_id}, {"seq", r.seq}, {"state", r.state},
              {"replayed", r.replayed}};
  // A report about a child with an open case: joined it, or flagged.
  if (r.joined) out["joined"] = true;
  if (!r.duplicate_of.empty()) out["duplicate_of"] = r.duplicate_of;
  return out;
}

HttpResponse CommandResponse(int status, const StatusOr<CommandResult>& r) {
  if (!r.ok()) return StatusResponse(r.status());
  // A replay answers exactly as the first request did.
  HttpResponse out = JsonResponse(status, ResultJson(*r));
  if (r->replayed) out.headers["Idempotent-Replayed"] = "true";
  out.headers["ETag"] = "\"" + std::to_string(r->seq) + "\"";
  return out;
}

// Answers a command's result with `status` (when it succeeded) through
// `respond`: the callback of an asynchronous command.
AsyncCommands::Done AnswerWith(int status, Respond respond) {
  return [status, respond = std::move(respond)](StatusOr<CommandResult> r) {
    respond(CommandResponse(status, r));
  };
}

// The case, if the caller holds `needed` in its unit; else the error
// response: the not-found answer when the caller may not see the case at all
// (no enumeration), 403 when they see it but may not do this.
std::optional<CaseRecord> CaseForCommand(const ApiDeps& deps, const Principal& who,
                                         const std::string& id, Capability needed,
                                         HttpResponse* error) {
  auto c = deps.runtime.GetCase(id);
  if (!c.ok()) {
    *error = c.status().code() == StatusCode::kNotFound ? CaseNotFound(id)
                                                        : StatusResponse(c.status());
    return std::nullopt;
  }
  Policy policy = PolicyOf(deps, who);
  if (policy.CanOn(needed, *c)) return std::move(*c);
  switch (policy.ViewOf(*c)) {
    case CaseView::kNone:
      *error = CaseNotFound(id);
      break;
    case CaseView::kFeedback:
      *error = ErrorResponse(403, kForbidden,
                             "you filed case " + id +
                                 ": you see its progress, but only case workers act on it");
      break;
    case CaseView::kFull:
      *error = ErrorResponse(403, kForbidden,
                             "your roles may not " +
                                 std::string(CapabilityName(needed)) + " on case " + id);
      break;
  }
  return std::nullopt;
}

// If-Match: "7" (or 7) → 7; the body's "expected_seq" also works.
std::optional<std::optional<uint64_t>> ExpectedSeq(const HttpRequest& request,
                                                   const json& body,
                                                   HttpResponse* error) {
  std::string tag = request.Header("if-match");
  if (!tag.empty()) {
    if (tag.size() >= 2 && tag.front() == '"' && tag.back() == '"') {
      tag = tag.substr(1, tag.size() - 2);
    }
    if (tag.empty() || tag.find_first_not_of("0123456789") != std::string::npos ||
        tag.size() > 18) {
      *error = ErrorResponse(400, kMalformed,
                             "If-Match must be the case's ETag, e.g. \"7\"");
      return std::nullopt;
    }
    return std::optional<uint64_t>(std::stoull(tag));
  }
  if (body.contains("expected_seq")) {
    if (!body["expected_seq"].is_number_unsigned()) {
      *error = ErrorResponse(422, kInvalidData, "expected_seq must be an unsigned integer");
      return std::nullopt;
    }
    return std::optional<uint64_t>(body["expected_seq"].get<uint64_t>());
  }
  return std::optional<uint64_t>();
}

// What every command route reads first, in this order: the body (a JSON
// object), the request id (the Idempotency-Key), and the command's one
// required string member (it may be empty).
struct CommandInput {
  json body;
  std::string request_id;
  std::string member;
};
std::optional<CommandInput> ReadCommand(const HttpRequest& request, const Principal& who,
                                        const char* member, HttpResponse* error) {
  auto body = ObjectBody(request, error);
  if (!body) return std::nullopt;
  auto id = RequestId(request, who, error);
  if (!id) return std::nullopt;
  auto value = StringMember(*body, member, error);
  if (!value) return std::nullopt;
  return CommandInput{std::move(*body), std::move(*id), std::move(*value)};
}

// The command's "data", an object when present: else the error response.
std::optional<json> CommandData(const json& body, HttpResponse* error) {
  if (!body.contains("data")) return json::object();
  if (!body["data"].is_object()) {
    *error = ErrorResponse(422, kInvalidData, "\"data\" must be an object");
    return std::nullopt;
  }
  return body["data"];
}

}  // namespace

void ApiService::AddCaseRoutes() {
  AddAuthed("POST", "/api/v1/cases", "cases.open",
            [this](const HttpRequest& req, const RouteMatch&, const Principal& who) {
              HttpResponse error;
              auto in = ReadCommand(req, who, "workflow", &error);
              if (!in) return error;
              auto unit = StringMember(in->body, "unit", &error);
              if (!unit) return error;
              if (in->member.empty()) {
                return ErrorResponse(422, kInvalidData, "\"workflow\" is required");
              }
              auto data = CommandData(in->body, &error);
              if (!data) return error;
              if (!PolicyOf(deps_, who).Can(Capability::kReportFile)) {
                return ErrorResponse(403, kForbidden, "your roles may not file reports");
              }
              if (!unit->empty()) {
                const Unit* u = who.org->FindUnit(*unit);
                if (!u) {
                  return ErrorResponse(422, kInvalidData, "no unit \"" + *unit + "\"");
                }
                if (!u->active) {
                  return ErrorResponse(422, kInvalidData,
                                       "单位已停用 / unit \"" + *unit + "\" is deactivated");
                }
                if (!InJurisdiction(*who.org, *who.user, *unit)) {
                  return ErrorResponse(403, kForbidden,
                                       "unit " + *unit + " is outside your jurisdiction");
                }
              }
              if (!ResolveFileFields(deps_.catalog.Newest(in->member).get(), who, &*data,
                                     &error)) {
                return error;
              }
              OpenCase cmd;
              cmd.request_id = in->request_id;
              cmd.actor = who.actor;
              cmd.workflow_id = in->member;
              cmd.unit = unit->empty() ? who.user->unit : *unit;
              cmd.data = std::move(*data);
              auto r = deps_.runtime.Open(cmd);
              // Joining an open case makes none: 200, the joined case's place.
              HttpResponse out = CommandResponse(r.ok() && r->joined ? 200 : 201, r);
              if (r.ok()) out.headers["Location"] = "/api/v1/cases/" + r->case_id;
              return out;
            });

  AddAuthed("GET", "/api/v1/cases/{id}", "cases.get",
            [this](const HttpRequest&, const RouteMatch& m, const Principal& who) {
              const std::string& id = m.Param("id");
              auto c = deps_.runtime.GetCase(id);
              if (!c.ok() && c.status().code() != StatusCode::kNotFound) {
                return StatusResponse(c.status());
              }
              Policy policy = PolicyOf(deps_, who);
              CaseView view = c.ok() ? policy.ViewOf(*c) : CaseView::kNone;
              if (view == CaseView::kNone) {
                // Missing and out of reach answer alike; both are audited.
                Status audited =
                    deps_.runtime.RecordAccess({who.actor, "case.read.refused", id, ""});
                if (!audited.ok()) return StatusResponse(audited);
                return CaseNotFound(id);
              }
              auto history = deps_.runtime.History(c->id);
              if (!history.ok()) return StatusResponse(history.status());
              // No read without its audit record.
              Status audited = deps_.runtime.RecordAccess(
                  {who.actor, view == CaseView::kFull ? "case.read" : "case.feedback",
                   c->id, ""});
              if (!audited.ok()) return StatusResponse(audited);
              auto w = deps_.catalog.Find(c->workflow_id, c->workflow_version);
              HttpResponse out =
                  JsonResponse(200, CaseJson(policy, deps_.catalog, w.get(), *c, *history));
              out.headers["ETag"] = "\"" + std::to_string(c->last_seq) + "\"";
              return out;
            });

  // The commands on a case answer once their commit is durable, without
  // holding this thread meanwhile (AsyncCommands).
  AddAuthedAsync(
      "POST", "/api/v1/cases/{id}/events", "cases.fire",
      [this](const HttpRequest& req, const RouteMatch& m, const Principal& who,
             Respond respond) {
        HttpResponse error;
        auto cmd = [&]() -> std::optional<FireEvent> {
          auto in = ReadCommand(req, who, "event", &error);
          if (!in) return std::nullopt;
          if (in->member.empty()) {
            error = ErrorResponse(422, kInvalidData, "\"event\" is required");
            return std::nullopt;
          }
          auto data = CommandData(in->body, &error);
          if (!data) return std::nullopt;
          auto expected = ExpectedSeq(req, in->body, &error);
          if (!expected) return std::nullopt;
          auto c = CaseForCommand(deps_, who, m.Param("id"), Capability::kCaseFire, &error);
          if (!c) return std::nullopt;
          if (!ResolveFileFields(deps_.catalog.Find(c->workflow_id, c->workflow_version).get(),
                                 who, &*data, &error)) {
            return std::nullopt;
          }
          FireEvent cmd;
          cmd.request_id = in->request_id;
          cmd.actor = who.actor;
          cmd.case_id = m.Param("id");
          cmd.event = in->member;
          cmd.data = std::move(*data);
          cmd.expected_seq = *expected;
          return cmd;
        }();
        if (!cmd) return respond(std::move(error));
        if (!async_) return respond(CommandResponse(200, deps_.runtime.Fire(*cmd)));
        async_->FireAsync(*cmd, AnswerWith(200, std::move(respond)));
      });

  AddAuthedAsync(
      "POST", "/api/v1/cases/{id}/notes", "cases.note",
      [this](const HttpRequest& req, const RouteMatch& m, const Principal& who,
             Respond respond) {
        HttpResponse error;
        auto in = ReadCommand(req, who, "text", &error);
        if (!in) return respond(std::move(error));
        if (!CaseForCommand(deps_, who, m.Param("id"), Capability::kCaseWork, &error)) {
          return respond(std::move(error));
        }
        AddNote note{in->request_id, who.actor, m.Param("id"), in->member};
        if (in->body.contains("attachments")) {
          auto files = ResolveFiles(who, in->body["attachments"], "attachments", 0, &error);
          if (!files) return respond(std::move(error));
          note.attachments = std::move(*files);
        }
        if (!async_) return respond(CommandResponse(201, deps_.runtime.Note(note)));
        async_->NoteAsync(note, AnswerWith(201, std::move(respond)));
      });

  AddAuthedAsync(
      "PUT", "/api/v1/cases/{id}/owner", "cases.assign",
      [this](const HttpRequest& req, const RouteMatch& m, const Principal& who,
             Respond respond) {
        HttpResponse error;
        auto in = ReadCommand(req, who, "owner", &error);
        if (!in) return respond(std::move(error));
        const std::string& owner = in->member;
        auto c = CaseForCommand(deps_, who, m.Param("id"), Capability::kCaseWork, &error);
        if (!c) return respond(std::move(error));
        if (!PolicyOf(deps_, who).CanIn(Capability::kSupervise, c->unit) &&
            owner != who.user->id) {
          return respond(ErrorResponse(403, kForbidden,
                                       "only supervisors assign others; you may take "
                                       "the case yourself"));
        }
        if (!owner.empty()) {
          const User* u = who.org->FindUser(owner);
          if (!u || !u->active) {
            return respond(ErrorResponse(422, kInvalidData, "no active user \"" + owner + "\""));
          }
          if (!Policy(deps_.access, *who.org, *u).CanOn(Capability::kCaseWork, *c)) {
            return respond(ErrorResponse(422, kInvalidData,
                                         "user " + owner +
                                             " cannot own this case: the case's unit is "
                                             "outside their jurisdiction"));
          }
        }
        AssignOwner cmd{in->request_id, who.actor, m.Param("id"), owner};
        if (!async_) return respond(CommandResponse(200, deps_.runtime.Assign(cmd)));
        async_->AssignAsync(cmd, AnswerWith(200, std::move(respond)));
      });
}

}  // namespace shouhu::api
