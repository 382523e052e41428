// JsonReader: walks a parsed JSON definition and records every structural
// problem as a DefinitionError at its JSON pointer. Used only by the loader.
//
// Thread safety: not thread-safe; one reader per file.
#pragma once

#include <initializer_list>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "shouhu/catalog.h"
#include "shouhu/duration.h"
#include "shouhu/workflow.h"

namespace shouhu {

class JsonReader {
 public:
  using json = nlohmann::json;

  JsonReader(std::string file, std::vector<DefinitionError>* errors)
      : file_(std::move(file)), errors_(errors) {}

  void Error(const std::string& pointer, std::string message);
  int error_count() const { return count_; }

  // Reports members of `obj` not in `allowed` (a typo is an error, not a
  // silently ignored setting). REQUIRES: obj is an object.
  void OnlyMembers(const json& obj, const std::string& ptr,
                   std::initializer_list<const char*> allowed);

  // Each getter reads obj[key] at ptr + "/" + key; a missing required member
  // or a wrong JSON type is an error. Returns whether a value was read.
  bool String(const json& obj, const std::string& ptr, const char* key,
              std::string* out, bool required);
  bool Bool(const json& obj, const std::string& ptr, const char* key,
            bool* out);
  bool Int(const json& obj, const std::string& ptr, const char* key, int* out,
           bool required);
  bool StringList(const json& obj, const std::string& ptr, const char* key,
                  std::vector<std::string>* out, bool required);
  bool Label(const json& obj, const std::string& ptr, const char* key,
             shouhu::Label* out, bool required);
  bool DurationAt(const json& obj, const std::string& ptr, const char* key,
                  Duration* out);
  // The array at obj[key], or nullptr (with an error when required).
  const json* Array(const json& obj, const std::string& ptr, const char* key,
                    bool required);
  // REQUIRES-style check that `v` is an object; reports and returns false.
  bool IsObject(const json& v, const std::string& ptr);

 private:
  std::string file_;
  std::vector<DefinitionError>* errors_;
  int count_ = 0;
};

// "<ptr>/<key>/<i>": the pointer of item i of the array `key`.
std::string Idx(const std::string& ptr, const char* key, size_t i);
// Reports a duplicate `id` among the items already seen at `ptr`.
void CheckUnique(JsonReader& r, std::set<std::string>& seen, const std::string& id,
                 const std::string& ptr, const char* what);

}  // namespace shouhu
