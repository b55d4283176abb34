// Status and Result<T>: the value types for expected failures (I/O, network, bad input).
//
// Modelled on LevelDB's Status: cheap when OK, carries a code and a human message otherwise.
// Both are [[nodiscard]] so an ignored failure is a compile-time warning (an error in CI).
// Exceptions are kept for programmer errors and program boundaries.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace seqgate {

// What went wrong, coarse enough to decide what to do about it. Retry policy lives in
// error_class.h and nowhere else.
enum class StatusCode {
  kOk = 0,
  kInvalidArgument,    // the caller (or a config file) asked for something malformed
  kNotFound,           // a named thing does not exist
  kPermissionDenied,   // the OS or the peer refused access
  kIoError,            // the OS failed a read/write/fsync
  kSourceChanged,      // an input changed while we were reading it: digests would be wrong
  kCorruption,         // data failed a structural or checksum check
  kUnsupported,        // well-formed, but not something we implement
  kUnavailable,        // a peer or resource is temporarily unreachable (retryable)
  kTimeout,            // an operation ran out of time (retryable)
  kResourceExhausted,  // disk full, quota, too many open files
  kAborted,            // cancelled on purpose (shutdown, pause)
  kInternal,           // a bug in seqgate: should never be seen
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {
    assert(code != StatusCode::kOk);
  }

  static Status Ok() { return {}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "<code name>: <message>", or "OK".
  std::string ToString() const;

  // Prefixes the message with context ("packing /x: "), keeping the code.
  Status WithContext(std::string_view context) const;

  // Explicitly drops a status whose failure is harmless in context (e.g. best-effort cleanup).
  void IgnoreError() const {}

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) {
  return {StatusCode::kInvalidArgument, std::move(m)};
}
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
inline Status SourceChanged(std::string m) { return {StatusCode::kSourceChanged, std::move(m)}; }
inline Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
inline Status Unsupported(std::string m) { return {StatusCode::kUnsupported, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

// Maps an errno value to a Status whose message names the operation and the path.
Status ErrnoStatus(int err, std::string_view operation, std::string_view path);

// Either a T or a failed Status. Accessing the value of a failed Result is a programmer error.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
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
  T&& operator*() && { return std::move(*this).value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace seqgate

// Returns early from the enclosing function when `expr` (a Status) fails.
#define SEQGATE_RETURN_IF_ERROR(expr) \
  do {                                \
    ::seqgate::Status _st = (expr);   \
    if (!_st.ok()) return _st;        \
  } while (0)

#define SEQGATE_CONCAT_INNER(a, b) a##b
#define SEQGATE_CONCAT(a, b) SEQGATE_CONCAT_INNER(a, b)
// `SEQGATE_ASSIGN_OR_RETURN(auto x, F())` — binds the value or returns F()'s status.
#define SEQGATE_ASSIGN_OR_RETURN(decl, expr)                                                  \
  auto SEQGATE_CONCAT(_res_, __LINE__) = (expr);                                              \
  if (!SEQGATE_CONCAT(_res_, __LINE__).ok()) return SEQGATE_CONCAT(_res_, __LINE__).status(); \
  decl = std::move(SEQGATE_CONCAT(_res_, __LINE__)).value()
