// A second report about a child who already has an open case of the same
// workflow (EventDef::same_child): with "join" it is recorded on that case
// instead of opening a parallel one -- a "report_joined" history entry with
// the submission, its reporter added to the case's joined reporters (they
// follow it like its first reporter), the file fields it brings on the
// child's file (as proposals where the reporter may not write it), and the
// people told of a new report told again. With "flag" it opens its own case
// with a "duplicate" entry naming the open one (commands.cc).
#include <algorithm>

#include "runtime/codec.h"
#include "runtime/runtime_impl.h"

namespace shouhu {

using json = nlohmann::json;

StatusOr<std::string> RuntimeImpl::OpenCaseOfChild(const Workflow& w, const json& data) {
  if (!w.child) return std::string();
  std::string identity = ChildIdentityOf(*w.child, data);
  if (identity.empty()) return std::string();
  auto known = store_.Get(codec::ChildIdentityKey(identity));
  if (!known.ok()) {
    if (known.status().code() == StatusCode::kNotFound) return std::string();
    return known.status();
  }
  auto child_id = codec::DecodeChildId(*known);
  if (!child_id.ok()) return child_id.status();
  auto file = GetChild(*child_id, std::nullopt);
  if (!file.ok()) return file.status();
  // The newest open case of this workflow about the child.
  for (auto id = file->case_ids.rbegin(); id != file->case_ids.rend(); ++id) {
    auto c = GetCase(*id);
    if (!c.ok()) return c.status();
    if (c->workflow_id != w.id) continue;
    auto version = catalog_.Find(c->workflow_id, c->workflow_version);
    const StateDef* s = version ? version->FindState(c->state) : nullptr;
    if (s && !s->terminal) return c->id;
  }
  return std::string();
}

StatusOr<CommandResult> RuntimeImpl::JoinCase(const OpenCase& cmd,
                                              const std::string& fingerprint,
                                              const std::string& case_id) {
  std::unique_lock<std::mutex> child_lock;  // held until the command commits
  CaseCommand command{{cmd.request_id, fingerprint}, cmd.actor, case_id};
  command.audit_action = "open:join";
  command.annotate = [](CommandResult* r) { r->joined = true; };
  command.child_lock = &child_lock;
  command.apply = [&](const Workflow& w, CaseChange& change) -> Status {
        CaseRecord& c = change.record();
        const StateDef* s = w.FindState(c.state);
        if (s && s->terminal) {
          // Closed between the look-up and the lock: the report must be
          // filed again, and opens a case of its own then.
          return FailedPrecondition("wrong state: case " + c.id +
                                    " about this child closed just now; file the report again");
        }
        const std::string& user = cmd.actor.user;
        if (user != c.reporter && std::find(c.joined_reporters.begin(),
                                            c.joined_reporters.end(),
                                            user) == c.joined_reporters.end()) {
          c.joined_reporters.push_back(user);
        }
        uint64_t seq = change.AddHistory("report_joined", w.id, cmd.data);
        for (const Notification& n : w.open.notify) change.Notify(n, seq);
        return UpdateChildFile(w, cmd.data, cmd.actor, change, &child_lock);
      };
  return RunOnCase(command);
}

}  // namespace shouhu
