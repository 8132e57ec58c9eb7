// The natives prelude.js builds the web APIs on (NATIVE_CONTRACT.md).
// Not a public header.
#pragma once

#include <jsapi.h>

#include "core/status.h"
#include "js/js_realm.h"

namespace sluice::js {

// Defines `__native` on the global (the prelude takes it and deletes it).
Status DefineNatives(JSContext* cx, JS::HandleObject global);
// The function the drain script calls with each result item, filling
// `buffer` (a yielded array is a page: its rows go in one by one).
JSObject* NewSinkFunction(JSContext* cx, JsRealm::RowStream::Buffer* buffer);
// After this the sink ignores whatever it is called with.
void DetachSink(JSObject* sink);

}  // namespace sluice::js
