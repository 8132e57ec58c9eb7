// A realm for fuzz targets that run JavaScript, its HTTP answered from a
// MOCK_API table (so no target ever reaches the network).
//
// A libFuzzer process keeps one runtime for all its inputs (making one per
// input would cost more than the input); a replay in the unit tests lets it
// go with the last realm, since other tests in the same process make their
// own and a thread has only one.
#pragma once

#include <memory>

#include "fuzz_target.h"
#include "js/js_realm.h"
#include "js/js_runtime.h"
#include "net/mock_transport.h"

namespace sluice::fuzz {

struct JsHarness {
  std::shared_ptr<js::JsRuntime> runtime;
  std::unique_ptr<js::JsRealm> realm;
  std::vector<std::string> console;

  explicit JsHarness(std::shared_ptr<MockApi> api) {
    auto shared = js::JsRuntime::Shared();
    SLUICE_FUZZ_CHECK(shared.ok(), "no JavaScript runtime: " + shared.status().ToString());
    runtime = *shared;
#ifdef SLUICE_FUZZER_MAIN
    static std::shared_ptr<js::JsRuntime> kept = runtime;
#endif
    js::RealmOptions options;
    options.transport = std::make_unique<MockTransport>(std::move(api));
    options.console = [this](std::string_view level, std::string_view text) {
      if (console.size() < 100) console.push_back(std::string(level) + ": " + std::string(text));
    };
    auto created = js::JsRealm::Create(*runtime, std::move(options));
    SLUICE_FUZZ_CHECK(created.ok(), "no realm: " + created.status().ToString());
    realm = std::move(created).value();
  }
  // One input's garbage must not count against the next one's memory limit
  // (the runtime outlives the realm in a fuzzer).
  ~JsHarness() {
    realm.reset();
    JS_GC(runtime->cx());
  }
};

}  // namespace sluice::fuzz
