// json_cells against the JavaScript path run for real: the same texts
// through JSON.parse in a realm (rows via StartRows, which converts them
// with ToValue or ProjectRow) and through simdjson into json_cells, with
// hand-written edge cases and thousands of seeded random documents.
#include "js/json_cells.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <random>

#include "js/js_realm.h"
#include "net/http.h"
#include "net/no_network.h"

namespace sluice::js {
namespace {

constexpr auto kTimeout = std::chrono::milliseconds(60000);

// A Value as text that tells int from double from binary.
std::string Show(const Value& value) {
  return value.dump(-1, ' ', false, Value::error_handler_t::replace);
}

bool Same(const Value& a, const Value& b) { return a == b && Show(a) == Show(b); }

TEST(FormatNumberLikeJsTest, MatchesNumberToString) {
  const std::pair<double, const char*> cases[] = {
      {0.0, "0"},
      {-0.0, "0"},
      {1, "1"},
      {-1, "-1"},
      {0.1, "0.1"},
      {0.1 + 0.2, "0.30000000000000004"},
      {1.25, "1.25"},
      {12.5, "12.5"},
      {100, "100"},
      {4.35, "4.35"},
      {1e20, "100000000000000000000"},
      {1e21, "1e+21"},
      {123456789012345678901.0, "123456789012345680000"},
      {9007199254740993.0, "9007199254740992"},
      {9007199254740994.0, "9007199254740994"},
      {1e-6, "0.000001"},
      {1e-7, "1e-7"},
      {1.5e-7, "1.5e-7"},
      {0.000123, "0.000123"},
      {123e-20, "1.23e-18"},
      {-1.5e300, "-1.5e+300"},
      {1.2345678901234567e21, "1.2345678901234568e+21"},
      {5e-324, "5e-324"},
      {1.7976931348623157e308, "1.7976931348623157e+308"},
      {2.2250738585072014e-308, "2.2250738585072014e-308"},
      {std::numeric_limits<double>::quiet_NaN(), "NaN"},
      {std::numeric_limits<double>::infinity(), "Infinity"},
      {-std::numeric_limits<double>::infinity(), "-Infinity"},
  };
  for (const auto& [value, expected] : cases) {
    EXPECT_EQ(FormatNumberLikeJs(value), expected) << "for %.17g " << value;
  }
}

TEST(JsonTextNeedsJsPathTest, FindsMinusZeroAndLoneSurrogates) {
  for (const char* text :
       {"-0", " -0 ", "[-0]", "[1,-0]", "{\"a\":-0}", "{\"a\": -0\n}", "\"\\ud800\"", "\"\\udc00\"",
        "\"\\uDBFF x\"", "\"\\ud800\\u0041\"", "\"\\ud83d\\ude00\\ud800\""}) {
    EXPECT_TRUE(JsonTextNeedsJsPath(text)) << text;
  }
  for (const char* text :
       {"0", "[-0.0]", "[-0e0]", "[-01]", "\"2020-01-05\"", "\"a-0b\"", "\"uuid-0abc-0\"",
        "{\"a\":1e-0}", "\"\\ud83d\\ude00\"", "\"\\u00e9\"", "\"\\\\u00e9\"", ""}) {
    EXPECT_FALSE(JsonTextNeedsJsPath(text)) << text;
  }
}

// Every alignment of the patterns against the eight-byte scan, at both
// ends of the text and in the middle.
TEST(JsonTextNeedsJsPathTest, AtEveryOffset) {
  for (size_t pad = 0; pad < 20; ++pad) {
    for (size_t tail = 0; tail < 12; ++tail) {
      std::string before(pad, ' '), after(tail, ' ');
      EXPECT_TRUE(JsonTextNeedsJsPath("[" + before + "-0" + after + "]")) << pad << " " << tail;
      EXPECT_TRUE(JsonTextNeedsJsPath(before + "-0" + after)) << pad << " " << tail;
      EXPECT_TRUE(JsonTextNeedsJsPath("\"" + before + "\\udfff" + after + "\""));
      EXPECT_TRUE(JsonTextNeedsJsPath(before + "\\ud83d" + after));
      EXPECT_FALSE(JsonTextNeedsJsPath("\"" + before + "\\ud83d\\ude00" + after + "\""));
      EXPECT_FALSE(JsonTextNeedsJsPath("[" + before + "-0.5" + after + "]"));
      EXPECT_FALSE(JsonTextNeedsJsPath("\"" + before + "2020-01-01" + after + "\""));
      EXPECT_FALSE(JsonTextNeedsJsPath(before + "\\u0041" + after));
    }
  }
}

// Why the fallback exists: simdjson's document loses the sign of "-0".
TEST(JsonTextNeedsJsPathTest, SimdjsonReadsMinusZeroAsZero) {
  simdjson::dom::parser parser;
  simdjson::dom::element element = parser.parse(std::string_view("[-0]")).value();
  EXPECT_EQ(element.at(0).value().type(), simdjson::dom::element_type::INT64);
  EXPECT_EQ(element.at(0).value().get_int64().value(), 0);
}

class JsonCellsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto runtime = JsRuntime::Create();
    ASSERT_TRUE(runtime.ok()) << runtime.status().ToString();
    runtime_ = std::move(runtime).value();
    RealmOptions options;
    options.transport = std::make_unique<NoNetwork>();
    auto realm = JsRealm::Create(*runtime_, std::move(options));
    ASSERT_TRUE(realm.ok()) << realm.status().ToString();
    realm_ = std::move(realm).value();
    HandlerSource source{
        // Handlers export query() and execute() only.
        "function query(texts, stringify) {\n"
        "  return texts.map(t => stringify ? JSON.stringify(JSON.parse(t)) : JSON.parse(t));\n"
        "}\n",
        "cells.js", 1, 1};
    auto handler = realm_->LoadHandler(source);
    ASSERT_TRUE(handler.ok()) << handler.status().ToString();
    handler_ = *handler;
  }

