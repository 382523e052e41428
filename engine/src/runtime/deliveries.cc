// Delivery state of outbox notifications: dead letters and re-drive. Built
// under issue 6.
#include "runtime/runtime_impl.h"

namespace shouhu {

StatusOr<std::vector<DeadLetter>> RuntimeImpl::DeadLetters(const std::string&,
                                                           size_t) {
  return std::vector<DeadLetter>{};
}

StatusOr<CommandResult> RuntimeImpl::Redrive(const RedriveDeadLetter& cmd) {
  return NotFound("no dead letter \"" + cmd.dead_letter_id + "\"");
}

}  // namespace shouhu
