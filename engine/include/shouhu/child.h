// The child's file (一人一档): one record per child, linked to every case about
// the child, with every change kept (who, when, from which case) so the file
// can be shown as it stood on any past date.
//
// Thread safety: value types.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "shouhu/duration.h"

namespace shouhu {

struct ChildFile {
  std::string id;
  std::string unit;  // the child's school, village or community
  nlohmann::json fields = nlohmann::json::object();  // DOMAIN.md section 4
  std::vector<std::string> case_ids;  // every case about the child, oldest first
  Instant created_at;
  Instant updated_at;
  uint64_t revision = 0;  // the newest ChildRevision
};

// One change of a child's file.
struct ChildRevision {
  uint64_t revision = 0;
  Instant at;
  std::string actor;    // user id, or "system"
  std::string case_id;  // the case whose command made the change
  nlohmann::json changes = nlohmann::json::object();  // field -> new value
  std::string linked_case;  // a case linked to the child by this change, or ""
};

// Values a command reported for a child's file its actor may not reach (the
// file lies outside their jurisdiction): kept aside until someone with
// rights on the file accepts them (they become a revision) or rejects them.
// A report never overwrites a file its reporter may not read.
struct ChildProposal {
  std::string id;       // "<case>/<seq>": the command that reported them
  Instant at;
  std::string actor;    // who reported them
  std::string case_id;
  nlohmann::json changes = nlohmann::json::object();  // field -> proposed value
};

}  // namespace shouhu
