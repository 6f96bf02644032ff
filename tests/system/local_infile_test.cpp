// The loader on servers that refuse LOAD DATA LOCAL (local_infile=OFF, MySQL
// 8's default): auto loads with INSERT and says why, a forced load-data
// stops with 77 before reading the input, and a refusal that comes late is
// 77 too, never 70. Servers of their own: local_infile is a global setting.
#include <gtest/gtest.h>

#include "support/held_input.hpp"
#include "support/private_server.hpp"
#include "support/test_database.hpp"
#include "support/tools.hpp"

namespace pipeline::testing {
namespace {

std::string tables_checksum(db::Session& s) {
  auto value = [&](const char* table) {
    return s.query(std::string("CHECKSUM TABLE ") + table).rows.at(0).at(1).value_or("missing");
  };
  return value("people") + "/" + value("places");
}

std::size_t occurrences(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

TEST(LocalInfileOffTest, AutoLoadsWithInsertSaysWhyAndGivesTheTablesOfLoadData) {
  PrivateServer server("--local-infile=0");
  TempDir tmp;
  db::Session session(server.options());
  ASSERT_EQ(session.query_value("SELECT @@GLOBAL.local_infile"), "0");

  const auto loaded = run(dataloader_argv(tmp, shipped("people.csv")), server.env());
  ASSERT_EQ(loaded.exit_code, 0) << describe(loaded);
  EXPECT_EQ(occurrences(loaded.err, "loading with"), 1u) << loaded.err;
  EXPECT_NE(loaded.err.find("loading with INSERT: the server has local_infile=OFF (SET GLOBAL local_infile=1 "
                            "allows the faster LOAD DATA LOCAL)"),
            std::string::npos)
      << loaded.err;
  const std::string after_insert = tables_checksum(session);

  // The same files through LOAD DATA on the throwaway server: the same rows.
  TestDatabase reference("infile");
  TempDir ref_tmp;
  const auto ref = run(dataloader_argv(ref_tmp, shipped("people.csv")), reference.env());
  ASSERT_EQ(ref.exit_code, 0) << describe(ref);
  EXPECT_EQ(after_insert, tables_checksum(reference.session()));

  // An append of the same files skips every person as a duplicate.
  const auto again = run(dataloader_argv(tmp, shipped("people.csv"), {"--mode", "append"}), server.env());
  ASSERT_EQ(again.exit_code, 0) << describe(again);
  EXPECT_EQ(tables_checksum(session), after_insert);
  const auto row =
      session.query("SELECT people_loaded, people_duplicate, people_read FROM load_runs ORDER BY id DESC LIMIT 1")
          .rows.at(0);
  EXPECT_EQ(row.at(0), "0");
  EXPECT_EQ(row.at(1), row.at(2));
}

TEST(LocalInfileOffTest, ForcedLoadDataExits77BeforeReadingTheInput) {
  PrivateServer server("--local-infile=0");
  TempDir tmp;
  db::Session session(server.options());
  ASSERT_EQ(run(dataloader_argv(tmp, shipped("people.csv")), server.env()).exit_code, 0);
  const std::string before = tables_checksum(session);
  // Read, this header would be exit 65: the refusal must come first.
  write_file(tmp / "bad.csv", "not,the,header\nx,y,z\n");
  const std::vector<std::pair<std::vector<std::string>, EnvOverrides>> ways = {
      {{"--load-method", "load-data"}, {}},
      {{}, {{"DATALOADER_LOAD_METHOD", "load-data"}}},
  };
  for (const auto& [flags, extra] : ways) {
    SCOPED_TRACE(flags.empty() ? "environment" : "flag");
    EnvOverrides env = server.env();
    env.insert(extra.begin(), extra.end());
    const auto refused = run(dataloader_argv(tmp, tmp / "bad.csv", flags), env);
    EXPECT_EQ(refused.exit_code, 77) << describe(refused);
    EXPECT_NE(refused.err.find("local_infile=OFF"), std::string::npos) << refused.err;
    EXPECT_NE(refused.err.find("SET GLOBAL local_infile=1"), std::string::npos) << refused.err;
    EXPECT_EQ(refused.err.find("header"), std::string::npos) << "the input was read\n" << refused.err;
    EXPECT_EQ(tables_checksum(session), before);
  }
  EXPECT_EQ(session.query_value("SELECT status FROM load_runs ORDER BY id DESC LIMIT 1"), "failed");
}

// local_infile turned off after the loader chose LOAD DATA: the streams'
// statements are refused (MariaDB error 1148), which is 77, not 70. The
// loader is held in the middle of people.csv's header, before any stream
// opens, while the setting changes.
TEST(LocalInfileOffTest, ARefusalAfterTheChoiceIsExit77) {
  PrivateServer server;
  TempDir tmp;
  db::Session session(server.options());
  ASSERT_EQ(session.query_value("SELECT @@GLOBAL.local_infile"), "1");
  const CsvParts parts = split_header(read_file(shipped("people.csv")));
  FifoInput fifo(tmp / "people.csv");
  Process loader(dataloader_argv(tmp, fifo.path()), server.env());
  ASSERT_TRUE(fifo.write(parts.header.substr(0, 5)));
  server.admin_sql("SET GLOBAL local_infile = 0");
  // The loader may stop reading once its streams fail: the write's result is not the point.
  (void)fifo.write(parts.header.substr(5) + parts.rows);
  fifo.close();
  const auto result = loader.wait();
  EXPECT_EQ(result.exit_code, 77) << describe(result);
  EXPECT_EQ(session.query_value("SELECT COUNT(*) FROM people"), "0");
}

}  // namespace
}  // namespace pipeline::testing
