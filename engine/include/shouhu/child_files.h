// ChildFiles: the child's file (一人一档, child.h) as cases keep it -- read
// as it stands or stood, its revisions, the proposals waiting on it, and
// the two commands that change it directly. The register's further
// commands (files made directly, search, merge, rosters) are in
// child_register.h.
//
// Thread safety: every method is safe to call from many threads at once.
// The commands take CaseCommands' locks in its order: the request id's lock,
// then (DecideProposal) the proposal's case's lock, then the file's lock (a
// stripe of the child identity locks), so that a file's revisions are
// numbered in the order they commit and a new identity is claimed once.
// The reads take no lock.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "shouhu/actor.h"
#include "shouhu/case_commands.h"
#include "shouhu/child.h"
#include "shouhu/duration.h"
#include "shouhu/status.h"

namespace shouhu {

// Accepts (the values become a revision of the file, by `actor`) or rejects
// a ChildProposal; recorded in the history of the proposal's case.
struct DecideChildProposal {
  std::string request_id;
  Actor actor;
  std::string child_id;
  std::string proposal_id;
  bool accept = false;
};

// A change of a child's file (「及时补充或变更」) made directly, not by a case:
// `fields` (file field -> new value, null clears) become one revision by
// `actor`. Each field must be a file field of a loaded workflow, of its type
// and within its bounds.
struct UpdateChildFields {
  std::string request_id;
  Actor actor;
  std::string child_id;
  nlohmann::json fields = nlohmann::json::object();
};

class ChildFiles {
 public:
  virtual ~ChildFiles() = default;

  // `as_of` gives the file as it stood at that instant. kNotFound for an
  // unknown child.
  virtual StatusOr<ChildFile> GetChild(const std::string& child_id,
                                       std::optional<Instant> as_of) = 0;
  virtual StatusOr<std::vector<ChildRevision>> ChildHistory(
      const std::string& child_id) = 0;
  // The proposals waiting on a child's file, oldest first.
  virtual StatusOr<std::vector<ChildProposal>> ChildProposals(
      const std::string& child_id) = 0;
  // kNotFound for an unknown proposal (decided already, or never made).
  virtual StatusOr<CommandResult> DecideProposal(const DecideChildProposal& cmd) = 0;
  // kNotFound for an unknown child; kInvalidArgument listing every field
  // that is no file field, of the wrong type or out of bounds;
  // kFailedPrecondition when the new identity is another child's.
  virtual StatusOr<CommandResult> UpdateChild(const UpdateChildFields& cmd) = 0;
};

}  // namespace shouhu
