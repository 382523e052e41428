#include "config.h"

#include <cstring>

namespace shouhu::plugin {
namespace {

using json = nlohmann::json;

bool IsStringType(int type) {
  return type == SHOUHU_SETTING_STRING || type == SHOUHU_SETTING_SECRET ||
         type == SHOUHU_SETTING_ENUM;
}

bool HasType(const json& v, int type) {
  if (IsStringType(type)) return v.is_string();
  if (type == SHOUHU_SETTING_INT) return v.is_number_integer();
  if (type == SHOUHU_SETTING_BOOL) return v.is_boolean();
  if (type == SHOUHU_SETTING_MAP) {
    if (!v.is_object()) return false;
    for (const auto& item : v) {
      if (!item.is_string()) return false;
    }
    return true;
  }
  return false;
}

bool IsChoice(const char* choices, const std::string& v) {
  std::string all = std::string("|") + (choices ? choices : "") + "|";
  return all.find("|" + v + "|") != std::string::npos;
}

}  // namespace

ConfigReader::ConfigReader(const shouhu_setting* table, const char* config_json)
    : table_(table) {
  values_ = json::parse(config_json ? config_json : "{}", nullptr,
                        /*allow_exceptions=*/false);
  if (values_.is_discarded() || !values_.is_object()) {
    error_ = "configuration must be a JSON object";
  }
}

void ConfigReader::Fail(const std::string& setting, const std::string& what) {
  if (error_.empty()) error_ = "setting \"" + setting + "\": " + what;
}

const shouhu_setting* ConfigReader::Find(const char* name) const {
  for (const shouhu_setting* row = table_; row->name; ++row) {
    if (std::strcmp(row->name, name) == 0) return row;
  }
  return nullptr;
}

json ConfigReader::Get(const char* name, int type) {
  if (!ok()) return nullptr;
  const shouhu_setting* row = Find(name);
  if (!row || row->type != type) {
    error_ = std::string("internal: setting \"") + name +
             "\" is not in the settings table with that type";
    return nullptr;
  }
  json v;
  if (auto it = values_.find(name); it != values_.end()) {
    v = *it;
  } else if (row->required) {
    Fail(name, "required setting is missing");
    return nullptr;
  } else if (!row->default_value) {
    return nullptr;
  } else if (IsStringType(type)) {
    v = row->default_value;
  } else {
    v = json::parse(row->default_value, nullptr, /*allow_exceptions=*/false);
  }
  if (!HasType(v, type)) {
    Fail(name, "has the wrong type");
    return nullptr;
  }
  if (type == SHOUHU_SETTING_ENUM &&
      !IsChoice(row->choices, v.get<std::string>())) {
    Fail(name, std::string("must be one of ") + row->choices);
    return nullptr;
  }
  return v;
}

void ConfigReader::String(const char* name, std::string* out) {
  const shouhu_setting* row = Find(name);
  int type = row && IsStringType(row->type) ? row->type : SHOUHU_SETTING_STRING;
  json v = Get(name, type);
  if (v.is_string()) *out = v.get<std::string>();
}

void ConfigReader::Int(const char* name, int64_t* out) {
  json v = Get(name, SHOUHU_SETTING_INT);
  if (v.is_number_integer()) *out = v.get<int64_t>();
}

void ConfigReader::Bool(const char* name, bool* out) {
  json v = Get(name, SHOUHU_SETTING_BOOL);
  if (v.is_boolean()) *out = v.get<bool>();
}

void ConfigReader::Map(const char* name,
                       std::map<std::string, std::string>* out) {
  json v = Get(name, SHOUHU_SETTING_MAP);
  if (!v.is_object()) return;
  out->clear();
  for (const auto& [key, item] : v.items())
    (*out)[key] = item.get<std::string>();
}

}  // namespace shouhu::plugin
