#include "api/reports.h"

#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <tuple>

namespace shouhu::api {
namespace {

using json = nlohmann::json;
using Kind = ReportColumn::Kind;

const Label kTotal = {"合计", "Total"};
const Label kNone = {"（未填）", "(none)"};

// The units the rows stand for: the children of the unit asked for, or the
// unit itself when it has none; and for each unit reached, its row.
struct Rows {
  std::vector<const Unit*> units;
  std::map<std::string, std::string> row_of;  // reached unit -> row unit id
};

Rows RowsOf(const Organisation& org, const ReportScope& scope) {
  Rows r;
  for (const Unit& u : org.units()) {
    if (u.parent == scope.unit) r.units.push_back(&u);
  }
  if (r.units.empty()) {
    if (const Unit* self = org.FindUnit(scope.unit)) r.units.push_back(self);
  }
  for (const std::string& id : scope.units) {
    std::string row = scope.unit;
    for (const Unit* u : r.units) {
      if (org.InSubtree(id, u->id)) row = u->id;
    }
    r.row_of[id] = row;
  }
  return r;
}


Label UnitName(const Organisation& org, const std::string& id) {
  const Unit* u = org.FindUnit(id);
  return u ? u->name : Label{id, id};
}

// A name in the row: `key` in Chinese and `key`_en in English.
void Name(json& row, const std::string& key, const Label& l) {
  row[key] = l.zh;
  row[key + "_en"] = l.en.empty() ? l.zh : l.en;
}

// Labels from the newest version that has the thing.
struct Labels {
  const Catalog& catalog;

