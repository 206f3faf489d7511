// Status and Result<T>: the one error model of wh. No exceptions cross module boundaries.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace wh {

enum class StatusCode : int {
  kOk = 0,
  kInvalidArgument,  // bad SQL, bad option, unknown name
  kNotFound,         // table, column or file does not exist
  kAlreadyExists,    // table or file exists already
  kDataError,        // input data rejected (bad CSV value, NULL in NOT NULL, ...)
  kCorruption,       // bytes on disk fail a checksum or a structural check
  kIOError,          // the operating system refused a read, write, fsync, rename ...
  kNotSupported,     // a file of a newer format version, an unknown feature
  kLocked,           // another process holds the writer lock
  kResourceExhausted,  // out of memory, or a limit on what one statement may use
  kInternal,         // a bug in wh
  kCancelled,        // the user interrupted the statement (Ctrl-C in the shell)
};

const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status DataError(std::string m) { return {StatusCode::kDataError, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status IOError(std::string m) { return {StatusCode::kIOError, std::move(m)}; }
  static Status NotSupported(std::string m) { return {StatusCode::kNotSupported, std::move(m)}; }
  static Status Locked(std::string m) { return {StatusCode::kLocked, std::move(m)}; }
  static Status ResourceExhausted(std::string m) { return {StatusCode::kResourceExhausted, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
  static Status Cancelled(std::string m) { return {StatusCode::kCancelled, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "Corruption: <message>"
  std::string ToString() const;
  // Returns a status of the same code whose message is `prefix: message`.
  Status WithContext(const std::string& prefix) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT
    assert(!std::get<Status>(v_).ok());
  }
  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T operator*() && { return std::move(*this).value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace wh

#define WH_CONCAT_INNER(a, b) a##b
#define WH_CONCAT(a, b) WH_CONCAT_INNER(a, b)

#define WH_RETURN_IF_ERROR(expr)              \
  do {                                        \
    ::wh::Status _wh_st = (expr);             \
    if (!_wh_st.ok()) return _wh_st;          \
  } while (0)

#define WH_ASSIGN_OR_RETURN_IMPL(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                             \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()

#define WH_ASSIGN_OR_RETURN(lhs, rexpr) \
  WH_ASSIGN_OR_RETURN_IMPL(WH_CONCAT(_wh_result_, __LINE__), lhs, rexpr)
