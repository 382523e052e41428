// Guards and field values: how a definition's data rules apply to a case.
#include <algorithm>

#include "shouhu/workflow.h"

namespace shouhu {
namespace {

using json = nlohmann::json;

// Orders two scalars of one field type: integers numerically, datetimes by
// instant, everything else by text. Returns nullopt when they cannot compare.
std::optional<int> Compare(const json& a, const json& b) {
  if (a.is_number_integer() && b.is_number_integer()) {
    auto x = a.get<int64_t>(), y = b.get<int64_t>();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (a.is_string() && b.is_string()) {
    auto x = ParseInstant(a.get<std::string>());
    auto y = ParseInstant(b.get<std::string>());
    if (x.ok() && y.ok()) return *x < *y ? -1 : *x > *y ? 1 : 0;
    return a.get<std::string>().compare(b.get<std::string>()) < 0   ? -1
           : a.get<std::string>().compare(b.get<std::string>()) > 0 ? 1
                                                                    : 0;
  }
  if (a.is_boolean() && b.is_boolean()) return a == b ? 0 : 1;
  return std::nullopt;
}

bool Equal(const json& a, const json& b) {
  auto c = Compare(a, b);
  return c && *c == 0;
}

}  // namespace

bool EvaluateGuard(const Guard& g, const json& data) {
  using Op = Guard::Op;
  switch (g.op) {
    case Op::kAll:
      return std::all_of(g.children.begin(), g.children.end(),
                         [&](const Guard& c) { return EvaluateGuard(c, data); });
    case Op::kAny:
      return std::any_of(g.children.begin(), g.children.end(),
                         [&](const Guard& c) { return EvaluateGuard(c, data); });
    case Op::kNot:
      return !EvaluateGuard(g.children.at(0), data);
    default:
      break;
  }
  auto it = data.find(g.field);
  bool present = it != data.end() && !it->is_null();
  auto in_values = [&] {
    return present && std::any_of(g.values.begin(), g.values.end(),
                                  [&](const json& v) { return Equal(*it, v); });
  };
  switch (g.op) {
    case Op::kExists: return present == g.values.at(0).get<bool>();
    case Op::kEq: return present && Equal(*it, g.values.at(0));
    case Op::kNe: return !present || !Equal(*it, g.values.at(0));
    case Op::kIn: return in_values();
    case Op::kNotIn: return !in_values();
    case Op::kContains:
      return present && it->is_array() &&
             std::any_of(it->begin(), it->end(),
                         [&](const json& v) { return Equal(v, g.values.at(0)); });
    default: {
      if (!present) return false;
      auto c = Compare(*it, g.values.at(0));
      if (!c) return false;
      if (g.op == Op::kLt) return *c < 0;
      if (g.op == Op::kLe) return *c <= 0;
      if (g.op == Op::kGt) return *c > 0;
      return *c >= 0;  // kGe
    }
  }
}

namespace {

// What an error message may say of a refused value: the value itself only
// for a public field, else its JSON type (no personal data in errors).
std::string Shown(const FieldDef& f, const json& v) {
  if (f.sensitivity == Sensitivity::kPublic) return v.dump();
  return std::string("a ") + v.type_name() + " (not shown: " +
         std::string(SensitivityName(f.sensitivity)) + " field)";
}

Status CheckScalar(const FieldDef& f, FieldType type,
                   const std::vector<std::string>& allowed, const json& v) {
  auto wrong = [&](std::string_view expected) {
    return InvalidArgument("field \"" + f.id + "\" must be " +
                           std::string(expected) + ", got " + Shown(f, v));
  };
  switch (type) {
    case FieldType::kString:
      if (!v.is_string()) return wrong("a string");
      return Status::Ok();
    case FieldType::kEnum:
      if (!v.is_string() ||
          std::find(allowed.begin(), allowed.end(), v.get<std::string>()) ==
              allowed.end()) {
        std::string list;
        for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
        return wrong("one of: " + list);
      }
      return Status::Ok();
    case FieldType::kInteger:
      if (!v.is_number_integer()) return wrong("an integer");
      return Status::Ok();
    case FieldType::kBoolean:
      if (!v.is_boolean()) return wrong("true or false");
      return Status::Ok();
    case FieldType::kDatetime:
      if (!v.is_string() || !ParseInstant(v.get<std::string>()).ok()) {
        return wrong("an RFC 3339 datetime with offset");
      }
      return Status::Ok();
    case FieldType::kDate:
      if (!FieldInstant(FieldType::kDate, v)) return wrong("a date like 2015-03-02");
      return Status::Ok();
    case FieldType::kList:
    case FieldType::kAttachments:
      return wrong("a scalar");
  }
  return Status::Ok();
}

// An attachment as the API records it (evidence/attachment_store.h).
bool IsAttachment(const json& a) {
  auto text = [&](const char* k) { return a.contains(k) && a[k].is_string(); };
  if (!a.is_object() || !text("id") || !text("sha256") || !text("kind") || !text("name") ||
      !a.contains("size") || !a["size"].is_number_unsigned()) {
    return false;
  }
  const std::string& sha = a["sha256"].get_ref<const std::string&>();
  return a["id"].get_ref<const std::string&>().rfind("att_", 0) == 0 && sha.size() == 64 &&
         sha.find_first_not_of("0123456789abcdef") == std::string::npos;
}

Status CheckAttachments(const FieldDef& f, const json& v) {
  if (!v.is_array()) {
    return InvalidArgument("field \"" + f.id + "\" must be a list of uploaded files");
  }
  if (f.max_files > 0 && v.size() > f.max_files) {
    return InvalidArgument("field \"" + f.id + "\" takes at most " +
                           std::to_string(f.max_files) + " files");
  }
  for (const json& a : v) {
    if (!IsAttachment(a)) {
      return InvalidArgument("field \"" + f.id + "\" must list uploaded files "
                             "({id, sha256, kind, size, name})");
    }
  }
  return Status::Ok();
}

// What a bound names, for messages: "now", "the report" or the field's label.
std::string BoundName(const Workflow& w, const std::string& bound) {
  if (bound == "now") return "now (现在)";
  if (bound == "reported_at") return "the report (报告时间)";
  const FieldDef* f = w.FindField(bound);
  return f ? "\"" + f->id + "\" (" + f->label.zh + ")" : "\"" + bound + "\"";
}

}  // namespace

std::optional<Instant> FieldInstant(FieldType type, const json& v) {
  if (!v.is_string()) return std::nullopt;
  const std::string& text = v.get_ref<const std::string&>();
  if (type == FieldType::kDatetime) {
    auto t = ParseInstant(text);
    return t.ok() ? std::optional<Instant>(*t) : std::nullopt;
  }
  if (type != FieldType::kDate || text.size() != 10 || text[4] != '-' || text[7] != '-') {
    return std::nullopt;
  }
  auto t = ParseInstant(text + "T00:00:00+14:00");
  return t.ok() ? std::optional<Instant>(*t) : std::nullopt;
}

namespace {

// A field holding a unit id names a unit of one of its `unit_types` (a
// transfer goes only to a competent unit).
Status CheckUnitType(const FieldDef& f, const json& v, const FieldBounds& bounds) {
  if (f.unit_types.empty() || !v.is_string() || !bounds.unit_type || !*bounds.unit_type) {
    return Status::Ok();
  }
  const std::string& id = v.get_ref<const std::string&>();
  std::string type = (*bounds.unit_type)(id);
  if (std::find(f.unit_types.begin(), f.unit_types.end(), type) != f.unit_types.end()) {
    return Status::Ok();
  }
  std::string allowed;
  for (const std::string& t : f.unit_types) allowed += (allowed.empty() ? "" : ", ") + t;
  return InvalidArgument("field \"" + f.id + "\" must name a unit of type " + allowed +
                         ", got \"" + id + "\" (" +
                         (type.empty() ? std::string("no such unit") : "a " + type) + ")");
}

}  // namespace

Status CheckFieldBounds(const Workflow& w, const FieldDef& f, const json& v,
                        const FieldBounds& bounds) {
  SHOUHU_RETURN_IF_ERROR(CheckUnitType(f, v, bounds));
  if (f.not_after.empty() && f.not_before.empty()) return Status::Ok();
  auto at = FieldInstant(f.type, v);
  if (!at) return Status::Ok();  // the type check reports it
  // The instant a bound stands for, when known.
  auto bound_at = [&](const std::string& b) -> std::optional<Instant> {
    if (b == "now") return bounds.now;
    if (b == "reported_at") return bounds.reported_at.value_or(bounds.now);
    const FieldDef* other = w.FindField(b);
    if (!other || !bounds.data || !bounds.data->is_object()) return std::nullopt;
    auto it = bounds.data->find(b);
    if (it == bounds.data->end()) return std::nullopt;
    return FieldInstant(other->type, *it);
  };
  // A date spans from its first instant anywhere (00:00 at UTC+14) to its
  // last (24:00 at UTC-12): it is after a bound only when it starts after
  // it, before one only when it ends before it (a birth date of today is
  // not in the future wherever today is that date). A datetime is entered
  // to the minute (the forms have no seconds): it is compared with the
  // bound's minute, so an acceptance typed in the minute of the report is
  // not "before" it.
  using std::chrono::minutes;
  Instant latest = f.type == FieldType::kDate ? *at + std::chrono::hours(38) : *at;
  if (!f.not_after.empty()) {
    auto b = bound_at(f.not_after);
    if (b) b = std::chrono::floor<minutes>(*b) + minutes(1) - std::chrono::milliseconds(1);
    if (b && *at > *b) {
      return InvalidArgument("field \"" + f.id + "\" must not be after " +
                             BoundName(w, f.not_after) + ", got " + Shown(f, v));
    }
  }
  if (!f.not_before.empty()) {
    auto b = bound_at(f.not_before);
    if (b) b = std::chrono::floor<minutes>(*b);
    if (b && latest < *b) {
      return InvalidArgument("field \"" + f.id + "\" must not be before " +
                             BoundName(w, f.not_before) + ", got " + Shown(f, v));
    }
  }
  return Status::Ok();
}

Status CheckFieldValue(const FieldDef& f, const json& v) {
  if (f.type == FieldType::kAttachments) return CheckAttachments(f, v);
  if (f.type != FieldType::kList) return CheckScalar(f, f.type, f.values, v);
  if (!v.is_array()) {
    return InvalidArgument("field \"" + f.id + "\" must be a list, got " + Shown(f, v));
  }
  for (const json& item : v) {
    SHOUHU_RETURN_IF_ERROR(CheckScalar(f, f.item_type, f.item_values, item));
  }
  return Status::Ok();
}

}  // namespace shouhu
