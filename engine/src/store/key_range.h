// Key ranges shared by the store backends: the exclusive upper bound of the
// keys that start with a prefix.
#pragma once

#include <string>
#include <string_view>

namespace shouhu {

// The smallest string greater than every string starting with `prefix`, or ""
// when there is none (prefix empty or all 0xff).
inline std::string PrefixSuccessor(std::string_view prefix) {
  std::string s(prefix);
  while (!s.empty()) {
    auto& last = reinterpret_cast<unsigned char&>(s.back());
    if (last != 0xff) {
      ++last;
      return s;
    }
    s.pop_back();
  }
  return s;
}

}  // namespace shouhu
