// A group's writes as a few set statements for PostgreSQL: every key's
// mutations folded into what the group leaves it as (put, deleted, or
// created where absent), then one DELETE of all deleted keys, one INSERT of
// all created ones and one upsert of all put ones, each over arrays. So a
// group of changes costs the server a handful of statements instead of one
// per key (a change writes about a dozen keys), which is most of the
// server's work for a commit on a small machine.
//
// A create-only write (kInsert) is checked against the store as it stood
// before the group; a key the group writes twice with a create-only write
// among them does not fold (Add answers false) and the caller writes the
// group statement by statement instead. Fences (kFence) are not for it: they
// stay statements of their own.
//
// Internal to the PostgreSQL store (pg_store.cc); not thread-safe.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "shouhu/store.h"
#include "store/pg_conn.h"

namespace shouhu::pg {

class FoldedGroup {
 public:
  // Clears it for the next group.
  void Clear();
  // One write of the group, in order; the views must stay valid until the
  // steps are run. False when it does not fold (see above).
  bool Add(Mutation::Kind kind, std::string_view key, std::string_view value);
  // Appends the statements: the deletes, the creations and the puts, keys
  // in order. The steps point into this object until the next Clear.
  void AppendSteps(std::vector<Step>* steps);
  // The statements it uses, to prepare on a connection.
  static std::vector<const Statement*> Statements();

 private:
  struct Final {
    Mutation::Kind kind;  // kPut, kDelete or kInsert
    std::string_view value;
  };
  std::map<std::string_view, Final> keys_;
  std::string deleted_, created_keys_, created_values_, put_keys_, put_values_;
};

}  // namespace shouhu::pg
