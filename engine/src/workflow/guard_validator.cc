// The guards' check (validator.h): a guard names declared fields and
// compares each with values of the field's type.
#include <algorithm>

#include "workflow/validator.h"

namespace shouhu {
namespace {

using json = nlohmann::json;

std::string Q(std::string_view s) { return "\"" + std::string(s) + "\""; }

// A guard value must have the field's type: "wrong field type" otherwise.
void Value(JsonReader& r, const FieldDef& f, FieldType type,
           const std::vector<std::string>& allowed, const json& v,
           const std::string& p) {
  auto wrong = [&](const char* expected) {
    r.Error(p, "wrong field type: " + Q(f.id) + " is " +
                    std::string(FieldTypeName(f.type)) + ", so " + v.dump() +
                    " cannot be compared with it (expected " + expected + ")");
  };
  switch (type) {
    case FieldType::kString:
      if (!v.is_string()) wrong("a string");
      break;
    case FieldType::kEnum:
      if (!v.is_string()) {
        wrong("one of its values");
      } else if (std::find(allowed.begin(), allowed.end(),
                           v.get<std::string>()) == allowed.end()) {
        r.Error(p, "value " + v.dump() + " is not one of the values of " +
                        Q(f.id));
      }
      break;
    case FieldType::kInteger:
      if (!v.is_number_integer()) wrong("an integer");
      break;
    case FieldType::kBoolean:
      if (!v.is_boolean()) wrong("true or false");
      break;
    case FieldType::kDatetime:
      if (!v.is_string() || !ParseInstant(v.get<std::string>()).ok()) {
        wrong("an RFC 3339 datetime");
      }
      break;
    case FieldType::kDate:
      if (!FieldInstant(FieldType::kDate, v)) wrong("a date like 2015-03-02");
      break;
    case FieldType::kList:
      wrong("an item");
      break;
    case FieldType::kAttachments:
      wrong("nothing: files are only tested with exists");
      break;
  }
}

}  // namespace

void CheckGuard(const Workflow& w, const Guard& g, const std::string& p, JsonReader& r) {
  using Op = Guard::Op;
  switch (g.op) {
    case Op::kAll:
    case Op::kAny:
      for (size_t i = 0; i < g.children.size(); ++i) {
        CheckGuard(w, g.children[i], Idx(p, g.op == Op::kAll ? "all" : "any", i), r);
      }
      return;
    case Op::kNot:
      CheckGuard(w, g.children[0], p + "/not", r);
      return;
    default:
      break;
  }
  const FieldDef* f = w.FindField(g.field);
  if (!f) {
    r.Error(p + "/field", "guard on undeclared field " + Q(g.field));
    return;
  }
  static const char* kNames[] = {"all", "any", "not", "eq", "ne", "in",
                                 "not_in", "lt", "le", "gt", "ge",
                                 "exists", "contains"};
  std::string vp = p + "/" + kNames[static_cast<int>(g.op)];
  if (g.op == Op::kExists) return;
  bool ordered = g.op == Op::kLt || g.op == Op::kLe || g.op == Op::kGt ||
                 g.op == Op::kGe;
  if (ordered && f->type != FieldType::kInteger &&
      f->type != FieldType::kDatetime) {
    r.Error(vp, "wrong field type: " + Q(f->id) + " is " +
                     std::string(FieldTypeName(f->type)) +
                     " and cannot be ordered");
    return;
  }
  if (g.op == Op::kContains) {
    if (f->type != FieldType::kList) {
      r.Error(vp, "wrong field type: contains needs a list field, " +
                       Q(f->id) + " is " + std::string(FieldTypeName(f->type)));
      return;
    }
    Value(r, *f, f->item_type, f->item_values, g.values[0], vp);
    return;
  }
  bool many = g.op == Op::kIn || g.op == Op::kNotIn;
  for (size_t i = 0; i < g.values.size(); ++i) {
    Value(r, *f, f->type, f->values, g.values[i],
          many ? vp + "/" + std::to_string(i) : vp);
  }
}

}  // namespace shouhu
