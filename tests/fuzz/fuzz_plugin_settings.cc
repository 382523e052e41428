// libFuzzer: any settings for each notifier plugin (the "notifiers" section
// of shouhud.json) checked against the plugin's table and passed to its init,
// as shouhud does at start-up. The first byte picks the plugin; a refusal is
// fine, a crash is not.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "../support/test_paths.h"
#include "shouhu/notifier.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto* plugins = [] {
    auto* out = new std::vector<std::shared_ptr<shouhu::NotifierPlugin>>();
    for (const char* name : {"email", "sms", "webhook", "wecom"}) {
      auto p = shouhu::NotifierPlugin::Open(BuildTree("/plugins"), name);
      if (!p.ok()) std::abort();
      out->push_back(std::move(*p));
    }
    return out;
  }();
  if (size == 0) return 0;
  const auto& plugin = (*plugins)[data[0] % plugins->size()];
  std::string config(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto notifier = plugin->Create(config);
  (void)notifier;  // made and destroyed; never sends
  return 0;
}
