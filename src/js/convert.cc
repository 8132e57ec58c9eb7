#include "js/convert.h"

#include <js/Array.h>
#include <js/Proxy.h>
#include <js/BigInt.h>
#include <js/Date.h>
#include <js/Object.h>
#include <js/Promise.h>
#include <js/Symbol.h>
#include <jsfriendapi.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "core/time_util.h"
#include "core/utf8.h"

namespace sluice::js {

namespace {

// Eight bytes at a time: rows are mostly ASCII, and ASCII needs no
// transcoding in either direction.
bool IsAscii(const unsigned char* data, size_t size) {
  size_t i = 0;
  for (uint64_t word; i + 8 <= size; i += 8) {
    std::memcpy(&word, data + i, 8);
    if (word & 0x8080808080808080ull) return false;
  }
  for (; i < size; ++i) {
    if (data[i] & 0x80) return false;
  }
  return true;
}

}  // namespace

std::string ToUtf8(JSContext* cx, JS::HandleString string) {
  // Sized from the string, not from a NUL terminator: "a\u0000b" is three
  // characters, and a C string would end it after the first.
  JSLinearString* linear = JS_EnsureLinearString(cx, string);
  if (!linear) {
    JS_ClearPendingException(cx);
    return std::string();
  }
  if (JS::LinearStringHasLatin1Chars(linear)) {
    JS::AutoCheckCannotGC nogc;
    size_t length = JS::GetLinearStringLength(linear);
    const JS::Latin1Char* chars = JS::GetLatin1LinearStringChars(nogc, linear);
    if (IsAscii(chars, length)) return std::string(reinterpret_cast<const char*>(chars), length);
  }
  std::string out(JS::GetDeflatedUTF8StringLength(linear), '\0');
  size_t written = JS::DeflateStringToUTF8Buffer(linear, mozilla::Span<char>(out.data(), out.size()));
  out.resize(written);
  return out;
}

std::string BoundErrorText(std::string text) {
  constexpr size_t kMax = 4096;
  if (text.size() <= kMax) return text;
  size_t keep = kMax;
  while (keep > 0 && IsUtf8Continuation(text[keep])) --keep;
  size_t cut = text.size() - keep;
  text.resize(keep);
  return text + "… (" + std::to_string(cut) + " more bytes cut)";
}

std::string ToDisplayString(JSContext* cx, JS::HandleValue value) {
  JS::RootedString text(cx, JS::ToString(cx, value));
  if (!text) {
    JS_ClearPendingException(cx);
    return "<unprintable value>";
  }
  return ToUtf8(cx, text);
}

JSString* NewString(JSContext* cx, std::string_view utf8) {
  // ASCII is Latin-1 already: a copy, where UTF-8 decoding is a scan and a
  // conversion (a response body of 200 kB takes a fifth of the time).
  if (IsAscii(reinterpret_cast<const unsigned char*>(utf8.data()), utf8.size())) {
    return JS_NewStringCopyN(cx, utf8.data(), utf8.size());
  }
  return JS_NewStringCopyUTF8N(cx, JS::UTF8Chars(utf8.data(), utf8.size()));
}

namespace {

// 2^53: beyond it a double no longer holds every integer exactly.
constexpr int64_t kMaxExactInteger = int64_t{1} << 53;

class ToValueConverter {
 public:
  ToValueConverter(JSContext* cx, bool strict) : cx_(cx), strict_(strict), path_(cx) {}

  Result<Value> Convert(JS::HandleValue value, int depth) {
    if (value.isNullOrUndefined()) return Value();
    if (value.isBoolean()) return Value(value.toBoolean());
    if (value.isInt32()) return Value(static_cast<int64_t>(value.toInt32()));
    if (value.isDouble()) return Number(value.toDouble());
    if (value.isString()) {
      JS::RootedString string(cx_, value.toString());
      return Value(ToUtf8(cx_, string));
    }
    if (value.isBigInt()) {
      // Exact either way, at any depth: a number when a double holds it
      // exactly (|n| <= 2^53, as JSON readers parse numbers into doubles),
      // else its decimal text. The SDK host's JSON columns do the same.
      int64_t small = 0;
      if (JS::BigIntFits(value.toBigInt(), &small) && small >= -kMaxExactInteger &&
          small <= kMaxExactInteger) {
        return Value(small);
      }
      return Value(ToDisplayString(cx_, value));
    }
    if (value.isSymbol()) {
      if (strict_ && depth == 0) return Refuse("a symbol");
      return Value();
    }
    JS::RootedObject object(cx_, &value.toObject());
    if (JS::IsCallable(object)) {
      // Inside, a function is left out as JSON.stringify does; at the top
      // nothing would be left.
      if (strict_ && depth == 0) return Refuse("a function");
      return Value();
    }
    if (depth >= kMaxDepth) {
      return Status(ErrorKind::kType, "value nested deeper than " + std::to_string(kMaxDepth) + " levels");
    }
    for (JSObject* seen : path_) {
      if (seen == object) return Status(ErrorKind::kType, "value contains a cycle");
    }
    bool is_date = false;
    if (!JS::ObjectIsDate(cx_, object, &is_date)) return Pending();
    if (is_date) return Date(object);
    if (strict_) {
      std::string what;
      if (!Unfaithful(object, what)) return Pending();
      if (!what.empty()) return Refuse(what);
    }
    if (!path_.append(object)) return Pending();
    Result<Value> result = ConvertObject(object, depth);
    path_.popBack();
    return result;
  }

