// Fuzz target "secret_masker": the masker that keeps secrets out of output.
// Input: one byte for the secret's length, the secret, then free text.
//
// Property: text passed through Mask() never holds the secret — nor any
// encoded form of it that the masker covers. Which encoded forms it covers
// (URL-encoded, JSON-escaped, base64, XML-escaped) is read from the masker
// itself: a form is covered when Mask() hides it standing alone, and a
// covered form must then be hidden wherever it appears in the text.
#include <string>
#include <string_view>
#include <vector>

#include "core/secret_masker.h"
#include "core/value.h"
#include "fuzz_target.h"

namespace {

std::string UrlEncoded(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string JsonEscaped(std::string_view s) {
  std::string quoted =
      sluice::Value(std::string(s)).dump(-1, ' ', false, sluice::Value::error_handler_t::ignore);
  return quoted.substr(1, quoted.size() - 2);
}

std::string Base64(std::string_view s) {
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < s.size(); i += 3) {
    uint32_t n = (uint8_t(s[i]) << 16) | (uint8_t(s[i + 1]) << 8) | uint8_t(s[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += alphabet[(n >> shift) & 63];
  }
  if (i + 1 == s.size()) {
    uint32_t n = uint8_t(s[i]) << 16;
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == s.size()) {
    uint32_t n = (uint8_t(s[i]) << 16) | (uint8_t(s[i + 1]) << 8);
    for (int shift : {18, 12, 6}) out += alphabet[(n >> shift) & 63];
    out += '=';
  }
  return out;
}

std::string XmlEscaped(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace

SLUICE_FUZZ_TARGET("secret_masker") {
  if (size == 0) return;
  size_t length = std::min<size_t>(data[0] % 64, size - 1);
  std::string secret(reinterpret_cast<const char*>(data + 1), length);
  std::string text(reinterpret_cast<const char*>(data + 1 + length), size - 1 - length);
  std::string_view prefix = std::string_view(text).substr(0, text.size() / 2);
  std::string_view suffix = std::string_view(text).substr(text.size() / 2);

  sluice::SecretMasker masker;
  masker.Add(secret);
  std::string masked_text = masker.Mask(text);
  if (secret.size() < sluice::SecretMasker::kMinMaskedLength)
    return;  // documented: too short to mask
  // A secret that overlaps the mask ("E***E", "*abcd") can be re-formed from
  // the mask and the text beside it ("EE***EE", "***abcd"), which shows
  // nothing the text did not: no property to check.
  if (secret.find(sluice::SecretMasker::kMask) != std::string::npos || secret.front() == '*' ||
      secret.back() == '*') {
    return;
  }
  SLUICE_FUZZ_CHECK(masked_text.find(secret) == std::string::npos,
                    "the secret survives in free text");

  struct Form {
    const char* name;
    std::string text;
  };
  std::vector<Form> forms = {{"raw", secret},
                             {"URL-encoded", UrlEncoded(secret)},
                             {"JSON-escaped", JsonEscaped(secret)},
                             {"base64", Base64(secret)},
                             {"XML-escaped", XmlEscaped(secret)}};
  for (const Form& form : forms) {
    if (form.text.size() < sluice::SecretMasker::kMinMaskedLength) continue;
    bool covered = std::string_view(form.name) == "raw" ||
                   masker.Mask(form.text).find(form.text) == std::string::npos;
    if (!covered) continue;
    std::string masked = masker.Mask(std::string(prefix) + form.text + std::string(suffix));
    SLUICE_FUZZ_CHECK(
        masked.find(form.text) == std::string::npos,
        std::string("the ") + form.name + " form of the secret survives in the text around it");
    if (form.text != secret) {
      SLUICE_FUZZ_CHECK(masked.find(secret) == std::string::npos,
                        std::string("the secret survives beside its ") + form.name + " form");
    }
  }
}
