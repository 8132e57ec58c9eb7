// Start-up of the runtime: the self-hosted code comes from the cache
// embedded at build time, and a cache the engine cannot use (another
// libmozjs, damaged bytes) costs only time.
#include "js/selfhosted_cache.h"

#include <gtest/gtest.h>

#include <deque>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "js/js_realm.h"
#include "js/js_runtime.h"
#include "net/http.h"
#include "net/no_network.h"

namespace sluice::js {
namespace {

struct Outcome {
  bool created = false;
  bool from_cache = false;
  std::string result;  // of the probe script, or the error
};

// One runtime per thread: each case starts its own, so the suite's other
// runtimes do not matter. The probe uses self-hosted built-ins (map, join,
// sort with a comparator), which a wrongly decoded cache would break.
Outcome StartOnThread(std::optional<JS::SelfHostedCache> cache = std::nullopt) {
  Outcome outcome;
  std::thread([&] {
    SetSelfHostedCacheForTesting(cache);
    auto runtime = JsRuntime::Create();
    if (!runtime.ok()) {
      outcome.result = runtime.status().ToString();
      return;
    }
    outcome.created = true;
    outcome.from_cache = SelfHostedFromCache();
    RealmOptions realm_options;
    realm_options.transport = std::make_unique<NoNetwork>();
    auto realm = JsRealm::Create(**runtime, std::move(realm_options));
    if (!realm.ok()) {
      outcome.result = realm.status().ToString();
      return;
    }
    auto value = (*realm)->Evaluate("[3, 1, 2].map((x) => x * 2).sort((a, b) => a - b).join()",
                                    std::chrono::seconds(10));
    if (!value.ok()) {
      outcome.result = value.status().ToString();
    } else {
      outcome.result = value->is_string() ? value->get<std::string>() : value->dump();
    }
  }).join();
  return outcome;
}

// Kept for the process's life (never destroyed, still reachable for the
// leak checker): the engine may read a cache until JS_ShutDown.
const std::vector<uint8_t>& Kept(std::vector<uint8_t> bytes) {
  static auto* kept = new std::deque<std::vector<uint8_t>>();
  return kept->emplace_back(std::move(bytes));
}

TEST(SelfHostedCache, TaggedWithTheBuildIdOfTheLoadedEngine) {
  ASSERT_TRUE(EngineHasBuildId());
  JS::BuildIdCharVector id;
  ASSERT_TRUE(EngineBuildId(&id));
  std::string tag(id.begin(), id.end());
  EXPECT_EQ(tag.rfind("sluice-mozjs-", 0), 0u) << tag;
  EXPECT_GT(tag.size(), std::string("sluice-mozjs-").size() + 16) << tag;
  JS::SelfHostedCache cache = EmbeddedSelfHostedCache();
  ASSERT_GT(cache.size(), 1000u);
  std::string head(reinterpret_cast<const char*>(cache.data()),
                   std::min<size_t>(cache.size(), 256));
  EXPECT_NE(head.find(tag), std::string::npos) << "the embedded cache is not tagged with " << tag;
}

TEST(SelfHostedCache, RuntimeStartsFromTheEmbeddedCache) {
  Outcome outcome = StartOnThread();
  ASSERT_TRUE(outcome.created) << outcome.result;
  EXPECT_TRUE(outcome.from_cache);
  EXPECT_EQ(outcome.result, "2,4,6");
}

TEST(SelfHostedCache, WithoutCacheTheEngineCompilesTheCode) {
  Outcome outcome = StartOnThread(JS::SelfHostedCache());
  ASSERT_TRUE(outcome.created) << outcome.result;
  EXPECT_FALSE(outcome.from_cache);
  EXPECT_EQ(outcome.result, "2,4,6");
}

TEST(SelfHostedCache, CacheOfAnotherEngineIsIgnored) {
  JS::SelfHostedCache embedded = EmbeddedSelfHostedCache();
  std::vector<uint8_t> bytes(embedded.begin(), embedded.end());
  JS::BuildIdCharVector id;
  ASSERT_TRUE(EngineBuildId(&id));
  std::string tag(id.begin(), id.end());
  std::string head(bytes.begin(), bytes.begin() + std::min<size_t>(bytes.size(), 256));
  size_t at = head.find(tag);
  ASSERT_NE(at, std::string::npos);
  bytes[at + tag.size() - 1] ^= 1;  // another build of libmozjs
  const auto& stale = Kept(std::move(bytes));
  Outcome outcome = StartOnThread(JS::SelfHostedCache(stale.data(), stale.size()));
  ASSERT_TRUE(outcome.created) << outcome.result;
  EXPECT_FALSE(outcome.from_cache);
  EXPECT_EQ(outcome.result, "2,4,6");
}

TEST(SelfHostedCache, TruncatedCacheIsIgnored) {
  JS::SelfHostedCache embedded = EmbeddedSelfHostedCache();
  for (size_t keep : {size_t{7}, size_t{64}, embedded.size() / 2, embedded.size() - 1}) {
    const auto& cut = Kept(std::vector<uint8_t>(embedded.begin(), embedded.begin() + keep));
    Outcome outcome = StartOnThread(JS::SelfHostedCache(cut.data(), cut.size()));
    ASSERT_TRUE(outcome.created) << "kept " << keep << " bytes: " << outcome.result;
    EXPECT_FALSE(outcome.from_cache) << "kept " << keep << " bytes";
    EXPECT_EQ(outcome.result, "2,4,6") << "kept " << keep << " bytes";
  }
}

}  // namespace
}  // namespace sluice::js
