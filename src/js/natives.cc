// The natives under prelude.js (NATIVE_CONTRACT.md). Each validates its
// arguments and throws a TypeError on misuse: they are reachable only from
// the prelude, but a broken prelude must not crash the engine.
#include "js/natives.h"

#include <curl/curl.h>
#include <js/Array.h>
#include <js/ArrayBuffer.h>
#include <js/Date.h>
#include <js/JSON.h>
#include <js/Conversions.h>
#include <js/MemoryFunctions.h>
#include <js/Promise.h>
#include <js/Proxy.h>
#include <js/WeakMap.h>
#include <js/experimental/TypedData.h>
#include <jsfriendapi.h>
#include <sodium.h>

#include <cstdlib>
#include <cstring>
#include <limits>

#include "core/utf8.h"
#include "js/convert.h"
#include "js/json_cells.h"
#include "js/native_json.h"
#include "js/realm_state.h"

namespace sluice::js {
namespace {

using State = JsRealm::State;

bool Throw(JSContext* cx, const char* message) {
  JS_ReportErrorUTF8(cx, "%s", message);
  return false;
}

State* RealmState(JSContext* cx) {
  State* state = State::From(cx);
  if (!state) JS_ReportErrorASCII(cx, "no realm state");
  return state;
}

// Bytes of a Uint8Array / ArrayBuffer / other view; false if not bytes.
bool GetBytes(JSObject* object, std::string& out) {
  uint8_t* data = nullptr;
  size_t length = 0;
  bool shared = false;
  if (JS_IsArrayBufferViewObject(object)) {
    ::js::GetArrayBufferViewLengthAndData(object, &length, &shared, &data);
  } else if (JS::IsArrayBufferObject(object)) {
    JS::GetArrayBufferLengthAndData(object, &length, &shared, &data);
  } else {
    return false;
  }
  out.assign(reinterpret_cast<const char*>(data), length);
  return true;
}

JSObject* NewBytes(JSContext* cx, std::string_view bytes) {
  JS::RootedObject array(cx, JS_NewUint8Array(cx, bytes.size()));
  if (!array) return nullptr;
  if (!bytes.empty()) {
    uint8_t* data = nullptr;
    size_t length = 0;
    bool shared = false;
    ::js::GetArrayBufferViewLengthAndData(array, &length, &shared, &data);
    std::memcpy(data, bytes.data(), bytes.size());
  }
  return array;
}

bool Print(JSContext* cx, unsigned argc, JS::Value* vp) {
  JS::CallArgs args = JS::CallArgsFromVp(argc, vp);
  State* state = RealmState(cx);
  if (!state) return false;
  std::string level = ToDisplayString(cx, args.get(0));
  std::string text = ToDisplayString(cx, args.get(1));
  state->console(level, text);
  args.rval().setUndefined();
  return true;
}

bool SetTimer(JSContext* cx, unsigned argc, JS::Value* vp) {
  JS::CallArgs args = JS::CallArgsFromVp(argc, vp);
  State* state = RealmState(cx);
  if (!state) return false;
  if (!args.get(0).isObject() || !JS::IsCallable(&args.get(0).toObject())) {
    return Throw(cx, "setTimer: callback must be a function");
  }
  double delay = 0;
  if (!JS::ToNumber(cx, args.get(1), &delay)) return false;
  if (!(delay >= 0)) delay = 0;
  delay = std::min(delay, 2147483647.0);  // as browsers clamp
  auto interval = std::chrono::milliseconds(static_cast<int64_t>(delay));
  State::Timer timer;
  timer.due = JsRuntime::Clock::now() + interval;
  if (JS::ToBoolean(args.get(2))) timer.interval = std::max(interval, std::chrono::milliseconds(1));
  timer.callback = std::make_unique<JS::PersistentRootedObject>(cx, &args.get(0).toObject());
  uint64_t id = state->next_timer_id++;
  state->timers.emplace(id, std::move(timer));
  args.rval().setNumber(static_cast<double>(id));
  return true;
}

bool ClearTimer(JSContext* cx, unsigned argc, JS::Value* vp) {
  JS::CallArgs args = JS::CallArgsFromVp(argc, vp);
  State* state = RealmState(cx);
  if (!state) return false;
  double id = 0;
  if (!JS::ToNumber(cx, args.get(0), &id)) return false;
  if (id >= 1) state->timers.erase(static_cast<uint64_t>(id));
  args.rval().setUndefined();
  return true;
}

bool GetProperty(JSContext* cx, JS::HandleObject object, const char* name, JS::MutableHandleValue out) {
  return JS_GetProperty(cx, object, name, out);
}

// [[name, value], …] → HttpHeaders
bool ReadHeaders(JSContext* cx, JS::HandleValue value, HttpHeaders& headers) {
  if (!value.isObject()) return true;
  JS::RootedObject list(cx, &value.toObject());
  uint32_t length = 0;
  if (!JS::GetArrayLength(cx, list, &length)) return false;
  JS::RootedValue pair_value(cx), part(cx);
  for (uint32_t i = 0; i < length; ++i) {
    if (!JS_GetElement(cx, list, i, &pair_value) || !pair_value.isObject()) return false;
    JS::RootedObject pair(cx, &pair_value.toObject());
    if (!JS_GetElement(cx, pair, 0, &part)) return false;
    std::string name = ToDisplayString(cx, part);
    if (!JS_GetElement(cx, pair, 1, &part)) return false;
    headers.emplace_back(std::move(name), ToDisplayString(cx, part));
  }
  return true;
}

JSObject* ResponseObject(JSContext* cx, HttpResponse& response) {
  JS::RootedObject object(cx, JS_NewPlainObject(cx));
  if (!object) return nullptr;
  JS::RootedValue value(cx);
  value.setNumber(static_cast<double>(response.status));
  if (!JS_DefineProperty(cx, object, "status", value, JSPROP_ENUMERATE)) return nullptr;
  Value meta = {{"statusText", response.status_text}, {"url", response.url}, {"redirected", response.redirected}};
  Value headers = Value::array();
  for (auto& [name, header_value] : response.headers) headers.push_back(Value::array({name, header_value}));
  meta["headers"] = std::move(headers);
  for (const auto& [key, item] : meta.items()) {
    if (!FromValue(cx, item, &value) || !JS_DefineProperty(cx, object, key.c_str(), value, JSPROP_ENUMERATE)) {
      return nullptr;
    }
  }
  JS::RootedObject body(cx, NewBytes(cx, response.body));
  if (!body) return nullptr;
  value.setObject(*body);
  if (!JS_DefineProperty(cx, object, "body", value, JSPROP_ENUMERATE)) return nullptr;
  return object;
}

void DeliverFetch(State* state, uint64_t id, Result<HttpResponse> result) {
  JSContext* cx = state->cx;
  auto found = state->fetches.find(id);
  if (found == state->fetches.end()) return;
  JS::RootedValue on_done(cx, JS::ObjectValue(**found->second.on_done));
  state->fetches.erase(found);
  JS::RootedValueArray<2> args(cx);
  if (result.ok()) {
    JSObject* response = ResponseObject(cx, *result);
    if (!response) {
      Status status = state->TakeException("reading a response");
      state->console("error", status.message());
      return;
    }
    args[0].setNull();
    args[1].setObject(*response);
  } else {
    const Status& status = result.status();
    const char* name = status.kind() == ErrorKind::kTimeout         ? "TimeoutError"
                       : status.kind() == ErrorKind::kInvalidArgument ? "AbortError"
                                                                      : "FetchError";
    Value error = {{"name", name}, {"message", status.message()}};
    if (!FromValue(cx, error, args[0])) return;
    args[1].setNull();
  }
  JS::RootedValue ignored(cx);
  if (!JS::Call(cx, JS::UndefinedHandleValue, on_done, args, &ignored)) {
    // A limit that stopped the script is reported by the event loop.
    if (state->runtime->TimedOut() || state->runtime->OutOfMemory()) return;
    Status status = state->TakeException("handling a response");
    state->console("error", "uncaught exception in a fetch callback: " + status.message());
  }
}

bool Fetch(JSContext* cx, unsigned argc, JS::Value* vp) {
  JS::CallArgs args = JS::CallArgsFromVp(argc, vp);
  State* state = RealmState(cx);
  if (!state) return false;
  if (!args.get(0).isObject() || !args.get(1).isObject() || !JS::IsCallable(&args.get(1).toObject())) {
    return Throw(cx, "fetch: expected (request, onDone)");
  }
  JS::RootedObject request_object(cx, &args.get(0).toObject());
  JS::RootedValue value(cx);
  HttpRequest request;
  if (!GetProperty(cx, request_object, "method", &value)) return false;
  request.method = value.isUndefined() ? "GET" : ToDisplayString(cx, value);
  if (!GetProperty(cx, request_object, "url", &value)) return false;
  request.url = ToDisplayString(cx, value);
  if (!GetProperty(cx, request_object, "headers", &value) || !ReadHeaders(cx, value, request.headers)) {
    return JS_IsExceptionPending(cx) ? false : Throw(cx, "fetch: headers must be [[name, value], …]");
  }
  if (!GetProperty(cx, request_object, "body", &value)) return false;
  if (value.isObject() && !GetBytes(&value.toObject(), request.body)) {
    return Throw(cx, "fetch: body must be a Uint8Array");
  }
  if (!GetProperty(cx, request_object, "redirect", &value)) return false;
  request.follow_redirects = value.isUndefined() || ToDisplayString(cx, value) == "follow";
  auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(state->deadline -
                                                                         JsRuntime::Clock::now());
  // A little past the call's own deadline, so the call's clearer "time
  // limit" error wins the race against libcurl's.
  request.timeout = std::max(remaining, std::chrono::milliseconds(1)) + std::chrono::milliseconds(250);
  request.max_body_bytes = state->max_response_bytes;
  uint64_t id = state->next_fetch_id++;
  State::Fetch fetch;
  fetch.on_done = std::make_unique<JS::PersistentRootedObject>(cx, &args.get(1).toObject());
  fetch.transport_id = state->transport->Start(
      std::move(request), [state, id](Result<HttpResponse> result) { DeliverFetch(state, id, std::move(result)); });
  state->fetches.emplace(id, std::move(fetch));
  args.rval().setNumber(static_cast<double>(id));
  return true;
}

bool AbortFetch(JSContext* cx, unsigned argc, JS::Value* vp) {
  JS::CallArgs args = JS::CallArgsFromVp(argc, vp);
  State* state = RealmState(cx);
  if (!state) return false;
  double id = 0;
  if (!JS::ToNumber(cx, args.get(0), &id)) return false;
  auto found = state->fetches.find(static_cast<uint64_t>(id));
  if (found != state->fetches.end()) state->transport->Cancel(found->second.transport_id);
  args.rval().setUndefined();
  return true;
}

bool RandomUuid(JSContext* cx, unsigned argc, JS::Value* vp) {
  JS::CallArgs args = JS::CallArgsFromVp(argc, vp);
  unsigned char bytes[16];
  randombytes_buf(bytes, sizeof bytes);
  bytes[6] = (bytes[6] & 0x0F) | 0x40;  // version 4
  bytes[8] = (bytes[8] & 0x3F) | 0x80;  // RFC 4122 variant
  char text[37];
  static const char kHex[] = "0123456789abcdef";
  size_t out = 0;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) text[out++] = '-';
    text[out++] = kHex[bytes[i] >> 4];
    text[out++] = kHex[bytes[i] & 0xF];
  }
  text[out] = '\0';
  JSString* string = JS_NewStringCopyZ(cx, text);
  if (!string) return false;
  args.rval().setString(string);
  return true;
}

