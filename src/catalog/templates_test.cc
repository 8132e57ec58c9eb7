#include "catalog/templates.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>

namespace sluice {
namespace {

SecretLookup Secrets(std::map<std::string, std::string> values) {
  return [values](const std::string& name) -> Result<std::string> {
    auto found = values.find(name);
    if (found == values.end())
      return Status(ErrorKind::kNotFound, "secret '" + name + "' does not exist");
    return found->second;
  };
}

TEST(TemplatesTest, ResolvesSecretsAndEnvironment) {
  setenv("SLUICE_TEMPLATES_TEST_HOST", "api.example.com", 1);
  Value config = {{"token", "{{secrets.gh}}"},
                  {"url", "https://{{ env.SLUICE_TEMPLATES_TEST_HOST }}/v1"},
                  {"plain", "no templates"},
                  {"count", 3}};
  Result<Value> resolved =
      ResolveConnectorConfig(config, Value::object(), Secrets({{"gh", "s3cret"}}));
  ASSERT_TRUE(resolved.ok()) << resolved.status().ToString();
  EXPECT_EQ(
      resolved->dump(),
      R"({"token":"s3cret","url":"https://api.example.com/v1","plain":"no templates","count":3})");
}

TEST(TemplatesTest, ASigningKeyIsNeverResolvedIntoAConfig) {
  Value config = {{"k", "{{secrets.release}}"}};
  Result<Value> resolved = ResolveConnectorConfig(
      config, Value::object(), Secrets({{"release", "sluice-ed25519-secret:RWQfakefakefake"}}));
  ASSERT_FALSE(resolved.ok());
  EXPECT_NE(resolved.status().message().find("only for PUBLISH"), std::string::npos)
      << resolved.status().message();
  EXPECT_EQ(resolved.status().message().find("RWQfake"), std::string::npos);
}

TEST(TemplatesTest, TwoTemplatesInOneString) {
  setenv("SLUICE_TEMPLATES_TEST_USER", "ann", 1);
  Value config = {{"auth", "{{env.SLUICE_TEMPLATES_TEST_USER}}:{{secrets.pw}}"}};
  Result<Value> resolved =
      ResolveConnectorConfig(config, Value::object(), Secrets({{"pw", "hunter2"}}));
  ASSERT_TRUE(resolved.ok());
  EXPECT_EQ((*resolved)["auth"], "ann:hunter2");
}

TEST(TemplatesTest, LeavesOtherBracesAndNestedValuesAlone) {
  Value config = {{"query", "{{ not.ours }} and {{secrets.k}}"},
                  {"nested", {{"token", "{{secrets.k}}"}}},
                  {"list", Value::array({"{{secrets.k}}"})}};
  Result<Value> resolved = ResolveConnectorConfig(config, Value::object(), Secrets({{"k", "v"}}));
  ASSERT_TRUE(resolved.ok());
  EXPECT_EQ((*resolved)["query"], "{{ not.ours }} and v");
  // Only top-level strings are templates: nested ones pass as written.
  EXPECT_EQ((*resolved)["nested"]["token"], "{{secrets.k}}");
  EXPECT_EQ((*resolved)["list"][0], "{{secrets.k}}");
}

TEST(TemplatesTest, MissingSecretNamesTheKey) {
  Value config = {{"token", "{{secrets.nope}}"}};
  Result<Value> resolved = ResolveConnectorConfig(config, Value::object(), Secrets({}));
  ASSERT_FALSE(resolved.ok());
  EXPECT_EQ(resolved.status().kind(), ErrorKind::kNotFound);
  EXPECT_EQ(resolved.status().message(), "config key 'token': secret 'nope' does not exist");
}

TEST(TemplatesTest, MissingEnvironmentVariableNamesTheKey) {
  unsetenv("SLUICE_TEMPLATES_TEST_UNSET");
  Value config = {{"host", "{{env.SLUICE_TEMPLATES_TEST_UNSET}}"}};
  Result<Value> resolved = ResolveConnectorConfig(config, Value::object(), Secrets({}));
  ASSERT_FALSE(resolved.ok());
  EXPECT_EQ(resolved.status().kind(), ErrorKind::kNotFound);
  EXPECT_EQ(resolved.status().message(),
            "config key 'host': environment variable 'SLUICE_TEMPLATES_TEST_UNSET' is not set");
}

TEST(TemplatesTest, DestinationErrorsNameTheOwner) {
  unsetenv("SLUICE_TEMPLATES_TEST_UNSET");
  Value config = {{"password", "{{env.SLUICE_TEMPLATES_TEST_UNSET}}"}};
  Result<Value> resolved = ResolveDestinationConfig(config, "destination 'warehouse'", Secrets({}));
  ASSERT_FALSE(resolved.ok());
  EXPECT_EQ(resolved.status().message(),
            "destination 'warehouse': config key 'password': environment variable "
            "'SLUICE_TEMPLATES_TEST_UNSET' is not set");
  Result<Value> missing =
      ResolveDestinationConfig({{"password", "{{secrets.pg}}"}}, "destination 'w'", Secrets({}));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(),
            "destination 'w': config key 'password': secret 'pg' does not exist");
}

TEST(TemplatesTest, SecretNamesInFindsEveryNamedSecretNestedToo) {
  Value config = Value::parse(R"({"token": "{{ secrets.a }}", "url": "https://{{env.HOST}}/{{secrets.b}}",
    "nested": {"list": ["x {{secrets.c}}", 7, null]}, "open": "{{secrets.never", "other": "{{vars.d}}"})");
  EXPECT_EQ(SecretNamesIn(config), (std::set<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(SecretNamesIn(Value("no templates")).empty());
}

}  // namespace
}  // namespace sluice
