// The problems found in one configuration file, gathered as
// `file:json-pointer: message` lines into one InvalidArgument.
//
// Thread safety: not thread-safe; one per file being read.
#pragma once

#include <string>

#include "shouhu/status.h"

namespace shouhu {

class Problems {
 public:
  explicit Problems(std::string file) : file_(std::move(file)) {}
  void Add(const std::string& pointer, const std::string& message) {
    text_ += (text_.empty() ? "" : "\n") + file_ + ":" + pointer + ": " + message;
  }
  bool any() const { return !text_.empty(); }
  Status status() const { return InvalidArgument(text_); }

 private:
  std::string file_;
  std::string text_;
};

}  // namespace shouhu
