// The natives prelude.js builds the web APIs on (NATIVE_CONTRACT.md).
// Not a public header.
#pragma once

#include <jsapi.h>

#include "core/status.h"

namespace sluice::js {

// Defines `__native` on the global (the prelude takes it and deletes it).
Status DefineNatives(JSContext* cx, JS::HandleObject global);
// The function the drain script calls with each result item.
JSObject* NewSinkFunction(JSContext* cx);

}  // namespace sluice::js
