// nlohmann/json is confined to this file on the host side: every parse error
// becomes a Status here and no exception leaves it.
#include "settings.h"

#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

namespace shouhu::notify {
namespace {

using json = nlohmann::json;
using Type = NotifierSetting::Type;

// Guards against a table whose terminating row is missing.
constexpr size_t kMaxSettings = 256;

bool IsIdentifier(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
      return false;
    }
  }
  return true;
}

std::vector<std::string> SplitChoices(const char* choices) {
  std::vector<std::string> out;
  if (!choices) return out;
  std::string cur;
  for (const char* p = choices;; ++p) {
    if (*p == '|' || *p == '\0') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
      if (*p == '\0') break;
    } else {
      cur += *p;
    }
  }
  return out;
}

std::string Join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
  return out;
}

const char* JsonKind(const json& v) {
  switch (v.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::string:
      return "a string";
    case json::value_t::array:
      return "an array";
    case json::value_t::object:
      return "an object";
    case json::value_t::number_float:
      return "a fractional number";
    default:
      return "an integer";
  }
}

// Checks `v` against `s`. Returns "" when it fits, else what is wrong (without
// the value of a secret).
std::string TypeError(const NotifierSetting& s, const json& v) {
  switch (s.type) {
    case Type::kString:
    case Type::kSecret:
      if (!v.is_string())
        return std::string("expected a string, got ") + JsonKind(v);
      return "";
    case Type::kInt:
      if (!v.is_number_integer()) {
        return std::string("expected an integer, got ") + JsonKind(v);
      }
      return "";
    case Type::kBool:
      if (!v.is_boolean())
        return std::string("expected true or false, got ") + JsonKind(v);
      return "";
    case Type::kEnum: {
      if (!v.is_string()) {
        return "expected one of " + Join(s.choices, ", ") + ", got " +
               JsonKind(v);
      }
      for (const std::string& c : s.choices) {
        if (c == v.get<std::string>()) return "";
      }
      return "must be one of " + Join(s.choices, ", ") + ", got \"" +
             v.get<std::string>() + "\"";
    }
    case Type::kMap:
      if (!v.is_object())
        return std::string("expected an object, got ") + JsonKind(v);
      for (const auto& [key, item] : v.items()) {
        if (!item.is_string())
          return "value of \"" + key + "\" must be a string";
      }
      return "";
  }
  return "unknown type";
}

// The JSON value of a default given in text form, or discarded on error.
json DefaultValue(const NotifierSetting& s) {
  switch (s.type) {
    case Type::kString:
    case Type::kSecret:
    case Type::kEnum:
      return json(s.default_value);
    case Type::kInt:
    case Type::kBool:
    case Type::kMap:
      return json::parse(s.default_value, nullptr, /*allow_exceptions=*/false);
  }
  return json(json::value_t::discarded);
}

}  // namespace

StatusOr<std::vector<NotifierSetting>> ReadSettingsTable(
    const shouhu_setting* table, const std::string& where) {
  auto bad = [&](const std::string& m) {
    return FailedPrecondition(where + ": malformed settings table: " + m);
  };
  if (!table) return bad("settings is NULL");
  std::vector<NotifierSetting> out;
  std::set<std::string> seen;
  for (size_t i = 0; table[i].name; ++i) {
    if (i == kMaxSettings) return bad("more than 256 rows (missing NULL row?)");
    const shouhu_setting& row = table[i];
    NotifierSetting s;
    s.name = row.name;
    if (!IsIdentifier(s.name))
      return bad("name \"" + s.name + "\" is not [a-z0-9_]+");
    if (!seen.insert(s.name).second)
      return bad("\"" + s.name + "\" declared twice");
    switch (row.type) {
      case SHOUHU_SETTING_STRING:
        s.type = Type::kString;
        break;
      case SHOUHU_SETTING_SECRET:
        s.type = Type::kSecret;
        break;
      case SHOUHU_SETTING_INT:
        s.type = Type::kInt;
        break;
      case SHOUHU_SETTING_BOOL:
        s.type = Type::kBool;
        break;
      case SHOUHU_SETTING_ENUM:
        s.type = Type::kEnum;
        break;
      case SHOUHU_SETTING_MAP:
        s.type = Type::kMap;
        break;
      default:
        return bad("\"" + s.name + "\" has unknown type " +
                   std::to_string(row.type));
    }
    s.required = row.required != 0;
    s.description = row.description ? row.description : "";
    if (s.type == Type::kEnum) {
      s.choices = SplitChoices(row.choices);
      if (s.choices.empty())
        return bad("enum \"" + s.name + "\" has no choices");
    }
    if (!s.required && row.default_value) {
      s.has_default = true;
      s.default_value = row.default_value;
      json v = DefaultValue(s);
      std::string err = v.is_discarded() ? "does not parse" : TypeError(s, v);
      if (!err.empty()) return bad("default of \"" + s.name + "\": " + err);
    }
    out.push_back(std::move(s));
  }
  return out;
}

