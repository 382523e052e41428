// Reading a plugin's configuration (the JSON object init receives) through
// the plugin's own settings table, so a setting's name, type and default are
// written once, in the table.
//
// The host has already checked the object against the table (unknown keys,
// required settings, types) and filled in defaults. The reader still applies
// defaults and checks types itself, so a plugin used without the host (or by
// a host that skips the check) fails with a clear message instead of
// misbehaving.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "shouhu_notifier.h"

namespace shouhu::plugin {

// Reads settings one by one and keeps the first error. Not thread-safe; used
// once, inside init.
//
//   ConfigReader r(kSettings, config_json);
//   r.String("url", &url);
//   r.Int("timeout_ms", &timeout_ms);
//   if (!r.ok()) return Fail(err, errlen, r.error());
class ConfigReader {
 public:
  ConfigReader(const shouhu_setting* table, const char* config_json);

  // For STRING, SECRET and ENUM settings. An ENUM value is checked against
  // its choices.
  void String(const char* name, std::string* out);
  void Int(const char* name, int64_t* out);
  void Bool(const char* name, bool* out);
  void Map(const char* name, std::map<std::string, std::string>* out);

  // Records an error found by the plugin's own checks, e.g.
  // Fail("url", "must start with smtp:// or smtps://").
  void Fail(const std::string& setting, const std::string& what);

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

 private:
  // The value of `name`: given, else its default; null if neither. Records an
  // error (and returns null) if the name is not in the table or the value
  // does not have `type`.
  nlohmann::json Get(const char* name, int type);
  const shouhu_setting* Find(const char* name) const;

  const shouhu_setting* table_;
  nlohmann::json values_;
  std::string error_;
};

}  // namespace shouhu::plugin
