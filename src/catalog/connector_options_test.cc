#include "catalog/connector_options.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "catalog/config_schema.h"

namespace sluice {
namespace {

TEST(ConnectorOptionsTest, SortedAndUnique) {
  auto options = ConnectorOptions();
  ASSERT_EQ(options.size(), 10u);
  for (size_t i = 1; i < options.size(); ++i) EXPECT_LT(options[i - 1].name, options[i].name);
}

TEST(ConnectorOptionsTest, FindKnowsEveryOptionAndNoOther) {
  for (const ConnectorOption& option : ConnectorOptions()) {
    EXPECT_EQ(FindConnectorOption(option.name), &option);
  }
  EXPECT_EQ(FindConnectorOption("timeout"), nullptr);
  EXPECT_EQ(FindConnectorOption(""), nullptr);
}

TEST(ConnectorOptionsTest, DefaultsWhenAbsent) {
  Value none = Value::object();
  EXPECT_EQ(OptionNumber(none, "timeout_seconds"), 60);
  EXPECT_EQ(OptionNumber(none, "retry_count"), 3);
  EXPECT_EQ(OptionNumber(none, "rate_limit"), 0);
  EXPECT_EQ(OptionNumber(none, "rate_limit_burst"), 0);
  EXPECT_EQ(OptionNumber(none, "cache_ttl"), 0);
  EXPECT_EQ(OptionNumber(none, "max_response_mb"), 64);
  EXPECT_EQ(OptionInt(none, "concurrency"), 4);
  EXPECT_EQ(OptionInt(none, "batch_size"), 10000);
  EXPECT_EQ(OptionText(none, "sync_table"), "{connector}_{entity}");
  EXPECT_EQ(OptionText(none, "invalid_utf8"), "replace");
  // Not an object at all (a connector with no OPTIONS): the defaults too.
  EXPECT_EQ(OptionNumber(Value(), "timeout_seconds"), 60);
  EXPECT_EQ(OptionInt(Value(), "concurrency"), 4);
  EXPECT_EQ(OptionText(Value(), "sync_table"), "{connector}_{entity}");
}

TEST(ConnectorOptionsTest, SetValuesOfTheRightType) {
  Value options = Value::parse(
      R"({"timeout_seconds": 2.5, "concurrency": 8, "batch_size": 0, "sync_table": "raw_{entity}",
          "invalid_utf8": "error"})");
  EXPECT_EQ(OptionNumber(options, "timeout_seconds"), 2.5);
  EXPECT_EQ(OptionInt(options, "concurrency"), 8);
  EXPECT_EQ(OptionInt(options, "batch_size"), 0);
  EXPECT_EQ(OptionText(options, "sync_table"), "raw_{entity}");
  EXPECT_EQ(OptionText(options, "invalid_utf8"), "error");
}

TEST(ConnectorOptionsTest, ValuesOfAnotherTypeReadAsTheDefault) {
  Value options = Value::parse(R"({"concurrency": 2.5, "timeout_seconds": "30", "sync_table": 3})");
  EXPECT_EQ(OptionInt(options, "concurrency"), 4);
  EXPECT_EQ(OptionNumber(options, "timeout_seconds"), 60);
  EXPECT_EQ(OptionText(options, "sync_table"), "{connector}_{entity}");
  // A whole number reads as a number too.
  EXPECT_EQ(OptionNumber(Value::parse(R"({"retry_count": 5})"), "retry_count"), 5);
}

TEST(ConnectorOptionsTest, ValidationKnowsExactlyTheTable) {
  for (const ConnectorOption& option : ConnectorOptions()) {
    Value options = Value::object();
    switch (option.type) {
      case OptionType::kNumber:
      case OptionType::kInteger:
        options[std::string(option.name)] = 1;
        break;
      case OptionType::kChoice:
        options[std::string(option.name)] = std::string(option.choices[0]);
        break;
      case OptionType::kTableName:
        options[std::string(option.name)] = "t_{entity}";
        break;
    }
    EXPECT_TRUE(ValidateOptions(options).ok()) << option.name;
  }
  Status unknown = ValidateOptions(Value::parse(R"({"timeout": 1})"));
  EXPECT_EQ(unknown.kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(
      unknown.message(),
      "unknown option 'timeout' (known options: batch_size, cache_ttl, concurrency, invalid_utf8, "
      "lease_seconds, max_attempts, max_response_mb, rate_limit, rate_limit_burst, retry_count, sync_table, timeout_seconds)");
  Status negative = ValidateOptions(Value::parse(R"({"concurrency": -1})"));
  EXPECT_EQ(negative.message(), "option 'concurrency' must not be negative, got -1");
  // Options with a range: the distributed run's.
  EXPECT_EQ(ValidateOptions(Value::parse(R"({"max_attempts": 0})")).message(),
            "option 'max_attempts' must be from 1 to 100, got 0");
  EXPECT_FALSE(ValidateOptions(Value::parse(R"({"max_attempts": 101})")).ok());
  EXPECT_FALSE(ValidateOptions(Value::parse(R"({"lease_seconds": 2.5})")).ok());
  EXPECT_FALSE(ValidateOptions(Value::parse(R"({"lease_seconds": 3601})")).ok());
  EXPECT_TRUE(ValidateOptions(Value::parse(R"({"lease_seconds": 3600, "max_attempts": 100})")).ok());
  Status text = ValidateOptions(Value::parse(R"({"rate_limit": "x"})"));
  EXPECT_EQ(text.kind(), ErrorKind::kType);
  EXPECT_EQ(text.message(), "option 'rate_limit' must be a non-negative number, got string \"x\"");
}

TEST(ConnectorOptionsTest, DocsHoldTheTable) {
  std::ifstream file(std::string(SLUICE_SOURCE_DIR) + "/docs/language.md");
  ASSERT_TRUE(file) << "docs/language.md";
  std::stringstream text;
  text << file.rdbuf();
  const std::string doc = text.str();
  const std::string begin = "<!-- connector options: begin -->\n";
  const std::string end = "<!-- connector options: end -->";
  size_t from = doc.find(begin);
  size_t to = doc.find(end);
  ASSERT_NE(from, std::string::npos);
  ASSERT_NE(to, std::string::npos);
  from += begin.size();
  EXPECT_EQ(doc.substr(from, to - from), RenderOptionsMarkdown())
      << "docs/language.md's options table differs from src/catalog/connector_options.cc: paste "
         "RenderOptionsMarkdown()'s output between the markers";
}

}  // namespace
}  // namespace sluice
