// The rules that exist in both C++ and SQL, checked against each other on
// the real server: the row checksum (people_table.hpp) and the shard lock's
// name (named_lock.hpp).
#include "pipeline/load/people_table.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "pipeline/db/named_lock.hpp"
#include "pipeline/db/schema.hpp"
#include "support/test_database.hpp"

namespace pipeline::testing {
namespace {

TEST(PeopleTableTest, TheRowChecksumIsTheSameInCppAndSql) {
  TestDatabase db("checksum");
  db::ensure_schema(db.session());
  db.session().execute("INSERT INTO places (id, city, county, country) VALUES (7, 'Kelso', 'R', 'S')");
  struct Row {
    const char* id;
    const char* given;
    const char* family;
    const char* date;
  };
  const std::vector<Row> rows = {{"2", "Ann", "Smith", "1990-01-01"},
                                 {"18446744073709551615", "Zoë", "Ó Briain", "1000-12-31"},
                                 {"42", "Ann\nMarie", "Tab\there", "2024-02-29"},
                                 {"43", "名前", "\\back\\slash", "1955-07-15"}};
  load::RowChecksum checksum;
  for (const Row& r : rows) {
    db.session().execute(
        "INSERT INTO people (id, given_name, family_name, date_of_birth, place_of_birth_id) VALUES (?, ?, ?, ?, 7)",
        {std::uint64_t{std::stoull(r.id)}, std::string(r.given), std::string(r.family), std::string(r.date)});
    const auto sql = db.session().query_value(fmt::format("SELECT {} FROM people WHERE id = ?", load::kRowChecksumSql),
                                              {std::uint64_t{std::stoull(r.id)}});
    EXPECT_EQ(sql, std::to_string(checksum(r.id, r.given, r.family, r.date, "7"))) << r.given;
  }
}

TEST(PeopleTableTest, TheShardLockNameIsTheSameInCppAndSql) {
  TestDatabase db("locknames");
  db::ensure_schema(db.session());
  const auto name =
      db.session().query_value(fmt::format("SELECT {} FROM (SELECT 'run-1_x' AS run_id, 12 AS shard) AS load_shards",
                                           db::lock_names::shard_sql("load_shards")));
  EXPECT_EQ(name, db::lock_names::shard(db.name(), "run-1_x", 12));
  EXPECT_NE(db::lock_names::shard(db.name(), "run-1_x", 12), db::lock_names::shard("codetest", "run-1_x", 12))
      << "two databases' runs of one id would share their locks";
}

}  // namespace
}  // namespace pipeline::testing
