// The commands users give a case: open it, fire one of its events, add a
// note, assign its owner, decide a proposal for the child's file. Each goes
// through the command pipeline (command_pipeline.cc); the rules of an event
// are in event_rules.cc.
#include <algorithm>
#include <cstdio>
#include <memory>

#include "runtime/codec.h"
#include "runtime/runtime_impl.h"

namespace shouhu {

using json = nlohmann::json;

std::string FormatCaseId(uint64_t n) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "C%010llu", static_cast<unsigned long long>(n));
  return buf;
}

Status CheckRoles(const Actor& actor, const std::vector<std::string>& allowed,
                  std::string_view what) {
  SHOUHU_RETURN_IF_ERROR(CheckUser(actor));
  for (const std::string& r : actor.roles) {
    if (std::find(allowed.begin(), allowed.end(), r) != allowed.end()) {
      return Status::Ok();
    }
  }
  return PermissionDenied("none of the roles of user \"" + actor.user +
                          "\" may " + std::string(what));
}

StatusOr<CommandResult> RuntimeImpl::Open(const OpenCase& cmd) {
  SHOUHU_RETURN_IF_ERROR(CheckRequestId(cmd.request_id));
  std::string unit = cmd.unit.empty() ? cmd.actor.unit : cmd.unit;
  auto w = catalog_.Newest(cmd.workflow_id);
  if (!w) return NotFound("no workflow \"" + cmd.workflow_id + "\"");
  // A report belongs to the child's place, whoever files it.
  if (const std::string& f = w->open.unit_field;
      !f.empty() && cmd.data.is_object() && cmd.data.contains(f) && cmd.data[f].is_string()) {
    unit = cmd.data[f].get<std::string>();
    if (options_.unit_type && options_.unit_type(unit).empty()) {
      return InvalidArgument("field " + f + ": no unit \"" + unit + "\"");
    }
  }
  auto fingerprint =
      Fingerprint({"open", cmd.actor.user, cmd.workflow_id, unit, cmd.data});
  if (!fingerprint.ok()) return fingerprint.status();
  SHOUHU_RETURN_IF_ERROR(CheckRoles(cmd.actor, w->open.roles, "open a case"));
  Instant checked_at = clock_.Now();
  SHOUHU_RETURN_IF_ERROR(
      CheckEventData(*w, w->open, cmd.data,
                     {checked_at, std::nullopt, &cmd.data, &options_.unit_type}));
  if (w->open.guard && !EvaluateGuard(*w->open.guard, cmd.data)) {
    return FailedPrecondition("guard failed: this case may not be opened");
  }
  if (unit.empty()) return InvalidArgument("the case needs an organisation unit");
  // A report about a child whose case of this workflow is still open joins
  // it (after the locks below are released) or is flagged.
  std::string join;
  auto opened = [&]() -> StatusOr<CommandResult> {
    const Request request{cmd.request_id, *fingerprint};
    RequestLockHolder request_lock;
    auto replay = BeginRequest<CommandResult>(request, cmd.actor, &request_lock);
    if (!replay.ok()) return replay.status();
    if (*replay) return **replay;
    // The child's identity lock, held from the look-up to the commit: of
    // reports on one child at once, one opens the case and the rest find it.
    std::unique_lock<std::mutex> child_lock;
    std::string duplicate_of;
    if (w->open.same_child != EventDef::SameChild::kParallel && w->child) {
      std::string identity = ChildIdentityOf(*w->child, cmd.data);
      if (!identity.empty()) child_lock = std::unique_lock<std::mutex>(IdentityLock(identity));
      auto open_case = OpenCaseOfChild(*w, cmd.data);
      if (!open_case.ok()) return open_case.status();
      if (!open_case->empty() && w->open.same_child == EventDef::SameChild::kJoin) {
        join = *open_case;
        return CommandResult{};
      }
      duplicate_of = *open_case;
    }

    Instant now = checked_at;
    CaseRecord c;
    auto id = NewCaseId();
    if (!id.ok()) return id.status();
    c.id = std::move(*id);
    c.workflow_id = w->id;
    c.workflow_version = w->version;
    c.data = cmd.data.is_null() ? json::object() : cmd.data;
    c.unit = unit;
    c.reporter = cmd.actor.user;
    c.opened_at = now;
    CaseChange change(*w, CalendarOf(*w), std::nullopt, c, now, cmd.actor);
    change.MarkLate(w->open);
    change.EnterState(w->initial_state);
    uint64_t seq = change.AddHistory("opened", w->id, cmd.data, "", w->initial_state);
    for (const Notification& n : w->open.notify) change.Notify(n, seq);
    if (!duplicate_of.empty()) {
      change.AddHistory("duplicate", duplicate_of, {{"duplicate_of", duplicate_of}});
    }
    SHOUHU_RETURN_IF_ERROR(
        UpdateChildFile(*w, cmd.data, cmd.actor, change, &child_lock));
    CommandResult result{c.id, seq, w->initial_state, false, false, duplicate_of, 0};
    SHOUHU_RETURN_IF_ERROR(CommitChange(change, "open", {Answer(request, result, now)}));
    return result;
  };
  auto open_or_join = [&]() -> StatusOr<CommandResult> {
    join.clear();
    auto result = opened();
    if (!result.ok() || join.empty()) return result;
    return JoinCase(cmd, *fingerprint, join);
  };
  auto result = open_or_join();
  // With other nodes on the store, another node may open a case at the same
  // moment under the same id, or claim the same new child, or change the
  // case this report joins: the store refuses this commit whole (a
  // create-only record is there already) and nothing of it is written.
  // Filed again, the report reads what the other node wrote (a new id; the
  // child's case, which it joins), as it would have on one node, so a
  // reporter never meets another node's work as a conflict. (A refusal for
  // any other reason comes back the same.)
  for (int attempt = 1; StoreShared() && attempt < 4 && !result.ok() &&
                        result.status().code() == StatusCode::kFailedPrecondition;
       ++attempt) {
    result = open_or_join();
  }
  return result;
}

