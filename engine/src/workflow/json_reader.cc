#include "workflow/json_reader.h"

#include <algorithm>
#include <cstring>

namespace shouhu {

void JsonReader::Error(const std::string& pointer, std::string message) {
  ++count_;
  errors_->push_back({file_, pointer, std::move(message)});
}

void JsonReader::OnlyMembers(const json& obj, const std::string& ptr,
                             std::initializer_list<const char*> allowed) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    bool known = std::any_of(allowed.begin(), allowed.end(), [&](const char* a) {
      return it.key() == a;
    });
    if (!known) {
      Error(ptr + "/" + it.key(), "unknown member \"" + it.key() + "\"");
    }
  }
}

bool JsonReader::IsObject(const json& v, const std::string& ptr) {
  if (v.is_object()) return true;
  Error(ptr, "expected an object");
  return false;
}

bool JsonReader::String(const json& obj, const std::string& ptr,
                        const char* key, std::string* out, bool required) {
  auto it = obj.find(key);
  if (it == obj.end()) {
    if (required) Error(ptr, std::string("missing member \"") + key + "\"");
    return false;
  }
  if (!it->is_string() || it->get_ref<const std::string&>().empty()) {
    Error(ptr + "/" + key, "expected a non-empty string");
    return false;
  }
  *out = it->get<std::string>();
  return true;
}

bool JsonReader::Bool(const json& obj, const std::string& ptr, const char* key,
                      bool* out) {
  auto it = obj.find(key);
  if (it == obj.end()) return false;
  if (!it->is_boolean()) {
    Error(ptr + "/" + key, "expected true or false");
    return false;
  }
  *out = it->get<bool>();
  return true;
}

bool JsonReader::Int(const json& obj, const std::string& ptr, const char* key,
                     int* out, bool required) {
  auto it = obj.find(key);
  if (it == obj.end()) {
    if (required) Error(ptr, std::string("missing member \"") + key + "\"");
    return false;
  }
  if (!it->is_number_integer()) {
    Error(ptr + "/" + key, "expected an integer");
    return false;
  }
  *out = it->get<int>();
  return true;
}

bool JsonReader::StringList(const json& obj, const std::string& ptr,
                            const char* key, std::vector<std::string>* out,
                            bool required) {
  auto it = obj.find(key);
  if (it == obj.end()) {
    if (required) Error(ptr, std::string("missing member \"") + key + "\"");
    return false;
  }
  if (!it->is_array()) {
    Error(ptr + "/" + key, "expected an array of strings");
    return false;
  }
  bool ok = true;
  for (size_t i = 0; i < it->size(); ++i) {
    const json& v = (*it)[i];
    if (!v.is_string() || v.get_ref<const std::string&>().empty()) {
      Error(ptr + "/" + key + "/" + std::to_string(i),
            "expected a non-empty string");
      ok = false;
      continue;
    }
    out->push_back(v.get<std::string>());
  }
  return ok;
}

bool JsonReader::Label(const json& obj, const std::string& ptr,
                       const char* key, shouhu::Label* out, bool required) {
  auto it = obj.find(key);
  if (it == obj.end()) {
    if (required) Error(ptr, std::string("missing member \"") + key + "\"");
    return false;
  }
  std::string p = ptr + "/" + key;
  if (!IsObject(*it, p)) return false;
  OnlyMembers(*it, p, {"zh", "en"});
  bool zh = String(*it, p, "zh", &out->zh, true);
  bool en = String(*it, p, "en", &out->en, true);
  return zh && en;
}

bool JsonReader::DurationAt(const json& obj, const std::string& ptr,
                            const char* key, Duration* out) {
  auto it = obj.find(key);
  if (it == obj.end()) return false;
  if (!it->is_string()) {
    Error(ptr + "/" + key, "bad duration: expected a string like PT2H or P3D");
    return false;
  }
  auto d = ParseDuration(it->get<std::string>());
  if (!d.ok()) {
    Error(ptr + "/" + key, d.status().message());
    return false;
  }
  *out = *d;
  return true;
}

const nlohmann::json* JsonReader::Array(const json& obj, const std::string& ptr,
                                        const char* key, bool required) {
  auto it = obj.find(key);
  if (it == obj.end()) {
    if (required) Error(ptr, std::string("missing member \"") + key + "\"");
    return nullptr;
  }
  if (!it->is_array()) {
    Error(ptr + "/" + key, "expected an array");
    return nullptr;
  }
  return &*it;
}

std::string Idx(const std::string& ptr, const char* key, size_t i) {
  return ptr + "/" + key + "/" + std::to_string(i);
}

void CheckUnique(JsonReader& r, std::set<std::string>& seen,
                 const std::string& id, const std::string& ptr,
                 const char* what) {
  if (!id.empty() && !seen.insert(id).second) {
    r.Error(ptr + "/id", std::string("duplicate id \"") + id + "\" among " +
                             what);
  }
}

}  // namespace shouhu
