// The commands on an existing case that answer through a callback once their
// commit is durable, so that no thread waits for the fsync (the API's path:
// a server worker hands the command over and takes the next request).
//
// Thread safety: as Runtime; every guarantee of the synchronous commands
// holds (runtime.h): one atomic batch per state change, request-id replay,
// the audit record in the batch, and the case's and the request id's locks
// held until the commit is over. Only who waits differs.
#pragma once

#include <functional>

#include "shouhu/runtime.h"

namespace shouhu {

class AsyncCommands {
 public:
  // Runs exactly once with what the synchronous command returns: on the
  // calling thread before the call returns (refused, replayed, or failed
  // before its commit), or on the store's committer thread once the commit
  // is durable or has failed. REQUIRES: it is short and does not wait for
  // the store or for a case (Store::CommitAsync).
  using Done = std::function<void(StatusOr<CommandResult>)>;

  virtual ~AsyncCommands() = default;
  // As Runtime::Fire, Note and Assign. A command that links its case to a
  // new child's file commits on the calling thread (that holds the child's
  // identity lock, which only its taker may release).
  virtual void FireAsync(const FireEvent& cmd, Done done) = 0;
  virtual void NoteAsync(const AddNote& cmd, Done done) = 0;
  virtual void AssignAsync(const AssignOwner& cmd, Done done) = 0;
};

// The runtime's asynchronous commands; null when it has none (a Runtime
// made other than by Runtime::Create).
AsyncCommands* AsyncCommandsOf(Runtime& runtime);

}  // namespace shouhu
