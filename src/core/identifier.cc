#include "core/identifier.h"

#include <cstdint>
#include <cstdio>

#include "core/utf8.h"

namespace sluice {

std::string QuoteIdentifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

namespace {

// Non-ASCII code points that are spacing or invisible rather than letters:
// a name holding one looks like another name.
bool IsUnicodeSpaceOrControl(uint32_t cp) {
  return (cp >= 0x80 && cp <= 0xA0) || cp == 0xAD || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202F) ||
         (cp >= 0x205F && cp <= 0x206F) || cp == 0x3000 || cp == 0xFEFF;
}

std::string Describe(uint32_t cp) {
  char hex[16];
  std::snprintf(hex, sizeof hex, "U+%04X", static_cast<unsigned>(cp));
  if (cp < 0x20 || cp == 0x7F) return hex;
  if (cp == ' ') return std::string("a space (") + hex + ")";
  if (cp < 0x80) return std::string("'") + static_cast<char>(cp) + "' (" + hex + ")";
  return hex;
}

}  // namespace

std::string FoldIdentifier(std::string_view name) {
  std::string out(name);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

Status CheckName(std::string_view name, std::string_view what) {
  if (name.empty())
    return Status(ErrorKind::kInvalidArgument, std::string(what) + " name must not be empty");
  auto refuse = [&](const std::string& why) {
    // The name is shown as JSON would show it: control characters escaped.
    std::string shown;
    for (char c : name) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
        char escaped[8];
        std::snprintf(escaped, sizeof escaped, "\\x%02X",
                      static_cast<unsigned>(static_cast<unsigned char>(c)));
        shown += escaped;
      } else {
        shown += c;
      }
    }
    return Status(ErrorKind::kInvalidArgument,
                  std::string(what) + " name '" + shown + "' " + why +
                      "; a name holds letters, digits and '_', and does not start with a digit");
  };
  for (size_t pos = 0; pos < name.size();) {
    uint32_t cp = 0;
    size_t length = DecodeUtf8(name, pos, cp);
    if (length == 0) return refuse("is not valid UTF-8");
    bool ascii_letter = (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || cp == '_';
    bool digit = cp >= '0' && cp <= '9';
    bool allowed =
        ascii_letter || (digit && pos > 0) || (cp >= 0x80 && !IsUnicodeSpaceOrControl(cp));
    if (!allowed) {
      if (digit) return refuse("starts with a digit");
      return refuse("contains " + Describe(cp) + " at byte " + std::to_string(pos + 1));
    }
    pos += length;
  }
  return Status::Ok();
}

}  // namespace sluice
