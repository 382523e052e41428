// Dispatcher channels over the real bundled plugins (build/plugins), for the
// integration tests against real peers on loopback.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "shouhu/dispatcher.h"
#include "shouhu/notifier.h"
#include "../../support/test_paths.h"

namespace shouhu::dispatch_test {

// A channel `name` whose `concurrency` senders are instances of the bundled
// plugin `plugin` with settings `config_json`; fails the test if the plugin
// refuses them.
inline ChannelOptions PluginChannel(const std::string& name,
                                    const std::string& plugin,
                                    const std::string& config_json,
                                    int concurrency = 1) {
  ChannelOptions c;
  c.name = name;
  c.contact = DefaultContact(name);
  auto p = NotifierPlugin::Open(BuildTree("/plugins"), plugin);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  if (!p.ok()) return c;
  for (int i = 0; i < concurrency; ++i) {
    auto n = (*p)->Create(config_json);
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    if (n.ok()) c.senders.push_back(NotifierSender(std::move(*n)));
  }
  return c;
}

}  // namespace shouhu::dispatch_test
