// The catalog: every workflow definition and calendar loaded from disk,
// validated, with several versions of a workflow side by side.
//
// Thread safety: immutable after Load; safe to share between threads.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "shouhu/calendar.h"
#include "shouhu/workflow.h"

namespace shouhu {

// One problem in one definition file, printed as `file:json-pointer: message`.
struct DefinitionError {
  std::string file;
  std::string pointer;  // RFC 6901, "" for the whole document
  std::string message;
  std::string ToString() const;
};

class Catalog {
 public:
  // Loads every `*.json` file under `paths` (files, or folders searched
  // recursively). Each file is a workflow ("kind": "workflow") or a calendar
  // ("kind": "calendar"). Appends every problem found to `errors`; a workflow
  // with any error is left out of the catalog. Files are read in path order so
  // the errors come out in a stable order.
  static Catalog Load(const std::vector<std::string>& paths,
                      std::vector<DefinitionError>* errors);

  // The exact version; nullptr when not loaded.
  std::shared_ptr<const Workflow> Find(std::string_view id, int version) const;
  // The highest version of `id`: what new cases start on. nullptr if none.
  std::shared_ptr<const Workflow> Newest(std::string_view id) const;
  const Calendar* FindCalendar(std::string_view id) const;
  // Every loaded workflow, by id then version.
  std::vector<std::shared_ptr<const Workflow>> All() const;

 private:
  void CheckLinkedCases(std::vector<DefinitionError>* errors);

  std::map<std::pair<std::string, int>, std::shared_ptr<const Workflow>,
           std::less<>>
      workflows_;
  std::map<std::string, Calendar, std::less<>> calendars_;
};

}  // namespace shouhu
