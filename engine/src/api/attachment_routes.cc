// Evidence files: uploads in chunks that resume (a phone in a village loses
// its connection), and downloads governed by the case's access rules.
//
//   POST  /api/v1/uploads               {"name", "size", "keep_metadata"?}
//   GET   /api/v1/uploads/{id}          how much arrived: resume from there
//   PATCH /api/v1/uploads/{id}          Upload-Offset: N, body: the next bytes
//   GET   /api/v1/cases/{id}/files/{file}  the file, to readers allowed to see it
//
// A report, an event or a note then names finished uploads by id; the
// request's data records them with their SHA-256 (ResolveFiles), so the
// case's history and the audit chain hold what was submitted.
#include "api/api_service.h"
#include "api/case_views.h"
#include "api/errors.h"
#include "api/request_helpers.h"

namespace shouhu::api {
namespace {

using nlohmann::json;

// Whether `j` (a case as its reader sees it) shows file `id` anywhere: the
// redaction of case_views.cc already hid what the reader may not see.
bool Shows(const json& j, const std::string& id) {
  if (j.is_object()) {
    auto it = j.find("id");
    if (it != j.end() && it->is_string() && *it == id && j.contains("sha256")) return true;
    for (const auto& [key, value] : j.items()) {
      if (Shows(value, id)) return true;
    }
  } else if (j.is_array()) {
    for (const json& v : j) {
      if (Shows(v, id)) return true;
    }
  }
  return false;
}

// RFC 6266/5987: the name as UTF-8, percent-encoded, and an ASCII fallback.
std::string ContentDisposition(const std::string& name, std::string_view kind) {
  std::string encoded;
  static const char* hex = "0123456789ABCDEF";
  for (unsigned char c : name) {
    if (std::isalnum(c) || c == '.' || c == '-' || c == '_') {
      encoded += static_cast<char>(c);
    } else {
      encoded += '%';
      encoded += hex[c >> 4];
      encoded += hex[c & 15];
    }
  }
  return "attachment; filename=\"evidence." + std::string(kind) + "\"; filename*=UTF-8''" +
         encoded;
}

}  // namespace

bool ApiService::MayHandleFiles(const Principal& who) const {
  Policy policy = PolicyOf(deps_, who);
  return policy.Can(Capability::kReportFile) || policy.Can(Capability::kCaseFire) ||
         policy.Can(Capability::kCaseWork);
}

std::optional<json> ApiService::ResolveFiles(const Principal& who, const json& ids,
                                             const std::string& field, size_t max,
                                             HttpResponse* error) {
  const std::string what = "\"" + field + "\"";
  if (!ids.is_array()) {
    *error = ErrorResponse(422, kInvalidData, what + " must be a list of upload ids");
    return std::nullopt;
  }
  const size_t limit = max > 0 ? std::min(max, files_.limits().max_per_record)
                               : files_.limits().max_per_record;
  if (ids.size() > limit) {
    *error = ErrorResponse(422, kInvalidData,
                           what + " takes at most " + std::to_string(limit) + " files");
    return std::nullopt;
  }
  json out = json::array();
  for (const json& id : ids) {
    auto a = id.is_string() ? files_.Get(id.get<std::string>())
                            : StatusOr<evidence::Attachment>(NotFound(""));
    // Only the uploader may attach a file: an id seen elsewhere grants nothing.
    if (!a.ok() || a->uploader != who.user->id) {
      if (a.ok() || a.status().code() == StatusCode::kNotFound) {
        *error = ErrorResponse(422, kInvalidData,
                               what + ": " + (id.is_string() ? id.get<std::string>() : "?") +
                                   " is not a finished upload of yours");
      } else {
        *error = StatusResponse(a.status());
      }
      return std::nullopt;
    }
    out.push_back(evidence::AttachmentJson(*a));
  }
  return out;
}

bool ApiService::ResolveFileFields(const Workflow* w, const Principal& who, json* data,
                                   HttpResponse* error) {
  if (!w) return true;  // the runtime answers an unknown workflow
  for (const FieldDef& f : w->fields) {
    if (f.type != FieldType::kAttachments || !data->contains(f.id)) continue;
    auto files = ResolveFiles(who, (*data)[f.id], f.id, f.max_files, error);
    if (!files) return false;
    for (const json& a : *files) {
      auto stored = files_.Get(a["id"].get<std::string>());
      if (stored.ok() && stored->metadata_kept && !f.keep_metadata) {
        *error = ErrorResponse(422, kInvalidData,
                               "\"" + f.id + "\" does not keep photo metadata: upload " +
                                   stored->name + " again without keep_metadata");
        return false;
      }
    }
    (*data)[f.id] = std::move(*files);
  }
  return true;
}

void ApiService::AddAttachmentRoutes() {
  AddAuthed("POST", "/api/v1/uploads", "uploads.begin",
            [this](const HttpRequest& req, const RouteMatch&, const Principal& who) {
              HttpResponse error;
              auto body = ObjectBody(req, &error);
              if (!body) return error;
              if (!MayHandleFiles(who)) {
                return ErrorResponse(403, kForbidden, "your roles may not submit files");
              }
              auto name = StringMember(*body, "name", &error);
              if (!name) return error;
              if (!body->contains("size") || !(*body)["size"].is_number_unsigned()) {
                return ErrorResponse(422, kInvalidData,
                                     "\"size\" (the file's bytes) is required");
              }
              bool keep = body->value("keep_metadata", false);
              // Unfinished uploads of every user past their expiry go first.
              auto expired = files_.ExpireUploads();
              if (!expired.ok()) return StatusResponse(expired.status());
              auto u = files_.Begin(who.user->id, *name, (*body)["size"].get<uint64_t>(), keep);
              if (!u.ok()) return StatusResponse(u.status());
              HttpResponse out = JsonResponse(
                  201, {{"upload", evidence::UploadJson(*u)},
                        {"chunk_bytes", files_.limits().chunk_bytes}});
              out.headers["Location"] = "/api/v1/uploads/" + u->id;
              return out;
            });

  AddAuthed("GET", "/api/v1/uploads/{id}", "uploads.get",
            [this](const HttpRequest&, const RouteMatch& m, const Principal& who) {
              auto u = files_.GetUpload(m.Param("id"), who.user->id);
              if (!u.ok()) return StatusResponse(u.status());
              HttpResponse out = JsonResponse(200, {{"upload", evidence::UploadJson(*u)}});
              out.headers["Upload-Offset"] = std::to_string(u->received);
              return out;
            });

  AddAuthed("PATCH", "/api/v1/uploads/{id}", "uploads.append",
            [this](const HttpRequest& req, const RouteMatch& m, const Principal& who) {
              const std::string text = req.Header("upload-offset");
              if (text.empty() || text.size() > 18 ||
                  text.find_first_not_of("0123456789") != std::string::npos) {
                return ErrorResponse(400, kMalformed,
                                     "Upload-Offset (the bytes already sent) is required");
              }
              auto r = files_.Append(m.Param("id"), who.user->id, std::stoull(text), req.body);
              if (!r.ok()) {
                HttpResponse out = StatusResponse(r.status());
                if (r.status().code() == StatusCode::kFailedPrecondition) {
                  auto u = files_.GetUpload(m.Param("id"), who.user->id);
                  if (u.ok()) out.headers["Upload-Offset"] = std::to_string(u->received);
                }
                return out;
              }
              json body = {{"upload", evidence::UploadJson(r->upload)}};
              if (r->attachment) {
                // The file exists from now on: its bytes are sealed into the chain.
                Status audited = deps_.runtime.RecordAccess(
                    {who.actor, "file.store", "", "", r->attachment->id, r->attachment->sha256});
                if (!audited.ok()) return StatusResponse(audited);
                body["file"] = evidence::AttachmentJson(*r->attachment);
              }
              HttpResponse out = JsonResponse(200, body);
              out.headers["Upload-Offset"] = std::to_string(r->upload.received);
              return out;
            });

  AddAuthed("GET", "/api/v1/cases/{id}/files/{file}", "cases.file",
            [this](const HttpRequest&, const RouteMatch& m, const Principal& who) {
              const std::string& id = m.Param("id");
              const std::string& file = m.Param("file");
              auto refused = [&]() {
                Status audited =
                    deps_.runtime.RecordAccess({who.actor, "file.read.refused", id, "", file, ""});
                if (!audited.ok()) return StatusResponse(audited);
                return ErrorResponse(404, kNotFound, "no file " + file + " on case " + id);
              };
              auto c = deps_.runtime.GetCase(id);
              if (!c.ok() && c.status().code() != StatusCode::kNotFound) {
                return StatusResponse(c.status());
              }
              Policy policy = PolicyOf(deps_, who);
              if (!c.ok() || policy.ViewOf(*c) == CaseView::kNone) return refused();
              auto history = deps_.runtime.History(c->id);
              if (!history.ok()) return StatusResponse(history.status());
              auto w = deps_.catalog.Find(c->workflow_id, c->workflow_version);
              // The file goes to whoever sees it in the case as the rules show it.
              if (!Shows(CaseJson(policy, deps_.catalog, w.get(), *c, *history), file)) {
                return refused();
              }
              auto a = files_.Get(file);
              if (!a.ok()) return StatusResponse(a.status());
              auto bytes = files_.Read(file);
              if (!bytes.ok()) return StatusResponse(bytes.status());
              Status audited =
                  deps_.runtime.RecordAccess({who.actor, "file.read", id, "", a->id, a->sha256});
              if (!audited.ok()) return StatusResponse(audited);
              HttpResponse out;
              out.content_type = std::string(evidence::MediaType(a->kind));
              out.body = std::move(*bytes);
              out.headers["Content-Disposition"] =
                  ContentDisposition(a->name, evidence::KindName(a->kind));
              out.headers["X-Content-Type-Options"] = "nosniff";
              out.headers["Cache-Control"] = "private, no-store";
              out.headers["ETag"] = "\"" + a->sha256 + "\"";
              return out;
            });
}

}  // namespace shouhu::api
