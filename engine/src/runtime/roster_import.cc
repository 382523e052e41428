// A roster (花名册) into the register: every cell converted by its field's
// definition and checked, every problem reported with its row and column,
// then every row written in one batch (new files and changes of the files
// the rows' identities find) or none. The same file again finds its import
// record and writes nothing.
#include <algorithm>
#include <map>

#include "register/child_terms.h"
#include "roster/cells.h"
#include "runtime/codec.h"
#include "runtime/runtime_impl.h"

namespace shouhu {
namespace {

using json = nlohmann::json;

constexpr size_t kSampleRows = 10;

// One row, converted.
struct Row {
  size_t number = 0;
  json fields = json::object();
  std::map<std::string, std::string> column_of;  // field -> heading
  std::string existing;  // the file its identity finds, or ""
};

}  // namespace

StatusOr<std::map<std::string, std::string>> RuntimeImpl::RosterMapping(const std::string& unit) {
  auto stored = store_.Get(codec::RosterMappingKey(unit));
  if (stored.status().code() == StatusCode::kNotFound) return std::map<std::string, std::string>{};
  if (!stored.ok()) return stored.status();
  return codec::DecodeRosterMapping(*stored);
}

StatusOr<RosterResult> RuntimeImpl::ImportRoster(const RosterImport& cmd) {
  if (cmd.actor.user.empty()) return PermissionDenied("no user given");
  if (cmd.unit.empty() || cmd.unit.find('\0') != std::string::npos ||
      (options_.unit_type && options_.unit_type(cmd.unit).empty())) {
    return InvalidArgument("unit \"" + cmd.unit + "\" is no unit of the organisation");
  }
  if (cmd.content_sha256.size() != 64) return InvalidArgument("the roster's SHA-256 is missing");
  const std::string record_key = codec::RosterImportKey(cmd.unit, cmd.content_sha256);
  HandoffLock request_lock(RequestLock(record_key));
  RosterResult result;
  auto problem = [&](size_t row, std::string column, std::string message) {
    result.problems.push_back({row, std::move(column), std::move(message)});
  };

  // The mapping: known fields, each from one column, the identity mapped.
  std::map<std::string, const FieldDef*> defs;  // field -> definition
  std::map<std::string, std::string> heading_of;  // field -> heading
  for (const auto& [heading, field] : cmd.mapping) {
    if (field.empty()) continue;
    auto owner = ChildFieldOwner(field);
    if (!owner) {
      problem(1, heading, "“" + field + "”不是档案栏目 not a field of the child's file");
      continue;
    }
    if (heading_of.count(field)) {
      problem(1, heading, "与“" + heading_of[field] + "”对应同一栏目 maps to the same field as \"" +
                              heading_of[field] + "\"");
      continue;
    }
    if (std::find(cmd.headings.begin(), cmd.headings.end(), heading) == cmd.headings.end()) {
      problem(1, heading, "文件中没有这一列 no such column in the file");
      continue;
    }
    defs[field] = owner->FindField(field);
    heading_of[field] = heading;
  }
  std::set<std::vector<std::string>> identities;
  for (const auto& w : catalog_.All()) {
    if (w->child) identities.insert(w->child->identity);
  }
  for (const auto& identity : identities) {
    for (const std::string& f : identity) {
      if (!heading_of.count(f) && !(ChildFieldOwner(f) == nullptr)) {
        const FieldDef* d = ChildFieldOwner(f)->FindField(f);
        problem(1, "", "缺少“" + d->label.zh + "”列 no column for " + d->label.en +
                           ": it tells children apart");
      }
    }
  }
  if (!result.problems.empty()) return result;

  if (!cmd.dry_run) {
    auto done = store_.Get(record_key);
    if (done.ok()) {
      auto first = codec::DecodeRosterImport(*done);
      if (!first.ok()) return first.status();
      first->replayed = true;
      return std::move(*first);
    }
    if (done.status().code() != StatusCode::kNotFound) return done.status();
  }

  // Every row: cells converted, fields checked, identity present and once.
  Instant now = clock_.Now();
  std::vector<Row> rows;
  rows.reserve(cmd.rows.size());
  std::map<std::string, size_t> first_row_of;  // identity -> row number
  std::vector<std::mutex*> locks;
  std::vector<size_t> column_index;  // of each mapped field, in defs order
  for (const auto& [field, def] : defs) {
    column_index.push_back(std::find(cmd.headings.begin(), cmd.headings.end(), heading_of[field]) -
                           cmd.headings.begin());
  }
  for (size_t i = 0; i < cmd.rows.size(); ++i) {
    Row row;
    row.number = i < cmd.row_numbers.size() ? cmd.row_numbers[i] : i + 2;
    size_t k = 0;
    for (const auto& [field, def] : defs) {
      size_t c = column_index[k++];
      if (c >= cmd.rows[i].size()) continue;
      auto v = roster::CellValue(*def, cmd.rows[i][c]);
      if (!v.ok()) {
        problem(row.number, heading_of[field], v.status().message());
      } else if (!v->is_null()) {
        row.fields[field] = std::move(*v);
      }
    }
    for (auto it = row.fields.begin(); it != row.fields.end(); ++it) {
      std::string p = ChildFieldProblems(json{{it.key(), *it}}, row.fields, now);
      if (!p.empty()) problem(row.number, heading_of[it.key()], p);
    }
    if (cmd.user_exists) {
      for (const json& h : row.fields.value(std::string(kChildHelpersField), json::array())) {
        if (h.is_string() && !cmd.user_exists(h.get<std::string>())) {
          problem(row.number, heading_of[std::string(kChildHelpersField)],
                  "没有用户“" + h.get<std::string>() + "” no user " + h.get<std::string>());
        }
      }
    }
    for (const auto& w : catalog_.All()) {
      if (!w->child) continue;
      std::string identity = ChildIdentityOf(*w->child, row.fields);
      if (identity.empty()) {
        for (const std::string& f : w->child->identity) {
          if (!row.fields.contains(f)) {
            problem(row.number, heading_of[f], "必填 required: it tells children apart");
          }
        }
        break;
      }
      auto [seen, fresh] = first_row_of.emplace(identity, row.number);
      if (!fresh && seen->second != row.number) {
        problem(row.number, "", "与第" + std::to_string(seen->second) + "行是同一儿童 the same child as row " +
                                    std::to_string(seen->second));
      }
      if (fresh) {
        locks.push_back(&IdentityLock(identity));
        auto known = store_.Get(codec::ChildIdentityKey(identity));
        if (known.ok()) {
          auto id = codec::DecodeChildId(*known);
          if (!id.ok()) return id.status();
          auto into = MergedInto(*id);
          if (!into.ok()) return into.status();
          row.existing = *into;
        } else if (known.status().code() != StatusCode::kNotFound) {
          return known.status();
        }
      }
      break;  // one identity decides
    }
    rows.push_back(std::move(row));
  }

  // From here to the commit no one else creates these children or changes
  // their files.
  for (const Row& row : rows) {
    if (!row.existing.empty()) locks.push_back(&IdentityLock("child " + row.existing));
  }
  auto held = LockAll(std::move(locks));

  // Files the rows change: within reach; the helpers' caps.
  std::map<std::string, FoldedChild> existing;
  for (const Row& row : rows) {
    if (row.existing.empty() || existing.count(row.existing)) continue;
    auto f = FoldChild(store_, row.existing, std::nullopt);
    if (!f.ok()) return f.status();
    if (options_.child_in_reach && !options_.child_in_reach(cmd.actor, f->file.unit)) {
      problem(row.number, "", "该儿童已在其他单位建档 the child has a file kept by " + f->file.unit +
                                  ", outside your reach");
    }
    existing.emplace(row.existing, std::move(*f));
  }
  if (cmd.helper_cap > 0) {
    std::map<std::string, std::set<std::string>> paired;  // helper -> children
    for (size_t i = 0; i < rows.size(); ++i) {
      const json& helpers = rows[i].fields.value(std::string(kChildHelpersField), json::array());
      for (const json& h : helpers) {
        if (!h.is_string()) continue;
        std::string helper = h.get<std::string>();
        if (!paired.count(helper)) {
          auto already = ChildrenWithTerm("", PairingTerm(helper));
          if (!already.ok()) return already.status();
          paired[helper] = std::move(*already);
        }
        auto& children = paired[helper];
        children.insert(rows[i].existing.empty() ? "row " + std::to_string(rows[i].number)
                                                 : rows[i].existing);
        if (children.size() > cmd.helper_cap) {
          problem(rows[i].number, heading_of[std::string(kChildHelpersField)],
                  "帮扶人" + helper + "结对儿童将超过" + std::to_string(cmd.helper_cap) +
                      "名 helper " + helper + " would be paired with more than " +
                      std::to_string(cmd.helper_cap) + " children");
        }
      }
    }
  }
  std::sort(result.problems.begin(), result.problems.end(),
            [](const RosterProblem& a, const RosterProblem& b) { return a.row < b.row; });
  for (size_t i = 0; i < rows.size() && i < kSampleRows; ++i) result.sample.push_back(rows[i].fields);
  if (!result.problems.empty() || cmd.dry_run) return result;

  // All rows in one batch, under the identities' and files' locks.
  std::vector<Mutation> batch;
  for (Row& row : rows) {
    if (row.existing.empty()) {
      auto id = NewChildId();
      if (!id.ok()) return id.status();
      Status claimed = ClaimIdentities(*id, json::object(), row.fields, &batch);
      if (!claimed.ok()) return claimed;
      IndexChildChange(*id, cmd.unit, nullptr, &row.fields, &batch);
      ChildRevision r;
      r.at = now;
      r.actor = cmd.actor.user;
      r.changes = row.fields;
      batch.push_back(Mutation::Put(codec::ChildRevisionKey(*id, now, "", 1),
                                    codec::EncodeChildRevision(r, cmd.unit)));
      AddChildAudit(cmd.actor, "child.create", *id, now, &batch);
      ++result.created;
      continue;
    }
    FoldedChild& f = existing.at(row.existing);
    json changes = json::object();
    for (auto it = row.fields.begin(); it != row.fields.end(); ++it) {
      auto old = f.file.fields.find(it.key());
      if (old == f.file.fields.end() || *old != *it) changes[it.key()] = *it;
    }
    if (changes.empty()) {
      ++result.unchanged;
      continue;
    }
    json after = f.file.fields;
    after.update(changes);
    SHOUHU_RETURN_IF_ERROR(ClaimIdentities(row.existing, f.file.fields, after, &batch));
    IndexChildChange(row.existing, f.file.unit, &f.file.fields, &after, &batch);
    ChildRevision r;
    r.at = now;
    r.actor = cmd.actor.user;
    r.changes = std::move(changes);
    batch.push_back(Mutation::Put(
        codec::ChildRevisionKey(row.existing, now, "", f.file.revision + 1),
        codec::EncodeChildRevision(r, f.file.unit)));
    AddChildAudit(cmd.actor, "child.update", row.existing, now, &batch);
    f.file.fields = std::move(after);
    ++f.file.revision;
    ++result.updated;
  }
  batch.push_back(Mutation::Put(record_key, codec::EncodeRosterImport(result)));
  batch.push_back(Mutation::Put(codec::RosterMappingKey(cmd.unit),
                                codec::EncodeRosterMapping(cmd.mapping)));
  SHOUHU_RETURN_IF_ERROR(store_.Commit(std::move(batch)));
  return result;
}

}  // namespace shouhu
