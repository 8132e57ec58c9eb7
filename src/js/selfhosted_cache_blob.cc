// The cache selfhosted_cache_gen wrote at build time (its path comes from
// CMakeLists.txt), placed in .rodata by the assembler: the engine reads the
// bytecode in place, and read-only data of the binary outlives JS_ShutDown
// as the engine requires.
#include <cstdint>
#include <optional>

#include "js/selfhosted_cache.h"

#define SLUICE_STR2(x) #x
#define SLUICE_STR(x) SLUICE_STR2(x)
asm(".pushsection .rodata\n"
    ".balign 16\n"
    "sluice_selfhosted_xdr_begin:\n"
    ".incbin \"" SLUICE_STR(SLUICE_SELFHOSTED_XDR) "\"\n"
    "sluice_selfhosted_xdr_end:\n"
    ".popsection\n");
extern "C" const uint8_t sluice_selfhosted_xdr_begin[];
extern "C" const uint8_t sluice_selfhosted_xdr_end[];

namespace sluice::js {
namespace {

thread_local bool from_cache = false;
thread_local std::optional<JS::SelfHostedCache> testing_cache;

// The writer: the engine calls it only when it compiled the code, having
// rejected the cache (another libmozjs, damaged bytes).
bool NoteCompiled(JSContext*, JS::SelfHostedCache) {
  from_cache = false;
  return true;
}

}  // namespace

JS::SelfHostedCache EmbeddedSelfHostedCache() {
  // An empty file (no build id to tag it with) makes an empty cache.
  if (!EngineHasBuildId()) return JS::SelfHostedCache();
  return JS::SelfHostedCache(
      sluice_selfhosted_xdr_begin,
      static_cast<size_t>(sluice_selfhosted_xdr_end - sluice_selfhosted_xdr_begin));
}

bool InitSelfHostedCodeFromCache(JSContext* cx) {
  JS::SelfHostedCache cache = testing_cache.value_or(EmbeddedSelfHostedCache());
  from_cache = !cache.empty();
  // No writer without a cache: encoding what it compiled would cost time
  // for nothing.
  return JS::InitSelfHostedCode(cx, cache, cache.empty() ? nullptr : &NoteCompiled);
}

bool SelfHostedFromCache() { return from_cache; }

void SetSelfHostedCacheForTesting(std::optional<JS::SelfHostedCache> cache) {
  testing_cache = cache;
}

}  // namespace sluice::js