  void TearDown() override {
    realm_.reset();
    runtime_.reset();
  }

  // The rows the JavaScript path makes of `texts` (each one row object),
  // projected to `fields` when given; one Result per text.
  std::vector<Result<Value>> JsRows(const std::vector<std::string>& texts,
                                    const std::vector<std::string>* fields) {
    Value args = Value::array();
    for (const std::string& text : texts) args.push_back(text);
    std::vector<Result<Value>> out;
    auto stream = realm_->StartRows(handler_, "query", {args, false}, kTimeout, fields);
    if (!stream.ok()) {
      out.push_back(stream.status());
      return out;
    }
    for (;;) {
      Result<std::optional<Value>> row = (*stream)->Next();
      if (!row.ok()) {
        out.push_back(row.status());
        break;
      }
      if (!*row) break;
      out.push_back(std::move(**row));
    }
    return out;
  }

  std::vector<std::string> JsStringify(const std::vector<std::string>& texts) {
    Value args = Value::array();
    for (const std::string& text : texts) args.push_back(text);
    Result<Value> result = realm_->Call(handler_, "query", {args, true}, kTimeout);
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    std::vector<std::string> out;
    if (result.ok()) {
      for (const Value& text : *result) out.push_back(text.get<std::string>());
    }
    return out;
  }