bool Utf8Encode(JSContext* cx, unsigned argc, JS::Value* vp) {
  JS::CallArgs args = JS::CallArgsFromVp(argc, vp);
  std::string text = ToDisplayString(cx, args.get(0));
  JSObject* bytes = NewBytes(cx, text);
  if (!bytes) return false;
  args.rval().setObject(*bytes);
  return true;
}

bool Utf8Decode(JSContext* cx, unsigned argc, JS::Value* vp) {
  JS::CallArgs args = JS::CallArgsFromVp(argc, vp);
  std::string bytes;
  if (!args.get(0).isObject() || !GetBytes(&args.get(0).toObject(), bytes)) {
    return Throw(cx, "utf8Decode: expected bytes");
  }
  bool valid = IsValidUtf8(bytes);
  if (!valid && args.get(2).isString()) {  // a response body, from its URL
    State* state = RealmState(cx);
    if (!state) return false;
    if (state->invalid_utf8_error) {
      std::string url = UrlForErrors(ToDisplayString(cx, args.get(2)));
      return Throw(cx, ("the response body of " + url +
                        " is not valid UTF-8 (connector option invalid_utf8 is \"error\")")
                           .c_str());
    }
    ++state->invalid_utf8_count;
  }
  if (!valid && JS::ToBoolean(args.get(1))) {
    // TextDecoder's fatal mode throws a TypeError.
    JS::RootedString message(cx, JS_NewStringCopyZ(cx, "The encoded data was not valid utf-8"));
    JS::RootedString file(cx, JS_GetEmptyString(cx));
    JS::RootedObject stack(cx);
    JS::RootedValue error(cx);
    if (!message || !JS::CreateError(cx, JSEXN_TYPEERR, stack, file, 0, 0, nullptr, message,
                                     JS::NothingHandleValue, &error)) {
      return false;
    }
    JS_SetPendingException(cx, error);
    return false;
  }
  JSString* string = NewString(cx, valid ? bytes : ReplaceInvalidUtf8(bytes));
  if (!string) return false;
  args.rval().setString(string);
  return true;
}

