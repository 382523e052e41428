// Text with {{name}} placeholders (request bodies, URLs, headers, signed
// strings), checked once at init against the names a plugin offers, and
// rendered per message with an escaping chosen by the caller. Parsed by the
// engine's one placeholder parser (shouhu/text_template.h, header-only), the
// same that reads the workflows' notification templates.
#pragma once

#include <functional>
#include <set>
#include <string>

#include "shouhu/text_template.h"

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
      const std::function<std::string(const std::string&)>& value) const {
    return text_.Render(value);
  }

  bool Uses(const std::string& name) const { return text_.Uses(name); }

 private:
  TextTemplate text_;
};

}  // namespace shouhu::plugin
