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

namespace shouhu::testing {

class Peer {
 public:
  // Starts `script` (a file in this directory) with `args` under Debian's
  // python3 (where python3-aiosmtpd lives) and waits for its port.
  Peer(const std::string& script, std::vector<std::string> args)
      : process_(Argv(script, std::move(args))) {
    if (process_.WaitForLine("PORT ")) {
      port_ = std::stoi(LastLine().substr(5));
    }
  }

  bool started() const { return port_ > 0; }
  int port() const { return port_; }
  std::string url(const std::string& scheme,
                  const std::string& path = "") const {
    return scheme + "://127.0.0.1:" + std::to_string(port_) + path;
  }

  // The next request the peer reported; null if the peer has exited.
  nlohmann::json NextEvent() {
    if (!process_.WaitForLine("EVENT ")) return nullptr;
    return nlohmann::json::parse(LastLine().substr(6));
  }

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
        SHOUHU_SOURCE_DIR "/tests/integration/plugins/" + script};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }

  // The line WaitForLine just matched: the last one read.
  std::string LastLine() const {
    const std::string& out = process_.output();
    size_t end = out.size() - (out.ends_with('\n') ? 1 : 0);
    size_t newline = end == 0 ? std::string::npos : out.rfind('\n', end - 1);
    size_t begin = newline == std::string::npos ? 0 : newline + 1;
    return out.substr(begin, end - begin);
  }

  Subprocess process_;
  int port_ = 0;
};

}  // namespace shouhu::testing
