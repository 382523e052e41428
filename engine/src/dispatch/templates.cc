// Renders a workflow's notification template for one case and one reader,
// in Chinese with English beside it.
#include <algorithm>

#include "dispatch/message.h"

namespace shouhu::dispatch {
namespace {

using json = nlohmann::json;

std::string Scalar(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "-";
  return v.dump();
}

// An enum value as people read it: its label in `lang`, else the code.
std::string Shown(const json& v, const FieldDef* field, std::string_view lang) {
  const Label* label = field && v.is_string() ? field->ValueLabel(v.get<std::string>()) : nullptr;
  if (!label) return Scalar(v);
  return lang == "zh" || label->en.empty() ? label->zh : label->en;
}

// The value of placeholder `name` in language `lang` ("zh" or "en").
std::string Value(std::string_view name, std::string_view lang, const NotificationContext& ctx,
                  const Workflow& w, const Organisation* org) {
  if (name == "case_id") return ctx.case_id.empty() ? "-" : ctx.case_id;
  if (name == "state_label") {
    if (!ctx.state_label) return "-";
    return lang == "zh" ? ctx.state_label->zh : ctx.state_label->en;
  }
  if (name == "unit") {
    const Unit* u = org ? org->FindUnit(ctx.unit) : nullptr;
    if (!u) return ctx.unit.empty() ? "-" : ctx.unit;
    return lang == "zh" ? u->name.zh : u->name.en;
  }
  if (name == "priority") return ctx.priority.empty() ? "-" : ctx.priority;
  auto it = ctx.data.find(std::string(name));
  if (it == ctx.data.end()) return "-";
  const FieldDef* field = w.FindField(name);
  // A unit id (a transfer's receiving unit) reads as the unit's name.
  if (const Unit* u = field && !field->unit_types.empty() && it->is_string() && org
                          ? org->FindUnit(it->get<std::string>())
                          : nullptr) {
    return lang == "zh" ? u->name.zh : u->name.en;
  }
  if (it->is_array()) {
    std::string out;
    for (const json& item : *it) {
      if (!out.empty()) out += lang == "zh" ? "、" : ", ";
      out += Shown(item, field, lang);
    }
    return out.empty() ? "-" : out;
  }
  return Shown(*it, field, lang);
}

// Value(), or the mask when the reader may not read `name`.
std::string Filled(std::string_view name, std::string_view lang, const NotificationContext& ctx,
                   const Workflow& w, const Organisation* org, const Shows& shows) {
  if (!shows(name)) return std::string(lang == "zh" ? kMaskZh : kMaskEn);
  return Value(name, lang, ctx, w, org);
}

std::string Fill(const TextTemplate& text, std::string_view lang, const NotificationContext& ctx,
                 const Workflow& w, const Organisation* org, const Shows& shows) {
  return text.Render(
      [&](const std::string& name) { return Filled(name, lang, ctx, w, org, shows); });
}

}  // namespace

RenderedMessage RenderMessage(const Workflow& w, const TemplateDef& t,
                              const NotificationContext& context, const Organisation* org,
                              const Shows& shows) {
  const TemplateDef::Parsed& p = t.parsed;
  RenderedMessage m;
  std::string zh_subject = Fill(p.subject_zh, "zh", context, w, org, shows);
  std::string en_subject = Fill(p.subject_en, "en", context, w, org, shows);
  m.subject = en_subject.empty() ? zh_subject : zh_subject + " / " + en_subject;
  std::string zh_body = Fill(p.body_zh, "zh", context, w, org, shows);
  std::string en_body = Fill(p.body_en, "en", context, w, org, shows);
  m.body = en_body.empty() ? zh_body : zh_body + "\n\n" + en_body;
  // The provider's parameters: the Chinese texts' placeholders, in order.
  json params = json::object();
  for (const TextTemplate* text : {&p.subject_zh, &p.body_zh}) {
    for (const std::string& n : text->names()) {
      if (!params.contains(n)) params[n] = Filled(n, "zh", context, w, org, shows);
    }
  }
  m.params_json = params.dump();
  return m;
}

}  // namespace shouhu::dispatch
