// An event that opens a case of another workflow (`opens`, see
// workflows/README.md): a care-plan visit that finds a reportable situation
// files the mandatory report. The new case is checked like any opening,
// linked to the same child's file, and written in the same atomic batch as
// the event that opened it; a refusal of either writes nothing.
#include "runtime/codec.h"
#include "runtime/runtime_impl.h"

namespace shouhu {

using json = nlohmann::json;

Status RuntimeImpl::OpenLinkedCase(const EventDef& e, const Actor& actor,
                                   CaseChange& change,
                                   std::unique_lock<std::mutex>* lock) {
  const OpensCase& opens = *e.opens;
  auto target = catalog_.Newest(opens.workflow);
  if (!target) {
    return Unavailable("workflow \"" + opens.workflow + "\" that \"" + e.id +
                       "\" opens is not loaded");
  }
  CaseRecord& source = change.record();
  json data = json::object();
  for (const auto* pairs : {&opens.copy, &opens.move}) {
    for (const auto& [field, from] : *pairs) {
      auto v = source.data.find(from);
      if (v != source.data.end() && !v->is_null()) data[field] = *v;
    }
  }
  for (const auto& [field, from] : opens.move) source.data.erase(from);
  for (auto it = opens.set.begin(); it != opens.set.end(); ++it) data[it.key()] = *it;
  // The actor is allowed by the event; the new case's data must still be
  // what its own workflow accepts.
  if (Status s = CheckEventData(*target, target->open, data,
                                {change.now(), std::nullopt, &data, &options_.unit_type});
      !s.ok()) {
    return InvalidArgument("the \"" + target->id + "\" case that \"" + e.id +
                           "\" opens: " + s.message());
  }
  if (target->open.guard && !EvaluateGuard(*target->open.guard, data)) {
    return FailedPrecondition("guard failed: the \"" + target->id + "\" case that \"" +
                              e.id + "\" opens may not be opened");
  }

  CaseRecord c;
  auto id = NewCaseId();
  if (!id.ok()) return id.status();
  c.id = std::move(*id);
  c.workflow_id = target->id;
  c.workflow_version = target->version;
  c.data = data;
  c.unit = source.unit;
  c.reporter = actor.user;
  c.opened_at = change.now();
  CaseChange opened(*target, CalendarOf(*target), std::nullopt, c, change.now(),
                    actor);
  opened.MarkLate(target->open);
  opened.EnterState(target->initial_state);
  uint64_t seq = opened.AddHistory("opened", target->id, data, "", target->initial_state);
  opened.AddHistory("linked", source.id, {{"opened_by", source.id}, {"event", e.id}});
  for (const Notification& n : target->open.notify) opened.Notify(n, seq);
  SHOUHU_RETURN_IF_ERROR(
      UpdateChildFile(*target, data, actor, opened, lock, source.child_id));

  if (!opens.record_as.empty()) {
    source.data[opens.record_as] = c.id;
    // A timer running `until` the new case's id (the duty to report a
    // situation a visit found) is met by it.
    change.DropSatisfiedTimers();
  }
  change.AddHistory("opened_case", c.id, {{"case_id", c.id}, {"workflow", target->id}});
  auto outbox_ids = OutboxIds(opened.notifications());
  if (!outbox_ids.ok()) return outbox_ids.status();
  for (Mutation& m : opened.Render(*outbox_ids, "open:" + e.id, {})) {
    change.AddMutation(std::move(m));
  }
  for (const ArmedTimer& t : opened.newly_armed()) {
    change.AddArmedKey(codec::TimerKey(t.due, c.id, t.name));
  }
  return Status::Ok();
}

}  // namespace shouhu