 private:
  Status Pending() {
    JS::RootedValue exception(cx_);
    std::string detail = "a JavaScript error";
    if (JS_GetPendingException(cx_, &exception)) {
      detail = BoundErrorText(ToDisplayString(cx_, exception));
    }
    JS_ClearPendingException(cx_);
    return Status(ErrorKind::kType, "cannot convert value: " + detail);
  }

  // What `object` is when JSON has no faithful form for it, else "": a Map
  // or Set (JSON.stringify gives {}), a generator or any other iterator or
  // iterable that is not an array (its items are not its properties), a
  // promise not awaited, an Error (its message is not enumerable), a
  // RegExp, a buffer, a weak collection, a boxed primitive. False, with an
  // exception pending, if looking fails.
  bool Unfaithful(JS::HandleObject object, std::string& what) {
    ::js::ESClass cls;
    if (!JS::GetBuiltinClass(cx_, object, &cls)) return false;
    JS::RootedValue tag(cx_);
    if (!GetSymbolProperty(object, JS::SymbolCode::toStringTag, &tag)) return false;
    std::string name;
    if (tag.isString()) {
      JS::RootedString text(cx_, tag.toString());
      name = ToUtf8(cx_, text);
    }
    auto article = [](const std::string& noun) {
      return (std::strchr("AEIOaeio", noun.empty() ? 'x' : noun[0]) ? "an " : "a ") + noun;
    };
    if (::js::IsScriptedProxy(object)) {  // it has no class of its own: an array's proxy is an array
      bool is_array = false;
      if (!JS::IsArray(cx_, object, &is_array)) return false;
      if (is_array) return true;
    }
    switch (cls) {
      case ::js::ESClass::Array:
        return true;
      case ::js::ESClass::Object:
      case ::js::ESClass::Other:
        break;
      case ::js::ESClass::Error:
        what = "an Error (" + BoundErrorText(ToDisplayString(cx_, JS::RootedValue(cx_, JS::ObjectValue(*object)))) +
               "; throw it to fail)";
        return true;
      case ::js::ESClass::Promise:
        what = "a Promise (not awaited)";
        return true;
      case ::js::ESClass::Number:
      case ::js::ESClass::String:
      case ::js::ESClass::Boolean:
      case ::js::ESClass::BigInt:
        what = "a boxed primitive (new Number/String/Boolean)";
        return true;
      case ::js::ESClass::RegExp:
        what = "a RegExp";
        return true;
      case ::js::ESClass::Arguments:
        what = "an arguments object";
        return true;
      default:  // buffers, Map and Set and their iterators: each has a tag
        what = article(name.empty() ? "built-in object" : name);
        return true;
    }
    if (name == "Generator") {
      what = "a generator (from a function*)";
      return true;
    }
    if (name == "AsyncGenerator") {
      what = "an async generator (from an async function*)";
      return true;
    }
    for (JS::SymbolCode code : {JS::SymbolCode::asyncIterator, JS::SymbolCode::iterator}) {
      JS::RootedValue method(cx_);
      if (!GetSymbolProperty(object, code, &method)) return false;
      if (method.isObject() && JS::IsCallable(&method.toObject())) {
        what = article(name.empty() ? (code == JS::SymbolCode::iterator ? "iterable object" : "async iterable object")
                                    : name);
        return true;
      }
    }
    if (name == "WeakMap" || name == "WeakSet" || name == "WeakRef") what = "a " + name;
    return true;
  }

  bool GetSymbolProperty(JS::HandleObject object, JS::SymbolCode code, JS::MutableHandleValue out) {
    JS::RootedId id(cx_, JS::PropertyKey::Symbol(JS::GetWellKnownSymbol(cx_, code)));
    return JS_GetPropertyById(cx_, object, id, out);
  }

  Status Refuse(const std::string& what) {
    std::string where;
    for (const std::string& key : keys_) where += key;
    return Status(ErrorKind::kType, (where.empty() ? "it is " : "its " + where + " is ") + what +
                                        ", which has no JSON form");
  }

  static Value Number(double d) {
    // 2^53: beyond it a double no longer holds every integer exactly.
    if (std::isfinite(d) && std::trunc(d) == d && std::fabs(d) <= 9007199254740992.0 &&
        !(d == 0 && std::signbit(d))) {
      return Value(static_cast<int64_t>(d));
    }
    if (!std::isfinite(d)) return Value();  // as JSON.stringify: NaN, ±Infinity → null
    return Value(d);
  }

