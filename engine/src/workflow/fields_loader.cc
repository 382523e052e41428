// Parsing a workflow's fields and its guards (the conditions of events,
// branches, timers and notifications): see fields_loader.h.
#include "workflow/fields_loader.h"

#include <set>

namespace shouhu {
namespace {

using json = nlohmann::json;

std::optional<FieldType> ParseFieldType(const std::string& s) {
  if (s == "string") return FieldType::kString;
  if (s == "enum") return FieldType::kEnum;
  if (s == "integer") return FieldType::kInteger;
  if (s == "boolean") return FieldType::kBoolean;
  if (s == "datetime") return FieldType::kDatetime;
  if (s == "list") return FieldType::kList;
  if (s == "date") return FieldType::kDate;
  if (s == "attachments") return FieldType::kAttachments;
  return std::nullopt;
}

// "value_labels" of an enum at `p` (a field, or a list field's "items"):
// one {zh, en} label for each of `values` and for nothing else.
void ParseValueLabels(const json& j, const std::string& p,
                      const std::vector<std::string>& values, JsonReader& r,
                      std::map<std::string, Label, std::less<>>* out) {
  if (values.empty()) return;
  std::string lp = p + "/value_labels";
  auto it = j.find("value_labels");
  if (it == j.end()) {
    std::string missing;
    for (const std::string& v : values) missing += (missing.empty() ? "\"" : ", \"") + v + "\"";
    r.Error(p, "missing member \"value_labels\": every value needs a {\"zh\", \"en\"} "
               "label people read instead of the code (" + missing + ")");
    return;
  }
  if (!r.IsObject(*it, lp)) return;
  for (const std::string& v : values) {
    Label label;
    if (!it->contains(v)) {
      r.Error(lp, "no label for value \"" + v + "\"");
    } else if (r.Label(*it, lp, v.c_str(), &label, true)) {
      (*out)[v] = label;
    }
  }
  for (auto e = it->begin(); e != it->end(); ++e) {
    if (std::find(values.begin(), values.end(), e.key()) == values.end()) {
      r.Error(lp + "/" + e.key(), "\"" + e.key() + "\" is not one of the values");
    }
  }
}

// Guards are evaluated, copied and freed recursively, one frame per level; a
// readable rule needs a handful of levels. The file's own nesting is capped
// when it is parsed (kMaxDefinitionJsonDepth), this is the clearer message.
constexpr int kMaxGuardDepth = 16;

}  // namespace

FieldDef ParseField(const json& j, const std::string& p, JsonReader& r) {
  FieldDef f;
  r.OnlyMembers(j, p, {"id", "label", "type", "values", "value_labels", "items",
                       "sensitivity", "to_reporter", "not_after", "not_before", "max_files",
                       "keep_metadata", "unit_types"});
  r.String(j, p, "id", &f.id, true);
  r.String(j, p, "not_after", &f.not_after, false);
  r.String(j, p, "not_before", &f.not_before, false);
  r.Bool(j, p, "to_reporter", &f.to_reporter);
  if (r.StringList(j, p, "unit_types", &f.unit_types, false) && f.unit_types.empty()) {
    r.Error(p + "/unit_types", "name at least one unit type");
  }
  r.Label(j, p, "label", &f.label, true);
  if (std::string level; r.String(j, p, "sensitivity", &level, false) &&
                         !ParseSensitivity(level, &f.sensitivity)) {
    r.Error(p + "/sensitivity", "wrong sensitivity \"" + level +
                                    "\": expected public, personal or sensitive");
  }
  std::string type;
  if (r.String(j, p, "type", &type, true)) {
    auto t = ParseFieldType(type);
    if (!t) {
      r.Error(p + "/type", "wrong field type \"" + type +
                               "\": expected string, enum, integer, boolean, "
                               "datetime, date, list or attachments");
    } else {
      f.type = *t;
    }
  }
  if (f.type == FieldType::kAttachments) {
    int max_files = 0;
    if (r.Int(j, p, "max_files", &max_files, false) && max_files < 1) {
      r.Error(p + "/max_files", "max_files must be at least 1");
    }
    f.max_files = max_files > 0 ? static_cast<size_t>(max_files) : 0;
    r.Bool(j, p, "keep_metadata", &f.keep_metadata);
  } else if (j.contains("max_files") || j.contains("keep_metadata")) {
    r.Error(p, "max_files and keep_metadata are for fields of type attachments");
  }
  if (f.type == FieldType::kEnum) {
    r.StringList(j, p, "values", &f.values, true);
    if (f.values.empty() && j.contains("values")) {
      r.Error(p + "/values", "an enum needs at least one value");
    }
    ParseValueLabels(j, p, f.values, r, &f.value_labels);
  }
  if (f.type == FieldType::kList && j.contains("items")) {
    const json& items = j["items"];
    std::string ip = p + "/items";
    if (r.IsObject(items, ip)) {
      r.OnlyMembers(items, ip, {"type", "values", "value_labels"});
      std::string it;
      if (r.String(items, ip, "type", &it, true)) {
        auto t = ParseFieldType(it);
        if (!t || *t == FieldType::kList) {
          r.Error(ip + "/type", "wrong field type \"" + it +
                                    "\" for list items");
        } else {
          f.item_type = *t;
        }
      }
      if (f.item_type == FieldType::kEnum) {
        r.StringList(items, ip, "values", &f.item_values, true);
        ParseValueLabels(items, ip, f.item_values, r, &f.value_labels);
      }
    }
  }
  return f;
}

std::optional<Guard> ParseGuard(const json& j, const std::string& p,
                                JsonReader& r, int depth) {
  if (!r.IsObject(j, p)) return std::nullopt;
  if (depth > kMaxGuardDepth) {
    r.Error(p, "条件嵌套超过 " + std::to_string(kMaxGuardDepth) +
                   " 层 / guards nest deeper than " + std::to_string(kMaxGuardDepth) +
                   " levels");
    return std::nullopt;
  }
  Guard g;
  for (const char* comb : {"all", "any"}) {
    if (j.contains(comb)) {
      r.OnlyMembers(j, p, {comb});
      g.op = std::string(comb) == "all" ? Guard::Op::kAll : Guard::Op::kAny;
      const json* arr = r.Array(j, p, comb, true);
      if (!arr) return std::nullopt;
      for (size_t i = 0; i < arr->size(); ++i) {
        auto c = ParseGuard((*arr)[i], Idx(p, comb, i), r, depth + 1);
        if (c) g.children.push_back(std::move(*c));
      }
      return g;
    }
  }
  if (j.contains("not")) {
    r.OnlyMembers(j, p, {"not"});
    g.op = Guard::Op::kNot;
    auto c = ParseGuard(j["not"], p + "/not", r, depth + 1);
    if (!c) return std::nullopt;
    g.children.push_back(std::move(*c));
    return g;
  }
  static const std::pair<const char*, Guard::Op> kOps[] = {
      {"eq", Guard::Op::kEq},       {"ne", Guard::Op::kNe},
      {"in", Guard::Op::kIn},       {"not_in", Guard::Op::kNotIn},
      {"lt", Guard::Op::kLt},       {"le", Guard::Op::kLe},
      {"gt", Guard::Op::kGt},       {"ge", Guard::Op::kGe},
      {"exists", Guard::Op::kExists}, {"contains", Guard::Op::kContains}};
  r.OnlyMembers(j, p, {"field", "eq", "ne", "in", "not_in", "lt", "le", "gt",
                       "ge", "exists", "contains"});
  if (!r.String(j, p, "field", &g.field, true)) return std::nullopt;
  int found = 0;
  for (const auto& [name, op] : kOps) {
    auto it = j.find(name);
    if (it == j.end()) continue;
    ++found;
    g.op = op;
    std::string vp = p + "/" + name;
    if (op == Guard::Op::kIn || op == Guard::Op::kNotIn) {
      if (!it->is_array() || it->empty()) {
        r.Error(vp, "expected a non-empty array of values");
        return std::nullopt;
      }
      for (const auto& v : *it) g.values.push_back(v);
    } else if (op == Guard::Op::kExists) {
      if (!it->is_boolean()) r.Error(vp, "expected true or false");
      g.values.push_back(*it);
    } else {
      if (it->is_structured() || it->is_null()) {
        r.Error(vp, "expected a string, number or boolean");
        return std::nullopt;
      }
      g.values.push_back(*it);
    }
  }
  if (found != 1) {
    r.Error(p, "a guard compares its field with exactly one of eq, ne, in, "
               "not_in, lt, le, gt, ge, exists, contains");
    return std::nullopt;
  }
  return g;
}

}  // namespace shouhu
