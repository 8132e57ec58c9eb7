#include "core/status.h"

#include <algorithm>
#include <array>

#include "core/secret_masker.h"
#include "core/utf8.h"

namespace sluice {
namespace {

struct KindName {
  ErrorKind kind;
  const char* name;
};

constexpr std::array<KindName, 19> kKindNames = {{
    {ErrorKind::kParse, "parse_error"},
    {ErrorKind::kType, "type_error"},
    {ErrorKind::kInvalidArgument, "invalid_argument"},
    {ErrorKind::kNotFound, "not_found"},
    {ErrorKind::kAlreadyExists, "already_exists"},
    {ErrorKind::kAssertion, "assertion_error"},
    {ErrorKind::kConnector, "connector_error"},
    {ErrorKind::kAuth, "auth_error"},
    {ErrorKind::kRateLimit, "rate_limit_error"},
    {ErrorKind::kConnection, "connection_error"},
    {ErrorKind::kTimeout, "timeout_error"},
    {ErrorKind::kDestination, "destination_error"},
    {ErrorKind::kSql, "sql_error"},
    {ErrorKind::kSecret, "secret_error"},
    {ErrorKind::kIo, "io_error"},
    {ErrorKind::kIntegrity, "integrity_error"},
    {ErrorKind::kNotImplemented, "not_implemented"},
    {ErrorKind::kSkipped, "skipped"},
    {ErrorKind::kInternal, "internal_error"},
}};

}  // namespace

const char* ErrorKindName(ErrorKind kind) {
  for (const auto& entry : kKindNames) {
    if (entry.kind == kind) return entry.name;
  }
  return "internal_error";
}

std::optional<ErrorKind> ErrorKindFromName(std::string_view name) {
  for (const auto& entry : kKindNames) {
    if (name == entry.name) return entry.kind;
  }
  return std::nullopt;
}

Status::Status(ErrorKind kind, std::string message, CodeLocation origin)
    : state_(std::make_unique<State>(State{kind, std::move(message), std::nullopt, origin})) {}

Status::Status(const Status& other)
    : state_(other.state_ ? std::make_unique<State>(*other.state_) : nullptr) {}

Status& Status::operator=(const Status& other) {
  if (this != &other) state_ = other.state_ ? std::make_unique<State>(*other.state_) : nullptr;
  return *this;
}

ErrorKind Status::kind() const { return state_ ? state_->kind : ErrorKind::kInternal; }

const std::string& Status::message() const {
  static const std::string kEmpty;
  return state_ ? state_->message : kEmpty;
}

bool Status::retryable() const {
  if (!state_) return false;
  switch (state_->kind) {
    case ErrorKind::kRateLimit:
    case ErrorKind::kConnection:
    case ErrorKind::kTimeout:
      return true;
    default:
      return false;
  }
}

const std::optional<SourceLocation>& Status::location() const {
  static const std::optional<SourceLocation> kNone;
  return state_ ? state_->location : kNone;
}

const CodeLocation& Status::origin() const {
  static const CodeLocation kNowhere;
  return state_ ? state_->origin : kNowhere;
}

Status& Status::At(const SourceLocation& location) {
  if (state_ && !state_->location && location.line != 0) state_->location = location;
  return *this;
}

Status& Status::WithContext(std::string_view context) {
  if (state_) state_->message = std::string(context) + ": " + state_->message;
  return *this;
}

std::string Status::ToString() const {
  if (!state_) return "OK";
  return state_->message;
}

std::string Status::Render() const {
  if (!state_) return "OK";
  if (!state_->location) return "error: " + state_->message;
  const SourceLocation& at = *state_->location;
  std::string out = at.ToString() + ": " + state_->message;
  if (at.file && at.line != 0) {
    // Masked here, before the line is cut to a window, so a secret cut in
    // half at the window's edge cannot slip past the masker.
    const SecretMasker& masker = SecretMasker::Global();
    std::string_view raw = at.file->Line(at.line);
    std::string masked = masker.Mask(raw);
    std::string_view line = masked;
    // Long lines (a whole script passed with -c) show a window around the
    // column, so the caret stays on screen.
    constexpr size_t kWindow = 100;
    size_t raw_column = std::min<size_t>(at.column > 0 ? at.column - 1 : 0, raw.size());
    size_t column = masker.Mask(raw.substr(0, raw_column)).size();
    size_t start = 0;
    std::string prefix;
    if (line.size() > kWindow && column > kWindow / 2) {
      start = column - kWindow / 2;
      while (start > 0 && IsUtf8Continuation(line[start])) --start;
      prefix = "...";
    }
    std::string_view shown = line.substr(start, kWindow);
    std::string suffix = start + shown.size() < line.size() ? "..." : "";
    out += "\n  " + prefix;
    out += shown;
    out += suffix + "\n  " + std::string(prefix.size(), ' ');
    // Keep tabs so the caret lines up under tab-indented source.
    for (size_t i = start; i < column && i < line.size(); ++i) {
      if (IsUtf8Continuation(line[i])) continue;  // one per character
      out += line[i] == '\t' ? '\t' : ' ';
    }
    out += '^';
  }
  return out;
}

}  // namespace sluice