  Result<Value> Date(JS::HandleObject object) {
    double ms = 0;
    if (!::js::DateGetMsecSinceEpoch(cx_, object, &ms)) return Pending();
    // An Invalid Date is kept as the text JavaScript shows for it, so a
    // timestamp field refuses it by name rather than storing NULL.
    if (!std::isfinite(ms)) return Value("Invalid Date");
    return Value(FormatTimestamp(static_cast<int64_t>(std::llround(ms * 1000.0))));
  }

  Result<Value> ConvertObject(JS::HandleObject object, int depth) {
    bool is_array = false;
    if (!JS::IsArray(cx_, object, &is_array)) return Pending();  // a Proxy of an array is one
    JS::RootedValue element(cx_);
    if (is_array) {
      uint32_t length = 0;
      if (!JS::GetArrayLength(cx_, object, &length)) return Pending();
      Value array = Value::array();
      array.get_ref<Value::array_t&>().reserve(length);
      for (uint32_t i = 0; i < length; ++i) {
        if (!JS_GetElement(cx_, object, i, &element)) return Pending();
        if (strict_) keys_.push_back("[" + std::to_string(i) + "]");
        Result<Value> converted = Convert(element, depth + 1);
        if (strict_) keys_.pop_back();
        ASSIGN_OR_RETURN(Value item, std::move(converted));
        array.push_back(std::move(item));
      }
      return array;
    }
    JS::RootedIdVector ids(cx_);
    if (!::js::GetPropertyKeys(cx_, object, JSITER_OWNONLY, &ids)) return Pending();
    Value out = Value::object();
    JS::RootedId id(cx_);
    for (size_t i = 0; i < ids.length(); ++i) {
      id = ids[i];
      if (id.isSymbol()) continue;
      if (!JS_GetPropertyById(cx_, object, id, &element)) return Pending();
      if (element.isUndefined() || (element.isObject() && JS::IsCallable(&element.toObject()))) continue;
      JS::RootedValue key_value(cx_);
      if (!JS_IdToValue(cx_, id, &key_value)) return Pending();
      std::string key = id.isString() ? ToUtf8(cx_, JS::RootedString(cx_, id.toString()))
                                      : ToDisplayString(cx_, key_value);
      if (strict_) keys_.push_back("." + key);
      Result<Value> converted = Convert(element, depth + 1);
      if (strict_) keys_.pop_back();
      ASSIGN_OR_RETURN(Value item, std::move(converted));
      // Own keys are unique: append, without operator[]'s search.
      out.get_ref<Value::object_t&>().emplace_back(std::move(key), std::move(item));
    }
    return out;
  }

  JSContext* cx_;
  const bool strict_;
  JS::RootedVector<JSObject*> path_;  // objects being converted, for cycles
  std::vector<std::string> keys_;     // strict only: where the value being converted is
};

}  // namespace

Result<Value> ToValue(JSContext* cx, JS::HandleValue value) {
  return ToValueConverter(cx, false).Convert(value, 0);
}

Result<Value> ToJsonValue(JSContext* cx, JS::HandleValue value) {
  return ToValueConverter(cx, true).Convert(value, 0);
}

bool FromValue(JSContext* cx, const Value& value, JS::MutableHandleValue out) {
  switch (value.type()) {
    case Value::value_t::null:
    case Value::value_t::discarded:
      out.setNull();
      return true;
    case Value::value_t::boolean:
      out.setBoolean(value.get<bool>());
      return true;
    case Value::value_t::number_integer:
      out.setNumber(static_cast<double>(value.get<int64_t>()));
      return true;
    case Value::value_t::number_unsigned:
      out.setNumber(static_cast<double>(value.get<uint64_t>()));
      return true;
    case Value::value_t::number_float:
      out.setNumber(value.get<double>());
      return true;
    case Value::value_t::string: {
      JSString* string = NewString(cx, value.get_ref<const std::string&>());
      if (!string) return false;
      out.setString(string);
      return true;
    }
    case Value::value_t::array: {
      JS::RootedObject array(cx, JS::NewArrayObject(cx, value.size()));
      if (!array) return false;
      JS::RootedValue element(cx);
      for (size_t i = 0; i < value.size(); ++i) {
        if (!FromValue(cx, value[i], &element)) return false;
        if (!JS_DefineElement(cx, array, static_cast<uint32_t>(i), element, JSPROP_ENUMERATE)) return false;
      }
      out.setObject(*array);
      return true;
    }
    case Value::value_t::object: {
      JS::RootedObject object(cx, JS_NewPlainObject(cx));
      if (!object) return false;
      JS::RootedValue element(cx);
      JS::RootedString key(cx);
      JS::RootedId id(cx);
      for (const auto& [name, item] : value.items()) {
        key = NewString(cx, name);
        if (!key || !JS_StringToId(cx, key, &id)) return false;
        if (!FromValue(cx, item, &element)) return false;
        if (!JS_DefinePropertyById(cx, object, id, element, JSPROP_ENUMERATE)) return false;
      }
      out.setObject(*object);
      return true;
    }
    case Value::value_t::binary:
      out.setNull();
      return true;
  }
  out.setNull();
  return true;
}

}  // namespace sluice::js
