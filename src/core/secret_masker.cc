#include "core/secret_masker.h"

#include <algorithm>
#include <cctype>
#include <cstdint>

namespace sluice {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The value of `count` hex digits at text[at], or -1.
int32_t HexValue(std::string_view text, size_t at, size_t count) {
  if (at + count > text.size()) return -1;
  int32_t value = 0;
  for (size_t i = 0; i < count; ++i) {
    int digit = HexDigit(text[at + i]);
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

std::vector<std::pair<int32_t, std::string>> DecodeUtf8(std::string_view text) {
  std::vector<std::pair<int32_t, std::string>> chars;
  size_t i = 0;
  while (i < text.size()) {
    auto byte = static_cast<unsigned char>(text[i]);
    size_t length = byte < 0x80           ? 1
                    : (byte >> 5) == 0x6  ? 2
                    : (byte >> 4) == 0xE  ? 3
                    : (byte >> 3) == 0x1E ? 4
                                          : 0;
    int32_t code = length == 1   ? byte
                   : length == 2 ? byte & 0x1F
                   : length == 3 ? byte & 0x0F
                                 : byte & 0x07;
    bool valid = length > 0 && i + length <= text.size();
    for (size_t k = 1; valid && k < length; ++k) {
      auto next = static_cast<unsigned char>(text[i + k]);
      valid = (next & 0xC0) == 0x80;
      code = (code << 6) | (next & 0x3F);
    }
    if (!valid) {
      chars.emplace_back(-1, std::string(1, text[i]));
      ++i;
      continue;
    }
    chars.emplace_back(code, std::string(text.substr(i, length)));
    i += length;
  }
  return chars;
}

// A JSON escape (\" \n \u00e9 …) of `code` at text[at]: appends its end.
void JsonEscapeEnds(std::string_view text, size_t at, int32_t code, std::vector<size_t>& ends) {
  if (at + 1 >= text.size() || text[at] != '\\') return;
  char c = text[at + 1];
  int32_t decoded = -1;
  size_t end = at + 2;
  switch (c) {
    case '"':
    case '\\':
    case '/':
      decoded = c;
      break;
    case 'b':
      decoded = '\b';
      break;
    case 'f':
      decoded = '\f';
      break;
    case 'n':
      decoded = '\n';
      break;
    case 'r':
      decoded = '\r';
      break;
    case 't':
      decoded = '\t';
      break;
    case 'u': {
      decoded = HexValue(text, at + 2, 4);
      end = at + 6;
      if (decoded >= 0xD800 && decoded <= 0xDBFF && text.compare(end, 2, "\\u") == 0) {
        int32_t low = HexValue(text, end + 2, 4);
        if (low >= 0xDC00 && low <= 0xDFFF) {
          decoded = 0x10000 + ((decoded - 0xD800) << 10) + (low - 0xDC00);
          end += 6;
        }
      }
      break;
    }
    default:
      break;
  }
  if (decoded == code) ends.push_back(end);
}

// One character of JSON text at text[at], escapes decoded: {code, length},
// or {-1, 0}.
std::pair<int32_t, size_t> JsonChar(std::string_view text, size_t at) {
  if (at >= text.size()) return {-1, 0};
  if (text[at] != '\\') return {static_cast<unsigned char>(text[at]), 1};
  if (at + 1 >= text.size()) return {-1, 0};
  switch (char c = text[at + 1]) {
    case '"':
    case '\\':
    case '/':
      return {c, 2};
    case 'b':
      return {'\b', 2};
    case 'f':
      return {'\f', 2};
    case 'n':
      return {'\n', 2};
    case 'r':
      return {'\r', 2};
    case 't':
      return {'\t', 2};
    case 'u':
      return {HexValue(text, at + 2, 4), 6};
    default:
      return {-1, 0};
  }
}

// JSON text inside JSON text (a JSON.stringify result put in an object that
// is printed as JSON) escapes twice: '"' is \\\" there. Decodes one level
// as far as one escape of `code` reaches, and matches that escape.
void DoubleJsonEscapeEnds(std::string_view text, size_t at, int32_t code,
                          std::vector<size_t>& ends) {
  if (text.compare(at, 2, "\\\\") != 0) return;
  std::string once;
  size_t p = at;
  while (once.size() < 12) {
    auto [c, length] = JsonChar(text, p);
    if (c < 0 || c > 0x7F) return;
    once += static_cast<char>(c);
    p += length;
    std::vector<size_t> inner;
    JsonEscapeEnds(once, 0, code, inner);
    for (size_t end : inner) {
      if (end == once.size()) {
        ends.push_back(p);
        return;
      }
    }
  }
}

// Where each way of writing one character of a secret at text[at] ends:
// raw, percent-encoded, JSON-escaped or HTML/XML-escaped. Appends to `ends`.
void CharEnds(std::string_view text, size_t at, int32_t code, const std::string& bytes,
              std::vector<size_t>& ends) {
  if (text.compare(at, bytes.size(), bytes) == 0) ends.push_back(at + bytes.size());
  // Percent-encoding works on bytes; an encoder may leave some of them raw.
  size_t p = at;
  bool encoded = false;
  for (char byte : bytes) {
    if (p < text.size() && text[p] == '%' &&
        HexValue(text, p + 1, 2) == static_cast<unsigned char>(byte)) {
      p += 3;
      encoded = true;
    } else if (byte == ' ' && p < text.size() && text[p] == '+') {
      p += 1;
      encoded = true;
    } else if (p < text.size() && text[p] == byte) {
      p += 1;
    } else {
      p = std::string_view::npos;
      break;
    }
  }
  if (encoded && p != std::string_view::npos) ends.push_back(p);
  if (code < 0 || at + 1 >= text.size()) return;
  if (text[at] == '\\') {
    JsonEscapeEnds(text, at, code, ends);
    DoubleJsonEscapeEnds(text, at, code, ends);
  } else if (text[at] == '&') {
    // Entities are short: look no further (a scan to the end would make
    // masking quadratic in text full of '&').
    size_t semicolon = text.substr(at + 1, 12).find(';');
    if (semicolon == std::string_view::npos) return;
    semicolon += at + 1;
    std::string_view name = text.substr(at + 1, semicolon - at - 1);
    int32_t decoded = -1;
    if (name == "amp")
      decoded = '&';
    else if (name == "lt")
      decoded = '<';
    else if (name == "gt")
      decoded = '>';
    else if (name == "quot")
      decoded = '"';
    else if (name == "apos")
      decoded = '\'';
    else if (name.size() > 1 && name[0] == '#') {
      bool hex = name[1] == 'x' || name[1] == 'X';
      std::string_view digits = name.substr(hex ? 2 : 1);
      if (!digits.empty()) {
        decoded = 0;
        for (char d : digits) {
          int v = hex ? HexDigit(d) : (d >= '0' && d <= '9' ? d - '0' : -1);
          if (v < 0 || decoded > 0x10FFFF) {
            decoded = -1;
            break;
          }
          decoded = decoded * (hex ? 16 : 10) + v;
        }
      }
    }
    if (decoded == code) ends.push_back(semicolon + 1);
  }
}

// The end of the longest way `chars` is written at text[at], or npos. Each
// character may be written differently, and an escape may start where a raw
// character could too ('%' or '&' in the secret), so all ways are followed.
size_t MatchEnd(std::string_view text, size_t at,
                const std::vector<std::pair<int32_t, std::string>>& chars,
                std::vector<size_t>& frontier, std::vector<size_t>& next) {
  frontier.assign(1, at);
  for (const auto& [code, bytes] : chars) {
    next.clear();
    for (size_t p : frontier) {
      if (p < text.size()) CharEnds(text, p, code, bytes, next);
    }
    if (next.empty()) return std::string_view::npos;
    std::sort(next.begin(), next.end());
    next.erase(std::unique(next.begin(), next.end()), next.end());
    frontier.swap(next);
  }
  return frontier.back();
}

void AddUnique(std::vector<std::string>& forms, std::string form) {
  if (form.size() < SecretMasker::kMinMaskedLength) return;
  if (std::find(forms.begin(), forms.end(), form) == forms.end()) forms.push_back(std::move(form));
}

void AddBase64Forms(std::string_view secret, std::vector<std::string>& forms) {
  std::vector<std::string> standard;
  std::string full = SecretMasker::Base64(secret);
  AddUnique(standard, full);
  AddUnique(standard, full.substr(0, full.find('=')));
  for (size_t offset = 0; offset < 3; ++offset) {
    std::string encoded = SecretMasker::Base64(std::string(offset, '\0') + std::string(secret));
    // Character i holds bits [6i, 6i + 6); keep those inside the secret's bits.
    size_t begin = (8 * offset + 5) / 6;
    size_t end = 8 * (offset + secret.size()) / 6;
    if (end > begin) AddUnique(standard, encoded.substr(begin, end - begin));
  }
  for (std::string& form : standard) {
    std::string url = form;
    std::replace(url.begin(), url.end(), '+', '-');
    std::replace(url.begin(), url.end(), '/', '_');
    AddUnique(forms, std::move(form));
    AddUnique(forms, std::move(url));
  }
}

// The secret's Latin-1 bytes, when it is valid UTF-8 with a character past
// ASCII and none past U+00FF; else empty. JavaScript's btoa() encodes each
// UTF-16 unit below 256 as one byte, so btoa("Pässwörd") is base64 of Latin-1
// bytes, not of the UTF-8 ones the other forms come from.
std::string Latin1(const std::vector<std::pair<int32_t, std::string>>& chars) {
  std::string bytes;
  bool beyond_ascii = false;
  for (const auto& [code, utf8] : chars) {
    if (code < 0 || code > 0xFF) return {};
    beyond_ascii = beyond_ascii || code > 0x7F;
    bytes += static_cast<char>(code);
  }
  return beyond_ascii ? bytes : std::string();
}

}  // namespace

std::string SecretMasker::Base64(std::string_view data) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  for (size_t i = 0; i < data.size(); i += 3) {
    uint32_t group = static_cast<unsigned char>(data[i]) << 16;
    if (i + 1 < data.size()) group |= static_cast<unsigned char>(data[i + 1]) << 8;
    if (i + 2 < data.size()) group |= static_cast<unsigned char>(data[i + 2]);
    out += kAlphabet[(group >> 18) & 0x3F];
    out += kAlphabet[(group >> 12) & 0x3F];
    out += i + 1 < data.size() ? kAlphabet[(group >> 6) & 0x3F] : '=';
    out += i + 2 < data.size() ? kAlphabet[group & 0x3F] : '=';
  }
  return out;
}

SecretMasker& SecretMasker::Global() {
  static SecretMasker masker;
  return masker;
}

void SecretMasker::Add(std::string_view secret) {
  if (secret.size() < kMinMaskedLength) return;
  std::lock_guard lock(mutex_);
  for (const Secret& known : secrets_) {
    if (known.text == secret) return;
  }
  std::string anchor, run;
  for (char c : secret) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '~' ||
        c == '-') {
      run += c;
      if (run.size() > anchor.size()) anchor = run;
    } else {
      run.clear();
    }
  }
  std::vector<std::pair<int32_t, std::string>> chars = DecodeUtf8(secret);
  AddBase64Forms(secret, base64_forms_);
  if (std::string latin1 = Latin1(chars); !latin1.empty()) AddBase64Forms(latin1, base64_forms_);
  secrets_.push_back(Secret{std::string(secret), std::move(chars), std::move(anchor)});
  std::stable_sort(secrets_.begin(), secrets_.end(),
                   [](const Secret& a, const Secret& b) { return a.text.size() > b.text.size(); });
  std::stable_sort(base64_forms_.begin(), base64_forms_.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

std::string SecretMasker::Mask(std::string_view text) const {
  std::lock_guard lock(mutex_);
  std::string out(text);
  std::vector<size_t> frontier, next;  // MatchEnd's scratch, kept across calls
  for (const Secret& secret : secrets_) {
    // Only an encoder that escapes letters and digits too (none does) hides
    // the anchor; short anchors filter too little to be worth it.
    if (secret.anchor.size() >= 3 && out.find(secret.anchor) == std::string::npos) continue;
    const char first = secret.text[0];
    std::string masked;
    size_t copied = 0;
    for (size_t pos = 0; pos < out.size(); ++pos) {
      char c = out[pos];
      // Only these can start an occurrence; the rest is skipped cheaply.
      if (c != first && c != '%' && c != '+' && c != '\\' && c != '&') continue;
      size_t end = MatchEnd(out, pos, secret.chars, frontier, next);
      if (end == std::string_view::npos) continue;
      masked.append(out, copied, pos - copied);
      masked += kMask;
      copied = end;
      pos = end - 1;
    }
    if (copied > 0) {
      masked.append(out, copied, std::string::npos);
      out = std::move(masked);
    }
  }
  for (const std::string& form : base64_forms_) {
    size_t pos = 0;
    while ((pos = out.find(form, pos)) != std::string::npos) {
      out.replace(pos, form.size(), kMask);
      pos += kMask.size();
    }
  }
  return out;
}

bool SecretMasker::empty() const {
  std::lock_guard lock(mutex_);
  return secrets_.empty();
}

void SecretMasker::Clear() {
  std::lock_guard lock(mutex_);
  secrets_.clear();
  base64_forms_.clear();
}

}  // namespace sluice
