// A test peer (tests/integration/plugins/*_peer.py) run as a child process:
// it listens on a kernel-chosen loopback port, announces it as "PORT <n>" and
// reports each request as "EVENT <json>" before answering it, so a test reads
// what the peer saw right after Send returns, without sleeping.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "../../support/subprocess.h"
#include "../../support/test_paths.h"

namespace shouhu::testing {

class Peer {
 public:
  // Starts `script` (a file in this directory) with `args` under Debian's
  // python3 (where python3-aiosmtpd lives) and waits for its port.
  Peer(const std::string& script, std::vector<std::string> args)
      : process_(Argv(script, std::move(args))) {
    if (process_.WaitForLine("PORT ")) {
      port_ = std::stoi(process_.last_line().substr(process_.last_line().find("PORT ") + 5));
    }
  }

  bool started() const { return port_ > 0; }
  int port() const { return port_; }
  std::string url(const std::string& scheme,
                  const std::string& path = "") const {
    return scheme + "://127.0.0.1:" + std::to_string(port_) + path;
  }

  // The next request the peer reported; null if the peer has exited. Only
  // lines that start with "EVENT " and hold a JSON object count: anything
  // else the peer writes (an error report) stays in output() only.
  nlohmann::json NextEvent() {
    while (process_.WaitForLine("EVENT ")) {
      const std::string& line = process_.last_line();
      if (!line.starts_with("EVENT ")) continue;
      nlohmann::json event = nlohmann::json::parse(line.substr(6), nullptr, false);
      if (event.is_object()) return event;
    }
    return nullptr;
  }

  // Sends the peer a signal (smtp_peer.py --stall: SIGUSR1 releases it).
  void Signal(int sig) { process_.Signal(sig); }

  // Kills the peer and waits for it, so its port refuses connections.
  void Stop() {
    process_.Signal(SIGKILL);
    process_.Wait();
  }

  const std::string& output() const { return process_.output(); }

 private:
  static std::vector<std::string> Argv(const std::string& script,
                                       std::vector<std::string> args) {
    std::vector<std::string> argv = {
        SHOUHU_PYTHON3,
        SourceTree("/tests/integration/plugins/") + script};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }

  Subprocess process_;
  int port_ = 0;
};

}  // namespace shouhu::testing
