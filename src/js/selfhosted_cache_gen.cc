// Build tool: writes the compiled self-hosted code of the libmozjs it runs
// with to the file named by its argument (selfhosted_cache.h says why).
// The file is empty when the library carries no build id to tag it with.
#include <js/Initialization.h>
#include <jsapi.h>
#include <jsfriendapi.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "js/selfhosted_cache.h"

namespace {

std::string* written = nullptr;

bool Keep(JSContext*, JS::SelfHostedCache cache) {
  written->assign(reinterpret_cast<const char*>(cache.data()), cache.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUTPUT\n", argv[0]);
    return 2;
  }
  std::string cache;
  written = &cache;
  if (sluice::js::EngineHasBuildId()) {
    // The same steps as JsRuntime::Create, so the engine's settings match.
    JS::SetProcessBuildIdOp(sluice::js::EngineBuildId);
    if (!JS_Init()) {
      std::fprintf(stderr, "%s: JS_Init failed\n", argv[0]);
      return 1;
    }
    JSContext* cx = JS_NewContext(64u << 20);
    if (!cx || !::js::UseInternalJobQueues(cx) ||
        !JS::InitSelfHostedCode(cx, JS::SelfHostedCache(), Keep)) {
      std::fprintf(stderr, "%s: cannot compile the self-hosted code\n", argv[0]);
      return 1;
    }
    JS_DestroyContext(cx);
    JS_ShutDown();
  }
  std::ofstream out(argv[1], std::ios::binary | std::ios::trunc);
  out.write(cache.data(), static_cast<std::streamsize>(cache.size()));
  out.close();
  if (!out) {
    std::fprintf(stderr, "%s: cannot write %s\n", argv[0], argv[1]);
    return 1;
  }
  return 0;
}
