// TextTemplate: text with {{name}} placeholders, parsed once. The one
// parser of placeholders in shouhu: the workflow loader parses each
// notification template into it (the validator checks its names, the
// dispatcher renders it for each reader), and the bundled notifier plugins
// parse their request bodies, URLs and headers into it at init.
//
// Header-only, with no dependency but the standard library, so that the
// plugins (which see nothing of the engine but the C ABI) link it too.
//
// Thread safety: a value type; const methods are safe from many threads.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace shouhu {

class TextTemplate {
 public:
  struct Part {
    bool placeholder = false;
    std::string text;  // literal text, or the placeholder's name
  };

  TextTemplate() = default;
  // Parses `text`. A name is what lies between "{{" and the next "}}",
  // without the spaces around it ("{{ case_id }}" is case_id). A "{{" with
  // no "}}" after it is kept as literal text and reported by error().
  explicit TextTemplate(std::string_view text) {
    size_t pos = 0;
    while (pos < text.size()) {
      size_t open = text.find("{{", pos);
      size_t close = open == std::string_view::npos ? open : text.find("}}", open + 2);
      if (close == std::string_view::npos) {
        if (open != std::string_view::npos) {
          error_ = "\"{{\" at offset " + std::to_string(open) + " has no closing \"}}\"";
        }
        Literal(text.substr(pos));
        break;
      }
      if (open > pos) Literal(text.substr(pos, open - pos));
      std::string_view name = text.substr(open + 2, close - open - 2);
      name.remove_prefix(std::min(name.size(), name.find_first_not_of(' ')));
      name.remove_suffix(name.size() - std::min(name.size(), name.find_last_not_of(' ') + 1));
      parts_.push_back({true, std::string(name)});
      if (std::find(names_.begin(), names_.end(), name) == names_.end()) {
        names_.emplace_back(name);
      }
      pos = close + 2;
    }
  }

  // Why the text is not well formed; "" when it is.
  const std::string& error() const { return error_; }
  const std::vector<Part>& parts() const { return parts_; }
  // The placeholders' names, each once, in order of first appearance.
  const std::vector<std::string>& names() const { return names_; }
  bool Uses(std::string_view name) const {
    return std::find(names_.begin(), names_.end(), name) != names_.end();
  }

  // The text with each placeholder replaced by value(name).
  template <typename ValueFn>
  std::string Render(const ValueFn& value) const {
    std::string out;
    for (const Part& p : parts_) {
      if (p.placeholder) {
        out += value(p.text);
      } else {
        out += p.text;
      }
    }
    return out;
  }

 private:
  void Literal(std::string_view s) {
    if (!s.empty()) parts_.push_back({false, std::string(s)});
  }

  std::vector<Part> parts_;
  std::vector<std::string> names_;
  std::string error_;
};

}  // namespace shouhu
