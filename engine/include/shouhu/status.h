// Status and StatusOr: the error type at every fallible boundary of shouhu.
//
// Thread safety: value types; safe to copy and move between threads.
//
// The code tells the caller what to do next: kUnavailable means "retry with
// backoff"; kInvalidArgument, kFailedPrecondition, kPermissionDenied, kNotFound
// and kAlreadyExists mean "do not retry the same call".
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace shouhu {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // malformed or invalid input (bad data, bad definition)
  kNotFound,            // the named thing does not exist
  kAlreadyExists,       // duplicate id
  kFailedPrecondition,  // wrong state for the request, failed guard
  kPermissionDenied,    // role or jurisdiction does not allow it
  kUnavailable,         // transient: storage cannot write now; retry
  kInternal,            // a bug or corrupted data
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message)
      : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "NotFound: case C1 does not exist"
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) {
  return {StatusCode::kInvalidArgument, std::move(m)};
}
inline Status NotFound(std::string m) {
  return {StatusCode::kNotFound, std::move(m)};
}
inline Status AlreadyExists(std::string m) {
  return {StatusCode::kAlreadyExists, std::move(m)};
}
inline Status FailedPrecondition(std::string m) {
  return {StatusCode::kFailedPrecondition, std::move(m)};
}
inline Status PermissionDenied(std::string m) {
  return {StatusCode::kPermissionDenied, std::move(m)};
}
inline Status Unavailable(std::string m) {
  return {StatusCode::kUnavailable, std::move(m)};
}
inline Status Internal(std::string m) {
  return {StatusCode::kInternal, std::move(m)};
}

// Either a value or a non-OK Status. REQUIRES: ok() before value().
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  StatusOr(Status status) : v_(std::move(status)) {}  // NOLINT

  bool ok() const { return std::holds_alternative<T>(v_); }
  Status status() const {
    return ok() ? Status::Ok() : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace shouhu

// Returns from the enclosing function when `expr` yields a non-OK Status.
#define SHOUHU_RETURN_IF_ERROR(expr)          \
  do {                                        \
    ::shouhu::Status shouhu_status_ = (expr); \
    if (!shouhu_status_.ok()) return shouhu_status_; \
  } while (0)
