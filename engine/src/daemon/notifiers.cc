#include "daemon/notifiers.h"

#include <cstdio>

#include "shouhu/log.h"
#include "shouhu/notifier.h"

namespace shouhu {
namespace {

using json = nlohmann::json;

// "HH:MM" as minutes of the day, or -1.
int ParseClockTime(const json& j) {
  unsigned h = 0, m = 0;
  char tail = 0;
  if (!j.is_string() ||
      std::sscanf(j.get<std::string>().c_str(), "%2u:%2u%c", &h, &m, &tail) !=
          2 ||
      h > 23 || m > 59) {
    return -1;
  }
  return static_cast<int>(h * 60 + m);
}

// "+08:00" / "-05:30" as minutes, or nullopt.
std::optional<int> ParseOffset(const json& j) {
  unsigned h = 0, m = 0;
  char sign = 0, tail = 0;
  if (!j.is_string() ||
      std::sscanf(j.get<std::string>().c_str(), "%c%2u:%2u%c", &sign, &h, &m,
                  &tail) != 3 ||
      (sign != '+' && sign != '-') || h > 14 || m > 59) {
    return std::nullopt;
  }
  int minutes = static_cast<int>(h * 60 + m);
  return sign == '-' ? -minutes : minutes;
}

class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}
  Status Bad(const std::string& pointer, const std::string& why) const {
    return InvalidArgument(file_ + ":/notifiers" + pointer + ": " + why);
  }
  Status Known(const json& j, const std::string& pointer,
               std::initializer_list<const char*> known) const {
    if (!j.is_object()) return Bad(pointer, "expected an object");
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (std::none_of(known.begin(), known.end(),
                       [&](const char* k) { return it.key() == k; })) {
        return Bad(pointer + "/" + it.key(),
                   "unknown member \"" + it.key() + "\"");
      }
    }
    return Status::Ok();
  }
  // An ISO 8601 duration of days, hours, minutes and seconds.
  Status Millis(const json& j, const std::string& pointer,
                std::chrono::milliseconds* out) const {
    auto d = ParseDuration(j.is_string() ? j.get<std::string>() : "");
    if (!d.ok() || d->years || d->months || d->is_zero()) {
      return Bad(pointer,
                 "expected a positive duration such as \"PT30S\" or \"PT1H\"");
    }
    *out = std::chrono::seconds(d->days * 86400LL + d->seconds);
    return Status::Ok();
  }

 private:
  std::string file_;
};

Status ParseChannel(const Reader& r, const std::string& name, const json& j,
                    ChannelConfig* c) {
  std::string at = "/channels/" + name;
  SHOUHU_RETURN_IF_ERROR(
      r.Known(j, at,
              {"plugin", "config", "enabled", "contact", "concurrency",
               "rate_per_minute", "burst", "quiet_hours", "template_ids"}));
  c->name = name;
  if (!j.contains("plugin") || !j["plugin"].is_string()) {
    return r.Bad(at + "/plugin", "expected the plugin's name, e.g. \"email\"");
  }
  c->plugin = j["plugin"].get<std::string>();
  if (j.contains("config")) {
    if (!j["config"].is_object())
      return r.Bad(at + "/config", "expected an object");
    c->plugin_config_json = j["config"].dump();
  }
  const json enabled = j.value("enabled", json(true));
  if (!enabled.is_boolean())
    return r.Bad(at + "/enabled", "expected true or false");
  c->enabled = enabled.get<bool>();
  const json contact = j.value("contact", json(DefaultContact(name)));
  c->contact = contact.is_string() ? contact.get<std::string>() : "";
  if (!IsContactKind(c->contact)) {
    return r.Bad(at + "/contact",
                 "expected \"email\", \"phone\", \"webhook\", \"wecom\" or \"dingtalk\"");
  }
  const json concurrency = j.value("concurrency", json(1));
  if (!concurrency.is_number_integer() || concurrency.get<int>() < 1 ||
      concurrency.get<int>() > 64) {
    return r.Bad(at + "/concurrency", "expected an integer from 1 to 64");
  }
  c->concurrency = concurrency.get<int>();
  const json rate = j.value("rate_per_minute", json(0));
  if (!rate.is_number() || rate.get<double>() < 0) {
    return r.Bad(at + "/rate_per_minute",
                 "expected a number >= 0 (0: no limit)");
  }
  c->rate_per_minute = rate.get<double>();
  const json burst = j.value("burst", json(1));
  if (!burst.is_number_integer() || burst.get<int>() < 1) {
    return r.Bad(at + "/burst", "expected an integer >= 1");
  }
  c->burst = burst.get<int>();
  if (j.contains("template_ids")) {
    const json& ids = j["template_ids"];
    if (!ids.is_object())
      return r.Bad(at + "/template_ids", "expected an object");
    for (auto it = ids.begin(); it != ids.end(); ++it) {
      if (!it->is_string()) {
        return r.Bad(at + "/template_ids/" + it.key(),
                     "expected the provider's template id");
      }
      c->template_ids[it.key()] = it->get<std::string>();
    }
  }
  if (j.contains("quiet_hours")) {
    const json& q = j["quiet_hours"];
    SHOUHU_RETURN_IF_ERROR(
        r.Known(q, at + "/quiet_hours", {"start", "end", "utc_offset"}));
    QuietHours hours;
    hours.start_minute = ParseClockTime(q.value("start", json()));
    hours.end_minute = ParseClockTime(q.value("end", json()));
    if (hours.start_minute < 0)
      return r.Bad(at + "/quiet_hours/start", "expected \"HH:MM\"");
    if (hours.end_minute < 0)
      return r.Bad(at + "/quiet_hours/end", "expected \"HH:MM\"");
    auto offset = ParseOffset(q.value("utc_offset", json("+08:00")));
    if (!offset)
      return r.Bad(at + "/quiet_hours/utc_offset", "expected \"+08:00\"");
    hours.utc_offset = std::chrono::minutes(*offset);
    c->quiet_hours = hours;
  }
  return Status::Ok();
}

}  // namespace

