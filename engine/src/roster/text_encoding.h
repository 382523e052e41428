// The text of an uploaded file as UTF-8: Excel in China writes CSV in
// GB18030 (GBK), elsewhere in UTF-8, often with a byte-order mark. Converted
// with glibc's iconv.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "shouhu/status.h"

namespace shouhu::roster {

enum class Encoding { kUtf8, kGb18030 };

struct DecodedText {
  std::string utf8;
  Encoding encoding = Encoding::kUtf8;
};

// UTF-8 (a leading byte-order mark dropped) when `bytes` are valid UTF-8,
// else GB18030. kInvalidArgument when they are neither.
StatusOr<DecodedText> DecodeText(std::string_view bytes);

bool IsValidUtf8(std::string_view s);

// UTF-8 to GB18030 (for exports that old Excel opens directly).
StatusOr<std::string> ToGb18030(std::string_view utf8);

}  // namespace shouhu::roster
