// What only the LOAD DATA LOCAL stream does, against the throwaway server
// (what both streams do: row_stream_test.cpp).
#include "pipeline/db/bulk_load.hpp"

#include <gtest/gtest.h>

#include "pipeline/db/db_error.hpp"
#include "support/test_database.hpp"

namespace pipeline::db {
namespace {

using testing::TestDatabase;

constexpr const char* kTable =
    "CREATE TABLE t (id INT NOT NULL PRIMARY KEY, v VARCHAR(100) NOT NULL) "
    "CHARACTER SET utf8mb4 COLLATE utf8mb4_bin";

TEST(BulkLoadTest, RefusesAServerRequestForAnyOtherFile) {
  TestDatabase db("bulk");
  db.session().execute(kTable);
  const testing::TempDir dir;
  const auto secret = dir / "secret.txt";
  testing::write_file(secret, "1\tsecret\n");
  // The statement names another file than the stream's own token, so the
  // server asks for that file: the handler must send nothing.
  BulkLoad load(db.options(), BulkTarget{.table = "t", .columns = {"id", "v"}, .statement_file_name = secret.string()});
  load.write_row({"2", "ours"});
  try {
    load.finish();
    FAIL() << "the server was sent a file it asked for";
  } catch (const DbError& e) {
    EXPECT_NE(std::string(e.what()).find("refused the server's request for local file"), std::string::npos) << e.what();
  }
  EXPECT_EQ(db.count("t"), 0u);
}

}  // namespace
}  // namespace pipeline::db
