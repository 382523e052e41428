// Host side of the notifier ABI: a plugin library opened with dlopen, and one
// instance (init's context) of it. Private to engine/src/notify.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "shouhu/notifier.h"
#include "shouhu/status.h"
#include "shouhu_notifier.h"

namespace shouhu {

// A loaded plugin file. Immutable after LoadPluginLibrary; thread-safe.
class NotifierPlugin::Library {
 public:
  Library(void* handle, std::string path)
      : handle_(handle), path_(std::move(path)) {}
  ~Library();  // dlclose
  Library(const Library&) = delete;
  Library& operator=(const Library&) = delete;

  void* handle_;
  std::string path_;
  const shouhu_notifier_plugin* entry_ = nullptr;  // static storage in the .so
  std::string name_;
  std::string description_;
  std::vector<NotifierSetting> settings_;
};

// An instance: the context init returned. Keeps its library loaded.
class Notifier::Impl {
 public:
  Impl(std::shared_ptr<const NotifierPlugin::Library> library, void* ctx)
      : library_(std::move(library)), ctx_(ctx) {}
  ~Impl() { library_->entry_->shutdown(ctx_); }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  std::shared_ptr<const NotifierPlugin::Library> library_;
  void* ctx_;
};

namespace notify {

// The file a plugin named `name` lives in under `dir`.
std::string PluginPath(const std::string& dir, const std::string& name);

// Opens and checks a plugin file; see NotifierPlugin::Open for the errors.
StatusOr<std::shared_ptr<NotifierPlugin::Library>> LoadPluginLibrary(
    const std::string& dir, const std::string& name);

}  // namespace notify
}  // namespace shouhu
