#include "core/credential.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(CredentialTest, NamesThatAreCredentials) {
  // Each of the three former rules' words, in several letter cases.
  for (const char* name : {"password",     "PASSWORD",      "Password",
                           "db_password",  "passwd",        "PassWD",
                           "secret",       "client_secret", "token",
                           "access_token", "Token",         "key",
                           "api_key",      "apikey",        "API_KEY",
                           "apiKey",       "private_key",   "privatekey",
                           "credential",   "credentials",   "gcp_credentials_json",
                           "privateKey",   "x-api-key",     "AccessKey",
                           "secret_access_key", "ssh_key",  "service_account_key",
                           "clientKey",    "Key"}) {
    EXPECT_TRUE(LooksLikeCredentialName(name)) << name;
  }
}

TEST(CredentialTest, NamesThatAreNot) {
  for (const char* name :
       {"", "path", "host", "port", "user", "username", "base_url", "accounts", "concurrency",
        "database", "schema", "pass", "pw", "auth", "sec", "tok", "ke_y",
        // "key" as part of a setting's name, not a credential.
        "primary_key", "primaryKey", "keys", "sort_key", "keyspace", "keyword", "monkey", "partition_key",
        "key_field", "turkey"}) {
    EXPECT_FALSE(LooksLikeCredentialName(name)) << name;
  }
}

TEST(CredentialTest, ConnectionStringsWithAPassword) {
  EXPECT_TRUE(HoldsPassword("postgresql://user:pw@host/db"));
  EXPECT_TRUE(HoldsPassword("postgres://u:p@h"));
  EXPECT_TRUE(HoldsPassword("host=h password=pw"));
  EXPECT_TRUE(HoldsPassword("host=h PASSWORD=pw"));
}

TEST(CredentialTest, ConnectionStringsWithout) {
  EXPECT_FALSE(HoldsPassword(""));
  EXPECT_FALSE(HoldsPassword("postgresql://user@host/db"));
  EXPECT_FALSE(HoldsPassword("postgresql://host:5432/db"));
  // An '@' after the path is part of the path, not a user.
  EXPECT_FALSE(HoldsPassword("postgresql://host:5432/db@x"));
  EXPECT_FALSE(HoldsPassword("host=h user=u dbname=d"));
  EXPECT_FALSE(HoldsPassword("out/rows.jsonl"));
}

}  // namespace
}  // namespace sluice
