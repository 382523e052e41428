// Reports (统计报表) and spot checks (随机抽查), for holders of reports.read
// within their jurisdiction (issue 15 item 5). A report is read from the
// reports' index only (api/reports.h); every report and every spot check is
// audited, a spot check with its seed and its sample.
#include <charconv>
#include <regex>

#include "api/api_service.h"
#include "api/errors.h"
#include "api/reports.h"
#include "api/request_helpers.h"
#include "api/spreadsheet.h"
#include "runtime/report_facts.h"
#include "shouhu/child_register.h"
#include "shouhu/reports.h"

namespace shouhu::api {
namespace {

using nlohmann::json;

constexpr size_t kMaxSample = 200;

bool IsMonth(const std::string& s) {
  static const std::regex month(R"(\d{4}-(0[1-9]|1[0-2]))");
  return std::regex_match(s, month);
}

// The county's calendar (the first a workflow names) for "this month".
const Calendar* CountyCalendar(const Catalog& catalog) {
  for (const auto& w : catalog.All()) {
    if (const Calendar* c = w->calendar_id.empty() ? nullptr : catalog.FindCalendar(w->calendar_id)) {
      return c;
    }
  }
  return nullptr;
}

// unit=, from=, to= checked: the unit (default the caller's) must be in the
// caller's reach for reports.read; the months default to this year up to
// this month. nullopt with the 400 or the audited 403 in *error.
std::optional<ReportScope> ScopeOf(const ApiDeps& deps, const HttpRequest& req,
                                   const Principal& who, const std::string& action,
                                   const std::string& unit_asked, const std::string& from,
                                   const std::string& to, bool months_optional,
                                   HttpResponse* error) {
  Policy policy = PolicyOf(deps, who);
  ReportScope scope;
  scope.unit = unit_asked.empty() ? who.user->unit : unit_asked;
  if (!policy.Can(Capability::kReportsRead) || !who.org->FindUnit(scope.unit) ||
      !policy.CanIn(Capability::kReportsRead, scope.unit)) {
    *error = RefusedRead(deps, who, action,
                         ErrorResponse(403, kForbidden,
                                       "only holders of reports.read see reports and draw spot "
                                       "checks, for units in their jurisdiction"));
    return std::nullopt;
  }
  (void)req;
  std::string now = report_facts::MonthOf(deps.clock.Now(), CountyCalendar(deps.catalog));
  scope.to = to.empty() && !months_optional ? now : to;
  scope.from = from.empty() && !months_optional ? now.substr(0, 4) + "-01" : from;
  for (const std::string* m : {&scope.from, &scope.to}) {
    if (!m->empty() && !IsMonth(*m)) {
      *error = ErrorResponse(400, kMalformed, "from and to are months like 2026-03");
      return std::nullopt;
    }
  }
  if (!scope.from.empty() && !scope.to.empty() && scope.from > scope.to) {
    *error = ErrorResponse(400, kMalformed, "from is after to");
    return std::nullopt;
  }
  scope.units = UnitsInReach(deps, policy, Capability::kReportsRead, scope.unit);
  return scope;
}

json ReportJson(const Report& r, const ReportScope& scope) {
  json columns = json::array();
  for (const ReportColumn& c : r.columns) {
    columns.push_back({{"key", c.key},
                       {"label", {{"zh", c.label.zh}, {"en", c.label.en}}},
                       {"kind", c.kind == ReportColumn::Kind::kCount  ? "count"
                                : c.kind == ReportColumn::Kind::kRate ? "rate"
                                                                      : "text"}});
  }
  return {{"report", r.name},
          {"title", {{"zh", r.title.zh}, {"en", r.title.en}}},
          {"unit", scope.unit},
          {"from", scope.from},
          {"to", scope.to},
          {"columns", std::move(columns)},
          {"rows", r.rows}};
}

// A seed from the body: a decimal string or a non-negative integer; a fresh
// random one when absent. nullopt with the 422 in *error.
std::optional<uint64_t> SeedOf(const json& body, HttpResponse* error) {
  auto v = body.find("seed");
  if (v == body.end() || v->is_null()) {
    std::string hex = RandomId(8);
    return std::stoull(hex.substr(0, 15), nullptr, 16);
  }
  if (v->is_number_unsigned()) return v->get<uint64_t>();
  if (v->is_string()) {
    const std::string& s = v->get_ref<const std::string&>();
    uint64_t seed = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), seed);
    if (ec == std::errc() && end == s.data() + s.size() && !s.empty()) return seed;
  }
  *error = ErrorResponse(422, kInvalidData, "seed is a whole number from 0 to 2^64-1 (a string)");
  return std::nullopt;
}

}  // namespace

