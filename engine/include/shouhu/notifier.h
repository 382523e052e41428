// Notifiers: plugins that deliver a message by email, SMS or webhook, loaded
// at run time over the C ABI in plugins/abi/shouhu_notifier.h.
//
// A notifier makes one attempt per Send and reports OK, RETRY or PERMANENT;
// the caller (the outbox dispatcher) owns retry scheduling and attempt limits.
//
// Typical use:
//   auto plugin = NotifierPlugin::Open("/usr/lib/shouhu/plugins", "email");
//   auto email = (*plugin)->Create(R"({"url": "smtps://mail.example:465",
//   ...})"); SendResult r = (*email)->Send(message);
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "shouhu/status.h"

namespace shouhu {

// One notification, as handed to a plugin. Strings are UTF-8 and must not
// contain NUL bytes (Send refuses such a message as kPermanent).
struct NotifierMessage {
  // Stable across every attempt of the same notification, so that a peer that
  // supports it (a Message-ID, a request field) can drop duplicates.
  std::string idempotency_key;
  std::string recipient;  // email address, phone (E.164) or webhook id
  std::string subject;
  std::string body;
  std::string template_id;                  // provider template id, or ""
  std::string template_params_json = "{}";  // a JSON object
  bool urgent = false;                      // escalation: mark as urgent
};

struct SendResult {
  enum class Code {
    kOk,         // delivered to the peer
    kRetry,      // transient failure: try again later, with backoff
    kPermanent,  // will fail again as is: do not retry this message
  };
  Code code = Code::kOk;
  std::string message;  // why, when not kOk

  bool ok() const { return code == Code::kOk; }
};

std::string_view SendResultCodeName(SendResult::Code code);

// One row of a plugin's settings table.
struct NotifierSetting {
  enum class Type { kString, kSecret, kInt, kBool, kEnum, kMap };
  std::string name;
  Type type = Type::kString;
  bool required = false;
  bool has_default = false;
  std::string default_value;         // text form, when has_default
  std::vector<std::string> choices;  // kEnum only
  std::string description;
};

std::string_view NotifierSettingTypeName(NotifierSetting::Type type);

// One plugin instance: a context returned by the plugin's init.
//
// Thread safety: Send may be called from many threads; calls are serialised
// (the ABI promises plugins one call at a time per instance). For parallel
// delivery, Create several instances.
class Notifier {
 public:
  class Impl;  // defined in engine/src/notify/
  explicit Notifier(std::unique_ptr<Impl> impl);
  ~Notifier();  // calls the plugin's shutdown
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  // Makes one delivery attempt. Never throws; a plugin result outside the
  // ABI's three values is reported as kRetry (never drop a notification on a
  // plugin bug; the dispatcher's attempt limit bounds the retries).
  SendResult Send(const NotifierMessage& message);

  const std::string& plugin_name() const;

 private:
  std::unique_ptr<Impl> impl_;
  std::mutex mu_;
};

// A plugin library loaded with dlopen. Immutable after Open; thread-safe.
// Instances created from it keep it loaded.
class NotifierPlugin {
 public:
  class Library;  // defined in engine/src/notify/

  // Loads `<dir>/shouhu_notifier_<name>.so` and checks its ABI version and
  // description. Errors: kInvalidArgument for a name that is not [a-z0-9_]+;
  // kNotFound when the file does not exist; kFailedPrecondition when it is not
  // a loadable notifier plugin (dlopen error, missing entry symbol, ABI
  // version mismatch, malformed description). Messages name the file.
  static StatusOr<std::shared_ptr<NotifierPlugin>> Open(
      const std::string& dir, const std::string& name);

  explicit NotifierPlugin(std::shared_ptr<Library> library);

  const std::string& name() const;
  const std::string& path() const;
  const std::string& description() const;
  const std::vector<NotifierSetting>& settings() const;

  // The plugin's documentation: each setting with its type, whether it is
  // required, its default and its description (for `--help`).
  std::string Help() const;

  // Checks `config_json` against the settings table (unknown settings,
  // missing required ones, types, enum choices), fills in defaults and calls
  // the plugin's init. Errors: kInvalidArgument with a message naming the
  // plugin and the setting; values of secret settings never appear in it.
  StatusOr<std::unique_ptr<Notifier>> Create(
      const std::string& config_json) const;

 private:
  std::shared_ptr<Library> library_;
};

// Open + Create in one step.
StatusOr<std::unique_ptr<Notifier>> LoadNotifier(
    const std::string& dir, const std::string& name,
    const std::string& config_json);

}  // namespace shouhu
