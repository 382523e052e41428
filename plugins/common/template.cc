#include "template.h"

namespace shouhu::plugin {

bool Template::Parse(const std::string& text,
                     const std::set<std::string>& known, std::string* err) {
  TextTemplate parsed(text);
  if (!parsed.error().empty()) {
    *err = parsed.error();
    return false;
  }
  for (const std::string& name : parsed.names()) {
    if (known.count(name)) continue;
    std::string list;
    for (const std::string& k : known)
      list += (list.empty() ? "" : ", ") + ("{{" + k + "}}");
    *err = "unknown placeholder {{" + name + "}} (known: " + list + ")";
    return false;
  }
  text_ = std::move(parsed);
  return true;
}

}  // namespace shouhu::plugin
