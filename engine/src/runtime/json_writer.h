// JsonWriter: writes compact JSON straight into a string, for the records
// written on every state change and timer firing (case, history, outbox,
// audit). Building an nlohmann::json tree only to dump it was most of the cost
// of a firing.
//
// The output is byte for byte what nlohmann::json::dump() writes for the same
// object (codec_test checks this), so records written either way read back
// the same and hash the same in the audit chain. Two rules make it so:
//   - the caller writes an object's keys in sorted order, as nlohmann's
//     std::map does;
//   - strings that need escaping, and nested json values, go through
//     nlohmann's own serializer (with its UTF-8 checking).
//
// Thread safety: one writer per thread; it only appends to its string.
#pragma once

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace shouhu::codec {

class JsonWriter {
 public:
  using ErrorHandler = nlohmann::json::error_handler_t;

  // Appends to `out`. `on_bad_utf8` is as for nlohmann's dump(): strict
  // throws nlohmann::json::type_error, replace writes U+FFFD.
  explicit JsonWriter(std::string* out,
                      ErrorHandler on_bad_utf8 = ErrorHandler::strict)
      : out_(*out), on_bad_utf8_(on_bad_utf8) {}

  void BeginObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void BeginArray() { Open('['); }
  void EndArray() { Close(']'); }

  // An object key; REQUIRES: keys in sorted (byte) order, plain ASCII.
  void Key(std::string_view key) {
    Separate();
    out_.push_back('"');
    out_.append(key);
    out_.append("\":");
    after_key_ = true;
  }

  void String(std::string_view s) {
    Separate();
    if (IsPlain(s)) {
      out_.push_back('"');
      out_.append(s);
      out_.push_back('"');
    } else {
      out_ += nlohmann::json(s).dump(-1, ' ', false, on_bad_utf8_);
    }
    need_comma_ = true;
  }

  void Int(int64_t v) { Number(v); }
  void UInt(uint64_t v) { Number(v); }

  void Bool(bool v) {
    Separate();
    out_.append(v ? "true" : "false");
    need_comma_ = true;
  }

  // Any json value, written by nlohmann's serializer.
  void Json(const nlohmann::json& j) {
    Separate();
    out_ += j.dump(-1, ' ', false, on_bad_utf8_);
    need_comma_ = true;
  }

  template <typename Strings>
  void StringArray(const Strings& strings) {
    BeginArray();
    for (const auto& s : strings) String(s);
    EndArray();
  }

 private:
  // Printable ASCII without quote or backslash: written as it is.
  static bool IsPlain(std::string_view s) {
    for (unsigned char c : s) {
      if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') return false;
    }
    return true;
  }

  template <typename T>
  void Number(T v) {
    Separate();
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    out_.append(buf, end);
    need_comma_ = true;
  }

  void Separate() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (need_comma_) out_.push_back(',');
  }
  void Open(char c) {
    Separate();
    out_.push_back(c);
    need_comma_ = false;
  }
  void Close(char c) {
    out_.push_back(c);
    need_comma_ = true;
    after_key_ = false;
  }

  std::string& out_;
  const ErrorHandler on_bad_utf8_;
  bool need_comma_ = false;  // a value precedes: the next one needs a comma
  bool after_key_ = false;   // a key was just written: its value follows
};

}  // namespace shouhu::codec
