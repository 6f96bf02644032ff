#include <gtest/gtest.h>

#include "pipeline/db/schema.hpp"

namespace pipeline::db {
namespace {

TEST(SplitStatementsTest, SplitsOnTerminatingSemicolons) {
  EXPECT_EQ(split_statements("CREATE TABLE a (x INT);\n\nCREATE TABLE b (y INT);  \n"),
            (std::vector<std::string>{"CREATE TABLE a (x INT)", "CREATE TABLE b (y INT)"}));
}

TEST(SplitStatementsTest, SkipsCommentsAndKeepsQuotedSemicolons) {
  const auto statements = split_statements(
      "-- a comment; with a semicolon\n"
      "# another;\n"
      "/* block; comment */ INSERT INTO t VALUES ('a;b', \"c;d\", `e;f`, 'it\\'s;');\n"
      "SELECT 1");
  ASSERT_EQ(statements.size(), 2u);
  EXPECT_EQ(statements[0], "INSERT INTO t VALUES ('a;b', \"c;d\", `e;f`, 'it\\'s;')");
  EXPECT_EQ(statements[1], "SELECT 1");
}

TEST(SplitStatementsTest, TheEmbeddedSchemaCreatesItsTables) {
  const auto statements = split_statements(schema_sql());
  ASSERT_EQ(statements.size(), kSchemaTables.size());
  for (std::size_t i = 0; i < statements.size(); ++i) {
    EXPECT_EQ(statements[i].rfind("CREATE TABLE IF NOT EXISTS " + std::string(kSchemaTables[i]) + " (", 0), 0u)
        << statements[i];
  }
}

}  // namespace
}  // namespace pipeline::db
