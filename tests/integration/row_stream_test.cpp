// Both row streams, LOAD DATA LOCAL (BulkLoad) and batched INSERTs
// (BatchInsert), against the throwaway server: the same rows stored, the
// same checks, the same transaction. The load-data cases need a server with
// local_infile=ON; scripts/test runs the insert ones on a server without it
// too.
#include <gtest/gtest.h>

#include <memory>

#include "pipeline/db/batch_insert.hpp"
#include "pipeline/db/bulk_load.hpp"
#include "pipeline/db/db_error.hpp"
#include "support/test_database.hpp"

namespace pipeline::db {
namespace {

using testing::TestDatabase;

enum class Kind { kLoadData, kInsert, kInsertMultiRow };

constexpr const char* kTable =
    "CREATE TABLE t (id INT NOT NULL PRIMARY KEY, v VARCHAR(100) NOT NULL) "
    "CHARACTER SET utf8mb4 COLLATE utf8mb4_bin";

class RowStreamTest : public ::testing::TestWithParam<Kind> {
 protected:
  std::unique_ptr<RowStream> open(const TestDatabase& db, BulkTarget target) {
    if (GetParam() == Kind::kInsertMultiRow) target.bulk_execution = false;
    if (GetParam() != Kind::kLoadData) return std::make_unique<BatchInsert>(db.options(), std::move(target));
    return std::make_unique<BulkLoad>(db.options(), std::move(target));
  }
};

TEST_P(RowStreamTest, ValuesArriveByteForByte) {
  TestDatabase db("bulk");
  db.session().execute(kTable);
  const std::vector<std::string> values = {"plain", "tab\tinside", "new\nline", "cr\rhere",   "back\\slash",
                                           "\\N",   "Γιώργος",     "李明",      "trailing\\", "comma, quote\""};
  auto load = open(db, BulkTarget{.table = "t", .columns = {"id", "v"}});
  for (std::size_t i = 0; i < values.size(); ++i) load->write_row({std::to_string(i), values[i]});
  EXPECT_EQ(load->finish(), values.size());
  const ResultTable rows = db.session().query("SELECT v FROM t ORDER BY id");
  ASSERT_EQ(rows.rows.size(), values.size());
  for (std::size_t i = 0; i < values.size(); ++i) EXPECT_EQ(rows.rows[i].at(0), values[i]);
}

TEST_P(RowStreamTest, ManyChunksAreStreamedInOrder) {
  TestDatabase db("bulk");
  db.session().execute(kTable);
  auto load = open(db, BulkTarget{.table = "t", .columns = {"id", "v"}});
  constexpr int kRows = 200000;  // several MB: many chunks through the bounded queue
  for (int i = 0; i < kRows; ++i) load->write_row({std::to_string(i), "value number " + std::to_string(i)});
  EXPECT_EQ(load->finish(), static_cast<std::uint64_t>(kRows));
  EXPECT_EQ(db.count("t"), static_cast<std::uint64_t>(kRows));
  EXPECT_EQ(db.session().query_value("SELECT v FROM t WHERE id = 123456"), "value number 123456");
}

TEST_P(RowStreamTest, AbortCommitsNothing) {
  TestDatabase db("bulk");
  db.session().execute(kTable);
  {
    auto load = open(db, BulkTarget{.table = "t", .columns = {"id", "v"}});
    for (int i = 0; i < 100000; ++i) load->write_row({std::to_string(i), "x"});
    load->abort();
  }
  EXPECT_EQ(db.count("t"), 0u);
  {
    auto load = open(db, BulkTarget{.table = "t", .columns = {"id", "v"}});
    load->write_row({"1", "y"});
    // Destroyed unfinished: same as abort.
  }
  EXPECT_EQ(db.count("t"), 0u);
}

TEST_P(RowStreamTest, ServerWarningsFailTheLoadAndCommitNothing) {
  TestDatabase db("bulk");
  db.session().execute("CREATE TABLE t (id INT NOT NULL PRIMARY KEY, v VARCHAR(3) NOT NULL)");
  auto load = open(db, BulkTarget{.table = "t", .columns = {"id", "v"}});
  load->write_row({"1", "ok"});
  load->write_row({"2", "too long for the column"});
  try {
    load->finish();
    FAIL() << "a truncating load was accepted";
  } catch (const Error& e) {
    // LOAD DATA warns and the stream refuses; a strict INSERT fails itself.
    const std::string message = e.what();
    EXPECT_TRUE(message.find("warning") != std::string::npos || message.find("Data too long") != std::string::npos)
        << message;
  }
  EXPECT_EQ(db.count("t"), 0u);
}

TEST_P(RowStreamTest, SkipDuplicatesKeepsTheFirstAndCountsTheRest) {
  TestDatabase db("bulk");
  db.session().execute("CREATE TABLE t (id INT NOT NULL PRIMARY KEY, v VARCHAR(10) NOT NULL, UNIQUE KEY (v))");
  auto load = open(db, BulkTarget{.table = "t", .columns = {"id", "v"}, .skip_duplicates = true});
  load->write_row({"1", "a"});
  load->write_row({"2", "b"});
  load->write_row({"3", "a"});
  load->write_row({"4", "a"});
  EXPECT_EQ(load->finish(), 2u);
  EXPECT_EQ(load->rows_skipped(), 2u);
  EXPECT_EQ(db.session().query_value("SELECT id FROM t WHERE v = 'a'"), "1");
}

TEST_P(RowStreamTest, SkipDuplicatesStillFailsOnAnyOtherWarning) {
  TestDatabase db("bulk");
  db.session().execute("CREATE TABLE t (id INT NOT NULL PRIMARY KEY, v VARCHAR(3) NOT NULL)");
  auto load = open(db, BulkTarget{.table = "t", .columns = {"id", "v"}, .skip_duplicates = true});
  load->write_row({"1", "ok"});
  load->write_row({"1", "dup"});
  load->write_row({"2", "too long"});
  EXPECT_THROW(load->finish(), Error);
  EXPECT_EQ(db.count("t"), 0u);
}

TEST_P(RowStreamTest, DuplicatesAcrossStatementsKeepTheFirstInStreamOrder) {
  TestDatabase db("bulk");
  db.session().execute("CREATE TABLE t (id INT NOT NULL PRIMARY KEY, v VARCHAR(20) NOT NULL, UNIQUE KEY (v))");
  auto load = open(db, BulkTarget{.table = "t", .columns = {"id", "v"}, .skip_duplicates = true});
  constexpr int kRows = 300000;  // several statements (BatchInsert) or chunks (BulkLoad)
  for (int i = 0; i < kRows; ++i) load->write_row({std::to_string(i), "v" + std::to_string(i % 1000)});
  EXPECT_EQ(load->finish(), 1000u);
  EXPECT_EQ(load->rows_skipped(), static_cast<std::uint64_t>(kRows - 1000));
  EXPECT_EQ(db.session().query_value("SELECT MAX(id) FROM t"), "999");
}

TEST_P(RowStreamTest, AScratchTargetCommitsWhatWasSentOnAbort) {
  TestDatabase db("bulk");
  db.session().execute(kTable);
  auto load = open(db, BulkTarget{.table = "t", .columns = {"id", "v"}, .scratch = true});
  for (int i = 0; i < 200000; ++i) load->write_row({std::to_string(i), "x"});
  load->abort();
  // Whatever reached the server stays, for the caller to drop: never a roll-back's wait.
  EXPECT_LE(db.count("t"), 200000u);
  EXPECT_EQ(db.session().query_value("SELECT COUNT(*) FROM t WHERE v <> 'x'"), "0");
}

TEST(BatchInsertTest, StatementsStayUnderMaxAllowedPacket) {
  TestDatabase db("bulk");
  db.session().execute(kTable);
  BatchInsert load(db.options(), BulkTarget{.table = "t", .columns = {"id", "v"}});
  const auto packet = std::stoull(db.session().query_value("SELECT @@GLOBAL.max_allowed_packet").value());
  EXPECT_LE(load.statement_limit(), packet - 1024);
  EXPECT_GE(load.statement_limit(), std::min<std::uint64_t>(packet / 2, 1024 * 1024));
  EXPECT_LE(load.statement_rows() * 2, 65535u);  // placeholders in one statement
  // Values full of quotes, many statements' worth.
  const std::string quotes(90, '\'');
  for (int i = 0; i < 100000; ++i) load.write_row({std::to_string(i), quotes});
  EXPECT_EQ(load.finish(), 100000u);
  EXPECT_EQ(db.session().query_value("SELECT COUNT(*) FROM t WHERE v = REPEAT('''', 90)"), "100000");
}

std::string kind_name(const ::testing::TestParamInfo<Kind>& info) {
  return info.param == Kind::kInsert ? "Insert" : info.param == Kind::kInsertMultiRow ? "InsertMultiRow" : "LoadData";
}

INSTANTIATE_TEST_SUITE_P(Kinds, RowStreamTest, ::testing::Values(Kind::kLoadData, Kind::kInsert, Kind::kInsertMultiRow),
                         kind_name);

}  // namespace
}  // namespace pipeline::db
