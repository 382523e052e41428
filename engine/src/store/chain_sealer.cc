#include "store/chain_sealer.h"

#include "shouhu/chain.h"

namespace shouhu {

ChainSealer::ChainSealer(Store& store)
    : ChainSealer([&store](std::string_view prefix)
                      -> StatusOr<std::pair<std::string, std::string>> {
        auto key = store.LastKeyWithPrefix(prefix);
        if (!key.ok()) return key.status();
        auto value = store.Get(*key);
        if (!value.ok()) return value.status();
        return std::pair{std::move(*key), std::move(*value)};
      }) {}

StatusOr<ChainSealer::Head> ChainSealer::LoadHead(std::string_view prefix) {
  if (auto it = tentative_.find(prefix); it != tentative_.end()) {
    return it->second;
  }
  if (auto it = heads_.find(prefix); it != heads_.end()) return it->second;
  auto last = last_record_(prefix);
  if (!last.ok()) {
    if (last.status().code() == StatusCode::kNotFound) return Head{};
    return last.status();
  }
  auto record = DecodeChainRecord(prefix, last->first, last->second);
  if (!record.ok()) {
    // Appending after an unreadable head would hide the damage; refuse
    // until someone looks (`shouhu audit verify` says where).
    return Internal("store: the newest record of hash chain \"" +
                    std::string(prefix) + "\" is unreadable: " +
                    record.status().message());
  }
  Head head{record->seq, record->hash};
  heads_.emplace(std::string(prefix), head);
  return head;
}

Status ChainSealer::Seal(const Mutation& append, std::string* key,
                         std::string* value) {
  auto head = LoadHead(append.key);
  if (!head.ok()) return head.status();
  Head next{head->seq + 1, ""};
  *key = ChainKey(append.key, next.seq);
  *value = SealChainRecord(append.key, next.seq, head->hash, append.value,
                           &next.hash);
  tentative_[append.key] = std::move(next);
  return Status::Ok();
}

void ChainSealer::Commit() {
  for (auto& [prefix, head] : tentative_) heads_[prefix] = std::move(head);
  tentative_.clear();
  sealed_.clear();
}

}  // namespace shouhu
