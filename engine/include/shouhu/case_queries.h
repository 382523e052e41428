// CaseQueries: reads of cases, served from the store's indexes.
//
// Thread safety: every method is safe to call from many threads at once. A
// query takes no lock of the runtime: each reads one consistent snapshot of
// the store, so it never waits for a command and sees a command's batch
// whole or not at all.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "shouhu/case.h"
#include "shouhu/status.h"

namespace shouhu {

struct Page {
  std::string after;  // exclusive cursor: the last case id of the prior page
  size_t limit = 50;
};

struct CaseList {
  std::vector<CaseRecord> cases;
  std::string next;  // cursor for the next page, "" when done
};

class CaseQueries {
 public:
  virtual ~CaseQueries() = default;

  // kNotFound for an unknown case.
  virtual StatusOr<CaseRecord> GetCase(const std::string& id) = 0;
  virtual StatusOr<std::vector<HistoryEntry>> History(const std::string& id) = 0;
  virtual StatusOr<CaseList> ListByState(const std::string& workflow_id,
                                         const std::string& state,
                                         const Page& page) = 0;
  virtual StatusOr<CaseList> ListByOwner(const std::string& owner,
                                         const Page& page) = 0;
  virtual StatusOr<CaseList> ListByUnit(const std::string& unit,
                                        const Page& page) = 0;
  virtual StatusOr<CaseList> ListOverdue(const Page& page) = 0;
  // The cases `user` reported: opened, or joined with a later report.
  virtual StatusOr<CaseList> ListByReporter(const std::string& user, const Page& page) = 0;
};

}  // namespace shouhu