// WHATWG-shaped parts of a URL, from libcurl's URL parser.
bool ParseUrl(JSContext* cx, unsigned argc, JS::Value* vp) {
  JS::CallArgs args = JS::CallArgsFromVp(argc, vp);
  std::string input = ToDisplayString(cx, args.get(0));
  struct UrlFree {
    void operator()(CURLU* url) const { curl_url_cleanup(url); }
  };
  std::unique_ptr<CURLU, UrlFree> url(curl_url());
  constexpr unsigned kFlags = CURLU_NON_SUPPORT_SCHEME | CURLU_URLENCODE;
  if (!args.get(1).isNullOrUndefined()) {
    std::string base = ToDisplayString(cx, args.get(1));
    if (curl_url_set(url.get(), CURLUPART_URL, base.c_str(), kFlags) != CURLUE_OK) {
      args.rval().setNull();
      return true;
    }
  }
  if (curl_url_set(url.get(), CURLUPART_URL, input.c_str(), kFlags) != CURLUE_OK) {
    args.rval().setNull();
    return true;
  }
  auto part = [&](CURLUPart which, unsigned flags = 0) {
    char* text = nullptr;
    std::string out;
    if (curl_url_get(url.get(), which, &text, flags) == CURLUE_OK && text) out = text;
    curl_free(text);
    return out;
  };
  std::string query = part(CURLUPART_QUERY);
  std::string fragment = part(CURLUPART_FRAGMENT);
  std::string path = part(CURLUPART_PATH);
  Value record = {{"protocol", part(CURLUPART_SCHEME) + ":"},
                  {"username", part(CURLUPART_USER)},
                  {"password", part(CURLUPART_PASSWORD)},
                  {"hostname", part(CURLUPART_HOST)},
                  {"port", part(CURLUPART_PORT)},
                  {"pathname", path.empty() ? "/" : path},
                  {"search", query.empty() ? "" : "?" + query},
                  {"hash", fragment.empty() ? "" : "#" + fragment}};
  return FromValue(cx, record, args.rval());
}

