// A group's writes folded into set statements (pg_group.h).
#include "store/pg_group.h"

namespace shouhu::pg {
namespace {

const Statement kDeleteAll{"shouhu_delete_all",
                           "DELETE FROM shouhu_kv WHERE key = ANY($1::bytea[])", 1, true};
// Created where absent: a key that is there already fails the statement
// (unique violation: kFailedPrecondition) and with it the transaction.
const Statement kInsertAll{"shouhu_insert_all",
                           "INSERT INTO shouhu_kv (key, value) "
                           "SELECT * FROM unnest($1::bytea[], $2::bytea[])",
                           2, true};
const Statement kPutAll{"shouhu_put_all",
                        "INSERT INTO shouhu_kv (key, value) "
                        "SELECT * FROM unnest($1::bytea[], $2::bytea[]) "
                        "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                        2, true};

}  // namespace

void FoldedGroup::Clear() {
  keys_.clear();
}

bool FoldedGroup::Add(Mutation::Kind kind, std::string_view key, std::string_view value) {
  auto [it, fresh] = keys_.try_emplace(key, Final{kind, value});
  if (fresh) return true;
  Final& f = it->second;
  // Written twice: a create-only write checks the store before the group,
  // which a fold cannot say once the key was written in the group.
  if (kind == Mutation::Kind::kInsert || f.kind == Mutation::Kind::kInsert) return false;
  f = Final{kind, value};
  return true;
}

void FoldedGroup::AppendSteps(std::vector<Step>* steps) {
  std::vector<std::string_view> deleted, created_keys, created_values, put_keys, put_values;
  for (const auto& [key, f] : keys_) {  // in key order: rows locked in one order
    switch (f.kind) {
      case Mutation::Kind::kDelete:
        deleted.push_back(key);
        break;
      case Mutation::Kind::kInsert:
        created_keys.push_back(key);
        created_values.push_back(f.value);
        break;
      default:
        put_keys.push_back(key);
        put_values.push_back(f.value);
        break;
    }
  }
  if (!deleted.empty()) {
    deleted_ = ByteaArray(deleted);
    steps->push_back({&kDeleteAll, {deleted_, {}}});
  }
  if (!created_keys.empty()) {
    created_keys_ = ByteaArray(created_keys);
    created_values_ = ByteaArray(created_values);
    steps->push_back({&kInsertAll, {created_keys_, created_values_}});
  }
  if (!put_keys.empty()) {
    put_keys_ = ByteaArray(put_keys);
    put_values_ = ByteaArray(put_values);
    steps->push_back({&kPutAll, {put_keys_, put_values_}});
  }
}

std::vector<const Statement*> FoldedGroup::Statements() {
  return {&kDeleteAll, &kInsertAll, &kPutAll};
}

}  // namespace shouhu::pg
