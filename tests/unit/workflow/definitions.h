// Where the definition fixtures live, and a one-call load that keeps the
// errors as `file:json-pointer: message` lines so a failure prints them all.
//
// tests/fixtures/workflows/valid/minimal.json is a small workflow that uses
// every part of the language; each invalid/<kind>.json is a copy of it (or of
// valid/calendars/test-cal.json) with exactly one defect.
#pragma once

#include <string>
#include <vector>

#include "shouhu/catalog.h"

namespace shouhu::testing {

inline std::string SourcePath(const std::string& relative) {
  return std::string(SHOUHU_SOURCE_DIR) + "/" + relative;
}

inline std::string FixturePath(const std::string& relative) {
  return SourcePath("tests/fixtures/workflows/" + relative);
}

inline std::string InvalidFixture(const std::string& kind) {
  return FixturePath("invalid/" + kind + ".json");
}

inline const std::string& TestCalendarFile() {
  static const std::string path = FixturePath("valid/calendars/test-cal.json");
  return path;
}

struct Loaded {
  Catalog catalog;
  std::vector<DefinitionError> errors;

  std::vector<std::string> Lines() const {
    std::vector<std::string> out;
    for (const DefinitionError& e : errors) out.push_back(e.ToString());
    return out;
  }
};

inline Loaded Load(const std::vector<std::string>& paths) {
  Loaded l;
  l.catalog = Catalog::Load(paths, &l.errors);
  return l;
}

// Loads invalid/<kind>.json together with the calendar the minimal workflow
// names, so the only errors are the fixture's own.
inline Loaded LoadInvalid(const std::string& kind) {
  return Load({InvalidFixture(kind), TestCalendarFile()});
}

// The error line expected for invalid/<kind>.json: "<file>:<rest>".
inline std::string Line(const std::string& kind, const std::string& rest) {
  return InvalidFixture(kind) + ":" + rest;
}

}  // namespace shouhu::testing