void ApiService::AddReportRoutes() {
  AddAuthed("GET", "/api/v1/reports/{name}", "reports.get",
            [this](const HttpRequest& req, const RouteMatch& m, const Principal& who) {
              HttpResponse error;
              std::string format = req.Query("format");
              if (!format.empty() && format != "json" && format != "xlsx" && format != "csv") {
                return ErrorResponse(400, kMalformed, "format is json, xlsx or csv");
              }
              auto scope = ScopeOf(deps_, req, who, "report.read", req.Query("unit"),
                                   req.Query("from"), req.Query("to"), false, &error);
              if (!scope) return error;
              auto report = ComputeReport(m.Param("name"), *scope, *who.org, deps_.catalog,
                                          ReportsOf(deps_.runtime), RegisterOf(deps_.runtime));
              if (!report.ok()) {
                if (report.status().code() == StatusCode::kNotFound) {
                  return ErrorResponse(404, kNotFound, report.status().message());
                }
                return StatusResponse(report.status());
              }
              json detail = {{"report", report->name}, {"unit", scope->unit},
                             {"from", scope->from}, {"to", scope->to},
                             {"format", format.empty() ? "json" : format}};
              Status audited = ReportsOf(deps_.runtime)
                                   .RecordAccessWithDetail({who.actor, "report.read", "", ""},
                                                           detail.dump());
              if (!audited.ok()) return StatusResponse(audited);
              if (format.empty() || format == "json") {
                return JsonResponse(200, ReportJson(*report, *scope));
              }
              std::vector<bool> numeric;
              for (const ReportColumn& c : report->columns) {
                numeric.push_back(c.kind == ReportColumn::Kind::kCount);
              }
              HttpResponse out = Spreadsheet(format, report->title.zh, ReportHeadings(*report),
                                             ReportCells(*report), numeric);
              out.headers["Content-Disposition"] = "attachment; filename=\"report-" +
                                                   report->name + "-" + scope->from + "-" +
                                                   scope->to + "." + format + "\"";
              return out;
            });

  // 随机抽查: {kind: "cases"|"files", unit, size, seed?, from?, to?}. The
  // population: the cases opened in the unit's subtree (in the months given,
  // else ever), read from the reports' index; or the child files registered
  // there. The draw is shouhu/reports.h's DrawSample: the same seed over the
  // same population gives the same sample.
  AddAuthed("POST", "/api/v1/spot-checks", "spot_checks.draw",
            [this](const HttpRequest& req, const RouteMatch&, const Principal& who) {
              HttpResponse error;
              if (!PolicyOf(deps_, who).Can(Capability::kReportsRead)) {
                return RefusedRead(deps_, who, "spot_check",
                                   ErrorResponse(403, kForbidden,
                                                 "only holders of reports.read draw spot checks"));
              }
              auto body = ObjectBody(req, &error);
              if (!body) return error;
              auto kind_member = body->find("kind");
              std::string kind = kind_member != body->end() && kind_member->is_string()
                                     ? kind_member->get<std::string>()
                                     : "";
              if (kind != "cases" && kind != "files") {
                return ErrorResponse(422, kInvalidData, "kind is cases or files");
              }
              auto size = body->find("size");
              if (size == body->end() || !size->is_number_unsigned() || size->get<uint64_t>() < 1 ||
                  size->get<uint64_t>() > kMaxSample) {
                return ErrorResponse(422, kInvalidData, "size is a whole number from 1 to 200");
              }
              auto seed = SeedOf(*body, &error);
              if (!seed) return error;
              std::string unit, from, to;
              for (auto [key, out] : {std::pair{"unit", &unit}, {"from", &from}, {"to", &to}}) {
                auto v = StringMember(*body, key, &error);
                if (!v) return error;
                *out = *v;
              }
              std::string action = "spot_check." + kind;
              auto scope = ScopeOf(deps_, req, who, action, unit, from, to, true, &error);
              if (!scope) return error;
              std::vector<std::string> population;
              if (kind == "cases") {
                for (const std::string& u : scope->units) {
                  Status s = ReportsOf(deps_.runtime)
                                 .ScanFacts(u, 'o', scope->from, scope->to, [&](const auto& p) {
                                   if (p.size() >= 5) population.emplace_back(p[4]);
                                 });
                  if (!s.ok()) return StatusResponse(s);
                }
              } else {
                ChildQuery q;
                q.units = scope->units;
                q.limit = 200;
                for (size_t total = 1; q.offset < total; q.offset += q.limit) {
                  auto page = RegisterOf(deps_.runtime).SearchChildren(q);
                  if (!page.ok()) return StatusResponse(page.status());
                  total = page->total;
                  for (const ChildFile& f : page->files) population.push_back(f.id);
                }
              }
              size_t count = population.size();
              std::vector<std::string> sample = DrawSample(std::move(population),
                                                           size->get<uint64_t>(), *seed);
              json result = {{"kind", kind},
                             {"unit", scope->unit},
                             {"from", scope->from},
                             {"to", scope->to},
                             {"seed", std::to_string(*seed)},
                             {"population", count},
                             {"sample", sample}};
              Status audited = ReportsOf(deps_.runtime)
                                   .RecordAccessWithDetail({who.actor, action, "", ""},
                                                           result.dump());
              if (!audited.ok()) return StatusResponse(audited);
              return JsonResponse(200, result);
            });
}

}  // namespace shouhu::api
