#include "response_check.h"

namespace shouhu::plugin {

using json = nlohmann::json;

void ResponseCheck::Configure(ConfigReader& reader) {
  std::string retry;
  reader.String("success_field", &field_);
  reader.String("success_value", &success_value_);
  reader.String("retry_values", &retry);
  if (!reader.ok()) return;
  if (!field_.empty()) {
    if (field_[0] != '/') {
      reader.Fail("success_field", "must be a JSON pointer such as /errcode");
      return;
    }
    try {
      json::json_pointer pointer(field_);
    } catch (const json::exception& e) {
      reader.Fail("success_field",
                  std::string("not a JSON pointer: ") + e.what());
      return;
    }
  }
  size_t pos = 0;
  while (!retry.empty() && pos <= retry.size()) {
    size_t bar = retry.find('|', pos);
    if (bar == std::string::npos) bar = retry.size();
    if (bar > pos) retry_values_.push_back(retry.substr(pos, bar - pos));
    pos = bar + 1;
  }
}

int ResponseCheck::Check(const std::string& body, std::string* reason) const {
  if (field_.empty()) return SHOUHU_SEND_OK;
  json response = json::parse(body, nullptr, /*allow_exceptions=*/false);
  json::json_pointer pointer(field_);  // validated in Configure
  if (response.is_discarded() || !response.contains(pointer)) {
    *reason = "response has no " + field_ + ": " + body.substr(0, 200);
    return SHOUHU_SEND_PERMANENT;
  }
  const json& v = response.at(pointer);
  std::string text = v.is_string() ? v.get<std::string>() : v.dump();
  if (text == success_value_) return SHOUHU_SEND_OK;
  *reason = "response " + field_ + " is " + v.dump() + ", expected \"" +
            success_value_ + "\"";
  for (const std::string& r : retry_values_) {
    if (text == r) return SHOUHU_SEND_RETRY;
  }
  return SHOUHU_SEND_PERMANENT;
}

}  // namespace shouhu::plugin
