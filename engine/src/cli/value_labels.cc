// Enum values as people read them in the CLI's tables: the labels the
// workflow definition gives them (its "value_labels").
#include "cli/client.h"

namespace shouhu::cli {

using nlohmann::json;

namespace {

std::string Labelled(const json& labels, const json& value) {
  if (!value.is_string() || !labels.is_object()) return value.is_string() ? value.get<std::string>() : value.dump();
  auto it = labels.find(value.get<std::string>());
  if (it == labels.end() || !it->is_object()) return value.get<std::string>();
  return it->value("zh", "") + " " + it->value("en", "");
}

}  // namespace

void LabelValues(const json& definition, json* data) {
  if (!data->is_object() || !definition.contains("fields")) return;
  for (const json& field : definition["fields"]) {
    if (!field.is_object()) continue;
    std::string id = field.value("id", "");
    if (!data->contains(id)) continue;
    json& value = (*data)[id];
    if (field.contains("value_labels")) {
      value = Labelled(field["value_labels"], value);
    } else if (field.contains("items") && field["items"].contains("value_labels") &&
               value.is_array()) {
      std::string joined;
      for (const json& item : value) {
        joined += (joined.empty() ? "" : "、") + Labelled(field["items"]["value_labels"], item);
      }
      value = joined;
    }
  }
}

}  // namespace shouhu::cli
