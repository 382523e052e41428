// Text with {{name}} placeholders (request bodies, URLs, headers, signed
// strings), checked once at init against the names a plugin offers, and
// rendered per message with an escaping chosen by the caller.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <vector>

namespace shouhu::plugin {

class Template {
 public:
  Template() = default;

  // Parses `text`. Returns false with a message in `err` (naming the
  // placeholder) for an unknown name, or a "{{" without a matching "}}".
  bool Parse(const std::string& text, const std::set<std::string>& known,
             std::string* err);

  // The text with each placeholder replaced by value(name).
  std::string Render(
      const std::function<std::string(const std::string&)>& value) const;

  bool Uses(const std::string& name) const;

 private:
  struct Part {
    bool placeholder;
    std::string text;  // literal text, or the placeholder's name
  };
  std::vector<Part> parts_;
};

}  // namespace shouhu::plugin