  // Compares all three conversions of each text (row objects) with the
  // JavaScript path's; `fields` for the projection. Texts simdjson refuses
  // or JsonTextNeedsJsPath sends to JavaScript are skipped and counted.
  void Compare(const std::vector<std::string>& all_texts, const std::vector<std::string>& fields) {
    std::vector<std::string> texts;
    for (const std::string& text : all_texts) {
      simdjson::dom::element element;
      if (JsonTextNeedsJsPath(text) || parser_.parse(text).get(element) != simdjson::SUCCESS) {
        ++skipped_;
        continue;
      }
      texts.push_back(text);
    }
    if (texts.empty()) return;
    std::vector<Result<Value>> whole = JsRows(texts, nullptr);
    std::vector<Result<Value>> projected = JsRows(texts, &fields);
    std::vector<std::string> stringified = JsStringify(texts);
    ASSERT_EQ(whole.size(), texts.size());
    ASSERT_EQ(projected.size(), texts.size());
    ASSERT_EQ(stringified.size(), texts.size());
    for (size_t i = 0; i < texts.size(); ++i) {
      const std::string& text = texts[i];
      simdjson::dom::element element = parser_.parse(text).value();
      ++compared_;
      EXPECT_EQ(JsonStringifyLikeJs(element), stringified[i]) << "stringify of " << text;
      Result<Value> mine = JsonWholeRow(element);
      ASSERT_TRUE(whole[i].ok()) << text << ": " << whole[i].status().ToString();
      ASSERT_TRUE(mine.ok()) << text << ": " << mine.status().ToString();
      EXPECT_TRUE(Same(*mine, *whole[i])) << "whole row of " << text << "\n mine: " << Show(*mine)
                                          << "\n   js: " << Show(*whole[i]);
      ASSERT_TRUE(projected[i].ok()) << text << ": " << projected[i].status().ToString();
      Result<Value> mine_projected = JsonProjectedRow(element.get_object().value(), fields);
      ASSERT_TRUE(mine_projected.ok()) << mine_projected.status().ToString();
      EXPECT_TRUE(Same(*mine_projected, *projected[i]))
          << "projection of " << text << "\n mine: " << Show(*mine_projected)
          << "\n   js: " << Show(*projected[i]);
    }
  }

  // ToValue on a value that is not a row object (a scalar, an array): the
  // same comparison through Call, whose result ToJsonValue converts (the
  // same as ToValue for what JSON.parse makes), one level deeper.
  void CompareValues(const std::vector<std::string>& all_texts) {
    std::vector<std::string> texts;
    for (const std::string& text : all_texts) {
      simdjson::dom::element element;
      if (JsonTextNeedsJsPath(text) || parser_.parse(text).get(element) != simdjson::SUCCESS) {
        ++skipped_;
        continue;
      }
      texts.push_back(text);
    }
    if (texts.empty()) return;
    Value args = Value::array();
    for (const std::string& text : texts) args.push_back(text);
    Result<Value> result = realm_->Call(handler_, "query", {args, false}, kTimeout);
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    ASSERT_EQ(result->size(), texts.size());
    std::vector<std::string> stringified = JsStringify(texts);
    ASSERT_EQ(stringified.size(), texts.size());
    for (size_t i = 0; i < texts.size(); ++i) {
      simdjson::dom::element element = parser_.parse(texts[i]).value();
      Result<Value> mine = JsonWholeRow(element);
      ASSERT_TRUE(mine.ok()) << mine.status().ToString();
      EXPECT_TRUE(Same(*mine, (*result)[i]))
          << texts[i] << "\n mine: " << Show(*mine) << "\n   js: " << Show((*result)[i]);
      EXPECT_EQ(JsonStringifyLikeJs(element), stringified[i]) << texts[i];
    }
  }

  std::unique_ptr<JsRuntime> runtime_;
  std::unique_ptr<JsRealm> realm_;
  JsRealm::HandlerId handler_ = 0;
  simdjson::dom::parser parser_;
  int skipped_ = 0;
  int compared_ = 0;
};

TEST_F(JsonCellsTest, NumbersAsJsonParseMakesThem) {
  const char* numbers[] = {"0",
                           "-0.0",
                           "0.0",
                           "1.0",
                           "1",
                           "-1",
                           "1e0",
                           "1E2",
                           "1e+2",
                           "10e-1",
                           "0e5",
                           "-0e5",
                           "2147483647",
                           "2147483648",
                           "-2147483648",
                           "-2147483649",
                           "4294967296",
                           "9007199254740992",
                           "9007199254740993",
                           "-9007199254740993",
                           "9007199254740991.0",
                           "9223372036854775807",
                           "-9223372036854775808",
                           "9223372036854775808",
                           "18446744073709551615",
                           "1e21",
                           "1e20",
                           "1e-7",
                           "1.5e-7",
                           "0.000001",
                           "0.1",
                           "0.30000000000000004",
                           "5e-324",
                           "4e-324",
                           "1e-400",
                           "-1e-400",
                           "1.7976931348623157e308",
                           "123456789012345678901.5",
                           "1.25",
                           "12.5",
                           "4.35",
                           "3.14159265358979323846264338327950288",
                           "100000000000000000000000000000000.0",
                           "0.00000000000000000000000000001",
                           "2.5e-5",
                           "-123.456e3"};
  std::vector<std::string> texts, values;
  for (const char* number : numbers) {
    texts.push_back(std::string("{\"n\":") + number + ",\"a\":[" + number +
                    "],\"o\":{\"x\":" + number + "}}");
    values.push_back(number);
  }
  Compare(texts, {"n", "a", "o", "missing"});
  CompareValues(values);
  EXPECT_EQ(skipped_, 0);
}

