// Conversion between JavaScript values and engine Values.
//
// JS → Value follows JSON.stringify where it has an answer: undefined and
// functions inside objects are left out (null inside arrays), symbols are
// skipped. Beyond it: a Date becomes an ISO-8601 UTC timestamp string, a
// BigInt an integer within ±2^53 and its decimal text beyond, a number with
// no fraction (within ±2^53) an integer. Cycles and nesting deeper than
// kMaxDepth are errors, not crashes.
//
// Precondition: the caller has entered the realm of the values.
// Thread-safety: the JSContext's thread only.
#pragma once

#include <jsapi.h>

#include <string>

#include "core/status.h"
#include "core/value.h"

namespace sluice::js {

constexpr int kMaxDepth = 200;

Result<Value> ToValue(JSContext* cx, JS::HandleValue value);
// ToValue for a value that stands alone as one JSON value (an action's
// result, what an integration's host returns), which must come through
// whole: a Map, Set, generator or other iterator, an unawaited promise, an
// Error, and a function or symbol at the top, are refused, naming what and
// where, rather than read as {} or NULL. (Rows keep ToValue: a row's
// members are checked against its FIELDS.)
Result<Value> ToJsonValue(JSContext* cx, JS::HandleValue value);
bool FromValue(JSContext* cx, const Value& value, JS::MutableHandleValue out);

// A JS string as UTF-8; "" (and a pending exception) on failure.
std::string ToUtf8(JSContext* cx, JS::HandleString string);
// Any JS value as text, as String(value) would give it.
std::string ToDisplayString(JSContext* cx, JS::HandleValue value);
JSString* NewString(JSContext* cx, std::string_view utf8);

// Text from a JavaScript error (a message, a thrown value, a stack) as it
// goes into our errors: cut to its first 4 KiB, at a character boundary,
// saying how many bytes went. A handler may throw a whole response body, and
// errors are printed and kept in run records.
std::string BoundErrorText(std::string text);

// The one way a thrown JavaScript error becomes an engine error, whether a
// handler threw it into the engine or a table integration's host caught it
// and sent it on as data ({name, message, stack}): the connector error
// classes and fetch failures keep their kinds (TRY … CATCH auth_error), and
// the text is "Name: message" with the stack's frames as "at fn (file:l:c)".
Status StatusFromJsError(const std::string& name, const std::string& message, const std::string& stack);

}  // namespace sluice::js
