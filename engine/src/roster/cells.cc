#include "roster/cells.h"

#include <cstdio>
#include <cstdlib>

namespace shouhu::roster {
namespace {

using nlohmann::json;

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
  return b == std::string_view::npos ? "" : std::string(s.substr(b, e - b + 1));
}

// The value whose id, Chinese or English label is `text`.
StatusOr<std::string> EnumValue(const FieldDef& f, const std::vector<std::string>& values,
                                const std::string& text) {
  for (const std::string& v : values) {
    const Label* l = nullptr;
    if (auto it = f.value_labels.find(v); it != f.value_labels.end()) l = &it->second;
    if (v == text || (l && (l->zh == text || l->en == text))) return v;
  }
  std::string allowed;
  for (const std::string& v : values) {
    auto it = f.value_labels.find(v);
    allowed += (allowed.empty() ? "" : "、") + (it != f.value_labels.end() ? it->second.zh : v);
  }
  return InvalidArgument("“" + text + "”不是可选值 not one of: " + allowed);
}

// Days since 1899-12-30 (Excel's 1900 system) as a civil date.
std::string FromExcelDay(long day) {
  // Howard Hinnant's civil_from_days, from 1970-01-01 = Excel day 25569.
  long z = day - 25569 + 719468;
  long era = (z >= 0 ? z : z - 146096) / 146097;
  long doe = z - era * 146097;
  long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  long y = yoe + era * 400;
  long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  long mp = (5 * doy + 2) / 153;
  long d = doy - (153 * mp + 2) / 5 + 1;
  long m = mp < 10 ? mp + 3 : mp - 9;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04ld-%02ld-%02ld", y + (m <= 2), m, d);
  return buf;
}

StatusOr<std::string> DateOf(const std::string& text) {
  if (!text.empty() && text.find_first_not_of("0123456789.") == std::string::npos) {
    long day = std::strtol(text.c_str(), nullptr, 10);  // a time of day is dropped
    if (day > 0 && day < 2958466) return FromExcelDay(day);
  }
  int y = 0, m = 0, d = 0;
  char s1 = 0, s2 = 0;
  if (std::sscanf(text.c_str(), "%d%c%d%c%d", &y, &s1, &m, &s2, &d) == 5 && s1 == s2 &&
      (s1 == '-' || s1 == '/' || s1 == '.') && m >= 1 && m <= 12 && d >= 1 && d <= 31) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
    return std::string(buf);
  }
  if (std::sscanf(text.c_str(), "%d年%d月%d日", &y, &m, &d) == 3) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
    return std::string(buf);
  }
  return InvalidArgument("“" + text + "”不是日期 not a date (2015-04-01)");
}

std::vector<std::string> Split(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    std::string t = Trim(cur);
    if (!t.empty()) out.push_back(t);
    cur.clear();
  };
  for (size_t i = 0; i < text.size();) {
    bool sep = false;
    for (std::string_view s : {",", ";", "，", "、", "；"}) {
      if (std::string_view(text).substr(i).starts_with(s)) {
        flush();
        i += s.size();
        sep = true;
        break;
      }
    }
    if (!sep) cur.push_back(text[i++]);
  }
  flush();
  return out;
}

StatusOr<json> Scalar(const FieldDef& f, FieldType type, const std::vector<std::string>& values,
                      const std::string& text) {
  switch (type) {
    case FieldType::kEnum: {
      auto v = EnumValue(f, values, text);
      if (!v.ok()) return v.status();
      return json(*v);
    }
    case FieldType::kInteger: {
      char* end = nullptr;
      long long n = std::strtoll(text.c_str(), &end, 10);
      if (end == text.c_str() || (*end != '\0' && std::string(end) != ".0")) {
        return InvalidArgument("“" + text + "”不是整数 not a whole number");
      }
      return json(n);
    }
    case FieldType::kBoolean:
      if (text == "是" || text == "TRUE" || text == "true" || text == "1") return json(true);
      if (text == "否" || text == "FALSE" || text == "false" || text == "0") return json(false);
      return InvalidArgument("“" + text + "”应为是或否 not yes (是) or no (否)");
    case FieldType::kDate: {
      auto d = DateOf(text);
      if (!d.ok()) return d.status();
      return json(*d);
    }
    case FieldType::kString:
    case FieldType::kDatetime:
      return json(text);
    default:
      return InvalidArgument("这一栏不能从花名册导入 this field cannot come from a roster");
  }
}

}  // namespace

StatusOr<json> CellValue(const FieldDef& f, std::string_view raw) {
  std::string text = Trim(raw);
  if (text.empty()) return json(nullptr);
  if (f.type != FieldType::kList) return Scalar(f, f.type, f.values, text);
  json items = json::array();
  for (const std::string& item : Split(text)) {
    auto v = Scalar(f, f.item_type, f.item_values, item);
    if (!v.ok()) return v.status();
    items.push_back(std::move(*v));
  }
  return items;
}

std::string CellText(const FieldDef* f, const json& value) {
  auto one = [&](const json& v) -> std::string {
    if (v.is_string()) {
      std::string s = v.get<std::string>();
      if (f) {
        if (auto it = f->value_labels.find(s); it != f->value_labels.end()) return it->second.zh;
      }
      return s;
    }
    if (v.is_boolean()) return v.get<bool>() ? "是" : "否";
    if (v.is_null()) return "";
    return v.dump();
  };
  if (!value.is_array()) return one(value);
  std::string out;
  for (const json& v : value) out += (out.empty() ? "" : "、") + one(v);
  return out;
}

}  // namespace shouhu::roster
