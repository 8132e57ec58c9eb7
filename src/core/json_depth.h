// How deeply JSON text nests, found without parsing it.
//
// Thread-safety: a pure function.
#pragma once

#include <string_view>

namespace sluice {

// The deepest nesting of [ and { in JSON text, outside strings: one linear
// pass, run on hostile text before a recursive parser could exhaust the
// stack on it. Stray closing brackets never lower it below zero.
int JsonTextDepth(std::string_view text);

}  // namespace sluice
