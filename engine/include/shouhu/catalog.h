// The catalog: every workflow definition and calendar loaded from disk,
// validated, with several versions of a workflow side by side.
//
// Thread safety: safe to share between threads; lookups may run while
// Adopt (a reload) swaps the contents.
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

struct CatalogContents;  // catalog.cc

class Catalog {
 public:
  // Loads every `*.json` file under `paths` (files, or folders searched
  // recursively). Each file is a workflow ("kind": "workflow") or a calendar
  // ("kind": "calendar"). Appends every problem found to `errors`; a workflow
  // with any error is left out of the catalog. Files are read in path order so
  // the errors come out in a stable order.
  static Catalog Load(const std::vector<std::string>& paths,
                      std::vector<DefinitionError>* errors);

  Catalog();
  Catalog(const Catalog& other);  // a copy of what `other` holds now
  Catalog& operator=(const Catalog& other);
  Catalog(Catalog&&) noexcept;
  Catalog& operator=(Catalog&&) noexcept;
  ~Catalog();

  // The exact version; nullptr when not loaded.
  std::shared_ptr<const Workflow> Find(std::string_view id, int version) const;
  // The highest version of `id`: what new cases start on. nullptr if none.
  std::shared_ptr<const Workflow> Newest(std::string_view id) const;
  const Calendar* FindCalendar(std::string_view id) const;
  // Every loaded workflow, by id then version.
  std::vector<std::shared_ptr<const Workflow>> All() const;

  // A reload (shouhud's SIGHUP): takes what `next` holds if every workflow
  // version held now is in `next` from a file of the same content (cases
  // run on it); new workflows and new versions come in. Returns the
  // problems that refused it, in which case nothing changed. Lookups
  // running meanwhile see the old catalog or the new one, never a mix;
  // workflows and calendars handed out stay valid.
  // REQUIRES: one Adopt at a time.
  std::vector<std::string> Adopt(const Catalog& next);

 private:
  struct Shared;
  std::shared_ptr<const CatalogContents> Current() const;

  std::unique_ptr<Shared> shared_;
};

}  // namespace shouhu