StatusOr<NotifiersConfig> ParseNotifiersConfig(
    const json& j, const std::filesystem::path& base, const std::string& file) {
  Reader r(file);
  SHOUHU_RETURN_IF_ERROR(r.Known(j, "", {"plugin_dir", "retry", "channels"}));
  NotifiersConfig c;
  if (!j.contains("plugin_dir") || !j["plugin_dir"].is_string()) {
    return r.Bad("/plugin_dir", "expected the folder of the notifier plugins");
  }
  std::filesystem::path dir = j["plugin_dir"].get<std::string>();
  c.plugin_dir = dir.is_absolute() ? dir.string()
                                   : (base / dir).lexically_normal().string();
  if (j.contains("retry")) {
    const json& retry = j["retry"];
    SHOUHU_RETURN_IF_ERROR(
        r.Known(retry, "/retry", {"initial", "max", "max_attempts", "jitter"}));
    if (retry.contains("initial")) {
      SHOUHU_RETURN_IF_ERROR(
          r.Millis(retry["initial"], "/retry/initial", &c.retry.initial));
    }
    if (retry.contains("max")) {
      SHOUHU_RETURN_IF_ERROR(
          r.Millis(retry["max"], "/retry/max", &c.retry.max));
    }
    if (c.retry.max < c.retry.initial)
      return r.Bad("/retry/max", "is less than initial");
    const json attempts =
        retry.value("max_attempts", json(c.retry.max_attempts));
    if (!attempts.is_number_integer() || attempts.get<int>() < 1) {
      return r.Bad("/retry/max_attempts", "expected an integer >= 1");
    }
    c.retry.max_attempts = attempts.get<int>();
    const json jitter = retry.value("jitter", json(c.retry.jitter));
    if (!jitter.is_number() || jitter.get<double>() < 0 ||
        jitter.get<double>() > 1) {
      return r.Bad("/retry/jitter", "expected a number from 0 to 1");
    }
    c.retry.jitter = jitter.get<double>();
  }
  if (!j.contains("channels") || !j["channels"].is_object()) {
    return r.Bad("/channels", "expected an object of channels by name");
  }
  for (auto it = j["channels"].begin(); it != j["channels"].end(); ++it) {
    ChannelConfig channel;
    SHOUHU_RETURN_IF_ERROR(ParseChannel(r, it.key(), it.value(), &channel));
    c.channels.push_back(std::move(channel));
  }
  return c;
}

StatusOr<std::vector<ChannelOptions>> LoadChannels(
    const NotifiersConfig& config) {
  std::vector<ChannelOptions> out;
  for (const ChannelConfig& c : config.channels) {
    if (!c.enabled) continue;
    auto fail = [&](const Status& s) {
      return Status(s.code(), "channel \"" + c.name + "\": " + s.message());
    };
    auto plugin = NotifierPlugin::Open(config.plugin_dir, c.plugin);
    if (!plugin.ok()) return fail(plugin.status());
    ChannelOptions options;
    options.name = c.name;
    options.contact = c.contact;
    options.rate_per_minute = c.rate_per_minute;
    options.burst = c.burst;
    options.quiet_hours = c.quiet_hours;
    options.template_ids = c.template_ids;
    for (int i = 0; i < c.concurrency; ++i) {
      auto notifier = (*plugin)->Create(c.plugin_config_json);
      if (!notifier.ok()) return fail(notifier.status());
      options.senders.push_back(NotifierSender(std::move(*notifier)));
    }
    out.push_back(std::move(options));
  }
  return out;
}

StatusOr<std::vector<ChannelOptions>> LoadDaemonChannels(
    const std::optional<NotifiersConfig>& config, const Organisation* org) {
  if (!config) return std::vector<ChannelOptions>{};
  if (!org) {
    return InvalidArgument(
        "notifiers need an organisation (\"organisation\" in the "
        "configuration): "
        "recipients are its users");
  }
  return LoadChannels(*config);
}

StatusOr<std::unique_ptr<Dispatcher>> StartDispatcher(
    const std::optional<NotifiersConfig>& config,
    std::vector<ChannelOptions> channels, OutboxService& outbox,
    const Catalog& catalog, const OrganisationDirectory* orgs, const AccessRules& rules,
    const Clock& clock, const Leases* leases) {
  if (!config || !orgs) return std::unique_ptr<Dispatcher>();
  std::string names;
  for (const ChannelOptions& c : channels) {
    names += (names.empty() ? "" : ", ") + c.name + " (" +
             std::to_string(c.senders.size()) + " at once)";
  }
  DispatcherOptions options;
  options.retry = config->retry;
  options.leases = leases;
  options.log = [](const std::string& line) { log::Error(line); };
  auto d = Dispatcher::Create(outbox, catalog, *orgs, rules, clock,
                              std::move(channels), options);
  if (!d.ok()) return d.status();
  (*d)->Start();
  log::Info("dispatching notifications: " + (names.empty() ? "no channel enabled" : names));
  return std::move(*d);
}

}  // namespace shouhu
