// The child's file (一人一档): one file per child, found by the identity
// fields the workflow names, linked to every case about the child.
//
// The file is stored as append-only revisions (codec.h), never as one
// record rewritten: two cases about the same child change it without
// read-modify-write conflicts, every change keeps who, when and which case,
// and the file as it stood at any instant is the fold of the revisions up to
// it. Revisions are written in the batch of the case change that made them.
#include <algorithm>
#include <set>

#include "runtime/codec.h"
#include "runtime/runtime_impl.h"

namespace shouhu {

using json = nlohmann::json;

// Strings are trimmed of surrounding spaces so "小明 " and "小明" are the
// same child.
std::string ChildIdentityOf(const ChildFileDef& def, const json& data) {
  std::string out;
  for (const std::string& f : def.identity) {
    auto it = data.find(f);
    if (it == data.end() || it->is_null()) return "";
    std::string v = it->is_string() ? it->get<std::string>() : it->dump();
    size_t b = v.find_first_not_of(" \t"), e = v.find_last_not_of(" \t");
    v = b == std::string::npos ? "" : v.substr(b, e - b + 1);
    if (v.empty()) return "";
    out += v;
    out.push_back('\x1f');  // unit separator: never inside a field value
  }
  return out;
}

StatusOr<FoldedChild> FoldChild(Store& store, const std::string& child_id,
                                std::optional<Instant> as_of) {
  FoldedChild f;
  f.file.id = child_id;
  Status error = Status::Ok();
  Status s = store.Scan(
      codec::ChildRevisionPrefix(child_id), "",
      [&](std::string_view, std::string_view value) {
        std::string unit;
        auto r = codec::DecodeChildRevision(value, &unit);
        if (!r.ok()) {
          error = r.status();
          return false;
        }
        if (as_of && r->at > *as_of) return false;  // keys sort by time
        r->revision = f.revisions.size() + 1;
        if (r->revision == 1) {
          f.file.unit = unit;
          f.file.created_at = r->at;
        }
        f.file.updated_at = r->at;
        f.file.revision = r->revision;
        for (auto it = r->changes.begin(); it != r->changes.end(); ++it) {
          f.file.fields[it.key()] = *it;
        }
        if (!r->linked_case.empty()) f.file.case_ids.push_back(r->linked_case);
        f.revisions.push_back(std::move(*r));
        return true;
      });
  SHOUHU_RETURN_IF_ERROR(s);
  SHOUHU_RETURN_IF_ERROR(error);
  if (f.revisions.empty()) return NotFound("no child \"" + child_id + "\"");
  return f;
}

Status RuntimeImpl::UpdateChildFile(const Workflow& w, const json& data,
                                    const Actor& actor,
                                    CaseChange& change,
                                    std::unique_lock<std::mutex>* lock,
                                    const std::string& link_to) {
  if (!w.child) return Status::Ok();
  CaseRecord& c = change.record();
  bool newly_linked = false;
  std::optional<FoldedChild> current;
  if (c.child_id.empty() && !link_to.empty()) {
    c.child_id = link_to;
    newly_linked = true;
  } else if (c.child_id.empty()) {
    std::string identity = ChildIdentityOf(*w.child, c.data);
    if (identity.empty()) return Status::Ok();  // not enough to know the child
    // The opening may hold it already (it looked for the child's open case).
    if (std::mutex& m = IdentityLock(identity); lock->mutex() != &m || !lock->owns_lock()) {
      *lock = std::unique_lock<std::mutex>(m);
    }
    auto known = store_.Get(codec::ChildIdentityKey(identity));
    if (known.ok()) {
      auto id = codec::DecodeChildId(*known);
      if (!id.ok()) return id.status();
      c.child_id = *id;
      // The identity lock is this node's only: another node sharing the
      // store may have opened this child's case after the opening looked for
      // one. Look again, and have the report filed again to join it (Open).
      if (change.opening() && w.open.same_child == EventDef::SameChild::kJoin &&
          StoreShared()) {
        auto open_case = OpenCaseOfChild(w, c.data);
        if (!open_case.ok()) return open_case.status();
        if (!open_case->empty()) {
          return FailedPrecondition("case " + *open_case +
                                    " about this child was opened just now on another node");
        }
      }
    } else if (known.status().code() == StatusCode::kNotFound) {
      // A new child: named after the case that first reports it, so ids
      // are unique without a counter of their own.
      c.child_id = "K" + c.id.substr(1);
      // Create-only: a node sharing the store that claimed the same child
      // at the same moment wins, and this report is opened again (Open).
      change.AddMutation(Mutation::Insert(codec::ChildIdentityKey(identity),
                                          codec::EncodeChildId(c.child_id)));
    } else {
      return known.status();
    }
    newly_linked = true;
  }
  // A file merged since into another: the case follows the merge.
  auto into = MergedInto(c.child_id);
  if (!into.ok()) return into.status();
  c.child_id = *into;
  auto folded = FoldChild(store_, c.child_id, std::nullopt);
  if (folded.ok()) {
    current = std::move(*folded);
  } else if (folded.status().code() != StatusCode::kNotFound) {
    return folded.status();
  }
  const json no_fields = json::object();
  const json& file = current ? current->file.fields : no_fields;
  // A newly linked case brings every file field it holds; afterwards each
  // command brings the fields in its own data.
  const json& source = newly_linked ? c.data : data;
  json changes = json::object();
  for (const std::string& f : w.child->fields) {
    auto v = source.find(f);
    if (v == source.end() || v->is_null()) continue;
    auto old = file.find(f);
    if (old == file.end() || *old != *v) changes[f] = *v;
  }
  // A file the actor may not reach is never overwritten by them: what they
  // report waits as a proposal for someone with rights on the file.
  if (current && !changes.empty() && options_.child_in_reach &&
      !options_.child_in_reach(actor, current->file.unit)) {
    ChildProposal p;
    p.at = change.now();
    p.actor = actor.user;
    p.case_id = c.id;
    p.changes = std::move(changes);
    changes = json::object();
    uint64_t seq = c.last_seq + (newly_linked ? 1 : 0);  // after child_linked
    p.id = c.id + "-" + std::to_string(seq);
    change.AddMutation(Mutation::Put(codec::ChildProposalKey(c.child_id, c.id, seq),
                                     codec::EncodeChildProposal(p)));
  }
  if (changes.empty() && !newly_linked) return Status::Ok();
  if (newly_linked) {
    json others = json::array();
    if (current) {
      for (const std::string& id : current->file.case_ids) others.push_back(id);
    }
    change.AddHistory("child_linked", c.child_id,
                      {{"child_id", c.child_id}, {"other_cases", others}});
  }
  json after = file;
  after.update(changes);
  std::vector<Mutation> index;
  IndexChildChange(c.child_id, current ? current->file.unit : c.unit,
                   current ? &file : nullptr, &after, &index);
  for (Mutation& m : index) change.AddMutation(std::move(m));
  ChildRevision r;
  r.at = change.now();
  r.actor = actor.user;
  r.case_id = c.id;
  r.changes = std::move(changes);
  r.linked_case = newly_linked ? c.id : "";
  change.AddMutation(Mutation::Put(
      codec::ChildRevisionKey(c.child_id, r.at, c.id, c.last_seq),
      codec::EncodeChildRevision(r, c.unit)));
  return Status::Ok();
}

StatusOr<ChildFile> RuntimeImpl::GetChild(const std::string& child_id,
                                          std::optional<Instant> as_of) {
  if (child_id.empty() || child_id.find('\0') != std::string::npos) {
    return InvalidArgument("a child id is a non-empty text without NUL");
  }
  auto f = FoldChild(store_, child_id, as_of);
  if (!f.ok()) return f.status();
  return std::move(f->file);
}

StatusOr<std::vector<ChildRevision>> RuntimeImpl::ChildHistory(
    const std::string& child_id) {
  if (child_id.empty() || child_id.find('\0') != std::string::npos) {
    return InvalidArgument("a child id is a non-empty text without NUL");
  }
  auto f = FoldChild(store_, child_id, std::nullopt);
  if (!f.ok()) return f.status();
  return std::move(f->revisions);
}

StatusOr<std::vector<ChildProposal>> RuntimeImpl::ChildProposals(
    const std::string& child_id) {
  if (child_id.empty() || child_id.find('\0') != std::string::npos) {
    return InvalidArgument("a child id is a non-empty text without NUL");
  }
  std::vector<ChildProposal> out;
  Status error = Status::Ok();
  Status s = store_.Scan(codec::ChildProposalPrefix(child_id), "",
                         [&](std::string_view, std::string_view value) {
                           auto p = codec::DecodeChildProposal(value);
                           if (!p.ok()) {
                             error = p.status();
                             return false;
                           }
                           out.push_back(std::move(*p));
                           return true;
                         });
  SHOUHU_RETURN_IF_ERROR(s);
  SHOUHU_RETURN_IF_ERROR(error);
  std::sort(out.begin(), out.end(), [](const ChildProposal& a, const ChildProposal& b) {
    return a.at < b.at;
  });
  return out;
}


// Each field is checked as the newest workflow that keeps it in the file
// declares it; every problem at once.
std::shared_ptr<const Workflow> RuntimeImpl::ChildFieldOwner(const std::string& field) const {
  std::shared_ptr<const Workflow> owner;
  for (const auto& w : catalog_.All()) {
    if (!w->child) continue;
    const auto& names = w->child->fields;
    if (std::find(names.begin(), names.end(), field) == names.end()) continue;
    if (!owner || (owner->id == w->id && owner->version < w->version)) owner = w;
  }
  return owner;
}

std::string RuntimeImpl::ChildFieldProblems(const json& fields, const json& merged,
                                            Instant now) const {
  std::string problems;
  for (auto it = fields.begin(); it != fields.end(); ++it) {
    std::shared_ptr<const Workflow> owner = ChildFieldOwner(it.key());
    Status s = Status::Ok();
    if (!owner) {
      s = InvalidArgument("field \"" + it.key() + "\" is not a field of the child's file");
    } else {
      s = CheckFieldValue(*owner->FindField(it.key()), *it);
      if (s.ok()) {
        s = CheckFieldBounds(*owner, *owner->FindField(it.key()), *it,
                             {now, std::nullopt, &merged, &options_.unit_type});
      }
    }
    if (!s.ok()) problems += (problems.empty() ? "" : "\n") + s.message();
  }
  return problems;
}

StatusOr<CommandResult> RuntimeImpl::UpdateChild(const UpdateChildFields& cmd) {
  SHOUHU_RETURN_IF_ERROR(CheckRequestId(cmd.request_id));
  if (cmd.actor.user.empty()) return PermissionDenied("no user given");
  if (!cmd.fields.is_object() || cmd.fields.empty()) {
    return InvalidArgument("give the fields to change, an object of field -> value");
  }
  auto fingerprint =
      Fingerprint({"child_update", cmd.actor.user, cmd.child_id, cmd.fields});
  if (!fingerprint.ok()) return fingerprint.status();
  const Request request{cmd.request_id, *fingerprint};
  RequestLockHolder request_lock;
  auto replay = BeginRequest<CommandResult>(request, cmd.actor, &request_lock);
  if (!replay.ok()) return replay.status();
  if (*replay) return **replay;
  // One change of this child's file at a time: its revision number is its
  // position, and a new identity is claimed once.
  std::unique_lock<std::mutex> child_lock(IdentityLock("child " + cmd.child_id));
  auto current = FoldChild(store_, cmd.child_id, std::nullopt);
  if (!current.ok()) return current.status();
  auto into = MergedInto(cmd.child_id);
  if (!into.ok()) return into.status();
  if (*into != cmd.child_id) {
    return FailedPrecondition("this file was merged into " + *into + "; change that one");
  }
  const json& file = current->file.fields;
  json merged = file;
  merged.update(cmd.fields);
  Instant now = clock_.Now();

  std::string problems = ChildFieldProblems(cmd.fields, merged, now);
  if (!problems.empty()) return InvalidArgument(problems);
  json changes = json::object();
  for (auto it = cmd.fields.begin(); it != cmd.fields.end(); ++it) {
    auto old = file.find(it.key());
    if (old == file.end() || *old != *it) changes[it.key()] = *it;
  }

  CommandResult result;
  result.child_revision = current->file.revision;
  if (changes.empty()) return result;  // nothing changes: nothing written
  std::vector<Mutation> batch;
  // A corrected name or birth date finds the file from now on (the old
  // identity still does too); one that is another child's is refused.
  SHOUHU_RETURN_IF_ERROR(ClaimIdentities(cmd.child_id, file, merged, &batch));
  IndexChildChange(cmd.child_id, current->file.unit, &file, &merged, &batch);
  ChildRevision r;
  r.at = now;
  r.actor = cmd.actor.user;
  r.changes = std::move(changes);
  result.child_revision = current->file.revision + 1;
  batch.push_back(Mutation::Put(
      codec::ChildRevisionKey(cmd.child_id, now, "", result.child_revision),
      codec::EncodeChildRevision(r, current->file.unit)));
  AddChildAudit(cmd.actor, "child.update", cmd.child_id, now, &batch);
  SHOUHU_RETURN_IF_ERROR(CommitAnswered(request, result, now, std::move(batch)));
  return result;
}

Status RuntimeImpl::ClaimIdentities(const std::string& child_id, const json& before,
                                    const json& after, std::vector<Mutation>* batch) {
  std::set<std::vector<std::string>> seen;
  for (const auto& w : catalog_.All()) {
    if (!w->child || !seen.insert(w->child->identity).second) continue;
    std::string old_identity = ChildIdentityOf(*w->child, before);
    std::string identity = ChildIdentityOf(*w->child, after);
    if (identity.empty() || identity == old_identity) continue;
    auto known = store_.Get(codec::ChildIdentityKey(identity));
    if (known.ok()) {
      auto id = codec::DecodeChildId(*known);
      if (!id.ok()) return id.status();
      if (*id != child_id) {
        return FailedPrecondition("another child's file (" + *id +
                                  ") has this identity; change one of them");
      }
    } else if (known.status().code() == StatusCode::kNotFound) {
      batch->push_back(Mutation::Put(codec::ChildIdentityKey(identity),
                                     codec::EncodeChildId(child_id)));
    } else {
      return known.status();
    }
  }
  return Status::Ok();
}

void AddChildAudit(const Actor& actor, std::string action, const std::string& child_id,
                   Instant now, std::vector<Mutation>* batch) {
  AuditRecord audit;
  audit.at = now;
  audit.user = actor.user;
  audit.unit = actor.unit;
  audit.origin = actor.origin;
  audit.action = std::move(action);
  audit.child_id = child_id;
  batch->push_back(Mutation::ChainedAppend(std::string(codec::kAuditPrefix),
                                           codec::EncodeAudit(audit)));
}

}  // namespace shouhu