StatusOr<std::string> CheckConfig(const std::string& plugin,
                                  const std::vector<NotifierSetting>& settings,
                                  const std::string& config_json) {
  const std::string prefix = "notifier \"" + plugin + "\": ";
  json config = config_json.empty() ? json::object()
                                    : json::parse(config_json, nullptr,
                                                  /*allow_exceptions=*/false);
  if (config.is_discarded())
    return InvalidArgument(prefix + "configuration is not valid JSON");
  if (!config.is_object())
    return InvalidArgument(prefix + "configuration must be a JSON object");

  std::vector<std::string> known;
  for (const NotifierSetting& s : settings) known.push_back(s.name);
  for (const auto& [key, value] : config.items()) {
    bool found = false;
    for (const NotifierSetting& s : settings) found = found || s.name == key;
    if (!found) {
      return InvalidArgument(prefix + "unknown setting \"" + key +
                             "\" (known: " + Join(known, ", ") + ")");
    }
  }

  json out = json::object();
  for (const NotifierSetting& s : settings) {
    auto it = config.find(s.name);
    if (it == config.end()) {
      if (s.required) {
        return InvalidArgument(prefix + "missing required setting \"" + s.name +
                               "\": " + s.description);
      }
      if (s.has_default) out[s.name] = DefaultValue(s);
      continue;
    }
    std::string err = TypeError(s, *it);
    if (!err.empty()) {
      return InvalidArgument(prefix + "setting \"" + s.name + "\": " + err);
    }
    out[s.name] = *it;
  }
  return out.dump();
}

std::string FormatHelp(const std::string& plugin,
                       const std::string& description,
                       const std::vector<NotifierSetting>& settings) {
  std::ostringstream out;
  out << plugin << ": " << description << "\n\nSettings:\n";
  for (const NotifierSetting& s : settings) {
    out << "  " << s.name << " (";
    if (s.type == Type::kEnum) {
      out << Join(s.choices, "|");
    } else {
      out << NotifierSettingTypeName(s.type);
    }
    if (s.required) {
      out << ", required";
    } else if (s.has_default) {
      out << ", default "
          << (s.default_value.empty() ? "\"\"" : s.default_value);
    } else {
      out << ", optional";
    }
    out << ")\n      " << s.description << "\n";
  }
  return out.str();
}

}  // namespace shouhu::notify

namespace shouhu {

std::string_view NotifierSettingTypeName(NotifierSetting::Type type) {
  switch (type) {
    case NotifierSetting::Type::kString:
      return "string";
    case NotifierSetting::Type::kSecret:
      return "secret string";
    case NotifierSetting::Type::kInt:
      return "integer";
    case NotifierSetting::Type::kBool:
      return "boolean";
    case NotifierSetting::Type::kEnum:
      return "enum";
    case NotifierSetting::Type::kMap:
      return "object of strings";
  }
  return "unknown";
}

}  // namespace shouhu
