// The reports (统计报表, issue 15 item 5), computed from the reports' index
// (shouhu/reports.h) and the register's term index: no case record and no
// child's file is read. Each report is a table: its columns (labelled
// zh-CN and English, numeric or not) and its rows as JSON objects, which the
// API answers as JSON, the CLI prints and the exports write to .xlsx.
//
//   registration  建档率: per unit, children registered (files in the
//                 register now) ÷ children surveyed (the surveys closed in
//                 the period: a workflow's `reports.surveyed`)
//   cases         per unit and step: open now, overdue now, closed in the period
//   measures      per unit, measure and whom it counts for (a helper): met on
//                 time, late, and the rate on time (the police's 3-day
//                 feedback, care-plan obligations per helper)
//   monthly       per month: cases opened by category and by reporter kind
//
// Rows are per child unit of the unit asked for (each its whole subtree),
// or the unit itself when it has none, with a total row ("合计").
//
// Thread safety: pure functions over the runtime's thread-safe reads.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "shouhu/catalog.h"
#include "shouhu/child_register.h"
#include "shouhu/org.h"
#include "shouhu/reports.h"

namespace shouhu::api {

struct ReportColumn {
  enum class Kind { kText, kCount, kRate };  // a rate: 0..1, or null
  std::string key;  // the row member it shows
  Label label;
  Kind kind = Kind::kText;
};

struct Report {
  std::string name;
  Label title;
  std::vector<ReportColumn> columns;
  nlohmann::json rows = nlohmann::json::array();
};

struct ReportScope {
  std::string unit;                // whose subtree
  std::vector<std::string> units;  // the units of it the caller reaches
  std::string from, to;            // months, "2026-01", both included
};

// The names above, in that order.
const std::vector<std::string>& ReportNames();

// kNotFound for an unknown name.
StatusOr<Report> ComputeReport(const std::string& name, const ReportScope& scope,
                               const Organisation& org, const Catalog& catalog,
                               ReportIndex& index, ChildRegister& children);

// The cells of each row under the columns, as the CLI and the exports show
// them (numbers as digits, rates as "66.7%").
std::vector<std::string> ReportHeadings(const Report& r);
std::vector<std::vector<std::string>> ReportCells(const Report& r);

}  // namespace shouhu::api