TEST_F(JsonCellsTest, StringsAsJsonStringifyWritesThem) {
  const char* strings[] = {"",
                           "plain",
                           "q\\\"uote",
                           "back\\\\slash",
                           "\\/slash",
                           "\\b\\f\\n\\r\\t",
                           "\\u0000\\u0001\\u001f\\u001F",
                           "\\u007f\u007f",
                           "\\u0080",
                           "\u00e9t\u00e9",
                           "\\u00e9",
                           "\u4e2d\u6587",
                           "\U0001F600",
                           "\\ud83d\\ude00",
                           "\\uD83D\\uDE00",
                           "\u2028\u2029",
                           "\\u2028\\u2029",
                           "\\uffff",
                           "\\ufeff\ufeff",
                           "<\\/script>",
                           "a\\u0000b"};
  std::vector<std::string> texts, values;
  for (const char* text : strings) {
    std::string quoted = std::string("\"") + text + "\"";
    texts.push_back("{\"s\":" + quoted + ",\"a\":[" + quoted + "],\"o\":{" + quoted + ":" + quoted +
                    "}," + quoted + ":1}");
    values.push_back(quoted);
  }
  Compare(texts, {"s", "a", "o", "", "\u00e9t\u00e9"});
  CompareValues(values);
  EXPECT_EQ(skipped_, 0);
}

TEST_F(JsonCellsTest, KeysInJavaScriptOrder) {
  std::vector<std::string> texts = {
      R"({"b":1,"a":2,"2":3,"1":4,"0":5})",
      R"({"b":1,"10":2,"9":3,"01":4,"-1":5,"1.5":6,"1e3":7," 1":8})",
      R"({"4294967294":1,"4294967295":2,"4294967293":3,"2147483647":4,"2147483648":5,"0":6})",
      R"({"99999999999":1,"3000000000":2,"x":3,"5":4})",
      R"({"x":1,"4294967295":2,"5":3,"4294967294":4})",
      R"({"a":1,"b":2,"a":3})",
      R"({"a":1,"b":2,"a":3,"b":{"c":1,"c":2},"1":5,"1":6})",
      R"({"a":{"z":1,"1":2,"y":3,"0":4,"z":5},"b":[{"2":1,"1":2}]})",
      R"({"__proto__":1,"constructor":2,"toString":3})",
      R"({"":1,"":2})",
      R"({})",
      R"({"a":[],"b":{},"c":[[]],"d":[{}]})",
  };
  // Large objects take the hashed search for repeated keys.
  for (int size : {17, 33, 70}) {
    for (int repeat : {-1, 0, size / 2, size - 1}) {
      std::string text = "{";
      for (int i = 0; i < size; ++i)
        text += "\"key" + std::to_string(i) + "\":" + std::to_string(i) + ",";
      text += repeat < 0 ? "\"last\":true}" : "\"key" + std::to_string(repeat) + "\":\"again\"}";
      texts.push_back(text);
    }
  }
  Compare(texts, {"a", "b", "0", "1", "2", "4294967294", "4294967295", "01", "__proto__", "x", "",
                  "c", "d", "key0", "key16", "last"});
  EXPECT_EQ(skipped_, 0);
}

TEST_F(JsonCellsTest, ProjectionOfRepeatedAndMissingFields) {
  std::vector<std::string> texts = {R"({"a":1,"b":"x","a":{"k":[1,2]}})", R"({"b":2})", R"({})"};
  Compare(texts, {"b", "a", "a", "nope", "b"});
  Compare(texts, {});
  EXPECT_EQ(skipped_, 0);
}

