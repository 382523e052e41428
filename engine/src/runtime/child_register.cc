// The register (一人一档) beyond what cases do to it: a child's file made
// directly (a roster, a survey), and two files of one child merged.
#include <algorithm>
#include <random>

#include "runtime/codec.h"
#include "runtime/runtime_impl.h"

namespace shouhu {

using json = nlohmann::json;

std::vector<std::unique_lock<std::mutex>> LockAll(std::vector<std::mutex*> mutexes) {
  std::sort(mutexes.begin(), mutexes.end());
  mutexes.erase(std::unique(mutexes.begin(), mutexes.end()), mutexes.end());
  std::vector<std::unique_lock<std::mutex>> locks;
  for (std::mutex* m : mutexes) locks.emplace_back(*m);
  return locks;
}

namespace {

// The revision keys of a file, in order, with their revisions.
StatusOr<std::vector<std::pair<std::string, ChildRevision>>> RawRevisions(
    Store& store, const std::string& child_id) {
  std::vector<std::pair<std::string, ChildRevision>> out;
  Status error = Status::Ok();
  const std::string prefix = codec::ChildRevisionPrefix(child_id);
  Status s = store.Scan(prefix, "", [&](std::string_view key, std::string_view value) {
    auto r = codec::DecodeChildRevision(value, nullptr);
    if (!r.ok()) {
      error = r.status();
      return false;
    }
    out.emplace_back(std::string(key.substr(prefix.size())), std::move(*r));
    return true;
  });
  SHOUHU_RETURN_IF_ERROR(s);
  SHOUHU_RETURN_IF_ERROR(error);
  return out;
}

}  // namespace

StatusOr<std::string> RuntimeImpl::MergedInto(const std::string& child_id) {
  std::string id = child_id;
  for (int hops = 0; hops < 64; ++hops) {
    auto merged = store_.Get(codec::ChildMergedKey(id));
    if (merged.status().code() == StatusCode::kNotFound) return id;
    if (!merged.ok()) return merged.status();
    auto into = codec::DecodeChildId(*merged);
    if (!into.ok()) return into.status();
    id = *into;
  }
  return Internal("child file " + child_id + ": a loop of merges");
}

ChildRegister& RegisterOf(Runtime& runtime) { return dynamic_cast<RuntimeImpl&>(runtime); }

StatusOr<std::string> RuntimeImpl::NewChildId() {
  // Not counted: "KR" and 12 random hex digits, checked unused.
  static thread_local std::mt19937_64 random{std::random_device{}()};
  for (;;) {
    char hex[13];
    std::snprintf(hex, sizeof hex, "%012llx",
                  static_cast<unsigned long long>(random() & 0xFFFFFFFFFFFFull));
    std::string id = std::string("KR") + hex;
    bool used = false;
    SHOUHU_RETURN_IF_ERROR(store_.Scan(codec::ChildRevisionPrefix(id), "",
                                       [&](std::string_view, std::string_view) {
                                         used = true;
                                         return false;
                                       }));
    if (!used) return id;
  }
}

StatusOr<ChildCommandResult> RuntimeImpl::CreateChild(const CreateChildFile& cmd) {
  SHOUHU_RETURN_IF_ERROR(CheckRequestId(cmd.request_id));
  if (cmd.actor.user.empty()) return PermissionDenied("no user given");
  if (cmd.unit.empty() || cmd.unit.find('\0') != std::string::npos ||
      (options_.unit_type && options_.unit_type(cmd.unit).empty())) {
    return InvalidArgument("unit \"" + cmd.unit + "\" is no unit of the organisation");
  }
  if (!cmd.fields.is_object() || cmd.fields.empty()) {
    return InvalidArgument("give the file's fields, an object of field -> value");
  }
  auto fingerprint = Fingerprint({"child_create", cmd.actor.user, cmd.unit, cmd.fields});
  if (!fingerprint.ok()) return fingerprint.status();
  const Request request{cmd.request_id, *fingerprint};
  RequestLockHolder request_lock;
  auto replay = BeginRequest<ChildCommandResult>(request, cmd.actor, &request_lock);
  if (!replay.ok()) return replay.status();
  if (*replay) return **replay;

  json fields = json::object();
  for (auto it = cmd.fields.begin(); it != cmd.fields.end(); ++it) {
    if (!it->is_null()) fields[it.key()] = *it;
  }
  Instant now = clock_.Now();
  std::string problems = ChildFieldProblems(fields, fields, now);
  // The identity tells children apart: every workflow's is required.
  std::vector<std::mutex*> identity_locks;
  std::set<std::vector<std::string>> seen;
  std::set<std::string> missing;
  for (const auto& w : catalog_.All()) {
    if (!w->child || !seen.insert(w->child->identity).second) continue;
    std::string identity = ChildIdentityOf(*w->child, fields);
    if (!identity.empty()) {
      identity_locks.push_back(&IdentityLock(identity));
      continue;
    }
    for (const std::string& f : w->child->identity) {
      if (ChildIdentityOf(ChildFileDef{{f}, {}}, fields).empty() && missing.insert(f).second) {
        problems += (problems.empty() ? "" : "\n") +
                    ("field \"" + f + "\" is required: it tells children apart");
      }
    }
  }
  if (!problems.empty()) return InvalidArgument(problems);
  auto locks = LockAll(std::move(identity_locks));

  auto new_id = NewChildId();
  if (!new_id.ok()) return new_id.status();
  const std::string& id = *new_id;
  std::vector<Mutation> batch;
  Status claimed = ClaimIdentities(id, json::object(), fields, &batch);
  if (claimed.code() == StatusCode::kFailedPrecondition) {
    return AlreadyExists("已有此儿童档案 " + claimed.message());
  }
  SHOUHU_RETURN_IF_ERROR(claimed);
  IndexChildChange(id, cmd.unit, nullptr, &fields, &batch);
  ChildRevision r;
  r.at = now;
  r.actor = cmd.actor.user;
  r.changes = fields;
  ChildCommandResult result;
  result.child_id = id;
  result.revision = 1;
  batch.push_back(Mutation::Put(codec::ChildRevisionKey(id, now, "", 1),
                                codec::EncodeChildRevision(r, cmd.unit)));
  AddChildAudit(cmd.actor, "child.create", id, now, &batch);
  SHOUHU_RETURN_IF_ERROR(CommitAnswered(request, result, now, std::move(batch)));
  return result;
}

StatusOr<ChildCommandResult> RuntimeImpl::MergeChildren(const MergeChildFiles& cmd) {
  SHOUHU_RETURN_IF_ERROR(CheckRequestId(cmd.request_id));
  if (cmd.actor.user.empty()) return PermissionDenied("no user given");
  for (const std::string* id : {&cmd.into, &cmd.from}) {
    if (id->empty() || id->find('\0') != std::string::npos) {
      return InvalidArgument("a child id is a non-empty text without NUL");
    }
  }
  if (cmd.into == cmd.from) return FailedPrecondition("a file is not merged into itself");
  auto fingerprint = Fingerprint({"child_merge", cmd.actor.user, cmd.into, cmd.from});
  if (!fingerprint.ok()) return fingerprint.status();
  const Request request{cmd.request_id, *fingerprint};
  RequestLockHolder request_lock;
  auto replay = BeginRequest<ChildCommandResult>(request, cmd.actor, &request_lock);
  if (!replay.ok()) return replay.status();
  if (*replay) return **replay;
  auto locks = LockAll({&IdentityLock("child " + cmd.into), &IdentityLock("child " + cmd.from)});

  auto into = FoldChild(store_, cmd.into, std::nullopt);
  if (!into.ok()) return into.status();
  auto from = FoldChild(store_, cmd.from, std::nullopt);
  if (!from.ok()) return from.status();
  for (const std::string* id : {&cmd.into, &cmd.from}) {
    auto merged = MergedInto(*id);
    if (!merged.ok()) return merged.status();
    if (*merged != *id) {
      return FailedPrecondition("file " + *id + " was merged into " + *merged + " already");
    }
  }
  auto from_revisions = RawRevisions(store_, cmd.from);
  if (!from_revisions.ok()) return from_revisions.status();
  auto into_revisions = RawRevisions(store_, cmd.into);
  if (!into_revisions.ok()) return into_revisions.status();
  Instant now = clock_.Now();
  std::vector<Mutation> batch;

  // `from`'s revisions join `into`'s history where their times put them
  // (their key suffix sorts by time); marked with `from` in the key so they
  // cannot meet one of `into`'s own.
  std::vector<std::pair<std::string, const ChildRevision*>> history;
  for (const auto& [suffix, r] : *into_revisions) history.emplace_back(suffix, &r);
  uint64_t n = 0;
  for (const auto& [suffix, r] : *from_revisions) {
    std::string key = codec::ChildRevisionKey(cmd.into, r.at, cmd.from + "/" + r.case_id, ++n);
    batch.push_back(Mutation::Put(key, codec::EncodeChildRevision(r, into->file.unit)));
    history.emplace_back(key.substr(codec::ChildRevisionPrefix(cmd.into).size()), &r);
  }
  std::sort(history.begin(), history.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  json folded = json::object();
  for (const auto& [suffix, r] : history) folded.update(r->changes);
  // `into`'s values win where both files hold a field.
  json merged = from->file.fields;
  merged.update(into->file.fields);
  ChildRevision merge;
  merge.at = now;
  merge.actor = cmd.actor.user;
  for (auto it = merged.begin(); it != merged.end(); ++it) {
    auto f = folded.find(it.key());
    if (f == folded.end() || *f != *it) merge.changes[it.key()] = *it;
  }
  ChildCommandResult result;
  result.child_id = cmd.into;
  result.revision = history.size() + 1;
  batch.push_back(Mutation::Put(
      codec::ChildRevisionKey(cmd.into, now, "", result.revision),
      codec::EncodeChildRevision(merge, into->file.unit)));

  // `from`'s identities find `into` from now on; so does a new one.
  std::set<std::vector<std::string>> seen;
  for (const auto& w : catalog_.All()) {
    if (!w->child || !seen.insert(w->child->identity).second) continue;
    std::string identity = ChildIdentityOf(*w->child, from->file.fields);
    if (!identity.empty()) {
      batch.push_back(Mutation::Put(codec::ChildIdentityKey(identity),
                                    codec::EncodeChildId(cmd.into)));
    }
  }
  SHOUHU_RETURN_IF_ERROR(ClaimIdentities(cmd.into, from->file.fields, merged, &batch));
  IndexChildChange(cmd.from, from->file.unit, &from->file.fields, nullptr, &batch);
  IndexChildChange(cmd.into, into->file.unit, &into->file.fields, &merged, &batch);
  batch.push_back(Mutation::Put(codec::ChildMergedKey(cmd.from), codec::EncodeChildId(cmd.into)));
  AddChildAudit(cmd.actor, "child.merge", cmd.into, now, &batch);
  AddChildAudit(cmd.actor, "child.merged_into:" + cmd.into, cmd.from, now, &batch);
  SHOUHU_RETURN_IF_ERROR(CommitAnswered(request, result, now, std::move(batch)));
  return result;
}

}  // namespace shouhu
