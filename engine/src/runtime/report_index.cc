// The reports' index (shouhu/reports.h): reading the fact rows, and writing
// them once for the cases of a store from before them.
#include "runtime/codec.h"
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

Status RuntimeImpl::RecordAccessWithDetail(const Access& access, const std::string& detail) {
  AuditRecord audit;
  audit.at = clock_.Now();
  audit.user = access.actor.user;
  audit.unit = access.actor.unit;
  audit.origin = access.actor.origin;
  audit.action = access.action;
  audit.case_id = access.case_id;
  audit.child_id = access.child_id;
  audit.detail = detail;
  return store_.Commit({Mutation::ChainedAppend(std::string(codec::kAuditPrefix),
                                                codec::EncodeAudit(audit))});
}

Status RuntimeImpl::IndexReportsOnce() {
  auto done = store_.Get(std::string(report_facts::kDoneKey));
  if (done.ok()) return Status::Ok();
  if (done.status().code() != StatusCode::kNotFound) return done.status();
  // Cases written before the reports' index: one walk, then the rows and
  // the mark in one batch. A case's open-now, opened and closed rows come
  // from its record (opened_at; the closing state's entry time); the
  // obligations measured before cannot be told from the record and start
  // with the first change after the upgrade.
  std::vector<Mutation> batch;
  Status s = store_.Scan(codec::kCasePrefix, "", [&](std::string_view, std::string_view value) {
    auto c = codec::DecodeCase(value);
    if (!c.ok()) return true;  // an unreadable case is reported where it is read
    auto w = catalog_.Find(c->workflow_id, c->workflow_version);
    if (!w) return true;
    const Calendar* cal = CalendarOf(*w);
    std::string open = report_facts::OpenKey(*w, *c);
    if (!open.empty()) batch.push_back(Mutation::Put(std::move(open), ""));
    batch.push_back(Mutation::Put(report_facts::OpenedKey(*w, *c, c->opened_at, cal), ""));
    if (report_facts::IsTerminal(*w, c->state)) {
      for (std::string& k : report_facts::ClosedKeys(*w, *c, c->state_entered_at, cal)) {
        batch.push_back(Mutation::Put(std::move(k), ""));
      }
    }
    return true;
  });
  SHOUHU_RETURN_IF_ERROR(s);
  batch.push_back(Mutation::Put(std::string(report_facts::kDoneKey),
                                std::string(1, codec::kFormatV1)));
  return store_.Commit(std::move(batch));
}

}  // namespace shouhu
