#include "shouhu/json_parse.h"

#include <string>

namespace shouhu {

using json = nlohmann::json;

StatusOr<json> ParseJson(std::string_view text, int max_depth) {
  bool too_deep = false;
  // `depth` counts the containers around the value being started, so a
  // container at depth max_depth would be level max_depth + 1. Returning
  // false discards it: the parser reads on without building anything below.
  json::parser_callback_t cap = [&](int depth, json::parse_event_t event, json&) {
    if ((event == json::parse_event_t::object_start ||
         event == json::parse_event_t::array_start) &&
        depth >= max_depth) {
      too_deep = true;
      return false;
    }
    return !too_deep;
  };
  json doc;
  try {
    doc = json::parse(text, cap, /*allow_exceptions=*/true);
  } catch (const json::exception& e) {
    return InvalidArgument(std::string("not valid JSON: ") + e.what());
  }
  if (too_deep) {
    return InvalidArgument("JSON 嵌套超过 " + std::to_string(max_depth) +
                           " 层 / nested deeper than " + std::to_string(max_depth) +
                           " levels");
  }
  return doc;
}

json ParseJsonOrDiscarded(std::string_view text, int max_depth) {
  StatusOr<json> doc = ParseJson(text, max_depth);
  return doc.ok() ? std::move(doc).value() : json(json::value_t::discarded);
}

}  // namespace shouhu
