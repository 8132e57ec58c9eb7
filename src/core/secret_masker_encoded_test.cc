// Encoded forms of a secret (issue 13, defect 28): URL, JSON, HTML/XML and
// base64 encodings of a registered secret are masked like the secret itself.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "core/secret_masker.h"

namespace sluice {
namespace {

constexpr std::string_view kSecret = "pa\"ss\\wo rd&<é>/+%";

// SecretMasker holds a mutex: it is filled in place.
void AddSecret(SecretMasker& masker) { masker.Add(kSecret); }

TEST(SecretMaskerEncodedTest, PercentEncodedUpperAndLowerHexAndBothSpaceForms) {
  SecretMasker masker;
  AddSecret(masker);
  // What curl_easy_escape / encodeURIComponent produce, and the form
  // encoders (space as '+').
  EXPECT_EQ(masker.Mask("GET /x?key=pa%22ss%5Cwo%20rd%26%3C%C3%A9%3E%2F%2B%25 failed"),
            "GET /x?key=*** failed");
  EXPECT_EQ(masker.Mask("key=pa%22ss%5cwo+rd%26%3c%c3%a9%3e%2f%2b%25&x=1"), "key=***&x=1");
  // An encoder that leaves some characters raw.
  EXPECT_EQ(masker.Mask("k=pa%22ss\\wo%20rd&<%C3%A9>/+%25"), "k=***");
}

TEST(SecretMaskerEncodedTest, JsonEscaped) {
  SecretMasker masker;
  AddSecret(masker);
  EXPECT_EQ(masker.Mask(R"({"token":"pa\"ss\\wo rd&<é>\/+%"})"), R"({"token":"***"})");
  EXPECT_EQ(masker.Mask(R"({"token":"pa\u0022ss\u005cwo rd\u0026\u003c\u00e9\u003e/+%"})"),
            R"({"token":"***"})");
  SecretMasker emoji;
  emoji.Add("key😀line\nend");
  EXPECT_EQ(emoji.Mask(R"(["key\ud83d\ude00line\nend"])"), R"(["***"])");
}

TEST(SecretMaskerEncodedTest, JsonEscapedTwice) {
  SecretMasker masker;
  AddSecret(masker);
  // {"json": JSON.stringify(secret)} printed as JSON.
  EXPECT_EQ(masker.Mask(R"({"json":"\"pa\\\"ss\\\\wo rd&<\\u00e9>/+%\""})"), R"({"json":"\"***\""})");
}

TEST(SecretMaskerEncodedTest, HtmlAndXmlEscaped) {
  SecretMasker masker;
  AddSecret(masker);
  EXPECT_EQ(masker.Mask("<failure message=\"pa&quot;ss\\wo rd&amp;&lt;é&gt;/+%\"/>"),
            "<failure message=\"***\"/>");
  EXPECT_EQ(masker.Mask("pa&#34;ss&#x5C;wo rd&#38;&#x3c;&#233;&#62;/+%"), "***");
  EXPECT_EQ(masker.Mask("pa&apos;ss"), "pa&apos;ss");
}

TEST(SecretMaskerEncodedTest, Base64OfTheSecretAlone) {
  SecretMasker masker;
  masker.Add("hunter2-secret");
  const std::string encoded = SecretMasker::Base64("hunter2-secret");
  EXPECT_EQ(encoded, "aHVudGVyMi1zZWNyZXQ=");
  EXPECT_EQ(masker.Mask("btoa: " + encoded + "."), "btoa: ***.");
  EXPECT_EQ(masker.Mask("unpadded " + encoded.substr(0, encoded.size() - 1)), "unpadded ***");
}

TEST(SecretMaskerEncodedTest, Base64OfBasicAuthAtEachOfTheThreeOffsets) {
  const std::string secret = "s3cr3t-Passw0rd";
  SecretMasker masker;
  masker.Add(secret);
  // user names of 2, 3 and 4 bytes put the secret at each offset modulo 3.
  for (std::string user : {"ab", "abc", "abcd", "alice", "robert"}) {
    std::string header = "Authorization: Basic " + SecretMasker::Base64(user + ":" + secret);
    std::string masked = masker.Mask(header);
    EXPECT_NE(masked.find("***"), std::string::npos) << user << ": " << masked;
    // What is left around the mask is the user part and a few edge
    // characters: too little to decode the secret from.
    size_t left = masked.size() - std::string("Authorization: Basic ").size() - 3;
    EXPECT_LE(left, (user.size() + 1) * 4 / 3 + 5) << user << ": " << masked;
  }
  // The URL-safe alphabet too.
  std::string url = SecretMasker::Base64("x:" + secret + "?>>>?");
  std::replace(url.begin(), url.end(), '+', '-');
  std::replace(url.begin(), url.end(), '/', '_');
  EXPECT_NE(masker.Mask(url).find("***"), std::string::npos) << url;
}

TEST(SecretMaskerEncodedTest, PlainTextAndOtherSecretsAreUntouched) {
  SecretMasker masker;
  AddSecret(masker);
  EXPECT_EQ(masker.Mask("100% + 50%2F & friends \\n &amp;"), "100% + 50%2F & friends \\n &amp;");
  EXPECT_EQ(masker.Mask("pa%22ss%5Cwo%20rd"), "pa%22ss%5Cwo%20rd");  // a prefix only
  EXPECT_EQ(masker.Mask(""), "");
}

}  // namespace
}  // namespace sluice
