#include "lang/evaluator.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <regex>
#include <string>

#include "core/time_util.h"
#include "lang/parser.h"

namespace sluice {
namespace {

// Evaluates the first value of `PRINT <expr>;` over a few declared variables.
class EvaluatorTest : public ::testing::Test {
 protected:
  EvaluatorTest() {
    variables_.Declare("n", Value(10));
    variables_.Declare("f", Value(2.5));
    variables_.Declare("s", Value("h\xC3\xA9llo"));  // "héllo"
    variables_.Declare("nothing", Value());
    variables_.Declare("arr", Value::parse("[1, 2, 3]"));
    variables_.Declare("obj", Value::parse(R"({"a": {"b": [10, 20]}, "name": "x"})"));
    variables_.Declare("ts", Value("2026-01-08T00:00:00Z"));
  }

  Result<Value> Eval(const std::string& expr) {
    ParseResult parsed = Parse(std::make_shared<const SourceFile>(SourceFile{"expr.sl", "PRINT " + expr + ";"}));
    if (!parsed.ok()) {
      ADD_FAILURE() << "does not parse: " << expr << ": " << parsed.errors[0].message();
      return parsed.errors[0];
    }
    const auto& print = std::get<ast::PrintStmt>(parsed.program.statements.at(0).node);
    Evaluator evaluator(variables_, hooks_);
    return evaluator.Eval(*print.values.at(0));
  }

  // The value as compact JSON, so 3 and 3.0 differ: "3" vs "3.0".
  std::string Show(const std::string& expr) {
    Result<Value> value = Eval(expr);
    if (!value.ok()) return "error: " + value.status().message();
    return value->dump();
  }

  // The error of an expression that must fail: "line:col: message".
  std::string Error(const std::string& expr) {
    Result<Value> value = Eval(expr);
    if (value.ok()) return "no error, got " + value->dump();
    const auto& at = value.status().location();
    return (at ? std::to_string(at->line) + ":" + std::to_string(at->column) : "?") + ": " +
           value.status().message();
  }

  ErrorKind KindOf(const std::string& expr) {
    Result<Value> value = Eval(expr);
    EXPECT_FALSE(value.ok()) << expr;
    return value.status().kind();
  }

