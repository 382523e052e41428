// The commands: open a case, fire an event, add a note, assign an owner.
#include <algorithm>
#include <cstdio>
#include <future>
#include <memory>

#include "runtime/codec.h"
#include "runtime/runtime_impl.h"

namespace shouhu {
namespace {

using json = nlohmann::json;

// Runs `start` with a callback and waits for that callback's result: the
// synchronous commands over the asynchronous ones.
StatusOr<CommandResult> Await(const std::function<void(AsyncCommands::Done)>& start) {
  // Shared with the callback: it may still be setting the value when this
  // thread, woken, returns.
  auto answer = std::make_shared<std::promise<StatusOr<CommandResult>>>();
  auto result = answer->get_future();
  start([answer](StatusOr<CommandResult> r) { answer->set_value(std::move(r)); });
  return result.get();
}

}  // namespace

// Also the one check that every text a command brings is valid UTF-8: all of
// it is stored as JSON, and nlohmann/json throws when it dumps anything else.
// Computed before anything else looks at the command (error messages dump
// values too), so that no exception leaves the runtime.
StatusOr<std::string> Fingerprint(const json& command) {
  std::string text;
  try {
    text = command.dump();
  } catch (const json::exception&) {
    return InvalidArgument("the command holds text that is not valid UTF-8");
  }
  // FNV-1a, 64 bits: stable across builds and library versions, unlike
  // std::hash, because fingerprints are stored.
  uint64_t h = 14695981039346656037ULL;
  for (unsigned char ch : text) {
    h ^= ch;
    h *= 1099511628211ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return std::string(buf);
}

Status CheckRequestId(const std::string& id) {
  if (id.empty()) return InvalidArgument("a request id (idempotency key) is required");
  if (id.size() > 200) return InvalidArgument("the request id is longer than 200 bytes");
  return Status::Ok();
}

std::string FormatCaseId(uint64_t n) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "C%010llu", static_cast<unsigned long long>(n));
  return buf;
}

Status CheckRoles(const Actor& actor, const std::vector<std::string>& allowed,
                  std::string_view what) {
  if (actor.user.empty()) return PermissionDenied("no user given");
  for (const std::string& r : actor.roles) {
    if (r == kSystemRole) {
      return PermissionDenied("no user may act as role \"system\"");
    }
  }
  for (const std::string& r : actor.roles) {
    if (std::find(allowed.begin(), allowed.end(), r) != allowed.end()) {
      return Status::Ok();
    }
  }
  return PermissionDenied("none of the roles of user \"" + actor.user +
                          "\" may " + std::string(what));
}

Status CheckEventData(const Workflow& w, const EventDef& e, const json& data,
                      const FieldBounds& bounds) {
  if (data.is_null()) return CheckEventData(w, e, json::object(), bounds);
  if (!data.is_object()) return InvalidArgument("event data must be a JSON object");
  // Every problem at once, one line each: a form shows them all together.
  std::string problems;
  auto problem = [&](const std::string& line) {
    problems += (problems.empty() ? "" : "\n") + line;
  };
  for (auto it = data.begin(); it != data.end(); ++it) {
    bool accepted =
        std::count(e.requires_fields.begin(), e.requires_fields.end(), it.key()) +
        std::count(e.optional_fields.begin(), e.optional_fields.end(), it.key());
    if (!accepted) {
      problem("field \"" + it.key() + "\" is not accepted by \"" + e.id + "\"");
      continue;
    }
    const FieldDef* f = w.FindField(it.key());
    if (!f) return Internal("field \"" + it.key() + "\" is not declared");
    bool required = std::count(e.requires_fields.begin(), e.requires_fields.end(), it.key());
    if (it->is_null() && required) continue;  // named once below, as missing
    Status s = CheckFieldValue(*f, *it);
    if (s.ok()) s = CheckFieldBounds(w, *f, *it, bounds);
    if (!s.ok()) problem(s.message());
  }
  for (const std::string& r : e.requires_fields) {
    auto it = data.find(r);
    if (it == data.end() || it->is_null()) {
      problem("field \"" + r + "\" is required by \"" + e.id + "\"");
    }
  }
  return problems.empty() ? Status::Ok() : InvalidArgument(problems);
}

