#include "plugin_loader.h"

#include <dlfcn.h>

#include <filesystem>

#include "settings.h"

namespace shouhu {
namespace notify {
namespace {

bool IsPluginName(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string PluginPath(const std::string& dir, const std::string& name) {
  return (std::filesystem::path(dir) / ("shouhu_notifier_" + name + ".so"))
      .string();
}

StatusOr<std::shared_ptr<NotifierPlugin::Library>> LoadPluginLibrary(
    const std::string& dir, const std::string& name) {
  if (!IsPluginName(name)) {
    return InvalidArgument("notifier plugin name \"" + name +
                           "\" must be 1-64 characters of [a-z0-9_]");
  }
  const std::string path = PluginPath(dir, name);
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return NotFound("notifier plugin \"" + name + "\": " + path +
                    " does not exist");
  }
  // RTLD_NODELETE: plugins link libcurl and OpenSSL, which register atexit
  // handlers and thread-local destructors; unmapping their code on dlclose
  // would leave those pointing nowhere. Plugins are loaded once per process
  // in practice, so keeping them mapped costs nothing.
  dlerror();
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
  if (!handle) {
    const char* why = dlerror();
    return FailedPrecondition(
        path + ": cannot load: " + (why ? why : "unknown dlopen error"));
  }
  auto lib = std::make_shared<NotifierPlugin::Library>(handle, path);

  dlerror();
  void* sym = dlsym(handle, SHOUHU_NOTIFIER_ENTRY_SYMBOL);
  if (!sym) {
    return FailedPrecondition(path + ": missing symbol \"" +
                              SHOUHU_NOTIFIER_ENTRY_SYMBOL +
                              "\"; not a shouhu notifier plugin (see "
                              "plugins/abi/shouhu_notifier.h)");
  }
  auto entry_fn = reinterpret_cast<shouhu_notifier_entry_fn>(sym);
  const shouhu_notifier_plugin* entry = entry_fn();
  if (!entry)
    return FailedPrecondition(path + ": shouhu_notifier_entry returned NULL");
  if (entry->abi_version != SHOUHU_NOTIFIER_ABI_VERSION) {
    return FailedPrecondition(
        path + ": notifier ABI version " + std::to_string(entry->abi_version) +
        ", expected " + std::to_string(SHOUHU_NOTIFIER_ABI_VERSION) +
        " (rebuild the plugin against shouhu_notifier.h version " +
        std::to_string(SHOUHU_NOTIFIER_ABI_VERSION) + ")");
  }
  if (!entry->name || name != entry->name) {
    return FailedPrecondition(path + ": plugin calls itself \"" +
                              (entry->name ? entry->name : "(null)") +
                              "\", expected \"" + name + "\"");
  }
  if (!entry->init || !entry->send || !entry->shutdown) {
    return FailedPrecondition(path +
                              ": init, send and shutdown must all be set");
  }
  auto settings = ReadSettingsTable(entry->settings, path);
  if (!settings.ok()) return settings.status();

  lib->entry_ = entry;
  lib->name_ = name;
  lib->description_ = entry->description ? entry->description : "";
  lib->settings_ = std::move(*settings);
  return lib;
}

}  // namespace notify

NotifierPlugin::Library::~Library() { dlclose(handle_); }

NotifierPlugin::NotifierPlugin(std::shared_ptr<Library> library)
    : library_(std::move(library)) {}

StatusOr<std::shared_ptr<NotifierPlugin>> NotifierPlugin::Open(
    const std::string& dir, const std::string& name) {
  auto lib = notify::LoadPluginLibrary(dir, name);
  if (!lib.ok()) return lib.status();
  return std::make_shared<NotifierPlugin>(std::move(*lib));
}

const std::string& NotifierPlugin::name() const { return library_->name_; }
const std::string& NotifierPlugin::path() const { return library_->path_; }
const std::string& NotifierPlugin::description() const {
  return library_->description_;
}
const std::vector<NotifierSetting>& NotifierPlugin::settings() const {
  return library_->settings_;
}

std::string NotifierPlugin::Help() const {
  return notify::FormatHelp(name(), description(), settings());
}

StatusOr<std::unique_ptr<Notifier>> NotifierPlugin::Create(
    const std::string& config_json) const {
  auto config = notify::CheckConfig(name(), settings(), config_json);
  if (!config.ok()) return config.status();
  char err[1024] = {0};
  void* ctx = library_->entry_->init(config->c_str(), err, sizeof err);
  if (!ctx) {
    err[sizeof err - 1] = '\0';
    return InvalidArgument("notifier \"" + name() + "\": " +
                           (err[0] ? err : "init failed without a message"));
  }
  return std::make_unique<Notifier>(
      std::make_unique<Notifier::Impl>(library_, ctx));
}

StatusOr<std::unique_ptr<Notifier>> LoadNotifier(
    const std::string& dir, const std::string& name,
    const std::string& config_json) {
  auto plugin = NotifierPlugin::Open(dir, name);
  if (!plugin.ok()) return plugin.status();
  return (*plugin)->Create(config_json);
}

}  // namespace shouhu
