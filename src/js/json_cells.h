// Rows read straight from a response body that simdjson parsed, converted
// to exactly the Values the JavaScript path makes of the same text: what
// ToValue / ProjectRow (natives.cc) produce from the object JSON.parse
// builds. The native row path (response.json() whose row arrays are never
// turned into JavaScript objects) depends on that equality: a handler's
// rows must not change with the path they took.
//
// What "exactly" covers, since JSON.parse and a JSON document differ:
// - numbers: JSON.parse makes a double of every number, so 1.0 and 1 are
//   the same integer, 1e400 is Infinity (null in a Value), -0 stays a
//   double, and an integer past 2^53 is rounded; ToValue's Number() rule
//   then applies (convert.cc);
// - keys: a JavaScript object lists array-index keys ("0" … "4294967294",
//   canonical form) first in ascending order, then the others in the order
//   first seen; a repeated key keeps its first place and its last value;
// - objects and arrays inside a projected row are their JSON.stringify
//   text (JS number formatting, JSON.stringify's escapes), as a binary
//   Value, as JsonCell makes them.
//
// What simdjson cannot say: bodies it refuses (an integer past 64 bits, a
// number past the double range, invalid UTF-8) and the bodies
// JsonTextNeedsJsPath finds (an integer "-0", which simdjson reads as 0; a
// \u escape of half a surrogate pair, which simdjson 3.0.1 turns into
// wrong UTF-8) go to the JavaScript path whole and never reach the
// functions below. Nesting is bounded by the simdjson parser's max_depth,
// which must stay at its default (1024, tested): the JavaScript path
// stringifies that deep, and these functions recurse that deep. Whole rows
// deeper than kMaxDepth fail as ToValue does.
//
// Thread-safety: pure functions; their scratch space (reused across rows,
// so a row allocates only its Values) is per thread.
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/value.h"

namespace sluice::js {

// ToValue(JSON.parse(text of `row`)): the whole row, nested objects and
// arrays as Values. Fails only where ToValue fails (nesting deeper than
// its limit), with the same message. `depth` is where the row sits in what
// ToValue converts: 0 for a row on its own, 1 for an element of a yielded
// array (SinkWhole converts the array whole, so its rows start one deeper).
Result<Value> JsonWholeRow(simdjson::dom::element row, int depth = 0);

// ProjectRow's result for a row object: `fields` only, in that order, a
// field the row lacks left out (but for the names Object.prototype has,
// which ProjectRow reads from it: "__proto__" is {}, its methods null);
// strings, numbers, booleans and null as Values, objects and arrays as
// their JSON.stringify text in a binary Value. (ProjectRow converts a row
// that is not an object with ToValue: JsonWholeRow.)
Result<Value> JsonProjectedRow(simdjson::dom::object row, const std::vector<std::string>& fields);

// JSON.stringify(JSON.parse(text of `value`)).
std::string JsonStringifyLikeJs(simdjson::dom::element value);

// True when `text` (a response body) may hold what simdjson's document
// cannot tell apart from a different JSON.parse result: an integer token
// "-0", or a \u escape of a lone surrogate. Conservative: the same
// characters inside a string may answer true (the JavaScript path is then
// only slower). One pass, eight bytes at a time.
bool JsonTextNeedsJsPath(std::string_view text);

// Number.prototype.toString() of a finite double: the shortest digits that
// read back to it, in JavaScript's choice of plain or exponent notation
// (1e21, 1.5e-7, 0.000001, 123456789012345680000).
std::string FormatNumberLikeJs(double value);

}  // namespace sluice::js