Status ApplyEvent(const Workflow& w, const EventDef& e, const json& data,
                  CaseChange& change,
                  const std::function<std::string(std::string_view)>* unit_type) {
  CaseRecord& c = change.record();
  if (std::find(e.from.begin(), e.from.end(), c.state) == e.from.end()) {
    return FailedPrecondition("wrong state: \"" + e.id + "\" cannot fire in state \"" +
                              c.state + "\"");
  }
  json merged = c.data;
  if (data.is_object()) merged.update(data);
  SHOUHU_RETURN_IF_ERROR(
      CheckEventData(w, e, data, {change.now(), c.opened_at, &merged, unit_type}));
  for (const Addition& a : e.adds) {
    int64_t by = a.amount;
    if (!a.from.empty()) {
      auto v = data.is_object() ? data.find(a.from) : data.end();
      if (!data.is_object() || v == data.end()) continue;  // an optional count not given
      by = v->get<int64_t>();
      if (by < 0) {
        return InvalidArgument("field \"" + a.from + "\" is a count and may not be negative");
      }
    }
    auto was = c.data.find(a.total);
    merged[a.total] = (was != c.data.end() && was->is_number_integer() ? was->get<int64_t>() : 0) + by;
  }
  for (const std::string& f : e.clears) merged.erase(f);
  if (e.guard && !EvaluateGuard(*e.guard, merged)) {
    return FailedPrecondition("guard failed: the case's data does not allow \"" +
                              e.id + "\" now");
  }
  if (e.stay) {
    c.data = std::move(merged);
    change.MarkLate(e);
    change.DropSatisfiedTimers();
    for (const std::string& t : e.restart) change.RestartTimer(t);
    uint64_t seq = change.AddHistory("event", e.id, data);
    for (const Notification& n : e.notify) change.Notify(n, seq);
    return Status::Ok();
  }
  const Target* target = nullptr;
  for (const Target& t : e.to) {
    if (!t.when || EvaluateGuard(*t.when, merged)) {
      target = &t;
      break;
    }
  }
  if (!target) {
    return FailedPrecondition("guard failed: no branch of \"" + e.id +
                              "\" matches the case's data");
  }
  c.data = std::move(merged);
  change.MarkLate(e);
  std::string from = c.state;
  change.DropSatisfiedTimers();
  change.EnterState(target->state);
  uint64_t seq = change.AddHistory("event", e.id, data, from, target->state);
  for (const Notification& n : e.notify) change.Notify(n, seq);
  return Status::Ok();
}

Status RuntimeImpl::CommitChange(CaseChange& change,
                                 const std::string& audit_action,
                                 std::vector<Mutation> extra) {
  Status out;
  CommitChangeAsync(change, audit_action, std::move(extra), /*wait=*/true,
                    [&out](const Status& s) { out = s; });
  return out;
}

void RuntimeImpl::CommitChangeAsync(CaseChange& change, const std::string& audit_action,
                                    std::vector<Mutation> extra, bool wait,
                                    std::function<void(const Status&)> then) {
  const uint64_t outbox_before = next_outbox_.load();
  auto mutations = change.Render(next_outbox_, audit_action, std::move(extra));
  const bool notifies = next_outbox_.load() != outbox_before;
  std::vector<std::string> armed;
  for (const ArmedTimer& t : change.newly_armed()) {
    armed.push_back(codec::TimerKey(t.due, change.record().id, t.name));
  }
  armed.insert(armed.end(), change.armed_keys().begin(), change.armed_keys().end());
  auto after = [this, notifies, armed = std::move(armed),
                then = std::move(then)](const Status& s) {
    if (s.ok()) {
      if (notifies) OutboxFilled();
      for (const std::string& key : armed) TimerArmed(key);
    }
    then(s);
  };
  if (wait) return after(store_.Commit(std::move(mutations)));
  store_.CommitAsync(std::move(mutations), std::move(after));
}

void RuntimeImpl::OutboxFilled() {
  if (options_.on_outbox_filled) options_.on_outbox_filled();
}

