// The register's search index (一人一档): written with every change of a
// child's file, read by searches and duplicate checks, and built once for
// files from before it. The terms are register/child_terms.h's; the key
// layout is codec.h's (k/x/, a term key of the sealed store).
#include <algorithm>
#include <iterator>

#include "register/child_terms.h"
#include "runtime/codec.h"
#include "runtime/runtime_impl.h"

namespace shouhu {
namespace {

using json = nlohmann::json;

constexpr size_t kMaxSearchPage = 200;

std::set<std::string> Intersect(const std::set<std::string>& a, const std::set<std::string>& b) {
  std::set<std::string> out;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(),
                        std::inserter(out, out.end()));
  return out;
}

// The criteria of `q` as the terms a matching file of `unit` has: each inner
// list is one criterion, met by any of its terms.
std::vector<std::vector<std::string>> Criteria(const ChildQuery& q) {
  std::vector<std::vector<std::string>> out;
  if (!NormalizeTermText(q.name).empty()) {
    auto [name, initials] = NameQueryTerms(q.name);
    out.push_back({name});
    if (!initials.empty()) out.back().push_back(initials);
  }
  for (auto [value, term] : {std::pair{&q.school, &SchoolTerm}, {&q.class_name, &ClassTerm},
                             {&q.category, &CategoryTerm}, {&q.helper, &HelperTerm}}) {
    if (!NormalizeTermText(*value).empty()) out.push_back({term(*value)});
  }
  return out;
}

}  // namespace

void IndexChildChange(const std::string& child_id, const std::string& unit, const json* before,
                      const json* after, std::vector<Mutation>* out) {
  std::set<ChildTerm> old_terms, new_terms;
  if (before) old_terms = ChildTermsOf(unit, *before);
  if (after) new_terms = ChildTermsOf(unit, *after);
  for (const ChildTerm& t : old_terms) {
    if (!new_terms.count(t)) {
      out->push_back(Mutation::Delete(codec::ChildTermKey(t.first, t.second, child_id)));
    }
  }
  for (const ChildTerm& t : new_terms) {
    if (!old_terms.count(t)) {
      out->push_back(Mutation::Put(codec::ChildTermKey(t.first, t.second, child_id),
                                   std::string(1, codec::kFormatV1)));
    }
  }
}

StatusOr<std::set<std::string>> RuntimeImpl::ChildrenWithTerm(const std::string& unit,
                                                              const std::string& term) {
  std::set<std::string> ids;
  const std::string prefix = codec::ChildTermPrefix(unit, term);
  Status s = store_.Scan(prefix, "", [&](std::string_view key, std::string_view) {
    if (key.starts_with(prefix)) ids.emplace(key.substr(prefix.size()));
    return true;
  });
  SHOUHU_RETURN_IF_ERROR(s);
  return ids;
}

StatusOr<ChildMatches> RuntimeImpl::SearchChildren(const ChildQuery& q) {
  const auto criteria = Criteria(q);
  std::set<std::string> all;
  for (const std::string& unit : std::set<std::string>(q.units.begin(), q.units.end())) {
    std::optional<std::set<std::string>> ids;
    for (const auto& criterion : criteria) {
      std::set<std::string> met;
      for (const std::string& term : criterion) {
        auto found = ChildrenWithTerm(unit, term);
        if (!found.ok()) return found.status();
        met.merge(*found);
      }
      ids = ids ? Intersect(*ids, met) : std::move(met);
      if (ids->empty()) break;
    }
    if (!ids) {
      auto every = ChildrenWithTerm(unit, std::string(kEveryFile));
      if (!every.ok()) return every.status();
      ids = std::move(*every);
    }
    all.merge(*ids);
  }
  ChildMatches out;
  out.total = all.size();
  auto it = all.begin();
  std::advance(it, std::min(q.offset, all.size()));
  for (size_t n = 0; it != all.end() && n < std::min(q.limit, kMaxSearchPage); ++it, ++n) {
    auto file = GetChild(*it, std::nullopt);
    if (!file.ok()) {
      if (file.status().code() == StatusCode::kNotFound) continue;
      return file.status();
    }
    // An entry a concurrent change left behind (two commands of different
    // cases changing the same field at once) is checked against the file.
    std::set<ChildTerm> has = ChildTermsOf(file->unit, file->fields);
    bool matches = std::all_of(criteria.begin(), criteria.end(), [&](const auto& criterion) {
      return std::any_of(criterion.begin(), criterion.end(), [&](const std::string& t) {
        return has.count({file->unit, t}) > 0;
      });
    });
    if (matches) out.files.push_back(std::move(*file));
  }
  return out;
}

StatusOr<std::vector<std::string>> RuntimeImpl::LikelyDuplicates(const json& fields) {
  std::string name = SameNameTerm(fields);
  if (name.empty()) return std::vector<std::string>{};
  auto same_name = ChildrenWithTerm("", name);
  if (!same_name.ok()) return same_name.status();
  std::set<std::string> likely;
  for (const std::string& term : SameChildTerms(fields)) {
    auto found = ChildrenWithTerm("", term);
    if (!found.ok()) return found.status();
    likely.merge(Intersect(*same_name, *found));
  }
  return std::vector<std::string>(likely.begin(), likely.end());
}

Status RuntimeImpl::IndexChildrenOnce() {
  auto done = store_.Get(std::string(codec::kChildIndexDoneKey));
  if (done.ok()) return Status::Ok();
  if (done.status().code() != StatusCode::kNotFound) return done.status();
  // Files written before the index: their ids from the revision keys, then
  // each folded (a county's files; a new store has none).
  std::set<std::string> ids;
  Status s = store_.Scan(codec::kChildRevisionArea, "", [&](std::string_view key, std::string_view) {
    std::string_view rest = key.substr(codec::kChildRevisionArea.size());
    ids.emplace(rest.substr(0, rest.find('\0')));
    return true;
  });
  SHOUHU_RETURN_IF_ERROR(s);
  std::vector<Mutation> batch;
  for (const std::string& id : ids) {
    auto merged = store_.Get(codec::ChildMergedKey(id));
    if (merged.ok()) continue;
    auto f = FoldChild(store_, id, std::nullopt);
    if (!f.ok()) continue;  // an unreadable file is reported where it is read
    IndexChildChange(id, f->file.unit, nullptr, &f->file.fields, &batch);
  }
  batch.push_back(Mutation::Put(std::string(codec::kChildIndexDoneKey),
                                std::string(1, codec::kFormatV1)));
  return store_.Commit(std::move(batch));
}

}  // namespace shouhu