StatusOr<CommandResult> RuntimeImpl::Fire(const FireEvent& cmd) {
  return AwaitAnswer([&](Done done) { FireAsync(cmd, std::move(done)); });
}

void RuntimeImpl::FireAsync(const FireEvent& cmd, Done done) {
  auto fingerprint = Fingerprint(
      {"fire", cmd.actor.user, cmd.case_id, cmd.event, cmd.data});
  if (!fingerprint.ok()) return done(fingerprint.status());
  std::unique_lock<std::mutex> child_lock;  // held until the command commits
  CaseCommand command{{cmd.request_id, *fingerprint}, cmd.actor, cmd.case_id};
  command.audit_action = "fire:" + cmd.event;
  command.child_lock = &child_lock;
  command.apply = [&](const Workflow& w, CaseChange& change) -> Status {
                const EventDef* e = w.FindEvent(cmd.event);
                if (!e) {
                  return NotFound("workflow \"" + w.id + "\" has no event \"" +
                                  cmd.event + "\"");
                }
                if (cmd.expected_seq &&
                    *cmd.expected_seq != change.record().last_seq) {
                  return FailedPrecondition(
                      "version conflict: the case changed since seq " +
                      std::to_string(*cmd.expected_seq));
                }
                SHOUHU_RETURN_IF_ERROR(
                    CheckRoles(cmd.actor, e->roles, "fire \"" + e->id + "\""));
                SHOUHU_RETURN_IF_ERROR(
                    ApplyEvent(w, *e, cmd.data, change, &options_.unit_type));
                SHOUHU_RETURN_IF_ERROR(UpdateChildFile(w, cmd.data, cmd.actor,
                                                       change, &child_lock));
                if (!e->opens) return Status::Ok();
                return OpenLinkedCase(*e, cmd.actor, change, &child_lock);
              };
  RunOnCase(command, std::move(done));
}

StatusOr<CommandResult> RuntimeImpl::Note(const AddNote& cmd) {
  return AwaitAnswer([&](Done done) { NoteAsync(cmd, std::move(done)); });
}

void RuntimeImpl::NoteAsync(const AddNote& cmd, Done done) {
  if (cmd.text.empty()) return done(InvalidArgument("a note needs text"));
  if (cmd.actor.user.empty()) return done(PermissionDenied("no user given"));
  if (!cmd.attachments.is_array()) {
    return done(InvalidArgument("a note's attachments must be a list"));
  }
  json fingerprinted = {"note", cmd.actor.user, cmd.case_id, cmd.text};
  if (!cmd.attachments.empty()) fingerprinted.push_back(cmd.attachments);
  auto fingerprint = Fingerprint(fingerprinted);
  if (!fingerprint.ok()) return done(fingerprint.status());
  CaseCommand command{{cmd.request_id, *fingerprint}, cmd.actor, cmd.case_id};
  command.audit_action = "note";
  command.apply = [&](const Workflow& w, CaseChange& change) -> Status {
                // Anyone with a role in the workflow may add a note.
                std::vector<std::string> roles;
                for (const RoleDef& r : w.roles) roles.push_back(r.id);
                SHOUHU_RETURN_IF_ERROR(CheckRoles(cmd.actor, roles, "add a note"));
                json data = {{"text", cmd.text}};
                if (!cmd.attachments.empty()) data["attachments"] = cmd.attachments;
                change.AddHistory("note", "note", std::move(data));
                return Status::Ok();
              };
  RunOnCase(command, std::move(done));
}