  std::vector<std::shared_ptr<const Workflow>> NewestFirst(std::string_view workflow) const {
    std::vector<std::shared_ptr<const Workflow>> out;
    for (const auto& w : catalog.All()) {
      if (w->id == workflow) out.insert(out.begin(), w);
    }
    return out;
  }
  static Label Id(std::string_view id) { return {std::string(id), std::string(id)}; }
  Label WorkflowName(std::string_view id) const {
    auto w = catalog.Newest(id);
    return w ? w->label : Id(id);
  }
  Label State(std::string_view workflow, std::string_view state) const {
    for (const auto& w : NewestFirst(workflow)) {
      if (const StateDef* s = w->FindState(state)) return s->label;
    }
    return Id(state);
  }
  Label Field(std::string_view workflow, std::string_view field) const {
    for (const auto& w : NewestFirst(workflow)) {
      if (const FieldDef* f = w->FindField(field)) return f->label;
    }
    return Id(field);
  }
  Label Value(std::string_view workflow, std::string_view field, std::string_view value) const {
    if (value.empty()) return kNone;
    for (const auto& w : NewestFirst(workflow)) {
      const FieldDef* f = w->FindField(field);
      if (!f) continue;
      auto it = f->value_labels.find(value);
      if (it != f->value_labels.end()) return it->second;
    }
    return Id(value);
  }
  Label Measure(std::string_view workflow, std::string_view measure) const {
    for (const auto& w : NewestFirst(workflow)) {
      for (const MeasureDef& m : w->reports.measures) {
        if (m.id == measure) return m.label;
      }
    }
    return Id(measure);
  }
  std::string CategoryField(std::string_view workflow) const {
    auto w = catalog.Newest(workflow);
    return w ? w->reports.category : "";
  }
  std::string ReporterKindField(std::string_view workflow) const {
    auto w = catalog.Newest(workflow);
    return w ? w->reports.reporter_kind : "";
  }
};

json Rate(uint64_t part, uint64_t whole) {
  if (whole == 0) return nullptr;
  return std::round(10000.0 * static_cast<double>(part) / static_cast<double>(whole)) / 10000.0;
}

Status Registration(const ReportScope& scope, const Organisation& org, ReportIndex& index,
                    ChildRegister& children, Report* out) {
  out->title = {"建档率", "Registration rate"};
  out->columns = {{"unit_name", {"单位", "Unit"}},
                  {"registered", {"已建档儿童", "Children registered"}, Kind::kCount},
                  {"surveyed", {"摸排儿童", "Children surveyed"}, Kind::kCount},
                  {"rate", {"建档率", "Registration rate"}, Kind::kRate}};
  Rows rows = RowsOf(org, scope);
  std::map<std::string, std::vector<std::string>> reach;  // row -> units
  for (const auto& [unit, row] : rows.row_of) reach[row].push_back(unit);
  uint64_t all_registered = 0, all_surveyed = 0;
  auto add = [&](const std::string& id, const Label& name, uint64_t registered,
                 uint64_t surveyed) {
    json row = {{"unit", id}, {"registered", registered}, {"surveyed", surveyed},
                {"rate", Rate(registered, surveyed)}};
    Name(row, "unit_name", name);
    out->rows.push_back(std::move(row));
  };
  for (const Unit* u : rows.units) {
    ChildQuery q;
    q.units = reach[u->id];
    q.limit = 0;  // the count only: no file is opened
    uint64_t registered = 0, surveyed = 0;
    if (!q.units.empty()) {
      auto found = children.SearchChildren(q);
      if (!found.ok()) return found.status();
      registered = found->total;
    }
    for (const std::string& unit : reach[u->id]) {
      Status s = index.ScanFacts(unit, 'v', scope.from, scope.to, [&](const auto& p) {
        if (p.size() >= 3) surveyed += std::strtoull(std::string(p[2]).c_str(), nullptr, 10);
      });
      SHOUHU_RETURN_IF_ERROR(s);
    }
    all_registered += registered;
    all_surveyed += surveyed;
    add(u->id, u->name, registered, surveyed);
  }
  add("", kTotal, all_registered, all_surveyed);
  return Status::Ok();
}

Status Cases(const ReportScope& scope, const Organisation& org, const Labels& labels,
             ReportIndex& index, Report* out) {
  out->title = {"案件办理情况", "Cases by unit and step"};
  out->columns = {{"unit_name", {"单位", "Unit"}},
                  {"workflow_name", {"流程", "Workflow"}},
                  {"state_name", {"环节", "Step"}},
                  {"open", {"在办", "Open"}, Kind::kCount},
                  {"overdue", {"逾期", "Overdue"}, Kind::kCount},
                  {"closed", {"期间办结", "Closed in the period"}, Kind::kCount}};
  Rows rows = RowsOf(org, scope);
  struct Counts {
    uint64_t open = 0, overdue = 0, closed = 0;
  };
  // (row unit, workflow, state) -> counts
  std::map<std::tuple<std::string, std::string, std::string>, Counts> by;
  for (const auto& unit_row : rows.row_of) {
    // Named, not a structured binding: lambdas capture it (clang 14).
    const std::string& unit = unit_row.first;
    const std::string& row = unit_row.second;
    Status s = index.ScanFacts(unit, 's', "", "", [&](const auto& p) {
      if (p.size() < 4) return;
      Counts& c = by[{row, std::string(p[0]), std::string(p[1])}];
      ++c.open;
      if (p[2] == "1") ++c.overdue;
    });
    SHOUHU_RETURN_IF_ERROR(s);
    s = index.ScanFacts(unit, 'c', scope.from, scope.to, [&](const auto& p) {
      if (p.size() >= 4) ++by[{row, std::string(p[1]), std::string(p[2])}].closed;
    });
    SHOUHU_RETURN_IF_ERROR(s);
  }
  Counts total;
  for (const Unit* u : rows.units) {
    for (const auto& [key, c] : by) {
      const auto& [row, workflow, state] = key;
      if (row != u->id) continue;
      json r = {{"unit", row}, {"workflow", workflow}, {"state", state},
                {"open", c.open}, {"overdue", c.overdue}, {"closed", c.closed}};
      Name(r, "unit_name", u->name);
      Name(r, "workflow_name", labels.WorkflowName(workflow));
      Name(r, "state_name", labels.State(workflow, state));
      out->rows.push_back(std::move(r));
      total.open += c.open, total.overdue += c.overdue, total.closed += c.closed;
    }
  }
  json r = {{"unit", ""}, {"workflow", ""}, {"state", ""}, {"open", total.open},
            {"overdue", total.overdue}, {"closed", total.closed}};
  Name(r, "unit_name", kTotal);
  Name(r, "workflow_name", {"", ""});
  Name(r, "state_name", {"", ""});
  out->rows.push_back(std::move(r));
  return Status::Ok();
}

Status Measures(const ReportScope& scope, const Organisation& org, const Labels& labels,
                ReportIndex& index, Report* out) {
  out->title = {"按时履责情况", "Obligations met on time"};
  out->columns = {{"unit_name", {"单位", "Unit"}},
                  {"workflow_name", {"流程", "Workflow"}},
                  {"measure_name", {"事项", "Obligation"}},
                  {"who_name", {"责任人", "Responsible"}},
                  {"on_time", {"按时", "On time"}, Kind::kCount},
                  {"late", {"逾期", "Late"}, Kind::kCount},
                  {"rate", {"按时率", "Rate on time"}, Kind::kRate}};
  Rows rows = RowsOf(org, scope);
  struct Counts {
    uint64_t on_time = 0, late = 0;
  };
  // (workflow, measure) -> ((row unit, who) -> counts)
  std::map<std::pair<std::string, std::string>,
           std::map<std::pair<std::string, std::string>, Counts>>
      by;
  for (const auto& unit_row : rows.row_of) {
    const std::string& unit = unit_row.first;  // not a binding: captured below
    const std::string& row = unit_row.second;
    Status s = index.ScanFacts(unit, 'm', scope.from, scope.to, [&](const auto& p) {
      if (p.size() < 5) return;
      Counts& c = by[{std::string(p[1]), std::string(p[2])}][{row, std::string(p[4])}];
      (p[3] == "on_time" ? c.on_time : c.late)++;
    });
    SHOUHU_RETURN_IF_ERROR(s);
  }
  std::map<std::string, size_t> row_order;
  for (size_t i = 0; i < rows.units.size(); ++i) row_order[rows.units[i]->id] = i;
  for (const auto& [measure, cells] : by) {
    const auto& [workflow, id] = measure;
    std::vector<std::pair<std::pair<std::string, std::string>, Counts>> sorted(cells.begin(),
                                                                               cells.end());
    std::stable_sort(sorted.begin(), sorted.end(), [&](const auto& a, const auto& b) {
      return row_order[a.first.first] < row_order[b.first.first];
    });
    Counts total;
    for (const auto& [key, c] : sorted) {
      const auto& [row, who] = key;
      const User* user = who.empty() ? nullptr : org.FindUser(who);
      std::string who_name = user ? user->name : who.empty() ? "—" : who;
      json r = {{"unit", row}, {"workflow", workflow}, {"measure", id}, {"who", who},
                {"on_time", c.on_time}, {"late", c.late},
                {"rate", Rate(c.on_time, c.on_time + c.late)}};
      Name(r, "unit_name", UnitName(org, row));
      Name(r, "workflow_name", labels.WorkflowName(workflow));
      Name(r, "measure_name", labels.Measure(workflow, id));
      Name(r, "who_name", {who_name, who_name});
      out->rows.push_back(std::move(r));
      total.on_time += c.on_time, total.late += c.late;
    }
    json r = {{"unit", ""}, {"workflow", workflow}, {"measure", id}, {"who", ""},
              {"on_time", total.on_time}, {"late", total.late},
              {"rate", Rate(total.on_time, total.on_time + total.late)}};
    Name(r, "unit_name", kTotal);
    Name(r, "workflow_name", labels.WorkflowName(workflow));
    Name(r, "measure_name", labels.Measure(workflow, id));
    Name(r, "who_name", {"", ""});
    out->rows.push_back(std::move(r));
  }
  return Status::Ok();
}

Status Monthly(const ReportScope& scope, const Labels& labels, ReportIndex& index,
               Report* out) {
  out->title = {"月度报告统计", "Reports by month"};
  out->columns = {{"month", {"月份", "Month"}},
                  {"workflow_name", {"流程", "Workflow"}},
                  {"by_name", {"分类", "By"}},
                  {"value_name", {"类别", "Value"}},
                  {"count", {"数量", "Count"}, Kind::kCount}};
  // (month, workflow, by, value) -> count; by 0: category, 1: reporter kind
  std::map<std::tuple<std::string, std::string, int, std::string>, uint64_t> by;
  for (const std::string& unit : scope.units) {
    Status s = index.ScanFacts(unit, 'o', scope.from, scope.to, [&](const auto& p) {
      if (p.size() < 5) return;
      std::string month(p[0]), workflow(p[1]);
      if (!labels.CategoryField(workflow).empty()) ++by[{month, workflow, 0, std::string(p[2])}];
      if (!labels.ReporterKindField(workflow).empty()) {
        ++by[{month, workflow, 1, std::string(p[3])}];
      }
    });
    SHOUHU_RETURN_IF_ERROR(s);
  }
  for (const auto& [key, count] : by) {
    const auto& [month, workflow, dimension, value] = key;
    std::string field = dimension == 0 ? labels.CategoryField(workflow)
                                       : labels.ReporterKindField(workflow);
    json r = {{"month", month}, {"workflow", workflow},
              {"by", dimension == 0 ? "category" : "reporter_kind"}, {"value", value},
              {"count", count}};
    Name(r, "workflow_name", labels.WorkflowName(workflow));
    Name(r, "by_name", labels.Field(workflow, field));
    Name(r, "value_name", labels.Value(workflow, field, value));
    out->rows.push_back(std::move(r));
  }
  return Status::Ok();
}

}  // namespace

const std::vector<std::string>& ReportNames() {
  static const std::vector<std::string> names = {"registration", "cases", "measures", "monthly"};
  return names;
}

StatusOr<Report> ComputeReport(const std::string& name, const ReportScope& scope,
                               const Organisation& org, const Catalog& catalog,
                               ReportIndex& index, ChildRegister& children) {
  Report r;
  r.name = name;
  Labels labels{catalog};
  Status s;
  if (name == "registration") {
    s = Registration(scope, org, index, children, &r);
  } else if (name == "cases") {
    s = Cases(scope, org, labels, index, &r);
  } else if (name == "measures") {
    s = Measures(scope, org, labels, index, &r);
  } else if (name == "monthly") {
    s = Monthly(scope, labels, index, &r);
  } else {
    return NotFound("no report \"" + name + "\" (registration, cases, measures, monthly)");
  }
  SHOUHU_RETURN_IF_ERROR(s);
  return r;
}

std::vector<std::string> ReportHeadings(const Report& r) {
  std::vector<std::string> out;
  for (const ReportColumn& c : r.columns) out.push_back(c.label.zh + " " + c.label.en);
  return out;
}

std::vector<std::vector<std::string>> ReportCells(const Report& r) {
  std::vector<std::vector<std::string>> out;
  for (const json& row : r.rows) {
    std::vector<std::string> cells;
    for (const ReportColumn& c : r.columns) {
      const json& v = row.contains(c.key) ? row.at(c.key) : json();
      if (c.kind == Kind::kRate) {
        char buf[32] = "—";
        if (v.is_number()) std::snprintf(buf, sizeof buf, "%.1f%%", 100.0 * v.get<double>());
        cells.push_back(buf);
      } else if (v.is_number_unsigned() || v.is_number_integer()) {
        cells.push_back(std::to_string(v.get<int64_t>()));
      } else {
        cells.push_back(v.is_string() ? v.get<std::string>() : "");
      }
    }
    out.push_back(std::move(cells));
  }
  return out;
}

}  // namespace shouhu::api
