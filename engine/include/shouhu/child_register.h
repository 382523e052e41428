// The register (一人一档) beyond what cases do to it: children's files made
// directly, searched, merged, and rosters (花名册) imported. The runtime made
// by Runtime::Create is also the register (RegisterOf).
//
// Thread safety: like Runtime, safe from many threads at once.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "shouhu/child.h"
#include "shouhu/runtime.h"
#include "shouhu/status.h"

namespace shouhu {

// A child's file made directly, not by a case: for a child on a roster or
// found by a survey. `fields` as for UpdateChildFields; the identity fields
// of the file's workflows are required.
struct CreateChildFile {
  std::string request_id;
  Actor actor;
  std::string unit;  // the child's school, village or community
  nlohmann::json fields = nlohmann::json::object();
};

// A search of the register within `units` (the caller's jurisdiction, or a
// part of it), through the register's keyed-hash index (the terms are in
// src/register/child_terms.h). Every criterion given must match; none given
// lists every file of the units.
struct ChildQuery {
  std::vector<std::string> units = {};
  std::string name = {};        // a prefix of the name or given name, or of
                                // their pinyin initials ("zxm" finds 张小明)
  std::string school = {};      // exact, as written in the file
  std::string class_name = {};  // exact
  std::string category = {};    // one of the file's categories
  std::string helper = {};      // a helper's user id
  size_t offset = 0;
  size_t limit = 20;
};

struct ChildMatches {
  std::vector<ChildFile> files;  // by child id
  size_t total = 0;              // matches in all, for paging
};

// Merges file `from` into file `into`: `from`'s revisions (and the cases
// they link) join `into`'s history, `into`'s current values win where both
// files hold a field, `from`'s identity finds `into` from now on, and
// `from` is left as it was, marked merged (MergedInto).
struct MergeChildFiles {
  std::string request_id;
  Actor actor;
  std::string into;
  std::string from;
};

struct ChildCommandResult {
  std::string child_id;
  uint64_t revision = 0;  // the file's revision written
  bool replayed = false;  // answered from an earlier request
};

// A roster imported into the register: a sheet's data rows and which column
// holds which file field. A row is a child: a new file, or a change of the
// file its identity (name and birth date) finds. All rows are written in one
// batch, or none.
struct RosterImport {
  Actor actor;
  std::string unit;            // the children's unit
  std::string content_sha256;  // the file's: the same file again is one import
  std::vector<std::string> headings;
  std::vector<std::vector<std::string>> rows;
  std::vector<size_t> row_numbers;             // each row's row in the file
  std::map<std::string, std::string> mapping;  // heading -> file field
  size_t helper_cap = 0;  // children one helper is paired with at most; 0: any
  // A helper must be a user; unset: not checked.
  std::function<bool(const std::string& user)> user_exists = nullptr;
  bool dry_run = false;  // check every row and write nothing (the preview)
};

// A problem of a roster: its row in the file (1: the headings), its column
// heading ("" for the whole row) and what is wrong.
struct RosterProblem {
  size_t row = 0;
  std::string column;
  std::string message;
};

struct RosterResult {
  size_t created = 0, updated = 0, unchanged = 0;
  bool replayed = false;  // this file was imported before: nothing written
  std::vector<RosterProblem> problems;  // any: nothing written
  std::vector<nlohmann::json> sample;   // the first rows as file fields
};

class ChildRegister {
 public:
  virtual ~ChildRegister() = default;
  // kInvalidArgument listing every problem (as UpdateChild, and a missing
  // identity field); kAlreadyExists naming the file that has the identity.
  virtual StatusOr<ChildCommandResult> CreateChild(const CreateChildFile& cmd) = 0;
  // The files that are likely the child `fields` describe: the same name and
  // the same birth date, guardian name or ID number, in any unit (the
  // caller shows only those in reach). Ids, sorted.
  virtual StatusOr<std::vector<std::string>> LikelyDuplicates(const nlohmann::json& fields) = 0;
  virtual StatusOr<ChildMatches> SearchChildren(const ChildQuery& query) = 0;
  // kNotFound for an unknown file; kFailedPrecondition when one of them is
  // merged already or they are the same file.
  virtual StatusOr<ChildCommandResult> MergeChildren(const MergeChildFiles& cmd) = 0;
  // The file `child_id` was merged into, following merges; `child_id`
  // itself when it was not merged.
  virtual StatusOr<std::string> MergedInto(const std::string& child_id) = 0;
  // Checks every row and reports every problem; unless dry_run and when
  // there is none, writes them all in one batch, audited per child, and
  // remembers the mapping for the unit.
  virtual StatusOr<RosterResult> ImportRoster(const RosterImport& cmd) = 0;
  // The mapping (heading -> field) of the unit's last import; {} if none.
  virtual StatusOr<std::map<std::string, std::string>> RosterMapping(const std::string& unit) = 0;
};

// The register of a runtime. REQUIRES: `runtime` was made by Runtime::Create.
ChildRegister& RegisterOf(Runtime& runtime);

}  // namespace shouhu
