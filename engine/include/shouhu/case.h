// A case and its history, as the runtime stores and returns them.
//
// Thread safety: value types.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "shouhu/duration.h"

namespace shouhu {

enum class Priority { kNormal = 0, kHigh = 1, kUrgent = 2 };
std::string_view PriorityName(Priority p);

// A timer armed on a case: the case record lists every armed timer, and each
// has one entry in the store's due-time index. Leaving the state removes both.
struct ArmedTimer {
  std::string name;   // the state's timer id, or "<chain>#<step>" for an
                      // escalation step
  Instant due;
  std::string chain;  // escalation chain id for escalation steps, else ""
  int step = -1;      // escalation step index, else -1
  Instant chain_started;  // escalation steps: when the chain started
  bool operator==(const ArmedTimer&) const = default;
};

struct CaseRecord {
  std::string id;
  std::string workflow_id;
  int workflow_version = 0;
  std::string state;
  Instant state_entered_at;
  nlohmann::json data = nlohmann::json::object();
  Priority priority = Priority::kNormal;
  std::string unit;      // organisation unit the case belongs to
  std::string reporter;  // user id of who opened it
  // Users whose later reports about the same child joined this case
  // (EventDef::SameChild::kJoin), in order; each follows it like the reporter.
  std::vector<std::string> joined_reporters;
  std::string owner;     // user assigned to the current step, "" if none
  std::string child_id;  // the child's file (child.h), "" if none
  Instant opened_at;
  Instant updated_at;
  uint64_t last_seq = 0;  // seq of the newest history entry
  bool overdue = false;   // an escalation fired in the current state
  std::vector<ArmedTimer> timers;
};

// One entry of a case's append-only history.
struct HistoryEntry {
  uint64_t seq = 0;
  Instant at;
  std::string actor;  // user id, or "system" for timers
  // "opened", "event", "note", "assigned", "escalation", "timer_skipped"
  std::string kind;
  std::string name;   // event id, escalation chain id, ...
  std::string from_state;
  std::string to_state;
  nlohmann::json data = nlohmann::json::object();
};

}  // namespace shouhu
