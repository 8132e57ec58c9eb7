#include "package/minisign.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include "core/secret_masker.h"

namespace sluice {
namespace {

MinisignSecretKey NewKey() {
  auto key = MinisignSecretKey::Generate();
  EXPECT_TRUE(key.ok()) << key.status().ToString();
  return *key;
}

TEST(Minisign, SignVerifyRoundTrip) {
  MinisignSecretKey key = NewKey();
  auto sig = MinisignSign(key, "hello", "sluice-package name=x version=1.0.0 sha256=00");
  ASSERT_TRUE(sig.ok()) << sig.status().ToString();
  auto verified = MinisignVerify("hello", *sig, {key.PublicKey()});
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->trusted_comment, "sluice-package name=x version=1.0.0 sha256=00");
  EXPECT_EQ(verified->key_id_hex, key.PublicKey().KeyIdHex());
  EXPECT_EQ(verified->key_id_hex.size(), 16u);
}

TEST(Minisign, WrongDataOrKeyIsIntegrityError) {
  MinisignSecretKey key = NewKey();
  MinisignSecretKey other = NewKey();
  auto sig = MinisignSign(key, "hello", "c");
  ASSERT_TRUE(sig.ok());
  auto wrong_data = MinisignVerify("hellp", *sig, {key.PublicKey()});
  ASSERT_FALSE(wrong_data.ok());
  EXPECT_EQ(wrong_data.status().kind(), ErrorKind::kIntegrity);
  auto untrusted = MinisignVerify("hello", *sig, {other.PublicKey()});
  ASSERT_FALSE(untrusted.ok());
  EXPECT_EQ(untrusted.status().kind(), ErrorKind::kIntegrity);
  EXPECT_NE(untrusted.status().message().find("not a trusted key"), std::string::npos);
  // Same key id, different key: the signature does not match.
  MinisignPublicKey impostor = other.PublicKey();
  impostor.key_id = key.key_id;
  auto forged = MinisignVerify("hello", *sig, {impostor});
  ASSERT_FALSE(forged.ok());
  EXPECT_EQ(forged.status().kind(), ErrorKind::kIntegrity);
}

TEST(Minisign, TamperedTrustedCommentIsRejected) {
  MinisignSecretKey key = NewKey();
  auto sig = MinisignSign(key, "data", "sluice-package name=x version=1.0.0 sha256=aa");
  ASSERT_TRUE(sig.ok());
  std::string text = *sig;
  size_t at = text.find("1.0.0");
  text.replace(at, 5, "1.0.1");
  auto verified = MinisignVerify("data", text, {key.PublicKey()});
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.status().kind(), ErrorKind::kIntegrity);
}

TEST(Minisign, CrlfSignatureVerifies) {
  MinisignSecretKey key = NewKey();
  auto sig = MinisignSign(key, "data", "c");
  ASSERT_TRUE(sig.ok());
  std::string crlf;
  for (char c : *sig) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  EXPECT_TRUE(MinisignVerify("data", crlf, {key.PublicKey()}).ok());
}

TEST(Minisign, MalformedSignaturesAreInvalidArgument) {
  MinisignSecretKey key = NewKey();
  auto sig = MinisignSign(key, "data", "c");
  ASSERT_TRUE(sig.ok());
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < sig->size()) {
    size_t nl = sig->find('\n', start);
    lines.push_back(sig->substr(start, nl - start));
    start = nl + 1;
  }
  ASSERT_EQ(lines.size(), 4u);
  auto join = [](const std::vector<std::string>& l) {
    std::string out;
    for (const auto& s : l) out += s + "\n";
    return out;
  };
  std::vector<std::string> cases = {
      "",
      "garbage",
      join({lines[0], lines[1], lines[2]}),                     // missing line
      join({lines[0], lines[1], lines[2], "extra", lines[3]}),  // multi-line comment
      join({lines[0], "!!!notbase64!!!", lines[2], lines[3]}),
      join({lines[0], lines[1].substr(0, 20), lines[2], lines[3]}),  // wrong length
      join({lines[0], lines[1], "not a trusted comment", lines[3]}),
      join({"comment without prefix", lines[1], lines[2], lines[3]}),
      join({lines[0], lines[1], lines[2], "AAAA"}),
      std::string(100000, 'A'),
  };
  // Wrong algorithm bytes: "ED" → "XX" in the decoded signature.
  {
    std::string b64 = lines[1];
    // base64 of "ED" starts "RU"; "AA" decodes to bytes 0x00 0x0?.
    ASSERT_EQ(b64.substr(0, 2), "RU");
    cases.push_back(join({lines[0], "AA" + b64.substr(2), lines[2], lines[3]}));
  }
  for (const std::string& c : cases) {
    auto verified = MinisignVerify("data", c, {key.PublicKey()});
    ASSERT_FALSE(verified.ok()) << c;
    EXPECT_EQ(verified.status().kind(), ErrorKind::kInvalidArgument)
        << c << ": " << verified.status().ToString();
  }
}