void RuntimeImpl::TimerArmed(const std::string& timer_key) {
  window_.Add(timer_key);
  if (options_.on_timer_armed) options_.on_timer_armed(codec::TimerKeyDue(timer_key));
}

StatusOr<std::optional<CommandResult>> RuntimeImpl::Replay(
    const std::string& request_id, const std::string& fingerprint) {
  auto stored = store_.Get(codec::RequestKey(request_id));
  if (!stored.ok()) {
    if (stored.status().code() == StatusCode::kNotFound) {
      return std::optional<CommandResult>();
    }
    return stored.status();
  }
  std::string first_fingerprint;
  auto result = codec::DecodeResult(*stored, &first_fingerprint);
  if (!result.ok()) return result.status();
  if (first_fingerprint != fingerprint) {
    return FailedPrecondition("request id \"" + request_id +
                              "\" was already used for a different command");
  }
  return std::optional<CommandResult>(std::move(*result));
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
    std::lock_guard request_lock(RequestLock(cmd.request_id));
    auto replay = Replay(cmd.request_id, *fingerprint);
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
    c.id = FormatCaseId(next_case_.fetch_add(1) + 1);
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
    SHOUHU_RETURN_IF_ERROR(CommitChange(
        change, "open",
        {Mutation::Put(codec::RequestKey(cmd.request_id),
                       codec::EncodeResult(result, *fingerprint, now))}));
    return result;
  };
  auto result = opened();
  if (!result.ok() || join.empty()) return result;
  return JoinCase(cmd, *fingerprint, join);
}

StatusOr<CommandResult> RuntimeImpl::OnCase(const std::string& request_id,
                                            const std::string& fingerprint,
                                            const std::string& case_id,
                                            const Actor& actor,
                                            const std::string& audit_action,
                                            const Apply& apply,
                                            const std::function<void(CommandResult*)>& annotate) {
  return Await([&](Done done) {
    OnCaseAsync(request_id, fingerprint, case_id, actor, audit_action, apply, nullptr,
                std::move(done), annotate);
  });
}

void RuntimeImpl::OnCaseAsync(const std::string& request_id, const std::string& fingerprint,
                              const std::string& case_id, const Actor& actor,
                              const std::string& audit_action, const Apply& apply,
                              std::unique_lock<std::mutex>* child_lock, Done done,
                              const std::function<void(CommandResult*)>& annotate) {
  if (Status s = CheckRequestId(request_id); !s.ok()) return done(s);
  std::unique_lock request_lock(RequestLock(request_id));
  auto replay = Replay(request_id, fingerprint);
  if (!replay.ok()) return done(replay.status());
  if (*replay) return done(**replay);

  std::unique_lock case_lock(CaseLock(case_id));
  auto c = GetCase(case_id);
  if (!c.ok()) return done(c.status());
  auto w = catalog_.Find(c->workflow_id, c->workflow_version);
  if (!w) {
    return done(Unavailable("workflow \"" + c->workflow_id + "\" version " +
                            std::to_string(c->workflow_version) +
                            " of this case is not loaded"));
  }
  CaseChange change(*w, CalendarOf(*w), *c, *c, clock_.Now(), actor);
  if (Status s = apply(*w, change); !s.ok()) return done(s);
  const CaseRecord& after = change.record();
  CommandResult result{after.id, after.last_seq, after.state, false, false, "", 0};
  if (annotate) annotate(&result);
  std::vector<Mutation> extra;
  extra.push_back(Mutation::Put(codec::RequestKey(request_id),
                                codec::EncodeResult(result, fingerprint, change.now())));
  // From here the commit's callback owns the case's and the request id's
  // locks: it releases them once the commit is over, whatever its outcome.
  HandoffMutex* held_case = case_lock.release();
  HandoffMutex* held_request = request_lock.release();
  CommitChangeAsync(change, audit_action, std::move(extra),
                    /*wait=*/child_lock && child_lock->owns_lock(),
                    [held_case, held_request, result = std::move(result),
                     done = std::move(done)](const Status& s) mutable {
                      held_case->unlock();
                      held_request->unlock();
                      if (!s.ok()) return done(s);
                      done(std::move(result));
                    });
}

StatusOr<CommandResult> RuntimeImpl::Fire(const FireEvent& cmd) {
  return Await([&](Done done) { FireAsync(cmd, std::move(done)); });
}

