// Fuzz target "response_body": arbitrary bytes as an API's response body,
// read by a handler with response.json(), text(), arrayBuffer() and
// TextDecoder (prelude.js on the natives). Input: the body.
//
// Properties, checked against oracles outside JavaScript: all bytes arrive;
// json() succeeds exactly when JSON.parse(text()) does, and otherwise
// rejects with a SyntaxError; a fatal TextDecoder accepts exactly valid
// UTF-8 (else a TypeError); text() and a TextDecoder agree; valid UTF-8
// (without a BOM) is read back unchanged.
#include <chrono>
#include <string>
#include <string_view>

#include "js_harness.h"

namespace {

bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t n = 0;
    uint32_t cp = 0;
    if ((c >> 5) == 6) {
      n = 1, cp = c & 0x1f;
    } else if ((c >> 4) == 14) {
      n = 2, cp = c & 0x0f;
    } else if ((c >> 3) == 30) {
      n = 3, cp = c & 0x07;
    } else {
      return false;
    }
    if (s.size() - i <= n) return false;
    for (size_t k = 1; k <= n; ++k) {
      unsigned char d = s[i + k];
      if ((d >> 6) != 2) return false;
      cp = (cp << 6) | (d & 0x3f);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000))
      return false;  // overlong
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += n + 1;
  }
  return true;
}

constexpr const char* kReader = R"JS((async () => {
  const out = {};
  const r = await fetch("mock:///body");
  const bytes = new Uint8Array(await r.clone().arrayBuffer());
  out.length = bytes.length;
  out.text = await r.clone().text();
  try { await r.json(); out.json_ok = true; } catch (e) { out.json_ok = false; out.json_error = e.name; }
  try { JSON.parse(out.text); out.parse_ok = true; } catch (e) { out.parse_ok = false; }
  try { new TextDecoder("utf-8", {fatal: true}).decode(bytes); out.fatal_ok = true; }
  catch (e) { out.fatal_ok = false; out.fatal_error = e.name; }
  out.decoders_agree = new TextDecoder().decode(bytes) === out.text;
  return out;
})())JS";

}  // namespace

SLUICE_FUZZ_TARGET("response_body") {
  using namespace std::chrono_literals;
  std::string body(reinterpret_cast<const char*>(data), size);
  // The body goes in as the table's text, byte for byte.
  sluice::Value spec = sluice::Value::object();
  spec["GET /body"] = {{"status", 200}, {"body", body}};
  auto api = sluice::MockApi::FromSpec(spec);
  SLUICE_FUZZ_CHECK(api.ok(), "the table is refused: " + api.status().ToString());
  sluice::fuzz::JsHarness js(*api);

  auto result = js.realm->Evaluate(kReader, 2000ms);
  SLUICE_FUZZ_CHECK(result.ok(), "reading the body failed: " + result.status().ToString());
  const sluice::Value& out = *result;
  auto dump = out.dump(-1, ' ', false, sluice::Value::error_handler_t::replace);
  SLUICE_FUZZ_CHECK(out["length"] == size, "bytes lost: " + dump);
  SLUICE_FUZZ_CHECK(out["json_ok"] == out["parse_ok"],
                    "json() and JSON.parse(text()) disagree: " + dump);
  if (out["json_ok"] == false)
    SLUICE_FUZZ_CHECK(out["json_error"] == "SyntaxError", "json() failed oddly: " + dump);
  bool valid = ValidUtf8(body);
  SLUICE_FUZZ_CHECK(out["fatal_ok"] == valid, std::string("a fatal TextDecoder ") +
                                                  (valid ? "refuses valid" : "accepts invalid") +
                                                  " UTF-8: " + dump);
  if (!valid)
    SLUICE_FUZZ_CHECK(out["fatal_error"] == "TypeError",
                      "a fatal TextDecoder failed oddly: " + dump);
  SLUICE_FUZZ_CHECK(out["decoders_agree"] == true, "text() and TextDecoder disagree: " + dump);
  if (valid && !body.starts_with("\xEF\xBB\xBF")) {
    SLUICE_FUZZ_CHECK(out["text"] == body, "valid UTF-8 read back changed: " + dump);
  }
}
