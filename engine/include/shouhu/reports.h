// The reports' index (issue 15 item 5): fact rows written in the same atomic
// batch as each state change of a case, so that a report for a unit's
// subtree and a period reads index rows only, never a case record.
//
// Why rows per fact and not summed counters: a counter is a read-modify-
// write shared by every case of a unit, and the store has no merge
// operator (its values are sealed); keeping one exact would serialise every
// commit behind one lock and undo the group commit. A fact row belongs to
// one case, so the case's own lock covers it. The rows carry no value (the
// key says everything), are clear under encryption at rest like every i/
// index entry, and a report reads only those of the units and months asked.
//
// Kinds (runtime/report_facts.h has the key layout):
//   's' a case open now:        workflow, state, overdue ("1" or "0"), case
//   'o' a case opened in month: month, workflow, category, reporter kind, case
//   'c' a case closed in month: month, workflow, closing state, case
//   'm' an obligation measured: month, workflow, measure, "on_time" or "late",
//                               whom it counts for, case, seq
//   'v' children surveyed:      month, workflow, count, case
// Months are the case's calendar's local months, "2026-03".
//
// Thread safety: as Runtime.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "shouhu/runtime.h"

namespace shouhu {

class ReportIndex {
 public:
  virtual ~ReportIndex() = default;

  // Calls fn with the parts of each fact row of `unit` (the unit itself, not
  // its subtree) and `kind`, in key order. For the kinds with a month, only
  // the months from `from_month` to `to_month` ("YYYY-MM", both included;
  // "" for no bound) are read.
  virtual Status ScanFacts(const std::string& unit, char kind, const std::string& from_month,
                           const std::string& to_month,
                           const std::function<void(const std::vector<std::string_view>&)>& fn) = 0;
  // Fact rows read since start (tests and benchmarks: a report reads these
  // and nothing else of the cases).
  virtual uint64_t FactRowsRead() const = 0;
  // Records an access (as Runtime::RecordAccess) with a JSON detail: a spot
  // check's seed and sample.
  virtual Status RecordAccessWithDetail(const Access& access, const std::string& detail) = 0;
};

// The runtime's report index (every Runtime made by MakeRuntime has one).
ReportIndex& ReportsOf(Runtime& runtime);

// A spot check's draw (随机抽查): `size` distinct items of `population`
// (sorted, so the draw depends on the set, not on the order it was read
// in), chosen by a 64-bit Mersenne Twister seeded with `seed` — the same
// seed and population always give the same sample, on every platform (the
// engine is specified by the C++ standard; no std distribution is used).
std::vector<std::string> DrawSample(std::vector<std::string> population, size_t size,
                                    uint64_t seed);

}  // namespace shouhu
