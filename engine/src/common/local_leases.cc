// LocalLeases (shouhu/leases.h): one process owns its store, so it holds
// every lease, always.
#include "shouhu/leases.h"

namespace shouhu {
namespace {

class AlwaysHeld final : public Leases {
 public:
  std::optional<uint64_t> Held(std::string_view) const override { return 0; }
  bool shared() const override { return false; }
};

}  // namespace

std::unique_ptr<Leases> LocalLeases() { return std::make_unique<AlwaysHeld>(); }

}  // namespace shouhu
