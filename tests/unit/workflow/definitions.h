// Where the definition fixtures live, and a one-call load that keeps the
// errors as `file:json-pointer: message` lines so a failure prints them all.
//
// tests/fixtures/workflows/valid/minimal.json is a small workflow that uses
// every part of the language; each invalid/<kind>.json is a copy of it (or of
// valid/calendars/test-cal.json) with exactly one defect.
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "shouhu/catalog.h"
#include "../../support/test_paths.h"

namespace shouhu::testing {

inline std::string SourcePath(const std::string& relative) {
  return SourceTree("/" + relative);
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

// `{"not": … {"field": "safe", "eq": true} …}`: `levels` guards deep.
inline std::string NotChain(int levels) {
  std::string text;
  for (int i = 1; i < levels; ++i) text += R"({"not": )";
  text += R"({"field": "safe", "eq": true})";
  text.append(levels - 1, '}');
  return text;
}

// Writes dir/deep.json: valid/minimal.json with the "finish" event's
// (/events/3) guard replaced by `guard`. Returns its path.
inline std::string MinimalWithGuard(const std::string& dir, const std::string& guard) {
  std::ifstream in(FixturePath("valid/minimal.json"));
  std::stringstream text;
  text << in.rdbuf();
  std::string s = text.str();
  size_t at = s.find(R"("guard": {"all")");
  size_t end = s.find("\"notify\"", at);
  if (at == std::string::npos || end == std::string::npos) return "";
  s.replace(at, end - at, "\"guard\": " + guard + ",\n     ");
  std::string path = dir + "/deep.json";
  std::ofstream(path) << s;
  return path;
}

}  // namespace shouhu::testing