Status SinkWhole(JSContext* cx, JS::HandleValue value, JsRealm::RowStream::Buffer& buffer) {
  ASSIGN_OR_RETURN(Value item, ToValue(cx, value));
  if (item.is_array()) {
    for (Value& row : item) buffer.rows.push_back(std::move(row));
  } else {
    buffer.rows.push_back(std::move(item));
  }
  return Status::Ok();
}

bool IsDateValue(JSContext* cx, JS::HandleValue value) {
  JS::RootedObject object(cx, &value.toObject());
  bool is_date = false;
  if (!JS::ObjectIsDate(cx, object, &is_date)) JS_ClearPendingException(cx);
  return is_date;
}

// A failed JSAPI call while reading rows: its exception becomes the error.
Status ReadFailure(JSContext* cx, const std::string& what) {
  JS::RootedValue exception(cx);
  std::string detail;
  if (JS_GetPendingException(cx, &exception)) {
    detail = ": " + BoundErrorText(ToDisplayString(cx, exception));
  }
  JS_ClearPendingException(cx);
  return Status(ErrorKind::kType, "cannot read " + what + detail);
}

// JSON.stringify's output as UTF-8 (it comes in UTF-16 chunks; a
// surrogate pair may straddle two).
struct JsonText {
  std::string out;
  char16_t high = 0;  // a high surrogate waiting for its pair
};

bool AppendJsonChunk(const char16_t* chars, uint32_t length, void* data) {
  auto& text = *static_cast<JsonText*>(data);
  for (uint32_t i = 0; i < length; ++i) {
    char16_t c = chars[i];
    if (text.high) {
      char16_t high = text.high;
      text.high = 0;
      if (c >= 0xDC00 && c <= 0xDFFF) {
        AppendUtf8(text.out, 0x10000 + ((static_cast<uint32_t>(high) - 0xD800) << 10) + (c - 0xDC00));
        continue;
      }
      AppendUtf8(text.out, 0xFFFD);
    }
    if (c < 0x80) {
      text.out.push_back(static_cast<char>(c));
    } else if (c >= 0xD800 && c <= 0xDBFF) {
      text.high = c;
    } else if (c >= 0xDC00 && c <= 0xDFFF) {
      AppendUtf8(text.out, 0xFFFD);
    } else {
      AppendUtf8(text.out, c);
    }
  }
  return true;
}

