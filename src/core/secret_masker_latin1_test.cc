// Base64 of a secret's Latin-1 bytes: JavaScript's btoa() encodes each
// character below U+0100 as one byte, so btoa("Pässwörd-9x") is not the
// base64 of the UTF-8 text the masker already covered, and was printed.
#include <gtest/gtest.h>

#include <string>

#include "core/secret_masker.h"

namespace sluice {
namespace {

// "Pässwörd-9x" in Latin-1: ä is 0xE4, ö is 0xF6.
const std::string kLatin1 = "P\xE4ssw\xF6rd-9x";
constexpr std::string_view kSecret = "P\xC3\xA4ssw\xC3\xB6rd-9x";

TEST(SecretMaskerLatin1Test, BtoaOfTheSecretAloneIsMasked) {
  SecretMasker masker;
  masker.Add(kSecret);
  std::string encoded = SecretMasker::Base64(kLatin1);
  EXPECT_EQ(masker.Mask("Error: " + encoded + " end"), "Error: *** end");
  // Without its padding too.
  EXPECT_EQ(masker.Mask("token=" + encoded.substr(0, encoded.find('='))), "token=***");
}

TEST(SecretMaskerLatin1Test, BtoaAfterAnyPrefixIsMaskedAtEachOffset) {
  SecretMasker masker;
  masker.Add(kSecret);
  // Basic auth: btoa('user:' + secret), and prefixes of every length mod 3.
  for (std::string prefix : {"user:", "ab", "abc", "x"}) {
    std::string encoded = SecretMasker::Base64(prefix + kLatin1);
    std::string masked = masker.Mask("Authorization: Basic " + encoded);
    EXPECT_NE(masked.find("***"), std::string::npos) << prefix << ": " << masked;
    // No 8 characters of the encoding past the prefix's survive.
    std::string middle = encoded.substr(encoded.size() / 2 - 4, 8);
    EXPECT_EQ(masked.find(middle), std::string::npos) << prefix << ": " << masked;
  }
}

TEST(SecretMaskerLatin1Test, UrlAlphabetIsMaskedToo) {
  SecretMasker masker;
  masker.Add("\xC3\xBF\xC3\xBF\xC3\xBF\xC3\xBF\xC3\xBF\xC3\xBF");  // ÿÿÿÿÿÿ: 0xFF bytes, base64 '/'
  std::string encoded = SecretMasker::Base64(std::string(6, '\xFF'));
  ASSERT_EQ(encoded, "////////");
  EXPECT_EQ(masker.Mask("a " + encoded + " b"), "a *** b");
  EXPECT_EQ(masker.Mask("a ________ b"), "a *** b");
}

TEST(SecretMaskerLatin1Test, SecretsOutsideLatin1KeepTheirUtf8Forms) {
  SecretMasker masker;
  // ‹ (U+2039) has no Latin-1 byte: btoa() throws for it, and only the UTF-8
  // forms exist. They are still masked.
  masker.Add("Pa$s w/rd&\xE2\x80\xB9\xC3\xA9>\"x");
  std::string utf8 = SecretMasker::Base64("Pa$s w/rd&\xE2\x80\xB9\xC3\xA9>\"x");
  EXPECT_EQ(masker.Mask(utf8), "***");
  // An ASCII secret's Latin-1 and UTF-8 bytes are the same.
  SecretMasker ascii;
  ascii.Add("hunter22");
  EXPECT_EQ(ascii.Mask(SecretMasker::Base64("hunter22")), "***");
}

}  // namespace
}  // namespace sluice
