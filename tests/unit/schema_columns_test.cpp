#include "pipeline/db/schema_columns.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "pipeline/db/schema.hpp"

namespace pipeline::db {
namespace {

TEST(SchemaColumnsTest, ReadsTheLengthsOfTextColumnsInOrder) {
  const auto columns = column_lengths(
      "CREATE TABLE IF NOT EXISTS places (\n"
      "  id INT UNSIGNED NOT NULL AUTO_INCREMENT,\n"
      "  city VARCHAR(40) NOT NULL,\n"
      "  code CHAR(3) NULL,\n"
      "  PRIMARY KEY (id),\n"
      "  UNIQUE KEY uq (city, code)\n"
      ") ENGINE=InnoDB;\n"
      "create table `people` (`given_name` varchar ( 7 ) not null, born DATE);");
  EXPECT_EQ(columns,
            (std::vector<ColumnLength>{{"places", "city", 40}, {"places", "code", 3}, {"people", "given_name", 7}}));
}

TEST(SchemaColumnsTest, SkipsCommentsQuotesAndOtherStatements) {
  const auto columns = column_lengths(
      "-- CREATE TABLE fake (x VARCHAR(1));\n"
      "INSERT INTO t VALUES ('CREATE TABLE q (y VARCHAR(2))');\n"
      "/* city VARCHAR(3), */\n"
      "CREATE TABLE t (\n"
      "  a VARCHAR(10) COMMENT 'holds, (say) b VARCHAR(99)',\n"
      "  b DECIMAL(10, 2),\n"
      "  c VARCHAR(20) -- the last one\n"
      ");\n"
      "CREATE INDEX i ON t (a);");
  EXPECT_EQ(columns, (std::vector<ColumnLength>{{"t", "a", 10}, {"t", "c", 20}}));
}

TEST(SchemaColumnsTest, NoCreateTableMeansNoColumns) {
  EXPECT_TRUE(column_lengths("").empty());
  EXPECT_TRUE(column_lengths("SELECT 1; DROP TABLE people;").empty());
}

// The file the binary embeds declares the people and places columns that
// --check validates against.
TEST(SchemaColumnsTest, TheEmbeddedSchemaDeclaresPeopleAndPlaces) {
  const auto columns = column_lengths(schema_sql());
  for (const ColumnLength& expected : std::vector<ColumnLength>{{"places", "city", 100},
                                                                {"places", "county", 100},
                                                                {"places", "country", 100},
                                                                {"people", "given_name", 100},
                                                                {"people", "family_name", 100}}) {
    EXPECT_NE(std::find(columns.begin(), columns.end(), expected), columns.end())
        << expected.table << "." << expected.column;
  }
}

}  // namespace
}  // namespace pipeline::db
