#include "template.h"

namespace shouhu::plugin {

bool Template::Parse(const std::string& text,
                     const std::set<std::string>& known, std::string* err) {
  parts_.clear();
  size_t pos = 0;
  while (pos < text.size()) {
    size_t open = text.find("{{", pos);
    if (open == std::string::npos) {
      parts_.push_back({false, text.substr(pos)});
      break;
    }
    if (open > pos) parts_.push_back({false, text.substr(pos, open - pos)});
    size_t close = text.find("}}", open + 2);
    if (close == std::string::npos) {
      *err =
          "\"{{\" at offset " + std::to_string(open) + " has no closing \"}}\"";
      return false;
    }
    std::string name = text.substr(open + 2, close - open - 2);
    if (!known.count(name)) {
      std::string list;
      for (const std::string& k : known)
        list += (list.empty() ? "" : ", ") + ("{{" + k + "}}");
      *err = "unknown placeholder {{" + name + "}} (known: " + list + ")";
      return false;
    }
    parts_.push_back({true, name});
    pos = close + 2;
  }
  return true;
}

std::string Template::Render(
    const std::function<std::string(const std::string&)>& value) const {
  std::string out;
  for (const Part& p : parts_) out += p.placeholder ? value(p.text) : p.text;
  return out;
}

bool Template::Uses(const std::string& name) const {
  for (const Part& p : parts_) {
    if (p.placeholder && p.text == name) return true;
  }
  return false;
}

}  // namespace shouhu::plugin
