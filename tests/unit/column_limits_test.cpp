#include "pipeline/load/column_limits.hpp"

#include <gtest/gtest.h>

#include "pipeline/db/schema.hpp"
#include "pipeline/error.hpp"

namespace pipeline::load {
namespace {

TEST(ColumnLimitsTest, EachColumnBoundsItsOwnLimit) {
  const Limits limits = limits_from({{"people", "given_name", 11},
                                     {"people", "family_name", 12},
                                     {"places", "city", 13},
                                     {"places", "county", 14},
                                     {"places", "country", 15},
                                     {"load_runs", "run_id", 64},
                                     {"people", "city", 99}},
                                    "test");
  EXPECT_EQ(limits.given_name, 11u);
  EXPECT_EQ(limits.family_name, 12u);
  EXPECT_EQ(limits.city, 13u);
  EXPECT_EQ(limits.county, 14u);
  EXPECT_EQ(limits.country, 15u);
}

TEST(ColumnLimitsTest, AMissingColumnIsAnErrorNamingItAndTheSource) {
  try {
    limits_from({{"people", "given_name", 11}, {"people", "family_name", 12}, {"places", "city", 13}}, "schema.x");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kSoftware);
    EXPECT_STREQ(e.what(), "schema.x declares no length for places.county");
  }
}

// The limits --check uses are the schema text's: a different text gives
// different limits, through the same parser and mapping.
TEST(ColumnLimitsTest, LimitsFollowTheSchemaText) {
  const auto columns = db::column_lengths(
      "CREATE TABLE places (city VARCHAR(20), county VARCHAR(21), country VARCHAR(22));"
      "CREATE TABLE people (given_name VARCHAR(5), family_name VARCHAR(6), date_of_birth DATE);");
  const Limits limits = limits_from(columns, "test");
  EXPECT_EQ(limits, (Limits{5, 6, 20, 21, 22}));
}

// Limits{}'s defaults (tests, the fuzz target, benchmarks) stay those of schema.sql.
TEST(ColumnLimitsTest, DefaultsAreTheEmbeddedSchemas) { EXPECT_EQ(schema_limits(), Limits{}); }

}  // namespace
}  // namespace pipeline::load
