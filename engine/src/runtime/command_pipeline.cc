// The command pipeline (runtime_impl.h): the steps every command that
// changes state takes -- request id, actor, replay, case lock, one batch
// with the answer, commit, hooks -- written once, so that open, fire, note,
// assign, a proposal's decision, a re-drive, a delivery's record and the
// register's commands cannot differ in how they are made idempotent, in the
// order they take locks or in what their batch holds.
#include <cstdio>
#include <future>
#include <memory>

#include "runtime/codec.h"
#include "runtime/runtime_impl.h"

namespace shouhu {
namespace {

using json = nlohmann::json;

// The stored answers, by result type: a case command's, or a register
// command's (which carries the child id too).
StatusOr<CommandResult> DecodeAnswer(std::string_view value, std::string* fingerprint,
                                     const CommandResult*) {
  return codec::DecodeResult(value, fingerprint);
}
StatusOr<ChildCommandResult> DecodeAnswer(std::string_view value, std::string* fingerprint,
                                          const ChildCommandResult*) {
  return codec::DecodeChildResult(value, fingerprint);
}
}  // namespace

StatusOr<CommandResult> AwaitAnswer(const std::function<void(AsyncCommands::Done)>& start) {
  // Shared with the callback: it may still be setting the value when this
  // thread, woken, returns.
  auto answer = std::make_shared<std::promise<StatusOr<CommandResult>>>();
  auto result = answer->get_future();
  start([answer](StatusOr<CommandResult> r) { answer->set_value(std::move(r)); });
  return result.get();
}

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

Status CheckUser(const Actor& actor) {
  if (actor.user.empty()) return PermissionDenied("no user given");
  for (const std::string& r : actor.roles) {
    if (r == kSystemRole) return PermissionDenied("no user may act as role \"system\"");
  }
  return Status::Ok();
}

template <typename Result>
StatusOr<std::optional<Result>> RuntimeImpl::BeginRequest(const Request& request,
                                                          const Actor& actor,
                                                          RequestLockHolder* lock) {
  SHOUHU_RETURN_IF_ERROR(CheckRequestId(request.id));
  SHOUHU_RETURN_IF_ERROR(CheckUser(actor));
  *lock = RequestLockHolder(RequestLock(request.id));
  auto stored = store_.Get(codec::RequestKey(request.id));
  if (stored.status().code() == StatusCode::kNotFound) return std::optional<Result>();
  if (!stored.ok()) return stored.status();
  std::string first_fingerprint;
  auto answer = DecodeAnswer(*stored, &first_fingerprint, static_cast<const Result*>(nullptr));
  if (!answer.ok()) return answer.status();
  if (first_fingerprint != request.fingerprint &&
      (request.legacy_fingerprint.empty() || first_fingerprint != request.legacy_fingerprint)) {
    return FailedPrecondition("request id \"" + request.id +
                              "\" was already used for a different command");
  }
  return std::optional<Result>(std::move(*answer));
}

Mutation RuntimeImpl::Answer(const Request& request, const CommandResult& result,
                             Instant now) {
  return Mutation::Put(codec::RequestKey(request.id),
                       codec::EncodeResult(result, request.fingerprint, now));
}

Mutation RuntimeImpl::Answer(const Request& request, const ChildCommandResult& result,
                             Instant now) {
  return Mutation::Put(codec::RequestKey(request.id),
                       codec::EncodeChildResult(result, request.fingerprint, now));
}

template <typename Result>
Status RuntimeImpl::CommitAnswered(const Request& request, const Result& result, Instant now,
                                   std::vector<Mutation> batch) {
  batch.push_back(Answer(request, result, now));
  return store_.Commit(std::move(batch));
}

template StatusOr<std::optional<CommandResult>> RuntimeImpl::BeginRequest(
    const Request&, const Actor&, RequestLockHolder*);
template StatusOr<std::optional<ChildCommandResult>> RuntimeImpl::BeginRequest(
    const Request&, const Actor&, RequestLockHolder*);
template Status RuntimeImpl::CommitAnswered(const Request&, const CommandResult&, Instant,
                                            std::vector<Mutation>);
template Status RuntimeImpl::CommitAnswered(const Request&, const ChildCommandResult&, Instant,
                                            std::vector<Mutation>);

StatusOr<CommandResult> RuntimeImpl::RunOnCase(const CaseCommand& cmd) {
  return AwaitAnswer([&](Done done) { RunOnCase(cmd, std::move(done)); });
}

void RuntimeImpl::RunOnCase(const CaseCommand& cmd, Done done) {
  const bool answered = !cmd.own;
  RequestLockHolder request_lock;
  if (answered) {
    auto replay = BeginRequest<CommandResult>(cmd.request, cmd.actor, &request_lock);
    if (!replay.ok()) return done(replay.status());
    if (*replay) return done(**replay);
  }
  std::string located;
  if (cmd.locate) {
    auto id = cmd.locate();
    if (!id.ok()) return done(id.status());
    located = std::move(*id);
  }
  const std::string& case_id = cmd.locate ? located : cmd.case_id;

  HandoffLock case_lock(CaseLock(case_id));
  auto c = GetCase(case_id);
  if (!c.ok()) return done(c.status());
  auto w = catalog_.Find(c->workflow_id, c->workflow_version);
  if (!w) {
    return done(Unavailable("workflow \"" + c->workflow_id + "\" version " +
                            std::to_string(c->workflow_version) + " of case " + c->id +
                            " is not loaded"));
  }
  CaseChange change(*w, CalendarOf(*w), *c, *c, clock_.Now(), cmd.actor);
  if (Status s = cmd.apply(*w, change); !s.ok()) return done(s);
  const CaseRecord& after = change.record();
  CommandResult result{after.id, after.last_seq, after.state, false, false, "", 0};
  if (cmd.annotate) cmd.annotate(&result);
  std::vector<Mutation> extra;
  if (answered) {
    extra.push_back(Answer(cmd.request, result, change.now()));
  }
  // From here the commit's callback owns the case's and the request id's
  // locks: it releases them once the commit is over, whatever its outcome.
  HandoffMutex* held_case = case_lock.HandOver();
  HandoffMutex* held_request = request_lock.release();
  CommitChangeAsync(change, cmd.audit_action, std::move(extra),
                    /*wait=*/cmd.child_lock && cmd.child_lock->owns_lock(),
                    [this, held_case, held_request, fills_outbox = cmd.fills_outbox,
                     result = std::move(result), done = std::move(done)](const Status& s) mutable {
                      if (s.ok() && fills_outbox) OutboxFilled();
                      held_case->TakeOver();
                      held_case->unlock();
                      if (held_request) {
                        held_request->TakeOver();
                        held_request->unlock();
                      }
                      if (!s.ok()) return done(s);
                      done(std::move(result));
                    });
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
  MaybeResyncCounters();
  auto outbox_ids = OutboxIds(change.notifications());
  if (!outbox_ids.ok()) return then(outbox_ids.status());
  auto mutations = change.Render(*outbox_ids, audit_action, std::move(extra));
  PutsUnlessShared(mutations);
  const bool notifies = change.notifications() > 0;
  std::vector<std::string> armed;
  for (const ArmedTimer& t : change.newly_armed()) {
    armed.push_back(codec::TimerKey(t.due, change.record().id, t.name));
  }
  armed.insert(armed.end(), change.armed_keys().begin(), change.armed_keys().end());
  auto after = [this, notifies, armed = std::move(armed),
                then = std::move(then)](const Status& s) {
    NoteConflict(s);
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

}  // namespace shouhu
