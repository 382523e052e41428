#include "register/child_terms.h"

#include "register/pinyin.h"

namespace shouhu {
namespace {

using nlohmann::json;

// Names longer than this are indexed by their first kMaxNameChars prefixes.
constexpr size_t kMaxNameChars = 24;

// A field's value as text: a string as it is, a number as written.
std::string TextOf(const json& fields, std::string_view field) {
  auto it = fields.find(field);
  if (it == fields.end() || it->is_null()) return "";
  if (it->is_string()) return NormalizeTermText(it->get<std::string>());
  if (it->is_number()) return it->dump();
  return "";
}

std::vector<std::string> ListOf(const json& fields, std::string_view field) {
  std::vector<std::string> out;
  auto it = fields.find(field);
  if (it == fields.end()) return out;
  if (it->is_string()) {
    out.push_back(NormalizeTermText(it->get<std::string>()));
  } else if (it->is_array()) {
    for (const json& v : *it) {
      if (v.is_string()) out.push_back(NormalizeTermText(v.get<std::string>()));
    }
  }
  std::erase(out, "");
  return out;
}

// Byte offsets where each UTF-8 character of `s` ends.
std::vector<size_t> CharEnds(std::string_view s) {
  std::vector<size_t> ends;
  for (size_t i = 1; i <= s.size(); ++i) {
    if (i == s.size() || (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) ends.push_back(i);
  }
  return ends;
}

void AddPrefixes(std::string_view tag, std::string_view text, std::set<ChildTerm>* out,
                 std::string_view unit) {
  std::vector<size_t> ends = CharEnds(text);
  if (ends.size() > kMaxNameChars) ends.resize(kMaxNameChars);
  for (size_t end : ends) {
    out->emplace(std::string(unit), std::string(tag) + std::string(text.substr(0, end)));
  }
}

}  // namespace

std::string NormalizeTermText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7F) continue;
    out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : ch);
  }
  auto space_at = [&](size_t i) -> size_t {  // length of a space at i, or 0
    if (out[i] == ' ') return 1;
    if (out.compare(i, 3, "\xE3\x80\x80") == 0) return 3;  // U+3000
    return 0;
  };
  size_t b = 0;
  while (b < out.size() && space_at(b)) b += space_at(b);
  out.erase(0, b);
  for (bool trimmed = true; trimmed && !out.empty();) {
    trimmed = false;
    if (out.back() == ' ') {
      out.pop_back();
      trimmed = true;
    } else if (out.size() >= 3 && out.compare(out.size() - 3, 3, "\xE3\x80\x80") == 0) {
      out.resize(out.size() - 3);
      trimmed = true;
    }
  }
  return out;
}

std::set<ChildTerm> ChildTermsOf(std::string_view unit, const json& fields) {
  std::set<ChildTerm> out;
  std::string u(unit);
  out.emplace(u, std::string(kEveryFile));
  if (std::string name = TextOf(fields, kChildNameField); !name.empty()) {
    AddPrefixes("n:", name, &out, u);
    AddPrefixes("p:", PinyinInitials(name), &out, u);
    AddPrefixes("p:", NameInitials(name), &out, u);
    std::vector<size_t> ends = CharEnds(name);
    if (ends.size() > 1) {  // the given name, without the family name
      std::string given = name.substr(ends[0]);
      AddPrefixes("n:", given, &out, u);
      AddPrefixes("p:", PinyinInitials(given), &out, u);
    }
  }
  if (std::string s = TextOf(fields, kChildSchoolField); !s.empty()) out.emplace(u, SchoolTerm(s));
  if (std::string c = TextOf(fields, kChildClassField); !c.empty()) out.emplace(u, ClassTerm(c));
  for (const std::string& k : ListOf(fields, kChildCategoryField)) out.emplace(u, CategoryTerm(k));
  for (const std::string& h : ListOf(fields, kChildHelpersField)) {
    out.emplace(u, HelperTerm(h));
    out.emplace("", PairingTerm(h));
  }
  if (std::string n = SameNameTerm(fields); !n.empty()) {
    out.emplace("", n);
    for (std::string& t : SameChildTerms(fields)) out.emplace("", std::move(t));
  }
  return out;
}

std::pair<std::string, std::string> NameQueryTerms(std::string_view text) {
  std::string t = NormalizeTermText(text);
  std::string initials;
  bool ascii = !t.empty();
  for (char c : t) ascii = ascii && std::isalnum(static_cast<unsigned char>(c));
  if (ascii) initials = "p:" + t;
  return {"n:" + t, initials};
}

std::string SchoolTerm(std::string_view s) { return "s:" + NormalizeTermText(s); }
std::string ClassTerm(std::string_view c) { return "c:" + NormalizeTermText(c); }
std::string CategoryTerm(std::string_view k) { return "k:" + NormalizeTermText(k); }
std::string HelperTerm(std::string_view h) { return "h:" + NormalizeTermText(h); }
std::string PairingTerm(std::string_view h) { return "H:" + NormalizeTermText(h); }

std::string SameNameTerm(const json& fields) {
  std::string name = TextOf(fields, kChildNameField);
  return name.empty() ? "" : "N:" + name;
}

std::vector<std::string> SameChildTerms(const json& fields) {
  std::vector<std::string> out;
  for (auto [tag, field] : {std::pair{"b:", kChildBirthField}, {"g:", kChildGuardianField},
                            {"i:", kChildIdNumberField}}) {
    if (std::string v = TextOf(fields, field); !v.empty()) out.push_back(tag + v);
  }
  return out;
}

}  // namespace shouhu