// An object or array cell as its JSON text, held as a binary Value: what
// CoerceRow stores for a document or array field, made in one pass by
// SpiderMonkey's JSON.stringify rather than through a Value tree and its
// dump. Nullopt when stringify cannot (a BigInt inside): then ToValue.
std::optional<Value> JsonCell(JSContext* cx, JS::HandleValue property) {
  JS::RootedValue value(cx, property);
  JsonText text;
  if (!JS_Stringify(cx, &value, nullptr, JS::NullHandleValue, AppendJsonChunk, &text)) {
    JS_ClearPendingException(cx);
    return std::nullopt;
  }
  if (text.high) AppendUtf8(text.out, 0xFFFD);
  return Value::binary(std::vector<uint8_t>(text.out.begin(), text.out.end()));
}

// One row, as the projection's properties only.
Status ProjectRow(JSContext* cx, JS::HandleValue value, JsRealm::RowStream::Buffer& buffer) {
  bool plain = value.isObject();
  if (plain) {
    JS::RootedObject object(cx, &value.toObject());
    bool is_array = false, is_date = false;
    if (!JS::IsArray(cx, object, &is_array) || !JS::ObjectIsDate(cx, object, &is_date)) {
      return ReadFailure(cx, "a row");
    }
    plain = !is_array && !is_date && !JS::IsCallable(object);
  }
  if (!plain) {  // not a row object: CoerceRow says what is wrong with it
    ASSIGN_OR_RETURN(Value item, ToValue(cx, value));
    buffer.rows.push_back(std::move(item));
    return Status::Ok();
  }
  JS::RootedObject object(cx, &value.toObject());
  JS::RootedValue property(cx);
  JS::RootedId id(cx);
  Value row = Value::object();
  auto& cells = row.get_ref<Value::object_t&>();
  cells.reserve(buffer.projection.size());
  for (const auto& [name, key] : buffer.projection) {
    id = *key;
    if (!JS_GetPropertyById(cx, object, id, &property)) return ReadFailure(cx, "field " + name);
    if (property.isUndefined()) continue;
    // Scalars directly; objects, arrays, dates and the rest through ToValue.
    if (property.isString()) {
      JS::RootedString text(cx, property.toString());
      cells.emplace_back(name, Value(ToUtf8(cx, text)));
    } else if (property.isInt32()) {
      cells.emplace_back(name, Value(static_cast<int64_t>(property.toInt32())));
    } else if (property.isBoolean()) {
      cells.emplace_back(name, Value(property.toBoolean()));
    } else if (property.isNull()) {
      cells.emplace_back(name, Value());
    } else if (property.isObject() && !IsDateValue(cx, property)) {
      std::optional<Value> json = JsonCell(cx, property);
      if (json) {
        cells.emplace_back(name, std::move(*json));
      } else {
        ASSIGN_OR_RETURN(Value cell, ToValue(cx, property));
        cells.emplace_back(name, std::move(cell));
      }
    } else {
      ASSIGN_OR_RETURN(Value cell, ToValue(cx, property));
      cells.emplace_back(name, std::move(cell));
    }
  }
  buffer.rows.push_back(std::move(row));
  return Status::Ok();
}

Status SinkProjected(JSContext* cx, JS::HandleValue value, JsRealm::RowStream::Buffer& buffer) {
  bool is_array = false;
  if (value.isObject()) {
    JS::RootedObject object(cx, &value.toObject());
    if (!JS::IsArray(cx, object, &is_array)) return ReadFailure(cx, "the rows");
    if (is_array) {
      uint32_t length = 0;
      if (!JS::GetArrayLength(cx, object, &length)) return ReadFailure(cx, "the rows");
      JS::RootedValue element(cx);
      for (uint32_t i = 0; i < length; ++i) {
        if (!JS_GetElement(cx, object, i, &element)) return ReadFailure(cx, "the rows");
        RETURN_IF_ERROR(ProjectRow(cx, element, buffer));
      }
      return Status::Ok();
    }
  }
  return ProjectRow(cx, value, buffer);
}

// ---------------------------------------------------------- native row path
// A row array of a body simdjson parsed (native_json.h), as the private of a
// handle object the prelude's lazy array holds. The handle keeps its page's
// document alive; the GC is told of that memory, so pages a handler is done
// with are collected at the pace they arrive.
struct RowsHandle {
  NativeRowArray array;
  size_t memory = 0;
};

void FinalizeRows(JS::GCContext*, JSObject* object) {
  auto* rows = JS::GetMaybePtrFromReservedSlot<RowsHandle>(object, 0);
  if (!rows) return;
  JS::RemoveAssociatedMemory(object, rows->memory, JS::MemoryUse::Embedding1);
  delete rows;
}

constexpr JSClassOps kRowsOps = {nullptr, nullptr,      nullptr, nullptr, nullptr,
                                 nullptr, FinalizeRows, nullptr, nullptr, nullptr};