TEST(Minisign, PublicKeyParsing) {
  MinisignSecretKey key = NewKey();
  MinisignPublicKey pub = key.PublicKey();
  std::string line = pub.Base64();
  EXPECT_EQ(line.substr(0, 2), "RW");
  auto parsed = MinisignPublicKey::Parse(line);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->key, pub.key);
  EXPECT_EQ(parsed->key_id, pub.key_id);
  auto from_file = MinisignPublicKey::Parse(pub.FileText());
  ASSERT_TRUE(from_file.ok());
  EXPECT_EQ(from_file->key, pub.key);
  EXPECT_NE(pub.FileText().find(pub.KeyIdHex()), std::string::npos);
  auto crlf = MinisignPublicKey::Parse("untrusted comment: x\r\n" + line + "\r\n");
  EXPECT_TRUE(crlf.ok());

  for (std::string bad : {std::string(""), std::string("RW"), std::string("untrusted comment: x\n"),
                          line.substr(0, 30), line + "\n" + line, std::string("RWxx!!"),
                          // A base64 key of the right length whose algorithm is not "Ed".
                          std::string("AA") + line.substr(2)}) {
    auto result = MinisignPublicKey::Parse(bad);
    ASSERT_FALSE(result.ok()) << bad;
    EXPECT_EQ(result.status().kind(), ErrorKind::kInvalidArgument) << bad;
  }
}

TEST(Minisign, SecretKeyEncodeDecode) {
  MinisignSecretKey key = NewKey();
  std::string stored = key.Encode();
  EXPECT_EQ(stored.rfind("sluice-ed25519-secret:", 0), 0u);
  auto decoded = MinisignSecretKey::Decode(stored);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->key, key.key);
  EXPECT_EQ(decoded->key_id, key.key_id);
  EXPECT_FALSE(MinisignSecretKey::Decode("RWabc").ok());
  EXPECT_FALSE(MinisignSecretKey::Decode("sluice-ed25519-secret:AAAA").ok());
  // Mismatched halves are refused.
  MinisignSecretKey broken = key;
  broken.key[40] ^= 1;
  auto mismatched = MinisignSecretKey::Decode(broken.Encode());
  ASSERT_FALSE(mismatched.ok());
  EXPECT_EQ(mismatched.status().message().find(stored), std::string::npos);
}

TEST(Minisign, ASecretKeyGivenAsPublicKeyIsNamedAndMasked) {
  MinisignSecretKey key = NewKey();
  std::string stored = key.Encode();
  std::string bare = stored.substr(std::string("sluice-ed25519-secret:").size());
  for (const std::string& text : {stored, bare}) {
    auto parsed = MinisignPublicKey::Parse(text);
    ASSERT_FALSE(parsed.ok());
    EXPECT_NE(parsed.status().message().find("this is a SECRET key"), std::string::npos)
        << parsed.status().message();
    EXPECT_EQ(parsed.status().message().find(bare.substr(0, 12)), std::string::npos);
    // The statement shown under the error goes through the masker.
    std::string shown = SecretMasker::Global().Mask("TRUSTED_KEYS ('" + text + "')");
    EXPECT_EQ(shown.find(bare.substr(0, 12)), std::string::npos) << shown;
  }
}

TEST(Minisign, MultiLineTrustedCommentRefusedWhenSigning) {
  MinisignSecretKey key = NewKey();
  EXPECT_FALSE(MinisignSign(key, "x", "a\nb").ok());
}

TEST(Minisign, LegacyNonPrehashedSignatureVerifies) {
  {
    MinisignSecretKey key = NewKey();
    std::string data = "legacy data";
    std::string comment = "old";
    unsigned char sig[74] = {'E', 'd'};
    memcpy(sig + 2, key.key_id.data(), 8);
    crypto_sign_detached(sig + 10, nullptr, reinterpret_cast<const unsigned char*>(data.data()),
                         data.size(), key.key.data());
    std::string global_input(reinterpret_cast<const char*>(sig + 10), 64);
    global_input += comment;
    unsigned char global[64];
    crypto_sign_detached(global, nullptr,
                         reinterpret_cast<const unsigned char*>(global_input.data()),
                         global_input.size(), key.key.data());
    char b64[200], g64[200];
    sodium_bin2base64(b64, sizeof b64, sig, sizeof sig, sodium_base64_VARIANT_ORIGINAL);
    sodium_bin2base64(g64, sizeof g64, global, sizeof global, sodium_base64_VARIANT_ORIGINAL);
    std::string text = std::string("untrusted comment: legacy\n") + b64 +
                       "\ntrusted comment: " + comment + "\n" + g64 + "\n";
    auto verified = MinisignVerify(data, text, {key.PublicKey()});
    ASSERT_TRUE(verified.ok()) << verified.status().ToString();
    EXPECT_EQ(verified->trusted_comment, "old");
    EXPECT_FALSE(MinisignVerify("other", text, {key.PublicKey()}).ok());
  }
  // Build an "Ed" signature by hand the way old minisign did.
  MinisignSecretKey key = NewKey();
  auto sig = MinisignSign(key, "x", "c");
  ASSERT_TRUE(sig.ok());
  // A prehashed signature relabelled "Ed" must fail (it signs the hash,
  // not the data) — with kIntegrity, proving the legacy path is taken.
  std::string text = *sig;
  size_t nl = text.find('\n');
  ASSERT_EQ(text.substr(nl + 1, 2), "RU");  // "ED"
  text.replace(nl + 1, 2, "RW");            // "Ed"
  auto verified = MinisignVerify("x", text, {key.PublicKey()});
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.status().kind(), ErrorKind::kIntegrity);
}

}  // namespace
}  // namespace sluice