void RuntimeImpl::FireAsync(const FireEvent& cmd, Done done) {
  auto fingerprint = Fingerprint(
      {"fire", cmd.actor.user, cmd.case_id, cmd.event, cmd.data});
  if (!fingerprint.ok()) return done(fingerprint.status());
  std::unique_lock<std::mutex> child_lock;  // held until OnCase commits
  OnCaseAsync(cmd.request_id, *fingerprint, cmd.case_id, cmd.actor,
              "fire:" + cmd.event,
              [&](const Workflow& w, CaseChange& change) -> Status {
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
              },
              &child_lock, std::move(done));
}

StatusOr<CommandResult> RuntimeImpl::Note(const AddNote& cmd) {
  return Await([&](Done done) { NoteAsync(cmd, std::move(done)); });
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
  OnCaseAsync(cmd.request_id, *fingerprint, cmd.case_id, cmd.actor,
              "note", [&](const Workflow& w, CaseChange& change) -> Status {
                // Anyone with a role in the workflow may add a note.
                std::vector<std::string> roles;
                for (const RoleDef& r : w.roles) roles.push_back(r.id);
                SHOUHU_RETURN_IF_ERROR(CheckRoles(cmd.actor, roles, "add a note"));
                json data = {{"text", cmd.text}};
                if (!cmd.attachments.empty()) data["attachments"] = cmd.attachments;
                change.AddHistory("note", "note", std::move(data));
                return Status::Ok();
              },
              nullptr, std::move(done));
}

StatusOr<CommandResult> RuntimeImpl::DecideProposal(const DecideChildProposal& cmd) {
  if (cmd.actor.user.empty()) return PermissionDenied("no user given");
  auto fingerprint = Fingerprint(
      {"child_proposal", cmd.actor.user, cmd.child_id, cmd.proposal_id, cmd.accept});
  if (!fingerprint.ok()) return fingerprint.status();
  auto proposals = ChildProposals(cmd.child_id);
  if (!proposals.ok()) return proposals.status();
  auto p = std::find_if(proposals->begin(), proposals->end(),
                        [&](const ChildProposal& x) { return x.id == cmd.proposal_id; });
  // A replayed decision finds its proposal gone: answered from the record.
  std::string case_id = p != proposals->end() ? p->case_id
                                              : cmd.proposal_id.substr(
                                                    0, cmd.proposal_id.rfind('-'));
  auto seq_text = cmd.proposal_id.substr(cmd.proposal_id.rfind('-') + 1);
  if (case_id.empty() || seq_text.empty() ||
      seq_text.find_first_not_of("0123456789") != std::string::npos || seq_text.size() > 18) {
    return NotFound("no proposal \"" + cmd.proposal_id + "\"");
  }
  std::string key = codec::ChildProposalKey(cmd.child_id, case_id, std::stoull(seq_text));
  return OnCase(
      cmd.request_id, *fingerprint, case_id, cmd.actor,
      cmd.accept ? "child.proposal.accept" : "child.proposal.reject",
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
              codec::ChildRevisionKey(cmd.child_id, r.at, case_id, seq),
              codec::EncodeChildRevision(r, file->unit)));
        }
        change.AddMutation(Mutation::Delete(key));
        return Status::Ok();
      });
}

StatusOr<CommandResult> RuntimeImpl::Assign(const AssignOwner& cmd) {
  return Await([&](Done done) { AssignAsync(cmd, std::move(done)); });
}

void RuntimeImpl::AssignAsync(const AssignOwner& cmd, Done done) {
  auto fingerprint = Fingerprint({"assign", cmd.actor.user, cmd.case_id, cmd.owner});
  if (!fingerprint.ok()) return done(fingerprint.status());
  OnCaseAsync(cmd.request_id, *fingerprint, cmd.case_id, cmd.actor,
              "assign", [&](const Workflow& w, CaseChange& change) -> Status {
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
              },
              nullptr, std::move(done));
}

AsyncCommands* AsyncCommandsOf(Runtime& runtime) {
  return dynamic_cast<AsyncCommands*>(&runtime);
}

}  // namespace shouhu
