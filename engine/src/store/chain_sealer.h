// ChainSealer: the committer thread's view of the head of every hash chain
// (see shouhu/chain.h), and the sealing of ChainedAppend mutations.
//
// Thread safety: not thread-safe; only the store's committer thread uses it,
// one group at a time, which is what makes the chain follow commit order.
//
// Heads move tentatively while a group is built and become the heads only
// when the caller reports that the group was written; a failed write
// discards them, so the next group reuses the same sequence numbers and no
// gap or fork appears.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "shouhu/status.h"
#include "shouhu/store.h"

namespace shouhu {

class ChainSealer {
 public:
  // The newest stored record under a prefix as (key, value); kNotFound when
  // the chain is empty. Called once per chain, on its first append.
  using LastRecordFn =
      std::function<StatusOr<std::pair<std::string, std::string>>(
          std::string_view prefix)>;

  explicit ChainSealer(LastRecordFn last_record)
      : last_record_(std::move(last_record)) {}

  // Seals `append` (a kChainedAppend) as the record after every record
  // sealed so far, and returns the key and value to write. kInternal when
  // the chain's newest stored record cannot be read as a chain record.
  [[nodiscard]] Status Seal(const Mutation& append, std::string* key,
                            std::string* value);
  // The group holding every record sealed since the last Commit or Discard
  // was written.
  void Commit();
  // It was not written.
  void Discard() { tentative_.clear(); }

 private:
  struct Head {
    uint64_t seq = 0;
    std::string hash;  // "" before the first record
  };
  StatusOr<Head> LoadHead(std::string_view prefix);

  LastRecordFn last_record_;
  std::map<std::string, Head, std::less<>> heads_;      // written
  std::map<std::string, Head, std::less<>> tentative_;  // this group
};

}  // namespace shouhu
