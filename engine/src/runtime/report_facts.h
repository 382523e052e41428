// The key layout of the reports' fact rows (shouhu/reports.h), and the rows
// a case's change or a case record holds. Under i/ (index entries, clear
// under encryption at rest, shouhu/sealed_store.h):
//
//   i/p/<unit>\0<kind>\0<part>\0<part>...   (no value)
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "shouhu/calendar.h"
#include "shouhu/case.h"
#include "shouhu/workflow.h"

namespace shouhu::report_facts {

inline constexpr std::string_view kArea = "i/p/";
inline constexpr std::string_view kDoneKey = "n/report_index";

std::string Prefix(std::string_view unit, char kind);
std::string Key(std::string_view unit, char kind, const std::vector<std::string>& parts);
// The parts after Prefix(unit, kind).
std::vector<std::string_view> Parts(std::string_view key, size_t prefix_size);

// "2026-03": the month of `at` in the calendar's time (UTC without one).
std::string MonthOf(Instant at, const Calendar* calendar);

bool IsTerminal(const Workflow& w, std::string_view state);
// The open-now row of `c` ('s'), or "" when its state is terminal.
std::string OpenKey(const Workflow& w, const CaseRecord& c);
// The opened row ('o'), at `at`.
std::string OpenedKey(const Workflow& w, const CaseRecord& c, Instant at, const Calendar* cal);
// The rows of `c` closing at `at` ('c', and 'v' when the workflow counts the
// children surveyed and the case has the number).
std::vector<std::string> ClosedKeys(const Workflow& w, const CaseRecord& c, Instant at,
                                    const Calendar* cal);
// Whom measure `m` counts for in `c`: one entry ("" = the unit only) or more.
std::vector<std::string> MeasuredFor(const MeasureDef& m, const CaseRecord& c);

}  // namespace shouhu::report_facts
