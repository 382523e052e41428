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
    case FieldType::kDate: return "date";
    case FieldType::kAttachments: return "attachments";
  }
  return "?";
}

std::string_view SensitivityName(Sensitivity s) {
  switch (s) {
    case Sensitivity::kPublic: return "public";
    case Sensitivity::kPersonal: return "personal";
    case Sensitivity::kSensitive: return "sensitive";
  }
  return "?";
}

bool ParseSensitivity(std::string_view name, Sensitivity* out) {
  for (Sensitivity s : {Sensitivity::kPublic, Sensitivity::kPersonal,
                        Sensitivity::kSensitive}) {
    if (SensitivityName(s) == name) {
      *out = s;
      return true;
    }
  }
  return false;
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
const Label* FieldDef::ValueLabel(std::string_view value) const {
  auto it = value_labels.find(value);
  return it == value_labels.end() ? nullptr : &it->second;
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
std::vector<std::string> TemplatePlaceholders(const TemplateDef& t) {
  std::vector<std::string> names;
  for (const std::string* text : {&t.subject.zh, &t.subject.en, &t.body.zh, &t.body.en}) {
    const TextTemplate parsed(*text);
    for (const std::string& name : parsed.names()) {
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    }
  }
  return names;
}

void ParseTemplate(TemplateDef* t) {
  t->parsed = {TextTemplate(t->subject.zh), TextTemplate(t->subject.en),
               TextTemplate(t->body.zh), TextTemplate(t->body.en)};
  t->placeholders = TemplatePlaceholders(*t);
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
