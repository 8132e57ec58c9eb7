// Status and Result<T>: the one error type of Sluice.
//
// A Status is either OK (a null pointer, free to create and copy-elide) or an
// error carrying a kind, a message, where in the user's input it happened
// (file:line:col, when known), a context chain naming the connector, entity
// or field involved, and the C++ call site that created it (for debugging).
//
// Thread-safety: a Status is a value; distinct objects may be used from
// distinct threads.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <version>

#include "core/source_text.h"

#ifdef __cpp_lib_source_location
#include <source_location>
#endif

namespace sluice {

// Where in Sluice's own code an error was made. std::source_location where
// the toolchain has it (clang 14 with libstdc++ 12 does not; the fuzz build
// uses that pair), otherwise an empty stand-in.
#ifdef __cpp_lib_source_location
using CodeLocation = std::source_location;
#else
struct CodeLocation {
  static constexpr CodeLocation current() noexcept { return {}; }
  constexpr const char* file_name() const noexcept { return ""; }
  constexpr const char* function_name() const noexcept { return ""; }
  constexpr unsigned line() const noexcept { return 0; }
};
#endif

enum class ErrorKind {
  kParse,           // malformed statement or literal
  kType,            // a value of the wrong type
  kInvalidArgument, // well-formed but not acceptable (unknown key, bad option)
  kNotFound,        // a named object does not exist
  kAlreadyExists,   // CREATE of an existing object without OR REPLACE
  kAssertion,       // ASSERT failed
  kConnector,       // a connector handler failed (connector_error)
  kAuth,            // the API refused the credentials (auth_error)
  kRateLimit,       // the API throttled us (rate_limit_error)
  kConnection,      // network failure (connection_error)
  kTimeout,         // a time limit was hit (timeout_error)
  kDestination,     // writing to a destination failed
  kSql,             // SQLite rejected a statement
  kSecret,          // secret storage: missing key, wrong key, bad ciphertext
  kIo,              // reading or writing a file
  kIntegrity,       // a package's signature, digest or trusted comment does not check out
  kNotImplemented,  // recognised, but its execution is not built yet
  kSkipped,         // a connector test cannot run here (ENV missing); TRY does not catch it
  kInternal,        // a bug in Sluice
};

// The name users see and write in `TRY … CATCH kind` (e.g. "auth_error").
const char* ErrorKindName(ErrorKind kind);
// Inverse of ErrorKindName; nullopt for an unknown name.
std::optional<ErrorKind> ErrorKindFromName(std::string_view name);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(ErrorKind kind, std::string message,
         CodeLocation origin = CodeLocation::current());

  Status(const Status& other);
  Status& operator=(const Status& other);
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;

  static Status Ok() { return Status(); }

  bool ok() const { return state_ == nullptr; }
  ErrorKind kind() const;
  const std::string& message() const;
  // Errors from the network, rate limits and timeouts may succeed if retried.
  bool retryable() const;
  const std::optional<SourceLocation>& location() const;
  const CodeLocation& origin() const;

  // Attaches the user-input position unless one is already set: the
  // innermost (most precise) position wins.
  Status& At(const SourceLocation& location);
  // Prefixes context, e.g. WithContext("connector 'gh', entity 'issues'").
  Status& WithContext(std::string_view context);

  // "message" with its context; no position.
  std::string ToString() const;
  // "file:line:col: message" then the source line and a caret when the
  // source text is known.
  std::string Render() const;

 private:
  struct State {
    ErrorKind kind;
    std::string message;
    std::optional<SourceLocation> location;
    CodeLocation origin;
  };
  std::unique_ptr<State> state_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : data_(std::move(status)) {}  // NOLINT

  bool ok() const { return std::holds_alternative<T>(data_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(data_);
  }
  Status TakeStatus() { return ok() ? Status() : std::move(std::get<Status>(data_)); }

  // Precondition: ok().
  T& value() & { return std::get<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace sluice

#define SLUICE_CONCAT_INNER(a, b) a##b
#define SLUICE_CONCAT(a, b) SLUICE_CONCAT_INNER(a, b)

// Returns from the enclosing function when `expr` (a Status) is not OK.
#define RETURN_IF_ERROR(expr)                       \
  do {                                              \
    ::sluice::Status sluice_status_ = (expr);       \
    if (!sluice_status_.ok()) return sluice_status_; \
  } while (0)

// `ASSIGN_OR_RETURN(auto x, F());` binds the value of a Result or returns its
// Status.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL(SLUICE_CONCAT(sluice_result_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.TakeStatus();     \
  lhs = std::move(tmp).value()