  Variables variables_;
  EvalHooks hooks_;
};

// --- arithmetic -------------------------------------------------------------------

TEST_F(EvaluatorTest, IntegersStayIntegers) {
  EXPECT_EQ(Show("1 + 2"), "3");
  EXPECT_EQ(Show("2 * 3"), "6");
  EXPECT_EQ(Show("10 - 20"), "-10");
  EXPECT_EQ(Show("n * 3"), "30");
  EXPECT_EQ(Show("+n"), "10");
  EXPECT_EQ(Show("-n"), "-10");
  EXPECT_EQ(Show("TYPEOF(1 + 2)"), "\"integer\"");
}

TEST_F(EvaluatorTest, IntegerDivisionTruncatesTowardZero) {
  EXPECT_EQ(Show("7 / 2"), "3");
  EXPECT_EQ(Show("-7 / 2"), "-3");
  EXPECT_EQ(Show("7 % 3"), "1");
  EXPECT_EQ(Show("-7 % 3"), "-1");
}

TEST_F(EvaluatorTest, FloatsMakeFloats) {
  EXPECT_EQ(Show("7.0 / 2"), "3.5");
  EXPECT_EQ(Show("1 + 2.5"), "3.5");
  EXPECT_EQ(Show("n * f"), "25.0");
  EXPECT_EQ(Show("5.5 % 2"), "1.5");
  EXPECT_EQ(Show("-f"), "-2.5");
}

TEST_F(EvaluatorTest, IntegersFromJsonStayIntegers) {
  // nlohmann parses non-negative integers as unsigned; they must still add as
  // integers, not turn into floats.
  EXPECT_EQ(Show("JSON_PARSE('5') + 1"), "6");
  EXPECT_EQ(Show("JSON_PARSE('{\"n\": 7}').n * 2"), "14");
  EXPECT_EQ(Show("-JSON_PARSE('5')"), "-5");
  EXPECT_EQ(Show("TYPEOF(JSON_PARSE('5') - 1)"), "\"integer\"");
  // Beyond int64 they fall back to floating point rather than wrapping.
  EXPECT_EQ(Show("JSON_PARSE('18446744073709551615') + 0"), "1.8446744073709552e+19");
  EXPECT_EQ(Show("-JSON_PARSE('18446744073709551615')"), "-1.8446744073709552e+19");
}

TEST_F(EvaluatorTest, DivisionByZeroIsAnErrorAtTheOperator) {
  EXPECT_EQ(Error("1 / 0"), "1:7: division by zero");
  EXPECT_EQ(Error("n % 0"), "1:7: division by zero");
  EXPECT_EQ(Error("1.5 / 0"), "1:7: division by zero");
  EXPECT_EQ(Error("1 + n / (n - 10)"), "1:11: division by zero");
  EXPECT_EQ(KindOf("1 / 0"), ErrorKind::kType);
}

TEST_F(EvaluatorTest, IntegerOverflowIsAnErrorNotAWrap) {
  EXPECT_EQ(Error("9223372036854775807 + 1"), "1:7: integer overflow");
  EXPECT_EQ(Error("-9223372036854775807 - 2"), "1:7: integer overflow");
  EXPECT_EQ(Error("4611686018427387904 * 2"), "1:7: integer overflow");
  EXPECT_EQ(Error("(-9223372036854775807 - 1) / -1"), "1:7: integer overflow");
  EXPECT_EQ(Error("-(-9223372036854775807 - 1)"), "1:7: integer overflow");
  EXPECT_EQ(Show("-9223372036854775807 - 1"), "-9223372036854775808");
}

TEST_F(EvaluatorTest, ArithmeticOnNullIsNull) {
  EXPECT_EQ(Show("1 + NULL"), "null");
  EXPECT_EQ(Show("nothing * 2"), "null");
  EXPECT_EQ(Show("-nothing"), "null");
  EXPECT_EQ(Show("NULL / 0"), "null");
}

TEST_F(EvaluatorTest, ArithmeticNeedsNumbers) {
  EXPECT_EQ(Error("'a' + 1"), "1:7: operator + needs numbers, got string and integer (use || to join strings)");
  EXPECT_EQ(Error("2 * 'a'"), "1:7: operator * needs numbers, got integer and string");
  EXPECT_EQ(Error("TRUE + 1"), "1:7: operator + needs numbers, got boolean and integer");
  EXPECT_EQ(Error("-'a'"), "1:7: unary minus needs a number, got string");
  EXPECT_EQ(Error("+'a'"), "1:7: unary plus needs a number, got string");
  EXPECT_EQ(Error("ts + 3600"),
            "1:7: operator + needs numbers, got string and integer (use || to join strings)");
}

// --- logic ----------------------------------------------------------------------

TEST_F(EvaluatorTest, AndIsThreeValued) {
  EXPECT_EQ(Show("TRUE AND TRUE"), "true");
  EXPECT_EQ(Show("TRUE AND FALSE"), "false");
  EXPECT_EQ(Show("TRUE AND NULL"), "null");
  EXPECT_EQ(Show("NULL AND TRUE"), "null");
  EXPECT_EQ(Show("FALSE AND NULL"), "false");
  EXPECT_EQ(Show("NULL AND FALSE"), "false");
  EXPECT_EQ(Show("NULL AND NULL"), "null");
}

TEST_F(EvaluatorTest, OrIsThreeValued) {
  EXPECT_EQ(Show("FALSE OR FALSE"), "false");
  EXPECT_EQ(Show("FALSE OR TRUE"), "true");
  EXPECT_EQ(Show("TRUE OR NULL"), "true");
  EXPECT_EQ(Show("NULL OR TRUE"), "true");
  EXPECT_EQ(Show("FALSE OR NULL"), "null");
  EXPECT_EQ(Show("NULL OR FALSE"), "null");
  EXPECT_EQ(Show("NULL OR NULL"), "null");
}

TEST_F(EvaluatorTest, NotIsThreeValued) {
  EXPECT_EQ(Show("NOT TRUE"), "false");
  EXPECT_EQ(Show("NOT FALSE"), "true");
  EXPECT_EQ(Show("NOT NULL"), "null");
  EXPECT_EQ(Show("NOT 0"), "true");
  EXPECT_EQ(Show("NOT NOT 2"), "true");
}

TEST_F(EvaluatorTest, AndOrShortCircuit) {
  EXPECT_EQ(Show("FALSE AND undefined_variable"), "false");
  EXPECT_EQ(Show("TRUE OR undefined_variable"), "true");
  EXPECT_EQ(Error("TRUE AND undefined_variable"),
            "1:16: unknown variable 'undefined_variable' (declare it with DECLARE undefined_variable = …)");
}

TEST_F(EvaluatorTest, TruthinessOfNonBooleans) {
  EXPECT_EQ(Show("1 AND 2.5"), "true");
  EXPECT_EQ(Show("0 OR 0.0"), "false");
  EXPECT_EQ(Show("'yes' AND TRUE"), "false");  // strings never convert
  EXPECT_EQ(Show("arr OR FALSE"), "false");
}

// --- comparison -----------------------------------------------------------------

TEST_F(EvaluatorTest, Equality) {
  EXPECT_EQ(Show("1 = 1"), "true");
  EXPECT_EQ(Show("1 = 1.0"), "true");
  EXPECT_EQ(Show("1 == 2"), "false");
  EXPECT_EQ(Show("1 <> 2"), "true");
  EXPECT_EQ(Show("1 != 1"), "false");
  EXPECT_EQ(Show("'a' = 'a'"), "true");
  EXPECT_EQ(Show("'1' = 1"), "false");  // no implicit conversion
  EXPECT_EQ(Show("[1, 2] = [1, 2]"), "true");
  EXPECT_EQ(Show("{\"a\": 1} = {\"a\": 1}"), "true");
  EXPECT_EQ(Show("obj.name = 'x'"), "true");
}

TEST_F(EvaluatorTest, ComparisonWithNullIsNull) {
  EXPECT_EQ(Show("NULL = NULL"), "null");
  EXPECT_EQ(Show("1 = NULL"), "null");
  EXPECT_EQ(Show("NULL <> 1"), "null");
  EXPECT_EQ(Show("1 < NULL"), "null");
  EXPECT_EQ(Show("nothing >= 'a'"), "null");
}

TEST_F(EvaluatorTest, BooleansEqualOneAndZero) {
  // SQLite hands booleans back as 0/1.
  EXPECT_EQ(Show("TRUE = 1"), "true");
  EXPECT_EQ(Show("1 = TRUE"), "true");
  EXPECT_EQ(Show("FALSE = 0"), "true");
  EXPECT_EQ(Show("TRUE = 2"), "false");
  EXPECT_EQ(Show("TRUE = 1.0"), "true");
  EXPECT_EQ(Show("TRUE <> 0"), "true");
}

TEST_F(EvaluatorTest, Ordering) {
  EXPECT_EQ(Show("1 < 2"), "true");
  EXPECT_EQ(Show("2 <= 2"), "true");
  EXPECT_EQ(Show("3 > 2.5"), "true");
  EXPECT_EQ(Show("2.5 >= 3"), "false");
  EXPECT_EQ(Show("'a' < 'b'"), "true");
  EXPECT_EQ(Show("'b' >= 'a'"), "true");
  EXPECT_EQ(Show("'B' < 'a'"), "true");  // byte order
  EXPECT_EQ(Show("TRUE > FALSE"), "true");
  EXPECT_EQ(Show("-9223372036854775807 < 9223372036854775807"), "true");
}

TEST_F(EvaluatorTest, OrderingStringsWithNumbersIsATypeError) {
  EXPECT_EQ(Error("'a' < 1"), "1:7: cannot compare string \"a\" with integer 1");
  EXPECT_EQ(Error("n >= s"), "1:7: cannot compare integer 10 with string \"h\xC3\xA9llo\"");
  EXPECT_EQ(Error("[1] > 0"), "1:7: cannot compare array [1] with integer 0");
  EXPECT_EQ(KindOf("'a' < 1"), ErrorKind::kType);
}

TEST_F(EvaluatorTest, StaticEqualAndCompare) {
  EXPECT_EQ(Evaluator::Equal(Value(1), Value(1.0)), true);
  EXPECT_EQ(Evaluator::Equal(Value(true), Value(1)), true);
  EXPECT_EQ(Evaluator::Equal(Value("1"), Value(1)), false);
  EXPECT_FALSE(Evaluator::Equal(Value(), Value()).has_value());
  EXPECT_EQ(*Evaluator::Compare(Value(1), Value(2)), -1);
  EXPECT_EQ(*Evaluator::Compare(Value(2.0), Value(2)), 0);
  EXPECT_EQ(*Evaluator::Compare(Value("b"), Value("a")), 1);
  EXPECT_FALSE(Evaluator::Compare(Value("a"), Value(1)).ok());
}

// --- strings --------------------------------------------------------------------

TEST_F(EvaluatorTest, Concat) {
  EXPECT_EQ(Show("'a' || 'b'"), "\"ab\"");
  EXPECT_EQ(Show("'n=' || n"), "\"n=10\"");
  EXPECT_EQ(Show("1 || 2"), "\"12\"");
  EXPECT_EQ(Show("'v' || f"), "\"v2.5\"");
  EXPECT_EQ(Show("'x' || [1, 2]"), "\"x[1,2]\"");
  EXPECT_EQ(Show("'t' || TRUE"), "\"ttrue\"");
  EXPECT_EQ(Show("'a' || NULL"), "null");
  EXPECT_EQ(Show("NULL || 'a'"), "null");
  EXPECT_EQ(Show("'a' || nothing || 'b'"), "null");
}

TEST_F(EvaluatorTest, Like) {
  EXPECT_EQ(Show("'Hello' LIKE 'h%'"), "true");  // ASCII case-insensitive
  EXPECT_EQ(Show("'Hello' LIKE 'H_llo'"), "true");
  EXPECT_EQ(Show("'Hello' LIKE 'H_lo'"), "false");
  EXPECT_EQ(Show("'Hello' LIKE '%LL%'"), "true");
  EXPECT_EQ(Show("'Hello' LIKE '%x%'"), "false");
  EXPECT_EQ(Show("'' LIKE '%'"), "true");
  EXPECT_EQ(Show("'' LIKE '_'"), "false");
  EXPECT_EQ(Show("'abc' NOT LIKE 'a%'"), "false");
  EXPECT_EQ(Show("'abc' NOT LIKE 'b%'"), "true");
  EXPECT_EQ(Show("'abcbc' LIKE '%bc'"), "true");  // backtracking
  EXPECT_EQ(Show("NULL LIKE 'a'"), "null");
  EXPECT_EQ(Show("'a' NOT LIKE nothing"), "null");
  EXPECT_EQ(Error("1 LIKE '1'"), "1:7: LIKE needs strings");
}

TEST_F(EvaluatorTest, LikeWildcardAgainstALiteralPercentInTheText) {
  // '%' in the pattern is always a wildcard, even when the text has a '%' there.
  EXPECT_TRUE(LikeMatch("%ab", "%b"));
  EXPECT_TRUE(LikeMatch("%x", "%_x"));
  EXPECT_TRUE(LikeMatch("50% off", "%off"));
  EXPECT_EQ(Show("'%done' LIKE '%one'"), "true");
  EXPECT_FALSE(LikeMatch("abc", "%d"));
}

TEST_F(EvaluatorTest, ContainsOnArraysAndStrings) {
  EXPECT_EQ(Show("arr CONTAINS 2"), "true");
  EXPECT_EQ(Show("arr CONTAINS 5"), "false");
  EXPECT_EQ(Show("arr CONTAINS 2.0"), "true");
  EXPECT_EQ(Show("['bug', 'ui'] CONTAINS 'bug'"), "true");
  EXPECT_EQ(Show("['bug', 'ui'] CONTAINS 'BUG'"), "false");
  EXPECT_EQ(Show("[TRUE] CONTAINS 1"), "true");
  EXPECT_EQ(Show("s CONTAINS 'll'"), "true");
  EXPECT_EQ(Show("'hello' CONTAINS 'xyz'"), "false");
  EXPECT_EQ(Show("nothing CONTAINS 1"), "null");
  EXPECT_EQ(Show("arr CONTAINS NULL"), "null");
  EXPECT_EQ(Error("n CONTAINS 1"), "1:7: CONTAINS needs an array (or a string) on its left, got integer");
  EXPECT_EQ(Error("'abc' CONTAINS 1"), "1:7: CONTAINS needs an array (or a string) on its left, got string");
}

TEST_F(EvaluatorTest, InWithAList) {
  EXPECT_EQ(Show("2 IN (1, 2, 3)"), "true");
  EXPECT_EQ(Show("4 IN (1, 2, 3)"), "false");
  EXPECT_EQ(Show("4 NOT IN (1, 2, 3)"), "true");
  EXPECT_EQ(Show("2 NOT IN (1, 2, 3)"), "false");
  EXPECT_EQ(Show("'b' IN ('a', 'b')"), "true");
  EXPECT_EQ(Show("n IN (5 + 5)"), "true");
  EXPECT_EQ(Show("1 IN ()"), "false");
}

TEST_F(EvaluatorTest, InFollowsSqlNullSemantics) {
  EXPECT_EQ(Show("1 IN (1, NULL)"), "true");
  EXPECT_EQ(Show("4 IN (1, NULL)"), "null");
  EXPECT_EQ(Show("4 NOT IN (1, NULL)"), "null");
  EXPECT_EQ(Show("1 NOT IN (1, NULL)"), "false");
  EXPECT_EQ(Show("NULL IN (1, 2)"), "null");
  EXPECT_EQ(Show("NULL NOT IN (1, 2)"), "null");
}

TEST_F(EvaluatorTest, InWithAnArray) {
  EXPECT_EQ(Show("2 IN arr"), "true");
  EXPECT_EQ(Show("5 IN arr"), "false");
  EXPECT_EQ(Show("2 NOT IN arr"), "false");
  EXPECT_EQ(Show("3 IN [1, NULL]"), "null");
  EXPECT_EQ(Show("1 IN nothing"), "null");
  EXPECT_EQ(Show("obj.a.b[0] IN obj.a.b"), "true");
  EXPECT_EQ(Error("'x' IN s"), "1:7: IN needs a list or an array, got string");
}

TEST_F(EvaluatorTest, InWithAQueryComparesEachRowsFirstColumn) {
  std::string seen_sql;
  hooks_.run_query = [&](const ast::QueryExpr& query) -> Result<Value> {
    seen_sql = std::string(query.sql.span.Text());
    return Value::parse(R"([{"id": 1, "x": 9}, {"id": 2, "x": 9}])");
  };
  EXPECT_EQ(Show("2 IN (SELECT id, x FROM t)"), "true");
  EXPECT_EQ(seen_sql, "SELECT id, x FROM t");
  EXPECT_EQ(Show("9 IN (SELECT id, x FROM t)"), "false");
  EXPECT_EQ(Show("9 NOT IN (SELECT id, x FROM t)"), "true");
}

TEST_F(EvaluatorTest, IsNull) {
  EXPECT_EQ(Show("nothing IS NULL"), "true");
  EXPECT_EQ(Show("n IS NULL"), "false");
  EXPECT_EQ(Show("n IS NOT NULL"), "true");
  EXPECT_EQ(Show("obj.missing IS NULL"), "true");
  EXPECT_EQ(Show("0 IS NOT NULL"), "true");
}

// --- member and index access ------------------------------------------------------

TEST_F(EvaluatorTest, MemberAndIndex) {
  EXPECT_EQ(Show("obj.name"), "\"x\"");
  EXPECT_EQ(Show("obj.a.b[1]"), "20");
  EXPECT_EQ(Show("obj['name']"), "\"x\"");
  EXPECT_EQ(Show("arr[0]"), "1");
  EXPECT_EQ(Show("[[1, 2], [3, 4]][1][0]"), "3");
  EXPECT_EQ(Show("{\"k\": {\"v\": n}}.k.v"), "10");
  EXPECT_EQ(Show("OBJ.name"), "\"x\"");  // variable names are case-insensitive
}

TEST_F(EvaluatorTest, MemberAndIndexOnNullOrMissingAreNull) {
  EXPECT_EQ(Show("nothing.x"), "null");
  EXPECT_EQ(Show("nothing[0]"), "null");
  EXPECT_EQ(Show("obj.missing"), "null");
  EXPECT_EQ(Show("obj.missing.deeper[3].x"), "null");
  EXPECT_EQ(Show("obj.Name"), "null");  // JSON keys are case-sensitive
  EXPECT_EQ(Show("arr[10]"), "null");
  EXPECT_EQ(Show("arr[-1]"), "null");
  EXPECT_EQ(Show("arr[nothing]"), "null");
  EXPECT_EQ(Show("[][0].name"), "null");
}

TEST_F(EvaluatorTest, MemberAndIndexTypeErrors) {
  EXPECT_EQ(Error("s.x"), "1:7: cannot read field 'x' of string \"h\xC3\xA9llo\"");
  EXPECT_EQ(Error("arr.x"), "1:7: cannot read field 'x' of array [1,2,3]");
  EXPECT_EQ(Error("1 + n.x"), "1:11: cannot read field 'x' of integer 10");
  EXPECT_EQ(Error("arr['a']"), "1:7: array index must be an integer, got string");
  EXPECT_EQ(Error("arr[1.5]"), "1:7: array index must be an integer, got number");
  EXPECT_EQ(Error("n[0]"), "1:7: cannot index integer with integer");
  EXPECT_EQ(Error("obj[0]"), "1:7: cannot index object with integer");
  EXPECT_EQ(KindOf("s.x"), ErrorKind::kType);
}

TEST_F(EvaluatorTest, UnknownVariableIsNotFoundWithPosition) {
  EXPECT_EQ(Error("1 +\n nope"), "2:2: unknown variable 'nope' (declare it with DECLARE nope = …)");
  EXPECT_EQ(KindOf("nope"), ErrorKind::kNotFound);
  Result<Value> result = Eval("nope");
  EXPECT_EQ(result.status().location()->FileName(), "expr.sl");
}

TEST_F(EvaluatorTest, ObjectsAndArraysEvaluateTheirExpressions) {
  EXPECT_EQ(Show("{\"z\": n + 1, \"a\": [s, NULL, f * 2]}"), "{\"z\":11,\"a\":[\"h\xC3\xA9llo\",null,5.0]}");
  EXPECT_EQ(Show("{}"), "{}");
  EXPECT_EQ(Show("[]"), "[]");
  EXPECT_EQ(Error("{\"a\": 1, \"b\": 1 / 0}"), "1:21: division by zero");
}

TEST_F(EvaluatorTest, QueriesAndActionsNeedHooks) {
  EXPECT_EQ(Error("(SELECT 1)"), "1:7: queries cannot run here");
  EXPECT_EQ(KindOf("(SELECT 1)"), ErrorKind::kInternal);
  EXPECT_EQ(Error("CONNECTOR_EXEC c.items.create({})"), "1:7: actions cannot run here");

  hooks_.run_exec = [](const ast::ExecExpr& exec, const ast::Expr&) -> Result<Value> {
    if (exec.connector == "bad") return Status(ErrorKind::kConnector, "handler failed");
    return Value(exec.connector + "." + exec.path.at(0) + "." + exec.path.at(1));
  };
  EXPECT_EQ(Show("CONNECTOR_EXEC c.items.create({})"), "\"c.items.create\"");
  EXPECT_EQ(Error("1 + CONNECTOR_EXEC bad.items.create({})"), "1:11: handler failed");
  hooks_.run_query = [](const ast::QueryExpr&) -> Result<Value> {
    return Status(ErrorKind::kSql, "no such table: t");
  };
  EXPECT_EQ(Error("[(SELECT * FROM t)]"), "1:8: no such table: t");
}

TEST_F(EvaluatorTest, IntervalIsSeconds) {
  EXPECT_EQ(Show("INTERVAL '7d'"), "604800.0");
  EXPECT_EQ(Show("INTERVAL '1 day 2 hours' / 3600"), "26.0");
}

TEST_F(EvaluatorTest, TimestampPlusOrMinusInterval) {
  EXPECT_EQ(Show("'2026-01-08T00:00:00Z' - INTERVAL '7d'"), "\"2026-01-01T00:00:00Z\"");
  EXPECT_EQ(Show("ts + INTERVAL '1 day 2 hours'"), "\"2026-01-09T02:00:00Z\"");
  EXPECT_EQ(Show("'2026-03-01' - INTERVAL '1' DAY"), "\"2026-02-28T00:00:00Z\"");
  EXPECT_EQ(Show("'2024-03-01T00:00:00+02:00' - INTERVAL '30m'"), "\"2024-02-29T21:30:00Z\"");
  EXPECT_EQ(Show("nothing - INTERVAL '1d'"), "null");
  EXPECT_EQ(Error("'soon' - INTERVAL '1d'"), "1:7: cannot add an interval to \"soon\": not an ISO-8601 timestamp");
}

// --- functions --------------------------------------------------------------------

TEST_F(EvaluatorTest, ArrayLength) {
  EXPECT_EQ(Show("ARRAY_LENGTH(arr)"), "3");
  EXPECT_EQ(Show("array_length([])"), "0");
  EXPECT_EQ(Show("ARRAY_LENGTH(nothing)"), "null");
  EXPECT_EQ(Error("ARRAY_LENGTH('abc')"), "1:7: ARRAY_LENGTH() needs an array, got string");
}

TEST_F(EvaluatorTest, LengthCountsUtf8Characters) {
  EXPECT_EQ(Show("LENGTH(s)"), "5");  // "héllo" is 6 bytes
  EXPECT_EQ(Show("LENGTH('\xE6\x97\xA5\xE6\x9C\xAC')"), "2");
  EXPECT_EQ(Show("LENGTH(\"\\ud83d\\ude00\")"), "1");
  EXPECT_EQ(Show("LENGTH('')"), "0");
  EXPECT_EQ(Show("LENGTH(arr)"), "3");
  EXPECT_EQ(Show("LENGTH(obj)"), "2");
  EXPECT_EQ(Show("LENGTH(NULL)"), "null");
  EXPECT_EQ(Error("LENGTH(1)"), "1:7: LENGTH() needs a string or an array, got integer");
}

TEST_F(EvaluatorTest, Env) {
  ASSERT_EQ(setenv("SLUICE_EVALUATOR_TEST_VAR", "from env", 1), 0);
  EXPECT_EQ(Show("ENV('SLUICE_EVALUATOR_TEST_VAR')"), "\"from env\"");
  EXPECT_EQ(Show("ENV('SLUICE_EVALUATOR_TEST_VAR', 'default')"), "\"from env\"");
  ASSERT_EQ(unsetenv("SLUICE_EVALUATOR_TEST_VAR"), 0);
  EXPECT_EQ(Show("ENV('SLUICE_EVALUATOR_TEST_VAR', 'default')"), "\"default\"");
  EXPECT_EQ(Show("ENV('SLUICE_EVALUATOR_TEST_VAR', NULL)"), "null");
  EXPECT_EQ(Error("ENV('SLUICE_EVALUATOR_TEST_VAR')"),
            "1:7: environment variable 'SLUICE_EVALUATOR_TEST_VAR' is not set");
  EXPECT_EQ(KindOf("ENV('SLUICE_EVALUATOR_TEST_VAR')"), ErrorKind::kNotFound);
  EXPECT_EQ(Error("ENV(1)"), "1:7: ENV() argument 1 must be a string, got integer");
}

TEST_F(EvaluatorTest, CurrentTimestampDateAndTime) {
  const std::regex timestamp(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)");
  for (const char* expr : {"CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP()", "NOW()"}) {
    Result<Value> now = Eval(expr);
    ASSERT_TRUE(now.ok()) << expr << ": " << now.status().message();
    ASSERT_TRUE(now->is_string()) << expr;
    const std::string& text = now->get_ref<const std::string&>();
    EXPECT_TRUE(std::regex_match(text, timestamp)) << expr << " gave " << text;
    std::optional<int64_t> micros = ParseTimestamp(text);
    ASSERT_TRUE(micros.has_value());
    EXPECT_LE(std::llabs(*micros - NowMicros()), 5'000'000) << text;
  }
  Result<Value> date = Eval("CURRENT_DATE");
  ASSERT_TRUE(date.ok());
  EXPECT_TRUE(std::regex_match(date->get<std::string>(), std::regex(R"(\d{4}-\d{2}-\d{2})")));
  Result<Value> time = Eval("CURRENT_TIME");
  ASSERT_TRUE(time.ok()) << time.status().message();
  EXPECT_TRUE(std::regex_match(time->get<std::string>(), std::regex(R"(\d{2}:\d{2}:\d{2})")));
}

TEST_F(EvaluatorTest, SubstrCountsUtf8Characters) {
  EXPECT_EQ(Show("SUBSTR(s, 2, 3)"), "\"\xC3\xA9ll\"");
  EXPECT_EQ(Show("SUBSTR(s, 2)"), "\"\xC3\xA9llo\"");
  EXPECT_EQ(Show("SUBSTR(s, 1, 1)"), "\"h\"");
  EXPECT_EQ(Show("SUBSTRING('abc', 2.0)"), "\"bc\"");
  EXPECT_EQ(Show("SUBSTR('abc', 10)"), "\"\"");
  EXPECT_EQ(Show("SUBSTR('abc', 2, 0)"), "\"\"");
  EXPECT_EQ(Show("SUBSTR('abc', 2, 100)"), "\"bc\"");
  EXPECT_EQ(Show("SUBSTR(NULL, 1)"), "null");
  EXPECT_EQ(Error("SUBSTR('abc', 1, -1)"), "1:7: SUBSTR() length must not be negative");
  EXPECT_EQ(Error("SUBSTR('abc', 'x')"), "1:7: SUBSTR() argument 2 must be an integer, got string");
  EXPECT_EQ(Error("SUBSTR('abc', 1.5)"), "1:7: SUBSTR() argument 2 must be an integer, got number");
  EXPECT_EQ(Error("SUBSTR('abc', 1e300)"), "1:7: SUBSTR() argument 2 must be an integer, got number");
  EXPECT_EQ(Error("SUBSTR(1, 1)"), "1:7: SUBSTR() argument 1 must be a string, got integer");
}

TEST_F(EvaluatorTest, Replace) {
  EXPECT_EQ(Show("REPLACE('a-b-c', '-', '+')"), "\"a+b+c\"");
  EXPECT_EQ(Show("REPLACE('aaa', 'a', 'bb')"), "\"bbbbbb\"");
  EXPECT_EQ(Show("REPLACE('abc', '', 'x')"), "\"abc\"");
  EXPECT_EQ(Show("REPLACE('abc', 'z', 'x')"), "\"abc\"");
  EXPECT_EQ(Show("REPLACE(NULL, 'a', 'b')"), "null");
  EXPECT_EQ(Error("REPLACE('a', 'a', 1)"), "1:7: REPLACE() argument 3 must be a string, got integer");
}

TEST_F(EvaluatorTest, Split) {
  EXPECT_EQ(Show("SPLIT('a,b,,c', ',')"), R"(["a","b","","c"])");
  EXPECT_EQ(Show("SPLIT('a::b', '::')"), R"(["a","b"])");
  EXPECT_EQ(Show("SPLIT('abc', ',')"), R"(["abc"])");
  EXPECT_EQ(Show("SPLIT('', ',')"), R"([""])");
  EXPECT_EQ(Show("SPLIT(NULL, ',')"), "null");
  EXPECT_EQ(Error("SPLIT('a', '')"), "1:7: SPLIT() separator must not be empty");
}

TEST_F(EvaluatorTest, Coalesce) {
  EXPECT_EQ(Show("COALESCE(NULL, nothing, 3, 4)"), "3");
  EXPECT_EQ(Show("COALESCE(obj.missing, 'fallback')"), "\"fallback\"");
  EXPECT_EQ(Show("COALESCE(NULL)"), "null");
  EXPECT_EQ(Show("COALESCE(FALSE, 1)"), "false");
}

TEST_F(EvaluatorTest, TypeOf) {
  EXPECT_EQ(Show("TYPEOF(NULL)"), "\"null\"");
  EXPECT_EQ(Show("TYPEOF(TRUE)"), "\"boolean\"");
  EXPECT_EQ(Show("TYPEOF(1)"), "\"integer\"");
  EXPECT_EQ(Show("TYPEOF(1.5)"), "\"number\"");
  EXPECT_EQ(Show("TYPEOF('a')"), "\"string\"");
  EXPECT_EQ(Show("TYPEOF(arr)"), "\"array\"");
  EXPECT_EQ(Show("TYPEOF(obj)"), "\"object\"");
  EXPECT_EQ(Show("TYPEOF(INTERVAL '1h')"), "\"number\"");
}

TEST_F(EvaluatorTest, JsonFunctions) {
  EXPECT_EQ(Show("JSON_PARSE('{\"a\": [1, 2]}').a[1]"), "2");
  EXPECT_EQ(Show("JSON_PARSE('null')"), "null");
  EXPECT_EQ(Show("JSON_PARSE(NULL)"), "null");
  EXPECT_EQ(Error("JSON_PARSE('{bad')"), "1:7: JSON_PARSE(): not valid JSON");
  EXPECT_EQ(KindOf("JSON_PARSE('{bad')"), ErrorKind::kType);
  EXPECT_EQ(Show("JSON_STRINGIFY({\"a\": [1, 'x']})"), R"("{\"a\":[1,\"x\"]}")");
  EXPECT_EQ(Show("JSON_STRINGIFY(NULL)"), "\"null\"");
  EXPECT_EQ(Show("JSON_KEYS({\"z\": 1, \"a\": 2})"), R"(["z","a"])");
  EXPECT_EQ(Error("JSON_KEYS(arr)"), "1:7: JSON_KEYS() needs an object");
}

TEST_F(EvaluatorTest, StringFunctions) {
  EXPECT_EQ(Show("UPPER('abc')"), "\"ABC\"");
  EXPECT_EQ(Show("LOWER('ABC')"), "\"abc\"");
  EXPECT_EQ(Show("TRIM('  a b \\t ')"), "\"a b \\\\t\"");
  EXPECT_EQ(Show("TRIM(\"\\t a \\n\")"), "\"a\"");
  EXPECT_EQ(Show("TRIM('   ')"), "\"\"");
  EXPECT_EQ(Show("CONCAT('a', NULL, 1, TRUE)"), "\"a1true\"");
  EXPECT_EQ(Show("CONCAT()"), "\"\"");
  EXPECT_EQ(Show("STARTS_WITH('hello', 'he')"), "true");
  EXPECT_EQ(Show("STARTS_WITH('hello', 'lo')"), "false");
  EXPECT_EQ(Show("ENDS_WITH('hello', 'lo')"), "true");
  EXPECT_EQ(Show("TO_STRING(12)"), "\"12\"");
  EXPECT_EQ(Show("TO_STRING([1])"), "\"[1]\"");
  EXPECT_EQ(Show("UPPER(NULL)"), "null");
  EXPECT_EQ(Error("UPPER(1)"), "1:7: UPPER() argument 1 must be a string, got integer");
}

TEST_F(EvaluatorTest, NumberFunctions) {
  EXPECT_EQ(Show("ROUND(2.567, 2)"), "2.57");
  EXPECT_EQ(Show("ROUND(2.5)"), "3.0");
  EXPECT_EQ(Show("ROUND(-2.5)"), "-3.0");
  EXPECT_EQ(Show("ROUND(7)"), "7");
  EXPECT_EQ(Show("ROUND(1234, -2)"), "1200.0");
  EXPECT_EQ(Show("ROUND(NULL)"), "null");
  EXPECT_EQ(Error("ROUND('x')"), "1:7: ROUND() needs a number");
  EXPECT_EQ(Show("ABS(-3)"), "3");
  EXPECT_EQ(Show("ABS(-2.5)"), "2.5");
  EXPECT_EQ(Error("ABS(-9223372036854775807 - 1)"), "1:7: integer overflow");
  EXPECT_EQ(Show("TO_NUMBER('2.5')"), "2.5");
  EXPECT_EQ(Show("TO_NUMBER(3)"), "3");
  EXPECT_EQ(Error("TO_NUMBER('x')"), "1:7: TO_NUMBER(): cannot convert \"x\" to a number");
}

TEST_F(EvaluatorTest, ToInteger) {
  EXPECT_EQ(Show("TO_INTEGER('42')"), "42");
  EXPECT_EQ(Show("TO_INTEGER('-7')"), "-7");
  EXPECT_EQ(Show("TO_INTEGER(3.9)"), "3");
  EXPECT_EQ(Show("TO_INTEGER(-3.9)"), "-3");
  EXPECT_EQ(Show("TO_INTEGER(TRUE)"), "1");
  EXPECT_EQ(Show("TO_INTEGER(FALSE)"), "0");
  EXPECT_EQ(Show("TO_INTEGER(5)"), "5");
  EXPECT_EQ(Show("TO_INTEGER(NULL)"), "null");
  EXPECT_EQ(Error("TO_INTEGER('4x')"), "1:7: TO_INTEGER(): cannot convert \"4x\" to an integer");
  EXPECT_EQ(Error("TO_INTEGER('')"), "1:7: TO_INTEGER(): cannot convert \"\" to an integer");
  EXPECT_EQ(Error("TO_INTEGER('99999999999999999999')"),
            "1:7: TO_INTEGER(): cannot convert \"99999999999999999999\" to an integer");
  EXPECT_EQ(Error("TO_INTEGER(1e300)"), "1:7: TO_INTEGER(): cannot convert 1e+300 to an integer");
  EXPECT_EQ(Error("TO_INTEGER([1])"), "1:7: TO_INTEGER(): cannot convert [1] to an integer");
}

TEST_F(EvaluatorTest, ConversionErrorsQuoteInvalidUtf8WithoutThrowing) {
  variables_.Declare("latin1", Value(std::string("caf\xE9")));  // not UTF-8
  EXPECT_EQ(Error("TO_INTEGER(latin1)"), "1:7: TO_INTEGER(): cannot convert \"caf\xEF\xBF\xBD\" to an integer");
  EXPECT_EQ(Error("TO_NUMBER(latin1)"), "1:7: TO_NUMBER(): cannot convert \"caf\xEF\xBF\xBD\" to a number");
}

TEST_F(EvaluatorTest, DateFunctions) {
  EXPECT_EQ(Show("DATE_ADD('2026-01-01T00:00:00Z', 3600)"), "\"2026-01-01T01:00:00Z\"");
  EXPECT_EQ(Show("DATE_ADD(ts, INTERVAL '1d')"), "\"2026-01-09T00:00:00Z\"");
  EXPECT_EQ(Show("DATE_ADD('2026-01-01', 1.5)"), "\"2026-01-01T00:00:01.5Z\"");
  EXPECT_EQ(Show("DATE_ADD('2026-01-01', -86400)"), "\"2025-12-31T00:00:00Z\"");
  EXPECT_EQ(Show("DATE_ADD(NULL, 1)"), "null");
  EXPECT_EQ(Error("DATE_ADD('nope', 1)"), "1:7: DATE_ADD() argument 1 must be an ISO-8601 timestamp, got \"nope\"");
  EXPECT_EQ(Error("DATE_ADD(ts, '1d')"), "1:7: DATE_ADD() needs seconds or an INTERVAL");

  EXPECT_EQ(Show("DATE_DIFF('2026-01-02T00:00:00Z', '2026-01-01T00:00:00Z')"), "86400");
  EXPECT_EQ(Show("DATE_DIFF('2026-01-01', '2026-01-02')"), "-86400");
  EXPECT_EQ(Show("DATE_DIFF('2026-01-01T00:00:00.5Z', '2026-01-01T00:00:00Z')"), "0.5");
  EXPECT_EQ(Error("DATE_DIFF(ts, 5)"), "1:7: DATE_DIFF() argument 2 must be an ISO-8601 timestamp, got 5");

  EXPECT_EQ(Show("DATE('2026-01-08T23:59:59Z')"), "\"2026-01-08\"");
  EXPECT_EQ(Show("EPOCH('1970-01-02T00:00:00Z')"), "86400");
  EXPECT_EQ(Show("EPOCH('1970-01-01T01:00:00+01:00')"), "0");
  EXPECT_EQ(Show("FROM_EPOCH(0)"), "\"1970-01-01T00:00:00Z\"");
  EXPECT_EQ(Show("FROM_EPOCH(86400.25)"), "\"1970-01-02T00:00:00.25Z\"");
  EXPECT_EQ(Show("FROM_EPOCH(EPOCH(ts))"), "\"2026-01-08T00:00:00Z\"");
  EXPECT_EQ(Error("FROM_EPOCH('0')"), "1:7: FROM_EPOCH() needs a number of seconds");
}

TEST_F(EvaluatorTest, MockRequestsNeedsASession) {
  EXPECT_EQ(KindOf("MOCK_REQUESTS()"), ErrorKind::kNotFound) << "the interpreter provides it, not the built-ins";
}

TEST_F(EvaluatorTest, WrongArgumentCounts) {
  EXPECT_EQ(Error("LENGTH('a', 'b')"), "1:7: LENGTH() takes 1 argument, got 2");
  EXPECT_EQ(Error("SUBSTR('a')"), "1:7: SUBSTR() takes 2 to 3 arguments, got 1");
  EXPECT_EQ(Error("CURRENT_TIMESTAMP(1)"), "1:7: CURRENT_TIMESTAMP() takes 0 arguments, got 1");
  EXPECT_EQ(Error("DATE_DIFF(ts)"), "1:7: DATE_DIFF() takes 2 arguments, got 1");
  EXPECT_EQ(Error("ENV()"), "1:7: ENV() takes 1 to 2 arguments, got 0");
  EXPECT_EQ(Error("COALESCE()"), "1:7: COALESCE() takes 1 to 64 arguments, got 0");
  EXPECT_EQ(Error("1 + TYPEOF()"), "1:11: TYPEOF() takes 1 argument, got 0");
  EXPECT_EQ(KindOf("LENGTH()"), ErrorKind::kType);
}

TEST_F(EvaluatorTest, UnknownFunction) {
  EXPECT_EQ(Error("frob(1)"), "1:7: unknown function FROB()");
  EXPECT_EQ(Error("[1, nope()]"), "1:11: unknown function NOPE()");
  EXPECT_EQ(KindOf("frob(1)"), ErrorKind::kNotFound);
}

TEST_F(EvaluatorTest, ArgumentErrorsComeBeforeTheCall) {
  // Arguments are evaluated first, so the inner error wins.
  EXPECT_EQ(Error("frob(1 / 0)"), "1:12: division by zero");
}

// --- variables --------------------------------------------------------------------

TEST(VariablesTest, DeclareFindAndCaseInsensitiveNames) {
  Variables variables;
  EXPECT_EQ(variables.Find("x"), nullptr);
  variables.Declare("MyVar", Value(1));
  ASSERT_NE(variables.Find("myvar"), nullptr);
  EXPECT_EQ(*variables.Find("MYVAR"), Value(1));
  variables.Declare("MYVAR", Value(2));  // re-declaring replaces
  EXPECT_EQ(*variables.Find("MyVar"), Value(2));
  EXPECT_EQ(Variables::Key("MiXeD_1"), "mixed_1");
}

TEST(VariablesTest, InnerScopeShadowsAndPopRestores) {
  Variables variables;
  variables.Declare("x", Value("outer"));
  variables.PushScope();
  EXPECT_EQ(*variables.Find("x"), Value("outer"));  // visible from inside
  variables.Declare("X", Value("inner"));
  EXPECT_EQ(*variables.Find("x"), Value("inner"));
  variables.Declare("only_inner", Value(1));
  variables.PopScope();
  EXPECT_EQ(*variables.Find("x"), Value("outer"));
  EXPECT_EQ(variables.Find("only_inner"), nullptr);
}

TEST(VariablesTest, AssignUpdatesTheInnermostDeclaringScope) {
  Variables variables;
  variables.Declare("total", Value(0));
  variables.PushScope();
  variables.PushScope();
  EXPECT_TRUE(variables.Assign("TOTAL", Value(5)));
  variables.PopScope();
  variables.PopScope();
  EXPECT_EQ(*variables.Find("total"), Value(5));  // the outer variable changed

  variables.PushScope();
  variables.Declare("total", Value(100));
  EXPECT_TRUE(variables.Assign("total", Value(101)));
  variables.PopScope();
  EXPECT_EQ(*variables.Find("total"), Value(5));  // only the shadow changed

  EXPECT_FALSE(variables.Assign("undeclared", Value(1)));
  EXPECT_EQ(variables.Find("undeclared"), nullptr);
}

TEST(VariablesTest, GlobalScopeCannotBePoppedAndClearEmpties) {
  Variables variables;
  variables.Declare("g", Value(1));
  variables.PopScope();
  variables.PopScope();
  ASSERT_NE(variables.Find("g"), nullptr);
  variables.PushScope();
  variables.Declare("h", Value(2));
  variables.Clear();
  EXPECT_EQ(variables.Find("g"), nullptr);
  EXPECT_EQ(variables.Find("h"), nullptr);
  variables.Declare("after", Value(3));  // usable after Clear
  EXPECT_EQ(*variables.Find("after"), Value(3));
}

TEST(VariablesTest, EvaluatorSeesScopes) {
  Variables variables;
  variables.Declare("x", Value(1));
  ParseResult parsed = Parse(std::make_shared<const SourceFile>(SourceFile{"t", "PRINT X + 1;"}));
  ASSERT_TRUE(parsed.ok());
  const ast::Expr& expr = *std::get<ast::PrintStmt>(parsed.program.statements[0].node).values[0];
  Evaluator evaluator(variables, EvalHooks{});
  EXPECT_EQ(evaluator.Eval(expr)->dump(), "2");
  variables.PushScope();
  variables.Declare("x", Value(41));
  EXPECT_EQ(evaluator.Eval(expr)->dump(), "42");
  variables.PopScope();
  EXPECT_EQ(evaluator.Eval(expr)->dump(), "2");
}

}  // namespace
}  // namespace sluice