// A projected field the row lacks is read from Object.prototype by the
// JavaScript path: every name the prototype really has, own values too.
TEST_F(JsonCellsTest, FieldsNamedLikeObjectPrototypeMembers) {
  Result<Value> names = realm_->Evaluate("Object.getOwnPropertyNames(Object.prototype)", kTimeout);
  ASSERT_TRUE(names.ok()) << names.status().ToString();
  std::vector<std::string> fields = {"a", "toSource", "watch"};
  for (const Value& name : *names) fields.push_back(name.get<std::string>());
  ASSERT_GT(fields.size(), 10u);
  Compare({R"({})", R"({"a":1})", R"({"constructor":1,"__proto__":{"x":[1]},"toString":"s"})"},
          fields);
  EXPECT_EQ(skipped_, 0);
}

TEST_F(JsonCellsTest, TheBenchmarkRow) {
  std::vector<std::string> texts;
  for (int i = 1; i <= 30; ++i) {
    char row[512];
    std::snprintf(row, sizeof row,
                  "{\"id\":%d,\"name\":\"name-%d\",\"email\":\"user-%d@example.com\",\"amount\":%g,"
                  "\"active\":%s,\"quantity\":%d,\"created_at\":\"2026-01-01T00:00:%02dZ\","
                  "\"updated_at\":\"2026-01-01T00:00:%02dZ\",\"meta\":{\"tier\":\"%s\",\"tags\":%s,"
                  "\"score\":%d}}",
                  i, i, i, (i * 125 % 1000000) / 100.0, i % 3 ? "true" : "false", i * 7 % 1000, i,
                  i,
                  i % 3 == 0   ? "free"
                  : i % 3 == 1 ? "pro"
                               : "team",
                  i % 2 ? "[\"c\"]" : "[\"a\",\"b\"]", i % 100);
    texts.push_back(row);
  }
  Compare(texts, {"id", "name", "email", "amount", "active", "quantity", "created_at", "updated_at",
                  "meta"});
  Compare(texts, {"meta", "amount", "id"});
  EXPECT_EQ(skipped_, 0);
}

// Nesting: a whole row fails past kMaxDepth with ToValue's message; a
// projected cell is stringified at any depth the parser accepts.
TEST_F(JsonCellsTest, DeepNesting) {
  for (int levels : {1, 198, 199, 200, 201, 500, 1000}) {
    for (const char* open_close : {"{}", "[]"}) {
      std::string text = "{\"a\":";
      for (int i = 0; i < levels; ++i) text += open_close[0] == '{' ? "{\"a\":" : "[";
      text += "1";
      for (int i = 0; i < levels; ++i) text += open_close[1];
      text += "}";
      std::vector<Result<Value>> js = JsRows({text}, nullptr);
      simdjson::dom::element element = parser_.parse(text).value();
      Result<Value> mine = JsonWholeRow(element);
      ASSERT_EQ(js.size(), 1u);
      ASSERT_EQ(mine.ok(), js[0].ok()) << levels << open_close << ": "
                                       << (mine.ok() ? js[0].status() : mine.status()).ToString();
      if (mine.ok()) {
        EXPECT_TRUE(Same(*mine, *js[0])) << levels;
      } else {
        EXPECT_NE(js[0].status().ToString().find(mine.status().message()), std::string::npos)
            << js[0].status().ToString() << " vs " << mine.status().ToString();
        EXPECT_EQ(mine.status().kind(), js[0].status().kind());
      }
      std::vector<std::string> fields = {"a"};
      std::vector<Result<Value>> projected = JsRows({text}, &fields);
      ASSERT_EQ(projected.size(), 1u);
      ASSERT_TRUE(projected[0].ok()) << projected[0].status().ToString();
      Result<Value> mine_projected = JsonProjectedRow(element.get_object().value(), fields);
      ASSERT_TRUE(mine_projected.ok());
      EXPECT_TRUE(Same(*mine_projected, *projected[0])) << levels << open_close;
    }
  }
}