constexpr JSClass kRowsClass = {
    "NativeRows", JSCLASS_HAS_RESERVED_SLOTS(1) | JSCLASS_FOREGROUND_FINALIZE,
    &kRowsOps,    nullptr,
    nullptr,      nullptr};

RowsHandle* RowsOfHandle(JSObject* object) {
  if (JS::GetClass(object) != &kRowsClass) return nullptr;
  return JS::GetMaybePtrFromReservedSlot<RowsHandle>(object, 0);
}

JSObject* NewRowsHandle(JSContext* cx, NativeRowArray array, size_t memory) {
  JS::RootedObject object(cx, JS_NewObject(cx, &kRowsClass));
  if (!object) return nullptr;
  auto* rows = new RowsHandle{std::move(array), memory};
  JS::SetReservedSlot(object, 0, JS::PrivateValue(rows));
  JS::AddAssociatedMemory(object, memory, JS::MemoryUse::Embedding1);
  return object;
}

// Once each row array of a document has been converted (or parsed by the
// prelude), the document's parse and text are released. The GC is still
// told of the memory until the handle dies: few JavaScript objects are made
// per page on the native path, and without it the bodies the lazy arrays
// hold pile up to the malloc trigger (1M-row sync: 192 MB peak RSS with the
// accounting dropped here, 89 MB kept, 150 MB on the JavaScript path).
void ReleaseArray(NativeRowArray& array) {
  if (array.converted) return;
  array.converted = true;
  NativeJsonDocument& document = *array.document;
  if (--document.unconverted == 0) {
    ReleaseParser(std::move(document.parser));
    document.text = simdjson::padded_string();
  }
}

// jsonRows(bytes) → null (parse the body in JavaScript), or {rest, rows:
// [[path, handle, count, begin, end], …]} (begin, end: the array's bytes): `rest` is the body's
// text with each row array replaced by null (absent when the body is a row array).
bool JsonRows(JSContext* cx, unsigned argc, JS::Value* vp) {
  JS::CallArgs args = JS::CallArgsFromVp(argc, vp);
  State* state = RealmState(cx);
  if (!state) return false;
  args.rval().setNull();
  if (!state->native_json || !args.get(0).isObject()) return true;
  std::optional<NativeJsonSplit> split;
  {
    JSObject* object = &args.get(0).toObject();
    if (!JS_IsArrayBufferViewObject(object)) return true;
    uint8_t* data = nullptr;
    size_t length = 0;
    bool shared = false;
    JS::AutoCheckCannotGC nogc;
    ::js::GetArrayBufferViewLengthAndData(object, &length, &shared, &data);
    split = SplitRowArrays(std::string_view(reinterpret_cast<const char*>(data), length),
                           state->native_json_min_bytes);
  }
  if (!split) return true;
  JS::RootedObject result(cx, JS_NewPlainObject(cx));
  JS::RootedObject list(cx, JS::NewArrayObject(cx, split->arrays.size()));
  if (!result || !list) return false;
  JS::RootedValue value(cx);
  if (!split->arrays.front().path.empty()) {
    JSString* rest = NewString(cx, split->rest);
    if (!rest) return false;
    value.setString(rest);
    if (!JS_DefineProperty(cx, result, "rest", value, JSPROP_ENUMERATE)) return false;
  }
  // Shared by the document's arrays: each is charged its share.
  size_t memory = split->arrays.front().document->memory_bytes() / split->arrays.size();
  for (size_t i = 0; i < split->arrays.size(); ++i) {
    NativeRowArray& array = split->arrays[i];
    JS::RootedObject path(cx, JS::NewArrayObject(cx, array.path.size()));
    if (!path) return false;
    for (size_t k = 0; k < array.path.size(); ++k) {
      JSString* key = NewString(cx, array.path[k]);
      if (!key) return false;
      value.setString(key);
      if (!JS_SetElement(cx, path, k, value)) return false;
    }
    double count = static_cast<double>(array.count);
    JS::RootedObject handle(cx, NewRowsHandle(cx, std::move(array), memory));
    double begin = static_cast<double>(array.begin), end = static_cast<double>(array.end);
    JS::RootedObject entry(cx, JS::NewArrayObject(cx, 5));
    if (!handle || !entry) return false;
    value.setObject(*path);
    if (!JS_SetElement(cx, entry, 0, value)) return false;
    value.setObject(*handle);
    if (!JS_SetElement(cx, entry, 1, value)) return false;
    value.setNumber(count);
    if (!JS_SetElement(cx, entry, 2, value)) return false;
    value.setNumber(begin);
    if (!JS_SetElement(cx, entry, 3, value)) return false;
    value.setNumber(end);
    if (!JS_SetElement(cx, entry, 4, value)) return false;
    value.setObject(*entry);
    if (!JS_SetElement(cx, list, i, value)) return false;
  }
  value.setObject(*list);
  if (!JS_DefineProperty(cx, result, "rows", value, JSPROP_ENUMERATE)) return false;
  args.rval().setObject(*result);
  return true;
}

