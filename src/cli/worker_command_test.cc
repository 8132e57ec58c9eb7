#include "cli/worker_command.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(ConnectionStringPassword, FindsItInEveryForm) {
  EXPECT_EQ(ConnectionStringPassword("postgresql://user:s3cret@db.example:5432/app"), "s3cret");
  EXPECT_EQ(ConnectionStringPassword("postgres://user:p%40ss%2Fw@db/app?sslmode=require"), "p@ss/w");
  // An '@' left unencoded in the password: the last one ends the user information.
  EXPECT_EQ(ConnectionStringPassword("postgresql://user:a@b@db/app"), "a@b");
  EXPECT_EQ(ConnectionStringPassword("postgresql://user@db/app?sslmode=disable&password=q%20r"), "q r");
  EXPECT_EQ(ConnectionStringPassword("host=db user=u password=plain dbname=app"), "plain");
  EXPECT_EQ(ConnectionStringPassword("host=db password = 'it''s' dbname=app"), "it");
  EXPECT_EQ(ConnectionStringPassword("host=db password='a b\\'c' dbname=app"), "a b'c");
  EXPECT_EQ(ConnectionStringPassword("password=pässwörd"), "pässwörd");
}

TEST(ConnectionStringPassword, NoneOrMalformed) {
  EXPECT_EQ(ConnectionStringPassword("postgresql://user@db/app"), "");
  EXPECT_EQ(ConnectionStringPassword("postgresql://db"), "");
  EXPECT_EQ(ConnectionStringPassword("host=db user=u"), "");
  EXPECT_EQ(ConnectionStringPassword(""), "");
  EXPECT_EQ(ConnectionStringPassword("garbage without equals"), "");
  EXPECT_EQ(ConnectionStringPassword("password='unterminated"), "unterminated");
  EXPECT_EQ(ConnectionStringPassword("postgresql://u:%zz@db"), "%zz");
  EXPECT_EQ(ConnectionStringPassword("postgresql://u:%4@db"), "%4");
}

}  // namespace
}  // namespace sluice
