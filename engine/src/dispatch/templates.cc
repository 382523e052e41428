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
std::string Value(std::string_view name, std::string_view lang, const json& ctx,
                  const Workflow& w, const Organisation* org) {
  if (name == "case_id") return Scalar(ctx.value("case_id", json()));
  if (name == "state_label") {
    const json& label = ctx.value("state_label", json::object());
    return label.is_object() ? Scalar(label.value(std::string(lang), json()))
                             : Scalar(label);
  }
  if (name == "unit") {
    std::string unit = ctx.value("unit", "");
    const Unit* u = org ? org->FindUnit(unit) : nullptr;
    if (!u) return unit.empty() ? "-" : unit;
    return lang == "zh" ? u->name.zh : u->name.en;
  }
  if (name == "priority") return Scalar(ctx.value("priority", json()));
  const json& data = ctx.value("data", json::object());
  auto it = data.find(std::string(name));
  if (it == data.end()) return "-";
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
std::string Filled(std::string_view name, std::string_view lang, const json& ctx,
                   const Workflow& w, const Organisation* org, const Shows& shows) {
  if (!shows(name)) return std::string(lang == "zh" ? kMaskZh : kMaskEn);
  return Value(name, lang, ctx, w, org);
}

// Replaces every {{name}} in `text`; collects the names in `names`.
std::string Fill(const std::string& text, std::string_view lang,
                 const json& ctx, const Workflow& w, const Organisation* org,
                 const Shows& shows, std::vector<std::string>* names) {
  std::string out;
  size_t pos = 0;
  for (;;) {
    size_t open = text.find("{{", pos);
    size_t close = open == std::string::npos ? open : text.find("}}", open + 2);
    if (close == std::string::npos) break;
    out.append(text, pos, open - pos);
    std::string name = text.substr(open + 2, close - open - 2);
    name.erase(0, name.find_first_not_of(' '));
    name.erase(name.find_last_not_of(' ') + 1);
    out += Filled(name, lang, ctx, w, org, shows);
    if (names &&
        std::find(names->begin(), names->end(), name) == names->end()) {
      names->push_back(name);
    }
    pos = close + 2;
  }
  out.append(text, pos);
  return out;
}

}  // namespace

RenderedMessage RenderMessage(const Workflow& w, const TemplateDef& t,
                              const json& context, const Organisation* org,
                              const Shows& shows) {
  std::vector<std::string> names;
  RenderedMessage m;
  std::string zh_subject = Fill(t.subject.zh, "zh", context, w, org, shows, &names);
  std::string en_subject = Fill(t.subject.en, "en", context, w, org, shows, nullptr);
  m.subject = en_subject.empty() ? zh_subject : zh_subject + " / " + en_subject;
  std::string zh_body = Fill(t.body.zh, "zh", context, w, org, shows, &names);
  std::string en_body = Fill(t.body.en, "en", context, w, org, shows, nullptr);
  m.body = en_body.empty() ? zh_body : zh_body + "\n\n" + en_body;
  json params = json::object();
  for (const std::string& n : names) params[n] = Filled(n, "zh", context, w, org, shows);
  m.params_json = params.dump();
  return m;
}

}  // namespace shouhu::dispatch
