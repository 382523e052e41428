// Actor: who a command or a read is by. Every state change records its
// actor in the case's history and the audit record of its batch.
//
// Thread safety: value type.
#pragma once

#include <string>
#include <vector>

namespace shouhu {

// Who is acting: a user for one unit with roles. Never "system": only the
// runtime's timers and the dispatcher's records act as the system.
struct Actor {
  std::string user;
  std::string unit;
  std::vector<std::string> roles;
  // Where the request came from ("203.0.113.7:51234", "cli", ...), kept in
  // the audit record.
  std::string origin = {};
};

}  // namespace shouhu
