// ChainSealer: the committer thread's view of the head of every hash chain
// (see shouhu/chain.h), and the sealing of ChainedAppend mutations. Both
// backends build their group writes through SealBatch, so the chain follows
// commit order the same way on each.
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
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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
  // Reads a chain's newest record through `store` (LastKeyWithPrefix, then
  // Get). REQUIRES: `store` outlives the sealer.
  explicit ChainSealer(Store& store);

  // Seals `append` (a kChainedAppend) as the record after every record
  // sealed so far, and returns the key and value to write. kInternal when
  // the chain's newest stored record cannot be read as a chain record.
  [[nodiscard]] Status Seal(const Mutation& append, std::string* key,
                            std::string* value);

  // Hands every mutation of `batch` to write(kind, key, value) in order,
  // each chained append sealed (as Seal) and handed on as a kInsert of its
  // record: a sealed record is created, never written over. The sealed keys
  // and values stay valid until the next Commit, Discard or Forget. On an
  // error from Seal, the group's seals are discarded and the error returned.
  template <typename WriteFn>
  [[nodiscard]] Status SealBatch(const std::vector<Mutation>& batch, WriteFn&& write) {
    for (const Mutation& m : batch) {
      if (m.kind != Mutation::Kind::kChainedAppend) {
        write(m.kind, std::string_view(m.key), std::string_view(m.value));
        continue;
      }
      auto& [key, value] = sealed_.emplace_back();
      if (Status s = Seal(m, &key, &value); !s.ok()) {
        Discard();
        return s;
      }
      write(Mutation::Kind::kInsert, std::string_view(key), std::string_view(value));
    }
    return Status::Ok();
  }

  // The group holding every record sealed since the last Commit or Discard
  // was written.
  void Commit();
  // It was not written.
  void Discard() {
    tentative_.clear();
    sealed_.clear();
  }
  // It may or may not have been written, or another writer may have moved a
  // chain on: every head is read from the store again.
  void Forget() {
    Discard();
    heads_.clear();
  }

 private:
  struct Head {
    uint64_t seq = 0;
    std::string hash;  // "" before the first record
  };
  StatusOr<Head> LoadHead(std::string_view prefix);

  LastRecordFn last_record_;
  std::map<std::string, Head, std::less<>> heads_;      // written
  std::map<std::string, Head, std::less<>> tentative_;  // this group
  // The keys and values SealBatch sealed for this group (a deque: the
  // caller's writes point into them, so they must not move as more come).
  std::deque<std::pair<std::string, std::string>> sealed_;
};

}  // namespace shouhu
