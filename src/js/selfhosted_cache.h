// The compiled form of SpiderMonkey's self-hosted code (the built-ins it
// writes in JavaScript: Array.prototype.map, Promise, Intl glue…), made at
// build time by selfhosted_cache_gen.cc and embedded in the binary
// (selfhosted_cache_blob.cc), so that a new context decodes it instead of
// parsing and compiling it again: about 8 ms of CPU per process that runs a
// handler (docs/architecture.md, "Start-up").
//
// The cache is tagged with the build id of the libmozjs it came from
// (EngineBuildId); after an update of libmozjs the engine sees a different
// tag, ignores the cache and compiles the code as before.
#pragma once

#include <js/AllocPolicy.h>
#include <js/BuildId.h>
#include <js/Initialization.h>
#include <jsapi.h>

#include <optional>

namespace sluice::js {

// JS::InitSelfHostedCode for a new context on this thread, from the
// embedded cache (or the one SetSelfHostedCacheForTesting gave).
bool InitSelfHostedCodeFromCache(JSContext* cx);
// True when the newest context InitSelfHostedCodeFromCache set up on this
// thread decoded the cache, false when the engine compiled the code.
bool SelfHostedFromCache();
// For tests of a stale or damaged cache: the cache the next contexts of
// this thread start from (nullopt: the embedded one again). It must outlive
// JS_ShutDown.
void SetSelfHostedCacheForTesting(std::optional<JS::SelfHostedCache> cache);

// The embedded cache; empty when none was built.
JS::SelfHostedCache EmbeddedSelfHostedCache();

// The BuildIdOp for JS::SetProcessBuildIdOp: the GNU build id of the loaded
// libmozjs, so a cache never meets an engine it was not made by. When the
// library has none, a tag no cache carries (the generator writes none then).
bool EngineBuildId(JS::BuildIdCharVector* build_id);
// True when EngineBuildId() found the library's build id.
bool EngineHasBuildId();

}  // namespace sluice::js
