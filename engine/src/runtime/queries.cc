// Reads: a case, its history, and lists served from the secondary indexes.
#include <cstdio>

#include "runtime/codec.h"
#include "runtime/runtime_impl.h"

namespace shouhu {

StatusOr<std::unique_ptr<Runtime>> Runtime::Create(Store& store,
                                                   const Catalog& catalog,
                                                   const Clock& clock,
                                                   RuntimeOptions options) {
  auto rt = std::make_unique<RuntimeImpl>(store, catalog, clock, options);
  Status s = rt->Init();
  if (!s.ok()) return s;
  return std::unique_ptr<Runtime>(std::move(rt));
}

RuntimeImpl::RuntimeImpl(Store& store, const Catalog& catalog,
                         const Clock& clock, RuntimeOptions options)
    : store_(store),
      catalog_(catalog),
      clock_(clock),
      options_(options),
      window_(store, options.timer_window, options.max_timers_in_memory) {}

Status RuntimeImpl::Init() {
  // Counters resume after the greatest id in the store.
  auto last_case = store_.LastKeyWithPrefix(codec::kCasePrefix);
  if (last_case.ok()) {
    next_case_ = std::stoull(last_case->substr(codec::kCasePrefix.size() + 1));
  } else if (last_case.status().code() != StatusCode::kNotFound) {
    return last_case.status();
  }
  auto last_outbox = store_.LastKeyWithPrefix(codec::kOutboxPrefix);
  if (last_outbox.ok()) {
    next_outbox_ = codec::DecodeBigEndian(
        last_outbox->substr(codec::kOutboxPrefix.size()));
  } else if (last_outbox.status().code() != StatusCode::kNotFound) {
    return last_outbox.status();
  }
  // Audit records need no counter: the store numbers them (chained appends).
  SHOUHU_RETURN_IF_ERROR(IndexReportersOnce());
  SHOUHU_RETURN_IF_ERROR(IndexChildrenOnce());
  SHOUHU_RETURN_IF_ERROR(IndexReportsOnce());
  return RecoverOutboxHighWater();
}

Status RuntimeImpl::IndexCasesOnce(
    std::string_view done_key,
    const std::function<void(const CaseRecord&, std::vector<Mutation>*)>& index) {
  auto done = store_.Get(done_key);
  if (done.ok()) return Status::Ok();
  if (done.status().code() != StatusCode::kNotFound) return done.status();
  // Cases written before the index: one walk, then the entries and the
  // mark in one batch (a county's cases; a new store has none).
  std::vector<Mutation> batch;
  Status s = store_.Scan(codec::kCasePrefix, "", [&](std::string_view, std::string_view value) {
    auto c = codec::DecodeCase(value);
    if (!c.ok()) return true;  // an unreadable case is reported where it is read
    index(*c, &batch);
    return true;
  });
  SHOUHU_RETURN_IF_ERROR(s);
  batch.push_back(Mutation::Put(std::string(done_key), std::string(1, codec::kFormatV1)));
  return store_.Commit(std::move(batch));
}

Status RuntimeImpl::IndexReportersOnce() {
  return IndexCasesOnce(codec::kReporterIndexDoneKey,
                        [](const CaseRecord& c, std::vector<Mutation>* batch) {
                          batch->push_back(Mutation::Put(codec::ByReporterKey(c.reporter, c.id), ""));
                          for (const std::string& r : c.joined_reporters) {
                            batch->push_back(Mutation::Put(codec::ByReporterKey(r, c.id), ""));
                          }
                        });
}

const Calendar* RuntimeImpl::CalendarOf(const Workflow& w) const {
  return w.calendar_id.empty() ? nullptr : catalog_.FindCalendar(w.calendar_id);
}

namespace {

StatusOr<CaseRecord> DecodeStoredCase(const std::string& id, StatusOr<std::string> v) {
  if (!v.ok()) {
    if (v.status().code() == StatusCode::kNotFound) {
      return NotFound("no case \"" + id + "\"");
    }
    return v.status();
  }
  return codec::DecodeCase(*v);
}

}  // namespace

StatusOr<CaseRecord> RuntimeImpl::GetCase(const std::string& id) {
  return DecodeStoredCase(id, store_.Get(codec::CaseKey(id)));
}

std::vector<StatusOr<CaseRecord>> RuntimeImpl::GetCases(const std::vector<std::string>& ids) {
  std::vector<std::string> keys;
  keys.reserve(ids.size());
  for (const std::string& id : ids) keys.push_back(codec::CaseKey(id));
  std::vector<StatusOr<std::string>> values = store_.GetMany(keys);
  std::vector<StatusOr<CaseRecord>> out;
  out.reserve(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    out.push_back(DecodeStoredCase(ids[i], std::move(values[i])));
  }
  return out;
}

StatusOr<std::vector<HistoryEntry>> RuntimeImpl::History(const std::string& id) {
  std::vector<HistoryEntry> out;
  Status decode_error;
  Status s = store_.Scan(codec::HistoryPrefix(id), "",
                         [&](std::string_view, std::string_view value) {
                           auto h = codec::DecodeHistoryRecord(value, id);
                           if (!h.ok()) {
                             decode_error = h.status();
                             return false;
                           }
                           for (HistoryEntry& e : *h) out.push_back(std::move(e));
                           return true;
                         });
  SHOUHU_RETURN_IF_ERROR(s);
  SHOUHU_RETURN_IF_ERROR(decode_error);
  if (out.empty()) {
    auto c = GetCase(id);
    if (!c.ok()) return c.status();
  }
  return out;
}

StatusOr<CaseList> RuntimeImpl::ListIndex(const std::string& prefix,
                                          const Page& page) {
  size_t limit = std::clamp<size_t>(page.limit, 1, 1000);
  std::vector<std::string> ids;
  std::string start = page.after.empty() ? "" : prefix + page.after + '\0';
  Status s = store_.Scan(prefix, start, [&](std::string_view key, std::string_view) {
    ids.emplace_back(codec::CaseIdOfIndexKey(key, prefix));
    return ids.size() <= limit;  // one more than a page tells if more exist
  });
  SHOUHU_RETURN_IF_ERROR(s);
  CaseList list;
  if (ids.size() > limit) {
    ids.pop_back();
    list.next = ids.back();
  }
  for (const std::string& id : ids) {
    auto c = GetCase(id);
    if (!c.ok()) return c.status();
    list.cases.push_back(std::move(*c));
  }
  return list;
}

StatusOr<CaseList> RuntimeImpl::ListByState(const std::string& workflow_id,
                                            const std::string& state,
                                            const Page& page) {
  return ListIndex(codec::ByStatePrefix(workflow_id, state), page);
}
StatusOr<CaseList> RuntimeImpl::ListByOwner(const std::string& owner,
                                            const Page& page) {
  return ListIndex(codec::ByOwnerPrefix(owner), page);
}
StatusOr<CaseList> RuntimeImpl::ListByUnit(const std::string& unit,
                                           const Page& page) {
  return ListIndex(codec::ByUnitPrefix(unit), page);
}
StatusOr<CaseList> RuntimeImpl::ListByReporter(const std::string& user,
                                               const Page& page) {
  return ListIndex(codec::ByReporterPrefix(user), page);
}
StatusOr<CaseList> RuntimeImpl::ListOverdue(const Page& page) {
  return ListIndex(std::string(codec::kOverduePrefix), page);
}

StatusOr<OutboxEntry> RuntimeImpl::ReadOutboxEntry(uint64_t id, std::string_view value) {
  auto ref = codec::DecodeOutboxRef(value);
  if (!ref.ok()) return ref.status();
  if (!*ref) return codec::DecodeOutbox(value);
  // The firing record is history, never deleted: a reference that finds
  // none is damage, quarantined like an unreadable entry.
  auto firing = store_.Get(codec::HistoryKey((*ref)->case_id, (*ref)->seq));
  if (!firing.ok()) {
    if (firing.status().code() != StatusCode::kNotFound) return firing.status();
    return Internal("outbox entry " + std::to_string(id) + ": its firing record (case " +
                    (*ref)->case_id + ", seq " + std::to_string((*ref)->seq) + ") is missing");
  }
  return codec::OutboxEntryOfFiring(*firing, **ref, id);
}

StatusOr<std::vector<OutboxEntry>> RuntimeImpl::Outbox(size_t limit) {
  std::vector<OutboxEntry> out;
  if (limit == 0) return out;
  // An entry that cannot be decoded must not hold up the notifications
  // queued after it: it is moved, byte for byte, to the quarantine area
  // (z/, codec.h) and logged, and the scan goes on.
  std::vector<std::pair<std::string, std::string>> corrupt;
  Status read_error;  // a firing record that could not be read: not damage
  Status s = store_.Scan(codec::kOutboxPrefix, "",
                         [&](std::string_view key, std::string_view value) {
                           auto o = ReadOutboxEntry(
                               codec::DecodeBigEndian(key.substr(codec::kOutboxPrefix.size())),
                               value);
                           if (!o.ok() && o.status().code() != StatusCode::kInternal) {
                             read_error = o.status();
                             return false;
                           }
                           if (!o.ok()) {
                             corrupt.emplace_back(key, value);
                             std::fprintf(stderr,
                                          "shouhud: outbox entry %llu is unreadable (%s); "
                                          "moved to the quarantine area (z/)\n",
                                          static_cast<unsigned long long>(
                                              codec::DecodeBigEndian(key.substr(
                                                  codec::kOutboxPrefix.size()))),
                                          o.status().ToString().c_str());
                             return true;
                           }
                           out.push_back(std::move(*o));
                           return out.size() < limit;
                         });
  SHOUHU_RETURN_IF_ERROR(s);
  SHOUHU_RETURN_IF_ERROR(read_error);
  if (!corrupt.empty()) {
    std::vector<Mutation> batch;
    for (auto& [key, value] : corrupt) {
      batch.push_back(Mutation::Delete(key));
      batch.push_back(Mutation::Put(codec::QuarantineKey(key), std::move(value)));
    }
    SHOUHU_RETURN_IF_ERROR(store_.Commit(std::move(batch)));
  }
  return out;
}

}  // namespace shouhu