// A cell larger than the scratch space kept between rows (1 MiB), then
// small ones that reuse it, and an object of 100,000 members.
TEST_F(JsonCellsTest, LargeCellsAndObjects) {
  const std::string filler(40, 'x');
  std::string big = "{\"a\":[";
  for (int i = 0; i < 30000; ++i)
    big += (i ? ",\"" : "\"") + std::to_string(i) + "\\n" + filler + "\"";
  big += "],\"b\":{";
  // 30,000 members, ten keys repeated: the hashed search, then the merge.
  for (int i = 0; i < 30000; ++i)
    big += (i ? ",\"k" : "\"k") + std::to_string(i % 29990) + "\":" + std::to_string(i);
  big += "}}";
  ASSERT_GT(big.size(), (1u << 20) + 300000);  // "a" alone is past the 1 MiB kept
  Compare({big, R"({"a":[1,"x"],"b":{"k":{}}})", big, R"({"b":{"1":2,"0":1}})"}, {"b", "a"});
  EXPECT_EQ(skipped_, 0);
}

// Random documents: awkward keys (index-like, repeated, escaped, empty),
// numbers of every shape, strings with escapes, controls and non-ASCII.
class RandomJson {
 public:
  explicit RandomJson(uint64_t seed) : random_(seed) {}

  std::string Row() {
    std::string out;
    Object(out, 0, true);
    return out;
  }

  std::string AnyValue() {
    std::string out;
    Any(out, 0);
    return out;
  }

  static const std::vector<std::string>& KeyPool() {
    static const std::vector<std::string> pool = {
        "id",        "name",   "a",      "b",   "0",          "1",          "2",
        "10",        "01",     "-1",     "1.5", "4294967294", "4294967295", "2147483648",
        "__proto__", "\u00e9", "k\\\"q", "",    " 1",         "1e3",        "\\u0041"};
    return pool;
  }

