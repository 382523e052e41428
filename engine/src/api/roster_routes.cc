// Rosters (花名册): an uploaded .xlsx or .csv previewed (its columns mapped
// to the file's fields, every row checked) and imported (every row or
// none; the same file twice once). Exports are in export_routes.cc.
//
// The file is the request body as it is (no JSON around it); the unit, the
// file name and the mapping are query parameters.
#include "api/api_service.h"
#include "api/case_views.h"
#include "api/errors.h"
#include "api/request_helpers.h"
#include "shouhu/child_register.h"
#include "auth/locked_file.h"
#include "register/child_terms.h"
#include "roster/file_fields.h"
#include "roster/sheet.h"
#include "roster/text_encoding.h"
#include "roster/xlsx.h"

namespace shouhu::api {
namespace {

using nlohmann::json;

// The sheet of an uploaded body: .xlsx by its zip signature, else CSV in
// UTF-8 or GB18030.
StatusOr<roster::Sheet> SheetOf(const std::string& body) {
  if (body.empty()) return InvalidArgument("上传的文件是空的 the file is empty");
  if (roster::LooksLikeZip(body)) return roster::ReadXlsx(body);
  auto text = roster::DecodeText(body);
  if (!text.ok()) return text.status();
  return roster::ParseCsv(text->utf8);
}

// The column -> field mapping: `given` (the query's JSON), else the unit's
// last, else a heading that is a field's label or id.
StatusOr<std::map<std::string, std::string>> MappingOf(
    const HttpRequest& req, const roster::Sheet& sheet, const std::vector<const FieldDef*>& fields,
    const std::map<std::string, std::string>& remembered) {
  std::map<std::string, std::string> out;
  if (std::string given = req.Query("mapping"); !given.empty()) {
    json j = json::parse(given, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      return InvalidArgument("mapping must be a JSON object of column heading -> field id");
    }
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (!it->is_string()) return InvalidArgument("mapping: \"" + it.key() + "\" needs a field id");
      out[it.key()] = it->get<std::string>();
    }
    return out;
  }
  for (const std::string& h : sheet.headings) {
    std::string heading = NormalizeTermText(h);
    if (auto it = remembered.find(h); it != remembered.end()) {
      out[h] = it->second;
      continue;
    }
    for (const FieldDef* f : fields) {
      if (heading == NormalizeTermText(f->label.zh) || heading == NormalizeTermText(f->label.en) ||
          heading == f->id) {
        out[h] = f->id;
        break;
      }
    }
  }
  return out;
}

json ProblemsJson(const std::vector<RosterProblem>& problems) {
  json out = json::array();
  for (const RosterProblem& p : problems) {
    out.push_back({{"row", p.row}, {"column", p.column}, {"message", p.message}});
  }
  return out;
}

}  // namespace

void ApiService::AddRosterRoutes() {
  // What an upload reads first: the unit (child.create there), the sheet,
  // the mapping, and the import command (a dry run until told otherwise).
  auto roster_command = [this](const HttpRequest& req, const Principal& who,
                               HttpResponse* error) -> std::optional<RosterImport> {
    std::string unit = req.Query("unit");
    if (unit.empty()) unit = who.actor.unit;
    if (!PolicyOf(deps_, who).CanIn(Capability::kChildCreate, unit)) {
      *error = ErrorResponse(403, kForbidden,
                             "only those who register children of the unit import its roster "
                             "(child.create)");
      return std::nullopt;
    }
    auto sheet = SheetOf(req.body);
    if (!sheet.ok()) {
      *error = ErrorResponse(422, kInvalidData, sheet.status().message());
      return std::nullopt;
    }
    auto remembered = RegisterOf(deps_.runtime).RosterMapping(unit);
    if (!remembered.ok()) {
      *error = StatusResponse(remembered.status());
      return std::nullopt;
    }
    auto mapping = MappingOf(req, *sheet, roster::FileFields(deps_.catalog), *remembered);
    if (!mapping.ok()) {
      *error = ErrorResponse(400, kMalformed, mapping.status().message());
      return std::nullopt;
    }
    RosterImport cmd;
    cmd.actor = who.actor;
    cmd.unit = unit;
    cmd.content_sha256 = Sha256Hex(req.body);
    cmd.headings = std::move(sheet->headings);
    cmd.rows = std::move(sheet->rows);
    cmd.row_numbers = std::move(sheet->row_numbers);
    cmd.mapping = std::move(*mapping);
    cmd.helper_cap = options_.helper_cap;
    cmd.user_exists = [org = who.org](const std::string& id) {
      const User* u = org->FindUser(id);
      return u && u->active;
    };
    cmd.dry_run = true;
    return cmd;
  };

  // 预览: the columns, how they map (remembered per unit), every problem of
  // every row, and the first rows as they would be filed. Writes nothing.
  AddAuthed("POST", "/api/v1/roster/preview", "roster.preview",
            [this, roster_command](const HttpRequest& req, const RouteMatch&, const Principal& who) {
              HttpResponse error;
              auto cmd = roster_command(req, who, &error);
              if (!cmd) return error;
              auto r = RegisterOf(deps_.runtime).ImportRoster(*cmd);
              if (!r.ok()) return StatusResponse(r.status());
              json fields = json::array();
              for (const FieldDef* f : roster::FileFields(deps_.catalog)) {
                fields.push_back({{"id", f->id}, {"label", {{"zh", f->label.zh}, {"en", f->label.en}}}});
              }
              return JsonResponse(200, {{"sha256", cmd->content_sha256},
                                        {"unit", cmd->unit},
                                        {"headings", cmd->headings},
                                        {"mapping", cmd->mapping},
                                        {"fields", std::move(fields)},
                                        {"rows", cmd->rows.size()},
                                        {"problems", ProblemsJson(r->problems)},
                                        {"sample", r->sample}});
            });

  // 导入: every row or none; 422 with every problem. The same file into the
  // same unit again answers the first import's counts and writes nothing.
  AddAuthed("POST", "/api/v1/roster/import", "roster.import",
            [this, roster_command](const HttpRequest& req, const RouteMatch&, const Principal& who) {
              HttpResponse error;
              auto cmd = roster_command(req, who, &error);
              if (!cmd) return error;
              cmd->dry_run = false;
              auto r = RegisterOf(deps_.runtime).ImportRoster(*cmd);
              if (!r.ok()) return StatusResponse(r.status());
              if (!r->problems.empty()) {
                json out = {{"error",
                             {{"code", std::string(kInvalidData)},
                              {"message", "花名册有" + std::to_string(r->problems.size()) +
                                              "处问题，未导入 the roster has problems; nothing "
                                              "was imported"},
                              {"problems", ProblemsJson(r->problems)}}}};
                return JsonResponse(422, out);
              }
              return JsonResponse(r->replayed ? 200 : 201,
                                  {{"created", r->created},
                                   {"updated", r->updated},
                                   {"unchanged", r->unchanged},
                                   {"replayed", r->replayed},
                                   {"sha256", cmd->content_sha256}});
            });
}

}  // namespace shouhu::api