// setRowsRegistry(weakMap): the lazy arrays the sink may convert natively.
bool SetRowsRegistry(JSContext* cx, unsigned argc, JS::Value* vp) {
  JS::CallArgs args = JS::CallArgsFromVp(argc, vp);
  State* state = RealmState(cx);
  if (!state) return false;
  if (!args.get(0).isObject() || !JS::IsWeakMapObject(&args.get(0).toObject())) {
    return Throw(cx, "setRowsRegistry: expected a WeakMap");
  }
  state->native_rows.init(cx, &args.get(0).toObject());
  args.rval().setUndefined();
  return true;
}

// The handle behind `value` if it is a lazy row array no handler has
// reached into (the prelude drops it from the registry when one does).
JSObject* NativeRowsOf(JSContext* cx, JS::HandleValue value) {
  if (!value.isObject() || !::js::IsProxy(&value.toObject())) return nullptr;
  State* state = State::From(cx);
  if (!state || !state->native_rows) return nullptr;
  JS::RootedObject key(cx, &value.toObject());
  JS::RootedValue entry(cx);
  if (!JS::GetWeakMapEntry(cx, state->native_rows, key, &entry)) {
    JS_ClearPendingException(cx);
    return nullptr;
  }
  if (!entry.isObject()) return nullptr;
  RowsHandle* rows = RowsOfHandle(&entry.toObject());
  return rows && rows->array.document->parser ? &entry.toObject() : nullptr;
}

// `depth`: of the rows in what ToValue would convert (JsonWholeRow).
Status SinkRows(simdjson::dom::array rows, int depth, JsRealm::RowStream::Buffer& buffer) {
  std::vector<std::string> fields;
  if (buffer.project) {
    fields.reserve(buffer.projection.size());
    for (const auto& field : buffer.projection) fields.push_back(field.first);
  }
  for (simdjson::dom::element row : rows) {
    if (buffer.project) {
      ASSIGN_OR_RETURN(Value cells, JsonProjectedRow(row.get_object().value_unsafe(), fields));
      buffer.rows.push_back(std::move(cells));
    } else {
      ASSIGN_OR_RETURN(Value whole, JsonWholeRow(row, depth));
      buffer.rows.push_back(std::move(whole));
    }
  }
  return Status::Ok();
}

// The rows of a lazy array, converted from the document: what SinkWhole or
// SinkProjected make of the same array once parsed by JSON.parse. Once
// each array of a document has been converted, the document (parse and
// text) is released: an array yielded again then takes the JavaScript
// path (NativeRowsOf no longer finds it), which parses it from the body's
// bytes the lazy array holds.
// `yielded`: the array came as one item (SinkWhole converts it whole, its
// rows one level down), not as a returned array the drain would have
// passed row by row.
Status SinkNativeRows(JSContext* cx, JSObject* handle_object, bool yielded, JsRealm::RowStream::Buffer& buffer) {
  RowsHandle& handle = *RowsOfHandle(handle_object);
  NativeRowArray& array = handle.array;
  if (State* state = State::From(cx)) state->native_rows_converted += array.count;
  RETURN_IF_ERROR(SinkRows(array.rows, yielded ? 1 : 0, buffer));
  ReleaseArray(array);
  return Status::Ok();
}

// releaseRows(handle): the prelude parsed the lazy array's rows with
// JSON.parse (a handler reached into them), so the sink will never read
// them from the document: let it go now rather than when the GC finds the
// handle. Kept, a table integration's resolver reading each page's items
// held 100 MB more than the JavaScript path over a 300k-row sync.
bool ReleaseRows(JSContext*, unsigned argc, JS::Value* vp) {
  JS::CallArgs args = JS::CallArgsFromVp(argc, vp);
  if (args.get(0).isObject()) {
    if (RowsHandle* rows = RowsOfHandle(&args.get(0).toObject())) ReleaseArray(rows->array);
  }
  args.rval().setUndefined();
  return true;
}