 private:
  size_t Pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(random_); }
  bool Chance(int percent) { return static_cast<int>(Pick(100)) < percent; }

  void Space(std::string& out) {
    if (Chance(10)) out += " \n\t\r"[Pick(4)];
  }

  void Any(std::string& out, int depth) {
    size_t kind = Pick(depth > 4 ? 5 : 7);
    Space(out);
    switch (kind) {
      case 0:
        out += Chance(50) ? "true" : "false";
        break;
      case 1:
        out += "null";
        break;
      case 2:
      case 3:
        Number(out);
        break;
      case 4:
        String(out);
        break;
      case 5:
        Array(out, depth + 1);
        break;
      default:
        Object(out, depth + 1, false);
        break;
    }
    Space(out);
  }

  void Array(std::string& out, int depth) {
    out.push_back('[');
    size_t n = Pick(5);
    for (size_t i = 0; i < n; ++i) {
      if (i) out.push_back(',');
      Any(out, depth);
    }
    out.push_back(']');
  }

  void Object(std::string& out, int depth, bool row) {
    out.push_back('{');
    size_t n = Pick(row ? (Chance(10) ? 60 : 12) : 6);
    std::vector<std::string> keys;
    for (size_t i = 0; i < n; ++i) {
      if (i) out.push_back(',');
      Space(out);
      std::string key;
      if (!keys.empty() && Chance(15)) {
        key = keys[Pick(keys.size())];
      } else if (Chance(60)) {
        key = "\"" + KeyPool()[Pick(KeyPool().size())] + "\"";
      } else if (Chance(30)) {
        key = "\"" + std::to_string(Pick(Chance(50) ? 20 : 5000000000ull)) + "\"";
      } else {
        std::string text;
        String(text);
        key = text;
      }
      keys.push_back(key);
      out += key;
      Space(out);
      out.push_back(':');
      Any(out, depth);
    }
    out.push_back('}');
  }

  void Digits(std::string& out, size_t n) {
    for (size_t i = 0; i < n; ++i) out.push_back(static_cast<char>('0' + Pick(10)));
  }

  void Number(std::string& out) {
    static const char* kFixed[] = {"0",
                                   "-0.0",
                                   "1.0",
                                   "1e21",
                                   "1e-7",
                                   "5e-324",
                                   "1.7976931348623157e308",
                                   "0.1",
                                   "0.30000000000000004",
                                   "9007199254740993",
                                   "18446744073709551615",
                                   "-9223372036854775808",
                                   "1e400",
                                   "123456789012345678901",
                                   "4.35",
                                   "2147483648",
                                   "-2147483649",
                                   "1E+2"};
    switch (Pick(5)) {
      case 0:
        out += kFixed[Pick(sizeof kFixed / sizeof *kFixed)];
        return;
      case 1: {  // an integer of any length
        if (Chance(30)) out.push_back('-');
        out.push_back(static_cast<char>('1' + Pick(9)));
        Digits(out, Pick(21));
        return;
      }
      case 2: {  // a double printed at full or random precision
        double d = std::ldexp(std::uniform_real_distribution<double>(-1, 1)(random_),
                              static_cast<int>(Pick(2000)) - 1000);
        char buffer[64];
        std::snprintf(buffer, sizeof buffer, "%.*g", static_cast<int>(1 + Pick(17)), d);
        out += buffer;
        return;
      }
      case 3: {  // digits, fraction and exponent written by hand
        if (Chance(30)) out.push_back('-');
        out.push_back(static_cast<char>('0' + Pick(10)));
        if (out.back() != '0') Digits(out, Pick(8));
        if (Chance(60)) {
          out.push_back('.');
          Digits(out, 1 + Pick(25));
        }
        if (Chance(50)) {
          out.push_back("eE"[Pick(2)]);
          if (Chance(50)) out.push_back("+-"[Pick(2)]);
          out += std::to_string(Pick(Chance(80) ? 30 : 330));
        }
        return;
      }
      default:
        out += std::to_string(static_cast<int64_t>(Pick(2000)) - 1000);
        return;
    }
  }

  void String(std::string& out) {
    static const char* kPieces[] = {"a",
                                    "Z",
                                    "hello",
                                    " ",
                                    "\\\"",
                                    "\\\\",
                                    "\\/",
                                    "\\b",
                                    "\\f",
                                    "\\n",
                                    "\\r",
                                    "\\t",
                                    "\\u0000",
                                    "\\u0007",
                                    "\\u001f",
                                    "\\u001F",
                                    "\\u007f",
                                    "\x7f",
                                    "\\u00e9",
                                    "\u00e9",
                                    "\u4e2d",
                                    "\U0001F600",
                                    "\\ud83d\\ude00",
                                    "\u2028",
                                    "\\u2029",
                                    "\\uffff",
                                    "\\u0041",
                                    "<",
                                    "'",
                                    "-0",
                                    "1",
                                    "\xc3\xbf",
                                    "\\uD834\\uDD1E"};
    out.push_back('"');
    size_t n = Pick(6);
    for (size_t i = 0; i < n; ++i) out += kPieces[Pick(sizeof kPieces / sizeof *kPieces)];
    out.push_back('"');
  }

  std::mt19937_64 random_;
};

TEST_F(JsonCellsTest, RandomDocumentsMatchTheJavaScriptPath) {
  RandomJson random(20261207);
  std::mt19937_64 pick(7);
  const std::vector<std::string>& pool = RandomJson::KeyPool();
  for (int batch = 0; batch < 100; ++batch) {
    std::vector<std::string> texts, values;
    for (int i = 0; i < 50; ++i) texts.push_back(random.Row());
    for (int i = 0; i < 20; ++i) values.push_back(random.AnyValue());
    CompareValues(values);
    std::vector<std::string> fields = {"missing"};
    for (const std::string& key : pool) {
      if (pick() % 2) {
        // The pool holds keys as JSON text: the few escapes read back here.
        std::string name = key == "k\\\"q" ? "k\"q" : key == "\\u0041" ? "A" : key;
        fields.push_back(name);
      }
    }
    std::shuffle(fields.begin(), fields.end(), pick);
    Compare(texts, fields);
    if (HasFatalFailure() || HasFailure()) return;
  }
  // Most documents are compared, not skipped for the JavaScript path.
  EXPECT_GT(compared_, 3500);
  std::printf("compared %d random rows, %d left to the JavaScript path\n", compared_, skipped_);
}

}  // namespace
}  // namespace sluice::js
