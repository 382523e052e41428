// The register (一人一档): search within the caller's jurisdiction, paged;
// files made directly, with a warning of likely duplicates; two files of
// one child merged. Reading one file, its history and changing it are in
// info_routes.cc.
#include "api/api_service.h"
#include "api/case_views.h"
#include "api/child_query.h"
#include "api/errors.h"
#include "api/request_helpers.h"
#include "shouhu/child_register.h"

namespace shouhu::api {
namespace {

using nlohmann::json;

constexpr size_t kDefaultLimit = 20, kMaxLimit = 200;

// ?offset=&limit=, or a 400 in *error.
bool OffsetLimit(const HttpRequest& req, size_t* offset, size_t* limit, HttpResponse* error) {
  for (auto [name, out, fallback] : {std::tuple{"offset", offset, size_t{0}},
                                     std::tuple{"limit", limit, kDefaultLimit}}) {
    std::string v = req.Query(name);
    if (v.empty()) {
      *out = fallback;
      continue;
    }
    if (v.size() > 9 || v.find_first_not_of("0123456789") != std::string::npos) {
      *error = ErrorResponse(400, kMalformed, std::string(name) + " must be a whole number");
      return false;
    }
    *out = std::stoul(v);
  }
  if (*limit == 0 || *limit > kMaxLimit) {
    *error = ErrorResponse(400, kMalformed, "limit must be 1 to 200");
    return false;
  }
  return true;
}

}  // namespace

void ApiService::AddRegisterRoutes() {
  // 查询: every criterion given must match; unit= narrows to that unit's
  // subtree, within the caller's jurisdiction.
  AddAuthed("GET", "/api/v1/children", "children.search",
            [this](const HttpRequest& req, const RouteMatch&, const Principal& who) {
              HttpResponse error;
              ChildQuery q = ChildQueryOf(req);
              if (!OffsetLimit(req, &q.offset, &q.limit, &error)) return error;
              Policy policy = PolicyOf(deps_, who);
              if (!policy.Can(Capability::kChildRead)) {
                return RefusedRead(deps_, who, "child.search",
                                   ErrorResponse(403, kForbidden,
                                                 "only those who read children's files search "
                                                 "them (child.read)"));
              }
              std::string within = req.Query("unit");
              if (!within.empty() && !who.org->FindUnit(within)) {
                return ErrorResponse(404, kNotFound, "no unit \"" + within + "\"");
              }
              if (!within.empty() && !policy.CanIn(Capability::kChildRead, within)) {
                return RefusedRead(deps_, who, "child.search",
                                   ErrorResponse(403, kForbidden, "unit " + within +
                                                                      " is outside your "
                                                                      "jurisdiction"));
              }
              q.units = UnitsInReach(deps_, policy, Capability::kChildRead, within);
              auto found = RegisterOf(deps_.runtime).SearchChildren(q);
              if (!found.ok()) return StatusResponse(found.status());
              Status audited = deps_.runtime.RecordAccess({who.actor, "child.search", "", ""});
              if (!audited.ok()) return StatusResponse(audited);
              json files = json::array();
              for (const ChildFile& f : found->files) {
                files.push_back(ChildJson(policy, deps_.catalog, f));
              }
              return JsonResponse(200, {{"children", std::move(files)},
                                        {"total", found->total},
                                        {"offset", q.offset},
                                        {"limit", q.limit}});
            });

  // 建档: a file made directly, in the caller's unit or one in reach. A
  // likely duplicate (the same name, and the same birth date, guardian or
  // ID number) is answered 409 with the ones in reach, unless the body says
  // "confirm_new": true.
  AddAuthed("POST", "/api/v1/children", "children.create",
            [this](const HttpRequest& req, const RouteMatch&, const Principal& who) {
              HttpResponse error;
              auto body = ObjectBody(req, &error);
              if (!body) return error;
              auto request_id = RequestId(req, who, &error);
              if (!request_id) return error;
              auto unit = StringMember(*body, "unit", &error);
              if (!unit) return error;
              if (unit->empty()) *unit = who.actor.unit;
              Policy policy = PolicyOf(deps_, who);
              if (!policy.CanIn(Capability::kChildCreate, *unit)) {
                return ErrorResponse(403, kForbidden,
                                     "only case workers and child directors register children "
                                     "of their place (child.create)");
              }
              if (!body->contains("fields") || !(*body)["fields"].is_object()) {
                return ErrorResponse(422, kInvalidData,
                                     "\"fields\" must be an object of field -> value");
              }
              const json& fields = (*body)["fields"];
              auto confirm = body->find("confirm_new");
              if (confirm != body->end() && !confirm->is_boolean()) {
                return ErrorResponse(422, kInvalidData, "\"confirm_new\" must be true or false");
              }
              if (confirm == body->end() || !confirm->get<bool>()) {
                auto likely = RegisterOf(deps_.runtime).LikelyDuplicates(fields);
                if (!likely.ok()) return StatusResponse(likely.status());
                json candidates = json::array();
                size_t outside = 0;
                for (const std::string& id : *likely) {
                  auto file = deps_.runtime.GetChild(id, std::nullopt);
                  if (!file.ok()) continue;
                  if (policy.CanIn(Capability::kChildRead, file->unit)) {
                    candidates.push_back(ChildJson(policy, deps_.catalog, *file));
                  } else {
                    ++outside;
                  }
                }
                if (!likely->empty()) {
                  HttpResponse r = ErrorResponse(
                      409, "likely_duplicate",
                      "疑似重复建档 a file of the same name and birth date, guardian or ID "
                      "number exists; merge into it, or send \"confirm_new\": true");
                  json out = json::parse(r.body);
                  out["error"]["candidates"] = std::move(candidates);
                  out["error"]["outside_jurisdiction"] = outside;
                  return JsonResponse(409, out);
                }
              }
              auto r = RegisterOf(deps_.runtime).CreateChild({*request_id, who.actor, *unit, fields});
              if (!r.ok()) return StatusResponse(r.status());
              HttpResponse out = JsonResponse(r->replayed ? 200 : 201,
                                              {{"child_id", r->child_id},
                                               {"revision", r->revision},
                                               {"replayed", r->replayed}});
              if (r->replayed) out.headers["Idempotent-Replayed"] = "true";
              return out;
            });

  // 合并: file {from} into file {id}; both in the caller's reach with
  // child.merge.
  AddAuthed("POST", "/api/v1/children/{id}/merge", "children.merge",
            [this](const HttpRequest& req, const RouteMatch& m, const Principal& who) {
              HttpResponse error;
              auto body = ObjectBody(req, &error);
              if (!body) return error;
              auto request_id = RequestId(req, who, &error);
              if (!request_id) return error;
              auto from = StringMember(*body, "from", &error);
              if (!from) return error;
              Policy policy = PolicyOf(deps_, who);
              // Each file answers as missing out of reach, and 403 without
              // child.merge in its unit; the kept one first.
              auto check = [&](const std::string& id) -> std::optional<HttpResponse> {
                auto file = deps_.runtime.GetChild(id, std::nullopt);
                if (!file.ok() && file.status().code() != StatusCode::kNotFound) {
                  return StatusResponse(file.status());
                }
                if (!file.ok() || !policy.CanIn(Capability::kChildRead, file->unit)) {
                  return RefusedRead(deps_, who, "child.read", ChildNotFound(id), "", id);
                }
                if (!policy.CanIn(Capability::kChildMerge, file->unit)) {
                  return ErrorResponse(403, kForbidden,
                                       "only case workers of the children's place merge "
                                       "their files (child.merge)");
                }
                return std::nullopt;
              };
              if (auto refused = check(m.Param("id"))) return *refused;
              if (from->empty()) {
                return ErrorResponse(422, kInvalidData, "\"from\" names the file to merge in");
              }
              if (auto refused = check(*from)) return *refused;
              auto r = RegisterOf(deps_.runtime).MergeChildren({*request_id, who.actor, m.Param("id"), *from});
              if (!r.ok()) return StatusResponse(r.status());
              return JsonResponse(200, {{"child_id", r->child_id},
                                        {"merged_from", *from},
                                        {"revision", r->revision},
                                        {"replayed", r->replayed}});
            });
}

}  // namespace shouhu::api
