#include "core/secret_masker.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace sluice {
namespace {

TEST(SecretMaskerTest, MasksEveryOccurrence) {
  SecretMasker masker;
  masker.Add("hunter22");
  EXPECT_EQ(masker.Mask("password=hunter22; again hunter22."), "password=***; again ***.");
  EXPECT_EQ(masker.Mask("nothing here"), "nothing here");
  EXPECT_EQ(masker.Mask(""), "");
}

TEST(SecretMaskerTest, MasksSeveralSecrets) {
  SecretMasker masker;
  masker.Add("alpha-key");
  masker.Add("beta-token");
  EXPECT_EQ(masker.Mask("a=alpha-key b=beta-token"), "a=*** b=***");
}

TEST(SecretMaskerTest, LongerSecretWinsWhenOneContainsAnother) {
  SecretMasker masker;
  // Added shortest first: masking in insertion order would leave "123" behind.
  masker.Add("token");
  masker.Add("token123");
  EXPECT_EQ(masker.Mask("Bearer token123"), "Bearer ***");
  EXPECT_EQ(masker.Mask("Bearer token"), "Bearer ***");
}

TEST(SecretMaskerTest, ShortValuesAreNotMaskedInFreeText) {
  SecretMasker masker;
  masker.Add("abc");  // shorter than kMinMaskedLength
  masker.Add("");
  EXPECT_EQ(masker.Mask("abc abc"), "abc abc");
  masker.Add("abcd");  // exactly kMinMaskedLength
  EXPECT_EQ(masker.Mask("abcd"), std::string(SecretMasker::kMask));
}

TEST(SecretMaskerTest, AdjacentAndRepeatedOccurrences) {
  SecretMasker masker;
  masker.Add("xyzw");
  masker.Add("xyzw");  // a duplicate changes nothing
  EXPECT_EQ(masker.Mask("xyzwxyzw"), "******");
}

TEST(SecretMaskerTest, ClearForgetsSecrets) {
  SecretMasker masker;
  masker.Add("forget-me");
  masker.Clear();
  EXPECT_EQ(masker.Mask("forget-me"), "forget-me");
}

TEST(SecretMaskerTest, GlobalIsOneInstance) {
  EXPECT_EQ(&SecretMasker::Global(), &SecretMasker::Global());
  SecretMasker::Global().Add("global-secret-value");
  EXPECT_EQ(SecretMasker::Global().Mask("v=global-secret-value"), "v=***");
}

TEST(SecretMaskerTest, ConcurrentAddAndMask) {
  SecretMasker masker;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&masker, t] {
      for (int i = 0; i < 200; ++i) {
        std::string secret = "secret-" + std::to_string(t) + "-" + std::to_string(i);
        masker.Add(secret);
        // Masking is checked right after adding: another thread's Add must
        // not lose this one.
        EXPECT_EQ(masker.Mask("<" + secret + ">"), "<***>");
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(masker.Mask("secret-3-199"), "***");
}

}  // namespace
}  // namespace sluice
