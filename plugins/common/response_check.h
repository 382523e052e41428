// Reading a gateway's verdict from its JSON response, for APIs that answer
// HTTP 200 whether or not they accepted the message (WeCom and DingTalk robots
// answer {"errcode": 0}; many SMS APIs answer {"Code": "OK"}).
#pragma once

#include <string>
#include <vector>

#include "config.h"

namespace shouhu::plugin {

class ResponseCheck {
 public:
  // Reads the settings `success_field` (a JSON pointer, e.g. "/errcode"; ""
  // turns the check off), `success_value` and `retry_values` ('|'-separated).
  // Errors go to the reader, naming the setting.
  void Configure(ConfigReader& reader);

  bool enabled() const { return !field_.empty(); }

  // For a 2xx response: SHOUHU_SEND_OK if the field holds success_value (a
  // string compared as is, a number or boolean as its JSON text), RETRY if it
  // holds one of retry_values (rate limits), PERMANENT otherwise, including a
  // body that is not JSON or lacks the field. Writes the reason when not OK.
  int Check(const std::string& body, std::string* reason) const;

 private:
  std::string field_;
  std::string success_value_;
  std::vector<std::string> retry_values_;
};

}  // namespace shouhu::plugin
