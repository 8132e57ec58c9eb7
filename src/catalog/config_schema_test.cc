#include "catalog/config_schema.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace sluice {
namespace {

const Value kSchema = Value::parse(R"({
  "api_url": {"type": "string", "required": true},
  "api_key": {"type": "string", "required": true, "secret": true},
  "port":    {"type": "integer", "default": 443},
  "ratio":   {"type": "number"},
  "verbose": {"type": "boolean", "default": false},
  "headers": {"type": "object"},
  "scopes":  {"type": "array"},
  "note":    {"description": "any value"}
})");

class ConfigSchemaTest : public ::testing::Test {
 protected:
  // A valid config to vary one key at a time.
  static Value Base() {
    return Value::parse(
        R"({"api_url": "https://api.example.com", "api_key": "{{secrets.my_key}}"})");
  }

  Status Validate(Value& config) {
    return ValidateConfig(kSchema, config, [this](const std::string& name) -> Result<bool> {
      asked_.push_back(name);
      return secrets_.count(name) > 0;
    });
  }
  Status ValidateWith(const std::string& key, Value value) {
    Value config = Base();
    config[key] = std::move(value);
    return Validate(config);
  }

  std::set<std::string> secrets_ = {"my_key", "tok"};
  std::vector<std::string> asked_;
};

TEST_F(ConfigSchemaTest, ValidConfigPassesAndGetsDefaults) {
  Value config = Base();
  ASSERT_TRUE(Validate(config).ok());
  EXPECT_EQ(config["port"], 443);
  EXPECT_EQ(config["verbose"], false);
  // No default: the key stays absent rather than becoming null.
  EXPECT_FALSE(config.contains("ratio"));
  // Templates are kept as written, never resolved here.
  EXPECT_EQ(config["api_key"], "{{secrets.my_key}}");
  EXPECT_EQ(asked_, (std::vector<std::string>{"my_key"}));
}

TEST_F(ConfigSchemaTest, GivenValueBeatsDefault) {
  Value config = Base();
  config["port"] = 8443;
  ASSERT_TRUE(Validate(config).ok());
  EXPECT_EQ(config["port"], 8443);
}

TEST_F(ConfigSchemaTest, RequiredKeysMustBePresent) {
  Value config = Value::parse(R"({"api_key": "{{secrets.my_key}}"})");
  Status status = Validate(config);
  EXPECT_EQ(status.kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(status.message(), "config key 'api_url' is required");

  Value null_url = Base();
  null_url["api_url"] = nullptr;
  EXPECT_EQ(Validate(null_url).message(), "config key 'api_url' is required");
}

TEST_F(ConfigSchemaTest, WrongTypesAreNamedWithTheValue) {
  Status status = ValidateWith("port", "abc");
  EXPECT_EQ(status.kind(), ErrorKind::kType);
  EXPECT_EQ(status.message(), R"(config key 'port' must be integer, got string "abc")");
  EXPECT_EQ(ValidateWith("port", 80.5).message(), "config key 'port' must be integer, got number 80.5");
  EXPECT_EQ(ValidateWith("verbose", "true").kind(), ErrorKind::kType);
  EXPECT_EQ(ValidateWith("ratio", "1.5").kind(), ErrorKind::kType);
  EXPECT_EQ(ValidateWith("headers", Value::array()).kind(), ErrorKind::kType);
  EXPECT_EQ(ValidateWith("scopes", Value::object()).kind(), ErrorKind::kType);
  EXPECT_EQ(ValidateWith("api_url", 42).message(),
            "config key 'api_url' must be string, got integer 42");
}

// A credential of the wrong type is still a credential: only its type is said.
TEST_F(ConfigSchemaTest, WrongTypesOfSecretsAreNamedWithoutTheValue) {
  // Credential-like names, not declared secret (a declared one refuses a
  // literal before its type is looked at).
  const Value schema = Value::parse(R"({"api_key": {"type": "string"}, "token": {"type": "string"}})");
  Value config = Value::parse(R"({"api_key": 987654321})");
  EXPECT_EQ(ValidateConfig(schema, config, nullptr).message(),
            "config key 'api_key' must be string, got integer");
  Value array = Value::parse(R"({"token": ["ArrSecret1"]})");
  Status status = ValidateConfig(schema, array, nullptr);
  EXPECT_EQ(status.kind(), ErrorKind::kType);
  EXPECT_EQ(status.message().find("ArrSecret1"), std::string::npos) << status.message();
}

TEST_F(ConfigSchemaTest, NumericTypes) {
  Value config = Base();
  config["port"] = 8080.0;  // a whole float is an integer
  ASSERT_TRUE(Validate(config).ok());
  EXPECT_TRUE(config["port"].is_number_integer());
  EXPECT_EQ(config["port"], 8080);
  EXPECT_TRUE(ValidateWith("ratio", 1).ok());
  EXPECT_TRUE(ValidateWith("ratio", 1.5).ok());
  EXPECT_TRUE(ValidateWith("port", 1e300).kind() == ErrorKind::kType);
  EXPECT_TRUE(ValidateWith("port", true).kind() == ErrorKind::kType);
  EXPECT_TRUE(ValidateWith("headers", Value::parse(R"({"X-A": "b"})")).ok());
  EXPECT_TRUE(ValidateWith("scopes", Value::parse(R"(["read"])")).ok());
  EXPECT_TRUE(ValidateWith("note", Value::parse(R"([1, {"any": "thing"}])")).ok());
}

TEST_F(ConfigSchemaTest, UnknownKeyIsNamedWithKnownKeys) {
  Value schema = Value::parse(R"({"api_url": {"type": "string"}, "api_key": {"type": "string"}})");
  Value config = Value::parse(R"({"api_ur": "https://x"})");
  Status status = ValidateConfig(schema, config, nullptr);
  EXPECT_EQ(status.kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(status.message(), "unknown config key 'api_ur' (known keys: api_key, api_url)");
}

TEST_F(ConfigSchemaTest, LiteralSecretIsRejectedWithoutEchoingIt) {
  const std::string literal = "sk_live_51HxQ2eVeryPrivate";
  Status status = ValidateWith("api_key", literal);
  EXPECT_EQ(status.kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(status.message().find(literal), std::string::npos) << status.message();
  EXPECT_EQ(status.message().find("sk_live"), std::string::npos);
  EXPECT_NE(status.message().find("config key 'api_key' is secret"), std::string::npos);
  EXPECT_NE(status.message().find("CREATE SECRET"), std::string::npos);
  EXPECT_NE(status.message().find("{{secrets."), std::string::npos);

  Status number = ValidateWith("api_key", 123456789);
  EXPECT_EQ(number.kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(number.message().find("123456789"), std::string::npos);

  // A typo'd template must not be echoed either: it fails, but quietly.
  Status typo = ValidateWith("api_key", "{{secret.my_key}}");
  EXPECT_EQ(typo.kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(typo.message().find("{{secret.my_key}}"), std::string::npos);

  // Text around a template is still a literal in a secret key.
  EXPECT_EQ(ValidateWith("api_key", "Bearer {{secrets.tok}}").kind(),
            ErrorKind::kInvalidArgument);
}

TEST_F(ConfigSchemaTest, TemplatesAreAccepted) {
  EXPECT_TRUE(ValidateWith("api_key", "{{ secrets.my_key }}").ok());
  asked_.clear();
  EXPECT_TRUE(ValidateWith("api_key", "{{env.MYSERVICE_KEY}}").ok());
  EXPECT_TRUE(asked_.empty()) << "env templates need no secret";
  // A whole template stands for any type; its value is checked when resolved.
  EXPECT_TRUE(ValidateWith("port", "{{env.PORT}}").ok());
  EXPECT_TRUE(ValidateWith("verbose", "{{ env.VERBOSE }}").ok());
  // Embedded in a longer string, for a string key.
  EXPECT_TRUE(ValidateWith("api_url", "https://{{env.HOST}}/v1").ok());
  asked_.clear();
  EXPECT_TRUE(ValidateWith("api_url", "https://x/{{secrets.tok}}?a={{env.A}}").ok());
  // Keys are checked in schema order: api_url before api_key.
  EXPECT_EQ(asked_, (std::vector<std::string>{"tok", "my_key"}));
  // Not a whole template, so an integer key sees a string.
  EXPECT_EQ(ValidateWith("port", "80{{env.X}}").kind(), ErrorKind::kType);
  // Other {{…}} text is somebody else's placeholder and passes as text.
  EXPECT_TRUE(ValidateWith("api_url", "https://x/{{item.id}}").ok());
}

TEST_F(ConfigSchemaTest, TemplateNamingMissingSecret) {
  Status status = ValidateWith("api_key", "{{secrets.x}}");
  EXPECT_EQ(status.kind(), ErrorKind::kNotFound);
  EXPECT_EQ(status.message(), "config key 'api_key' refers to secret 'x', which does not exist");
  Status embedded = ValidateWith("api_url", "Bearer {{secrets.nope}}");
  EXPECT_EQ(embedded.message(),
            "config key 'api_url' refers to secret 'nope', which does not exist");
}

TEST_F(ConfigSchemaTest, MalformedTemplatesAreErrors) {
  for (const char* text : {"{{secrets.}}", "{{env.X}", "{{ENV.X}}", "https://{{secret.tok}}"}) {
    Status status = ValidateWith("api_url", text);
    EXPECT_EQ(status.kind(), ErrorKind::kInvalidArgument) << text;
    EXPECT_NE(status.message().find("config key 'api_url'"), std::string::npos) << text;
  }
}

TEST_F(ConfigSchemaTest, SecretLookupErrorsPropagate) {
  Value config = Base();
  Status status = ValidateConfig(kSchema, config, [](const std::string&) -> Result<bool> {
    return Status(ErrorKind::kSql, "database is locked");
  });
  EXPECT_EQ(status.kind(), ErrorKind::kSql);
}

TEST_F(ConfigSchemaTest, ConfigMustBeAnObject) {
  Value config = Value::array();
  EXPECT_EQ(Validate(config).kind(), ErrorKind::kType);
}

TEST(ValidateConfigSchemaTest, AcceptsTheDesignExample) {
  EXPECT_TRUE(ValidateConfigSchema(kSchema).ok());
  EXPECT_TRUE(ValidateConfigSchema(Value::object()).ok());
}

TEST(ValidateConfigSchemaTest, RejectsBadDefinitionsNamingTheKey) {
  Status type = ValidateConfigSchema(Value::parse(R"({"port": {"type": "int"}})"));
  EXPECT_EQ(type.kind(), ErrorKind::kInvalidArgument);
  EXPECT_NE(type.message().find("'port'"), std::string::npos);
  EXPECT_NE(type.message().find("'int'"), std::string::npos);

  Status attribute = ValidateConfigSchema(Value::parse(R"({"url": {"requird": true}})"));
  EXPECT_EQ(attribute.kind(), ErrorKind::kInvalidArgument);
  EXPECT_NE(attribute.message().find("'requird'"), std::string::npos);

  EXPECT_EQ(ValidateConfigSchema(Value::parse(R"({"url": {"required": "yes"}})")).kind(),
            ErrorKind::kType);
  EXPECT_EQ(ValidateConfigSchema(Value::parse(R"({"url": "string"})")).kind(), ErrorKind::kType);
  EXPECT_EQ(ValidateConfigSchema(Value::parse(R"(["url"])")).kind(), ErrorKind::kType);

  Status bad_default =
      ValidateConfigSchema(Value::parse(R"({"port": {"type": "integer", "default": "x"}})"));
  EXPECT_EQ(bad_default.kind(), ErrorKind::kType);
  EXPECT_NE(bad_default.message().find("'port'"), std::string::npos);

  Status secret_default = ValidateConfigSchema(
      Value::parse(R"({"key": {"type": "string", "secret": true, "default": "hunter22"}})"));
  EXPECT_FALSE(secret_default.ok());
  EXPECT_EQ(secret_default.message().find("hunter22"), std::string::npos);
  EXPECT_TRUE(ValidateConfigSchema(Value::parse(
                  R"({"key": {"type": "string", "secret": true, "default": "{{env.KEY}}"}})"))
                  .ok());
}

TEST(ValidateFieldsTest, AcceptsAllFieldTypesAndAttributes) {
  Value fields = Value::parse(R"({
    "id": {"type": "string", "primary_key": true, "description": "the id"},
    "status": {"type": "string", "filterable": true, "sortable": true},
    "count": {"type": "integer", "required": true, "nullable": false},
    "score": {"type": "number"}, "done": {"type": "boolean"},
    "created_at": {"type": "timestamp"}, "day": {"type": "date"},
    "metadata": {"type": "document"}, "labels": {"type": "array"}})");
  Status status = ValidateFields(fields);
  EXPECT_TRUE(status.ok()) << status.ToString();
}

// Fields are columns, and SQLite folds ASCII case in column names.
TEST(ValidateFieldsTest, RefusesFieldsDifferingOnlyInCase) {
  Status twin = ValidateFields(Value::parse(R"({"id": {"type": "integer"}, "ID": {"type": "string"}})"));
  EXPECT_EQ(twin.message(),
            "field 'ID' differs only in letter case from field 'id'; SQLite does not tell column "
            "names apart by case: rename one");
  // Only ASCII folds, as in SQLite.
  EXPECT_TRUE(ValidateFields(Value::parse(R"({"caf\u00e9": {"type": "string"}, "caf\u00c9": {"type": "string"}})")).ok());
}

TEST(ValidateFieldsTest, ErrorsNameTheField) {
  Status type = ValidateFields(Value::parse(R"({"id": {"type": "strng"}})"));
  EXPECT_EQ(type.kind(), ErrorKind::kInvalidArgument);
  EXPECT_NE(type.message().find("field 'id'"), std::string::npos);
  EXPECT_NE(type.message().find("'strng'"), std::string::npos);
  EXPECT_NE(type.message().find("timestamp"), std::string::npos);  // lists the known types

  Status missing = ValidateFields(Value::parse(R"({"id": {"primary_key": true}})"));
  EXPECT_EQ(missing.kind(), ErrorKind::kInvalidArgument);
  EXPECT_NE(missing.message().find("field 'id' has no type"), std::string::npos);

  Status attribute = ValidateFields(Value::parse(R"({"id": {"type": "string", "primary": 1}})"));
  EXPECT_EQ(attribute.kind(), ErrorKind::kInvalidArgument);
  EXPECT_NE(attribute.message().find("'primary'"), std::string::npos);

  EXPECT_EQ(ValidateFields(Value::parse(R"({"id": {"type": "string", "primary_key": "yes"}})"))
                .kind(),
            ErrorKind::kType);
  EXPECT_EQ(ValidateFields(Value::parse(R"({"id": {"type": 3}})")).kind(), ErrorKind::kType);
  EXPECT_EQ(ValidateFields(Value::parse(R"({"id": "string"})")).kind(), ErrorKind::kType);
  EXPECT_EQ(ValidateFields(Value::array()).kind(), ErrorKind::kType);
  EXPECT_EQ(ValidateFields(Value::object()).kind(), ErrorKind::kInvalidArgument);
}

TEST(ValidateOptionsTest, SyncTableIsTextNamingTheEntity) {
  EXPECT_TRUE(ValidateOptions(Value::parse(R"({"sync_table": "raw_{connector}_{entity}"})")).ok());
  EXPECT_FALSE(ValidateOptions(Value::parse(R"({"sync_table": "one_table"})")).ok()) << "entities would collide";
  EXPECT_FALSE(ValidateOptions(Value::parse(R"({"sync_table": 3})")).ok());
}

TEST(ValidateOptionsTest, InvalidUtf8IsReplaceOrError) {
  EXPECT_TRUE(
      ValidateOptions(Value::parse(R"({"invalid_utf8": "replace", "max_response_mb": 16})")).ok());
  EXPECT_TRUE(ValidateOptions(Value::parse(R"({"invalid_utf8": "error"})")).ok());
  Status other = ValidateOptions(Value::parse(R"({"invalid_utf8": "ignore"})"));
  EXPECT_EQ(other.message(),
            "option 'invalid_utf8' must be \"replace\" or \"error\", got string \"ignore\"");
  EXPECT_FALSE(ValidateOptions(Value::parse(R"({"max_response_mb": "64"})")).ok());
}

TEST(ValidateOptionsTest, KnownNonNegativeNumbers) {
  EXPECT_TRUE(ValidateOptions(Value::parse(R"({"rate_limit": 10, "rate_limit_burst": 50,
      "timeout_seconds": 2.5, "retry_count": 0, "cache_ttl": 60, "batch_size": 100,
      "concurrency": 4})")).ok());
  EXPECT_TRUE(ValidateOptions(Value::object()).ok());
  EXPECT_TRUE(ValidateOptions(Value::parse("{\"batch_size\": 18446744073709551615}")).ok());

  Status unknown = ValidateOptions(Value::parse(R"({"rate_limt": 10})"));
  EXPECT_EQ(unknown.kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(unknown.message(),
            "unknown option 'rate_limt' (known options: batch_size, cache_ttl, concurrency, "
            "invalid_utf8, lease_seconds, max_attempts, max_response_mb, rate_limit, rate_limit_burst, retry_count, sync_table, "
            "timeout_seconds)");

  Status negative = ValidateOptions(Value::parse(R"({"retry_count": -1})"));
  EXPECT_EQ(negative.kind(), ErrorKind::kInvalidArgument);
  EXPECT_NE(negative.message().find("'retry_count'"), std::string::npos);
  EXPECT_FALSE(ValidateOptions(Value::parse(R"({"timeout_seconds": -0.5})")).ok());

  EXPECT_EQ(ValidateOptions(Value::parse(R"({"rate_limit": "10"})")).kind(), ErrorKind::kType);
  EXPECT_EQ(ValidateOptions(Value::parse(R"({"rate_limit": true})")).kind(), ErrorKind::kType);
  EXPECT_EQ(ValidateOptions(Value::array()).kind(), ErrorKind::kType);
}

}  // namespace
}  // namespace sluice
