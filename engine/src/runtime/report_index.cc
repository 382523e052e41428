// The reports' index (shouhu/reports.h): reading the fact rows, and writing
// them once for the cases of a store from before them.
#include "runtime/report_facts.h"
#include "runtime/runtime_impl.h"

namespace shouhu {

ReportIndex& ReportsOf(Runtime& runtime) { return dynamic_cast<RuntimeImpl&>(runtime); }

Status RuntimeImpl::ScanFacts(const std::string& unit, char kind, const std::string& from_month,
                              const std::string& to_month,
                              const std::function<void(const std::vector<std::string_view>&)>& fn) {
  const std::string prefix = report_facts::Prefix(unit, kind);
  const bool monthly = kind != 's';
  std::string start = monthly && !from_month.empty() ? prefix + from_month : "";
  uint64_t read = 0;
  Status s = store_.Scan(prefix, start, [&](std::string_view key, std::string_view) {
    ++read;
    auto parts = report_facts::Parts(key, prefix.size());
    if (monthly && !to_month.empty() && parts[0] > to_month) return false;
    fn(parts);
    return true;
  });
  fact_rows_read_ += read;
  return s;
}

Status RuntimeImpl::IndexReportsOnce() {
  // A case's open-now, opened and closed rows come from its record
  // (opened_at; the closing state's entry time); the obligations measured
  // before cannot be told from the record and start with the first change
  // after the upgrade.
  return IndexCasesOnce(report_facts::kDoneKey, [this](const CaseRecord& c,
                                                       std::vector<Mutation>* batch) {
    auto w = catalog_.Find(c.workflow_id, c.workflow_version);
    if (!w) return;
    const Calendar* cal = CalendarOf(*w);
    std::string open = report_facts::OpenKey(*w, c);
    if (!open.empty()) batch->push_back(Mutation::Put(std::move(open), ""));
    batch->push_back(Mutation::Put(report_facts::OpenedKey(*w, c, c.opened_at, cal), ""));
    if (report_facts::IsTerminal(*w, c.state)) {
      for (std::string& k : report_facts::ClosedKeys(*w, c, c.state_entered_at, cal)) {
        batch->push_back(Mutation::Put(std::move(k), ""));
      }
    }
  });
}

}  // namespace shouhu
