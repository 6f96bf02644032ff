// What the tools check once connected and before any input is read: a
// server that takes writes, and the account's privileges. Each server is a
// test's own (global settings, accounts of its own). Each case asserts the
// exit code, that the message names the cause and the fix, and that the data
// is unchanged.
#include <gtest/gtest.h>

#include "support/private_server.hpp"
#include "support/tools.hpp"

namespace pipeline::testing {
namespace {

std::string tables_checksum(db::Session& s) {
  auto value = [&](const char* table) {
    return s.query(std::string("CHECKSUM TABLE ") + table).rows.at(0).at(1).value_or("missing");
  };
  return value("people") + "/" + value("places") + "/" +
         s.query_value("SELECT COUNT(*) FROM load_runs").value_or("missing");
}

std::string rows_of_other_people(const TempDir& tmp) {
  const auto path = tmp / "other.csv";
  write_file(path, "given_name,family_name,date_of_birth,place_of_birth\nAda,Other,1990-01-02,Aberdeen\n");
  return path.string();
}

// Started with --read-only, as a replica is: a load, a dry run and a
// cleanup are refused with 77 before reading a byte, saying why.
TEST(PreflightTest, AReadOnlyServerIsRefusedAsPossiblyAReplica) {
  PrivateServer server;
  TempDir tmp;
  ASSERT_EQ(run(dataloader_argv(tmp, shipped("people.csv")), server.env()).exit_code, 0);
  server.restart("--read-only");
  db::Session session(server.options());
  const std::string before = tables_checksum(session);
  for (const std::vector<std::string>& extra :
       {std::vector<std::string>{}, {"--dry-run"}, {"--mode", "append"}, {"--cleanup", "some-run"}}) {
    SCOPED_TRACE(extra.empty() ? "replace" : extra.front());
    const auto result = run(dataloader_argv(tmp, rows_of_other_people(tmp), extra), server.env());
    EXPECT_EQ(result.exit_code, 77) << describe(result);
    EXPECT_NE(result.err.find("is read-only (a replica?): read_only is ON"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("point --host at the primary"), std::string::npos) << result.err;
    EXPECT_EQ(result.err.find("internal error"), std::string::npos) << result.err;
  }
  EXPECT_EQ(tables_checksum(session), before);
  // The summarizer only reads: a replica is where it may well run.
  const auto summary = run(datasummarizer_argv(tmp, {"--output", (tmp / "out.json").string()}), server.env());
  EXPECT_EQ(summary.exit_code, 0) << describe(summary);
}

// An account without CREATE and DROP: one run lists both, with the GRANT
// that fixes it, instead of failing at the first statement refused (after
// reading places.csv, and with a failed run in the ledger).
TEST(PreflightTest, EveryMissingPrivilegeIsListedAtOnce) {
  PrivateServer server;
  TempDir tmp;
  ASSERT_EQ(run(dataloader_argv(tmp, shipped("people.csv")), server.env()).exit_code, 0);
  db::Session root(server.root_options());
  root.execute("CREATE USER 'limited'@'%' IDENTIFIED BY 'limited-pw'");
  root.execute("GRANT SELECT, INSERT, UPDATE, DELETE, ALTER, INDEX, REFERENCES ON `codetest`.* TO 'limited'@'%'");
  root.execute("CREATE USER 'blind'@'%' IDENTIFIED BY 'blind-pw'");
  root.execute("GRANT INSERT ON `codetest`.* TO 'blind'@'%'");
  write_file(tmp / "limited-pw", "limited-pw");
  write_file(tmp / "blind-pw", "blind-pw");
  db::Session session(server.options());
  const std::string before = tables_checksum(session);

  EnvOverrides limited = server.env();
  limited["MYSQL_USER"] = "limited";
  limited["MYSQL_PASSWORD_FILE"] = (tmp / "limited-pw").string();
  for (const std::vector<std::string>& extra : {std::vector<std::string>{}, {"--mode", "append"}}) {
    const auto result = run(dataloader_argv(tmp, rows_of_other_people(tmp), extra), limited);
    EXPECT_EQ(result.exit_code, 77) << describe(result);
    EXPECT_NE(result.err.find("dataloader needs CREATE, DROP on database 'codetest'"), std::string::npos)
        << result.err;
    EXPECT_NE(result.err.find("GRANT CREATE, DROP ON `codetest`.* TO 'limited'@'%'"), std::string::npos)
        << result.err;
  }
  EXPECT_EQ(tables_checksum(session), before);

  // The summarizer is not checked ahead: a reporting account is often
  // granted SELECT on the two tables only, and the server's own refusal
  // names the table.
  EnvOverrides blind = server.env();
  blind["MYSQL_USER"] = "blind";
  blind["MYSQL_PASSWORD_FILE"] = (tmp / "blind-pw").string();
  const auto summary = run(datasummarizer_argv(tmp, {"--output", (tmp / "out.json").string()}), blind);
  EXPECT_EQ(summary.exit_code, 77) << describe(summary);
  EXPECT_NE(summary.err.find("SELECT command denied"), std::string::npos) << summary.err;
  EXPECT_FALSE(std::filesystem::exists(tmp / "out.json"));
}

// Accounts the check must not refuse: a reporter granted SELECT on the two
// tables alone, and a loader whose user name holds '@' (an e-mail-style
// login) with every privilege on the database.
TEST(PreflightTest, TableGrantsAndUserNamesWithAtSignsPass) {
  PrivateServer server;
  TempDir tmp;
  ASSERT_EQ(run(dataloader_argv(tmp, shipped("people.csv")), server.env()).exit_code, 0);
  db::Session root(server.root_options());
  root.execute("CREATE USER 'reader'@'%' IDENTIFIED BY 'reader-pw'");
  root.execute("GRANT SELECT ON `codetest`.`people` TO 'reader'@'%'");
  root.execute("GRANT SELECT ON `codetest`.`places` TO 'reader'@'%'");
  root.execute("CREATE USER 'ops@example.com'@'%' IDENTIFIED BY 'ops-pw'");
  root.execute("GRANT ALL PRIVILEGES ON `codetest`.* TO 'ops@example.com'@'%'");
  write_file(tmp / "reader-pw", "reader-pw");
  write_file(tmp / "ops-pw", "ops-pw");

  EnvOverrides reader = server.env();
  reader["MYSQL_USER"] = "reader";
  reader["MYSQL_PASSWORD_FILE"] = (tmp / "reader-pw").string();
  const auto summary = run(datasummarizer_argv(tmp, {"--output", (tmp / "out.json").string()}), reader);
  EXPECT_EQ(summary.exit_code, 0) << describe(summary);
  EXPECT_EQ(read_file(tmp / "out.json"), read_file(shipped("sample_output.json")));

  EnvOverrides ops = server.env();
  ops["MYSQL_USER"] = "ops@example.com";
  ops["MYSQL_PASSWORD_FILE"] = (tmp / "ops-pw").string();
  const auto loaded = run(dataloader_argv(tmp, shipped("people.csv"), {"--mode", "append"}), ops);
  EXPECT_EQ(loaded.exit_code, 0) << describe(loaded);
}

// An unknown database: 64, with the statement that creates it; and a port
// nobody listens on names host:port.
TEST(PreflightTest, ConnectionFailuresSayWhatToCheck) {
  PrivateServer server;
  TempDir tmp;
  EnvOverrides missing = server.env("codetest_not_there");
  const auto result = run(dataloader_argv(tmp, shipped("people.csv")), missing);
  EXPECT_EQ(result.exit_code, 64) << describe(result);
  EXPECT_NE(result.err.find("CREATE DATABASE `codetest_not_there` CHARACTER SET utf8mb4"), std::string::npos)
      << result.err;
  const auto summary = run(datasummarizer_argv(tmp, {"--output", (tmp / "out.json").string()}), missing);
  EXPECT_EQ(summary.exit_code, 64) << describe(summary);
  EXPECT_NE(summary.err.find("CREATE DATABASE `codetest_not_there`"), std::string::npos) << summary.err;

  const std::string address = server.options().host + ":" + std::to_string(server.options().port);
  server.stop();
  EnvOverrides gone = server.env();
  gone["MYSQL_CONNECT_TIMEOUT"] = "1";
  const auto unreachable = run(dataloader_argv(tmp, shipped("people.csv")), gone);
  EXPECT_EQ(unreachable.exit_code, 75) << describe(unreachable);
  EXPECT_NE(unreachable.err.find("listening on " + address), std::string::npos) << unreachable.err;
}

}  // namespace
}  // namespace pipeline::testing
