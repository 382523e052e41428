// The child's file (一人一档). Built under issue 4.
#include "runtime/runtime_impl.h"

namespace shouhu {

StatusOr<ChildFile> RuntimeImpl::GetChild(const std::string& child_id,
                                          std::optional<Instant>) {
  return NotFound("no child \"" + child_id + "\"");
}

StatusOr<std::vector<ChildRevision>> RuntimeImpl::ChildHistory(
    const std::string& child_id) {
  return NotFound("no child \"" + child_id + "\"");
}

}  // namespace shouhu