StatusOr<CommandResult> RuntimeImpl::DecideProposal(const DecideChildProposal& cmd) {
  auto fingerprint = Fingerprint(
      {"child_proposal", cmd.actor.user, cmd.child_id, cmd.proposal_id, cmd.accept});
  if (!fingerprint.ok()) return fingerprint.status();
  std::string key;  // the proposal's, found with its case
  CaseCommand command{{cmd.request_id, *fingerprint}, cmd.actor};
  command.audit_action = cmd.accept ? "child.proposal.accept" : "child.proposal.reject";
  command.locate = [&]() -> StatusOr<std::string> {
    auto proposals = ChildProposals(cmd.child_id);
    if (!proposals.ok()) return proposals.status();
    auto p = std::find_if(proposals->begin(), proposals->end(),
                          [&](const ChildProposal& x) { return x.id == cmd.proposal_id; });
    // A decision made meanwhile left no proposal: its id still names its case.
    std::string case_id = p != proposals->end()
                              ? p->case_id
                              : cmd.proposal_id.substr(0, cmd.proposal_id.rfind('-'));
    auto seq_text = cmd.proposal_id.substr(cmd.proposal_id.rfind('-') + 1);
    if (case_id.empty() || seq_text.empty() ||
        seq_text.find_first_not_of("0123456789") != std::string::npos || seq_text.size() > 18) {
      return NotFound("no proposal \"" + cmd.proposal_id + "\"");
    }
    key = codec::ChildProposalKey(cmd.child_id, case_id, std::stoull(seq_text));
    return case_id;
  };
  command.apply =
      [&](const Workflow&, CaseChange& change) -> Status {
        // Read again under the case's lock: decided by someone else meanwhile?
        auto stored = store_.Get(key);
        if (!stored.ok()) {
          return stored.status().code() == StatusCode::kNotFound
                     ? NotFound("no proposal \"" + cmd.proposal_id + "\"")
                     : stored.status();
        }
        auto proposal = codec::DecodeChildProposal(*stored);
        if (!proposal.ok()) return proposal.status();
        auto file = GetChild(cmd.child_id, std::nullopt);
        if (!file.ok()) return file.status();
        uint64_t seq = change.AddHistory(
            "child_proposal", cmd.accept ? "accepted" : "rejected",
            {{"child_id", cmd.child_id}, {"proposal", cmd.proposal_id},
             {"proposed_by", proposal->actor}});
        if (cmd.accept) {
          ChildRevision r;
          r.at = change.now();
          r.actor = cmd.actor.user;
          r.case_id = proposal->case_id;
          r.changes = proposal->changes;
          json after = file->fields;
          after.update(r.changes);
          std::vector<Mutation> index;
          IndexChildChange(cmd.child_id, file->unit, &file->fields, &after, &index);
          for (Mutation& m : index) change.AddMutation(std::move(m));
          change.AddMutation(Mutation::Put(
              codec::ChildRevisionKey(cmd.child_id, r.at, change.record().id, seq),
              codec::EncodeChildRevision(r, file->unit)));
        }
        change.AddMutation(Mutation::Delete(key));
        return Status::Ok();
      };
  return RunOnCase(command);
}

StatusOr<CommandResult> RuntimeImpl::Assign(const AssignOwner& cmd) {
  return AwaitAnswer([&](Done done) { AssignAsync(cmd, std::move(done)); });
}

void RuntimeImpl::AssignAsync(const AssignOwner& cmd, Done done) {
  auto fingerprint = Fingerprint({"assign", cmd.actor.user, cmd.case_id, cmd.owner});
  if (!fingerprint.ok()) return done(fingerprint.status());
  CaseCommand command{{cmd.request_id, *fingerprint}, cmd.actor, cmd.case_id};
  command.audit_action = "assign";
  command.apply = [&](const Workflow& w, CaseChange& change) -> Status {
                CaseRecord& c = change.record();
                const StateDef* s = w.FindState(c.state);
                if (s && s->terminal) {
                  return FailedPrecondition("wrong state: a closed case has no owner");
                }
                // The step's owner role, or anyone allowed to fire its
                // events, may assign it.
                std::vector<std::string> roles;
                if (s && !s->owner_role.empty()) roles.push_back(s->owner_role);
                for (const EventDef* e : w.EventsFrom(c.state)) {
                  roles.insert(roles.end(), e->roles.begin(), e->roles.end());
                }
                SHOUHU_RETURN_IF_ERROR(
                    CheckRoles(cmd.actor, roles, "assign this step"));
                std::string before = c.owner;
                c.owner = cmd.owner;
                change.AddHistory("assigned", "assign",
                                  {{"from", before}, {"to", cmd.owner}});
                return Status::Ok();
              };
  RunOnCase(command, std::move(done));
}

AsyncCommands* AsyncCommandsOf(Runtime& runtime) {
  return dynamic_cast<AsyncCommands*>(&runtime);
}

}  // namespace shouhu