bool SinkItem(JSContext* cx, unsigned argc, JS::Value* vp) {
  JS::CallArgs args = JS::CallArgsFromVp(argc, vp);
  JS::Value slot = ::js::GetFunctionNativeReserved(&args.callee(), 0);
  auto* buffer = slot.isUndefined() ? nullptr : static_cast<JsRealm::RowStream::Buffer*>(slot.toPrivate());
  if (!buffer || buffer->stop) {
    args.rval().setBoolean(false);
    return true;
  }
  // The third argument, when there is one, says how the item is offered.
  // kOfferWhole: the drain offers an array a handler returned, taken only
  // if its rows are still native (else undefined, and the drain passes its
  // items one by one). kOfferRow: the integration host offers a row as it
  // is made, taken only by a stream that pushes rows on (else null, and
  // the host keeps it for a page).
  constexpr int32_t kOfferRow = 1, kOfferWhole = 2;
  const int32_t offer = args.get(2).isInt32() ? args.get(2).toInt32() : 0;
  if (offer == kOfferRow && !buffer->consume) {
    args.rval().setNull();
    return true;
  }
  JS::RootedObject native_rows(cx, NativeRowsOf(cx, args.get(0)));
  if (offer == kOfferWhole && !native_rows) {
    args.rval().setUndefined();
    return true;
  }
  Status converted = native_rows      ? SinkNativeRows(cx, native_rows, offer != kOfferWhole, *buffer)
                     : buffer->project ? SinkProjected(cx, args.get(0), *buffer)
                                       : SinkWhole(cx, args.get(0), *buffer);
  if (!converted.ok()) {
    buffer->status = std::move(converted).WithContext("a row the handler produced");
    buffer->stop = true;
    args.rval().setBoolean(false);
    return true;
  }
  if (buffer->consume) {
    Status handed = buffer->HandOn(cx);
    if (!handed.ok()) {
      buffer->status = std::move(handed);
      buffer->stop = true;
      args.rval().setBoolean(false);
      return true;
    }
  }
  // Items an iterator yields wait for the consumer: no next page until the
  // rows already here are taken.
  if (JS::ToBoolean(args.get(1)) && !buffer->rows.empty()) {
    JS::RootedObject waiting(cx, JS::NewPromiseObject(cx, nullptr));
    if (!waiting) return false;
    buffer->waiting = std::make_unique<JS::PersistentRootedObject>(cx, waiting);
    args.rval().setObject(*waiting);
    return true;
  }
  args.rval().setBoolean(true);
  return true;
}

constexpr JSFunctionSpec kNatives[] = {
    JS_FN("print", Print, 2, 0),
    JS_FN("setTimer", SetTimer, 3, 0),
    JS_FN("clearTimer", ClearTimer, 1, 0),
    JS_FN("fetch", Fetch, 2, 0),
    JS_FN("abortFetch", AbortFetch, 1, 0),
    JS_FN("randomUUID", RandomUuid, 0, 0),
    JS_FN("utf8Encode", Utf8Encode, 1, 0),
    JS_FN("utf8Decode", Utf8Decode, 2, 0),
    JS_FN("parseURL", ParseUrl, 2, 0),
    JS_FN("jsonRows", JsonRows, 1, 0),
    JS_FN("setRowsRegistry", SetRowsRegistry, 1, 0),
    JS_FN("releaseRows", ReleaseRows, 1, 0),
    JS_FS_END,
};

}  // namespace

Status DefineNatives(JSContext* cx, JS::HandleObject global) {
  State* state = State::From(cx);
  if (!state) return Status(ErrorKind::kInternal, "cannot define the runtime's natives: no realm state");
  const char* native_json = std::getenv("SLUICE_NATIVE_JSON");
  std::string_view setting = native_json ? native_json : "";
  state->native_json = setting != "0";
  state->native_json_min_bytes = setting == "all" ? 0 : kNativeJsonMinBytes;
  JS::RootedObject natives(cx, JS_NewPlainObject(cx));
  if (!natives || !JS_DefineFunctions(cx, natives, kNatives) ||
      !JS_DefineProperty(cx, natives, "jsonMinBytes",
                         state->native_json ? static_cast<double>(state->native_json_min_bytes)
                                            : std::numeric_limits<double>::infinity(),
                         JSPROP_ENUMERATE) ||
      !JS_DefineProperty(cx, global, "__native", natives, JSPROP_ENUMERATE)) {
    return Status(ErrorKind::kInternal, "cannot define the runtime's natives");
  }
  return Status::Ok();
}

JSObject* NewSinkFunction(JSContext* cx, JsRealm::RowStream::Buffer* buffer) {
  JSFunction* function = ::js::NewFunctionWithReserved(cx, SinkItem, 1, 0, "sink");
  if (!function) return nullptr;
  JSObject* object = JS_GetFunctionObject(function);
  ::js::SetFunctionNativeReserved(object, 0, JS::PrivateValue(buffer));
  return object;
}

void DetachSink(JSObject* sink) { ::js::SetFunctionNativeReserved(sink, 0, JS::UndefinedValue()); }

}  // namespace sluice::js
