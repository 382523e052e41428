// Look-ups on a loaded workflow.
#include <algorithm>

#include "shouhu/workflow.h"

namespace shouhu {

std::string_view FieldTypeName(FieldType t) {
  switch (t) {
    case FieldType::kString: return "string";
    case FieldType::kEnum: return "enum";
    case FieldType::kInteger: return "integer";
    case FieldType::kBoolean: return "boolean";
    case FieldType::kDatetime: return "datetime";
    case FieldType::kList: return "list";
  }
  return "?";
}

namespace {
template <typename T>
const T* FindById(const std::vector<T>& items, std::string_view id) {
  for (const T& t : items) {
    if (t.id == id) return &t;
  }
  return nullptr;
}
}  // namespace

const StateDef* Workflow::FindState(std::string_view id) const {
  return FindById(states, id);
}
const EventDef* Workflow::FindEvent(std::string_view id) const {
  return FindById(events, id);
}
const FieldDef* Workflow::FindField(std::string_view id) const {
  return FindById(fields, id);
}
const RoleDef* Workflow::FindRole(std::string_view id) const {
  return FindById(roles, id);
}
const EscalationDef* Workflow::FindEscalation(std::string_view id) const {
  return FindById(escalations, id);
}
const TemplateDef* Workflow::FindTemplate(std::string_view id) const {
  return FindById(templates, id);
}
const ServiceLevel* Workflow::FindServiceLevel(std::string_view id) const {
  return FindById(service_levels, id);
}
std::vector<const EventDef*> Workflow::EventsFrom(std::string_view state) const {
  std::vector<const EventDef*> out;
  for (const EventDef& e : events) {
    if (std::find(e.from.begin(), e.from.end(), state) != e.from.end()) {
      out.push_back(&e);
    }
  }
  return out;
}

}  // namespace shouhu
