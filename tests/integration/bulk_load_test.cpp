// The LOAD DATA LOCAL stream, against the throwaway server.
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

TEST(BulkLoadTest, ValuesArriveByteForByte) {
  TestDatabase db("bulk");
  db.session().execute(kTable);
  const std::vector<std::string> values = {"plain", "tab\tinside", "new\nline", "cr\rhere",   "back\\slash",
                                           "\\N",   "Γιώργος",     "李明",      "trailing\\", "comma, quote\""};
  BulkLoad load(db.options(), BulkTarget{.table = "t", .columns = {"id", "v"}});
  for (std::size_t i = 0; i < values.size(); ++i) load.write_row({std::to_string(i), values[i]});
  EXPECT_EQ(load.finish(), values.size());
  const ResultTable rows = db.session().query("SELECT v FROM t ORDER BY id");
  ASSERT_EQ(rows.rows.size(), values.size());
  for (std::size_t i = 0; i < values.size(); ++i) EXPECT_EQ(rows.rows[i].at(0), values[i]);
}

TEST(BulkLoadTest, ManyChunksAreStreamedInOrder) {
  TestDatabase db("bulk");
  db.session().execute(kTable);
  BulkLoad load(db.options(), BulkTarget{.table = "t", .columns = {"id", "v"}});
  constexpr int kRows = 200000;  // several MB: many chunks through the bounded queue
  for (int i = 0; i < kRows; ++i) load.write_row({std::to_string(i), "value number " + std::to_string(i)});
  EXPECT_EQ(load.finish(), static_cast<std::uint64_t>(kRows));
  EXPECT_EQ(db.count("t"), static_cast<std::uint64_t>(kRows));
  EXPECT_EQ(db.session().query_value("SELECT v FROM t WHERE id = 123456"), "value number 123456");
}

TEST(BulkLoadTest, AbortCommitsNothing) {
  TestDatabase db("bulk");
  db.session().execute(kTable);
  {
    BulkLoad load(db.options(), BulkTarget{.table = "t", .columns = {"id", "v"}});
    for (int i = 0; i < 100000; ++i) load.write_row({std::to_string(i), "x"});
    load.abort();
  }
  EXPECT_EQ(db.count("t"), 0u);
  {
    BulkLoad load(db.options(), BulkTarget{.table = "t", .columns = {"id", "v"}});
    load.write_row({"1", "y"});
    // Destroyed unfinished: same as abort.
  }
  EXPECT_EQ(db.count("t"), 0u);
}

TEST(BulkLoadTest, ServerWarningsFailTheLoadAndCommitNothing) {
  TestDatabase db("bulk");
  db.session().execute("CREATE TABLE t (id INT NOT NULL PRIMARY KEY, v VARCHAR(3) NOT NULL)");
  BulkLoad load(db.options(), BulkTarget{.table = "t", .columns = {"id", "v"}});
  load.write_row({"1", "ok"});
  load.write_row({"2", "too long for the column"});
  try {
    load.finish();
    FAIL() << "a truncating load was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("warning"), std::string::npos) << e.what();
  }
  EXPECT_EQ(db.count("t"), 0u);
}

TEST(BulkLoadTest, SkipDuplicatesKeepsTheFirstAndCountsTheRest) {
  TestDatabase db("bulk");
  db.session().execute("CREATE TABLE t (id INT NOT NULL PRIMARY KEY, v VARCHAR(10) NOT NULL, UNIQUE KEY (v))");
  BulkLoad load(db.options(), BulkTarget{.table = "t", .columns = {"id", "v"}, .skip_duplicates = true});
  load.write_row({"1", "a"});
  load.write_row({"2", "b"});
  load.write_row({"3", "a"});
  load.write_row({"4", "a"});
  EXPECT_EQ(load.finish(), 2u);
  EXPECT_EQ(load.rows_skipped(), 2u);
  EXPECT_EQ(db.session().query_value("SELECT id FROM t WHERE v = 'a'"), "1");
}

TEST(BulkLoadTest, SkipDuplicatesStillFailsOnAnyOtherWarning) {
  TestDatabase db("bulk");
  db.session().execute("CREATE TABLE t (id INT NOT NULL PRIMARY KEY, v VARCHAR(3) NOT NULL)");
  BulkLoad load(db.options(), BulkTarget{.table = "t", .columns = {"id", "v"}, .skip_duplicates = true});
  load.write_row({"1", "ok"});
  load.write_row({"1", "dup"});
  load.write_row({"2", "too long"});
  EXPECT_THROW(load.finish(), Error);
  EXPECT_EQ(db.count("t"), 0u);
}

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
