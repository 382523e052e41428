// The rules of an event applied to a case: its data checked against the
// fields it requires and accepts, its guard, its branches, its counts, and
// the timers and notifications of the state it leaves or enters. Shared by
// users' commands (commands.cc), timers that fire events (timers.cc) and
// linked cases (linked_cases.cc).
#include <algorithm>

#include "runtime/runtime_impl.h"

namespace shouhu {

using json = nlohmann::json;

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

}  // namespace shouhu
